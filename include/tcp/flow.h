/* flow.h: the table of TCP connections in one capture. It turns packets into
 * per-connection facts: TCP events and reassembled streams, which it hands
 * to the sink that parses them (TLS records, wired by the driver). */
#ifndef TLSX_FLOW_H
#define TLSX_FLOW_H

#include <stddef.h>
#include <stdint.h>
#include "facts/conn.h"
#include "capture/packet.h"
#include "tcp/left_out.h"
#include "tcp/embryos.h"
#include "tcp/stream_sink.h"
#include "tcp/tombs.h"
#include "util/status.h"

/* A connection over and let go, or stowed, or of one SYN only, takes under
 * 100 bytes here: a million of them (a SYN flood, a scan) stay near 100 MB.
 * Connections open at once take 4 KB or more each; the cap bounds those too. */
#define FLOW_DEFAULT_MAX_CONNS 1000000

struct flow;

/* Flows in some order, linked through a struct flow_link at link_offset
 * in each (flow.c). */
struct flow_queue {
    struct flow *head, *tail;
    size_t link_offset;
};

/* A client's reset, for the bursts (flow_table_finish): of a connection
 * held in memory (c), or stowed away (c NULL: the burst is kept here). */
struct reset_note {
    struct addr client;
    struct tstamp ts;
    uint64_t frame;
    uint32_t id;
    struct conn *c;
    uint32_t burst;            /* resets in its burst, 0 when none */
    uint64_t first_frame, last_frame;
    struct tstamp first_ts, last_ts;
};

struct flow_table {
    struct flow **buckets;
    size_t n_buckets;
    size_t n_flows;
    struct conn **conns;     /* every connection, in order of first frame */
    size_t n_conns, cap_conns;
    size_t max_conns;
    struct left_out left_out; /* connections not tracked: the cap was reached */
    uint64_t dropped_packets;
    /* What parses each connection's payload, set by the owner before the
     * first packet (zeroed: TCP facts only). Flows point at it: the table
     * stays where it is while they live. */
    struct stream_sink sink;
    struct classifier *classifier; /* nDPI, made when a stream is not TLS */
    /* A connection that is over (both sides closed, reset a while ago, or
     * idle): the owner may report and free it, then returns true and its
     * slot in conns becomes NULL. */
    bool (*on_finished)(void *owner, struct conn *c);
    /* A finished connection the owner kept, quiet for as long as an idle
     * one would be: the owner may stow it away (its facts written out,
     * judged at the end) and return true; it is freed, its slot in conns
     * becomes NULL, and flow_table_restore gives it back what
     * flow_table_finish gives the others. NULL: nothing is stowed. */
    bool (*on_stow)(void *owner, struct conn *c);
    void *owner;
    uint64_t stowed;         /* connections the owner stowed */
    struct reset_note *stowed_resets; /* their clients' resets, by id after finish */
    size_t n_stowed_resets, cap_stowed_resets;
    struct flow_queue idle_queue;  /* unfinished flows, by last packet */
    struct flow_queue reset_queue; /* unfinished reset flows, by time of reset */
    struct flow_queue held_queue;  /* finished flows the owner kept, by last packet */
    struct tombs tombs;      /* endpoints of the connections let go */
    struct embryos embryos;  /* connections of one SYN so far (with on_stow only) */
    uint64_t let_go;         /* connections the owner took */
    uint64_t late_packets;   /* packets of a connection already let go */
    uint64_t packets;
    struct tstamp last_ts;   /* the latest TCP packet so far: where the capture ends */
};

MUST_USE enum status flow_table_init(struct flow_table *t, size_t max_conns);
MUST_USE enum status flow_packet(struct flow_table *t, const struct packet *p);
/* A connection found outside TCP (QUIC): numbered and listed with the others. */
MUST_USE enum status flow_table_add_conn(struct flow_table *t, struct conn *c);
/* End of capture: every stream is flushed and its buffers freed. ST_NOMEM
 * when a connection that sent one SYN could not be made (the others are
 * finished all the same). */
MUST_USE enum status flow_table_finish(struct flow_table *t, uint64_t last_frame);
/* After flow_table_finish: a stowed connection, its facts read back, gets
 * the end of the capture and its reset burst, as one held in memory did. */
void flow_table_restore(const struct flow_table *t, struct conn *c);
/* Frees the table and every connection in it. */
void flow_table_free(struct flow_table *t);

#endif
