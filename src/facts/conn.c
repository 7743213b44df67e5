/* conn.c: lifetime of the per-connection facts and their capped lists. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "facts/conn.h"

/* What a connection without a ClientHello reads: read-only, shared. */
static const struct client_hello no_client_hello;

struct conn *conn_new(uint32_t id)
{
    struct conn *c = calloc(1, sizeof *c);
    if (c != NULL) {
        c->id = id;
        c->ch = &no_client_hello;
    }
    return c;
}

struct client_hello *conn_client_hello(struct conn *c)
{
    if (c->ch_owned == NULL) {
        c->ch_owned = calloc(1, sizeof *c->ch_owned);
        if (c->ch_owned == NULL)
            return NULL;
        c->ch = c->ch_owned;
    }
    return c->ch_owned;
}

void conn_attach_diagnosis(struct conn *c, struct diagnosis *d,
                           void (*free_fn)(struct diagnosis *d))
{
    if (c->diagnosis != NULL && c->diagnosis != d && c->diagnosis_free != NULL)
        c->diagnosis_free(c->diagnosis);
    c->diagnosis = d;
    c->diagnosis_free = free_fn;
}

void conn_free(struct conn *c)
{
    if (c == NULL)
        return;
    free(c->cert_bytes);
    free(c->messages);
    free(c->ch_owned);
    free(c->kx.rsa_premaster);
    if (c->diagnosis != NULL && c->diagnosis_free != NULL)
        c->diagnosis_free(c->diagnosis);
    free(c->quic);
    free(c);
}

bool conn_is_flat(const struct conn *c)
{
    return c->ch_owned == NULL && c->messages == NULL && c->n_messages == 0 &&
           c->cert_bytes == NULL && c->cert_bytes_len == 0 && c->kx.rsa_premaster == NULL &&
           c->diagnosis == NULL && c->quic == NULL;
}

/* Each field of struct conn_place with the connection's field it holds:
 * taking and giving walk this one list, so they cannot disagree. */
#define CONN_PLACE_FIELDS(X)                                                                \
    X(id, id) X(client, client) X(server, server) X(client_port, client_port)               \
    X(server_port, server_port) X(first_frame, first_frame) X(last_frame, last_frame)       \
    X(start, start) X(end, end) X(syn_ts, syn_ts) X(syn_prev_ts, syn_prev_ts)               \
    X(syn_last_ts, syn_last_ts) X(capture_end, capture_end)                                 \
    X(syn_frame[0], side[0].syn_frame) X(syn_frame[1], side[1].syn_frame)                   \
    X(side_last_frame[0], side[0].last_frame) X(side_last_frame[1], side[1].last_frame)     \
    X(ttl_min[0], side[0].ttl_min) X(ttl_min[1], side[1].ttl_min)                           \
    X(ttl_max[0], side[0].ttl_max) X(ttl_max[1], side[1].ttl_max)

void conn_place_take(const struct conn *c, struct conn_place *out)
{
    memset(out, 0, sizeof *out);
#define PLACE_TAKE(place, conn) out->place = c->conn;
    CONN_PLACE_FIELDS(PLACE_TAKE)
#undef PLACE_TAKE
}

void conn_place_give(struct conn *c, const struct conn_place *in)
{
#define PLACE_GIVE(place, conn) c->conn = in->place;
    CONN_PLACE_FIELDS(PLACE_GIVE)
#undef PLACE_GIVE
}

void conn_add_message(struct conn *c, uint64_t frame, struct tstamp ts, enum side from,
                      uint16_t type,
                      bool encrypted)
{
    c->total_messages++;
    if (c->n_messages >= CONN_MAX_MESSAGES)
        return;
    if (c->n_messages == c->cap_messages) {
        /* most connections have a dozen messages; SYN-only ones none */
        uint16_t cap = c->cap_messages ? (uint16_t)(c->cap_messages * 2) : 8;
        if (cap > CONN_MAX_MESSAGES)
            cap = CONN_MAX_MESSAGES;
        struct message *grown = realloc(c->messages, cap * sizeof *grown);
        if (grown == NULL)
            return;
        c->messages = grown;
        c->cap_messages = cap;
    }
    struct message *m = &c->messages[c->n_messages++];
    m->frame = frame;
    m->ts = ts;
    m->from = from;
    m->type = type;
    m->encrypted = encrypted;
    m->decrypted = false;
}

void conn_add_alert(struct conn *c, const struct alert *a)
{
    c->total_alerts++;
    if (c->n_alerts < CONN_MAX_ALERTS)
        c->alerts[c->n_alerts++] = *a;
}

void conn_mark_malformed(struct conn *c, enum side from, const char *what)
{
    struct side_facts *sf = &c->side[from];
    if (sf->malformed)
        return;
    sf->malformed = true;
    snprintf(sf->malformed_what, sizeof sf->malformed_what, "%s", what);
}

bool conn_keep_cert(struct conn *c, struct cert_msg *m, const uint8_t *der, size_t len)
{
    if (m->kept >= CONN_MAX_CERTS || len > CONN_MAX_CERT_BYTES - c->cert_bytes_len)
        return false;
    if (len == 0)
        return false;
    /* grows to what the certificates need, never past the cap */
    uint8_t *grown = realloc(c->cert_bytes, c->cert_bytes_len + len);
    if (grown == NULL)
        return false;
    c->cert_bytes = grown;
    memcpy(c->cert_bytes + c->cert_bytes_len, der, len);
    m->der[m->kept].off = c->cert_bytes_len;
    m->der[m->kept].len = (uint32_t)len;
    m->kept++;
    c->cert_bytes_len += (uint32_t)len;
    return true;
}
