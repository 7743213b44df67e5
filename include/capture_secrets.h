/* capture_secrets.h: the secrets a pcapng capture carries in Decryption
 * Secrets Blocks, wherever the capture is read from (a file, standard
 * input, a decompressed archive member) and wherever the blocks lie in it.
 * The walker (capture/pcapng_secrets.h) taps the bytes libpcap reads; each
 * block's key log goes into a log of the capture's own, searched before
 * --keylog, just before the first packet after the block is read: as in
 * Wireshark, a block serves the packets after it. A connection whose
 * protected records went by before its secrets came is counted as late. */
#ifndef TLSX_CAPTURE_SECRETS_H
#define TLSX_CAPTURE_SECRETS_H

#include <stdbool.h>
#include <stddef.h>
#include "analyze.h"
#include "util/capbuf.h"

struct input_source;
struct pcapng_secrets;

struct capture_secrets {
    struct input_source *src;
    struct pcapng_secrets *walk;
    struct keylog *log;           /* the capture's own; falls back to --keylog */
    /* client randoms of connections let go with no key log in use while
     * they were read: their secrets may still come */
    struct capbuf gone;
    bool gone_full;               /* more were let go than are kept */
    size_t late;                  /* see capture_secrets_end */
};

/* Taps the capture src handed out last and points ao at the capture's key
 * log (its fallback: global, may be NULL). Out of memory: the capture is
 * read with --keylog alone. */
void capture_secrets_begin(struct capture_secrets *cs, struct input_source *src,
                           const struct keylog *global, struct analyze_opts *ao);
/* A connection is let go before the end of the capture. */
void capture_secrets_conn_gone(struct capture_secrets *cs, const struct conn *c);
/* The read is over: the tap goes, the blocks after the last packet go into
 * the log too (they serve no packet, but say a key log was given), and
 * cs->late counts the connections, those of a still there and those let go,
 * whose protected records were read with no key log in use and whose
 * secrets the capture carries after them. Secrets not read (over the caps,
 * out of memory) are said in msg, else msg is "". */
void capture_secrets_end(struct capture_secrets *cs, const struct analysis *a, char *msg,
                         size_t len);
void capture_secrets_free(struct capture_secrets *cs);

#endif
