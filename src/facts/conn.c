/* conn.c: lifetime of the per-connection facts and their capped lists. */
#include <stdlib.h>
#include <string.h>
#include "facts/conn.h"
#include "rules/diagnosis.h"

struct client_hello conn_no_client_hello;

struct conn *conn_new(uint32_t id)
{
    struct conn *c = calloc(1, sizeof *c);
    if (c != NULL) {
        c->id = id;
        c->ch = &conn_no_client_hello;
    }
    return c;
}

struct client_hello *conn_client_hello(struct conn *c)
{
    if (c->ch == &conn_no_client_hello) {
        struct client_hello *ch = calloc(1, sizeof *ch);
        if (ch == NULL)
            return NULL;
        c->ch = ch;
    }
    return c->ch;
}

void conn_free(struct conn *c)
{
    if (c == NULL)
        return;
    free(c->cert_bytes);
    free(c->messages);
    if (c->ch != &conn_no_client_hello)
        free(c->ch);
    diagnosis_free(c->diagnosis);
    free(c->quic);
    free(c);
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

static void finding_free(struct finding *f)
{
    free(f->explanation);
    free(f->fix);
    for (size_t i = 0; i < f->n_evidence; i++)
        free(f->evidence[i].text);
    free(f->evidence);
}

void diagnosis_free(struct diagnosis *d)
{
    if (d == NULL)
        return;
    finding_free(&d->main);
    for (size_t i = 0; i < d->n_alternatives; i++)
        finding_free(&d->alternatives[i]);
    free(d->alternatives);
    for (size_t i = 0; i < d->n_warnings; i++)
        free(d->warnings[i]);
    free(d);
}
