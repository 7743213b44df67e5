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
    struct rule_ctx *ctx;      /* what the capture says of each server (rules.h) */
    struct spill *spill;       /* reports of connections already let go, or NULL */
    const struct analyze_opts *opts;
};

struct keylog;
struct rule_opts;
struct rule_ctx;
struct spill;

/* Writes the report of a connection that succeeded, when it is let go
 * early; NULL when such connections are not reported at all. */
typedef void analyze_render_fn(void *ud, const struct analysis *a, const struct conn *c,
                               FILE *out);

struct analyze_opts {
    const char *filter;        /* BPF expression or NULL */
    size_t max_conns;
    const struct keylog *keylog; /* --keylog: decrypts TLS 1.3 handshakes, or NULL */
    const struct rule_opts *rules;
    /* Connections that succeeded are reported as soon as they are over and
     * freed (memory then follows the open and the failed connections),
     * unless keep_all: the HTML report draws every one at the end. */
    bool keep_all;
    analyze_render_fn *render;
    void *render_ud;
};

/* Reads the file and fills in the facts and verdicts. ST_IO/ST_UNSUPPORTED
 * leave a message in a->error; a damaged file still yields what was read. */
MUST_USE enum status analyze_file(const char *path, const struct analyze_opts *o,
                                  struct analysis *a);
void analysis_free(struct analysis *a);

#endif
