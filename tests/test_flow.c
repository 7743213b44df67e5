/* test_flow.c: the flow table through its stream sink: what it hands the
 * parser, in which order and for which side, and that it needs none. */
#include <string.h>
#include "tcp/endpoints.h"
#include "tcp/flow.h"
#include "testlib.h"

/* What the recording sink saw, kept by the test (the sink's cfg points here). */
struct log {
    int inits, releases, swaps, gaps;
    uint64_t gap_bytes;
    char bytes[2][64];        /* by side, as delivered */
    size_t n[2];
};
struct log_ref {
    struct log *log;
};

/* Per-connection state: only where the log is. */
struct rec_state {
    struct log *log;
    int side_swapped;
};

static void rec_init(void *state, const void *cfg)
{
    struct rec_state *s = state;
    s->log = ((const struct log_ref *)cfg)->log;
    s->log->inits++;
}

static void rec_data(void *state, struct conn *c, enum side from, const uint8_t *p, size_t n,
                     uint64_t frame, struct tstamp ts)
{
    struct rec_state *s = state;
    (void)c, (void)frame, (void)ts;
    if (n <= sizeof s->log->bytes[from] - 1 - s->log->n[from]) {
        memcpy(s->log->bytes[from] + s->log->n[from], p, n);
        s->log->n[from] += n;
    }
}

static void rec_gap(void *state, struct conn *c, enum side from, uint64_t missing,
                    uint64_t frame)
{
    struct rec_state *s = state;
    (void)c, (void)from, (void)frame;
    s->log->gaps++;
    s->log->gap_bytes += missing;
}

static void rec_swap(void *state)
{
    struct rec_state *s = state;
    s->log->swaps++;
    /* what was filed under one side is the other's */
    char tmp[64];
    size_t n = s->log->n[0];
    memcpy(tmp, s->log->bytes[0], sizeof tmp);
    memcpy(s->log->bytes[0], s->log->bytes[1], sizeof tmp);
    memcpy(s->log->bytes[1], tmp, sizeof tmp);
    s->log->n[0] = s->log->n[1];
    s->log->n[1] = n;
}

static void rec_release(void *state)
{
    struct rec_state *s = state;
    s->log->releases++;
}

/* A stream that starts with 'C' is a client's, with 'S' a server's. */
static enum stream_opener rec_opener(const uint8_t *p, size_t n, bool loose)
{
    (void)loose;
    if (n == 0)
        return STREAM_OPENER_UNKNOWN;
    return p[0] == 'C' ? STREAM_OPENER_CLIENT
           : p[0] == 'S' ? STREAM_OPENER_SERVER : STREAM_OPENER_UNKNOWN;
}

static struct stream_sink recording_sink(const struct log_ref *ref)
{
    return (struct stream_sink){.state_size = sizeof(struct rec_state),
                                .cfg = ref,
                                .init = rec_init,
                                .data = rec_data,
                                .gap = rec_gap,
                                .swap_sides = rec_swap,
                                .release = rec_release,
                                .opener = rec_opener};
}

/* Endpoints: a = 10.0.0.1:aport, b = 10.0.0.2:bport. */
struct wire {
    uint16_t aport, bport;
    uint64_t frame;
};

static struct packet pkt(struct wire *w, bool from_a, uint8_t flags, uint32_t seq, uint32_t ack,
                         const char *data)
{
    struct packet p = {.frame = ++w->frame,
                       .ts = {.sec = 1000, .nsec = (uint32_t)w->frame},
                       .src = {.family = 4, .bytes = {10, 0, 0, from_a ? 1 : 2}},
                       .dst = {.family = 4, .bytes = {10, 0, 0, from_a ? 2 : 1}},
                       .sport = from_a ? w->aport : w->bport,
                       .dport = from_a ? w->bport : w->aport,
                       .flags = flags,
                       .seq = seq,
                       .ack = ack};
    size_t n = data != NULL ? strlen(data) : 0;
    p.payload = (struct slice){.ptr = (const uint8_t *)data, .len = n};
    p.payload_wire = (uint32_t)n;
    return p;
}

#define FEED(t, w, from_a, flags, seq, ack, data)                                      \
    do {                                                                               \
        struct packet p_ = pkt((w), (from_a), (flags), (seq), (ack), (data));          \
        CHECK_EQ_INT(flow_packet((t), &p_), ST_OK);                                    \
    } while (0)

/* A connection with a SYN: bytes go to the sink by side, in order, and it is
 * released once when both sides closed. Client a: ISN 100; server b: ISN 500. */
TEST(sink_gets_each_side_in_order)
{
    struct log log = {0};
    struct log_ref ref = {.log = &log};
    struct flow_table t;
    struct wire w = {.aport = 40000, .bport = 443};
    CHECK_EQ_INT(flow_table_init(&t, 0), ST_OK);
    t.sink = recording_sink(&ref);
    FEED(&t, &w, true, TCP_SYN, 100, 0, NULL);
    FEED(&t, &w, false, TCP_SYN | TCP_ACK, 500, 101, NULL);
    FEED(&t, &w, true, TCP_ACK, 101, 501, NULL);
    FEED(&t, &w, true, TCP_ACK | TCP_PSH, 104, 501, "def"); /* out of order */
    FEED(&t, &w, true, TCP_ACK | TCP_PSH, 101, 501, "abc");
    FEED(&t, &w, false, TCP_ACK | TCP_PSH, 501, 107, "XYZ");
    CHECK_EQ_INT(log.inits, 1);
    CHECK_EQ_INT(log.n[SIDE_CLIENT], 6);
    CHECK_EQ_STR(log.bytes[SIDE_CLIENT], "abcdef");
    CHECK_EQ_STR(log.bytes[SIDE_SERVER], "XYZ");
    CHECK_EQ_INT(log.releases, 0);
    FEED(&t, &w, true, TCP_ACK | TCP_FIN, 107, 504, NULL);
    FEED(&t, &w, false, TCP_ACK | TCP_FIN, 504, 108, NULL);
    CHECK_EQ_INT(log.releases, 1);
    CHECK_EQ_INT(log.gaps, 0);
    CHECK_EQ_INT(t.n_conns, 1);
    CHECK_EQ_INT(t.conns[0]->client_port, 40000);
    CHECK_EQ_INT(t.conns[0]->side[SIDE_CLIENT].bytes, 6);
    CHECK_EQ_INT(flow_table_finish(&t, w.frame), ST_OK);
    flow_table_free(&t);
    CHECK_EQ_INT(log.releases, 1); /* not twice */
}

/* Bytes acknowledged that the capture never held: a gap for the sink. */
TEST(sink_told_of_gaps)
{
    struct log log = {0};
    struct log_ref ref = {.log = &log};
    struct flow_table t;
    struct wire w = {.aport = 40001, .bport = 443};
    CHECK_EQ_INT(flow_table_init(&t, 0), ST_OK);
    t.sink = recording_sink(&ref);
    FEED(&t, &w, true, TCP_SYN, 100, 0, NULL);
    FEED(&t, &w, false, TCP_SYN | TCP_ACK, 500, 101, NULL);
    FEED(&t, &w, true, TCP_ACK | TCP_PSH, 111, 501, "late"); /* 10 bytes missed before */
    FEED(&t, &w, false, TCP_ACK, 501, 115, NULL);
    CHECK_EQ_INT(log.gaps, 1);
    CHECK_EQ_INT(log.gap_bytes, 10);
    CHECK_EQ_STR(log.bytes[SIDE_CLIENT], "late");
    flow_table_free(&t);
    CHECK_EQ_INT(log.releases, 1);
}

/* No SYN: the opener decides the roles; roles guessed from ports are put
 * right when the "server" opens like a client, and the sink swaps too. */
TEST(roles_from_the_opener)
{
    struct log log = {0};
    struct log_ref ref = {.log = &log};
    struct flow_table t;
    struct wire w = {.aport = 2000, .bport = 1000};
    CHECK_EQ_INT(flow_table_init(&t, 0), ST_OK);
    t.sink = recording_sink(&ref);
    /* b (port 1000) speaks first, as a server would */
    FEED(&t, &w, false, TCP_ACK | TCP_PSH, 700, 300, "Shello");
    CHECK_EQ_INT(t.conns[0]->client_port, 2000);
    CHECK(t.conns[0]->roles_from_hello);
    CHECK_EQ_STR(log.bytes[SIDE_SERVER], "Shello");
    CHECK_EQ_INT(log.swaps, 0);

    /* a second connection: neither port is known, bytes say nothing, so the
     * lower port is the server's; then that side sends a client's bytes */
    struct wire w2 = {.aport = 3000, .bport = 4000};
    FEED(&t, &w2, true, TCP_ACK | TCP_PSH, 100, 900, "xx");
    CHECK_EQ_INT(t.conns[1]->client_port, 4000);
    CHECK_EQ_STR(log.bytes[SIDE_SERVER], "Shelloxx");
    FEED(&t, &w2, true, TCP_ACK | TCP_PSH, 102, 900, "Cyy");
    CHECK_EQ_INT(log.swaps, 1);
    CHECK_EQ_INT(t.conns[1]->client_port, 3000);
    CHECK(t.conns[1]->roles_from_hello);
    flow_table_free(&t);
    CHECK_EQ_INT(log.inits, 2);
    CHECK_EQ_INT(log.releases, 2);
}

/* A zeroed sink: the table records TCP facts and parses nothing. */
TEST(no_sink_tcp_facts_only)
{
    struct flow_table t;
    struct wire w = {.aport = 40002, .bport = 443};
    CHECK_EQ_INT(flow_table_init(&t, 0), ST_OK);
    FEED(&t, &w, true, TCP_SYN, 100, 0, NULL);
    FEED(&t, &w, false, TCP_SYN | TCP_ACK, 500, 101, NULL);
    FEED(&t, &w, true, TCP_ACK | TCP_PSH, 101, 501, "\x16\x03\x01\x01\x05" "hello");
    FEED(&t, &w, false, TCP_RST, 501, 0, NULL);
    CHECK_EQ_INT(flow_table_finish(&t, w.frame), ST_OK);
    CHECK_EQ_INT(t.n_conns, 1);
    CHECK_EQ_INT(t.conns[0]->side[SIDE_CLIENT].bytes, 10);
    CHECK(t.conns[0]->side[SIDE_SERVER].rst_frame == 4);
    CHECK(!t.conns[0]->ch->present);
    CHECK_EQ_INT(t.conns[0]->side[SIDE_CLIENT].records, 0);
    flow_table_free(&t);
}

/* on_finished that writes down the ids it was handed and keeps them all. */
struct finished_log {
    uint32_t ids[16];
    size_t n;
};

static bool note_finished(void *owner, struct conn *c)
{
    struct finished_log *l = owner;
    if (l->n < sizeof l->ids / sizeof l->ids[0])
        l->ids[l->n++] = c->id;
    return false;
}

static struct packet timed(uint16_t aport, uint64_t frame, int64_t sec, bool from_a,
                           uint8_t flags)
{
    return (struct packet){.frame = frame,
                           .ts = {.sec = sec},
                           .src = {.family = 4, .bytes = {10, 0, 0, from_a ? 1 : 2}},
                           .dst = {.family = 4, .bytes = {10, 0, 0, from_a ? 2 : 1}},
                           .sport = from_a ? aport : 443,
                           .dport = from_a ? 443 : aport,
                           .flags = flags,
                           .seq = from_a ? 100 : 500,
                           .ack = from_a ? 501 : 101};
}

#define AT(t, aport, frame, sec, from_a, flags)                                          \
    do {                                                                               \
        struct packet p_ = timed((aport), (frame), (sec), (from_a), (flags));           \
        CHECK_EQ_INT(flow_packet((t), &p_), ST_OK);                                    \
    } while (0)

/* The sweep (every 4096 packets) finishes a reset connection once 2 s have
 * passed since the later side's reset, and an idle one after 300 s without
 * a packet; nothing else. Connections 1-5: 1 reset at 0 s; 2 reset by the
 * client at 0 s and by the server at 9 s; 3 quiet from 200 s; 4 quiet from
 * 0 s; 5 the one that keeps talking; 6 reset by the client at 0 s and again
 * at 9 s (its first reset counts). */
TEST(sweep_finishes_what_is_due)
{
    struct finished_log log = {0};
    struct flow_table t;
    CHECK_EQ_INT(flow_table_init(&t, 0), ST_OK);
    t.on_finished = note_finished;
    t.owner = &log;
    uint64_t frame = 0;
    AT(&t, 1001, ++frame, 0, true, TCP_SYN);
    AT(&t, 1001, ++frame, 0, false, TCP_RST | TCP_ACK);
    AT(&t, 1002, ++frame, 0, true, TCP_SYN);
    AT(&t, 1002, ++frame, 0, true, TCP_RST | TCP_ACK);
    AT(&t, 1003, ++frame, 0, true, TCP_SYN);
    AT(&t, 1004, ++frame, 0, true, TCP_SYN);
    AT(&t, 1005, ++frame, 0, true, TCP_SYN);
    AT(&t, 1006, ++frame, 0, true, TCP_SYN);
    AT(&t, 1006, ++frame, 0, true, TCP_RST | TCP_ACK);
    AT(&t, 1002, ++frame, 9, false, TCP_RST | TCP_ACK);
    AT(&t, 1006, ++frame, 9, true, TCP_RST | TCP_ACK); /* the same side again: no later */
    while (frame < 4095)
        AT(&t, 1005, ++frame, 9, true, TCP_ACK);
    AT(&t, 1005, ++frame, 10, true, TCP_ACK); /* the first sweep, at 10 s */
    CHECK_EQ_INT(log.n, 2);
    CHECK_EQ_INT(log.ids[0], 1);
    CHECK_EQ_INT(log.ids[1], 6);
    AT(&t, 1003, ++frame, 200, true, TCP_ACK);
    while (frame < 8191)
        AT(&t, 1005, ++frame, 250, true, TCP_ACK);
    AT(&t, 1005, ++frame, 305, true, TCP_ACK); /* the second, at 305 s */
    CHECK_EQ_INT(log.n, 4);
    CHECK_EQ_INT(log.ids[2], 2);
    CHECK_EQ_INT(log.ids[3], 4);
    CHECK_EQ_INT(flow_table_finish(&t, frame), ST_OK);
    flow_table_free(&t);
}

static bool take_all(void *owner, struct conn *c)
{
    (void)c;
    (*(int *)owner)++;
    return true;
}

/* A connection let go leaves a tomb: its last ACK is a late packet, not a
 * new connection, until a SYN uses the pair again. 3000 pairs make the
 * tomb table grow; one IPv6 pair checks the longer addresses. */
TEST(let_go_leaves_a_tomb)
{
    int taken = 0;
    struct flow_table t;
    CHECK_EQ_INT(flow_table_init(&t, 0), ST_OK);
    t.on_finished = take_all;
    t.owner = &taken;
    uint64_t frame = 0;
    for (uint16_t port = 2000; port < 5000; port++) {
        AT(&t, port, ++frame, 1, true, TCP_SYN);
        AT(&t, port, ++frame, 1, true, TCP_FIN | TCP_ACK);
        AT(&t, port, ++frame, 1, false, TCP_FIN | TCP_ACK);
    }
    CHECK_EQ_INT(taken, 3000);
    CHECK_EQ_INT(t.n_flows, 0);
    CHECK_EQ_INT(t.tombs.n, 3000);
    for (uint16_t port = 2000; port < 5000; port++)
        AT(&t, port, ++frame, 1, true, TCP_ACK);
    CHECK_EQ_INT(t.late_packets, 3000);
    CHECK_EQ_INT(t.n_conns, 3000);
    AT(&t, 2500, ++frame, 2, true, TCP_SYN); /* the pair used again */
    CHECK_EQ_INT(t.n_conns, 3001);
    CHECK_EQ_INT(t.tombs.n, 2999);
    AT(&t, 2500, ++frame, 2, true, TCP_ACK);
    CHECK_EQ_INT(t.late_packets, 3000);

    struct packet p6 = timed(7000, ++frame, 3, true, TCP_SYN);
    p6.src = (struct addr){.family = 6, .bytes = {0x20, 1, 0xd, 0xb8, [15] = 1}};
    p6.dst = (struct addr){.family = 6, .bytes = {0x20, 1, 0xd, 0xb8, [15] = 2}};
    CHECK_EQ_INT(flow_packet(&t, &p6), ST_OK);
    p6.flags = TCP_FIN | TCP_ACK;
    p6.frame = ++frame;
    CHECK_EQ_INT(flow_packet(&t, &p6), ST_OK);
    struct packet back = p6;
    back.src = p6.dst, back.dst = p6.src, back.sport = p6.dport, back.dport = p6.sport;
    back.frame = ++frame;
    CHECK_EQ_INT(flow_packet(&t, &back), ST_OK);
    CHECK_EQ_INT(taken, 3001);
    back.flags = TCP_ACK;
    back.frame = ++frame;
    CHECK_EQ_INT(flow_packet(&t, &back), ST_OK);
    CHECK_EQ_INT(t.late_packets, 3001);
    back.dst.bytes[15] = 3; /* another IPv6 pair: a new connection */
    CHECK_EQ_INT(flow_packet(&t, &back), ST_OK);
    CHECK_EQ_INT(t.late_packets, 3001);
    CHECK_EQ_INT(t.n_conns, 3003);
    CHECK_EQ_INT(flow_table_finish(&t, frame), ST_OK);
    flow_table_free(&t);
}

/* on_stow that notes the ids it was given and takes them all. */
static bool stow_all(void *owner, struct conn *c)
{
    struct finished_log *l = owner;
    if (l->n < sizeof l->ids / sizeof l->ids[0])
        l->ids[l->n++] = c->id;
    return true;
}

static bool keep_all(void *owner, struct conn *c)
{
    (void)owner, (void)c;
    return false;
}

/* The same packets into a table that keeps one-SYN connections as embryos
 * (it has an on_stow) and one that does not: 1002 SYNs once, 1003 twice
 * (the second hatches it), then a SYN-ACK and data for 1004 (hatched by
 * the SYN-ACK), and 1005 a full connection between them. */
static void feed_embryo_run(struct flow_table *t, int *failures_)
{
    uint64_t frame = 0;
    AT(t, 1002, ++frame, 10, true, TCP_SYN);
    AT(t, 1003, ++frame, 11, true, TCP_SYN);
    AT(t, 1004, ++frame, 12, true, TCP_SYN);
    AT(t, 1005, ++frame, 12, true, TCP_SYN | TCP_ACK); /* mid-stream: no embryo */
    AT(t, 1003, ++frame, 14, true, TCP_SYN);
    AT(t, 1004, ++frame, 15, false, TCP_SYN | TCP_ACK);
    struct packet p = timed(1004, ++frame, 16, true, TCP_ACK | TCP_PSH);
    p.seq = 101;
    p.payload = (struct slice){.ptr = (const uint8_t *)"hello", .len = 5};
    p.payload_wire = 5;
    CHECK_EQ_INT(flow_packet(t, &p), ST_OK);
}

TEST(one_syn_waits_as_an_embryo)
{
    struct finished_log stowed = {0};
    struct flow_table e, full;
    CHECK_EQ_INT(flow_table_init(&e, 0), ST_OK);
    CHECK_EQ_INT(flow_table_init(&full, 0), ST_OK);
    e.on_finished = full.on_finished = keep_all;
    e.on_stow = stow_all;
    e.owner = &stowed;
    feed_embryo_run(&e, failures_);
    feed_embryo_run(&full, failures_);
    CHECK_EQ_INT(e.n_conns, 4);
    CHECK_EQ_INT(full.n_conns, 4);
    CHECK_EQ_INT(e.embryos.live, 1);   /* 1002 */
    CHECK(e.conns[0] == NULL);          /* its slot waits */
    CHECK_EQ_INT(e.n_flows, 3);
    CHECK_EQ_INT(full.n_flows, 4);
    for (size_t i = 1; i < 4; i++) {
        const struct conn *x = e.conns[i], *y = full.conns[i];
        CHECK(x != NULL && y != NULL);
        if (x == NULL || y == NULL)
            continue;
        CHECK_EQ_INT(x->id, y->id);
        CHECK_EQ_INT(x->client_port, y->client_port);
        CHECK_EQ_INT(x->first_frame, y->first_frame);
        CHECK_EQ_INT(x->last_frame, y->last_frame);
        CHECK_EQ_INT(x->start.sec, y->start.sec);
        CHECK_EQ_INT(x->end.sec, y->end.sec);
        CHECK_EQ_INT(x->mid_stream, y->mid_stream);
        CHECK_EQ_INT(x->saw_syn, y->saw_syn);
        CHECK_EQ_INT(x->side[SIDE_CLIENT].syn_count, y->side[SIDE_CLIENT].syn_count);
        CHECK_EQ_INT(x->side[SIDE_CLIENT].syn_frame, y->side[SIDE_CLIENT].syn_frame);
        CHECK_EQ_INT(x->syn_prev_ts.sec, y->syn_prev_ts.sec);
        CHECK_EQ_INT(x->syn_last_ts.sec, y->syn_last_ts.sec);
        CHECK_EQ_INT(x->side[SIDE_CLIENT].bytes, y->side[SIDE_CLIENT].bytes);
        CHECK_EQ_INT(x->side[SIDE_CLIENT].ttl_max, y->side[SIDE_CLIENT].ttl_max);
    }
    CHECK_EQ_INT(e.conns[1]->side[SIDE_CLIENT].syn_count, 2);
    CHECK_EQ_INT(e.conns[2]->side[SIDE_CLIENT].bytes, 5);
    /* the end: the embryo hatches as connection 1 and is stowed at once */
    CHECK_EQ_INT(flow_table_finish(&e, 7), ST_OK);
    CHECK_EQ_INT(stowed.n, 1);
    CHECK_EQ_INT(stowed.ids[0], 1);
    CHECK_EQ_INT(e.stowed, 1);
    CHECK_EQ_INT(e.embryos.live, 0);
    CHECK(e.conns[0] == NULL);
    flow_table_free(&e);
    flow_table_free(&full);
}

/* Two embryos in one bucket: when one hatches the other is still found
 * (the bucket's bloom is made again from those left, not cleared), a pair
 * never seen is not, and once both have hatched the bucket's bloom is
 * empty. */
TEST(embryos_sharing_a_bucket_are_each_found)
{
    struct embryos e = {0};
    struct packet a = {.frame = 1, .src = {.family = 4, .bytes = {10, 0, 0, 1}},
                       .dst = {.family = 4, .bytes = {192, 0, 2, 10}},
                       .sport = 40000, .dport = 443, .flags = TCP_SYN};
    CHECK_EQ_INT(embryos_add(&e, &a, 1), ST_OK);
    size_t mask = e.n_buckets - 1, k = endpoints_hash(&a.src, a.sport, &a.dst, a.dport) & mask;
    struct packet b = a, never = a;
    b.frame = 2;
    for (b.sport = 40001; (endpoints_hash(&b.src, b.sport, &b.dst, b.dport) & mask) != k;)
        b.sport++;
    never.sport = b.sport;
    for (never.sport++; (endpoints_hash(&never.src, never.sport, &never.dst, never.dport) & mask) != k;)
        never.sport++;
    CHECK_EQ_INT(embryos_add(&e, &b, 2), ST_OK);
    CHECK_EQ_INT(embryos_find(&e, &a), 1);
    CHECK_EQ_INT(embryos_find(&e, &b), 2);
    CHECK_EQ_INT(embryos_find(&e, &never), 0);
    struct packet syn;
    CHECK_EQ_INT(embryos_hatch(&e, 0, &syn), 1);
    CHECK_EQ_INT(syn.sport, 40000);
    CHECK_EQ_INT(embryos_find(&e, &a), 0);
    CHECK_EQ_INT(embryos_find(&e, &b), 2);   /* the other in the bucket */
    struct packet reply = b;                  /* the other direction finds it too */
    reply.src = b.dst, reply.dst = b.src, reply.sport = b.dport, reply.dport = b.sport;
    CHECK_EQ_INT(embryos_find(&e, &reply), 2);
    CHECK_EQ_INT(embryos_hatch(&e, 1, &syn), 2);
    CHECK_EQ_INT(e.bloom[k], 0);
    CHECK_EQ_INT(embryos_find(&e, &b), 0);
    embryos_free(&e);
}

/* A SYN alone for as long as an idle connection (300 s) hatches and is
 * stowed during the read, its endpoints left as a tomb; a block of embryos
 * is freed as soon as it is full and every one in it has hatched; one 299 s
 * quiet waits. */
TEST(quiet_embryos_are_stowed_during_the_read)
{
    struct finished_log stowed = {0};
    struct flow_table t;
    CHECK_EQ_INT(flow_table_init(&t, 0), ST_OK);
    t.on_finished = keep_all;
    t.on_stow = stow_all;
    t.owner = &stowed;
    uint64_t frame = 0;
    const uint16_t first = 1000, n = (uint16_t)(EMBRYO_BLOCK + 10);
    for (uint16_t k = 0; k < n; k++)
        AT(&t, (uint16_t)(first + k), ++frame, 10, true, TCP_SYN);
    AT(&t, (uint16_t)(first + n), ++frame, 101, true, TCP_SYN); /* 299 s quiet at 400 s */
    CHECK_EQ_INT(t.embryos.live, n + 1);
    CHECK_EQ_INT(t.embryos.n_blocks, 2);
    AT(&t, first, ++frame, 101, false, TCP_SYN | TCP_ACK); /* the first hatches */
    while ((frame + 1) % 4096 != 0)
        AT(&t, first, ++frame, 101, true, TCP_ACK);
    CHECK_EQ_INT(t.stowed, 0); /* the sweeps so far came at 10 s and 101 s */
    AT(&t, first, ++frame, 400, true, TCP_ACK); /* a sweep at 400 s */
    CHECK_EQ_INT(t.stowed, n - 1);
    CHECK_EQ_INT(t.embryos.live, 1);
    CHECK(embryos_at(&t.embryos, 0) == NULL);              /* full, all hatched: freed */
    CHECK(embryos_at(&t.embryos, EMBRYO_BLOCK) != NULL);   /* still being filled */
    CHECK(t.conns[1] == NULL && t.conns[n - 1] == NULL);   /* stowed */
    CHECK(t.conns[0] != NULL);
    /* the peer of a stowed one answers late: a late packet; a new SYN from
     * another of them: a new connection */
    size_t conns = t.n_conns;
    AT(&t, (uint16_t)(first + 5), ++frame, 401, false, TCP_SYN | TCP_ACK);
    CHECK_EQ_INT(t.late_packets, 1);
    CHECK_EQ_INT(t.n_conns, conns);
    AT(&t, (uint16_t)(first + 6), ++frame, 401, true, TCP_SYN);
    CHECK_EQ_INT(t.n_conns, conns + 1);
    CHECK_EQ_INT(flow_table_finish(&t, frame), ST_OK);
    CHECK_EQ_INT(t.embryos.live, 0);
    CHECK_EQ_INT(t.stowed, n + 1); /* the 299 s one and the new SYN, at the end */
    flow_table_free(&t);
}

TEST_MAIN("flow", TEST_ENTRY(sink_gets_each_side_in_order), TEST_ENTRY(sink_told_of_gaps),
          TEST_ENTRY(roles_from_the_opener), TEST_ENTRY(no_sink_tcp_facts_only),
          TEST_ENTRY(sweep_finishes_what_is_due), TEST_ENTRY(let_go_leaves_a_tomb),
          TEST_ENTRY(one_syn_waits_as_an_embryo),
          TEST_ENTRY(quiet_embryos_are_stowed_during_the_read),
          TEST_ENTRY(embryos_sharing_a_bucket_are_each_found))
