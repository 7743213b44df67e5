/* input_stream.h: one input opened as a series of captures libpcap can read
 * (pcap_fopen_offline). A plain pcap or pcapng is one capture; a compressed
 * one (gzip, bzip2, xz, zstd) is one capture decompressed as it is read; a
 * zip or tar archive (compressed or not) gives one capture per member, named
 * "archive.zip:member.pcap". Nothing is unpacked to disk. */
#ifndef TLSX_INPUT_STREAM_H
#define TLSX_INPUT_STREAM_H

#include <stdint.h>
#include <stdio.h>
#include "capture/input_skip.h"
#include "capture/input_sniff.h"
#include "util/status.h"

struct progress;
struct input_source;

enum input_item_kind {
    INPUT_ITEM_CAPTURE,   /* fp is a capture to read */
    INPUT_ITEM_SKIP,      /* name was not read, for `why` */
    INPUT_ITEM_END        /* nothing more in this input */
};

struct input_item {
    enum input_item_kind what;
    const char *name;     /* as reported; valid until the next call */
    enum input_skip_why why; /* SKIP: why */
    FILE *fp;             /* CAPTURE: closing it (pcap_close does) ends the capture */
};

/* Member names longer than this are cut (a tar name can be any length). */
#define INPUT_MAX_MEMBER_NAME 1024

/* Opens path ("-": standard input). ST_IO, with the reason in err, when it
 * cannot be read at all. Bytes read are added to pg (may be NULL). */
MUST_USE enum status input_source_open(const char *path, struct progress *pg,
                                       struct input_source **out, char *err, size_t errlen);
/* The next capture or skipped member. A capture's FILE still open from the
 * previous call (libpcap could not use it) is closed first. ST_IO, with the
 * reason in err, when the rest of the input cannot be read (a damaged
 * archive): the captures given so far stand. */
MUST_USE enum status input_source_next(struct input_source *s, struct input_item *item,
                                       char *err, size_t errlen);
/* Shows every byte of the capture handed out last to fn, in order, as
 * libpcap reads it (the pcapng blocks libpcap does not expose are found
 * there: capture/pcapng_secrets.h); fn NULL stops it. Handing out the next
 * capture stops it too. */
typedef void input_tap_fn(void *ud, const uint8_t *p, size_t n);
void input_source_tap(struct input_source *s, input_tap_fn *fn, void *ud);
/* Why the last capture's stream stopped early (a truncated gzip, a damaged
 * member), or NULL when it was read to its end. */
const char *input_source_read_error(const struct input_source *s);
/* What the input holds, as told by its first bytes. */
enum input_kind input_source_kind(const struct input_source *s);
void input_source_close(struct input_source *s);

#endif
