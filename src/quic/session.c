/* session.c: one QUIC connection: packets opened, CRYPTO frames in order,
 * handshake messages to the same decoders as TLS over TCP, facts noted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "quic/frames.h"
#include "quic/packet.h"
#include "quic/session.h"
#include "tls/handshake.h"
#include "tls/keylog.h"

/* What the frame callbacks need to know of the packet they came in. */
struct packet_ctx {
    struct quic_session *s;
    struct conn *c;
    enum side from;
    enum quic_space space;
    uint64_t frame;
    struct tstamp ts;
};

static void mark_malformed(struct conn *c, enum side from, const char *what)
{
    struct side_facts *sf = &c->side[from];
    c->quic->malformed = true;
    if (sf->malformed)
        return;
    sf->malformed = true;
    snprintf(sf->malformed_what, sizeof sf->malformed_what, "%s", what);
}

/* Handshake messages (RFC 8446 4: type, uint24 length, body) complete in the
 * CRYPTO stream go to the decoders, as tls_stream.c does for records. */
static void drain(struct packet_ctx *p)
{
    struct quic_session *s = p->s;
    struct quic_crypto *cs = &s->crypto[p->space][p->from];
    uint64_t *first = &s->hs_first_frame[p->space][p->from];
    bool *stopped = &s->stopped[p->space][p->from];
    while (!*stopped) {
        struct cursor ready = quic_crypto_ready(cs);
        uint8_t type;
        uint32_t len;
        struct slice body;
        if (cur_u8(&ready, &type) != ST_OK || cur_u24(&ready, &len) != ST_OK)
            return;
        if (len > QUIC_CRYPTO_MAX) {
            mark_malformed(p->c, p->from, "handshake message length");
            *stopped = true;
            return;
        }
        if (cur_take(&ready, len, &body) != ST_OK)
            return;  /* the rest is still to come */
        struct hs_where w = {.frame = p->frame,
                             .first_frame = *first ? *first : p->frame,
                             .segments = s->hs_datagrams[p->space][p->from],
                             .ts = p->ts,
                             .record_version = 0,
                             .quic = true};
        uint16_t before = p->c->n_messages;
        conn_add_message(p->c, p->frame, p->ts, p->from, type, false);
        if (p->space == QUIC_SPACE_HANDSHAKE && p->c->n_messages > before)
            p->c->messages[p->c->n_messages - 1].decrypted = true;
        if (hs_decode(p->c, p->from, type, cur_make(body.ptr, body.len), &w) != ST_OK) {
            mark_malformed(p->c, p->from, "handshake message");
            *stopped = true;
        }
        /* JA4 (FoxIO, technical_details/JA4.md): its first character is the
         * transport, "q" for QUIC where the decoder wrote "t" for TCP */
        if (type == HS_CLIENT_HELLO && p->c->ch_owned != NULL && p->c->ch_owned->present &&
            p->c->ch_owned->ja4[0] == 't')
            p->c->ch_owned->ja4[0] = 'q';
        /* bytes left belong to the next message, begun in this datagram */
        bool more = cur_left(&ready) > 0;
        quic_crypto_consume(cs, ready.pos);
        *first = 0;
        s->hs_datagrams[p->space][p->from] = more ? 1 : 0;
        s->hs_last_frame[p->space][p->from] = more ? p->frame : 0;
    }
}

static void on_crypto(void *ud, uint64_t offset, struct slice data)
{
    struct packet_ctx *p = ud;
    struct quic_crypto *cs = &p->s->crypto[p->space][p->from];
    if (p->s->hs_first_frame[p->space][p->from] == 0)
        p->s->hs_first_frame[p->space][p->from] = p->frame;
    /* how many datagrams a message spans: a ClientHello that no longer fits
     * one Initial (RFC 9000 14.1: at least 1200 bytes) spans two or more */
    if (p->s->hs_last_frame[p->space][p->from] != p->frame) {
        p->s->hs_last_frame[p->space][p->from] = p->frame;
        if (p->s->hs_datagrams[p->space][p->from] < UINT32_MAX)
            p->s->hs_datagrams[p->space][p->from]++;
    }
    if (quic_crypto_add(cs, offset, data) != ST_OK || cs->overflow)
        p->c->quic->crypto_overflow = true;
    drain(p);
    quic_crypto_release_idle(cs);
}

static void on_close(void *ud, const struct quic_close_frame *f)
{
    struct packet_ctx *p = ud;
    struct quic_close_facts *cf = &p->c->quic->close;
    if (!cf->present) {
        cf->present = true;
        cf->from = p->from;
        cf->frame = p->frame;
        cf->ts = p->ts;
        cf->application = f->application;
        cf->code = f->code;
        cf->frame_type = f->frame_type;
        size_t n = f->reason.len < QUIC_REASON_MAX - 1 ? f->reason.len : QUIC_REASON_MAX - 1;
        struct cursor r = cur_make(f->reason.ptr, f->reason.len);
        for (size_t i = 0; i < n; i++) {
            uint8_t b = 0;
            if (cur_u8(&r, &b) != ST_OK)
                break;
            cf->reason[cf->reason_len++] = b != 0 ? (char)b : '?';
        }
        cf->reason[cf->reason_len] = '\0';
    }
    /* RFC 9001 4.8: CRYPTO_ERROR 0x0100 + the TLS alert the stack raised */
    if (!f->application && f->code >= QUIC_CRYPTO_ERROR_BASE &&
        f->code <= QUIC_CRYPTO_ERROR_LAST) {
        struct alert a = {.frame = p->frame,
                          .ts = p->ts,
                          .from = p->from,
                          .decrypted = p->space == QUIC_SPACE_HANDSHAKE,
                          .level = 2,
                          .description = (uint8_t)(f->code - QUIC_CRYPTO_ERROR_BASE)};
        conn_add_alert(p->c, &a);
    }
}

/* RFC 9001 5.2: the Initial keys come from the DCID of the client's first
 * Initial, and change only after a Retry (to the Retry's SCID, which the
 * client then uses as DCID) or when the client starts over in another
 * version after Version Negotiation. A client that moves to the server's
 * chosen connection ID keeps the keys. */
static enum status client_keys(struct quic_session *s, struct conn *c, const struct quic_long *p)
{
    struct quic_facts *q = c->quic;
    bool after_retry = s->retry_pending && p->dcid.len == s->retry_scid_len &&
                       memcmp(p->dcid.ptr, s->retry_scid, p->dcid.len) == 0;
    if (s->version == p->known && !after_retry)
        return ST_OK;
    TRY(quic_initial_keys(p->known, p->dcid.ptr, p->dcid.len,
                          &s->keys[QUIC_SPACE_INITIAL][SIDE_CLIENT],
                          &s->keys[QUIC_SPACE_INITIAL][SIDE_SERVER]));
    if (s->version != NULL && s->version != p->known) {
        /* a new version starts the handshake over */
        for (int side = 0; side < 2; side++) {
            quic_crypto_free(&s->crypto[QUIC_SPACE_INITIAL][side]);
            s->largest_pn[QUIC_SPACE_INITIAL][side] = UINT64_MAX;
            s->hs_first_frame[QUIC_SPACE_INITIAL][side] = 0;
            s->hs_datagrams[QUIC_SPACE_INITIAL][side] = 0;
            s->hs_last_frame[QUIC_SPACE_INITIAL][side] = 0;
        }
    }
    s->version = p->known;
    s->retry_pending = false;
    memcpy(q->dcid, p->dcid.ptr, p->dcid.len);
    q->dcid_len = (uint8_t)p->dcid.len;
    return ST_OK;
}

/* The frames of an opened packet: CRYPTO to the handshake decoders,
 * CONNECTION_CLOSE to the facts. */
static void walk(struct packet_ctx *ctx, struct cursor plaintext)
{
    struct quic_frame_sink sink = {.ud = ctx, .crypto = on_crypto, .close = on_close};
    if (quic_frames_walk(plaintext, &sink) != ST_OK)
        mark_malformed(ctx->c, ctx->from, "QUIC frame");
}

void quic_session_frames(struct quic_session *s, struct conn *c, enum side from,
                         enum quic_space space, struct slice plaintext, uint64_t frame,
                         struct tstamp ts)
{
    struct packet_ctx ctx = {.s = s, .c = c, .from = from, .space = space, .frame = frame,
                             .ts = ts};
    walk(&ctx, cur_make(plaintext.ptr, plaintext.len));
}

/* Opens a packet of a space whose keys are held and walks its frames. */
static enum status open_and_walk(struct quic_session *s, struct packet_ctx *ctx,
                                 const struct quic_long *p, bool *opened)
{
    enum side from = ctx->from;
    size_t len = 0;
    uint64_t pn = 0;
    *opened = false;
    if (s->scratch == NULL) {
        s->scratch = malloc(QUIC_MAX_DATAGRAM);
        ENSURE(s->scratch != NULL, ST_NOMEM);
    }
    uint64_t *largest = &s->largest_pn[ctx->space][from];
    if (p->packet.len > QUIC_MAX_DATAGRAM ||
        quic_packet_open(p, &s->keys[ctx->space][from], *largest, s->scratch, &len, &pn) !=
            ST_OK)
        return ST_OK;
    *opened = true;
    if (*largest == UINT64_MAX || pn > *largest)
        *largest = pn;
    walk(ctx, cur_make(s->scratch, len));
    return ST_OK;
}

/* RFC 9001 5.1: Handshake keys come from the TLS handshake traffic secrets,
 * which only a key log (looked up by the ClientHello's random) gives. */
static void handshake_keys(struct quic_session *s, const struct conn *c, enum side from,
                           const struct quic_version *v)
{
    uint8_t *state = &s->keys_state[QUIC_SPACE_HANDSHAKE][from];
    if (*state != QUIC_KEYS_UNTRIED)
        return;
    if (!keylog_in_use(s->keylog) || !c->ch->present || !c->sh.present) {
        /* the ServerHello may still come: try again then */
        if (!keylog_in_use(s->keylog))
            *state = QUIC_KEYS_NONE;
        return;
    }
    *state = QUIC_KEYS_NONE;
    const struct keylog_entry *e = keylog_find(s->keylog, c->ch->random);
    enum keylog_secret which = from == SIDE_CLIENT ? KEYLOG_CLIENT_HANDSHAKE
                                                   : KEYLOG_SERVER_HANDSHAKE;
    if (e == NULL || e->secret_len[which] == 0)
        return;
    if (quic_keys_from_tls(v, c->sh.suite, e->secret[which], e->secret_len[which],
                           &s->keys[QUIC_SPACE_HANDSHAKE][from]) == ST_OK)
        *state = QUIC_KEYS_READY;
}

static enum status handshake(struct quic_session *s, struct packet_ctx *ctx,
                             const struct quic_long *p)
{
    struct conn *c = ctx->c;
    struct quic_facts *q = c->quic;
    enum side from = ctx->from;
    struct side_facts *sf = &c->side[from];
    if (q->handshake[from]++ == 0)
        q->handshake_frame[from] = ctx->frame;
    handshake_keys(s, c, from, p->known);
    bool opened = false;
    if (s->keys_state[QUIC_SPACE_HANDSHAKE][from] == QUIC_KEYS_READY) {
        ctx->space = QUIC_SPACE_HANDSHAKE;
        TRY(open_and_walk(s, ctx, p, &opened));
        ctx->space = QUIC_SPACE_INITIAL;
        if (opened) {
            sf->decrypted_records++;
            if (sf->decrypt != DECRYPT_FAILED)
                sf->decrypt = DECRYPT_OK;
        } else if (sf->decrypt != DECRYPT_FAILED) {
            sf->decrypt = DECRYPT_FAILED;
            sf->decrypt_stop_frame = ctx->frame;
        }
    } else if (keylog_in_use(s->keylog) && sf->decrypt == DECRYPT_NONE) {
        sf->decrypt = DECRYPT_NO_KEYS;
    }
    /* what could not be read still shows as an encrypted flight */
    if (!opened && !q->encrypted_noted[from]) {
        q->encrypted_noted[from] = true;
        conn_add_message(c, ctx->frame, ctx->ts, from, MSG_ENCRYPTED_RECORDS, true);
    }
    return ST_OK;
}

static enum status initial(struct quic_session *s, struct packet_ctx *ctx, const struct quic_long *p)
{
    struct quic_facts *q = ctx->c->quic;
    enum side from = ctx->from;
    q->initials[from]++;
    if (from == SIDE_CLIENT) {
        q->client_version = p->version;
        if (client_keys(s, ctx->c, p) != ST_OK) {
            q->unopened[from]++;
            return ST_OK;
        }
    }
    if (s->version == NULL || s->version != p->known) {
        q->unopened[from]++;
        return ST_OK;
    }
    /* RFC 9000 17.2.5.2: after a Retry the client's Initials carry its token */
    if (from == SIDE_CLIENT && q->retry && q->token_frame == 0) {
        q->token_frame = ctx->frame;
        q->token_len = (uint16_t)(p->token.len < UINT16_MAX ? p->token.len : UINT16_MAX);
    }
    bool opened = false;
    TRY(open_and_walk(s, ctx, p, &opened));
    if (opened)
        q->opened[from]++;
    else
        q->unopened[from]++;
    return ST_OK;
}

static void note_vn(struct quic_facts *q, const struct quic_long *p, uint64_t frame,
                    struct tstamp ts)
{
    if (q->version_negotiation)
        return;
    q->version_negotiation = true;
    q->vn_frame = frame;
    q->vn_ts = ts;
    struct cursor v = p->versions;
    uint32_t ver;
    while (q->n_vn_versions < QUIC_MAX_VN_VERSIONS && cur_u32(&v, &ver) == ST_OK)
        q->vn_versions[q->n_vn_versions++] = ver;
}

/* Bytes per side, and what the client sent after the server's last datagram. */
static void note_bytes(struct quic_facts *q, enum side from, size_t len, uint64_t frame,
                       struct tstamp ts)
{
    q->bytes[from] += len;
    if (from == SIDE_SERVER) {
        q->bytes_at_server_last[SIDE_CLIENT] = q->bytes[SIDE_CLIENT];
        q->bytes_at_server_last[SIDE_SERVER] = q->bytes[SIDE_SERVER];
        q->unanswered = 0;
        return;
    }
    if (q->unanswered++ == 0) {
        q->unanswered_frame = frame;
        q->unanswered_ts = ts;
    }
}

/* RFC 9000 17.2.5.2: a client takes one Retry; later ones are counted, and the
 * first after the client's token says the token was not accepted. */
static void note_retry(struct quic_session *s, struct quic_facts *q, const struct quic_long *p,
                       uint64_t frame, struct tstamp ts)
{
    uint16_t token_len = (uint16_t)(p->token.len < UINT16_MAX ? p->token.len : UINT16_MAX);
    if (q->retries < UINT32_MAX)
        q->retries++;
    q->last_retry_frame = frame;
    q->last_retry_ts = ts;
    if (!q->retry) {
        q->retry = true;
        q->retry_frame = frame;
        q->retry_token_len = token_len;
        memcpy(s->retry_scid, p->scid.ptr, p->scid.len);
        s->retry_scid_len = (uint8_t)p->scid.len;
        s->retry_pending = true;
    } else if (q->token_frame != 0 && q->retry_again_frame == 0) {
        q->retry_again_frame = frame;
        q->retry_again_token_len = token_len;
    }
}

enum status quic_session_datagram(struct quic_session *s, struct conn *c, enum side from,
                                  struct slice dgram, uint64_t frame, struct tstamp ts)
{
    struct quic_facts *q = c->quic;
    struct packet_ctx ctx = {.s = s, .c = c, .from = from, .space = QUIC_SPACE_INITIAL,
                             .frame = frame, .ts = ts};
    struct cursor d = cur_make(dgram.ptr, dgram.len);
    q->datagrams[from]++;
    if (q->first_frame[from] == 0) {
        q->first_frame[from] = frame;
        q->first_ts[from] = ts;
    }
    q->last_frame[from] = frame;
    q->last_ts[from] = ts;
    note_bytes(q, from, dgram.len, frame, ts);
    /* RFC 9000 8.1 (the limit), 8.1 and 17.2.5 (a Handshake packet or a Retry
     * token validates the client's address); 1200 bytes: one full datagram */
    if (q->handshake[SIDE_CLIENT] > 0 || q->retry) {
        q->amplification_limited = false;
    } else {
        q->unvalidated_bytes[from] += dgram.len;
        if (from == SIDE_SERVER) {
            q->amplification_limited =
                q->unvalidated_bytes[SIDE_SERVER] + 1200 >= 3 * q->unvalidated_bytes[SIDE_CLIENT];
            q->amplification_frame = frame;
        }
    }
    while (cur_left(&d) > 0) {
        struct quic_long p;
        if (quic_packet_parse(&d, &p) != ST_OK) {
            /* RFC 9000 12.2: a datagram may end in bytes that are no packet */
            if (q->datagrams[from] == 1)
                mark_malformed(c, from, "QUIC packet header");
            break;
        }
        switch (p.form) {
        case QUIC_FORM_SHORT:
            if (q->short_packets[from]++ == 0)
                q->short_frame[from] = frame;
            if (!q->encrypted_noted[from]) {
                q->encrypted_noted[from] = true;
                conn_add_message(c, frame, ts, from, MSG_ENCRYPTED_RECORDS, true);
            }
            break;
        case QUIC_FORM_VERSION_NEG:
            /* RFC 9000 6.1: only a server sends it, in answer to a client */
            if (from == SIDE_SERVER)
                note_vn(q, &p, frame, ts);
            break;
        case QUIC_FORM_LONG:
            if (from == SIDE_CLIENT && q->version == 0)
                q->version = p.version;
            if (from == SIDE_SERVER && q->server_version == 0)
                q->server_version = p.version;
            if (p.known == NULL) {
                /* a version we cannot open: only the client's first counts */
                if (from == SIDE_CLIENT) {
                    q->initials[from]++;
                    q->client_version = p.version;
                }
                break;
            }
            switch (p.type) {
            case QUIC_PT_INITIAL:
                TRY(initial(s, &ctx, &p));
                break;
            case QUIC_PT_0RTT:
                q->zero_rtt++;
                break;
            case QUIC_PT_HANDSHAKE:
                TRY(handshake(s, &ctx, &p));
                break;
            case QUIC_PT_RETRY:
                if (from == SIDE_SERVER)
                    note_retry(s, q, &p, frame, ts);
                break;
            }
            break;
        }
    }
    return ST_OK;
}

bool quic_sniff_initial(struct slice dgram)
{
    struct cursor d = cur_make(dgram.ptr, dgram.len);
    struct quic_long p;
    if (dgram.len < QUIC_MIN_INITIAL_DATAGRAM || quic_packet_parse(&d, &p) != ST_OK ||
        p.form != QUIC_FORM_LONG || p.dcid.len < 8)
        return false;
    if (p.known == NULL)
        return true;  /* Version Negotiation will tell */
    if (p.type != QUIC_PT_INITIAL)
        return false;
    struct quic_keys client, server;
    uint8_t *out = malloc(p.packet.len);
    size_t len = 0;
    uint64_t pn = 0;
    bool ok = out != NULL &&
              quic_initial_keys(p.known, p.dcid.ptr, p.dcid.len, &client, &server) == ST_OK &&
              quic_packet_open(&p, &client, UINT64_MAX, out, &len, &pn) == ST_OK;
    free(out);
    return ok;
}

enum status quic_session_init(struct quic_session *s, struct conn *c)
{
    memset(s, 0, sizeof *s);
    for (int sp = 0; sp < QUIC_SPACES; sp++)
        s->largest_pn[sp][SIDE_CLIENT] = s->largest_pn[sp][SIDE_SERVER] = UINT64_MAX;
    if (c->quic == NULL) {
        c->quic = calloc(1, sizeof *c->quic);
        ENSURE(c->quic != NULL, ST_NOMEM);
    }
    return ST_OK;
}

void quic_session_free(struct quic_session *s)
{
    for (int sp = 0; sp < QUIC_SPACES; sp++) {
        quic_crypto_free(&s->crypto[sp][SIDE_CLIENT]);
        quic_crypto_free(&s->crypto[sp][SIDE_SERVER]);
    }
    if (!s->scratch_borrowed)
        free(s->scratch);
    s->scratch = NULL;
}
