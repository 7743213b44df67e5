/* analyze.h: one capture file through the pipeline, up to the facts. */
#ifndef TLSX_ANALYZE_H
#define TLSX_ANALYZE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "tcp/flow.h"
#include "quic/table.h"
#include "capture/packet.h"
#include "util/status.h"

struct analysis {
    const char *path;
    struct flow_table flows;
    struct quic_table quic;    /* QUIC connections; their records are listed in flows */
    int linktype;
    uint64_t frames;
    uint64_t tcp_packets;
    uint64_t skipped[SKIP_COUNT];
    uint64_t cut_frames;       /* frames shorter than on the wire (snap length) */
    uint32_t snaplen;
    bool unreadable;           /* nothing could be read: bad file, bad format */
    bool damaged;              /* read stopped early: the rest is lost */
    char error[256];           /* what went wrong, for the user */
    /* What the capture says of each server (rules.h): not made here; the
     * driver that calls the rule engine sets it and frees it. */
    struct rule_ctx *ctx;
    const struct analyze_opts *opts;
};

struct keylog;
struct rule_ctx;

/* A connection is over (FIN, RST or idle) while the file is read. The
 * callee may judge and report it, then return true to let it go: it is
 * freed and its slot reads NULL. Returning false keeps it for the end. */
typedef bool analyze_finished_fn(void *ud, struct analysis *a, struct conn *c);
/* A connection kept by the finished callback has been quiet a long while:
 * the callee may write its facts away and return true; it is freed, its
 * slot reads NULL, and flow_table_restore readies it once read back. */
typedef bool analyze_stow_fn(void *ud, struct analysis *a, struct conn *c);
/* Frame `frame` (1-based) is about to be read: e.g. the secrets a pcapng
 * capture carried before it are put into the key log. An error stops the
 * read (out of memory). */
typedef enum status analyze_frame_fn(void *ud, uint64_t frame);

struct analyze_opts {
    const char *filter;        /* BPF expression or NULL */
    size_t max_conns;
    const struct keylog *keylog; /* --keylog: decrypts TLS 1.3 handshakes, or NULL */
    analyze_finished_fn *finished; /* NULL: every connection is kept to the end */
    void *finished_ud;
    analyze_stow_fn *stow;     /* NULL: every connection kept stays in memory */
    analyze_frame_fn *before_frame; /* NULL: none */
    void *frame_ud;
    /* When not NULL, the capture is read from here (a compressed or archived
     * one, capture/input_stream.h) and the path only names it; pcap_close
     * closes it once libpcap has taken it. */
    FILE *stream;
};

/* Reads the file and fills in the facts; the rules judge them later. It
 * calls no rule and no reporter itself. ST_IO/ST_UNSUPPORTED leave a
 * message in a->error; a damaged file still yields what was read. */
MUST_USE enum status analyze_file(const char *path, const struct analyze_opts *o,
                                  struct analysis *a);
/* The connections in id order: slot i holds connection i + 1, or NULL
 * when it was let go while the file was read. */
size_t analysis_slots(const struct analysis *a);
struct conn *analysis_conn(const struct analysis *a, size_t slot);
/* Every slot, for the rules and the reporters. */
struct conn_slots analysis_connections(const struct analysis *a);
void analysis_free(struct analysis *a);

#endif
