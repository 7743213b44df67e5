/* flow.c: the connection table (see flow.h). Who is the client: the side
 * that sent the SYN; when the capture starts later, the side that sent the
 * ClientHello; failing both, the side not on the lower, well-known port. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tcp/classify.h"
#include "tcp/endpoints.h"
#include "tcp/flow.h"
#include "tcp/reassembly.h"

enum role { ROLE_UNKNOWN = -1, ROLE_A_SERVER = 0, ROLE_A_CLIENT = 1 };

/* One endpoint's sequence space as the capture saw it: enough to tell a
 * retransmission from new data and what the peer acknowledged. */
#define TRACK_RECENT 4   /* small: it rides on every flow, SYN floods included */
struct seq_track {
    bool isn_known, have_end, have_ack;
    uint32_t isn;              /* its SYN's sequence number */
    uint32_t first_seq;        /* its first payload byte seen */
    uint32_t max_end;          /* one past the highest byte it sent */
    uint32_t max_ack;          /* the highest ACK it sent (about the peer's bytes) */
    struct {
        uint32_t seq, end;
        uint64_t frame;
        struct tstamp ts;
    } recent[TRACK_RECENT];    /* its latest new segments: the first sending of a retransmission */
    uint8_t n_recent, next_recent;
};

/* A place in one of the table's queues (struct flow_queue). */
struct flow_link {
    struct flow *prev, *next;
    bool queued;
};

struct flow {
    struct flow *hnext;
    struct flow_link idle;     /* in flow_table.idle_queue while unfinished */
    struct flow_link reset;    /* in flow_table.reset_queue once reset, while unfinished */
    struct flow_link held;     /* in flow_table.held_queue: finished, the owner kept it */
    struct addr a, b;          /* a sent the first packet we saw */
    uint16_t aport, bport;
    int role;                  /* enum role */
    bool role_by_port;         /* guessed from port numbers: may be revised */
    struct conn *conn;
    const struct stream_sink *sink; /* the table's: what parses the payload */
    struct reasm rs[2];        /* by endpoint: 0 = from a, 1 = from b */
    bool fin[2], rst;
    bool released;             /* streams flushed and buffers freed */
    bool finished;             /* handed to the owner once (flow_table.on_finished) */
    struct classify_flow *cf;  /* nDPI state while a stream that is not TLS is named */
    uint8_t cls_packets;
    bool cls_done;
    uint32_t syn_seq;
    struct seq_track tr[2];    /* by endpoint: what TCP shows of loss */
    max_align_t parser[];      /* flow_table.sink's state, sink.state_size bytes */
};

static uint64_t hash_endpoints(const struct addr *x, uint16_t xp, const struct addr *y,
                               uint16_t yp)
{
    return endpoints_hash(x, xp, y, yp);
}

/* The sweep's queues: the unfinished flows in the order of their last
 * packet (the oldest is the first to go idle) and the reset ones in the
 * order their time of reset was set (the earliest is the first whose grace
 * ends). A sweep looks at the heads only, so its cost is what it finishes,
 * not the size of the table. */
static struct flow_link *link_of(struct flow *f, const struct flow_queue *q)
{
    return (struct flow_link *)((char *)f + q->link_offset);
}

static void queue_remove(struct flow_queue *q, struct flow *f)
{
    struct flow_link *l = link_of(f, q);
    if (!l->queued)
        return;
    if (l->prev != NULL)
        link_of(l->prev, q)->next = l->next;
    else
        q->head = l->next;
    if (l->next != NULL)
        link_of(l->next, q)->prev = l->prev;
    else
        q->tail = l->prev;
    *l = (struct flow_link){0};
}

static void queue_to_tail(struct flow_queue *q, struct flow *f)
{
    struct flow_link *l = link_of(f, q);
    if (l->queued && q->tail == f)
        return;
    queue_remove(q, f);
    l->prev = q->tail;
    l->queued = true;
    if (q->tail != NULL)
        link_of(q->tail, q)->next = f;
    else
        q->head = f;
    q->tail = f;
}

static void dequeue(struct flow_table *t, struct flow *f)
{
    queue_remove(&t->idle_queue, f);
    queue_remove(&t->reset_queue, f);
    queue_remove(&t->held_queue, f);
}

enum status flow_table_init(struct flow_table *t, size_t max_conns)
{
    memset(t, 0, sizeof *t);
    t->n_buckets = 4096;
    t->buckets = calloc(t->n_buckets, sizeof *t->buckets);
    ENSURE(t->buckets != NULL, ST_NOMEM);
    t->max_conns = max_conns ? max_conns : FLOW_DEFAULT_MAX_CONNS;
    t->idle_queue.link_offset = offsetof(struct flow, idle);
    t->reset_queue.link_offset = offsetof(struct flow, reset);
    t->held_queue.link_offset = offsetof(struct flow, held);
    return ST_OK;
}

static enum status grow_buckets(struct flow_table *t)
{
    size_t n = t->n_buckets * 2;
    struct flow **nb = calloc(n, sizeof *nb);
    ENSURE(nb != NULL, ST_NOMEM);
    for (size_t i = 0; i < t->n_buckets; i++) {
        struct flow *f = t->buckets[i];
        while (f != NULL) {
            struct flow *next = f->hnext;
            size_t k = hash_endpoints(&f->a, f->aport, &f->b, f->bport) & (n - 1);
            f->hnext = nb[k];
            nb[k] = f;
            f = next;
        }
    }
    free(t->buckets);
    t->buckets = nb;
    t->n_buckets = n;
    return ST_OK;
}

/* Which endpoint of f sent p: 0 for a, 1 for b, -1 for another flow. */
static int endpoint_of(const struct flow *f, const struct packet *p)
{
    if (p->sport == f->aport && p->dport == f->bport && addr_equal(&p->src, &f->a) &&
        addr_equal(&p->dst, &f->b))
        return 0;
    if (p->sport == f->bport && p->dport == f->aport && addr_equal(&p->src, &f->b) &&
        addr_equal(&p->dst, &f->a))
        return 1;
    return -1;
}

static enum side side_of(const struct flow *f, int ep)
{
    if (f->role == ROLE_UNKNOWN)
        return (enum side)ep; /* provisional: swapped once the roles are known */
    bool a_client = f->role == ROLE_A_CLIENT;
    return (ep == 0) == a_client ? SIDE_CLIENT : SIDE_SERVER;
}

static void set_role(struct flow *f, int client_ep)
{
    if (f->role != ROLE_UNKNOWN)
        return;
    struct conn *c = f->conn;
    f->role = client_ep == 0 ? ROLE_A_CLIENT : ROLE_A_SERVER;
    if (client_ep == 1) {
        /* facts so far were filed with a as the client: swap them */
        struct side_facts tmp = c->side[0];
        c->side[0] = c->side[1];
        c->side[1] = tmp;
    }
    c->client = client_ep == 0 ? f->a : f->b;
    c->client_port = client_ep == 0 ? f->aport : f->bport;
    c->server = client_ep == 0 ? f->b : f->a;
    c->server_port = client_ep == 0 ? f->bport : f->aport;
}

static bool well_known_tls_port(uint16_t port)
{
    static const uint16_t ports[] = {443, 465, 563, 636, 853, 989, 990, 992, 993, 994, 995,
                                     3269, 4433, 5061, 5223, 5986, 6697, 8443, 8883, 9443};
    for (size_t i = 0; i < sizeof ports / sizeof ports[0]; i++)
        if (ports[i] == port)
            return true;
    return false;
}

/* Who the sink says sends a stream that starts with p. */
static enum stream_opener opener(const struct stream_sink *k, const uint8_t *p, size_t n,
                                 bool loose)
{
    return k->opener != NULL ? k->opener(p, n, loose) : STREAM_OPENER_UNKNOWN;
}

/* The first payload decides the roles when no SYN did. */
static void guess_role(const struct stream_sink *k, struct flow *f, int ep, const uint8_t *p,
                       size_t n)
{
    enum stream_opener hello = opener(k, p, n, true);
    if (hello == STREAM_OPENER_CLIENT) {
        set_role(f, ep);
        f->conn->roles_from_hello = true;
        return;
    }
    if (hello == STREAM_OPENER_SERVER) {
        set_role(f, 1 - ep);
        f->conn->roles_from_hello = true;
        return;
    }
    uint16_t mine = ep == 0 ? f->aport : f->bport, other = ep == 0 ? f->bport : f->aport;
    bool mine_server = well_known_tls_port(mine) ||
                       (!well_known_tls_port(other) && mine < other);
    set_role(f, mine_server ? 1 - ep : ep);
    f->role_by_port = true;
}

/* Roles guessed from port numbers were wrong: the "server" sends a
 * ClientHello before any TLS was seen. Everything filed so far changes side. */
static void swap_roles(const struct stream_sink *k, struct flow *f)
{
    struct conn *c = f->conn;
    struct side_facts tmp = c->side[0];
    c->side[0] = c->side[1];
    c->side[1] = tmp;
    if (k->swap_sides != NULL)
        k->swap_sides(f->parser);
    struct addr a = c->client;
    uint16_t port = c->client_port;
    c->client = c->server;
    c->client_port = c->server_port;
    c->server = a;
    c->server_port = port;
    f->role = f->role == ROLE_A_CLIENT ? ROLE_A_SERVER : ROLE_A_CLIENT;
    f->role_by_port = false;
    c->roles_from_hello = true;
}

static void on_data(void *ctx, int ep, const uint8_t *p, size_t n, uint64_t frame,
                    struct tstamp ts)
{
    struct flow *f = ctx;
    if (f->role == ROLE_UNKNOWN)
        guess_role(f->sink, f, ep, p, n);
    else if (f->role_by_port && side_of(f, ep) == SIDE_SERVER &&
             opener(f->sink, p, n, false) == STREAM_OPENER_CLIENT &&
             !f->conn->ch->present && !f->conn->sh.present)
        swap_roles(f->sink, f);
    enum side s = side_of(f, ep);
    struct side_facts *sf = &f->conn->side[s];
    if (sf->bytes == 0) {
        sf->first_data_frame = frame;
        sf->first_data_ts = ts;
    }
    sf->bytes += n;
    if (f->sink->data != NULL)
        f->sink->data(f->parser, f->conn, s, p, n, frame, ts);
}

static void on_gap(void *ctx, int ep, uint64_t missing, uint64_t frame)
{
    struct flow *f = ctx;
    if (f->sink->gap != NULL)
        f->sink->gap(f->parser, f->conn, side_of(f, ep), missing, frame);
}

static struct reasm_sink sink_for(struct flow *f, int ep)
{
    return (struct reasm_sink){.data = on_data, .gap = on_gap, .ctx = f, .dir = ep};
}

static void name_protocol(struct conn *c, const char *name)
{
    /* a guess of "TLS" by port number for bytes that are not TLS says nothing */
    if (name != NULL && strcmp(name, "TLS") != 0 && c->app_protocol[0] == '\0')
        snprintf(c->app_protocol, sizeof c->app_protocol, "%s", name);
}

/* A stream that is not TLS: nDPI names what it is from its first packets. */
static void classify(struct flow_table *t, struct flow *f, const struct packet *p)
{
    if (t->classifier == NULL && classifier_new(&t->classifier) != ST_OK) {
        f->cls_done = true;
        return;
    }
    uint64_t ms = (uint64_t)p->ts.sec * 1000 + p->ts.nsec / 1000000;
    const char *name = classify_packet(t->classifier, &f->cf, p->ip.ptr, p->ip.len, ms);
    if (name != NULL || ++f->cls_packets >= CLASSIFY_MAX_PACKETS) {
        const char *guess = classify_finish(t->classifier, &f->cf);
        name_protocol(f->conn, name ? name : guess);
        f->cls_done = true;
    }
}

/* Sequence numbers compare modulo 2^32 (RFC 9293 3.4). */
static bool seq_after(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) > 0;
}

/* More unseen bytes than a window can hold is no loss but a sequence
 * number from elsewhere (a reset answering a stray segment). */
#define UNSEEN_MAX (1u << 20)

/* Retransmissions, duplicate ACKs and SACK blocks of the segment p from ep. */
static void track_loss(struct flow *f, int ep, const struct packet *p)
{
    struct seq_track *me = &f->tr[ep], *peer = &f->tr[1 - ep];
    struct side_facts *sf = &f->conn->side[side_of(f, ep)];
    if (sf->ttl_max == 0 || p->ttl < sf->ttl_min)
        sf->ttl_min = p->ttl;
    if (p->ttl > sf->ttl_max)
        sf->ttl_max = p->ttl;
    if (p->flags & TCP_SYN) {
        me->isn = p->seq;
        me->isn_known = true;
    }
    uint32_t seq = p->seq + ((p->flags & TCP_SYN) ? 1 : 0);
    /* A FIN or RST carries the next sequence number its sender would use
     * (RFC 9293 3.4): beyond the bytes seen, and beyond what the peer
     * acknowledged, it counts bytes lost before reaching the capture. */
    if ((p->flags & (TCP_FIN | TCP_RST)) && (p->flags & TCP_ACK) && sf->unseen_frame == 0 &&
        (me->have_end || me->isn_known)) {
        uint32_t top = me->have_end ? me->max_end : me->isn + 1;
        bool peer_acked = peer->have_ack && seq_after(peer->max_ack, top);
        if (seq_after(p->seq, top) && p->seq - top < UNSEEN_MAX && !peer_acked) {
            sf->unseen_sent = p->seq - top;
            sf->unseen_frame = p->frame;
        }
    }
    if (p->payload_wire > 0 && !(p->flags & TCP_RST)) {
        uint32_t end = seq + p->payload_wire;
        if (me->have_end && !seq_after(end, me->max_end)) {
            /* nothing new: sent again (RFC 9293 3.10.7.4 retransmission queue) */
            if (sf->retransmits == 0) {
                for (uint8_t i = 0; i < me->n_recent; i++)
                    if (!seq_after(me->recent[i].seq, seq) && seq_after(me->recent[i].end, seq)) {
                        sf->lost_first_frame = me->recent[i].frame;
                        sf->lost_first_ts = me->recent[i].ts;
                    }
            }
            if (sf->retransmits < 8) {
                sf->retx_frames[sf->retransmits] = p->frame;
                sf->retx_ts[sf->retransmits] = p->ts;
            }
            sf->retransmits++;
        } else {
            if (!me->have_end)
                me->first_seq = seq;
            me->max_end = end;
            me->have_end = true;
            me->recent[me->next_recent].seq = seq;
            me->recent[me->next_recent].end = end;
            me->recent[me->next_recent].frame = p->frame;
            me->recent[me->next_recent].ts = p->ts;
            me->next_recent = (uint8_t)((me->next_recent + 1) % TRACK_RECENT);
            if (me->n_recent < TRACK_RECENT)
                me->n_recent++;
        }
    }
    if (!(p->flags & TCP_ACK) || (p->flags & TCP_SYN))
        return;
    /* RFC 5681 2: an ACK that carries nothing and acknowledges nothing new
     * while data is outstanding */
    if (me->have_ack && p->ack == me->max_ack && p->payload_wire == 0 &&
        !(p->flags & (TCP_FIN | TCP_RST)) && peer->have_end && seq_after(peer->max_end, p->ack))
        sf->dup_acks++;
    if (!me->have_ack || seq_after(p->ack, me->max_ack)) {
        me->max_ack = p->ack;
        me->have_ack = true;
    }
    if (p->n_sack > 0) {
        if (sf->sacks++ == 0) {
            uint32_t base = peer->isn_known ? peer->isn + 1 : peer->first_seq;
            sf->sack_frame = p->frame;
            sf->sack_left = p->sack[0].left - base;
            sf->sack_right = p->sack[0].right - base;
        }
    }
}

/* At the end of a connection: what each side sent that its peer never
 * acknowledged, and what the peer acknowledged that the capture never saw. */
static void settle_acks(struct flow *f)
{
    for (int ep = 0; ep < 2; ep++) {
        const struct seq_track *me = &f->tr[ep], *peer = &f->tr[1 - ep];
        struct side_facts *sf = &f->conn->side[side_of(f, ep)];
        if (!me->have_end)
            continue;
        uint32_t start = me->isn_known ? me->isn + 1 : me->first_seq;
        uint32_t acked = peer->have_ack ? peer->max_ack : start;
        if (seq_after(start, acked))
            acked = start;
        sf->unacked_bytes = seq_after(me->max_end, acked) ? me->max_end - acked : 0;
        /* a FIN takes one sequence number */
        uint32_t top = me->max_end + (f->fin[ep] ? 1 : 0);
        sf->acked_unseen = peer->have_ack && seq_after(peer->max_ack, top)
                               ? peer->max_ack - top : 0;
    }
}

/* Flushes what waits in both directions and frees the buffers; the facts stay. */
static void release(struct flow_table *t, struct flow *f, uint64_t frame)
{
    if (f->cf != NULL && t->classifier != NULL && f->conn != NULL)
        name_protocol(f->conn, classify_finish(t->classifier, &f->cf));
    if (f->released || f->conn == NULL)
        return;
    settle_acks(f);
    for (int ep = 0; ep < 2; ep++) {
        struct reasm_sink s = sink_for(f, ep);
        reasm_flush(&f->rs[ep], frame, &s);
        reasm_free(&f->rs[ep]);
    }
    if (f->sink->release != NULL)
        f->sink->release(f->parser);
    f->released = true;
}

/* The connection is over: its owner may report and free it now. True
 * when it did: the flow has no connection any more. */
static bool finish_conn(struct flow_table *t, struct flow *f)
{
    struct conn *c = f->conn;
    dequeue(t, f);
    if (c == NULL || t->on_finished == NULL || f->finished)
        return false;
    f->finished = true;
    if (f->role == ROLE_UNKNOWN)
        guess_role(&t->sink, f, 0, NULL, 0);
    if (!t->on_finished(t->owner, c)) {
        if (t->on_stow != NULL)
            queue_to_tail(&t->held_queue, f);
        return false;
    }
    t->conns[c->id - 1] = NULL;
    conn_free(c);
    f->conn = NULL;
    t->let_go++;
    return true;
}

static void unlink_flow(struct flow_table *t, struct flow *f);

/* A flow whose connection was let go (released already) leaves only its
 * endpoints behind, for the packets that still come. Without the memory
 * for that, the flow stays: nothing is lost but the bytes. */
static void bury(struct flow_table *t, struct flow *f)
{
    if (tombs_add(&t->tombs, &f->a, f->aport, &f->b, f->bport) != ST_OK)
        return;
    dequeue(t, f);
    unlink_flow(t, f);
    free(f);
}

/* The flow is over (finish_conn); when the owner took the connection, the
 * flow goes too. */
static void finish_flow(struct flow_table *t, struct flow *f)
{
    if (finish_conn(t, f))
        bury(t, f);
}

static void close_state(struct flow *f)
{
    f->conn->open_at_end = !f->rst && !(f->fin[0] && f->fin[1]);
}

/* A finished connection the owner kept, quiet as long as an idle one: it
 * is stowed away (flow_table.on_stow), leaving what flow_table_finish
 * would have given it: how it was closed, and its client's reset for the
 * bursts. Packets that still come are late ones, as for a connection let
 * go. When it cannot be stowed it stays, out of the queue. */
static void stow(struct flow_table *t, struct flow *f)
{
    struct conn *c = f->conn;
    queue_remove(&t->held_queue, f);
    close_state(f);
    if (c->side[SIDE_CLIENT].rst_frame != 0) {
        if (t->n_stowed_resets == t->cap_stowed_resets) {
            size_t n = t->cap_stowed_resets ? t->cap_stowed_resets * 2 : 64;
            struct reset_note *grown = realloc(t->stowed_resets, n * sizeof *grown);
            if (grown == NULL)
                return;
            t->stowed_resets = grown;
            t->cap_stowed_resets = n;
        }
        t->stowed_resets[t->n_stowed_resets] = (struct reset_note){
            .client = c->client,
            .ts = c->side[SIDE_CLIENT].rst_ts,
            .frame = c->side[SIDE_CLIENT].rst_frame,
            .id = c->id};
    }
    if (!t->on_stow(t->owner, c))
        return;
    if (c->side[SIDE_CLIENT].rst_frame != 0)
        t->n_stowed_resets++;
    t->conns[c->id - 1] = NULL;
    conn_free(c);
    f->conn = NULL;
    t->stowed++;
    bury(t, f);
}

/* Reset connections (after a moment for the peer's data in flight) and idle
 * ones are over too; checked now and then, not at every packet. */
#define SWEEP_EVERY_PACKETS 4096
#define RESET_GRACE_SECONDS 2
#define IDLE_SECONDS 300

static int64_t last_reset_sec(const struct conn *c)
{
    return c->side[0].rst_ts.sec > c->side[1].rst_ts.sec ? c->side[0].rst_ts.sec
                                                         : c->side[1].rst_ts.sec;
}

static enum status stow_embryo(struct flow_table *t, size_t i, uint64_t last_frame, bool tomb);

static enum status sweep(struct flow_table *t, struct tstamp now)
{
    struct flow *f;
    while ((f = t->reset_queue.head) != NULL &&
           now.sec - last_reset_sec(f->conn) > RESET_GRACE_SECONDS) {
        release(t, f, f->conn->last_frame);
        finish_flow(t, f);
    }
    while ((f = t->idle_queue.head) != NULL && now.sec - f->conn->end.sec > IDLE_SECONDS) {
        release(t, f, f->conn->last_frame);
        finish_flow(t, f);
    }
    while ((f = t->held_queue.head) != NULL && now.sec - f->conn->end.sec > IDLE_SECONDS)
        stow(t, f);
    /* embryos come in capture order: the oldest first */
    size_t i;
    struct embryo *x;
    while ((i = embryos_oldest(&t->embryos)) < t->embryos.n &&
           (x = embryos_at(&t->embryos, i)) != NULL && now.sec - x->sec > IDLE_SECONDS)
        TRY(stow_embryo(t, i, x->frame, true));
    return ST_OK;
}

static enum status add_conn(struct flow_table *t, struct conn *c)
{
    if (t->n_conns == t->cap_conns) {
        size_t n = t->cap_conns ? t->cap_conns * 2 : 256;
        struct conn **grown = realloc(t->conns, n * sizeof *grown);
        ENSURE(grown != NULL, ST_NOMEM);
        t->conns = grown;
        t->cap_conns = n;
    }
    t->conns[t->n_conns++] = c;
    return ST_OK;
}

enum status flow_table_add_conn(struct flow_table *t, struct conn *c)
{
    return add_conn(t, c);
}

/* A new flow for p's endpoints, its connection numbered next, or numbered
 * id when it hatches from an embryo (its slot waits in conns). */
static enum status new_flow(struct flow_table *t, const struct packet *p, uint32_t id,
                            struct flow **out)
{
    *out = NULL;
    if (id == 0 && t->n_conns >= t->max_conns) {
        bool client_syn = (p->flags & (TCP_SYN | TCP_ACK)) == TCP_SYN;
        left_out_packet(&t->left_out, hash_endpoints(&p->src, p->sport, &p->dst, p->dport),
                        client_syn, p->seq);
        return ST_OK;
    }
    if (t->n_flows >= t->n_buckets)
        TRY(grow_buckets(t));
    /* the parser's state rides at the end of the flow, in whole max_align_t */
    size_t words = (t->sink.state_size + sizeof(max_align_t) - 1) / sizeof(max_align_t);
    struct flow *f = calloc(1, sizeof *f + words * sizeof(max_align_t));
    ENSURE(f != NULL, ST_NOMEM);
    f->conn = conn_new(id != 0 ? id : (uint32_t)t->n_conns + 1);
    if (f->conn == NULL) {
        free(f);
        return ST_NOMEM;
    }
    enum status st = ST_OK;
    if (id != 0)
        t->conns[id - 1] = f->conn;
    else
        st = add_conn(t, f->conn);
    if (st != ST_OK) {
        conn_free(f->conn);
        free(f);
        return st;
    }
    f->a = p->src;
    f->b = p->dst;
    f->aport = p->sport;
    f->bport = p->dport;
    f->role = ROLE_UNKNOWN;
    f->sink = &t->sink;
    if (t->sink.init != NULL)
        t->sink.init(f->parser, t->sink.cfg);
    struct conn *c = f->conn;
    c->client = p->src;
    c->client_port = p->sport;
    c->server = p->dst;
    c->server_port = p->dport;
    c->first_frame = p->frame;
    c->start = p->ts;
    c->mid_stream = !((p->flags & TCP_SYN) && !(p->flags & TCP_ACK));
    size_t k = hash_endpoints(&f->a, f->aport, &f->b, f->bport) & (t->n_buckets - 1);
    f->hnext = t->buckets[k];
    t->buckets[k] = f;
    t->n_flows++;
    *out = f;
    return ST_OK;
}

static struct flow *find_flow(struct flow_table *t, const struct packet *p, int *ep)
{
    size_t k = hash_endpoints(&p->src, p->sport, &p->dst, p->dport) & (t->n_buckets - 1);
    for (struct flow *f = t->buckets[k]; f != NULL; f = f->hnext) {
        *ep = endpoint_of(f, p);
        if (*ep >= 0)
            return f;
    }
    return NULL;
}

/* A SYN on a known 4-tuple is a new connection when the old one ended or
 * used another initial sequence number (port reuse). */
static bool client_syn(const struct packet *p)
{
    return (p->flags & TCP_SYN) && !(p->flags & TCP_ACK);
}

static bool starts_new_connection(const struct flow *f, const struct packet *p)
{
    if (!client_syn(p))
        return false;
    const struct conn *c = f->conn;
    if (c == NULL)
        return true; /* the last one was let go (and no tomb could be made) */
    if (f->rst || (f->fin[0] && f->fin[1]))
        return true;
    return c->side[SIDE_CLIENT].syn_count > 0 && p->seq != f->syn_seq &&
           (c->side[0].bytes > 0 || c->side[1].bytes > 0 || f->fin[0] || f->fin[1]);
}

static void unlink_flow(struct flow_table *t, struct flow *f)
{
    size_t k = hash_endpoints(&f->a, f->aport, &f->b, f->bport) & (t->n_buckets - 1);
    for (struct flow **at = &t->buckets[k]; *at != NULL; at = &(*at)->hnext) {
        if (*at == f) {
            *at = f->hnext;
            t->n_flows--;
            return;
        }
    }
}

/* How many sides have sent a reset: the sweep counts from the later one. */
static int sides_reset(const struct conn *c)
{
    return (c->side[0].rst_frame != 0) + (c->side[1].rst_frame != 0);
}

static void tcp_events(struct flow *f, int ep, const struct packet *p)
{
    struct conn *c = f->conn;
    if ((p->flags & TCP_SYN) && !(p->flags & TCP_ACK)) {
        set_role(f, ep);
        struct side_facts *sf = &c->side[SIDE_CLIENT];
        if (sf->syn_count++ == 0) {
            sf->syn_frame = p->frame;
            c->syn_ts = p->ts;
            f->syn_seq = p->seq;
            c->syn_last_ts = p->ts;
        }
        c->syn_prev_ts = c->syn_last_ts;
        c->syn_last_ts = p->ts;
        c->saw_syn = true;
        reasm_start_syn(&f->rs[ep], p->seq);
    } else if ((p->flags & TCP_SYN) && (p->flags & TCP_ACK)) {
        set_role(f, 1 - ep);
        if (!c->saw_synack) {
            c->saw_synack = true;
            c->synack_frame = p->frame;
            c->synack_ts = p->ts;
        }
        c->side[SIDE_SERVER].syn_count++;
        reasm_start_syn(&f->rs[ep], p->seq);
    }
    struct side_facts *sf = &c->side[side_of(f, ep)];
    if ((p->flags & TCP_FIN) && sf->fin_frame == 0) {
        sf->fin_frame = p->frame;
        sf->fin_ts = p->ts;
    }
    if ((p->flags & TCP_RST) && sf->rst_frame == 0) {
        sf->rst_frame = p->frame;
        sf->rst_ts = p->ts;
    }
    if (p->cut)
        sf->cut_segments++;
    sf->last_frame = p->frame;
}

/* A client's SYN that may wait as an embryo: nothing else of its pair
 * seen, no payload, and an owner that stows connections (one that keeps
 * every connection in memory gets flows from the first packet). */
static bool embryo_syn(const struct flow_table *t, const struct packet *p)
{
    return t->on_stow != NULL && client_syn(p) && p->payload_wire == 0 &&
           !(p->flags & (TCP_FIN | TCP_RST)) && t->n_conns < t->max_conns;
}

static enum status packet_in(struct flow_table *t, const struct packet *p, uint32_t id);

/* An embryo's pair sent a second packet: its SYN goes through as it would
 * have when it came, into a flow numbered as the embryo was. */
static enum status hatch(struct flow_table *t, size_t i)
{
    struct packet syn;
    uint32_t id = embryos_hatch(&t->embryos, i, &syn);
    return id != 0 ? packet_in(t, &syn, id) : ST_OK;
}

enum status flow_packet(struct flow_table *t, const struct packet *p)
{
    if (tstamp_ms_between(t->last_ts, p->ts) > 0)
        t->last_ts = p->ts;
    if (++t->packets % SWEEP_EVERY_PACKETS == 0)
        TRY(sweep(t, p->ts));
    return packet_in(t, p, 0);
}

/* One packet into the table; id: the number its new connection takes (an
 * embryo hatching), 0 for the next. */
static enum status packet_in(struct flow_table *t, const struct packet *p, uint32_t id)
{
    int ep = -1;
    struct flow *f = find_flow(t, p, &ep);
    if (f == NULL && t->embryos.live > 0) {
        size_t at = embryos_find(&t->embryos, p);
        if (at != 0) {
            TRY(hatch(t, at - 1));
            f = find_flow(t, p, &ep);
        }
    }
    if (f != NULL && starts_new_connection(f, p)) {
        release(t, f, p->frame);
        (void)finish_conn(t, f);
        dequeue(t, f);
        unlink_flow(t, f);
        free(f);
        f = NULL;
    } else if (f == NULL && tombs_find(&t->tombs, p)) {
        if (!client_syn(p)) {
            t->late_packets++; /* its connection was reported and let go */
            return ST_OK;
        }
        tombs_remove(&t->tombs, p); /* the pair is used again */
    }
    if (f != NULL && f->conn == NULL) {
        t->late_packets++;
        return ST_OK;
    }
    if (f == NULL && id == 0 && embryo_syn(t, p)) {
        /* its slot first, empty until it hatches: an embryo's id always
         * has one */
        TRY(add_conn(t, NULL));
        return embryos_add(&t->embryos, p, (uint32_t)t->n_conns);
    }
    if (f == NULL) {
        TRY(new_flow(t, p, id, &f));
        if (f == NULL) {
            t->dropped_packets++;
            return ST_OK;
        }
        ep = 0;
    }
    struct conn *c = f->conn;
    c->last_frame = p->frame;
    c->end = p->ts;
    if (!f->finished)
        queue_to_tail(&t->idle_queue, f);
    else if (link_of(f, &t->held_queue)->queued)
        queue_to_tail(&t->held_queue, f);
    int resets_before = sides_reset(c);
    tcp_events(f, ep, p);
    track_loss(f, ep, p);
    if (f->released)
        return ST_OK;
    uint32_t seq = p->seq + ((p->flags & TCP_SYN) ? 1 : 0);
    if (p->payload_wire > 0 && !(p->flags & TCP_RST)) {
        struct reasm_sink s = sink_for(f, ep);
        TRY(reasm_segment(&f->rs[ep], seq, p->payload.ptr, p->payload.len, p->payload_wire,
                          p->frame, p->ts, &s));
        if (!f->cls_done && (c->side[0].not_tls || c->side[1].not_tls) && !c->ch->present &&
            !c->sh.present)
            classify(t, f, p);
    }
    if (p->flags & TCP_ACK) {
        /* Several SYN-ACKs with other ISNs (a retrying middlebox): the
         * client's ACK says which one the connection uses. */
        if (!(p->flags & TCP_SYN) && side_of(f, ep) == SIDE_CLIENT &&
            c->side[SIDE_SERVER].syn_count > 1)
            reasm_rebase(&f->rs[1 - ep], p->ack - 1);
        struct reasm_sink s = sink_for(f, 1 - ep);
        TRY(reasm_acked(&f->rs[1 - ep], p->ack, p->frame, &s));
    }
    if (p->flags & TCP_FIN)
        f->fin[ep] = true;
    if (p->flags & TCP_RST) {
        f->rst = true;
        /* a side's first reset moves the time the grace is counted from */
        if (sides_reset(c) > resets_before && !f->finished)
            queue_to_tail(&t->reset_queue, f);
    }
    /* Once both sides have closed nothing more can arrive that matters. A
     * reset is not that: the peer's data already on the way is still
     * captured after it, so its buffers go at the end of the capture. */
    if (f->fin[0] && f->fin[1]) {
        release(t, f, p->frame);
        finish_flow(t, f);
    }
    return ST_OK;
}

/* Resets from one client this close together are one event on the client
 * (an app shutting down, a network change), not one decision per
 * connection; three make a burst. */
#define BURST_WINDOW_MS 5.0
#define BURST_MIN_CONNS 3

static int by_client_reset(const void *a, const void *b)
{
    const struct reset_note *x = a, *y = b;
    if (x->client.family != y->client.family)
        return x->client.family < y->client.family ? -1 : 1;
    int d = memcmp(x->client.bytes, y->client.bytes, sizeof x->client.bytes);
    if (d != 0)
        return d;
    double ms = tstamp_ms_between(y->ts, x->ts);
    return ms < 0 ? -1 : ms > 0 ? 1 : 0;
}

static int by_id(const void *a, const void *b)
{
    const struct reset_note *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

static void mark_burst(struct reset_note *v, size_t from, size_t to)
{
    for (size_t k = from; k < to; k++) {
        v[k].burst = (uint32_t)(to - from);
        v[k].first_frame = v[from].frame;
        v[k].first_ts = v[from].ts;
        v[k].last_frame = v[to - 1].frame;
        v[k].last_ts = v[to - 1].ts;
    }
}

static void burst_to_conn(const struct reset_note *r, struct conn *c)
{
    if (r->burst == 0)
        return;
    c->reset_burst = r->burst;
    c->burst_first_frame = r->first_frame;
    c->burst_first_ts = r->first_ts;
    c->burst_last_frame = r->last_frame;
    c->burst_last_ts = r->last_ts;
}

/* The connections held (in memory or stowed) that the client reset,
 * grouped by client and time: a group within BURST_WINDOW_MS of its first
 * reset is a burst. Frame numbers, not times, order resets the capture
 * shows at the same instant. */
static void find_reset_bursts(struct flow_table *t)
{
    size_t n = t->n_stowed_resets;
    for (size_t i = 0; i < t->n_conns; i++)
        if (t->conns[i] != NULL && t->conns[i]->side[SIDE_CLIENT].rst_frame != 0)
            n++;
    if (n < BURST_MIN_CONNS)
        return;
    /* without memory the fact is just not found: the analysis goes on */
    struct reset_note *v = malloc(n * sizeof *v);
    if (v == NULL)
        return;
    if (t->n_stowed_resets > 0)
        memcpy(v, t->stowed_resets, t->n_stowed_resets * sizeof *v);
    n = t->n_stowed_resets;
    for (size_t i = 0; i < t->n_conns; i++) {
        struct conn *c = t->conns[i];
        if (c != NULL && c->side[SIDE_CLIENT].rst_frame != 0)
            v[n++] = (struct reset_note){.client = c->client,
                                         .ts = c->side[SIDE_CLIENT].rst_ts,
                                         .frame = c->side[SIDE_CLIENT].rst_frame,
                                         .id = c->id,
                                         .c = c};
    }
    /* in id order first, so that resets at the same instant sort as before */
    qsort(v, n, sizeof *v, by_id);
    qsort(v, n, sizeof *v, by_client_reset);
    size_t start = 0;
    for (size_t k = 1; k <= n; k++) {
        bool same = k < n && addr_equal(&v[k].client, &v[start].client) &&
                    tstamp_ms_between(v[start].ts, v[k].ts) <= BURST_WINDOW_MS;
        if (same)
            continue;
        if (k - start >= BURST_MIN_CONNS)
            mark_burst(v, start, k);
        start = k;
    }
    size_t kept = 0;
    for (size_t k = 0; k < n; k++) {
        if (v[k].c != NULL)
            burst_to_conn(&v[k], v[k].c);
        else
            t->stowed_resets[kept++] = v[k];
    }
    if (kept > 0)
        qsort(t->stowed_resets, kept, sizeof *t->stowed_resets, by_id);
    free(v);
}

void flow_table_restore(const struct flow_table *t, struct conn *c)
{
    c->capture_end = t->last_ts;
    struct reset_note key = {.id = c->id};
    const struct reset_note *r =
        t->n_stowed_resets > 0 ? bsearch(&key, t->stowed_resets, t->n_stowed_resets,
                                         sizeof key, by_id)
                               : NULL;
    if (r != NULL)
        burst_to_conn(r, c);
}

/* The i-th embryo hatches, ends as the others do and is stowed at once:
 * at the end of the capture, or once it has been as quiet as an idle
 * connection (then its endpoints stay as a tomb, for packets that still
 * come). Connections that sent one SYN never take a flow each together. */
static enum status stow_embryo(struct flow_table *t, size_t i, uint64_t last_frame, bool tomb)
{
    struct packet syn;
    uint32_t id = embryos_hatch(&t->embryos, i, &syn);
    if (id == 0)
        return ST_OK;
    TRY(packet_in(t, &syn, id));
    int ep;
    struct flow *f = find_flow(t, &syn, &ep);
    if (f == NULL || f->conn == NULL || f->conn->id != id)
        return ST_OK;
    struct conn *c = f->conn;
    close_state(f);
    c->capture_end = t->last_ts;
    release(t, f, last_frame);
    if (!t->on_stow(t->owner, c))
        return ST_OK; /* it stays a flow, finished with the others */
    t->conns[id - 1] = NULL;
    conn_free(c);
    f->conn = NULL;
    t->stowed++;
    if (tomb) {
        bury(t, f);
        return ST_OK;
    }
    dequeue(t, f);
    unlink_flow(t, f);
    free(f);
    return ST_OK;
}

/* At the end, every embryo still waiting; a block is freed once all in it
 * have hatched. */
static enum status hatch_and_stow(struct flow_table *t, uint64_t last_frame)
{
    embryos_close_index(&t->embryos);
    for (size_t i = embryos_oldest(&t->embryos); i < t->embryos.n; i++) {
        TRY(stow_embryo(t, i, last_frame, false));
        if ((i + 1) % EMBRYO_BLOCK == 0 || i + 1 == t->embryos.n)
            embryos_drop_block(&t->embryos, i);
    }
    return ST_OK;
}

enum status flow_table_finish(struct flow_table *t, uint64_t last_frame)
{
    /* out of memory hatching: the others are still finished below */
    enum status st = t->embryos.live > 0 ? hatch_and_stow(t, last_frame) : ST_OK;
    for (size_t i = 0; i < t->n_buckets; i++)
        for (struct flow *f = t->buckets[i]; f != NULL; f = f->hnext) {
            if (f->role == ROLE_UNKNOWN)
                guess_role(&t->sink, f, 0, NULL, 0);
            if (f->conn != NULL) {
                close_state(f);
                f->conn->capture_end = t->last_ts;
            }
            release(t, f, last_frame);
        }
    find_reset_bursts(t);
    return st;
}

void flow_table_free(struct flow_table *t)
{
    for (size_t i = 0; i < t->n_buckets; i++) {
        struct flow *f = t->buckets[i];
        while (f != NULL) {
            struct flow *next = f->hnext;
            release(t, f, 0);
            free(f);
            f = next;
        }
    }
    free(t->buckets);
    classifier_free(t->classifier);
    for (size_t i = 0; i < t->n_conns; i++)
        conn_free(t->conns[i]);
    free(t->conns);
    left_out_free(&t->left_out);
    tombs_free(&t->tombs);
    embryos_free(&t->embryos);
    free(t->stowed_resets);
    memset(t, 0, sizeof *t);
}
