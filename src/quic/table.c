/* table.c: UDP datagrams to QUIC connections (see table.h). */
#include <stdlib.h>
#include <string.h>
#include "quic/packet.h"
#include "quic/table.h"

struct quic_flow {
    struct quic_flow *next;
    struct addr client, server;
    uint16_t cport, sport;
    struct conn *conn;
    struct quic_session session;
};

static size_t hash(const struct addr *a, uint16_t ap, const struct addr *b, uint16_t bp,
                   size_t n)
{
    /* symmetric: both directions land in the same bucket */
    uint64_t h = 1469598103934665603ull, x = 0;
    size_t len = a->family == 4 ? 4 : 16;
    for (size_t i = 0; i < len; i++)
        x += (uint64_t)(a->bytes[i] ^ b->bytes[i]) * 1099511628211ull + a->bytes[i] + b->bytes[i];
    h ^= x + ap + bp;
    h *= 1099511628211ull;
    return (size_t)(h % n);
}

enum status quic_table_init(struct quic_table *t)
{
    t->n_buckets = 1024;
    t->scratch = NULL;
    t->n_flows = 0;
    t->dropped = 0;
    t->keylog = NULL;
    t->next_vn = 0;
    t->next_silent = 0;
    for (unsigned i = 0; i < QUIC_TABLE_RECENT_VN; i++)
        t->recent_vn[i] = NULL;
    for (unsigned i = 0; i < QUIC_TABLE_RECENT_SILENT; i++)
        t->recent_silent[i] = NULL;
    t->crypto_budget = QUIC_TABLE_CRYPTO_BUDGET;
    t->buckets = calloc(t->n_buckets, sizeof *t->buckets);
    ENSURE(t->buckets != NULL, ST_NOMEM);
    /* datagrams are handled one at a time: one plaintext buffer serves all */
    t->scratch = malloc(QUIC_MAX_DATAGRAM);
    ENSURE(t->scratch != NULL, ST_NOMEM);
    return ST_OK;
}

static struct quic_flow *lookup(struct quic_table *t, const struct packet *p, enum side *from)
{
    size_t b = hash(&p->src, p->sport, &p->dst, p->dport, t->n_buckets);
    for (struct quic_flow *f = t->buckets[b]; f != NULL; f = f->next) {
        if (f->cport == p->sport && f->sport == p->dport && addr_equal(&f->client, &p->src) &&
            addr_equal(&f->server, &p->dst)) {
            *from = SIDE_CLIENT;
            return f;
        }
        if (f->sport == p->sport && f->cport == p->dport && addr_equal(&f->server, &p->src) &&
            addr_equal(&f->client, &p->dst)) {
            *from = SIDE_SERVER;
            return f;
        }
    }
    return NULL;
}

static enum status new_flow(struct quic_table *t, const struct packet *p, struct quic_flow **out)
{
    *out = NULL;
    if (t->n_flows >= QUIC_TABLE_MAX) {
        t->dropped++;
        return ST_OK;
    }
    struct conn *c = t->new_conn(t->owner);
    if (c == NULL) {
        t->dropped++;
        return ST_OK;
    }
    struct quic_flow *f = calloc(1, sizeof *f);
    ENSURE(f != NULL, ST_NOMEM);
    enum status st = quic_session_init(&f->session, c);
    if (st != ST_OK) {
        free(f);
        return st;
    }
    f->session.keylog = t->keylog;
    f->session.scratch = t->scratch;
    f->session.scratch_borrowed = true;
    for (int sp = 0; sp < QUIC_SPACES; sp++)
        for (int side = 0; side < 2; side++)
            f->session.crypto[sp][side].budget = &t->crypto_budget;
    f->client = p->src;
    f->server = p->dst;
    f->cport = p->sport;
    f->sport = p->dport;
    f->conn = c;
    c->client = p->src;
    c->server = p->dst;
    c->client_port = p->sport;
    c->server_port = p->dport;
    c->first_frame = p->frame;
    c->start = p->ts;
    size_t b = hash(&p->src, p->sport, &p->dst, p->dport, t->n_buckets);
    f->next = t->buckets[b];
    t->buckets[b] = f;
    t->n_flows++;
    t->recent_silent[t->next_silent] = f;
    t->next_silent = (t->next_silent + 1) % QUIC_TABLE_RECENT_SILENT;
    *out = f;
    return ST_OK;
}

/* A new attempt from the same client to the same server, soon after a
 * Version Negotiation that listed its version, is that client's retry. */
static void link_vn_retry(struct quic_table *t, const struct quic_flow *f)
{
    const struct quic_facts *nq = f->conn->quic;
    for (unsigned i = 0; i < QUIC_TABLE_RECENT_VN; i++) {
        struct quic_flow *old = t->recent_vn[i];
        if (old == NULL || old == f)
            continue;
        struct quic_facts *oq = old->conn->quic;
        if (oq->vn_retry_conn != 0 || !addr_equal(&old->client, &f->client) ||
            !addr_equal(&old->server, &f->server) || old->sport != f->sport ||
            tstamp_ms_between(oq->vn_ts, nq->first_ts[SIDE_CLIENT]) >
                QUIC_VN_RETRY_SECONDS * 1000.0)
            continue;
        for (uint8_t k = 0; k < oq->n_vn_versions; k++) {
            if (oq->vn_versions[k] == nq->version && nq->version != oq->version) {
                oq->vn_retry_conn = f->conn->id;
                oq->vn_retry_version = nq->version;
                return;
            }
        }
    }
}

enum status quic_table_packet(struct quic_table *t, const struct packet *p)
{
    enum side from = SIDE_CLIENT;
    struct quic_flow *f = lookup(t, p, &from);
    if (p->icmp_unreachable) {
        /* about a datagram the client sent: the quoted one goes client to server */
        if (f == NULL || from != SIDE_CLIENT)
            return ST_OK;
        struct quic_facts *q = f->conn->quic;
        if (q->icmp_unreachable++ == 0) {
            q->icmp_frame = p->frame;
            q->icmp_type = p->icmp_type;
            q->icmp_code = p->icmp_code;
            q->icmp_from_server = addr_equal(&p->icmp_from, &f->server);
        }
        return ST_OK;
    }
    if (f == NULL) {
        if (!quic_sniff_initial(p->payload))
            return ST_OK;
        TRY(new_flow(t, p, &f));
        if (f == NULL)
            return ST_OK;
    }
    struct conn *c = f->conn;
    c->last_frame = p->frame;
    c->end = p->ts;
    c->side[from].last_frame = p->frame;
    c->side[from].bytes += p->payload.len;
    if (c->side[from].first_data_frame == 0) {
        c->side[from].first_data_frame = p->frame;
        c->side[from].first_data_ts = p->ts;
    }
    if (p->cut)
        c->side[from].cut_segments++;
    bool had_vn = c->quic->version_negotiation;
    uint32_t datagrams = c->quic->datagrams[SIDE_CLIENT];
    TRY(quic_session_datagram(&f->session, c, from, p->payload, p->frame, p->ts));
    if (!had_vn && c->quic->version_negotiation) {
        t->recent_vn[t->next_vn] = f;
        t->next_vn = (t->next_vn + 1) % QUIC_TABLE_RECENT_VN;
    }
    if (from == SIDE_CLIENT && datagrams == 0)
        link_vn_retry(t, f);
    return ST_OK;
}

void quic_table_note_tcp(struct quic_table *t, const struct conn *tcp, bool tls_ok)
{
    if (tcp->quic != NULL)
        return;
    for (unsigned i = 0; i < QUIC_TABLE_RECENT_SILENT; i++) {
        const struct quic_flow *f = t->recent_silent[i];
        if (f == NULL)
            continue;
        struct quic_facts *q = f->conn->quic;
        double after = tstamp_ms_between(q->first_ts[SIDE_CLIENT], tcp->start);
        if (q->datagrams[SIDE_SERVER] > 0 || q->fallback_conn != 0 || after < 0 ||
            after > QUIC_FALLBACK_SECONDS * 1000.0 || tcp->server_port != f->sport ||
            !addr_equal(&tcp->client, &f->client) || !addr_equal(&tcp->server, &f->server))
            continue;
        q->fallback_conn = tcp->id;
        q->fallback_frame = tcp->first_frame;
        q->fallback_ts = tcp->start;
        q->fallback_ok = tls_ok;
    }
}

bool quic_table_wants_tcp(const struct quic_table *t)
{
    for (unsigned i = 0; i < QUIC_TABLE_RECENT_SILENT; i++) {
        const struct quic_flow *f = t->recent_silent[i];
        if (f != NULL && f->conn->quic->datagrams[SIDE_SERVER] == 0 &&
            f->conn->quic->fallback_conn == 0)
            return true;
    }
    return false;
}

void quic_table_free(struct quic_table *t)
{
    for (size_t b = 0; b < t->n_buckets && t->buckets != NULL; b++) {
        struct quic_flow *f = t->buckets[b];
        while (f != NULL) {
            struct quic_flow *next = f->next;
            quic_session_free(&f->session);
            free(f);
            f = next;
        }
    }
    free(t->buckets);
    t->buckets = NULL;
    free(t->scratch);
    t->scratch = NULL;
    t->n_flows = 0;
}
