/* tls_stream.c: the TLS record layer over reassembled bytes (see tls_stream.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tls/handshake.h"
#include "tls/keylog.h"
#include "tls/tls13_decrypt.h"
#include "tls/tls_stream.h"

enum {
    CT_CHANGE_CIPHER_SPEC = 20,
    CT_ALERT = 21,
    CT_HANDSHAKE = 22,
    CT_APPLICATION_DATA = 23,
    CT_HEARTBEAT = 24
};

/* TLS 1.3 decryption with a key log, per direction (RFC 8446 5.2, 7.3).
 * Handshake phase: every type 23 record is buffered (at most 2^14 + 256
 * bytes) and opened with the sender's handshake traffic keys, until its
 * Finished. Application phase, only when the key log has the sender's
 * traffic secret 0: the sequence number counts every record, but only short
 * records are opened (alerts, KeyUpdate, most tickets), so the cost still
 * does not grow with the payload. */
enum dec_phase { DEC_UNTRIED = 0, DEC_HANDSHAKE, DEC_APPLICATION, DEC_OFF };
#define DEC_SHORT_RECORD 512
#define DEC_MAX_EARLY_RECORDS 64

struct tls_decrypt {
    struct tls13_keys keys;
    uint8_t secret[TLS13_MAX_HASH]; /* application traffic secret, for KeyUpdate */
    uint8_t secret_len;
    bool buffering;                 /* the current record is kept for opening */
    bool finished;                  /* the sender's Finished was in this record */
    bool key_update;                /* ... a KeyUpdate */
    bool app_resync;                /* an application record went unread: its
                                     * handshake bytes cannot be assembled */
    bool opened_one;
    uint16_t early_records;         /* client records taken for 0-RTT data */
    struct capbuf rec;              /* the record body */
};

static void mark_malformed(struct conn *c, enum side from, const char *what)
{
    struct side_facts *sf = &c->side[from];
    if (sf->malformed)
        return;
    sf->malformed = true;
    snprintf(sf->malformed_what, sizeof sf->malformed_what, "%s", what);
}

static bool plausible_header(const uint8_t h[5])
{
    uint16_t len = (uint16_t)((h[3] << 8) | h[4]);
    return h[0] >= CT_CHANGE_CIPHER_SPEC && h[0] <= CT_HEARTBEAT && h[1] == 3 && h[2] <= 4 &&
           len <= TLS_MAX_RECORD_LEN;
}

static void add_message(struct conn *c, uint64_t frame, struct tstamp ts, enum side from,
                        uint16_t type, bool decrypted)
{
    uint16_t before = c->n_messages;
    conn_add_message(c, frame, ts, from, type, false);
    if (decrypted && c->n_messages > before)
        c->messages[c->n_messages - 1].decrypted = true;
}

/* Handshake types TLS (not DTLS) sends: RFC 8446 B.3, RFC 5246 7.4, RFC 4680
 * (supplemental data), RFC 6066 (certificate URL, status), RFC 8879
 * (compressed certificate), NPN (67). */
static bool tls_handshake_type(uint8_t t)
{
    switch (t) {
    case 0: case 1: case 2: case 4: case 5: case 8: case 11: case 12: case 13: case 14:
    case 15: case 16: case 20: case 21: case 22: case 23: case 24: case 25: case 67: case 254:
        return true;
    default:
        return false;
    }
}

/* Parses every complete handshake message waiting in the buffer. */
static void drain_handshake(struct tls_stream *s, struct conn *c, enum side from,
                            uint64_t frame, struct tstamp ts, bool decrypted)
{
    struct cursor cur = cur_make(s->hs.p, s->hs.len);
    size_t done = 0;
    for (;;) {
        uint8_t type;
        uint32_t len;
        struct slice body;
        if (cur_u8(&cur, &type) != ST_OK || cur_u24(&cur, &len) != ST_OK)
            break;
        if (len > TLS_MAX_HANDSHAKE_BYTES) {
            /* Only a certificate chain is ever this large (tens of intermediates
             * or a huge CRL list), and it comes in full-size records: note it
             * and let its bytes pass. Anything else claiming so much is not a
             * handshake message at all. */
            if (type != HS_CERTIFICATE || s->rlen < 1024) {
                mark_malformed(c, from, "handshake message length");
                s->state = TLS_LOST;
                done = s->hs.len;
                break;
            }
            add_message(c, frame, ts, from, type, decrypted);
            c->side[from].handshake_overflow = true;
            size_t have = cur_left(&cur);
            s->hs_skip = len - (uint32_t)have;
            done = s->hs.len;
            break;
        }
        if (cur_take(&cur, len, &body) != ST_OK)
            break;
        if (!tls_handshake_type(type)) {
            /* not a message of TLS: encrypted bytes, or another protocol */
            mark_malformed(c, from, "handshake message type");
            s->state = TLS_LOST;
            done = s->hs.len;
            break;
        }
        struct hs_where w = {frame, s->hs_first_frame, s->hs_segments, ts, s->rversion};
        add_message(c, frame, ts, from, type, decrypted);
        if (hs_decode(c, from, type, cur_make(body.ptr, body.len), &w) != ST_OK)
            mark_malformed(c, from, "handshake message");
        /* RFC 8446 5.1: a key change follows these at a record boundary */
        if (decrypted && s->dec != NULL && type == HS_FINISHED)
            s->dec->finished = true;
        if (decrypted && s->dec != NULL && type == HS_KEY_UPDATE)
            s->dec->key_update = true;
        done = cur.pos;
        s->hs_first_frame = frame;
        s->hs_segments = 1;
    }
    capbuf_consume(&s->hs, done);
    if (s->hs.len == 0)
        s->hs_segments = 0;
}

static void handshake_bytes(struct tls_stream *s, struct conn *c, enum side from,
                            const uint8_t *p, size_t n, uint64_t frame, struct tstamp ts,
                            bool decrypted)
{
    if (s->hs_skip > 0) {
        size_t k = n < s->hs_skip ? n : s->hs_skip;
        s->hs_skip -= (uint32_t)k;
        p += k;
        n -= k;
        if (n == 0)
            return;
    }
    if (s->hs.len == 0) {
        s->hs_first_frame = frame;
        s->hs_segments = 0;
    }
    if (s->hs_last_frame != frame || s->hs_segments == 0)
        s->hs_segments++;
    s->hs_last_frame = frame;
    if (capbuf_append(&s->hs, p, n) != ST_OK) {
        c->side[from].handshake_overflow = true;
        capbuf_free(&s->hs);
        s->state = TLS_LOST;
        return;
    }
    drain_handshake(s, c, from, frame, ts, decrypted);
}

enum tls_hello tls_sniff_hello(const uint8_t *p, size_t n, bool sslv2_too)
{
    struct cursor c = cur_make(p, n);
    uint8_t b0, b1, type;
    uint16_t version, len;
    if (cur_peek_u8(&c, 0, &b0) != ST_OK)
        return TLS_HELLO_NONE;
    if (b0 >= 0x80) {
        /* SSLv2 header (RFC 5246 E.2): 2 bytes of length, then the message type */
        if (!sslv2_too || cur_peek_u8(&c, 2, &type) != ST_OK)
            return TLS_HELLO_NONE;
        return type == 1 ? TLS_HELLO_CLIENT : type == 4 ? TLS_HELLO_SERVER : TLS_HELLO_NONE;
    }
    /* a handshake record header, then the first message's type */
    if (cur_u8(&c, &b1) != ST_OK || b1 != CT_HANDSHAKE || cur_u16(&c, &version) != ST_OK ||
        (version >> 8) != 3 || cur_u16(&c, &len) != ST_OK || len > TLS_MAX_RECORD_LEN ||
        cur_u8(&c, &type) != ST_OK)
        return TLS_HELLO_NONE;
    return type == HS_CLIENT_HELLO ? TLS_HELLO_CLIENT
           : type == HS_SERVER_HELLO ? TLS_HELLO_SERVER : TLS_HELLO_NONE;
}

/* Could this connection be TLS 1.3, whose CCS changes nothing? */
static bool tls13_possible(const struct conn *c)
{
    if (c->sh.present)
        return conn_is_tls13(c);
    if (c->sh.hello_retry)
        return true;
    for (uint16_t i = 0; c->ch->present && i < c->ch->versions.n; i++)
        if (version_is_tls13(c->ch->versions.v[i]))
            return true;
    return false;
}

/* Stops decrypting this direction; the status says why (DECRYPT_OK when the
 * secrets simply end). */
static void dec_stop(struct tls_stream *s, struct conn *c, enum side from,
                     enum decrypt_status why, uint64_t frame)
{
    struct side_facts *sf = &c->side[from];
    if (why != DECRYPT_OK)
        sf->decrypt = (uint8_t)why;
    if (why == DECRYPT_FAILED || why == DECRYPT_INTERRUPTED)
        sf->decrypt_stop_frame = frame;
    s->dec_phase = DEC_OFF;
    if (s->dec == NULL)
        return;
    capbuf_free(&s->dec->rec);
    tls13_wipe(s->dec, sizeof *s->dec);
    free(s->dec);
    s->dec = NULL;
}

static const struct keylog_entry *dec_secrets(const struct tls_conn_state *t,
                                              const struct conn *c)
{
    return c->ch->present ? keylog_find(t->keylog, c->ch->random) : NULL;
}

/* The first type 23 record of a direction: are there keys for it? */
static void dec_begin(struct tls_conn_state *t, struct tls_stream *s, struct conn *c,
                      enum side from, uint64_t frame)
{
    struct side_facts *sf = &c->side[from];
    if (t->keylog == NULL || (c->sh.present && !conn_is_tls13(c))) {
        s->dec_phase = DEC_OFF;
        return;
    }
    /* before the ServerHello: 0-RTT data under the early secret; decide later */
    if (!c->sh.present)
        return;
    if (!tls13_suite_supported(c->sh.suite)) {
        dec_stop(s, c, from, DECRYPT_UNSUPPORTED, frame);
        return;
    }
    const struct keylog_entry *e = dec_secrets(t, c);
    int which = from == SIDE_CLIENT ? KEYLOG_CLIENT_HANDSHAKE : KEYLOG_SERVER_HANDSHAKE;
    if (e == NULL || e->secret_len[which] == 0) {
        dec_stop(s, c, from, DECRYPT_NO_KEYS, frame);
        return;
    }
    struct tls_decrypt *d = calloc(1, sizeof *d);
    if (d == NULL) {
        s->dec_phase = DEC_OFF;
        return;
    }
    capbuf_init(&d->rec, TLS13_MAX_CIPHERTEXT);
    s->dec = d;
    s->dec_phase = DEC_HANDSHAKE;
    sf->decrypt = DECRYPT_OK;
    /* a secret of the wrong length for the suite's hash: wrong keys */
    if (tls13_traffic_keys(c->sh.suite, e->secret[which], e->secret_len[which], &d->keys) !=
        ST_OK)
        dec_stop(s, c, from, DECRYPT_FAILED, frame);
}

/* A type 23 record header: keep its body for opening, or count it past. */
static void dec_record_start(struct tls_conn_state *t, struct tls_stream *s, struct conn *c,
                             enum side from, uint64_t frame)
{
    if (s->dec_phase == DEC_UNTRIED)
        dec_begin(t, s, c, from, frame);
    if (s->dec == NULL)
        return;
    struct tls_decrypt *d = s->dec;
    capbuf_consume(&d->rec, d->rec.len);
    d->buffering = false;
    /* RFC 8446 5.2: longer is a record_overflow for the peer, and no longer
     * a record we can count on */
    if (s->rlen > TLS13_MAX_CIPHERTEXT) {
        dec_stop(s, c, from, DECRYPT_INTERRUPTED, frame);
        return;
    }
    if (s->dec_phase == DEC_APPLICATION && s->rlen > DEC_SHORT_RECORD) {
        /* not opened, but it used a sequence number (RFC 8446 5.3) */
        d->keys.seq++;
        if (s->hs.len > 0 || s->hs_skip > 0)
            capbuf_consume(&s->hs, s->hs.len);
        s->hs_skip = 0;
        d->app_resync = true;
        return;
    }
    d->buffering = true;
}

/* RFC 8446 7.2: after a KeyUpdate the sender uses the next secret. */
static void dec_key_update(struct tls_stream *s, struct conn *c, enum side from, uint64_t frame)
{
    struct tls_decrypt *d = s->dec;
    uint8_t next[TLS13_MAX_HASH];
    d->key_update = false;
    if (tls13_next_secret(d->keys.suite, d->secret, d->secret_len, next) != ST_OK ||
        tls13_traffic_keys(d->keys.suite, next, d->secret_len, &d->keys) != ST_OK) {
        dec_stop(s, c, from, DECRYPT_FAILED, frame);
        return;
    }
    memcpy(d->secret, next, d->secret_len);
    tls13_wipe(next, sizeof next);
}

/* After the sender's Finished: its application traffic secret 0 (RFC 8446
 * 7.1), when the key log has it; otherwise decryption ends here. */
static void dec_application_keys(struct tls_conn_state *t, struct tls_stream *s,
                                 struct conn *c, enum side from, uint64_t frame)
{
    struct tls_decrypt *d = s->dec;
    const struct keylog_entry *e = dec_secrets(t, c);
    int which = from == SIDE_CLIENT ? KEYLOG_CLIENT_TRAFFIC_0 : KEYLOG_SERVER_TRAFFIC_0;
    d->finished = false;
    d->key_update = false;
    /* RFC 8446 5.1: no handshake message spans a key change */
    capbuf_consume(&s->hs, s->hs.len);
    s->hs_skip = 0;
    if (e == NULL || e->secret_len[which] == 0) {
        dec_stop(s, c, from, DECRYPT_OK, frame);
        return;
    }
    memcpy(d->secret, e->secret[which], e->secret_len[which]);
    d->secret_len = e->secret_len[which];
    if (tls13_traffic_keys(c->sh.suite, d->secret, d->secret_len, &d->keys) != ST_OK) {
        dec_stop(s, c, from, DECRYPT_FAILED, frame);
        return;
    }
    s->dec_phase = DEC_APPLICATION;
}

/* A KeyUpdate alone in a record: handshake type 24, length 1 (RFC 8446 4.6.3). */
static bool is_key_update(const uint8_t *p, size_t n)
{
    struct cursor m = cur_make(p, n);
    uint8_t type, request;
    uint32_t len;
    return cur_u8(&m, &type) == ST_OK && type == HS_KEY_UPDATE && cur_u24(&m, &len) == ST_OK &&
           len == 1 && cur_u8(&m, &request) == ST_OK && cur_end(&m) == ST_OK;
}

static void dec_alert(struct tls_stream *s, struct conn *c, enum side from, const uint8_t *p,
                      size_t n, uint64_t frame, struct tstamp ts)
{
    /* RFC 8446 6: one alert per record, never fragmented: level, description */
    struct cursor m = cur_make(p, n);
    struct alert a = {0};
    if (cur_u8(&m, &a.level) != ST_OK || cur_u8(&m, &a.description) != ST_OK ||
        cur_end(&m) != ST_OK) {
        mark_malformed(c, from, "decrypted alert");
        return;
    }
    a.frame = frame;
    a.ts = ts;
    a.from = from;
    a.decrypted = true;
    a.record_len = s->rlen;
    conn_add_alert(c, &a);
}

/* The end of a buffered type 23 record: open it and pass on its content. */
static void dec_record_done(struct tls_conn_state *t, struct tls_stream *s, struct conn *c,
                            enum side from, uint64_t frame, struct tstamp ts)
{
    struct tls_decrypt *d = s->dec;
    size_t len = 0;
    uint8_t type = 0;
    d->buffering = false;
    if (tls13_open(&d->keys, s->hdr, d->rec.p, d->rec.len, d->rec.p, &len, &type) != ST_OK) {
        /* 0-RTT records precede the client's handshake records and are under
         * another secret (RFC 8446 2.3): pass them until one opens */
        if (from == SIDE_CLIENT && s->dec_phase == DEC_HANDSHAKE && !d->opened_one &&
            c->ch->has_early_data && d->early_records < DEC_MAX_EARLY_RECORDS) {
            d->early_records++;
            return;
        }
        dec_stop(s, c, from, DECRYPT_FAILED, frame);
        return;
    }
    d->opened_one = true;
    c->side[from].decrypted_records++;
    const uint8_t *plain = d->rec.p;
    switch (type) {
    case CT_HANDSHAKE:
        if (s->dec_phase == DEC_HANDSHAKE || !d->app_resync)
            handshake_bytes(s, c, from, plain, len, frame, ts, true);
        else if (is_key_update(plain, len))
            d->key_update = true;
        break;
    case CT_ALERT:
        dec_alert(s, c, from, plain, len, frame, ts);
        break;
    default:
        break; /* application data: skipped as before */
    }
    if (s->dec == NULL)
        return;
    if (s->dec_phase == DEC_HANDSHAKE && d->finished)
        dec_application_keys(t, s, c, from, frame);
    else if (s->dec_phase == DEC_APPLICATION && d->key_update)
        dec_key_update(s, c, from, frame);
}

static void record_done(struct tls_stream *s, struct conn *c, enum side from, uint64_t frame,
                        struct tstamp ts)
{
    struct side_facts *sf = &c->side[from];
    switch (s->rtype) {
    case CT_CHANGE_CIPHER_SPEC:
        if (sf->ccs_frame == 0)
            sf->ccs_frame = frame;
        conn_add_message(c, frame, ts, from, MSG_CHANGE_CIPHER_SPEC, false);
        /* TLS 1.3's CCS is a dummy for middleboxes (RFC 8446 D.4): a second
         * ClientHello may follow it in clear. Only TLS <= 1.2 switches here,
         * also when the capture missed the ServerHello. */
        if (!tls13_possible(c))
            s->encrypted = true;
        else
            s->ccs_maybe_dummy = true;
        break;
    case CT_ALERT: {
        struct alert a = {0};
        a.frame = frame;
        a.ts = ts;
        a.from = from;
        a.record_len = s->rlen;
        if (s->rlen == 2 && s->body_have == 2) {
            a.level = s->body[0];
            a.description = s->body[1];
        } else {
            a.encrypted = true;
        }
        conn_add_alert(c, &a);
        break;
    }
    default:
        break;
    }
}

static void application_record(struct conn *c, enum side from, uint16_t len, uint64_t frame,
                               struct tstamp ts)
{
    struct side_facts *sf = &c->side[from];
    if (sf->appdata_records < 8) {
        sf->appdata_len[sf->appdata_records] = len;
        sf->appdata_frames[sf->appdata_records] = frame;
    }
    if (sf->appdata_records == 0) {
        sf->appdata_frame = frame;
        sf->appdata_ts = ts;
        /* TLS 1.3 hides the rest of the handshake in type 23 records */
        if (conn_is_tls13(c))
            conn_add_message(c, frame, ts, from, MSG_ENCRYPTED_RECORDS, true);
    }
    sf->appdata_records++;
}

/* A load balancer's PROXY protocol header before the ClientHello (HAProxy
 * proxy-protocol.txt): "PROXY ...\r\n" (v1, at most 107 bytes) or the 12-byte
 * v2 signature, 4 more bytes and a length. Its length, or 0. */
static size_t proxy_header_len(const uint8_t *p, size_t n)
{
    static const uint8_t v2[12] = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
                                   0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a};
    if (n >= 8 && memcmp(p, "PROXY ", 6) == 0) {
        for (size_t i = 6; i + 1 < n && i < 107; i++)
            if (p[i] == '\r' && p[i + 1] == '\n')
                return i + 2;
        return 0;
    }
    if (n >= 16 && memcmp(p, v2, sizeof v2) == 0) {
        size_t len = 16 + (((size_t)p[14] << 8) | p[15]);
        return len <= n ? len : 0;
    }
    return 0;
}

static void start_stream(struct tls_stream *s, struct conn *c, enum side from,
                         const uint8_t *p, size_t n, uint64_t frame)
{
    struct side_facts *sf = &c->side[from];
    struct cursor cur = cur_make(p, n);
    uint8_t b0 = 0, b1 = 0, type = 0;
    if (cur_peek_u8(&cur, 0, &b0) != ST_OK)
        return; /* tls_feed never calls with nothing */
    bool have_b1 = cur_peek_u8(&cur, 1, &b1) == ST_OK;
    /* SSLv2 record (2-byte header, high bit set): CLIENT-HELLO (1),
     * CLIENT-MASTER-KEY (2, only after an SSLv2 SERVER-HELLO), SERVER-HELLO (4) */
    if (b0 >= 0x80 && cur_peek_u8(&cur, 2, &type) == ST_OK &&
        (type == 1 || type == 4 || (type == 2 && from == SIDE_CLIENT && c->sh.sslv2))) {
        s->state = TLS_SSLV2;
        s->v2_len = (uint16_t)(((b0 & 0x7f) << 8) | b1);
        capbuf_init(&s->v2, 2 + (size_t)s->v2_len);
        return;
    }
    if (b0 >= CT_CHANGE_CIPHER_SPEC && b0 <= CT_HEARTBEAT && (!have_b1 || b1 == 3)) {
        s->state = TLS_RECORDS;
        return;
    }
    s->state = TLS_NOT_TLS;
    sf->not_tls = true;
    sf->not_tls_frame = frame;
    size_t k = n < sizeof sf->first_bytes ? n : sizeof sf->first_bytes;
    memcpy(sf->first_bytes, p, k);
    sf->first_bytes_len = (uint8_t)k;
}

/* An SSLv2-format record: a CLIENT-HELLO in compatibility format, or a
 * genuine SSLv2 SERVER-HELLO. Anything after that is not followed. */
static size_t sslv2_bytes(struct tls_stream *s, struct conn *c, enum side from,
                          const uint8_t *p, size_t n, uint64_t frame, struct tstamp ts)
{
    size_t want = 2 + (size_t)s->v2_len - s->v2.len;
    size_t k = n < want ? n : want;
    if (capbuf_append(&s->v2, p, k) != ST_OK) {
        s->state = TLS_LOST;
        return n;
    }
    if (s->v2.len < 2 + (size_t)s->v2_len)
        return k;
    struct cursor m = cur_make(s->v2.p + 2, s->v2_len);
    uint8_t type = 0;
    struct hs_where w = {frame, frame, 1, ts, 0x0002};
    if (cur_u8(&m, &type) == ST_OK && type == 1 && from == SIDE_CLIENT) {
        conn_add_message(c, frame, ts, from, MSG_SSLV2_CLIENT_HELLO, false);
        if (hs_sslv2_client_hello(c, &m, &w) != ST_OK)
            mark_malformed(c, from, "SSLv2 CLIENT-HELLO");
        /* the server may answer with TLS records: so does the client afterwards */
        s->state = TLS_START;
    } else if (type == 2 && from == SIDE_CLIENT && c->sh.sslv2) {
        /* CLIENT-MASTER-KEY: the cipher kind the client picked (3 bytes) */
        struct slice kind;
        conn_add_message(c, frame, ts, from, MSG_SSLV2_CLIENT_MASTER_KEY, false);
        if (cur_take(&m, 3, &kind) == ST_OK)
            c->sh.sslv2_cipher = ((uint32_t)kind.ptr[0] << 16) | ((uint32_t)kind.ptr[1] << 8) |
                                 kind.ptr[2];
        s->state = TLS_SSLV2;
        s->v2_len = 0xffff; /* what follows is encrypted */
    } else if (type == 4 && from == SIDE_SERVER) {
        conn_add_message(c, frame, ts, from, MSG_SSLV2_SERVER_HELLO, false);
        c->sh.present = true;
        c->sh.sslv2 = true;
        c->sh.version = 0x0002;
        c->sh.frame = frame;
        c->sh.ts = ts;
        s->state = TLS_SSLV2;
        s->v2_len = 0xffff; /* never completes again: the session is not followed */
    } else {
        mark_malformed(c, from, "SSLv2 record");
        s->state = TLS_LOST;
    }
    capbuf_free(&s->v2);
    return k;
}

void tls_feed(struct tls_conn_state *t, struct conn *c, enum side from, const uint8_t *p,
              size_t n, uint64_t frame, struct tstamp ts)
{
    struct tls_stream *s = &t->dir[from];
    while (n > 0) {
        switch (s->state) {
        case TLS_START: {
            /* A capture that starts mid-connection may open on a TCP
             * keep-alive: one byte already sent, sent again. It says nothing. */
            if (c->mid_stream && n == 1 && c->side[from].bytes == 1)
                return;
            size_t skip = proxy_header_len(p, n);
            if (skip > 0 && from == SIDE_CLIENT) {
                c->side[from].proxy_header = true;
                p += skip;
                n -= skip;
                if (n == 0)
                    return;
            }
            start_stream(s, c, from, p, n, frame);
            continue;
        }
        case TLS_NOT_TLS:
            /* STARTTLS: plain text first, then a hello at a segment start */
            if (tls_sniff_hello(p, n, false) ==
                (from == SIDE_CLIENT ? TLS_HELLO_CLIENT : TLS_HELLO_SERVER)) {
                s->state = TLS_RECORDS;
                s->hdr_have = 0;
                c->side[from].starttls_frame = frame;
                continue;
            }
            return;
        case TLS_LOST:
            /* resynchronise only where a segment starts with a plausible header */
            if (n >= 5 && plausible_header(p)) {
                s->state = TLS_RECORDS;
                s->hdr_have = 0;
                /* records were lost: the sequence numbers are no longer known */
                if (s->dec != NULL)
                    dec_stop(s, c, from, DECRYPT_INTERRUPTED, frame);
                continue;
            }
            return;
        case TLS_SSLV2: {
            if (s->v2_len == 0xffff)
                return;
            size_t k = sslv2_bytes(s, c, from, p, n, frame, ts);
            p += k;
            n -= k;
            continue;
        }
        case TLS_RECORDS:
            break;
        }
        if (s->hdr_have < 5) {
            size_t k = 5 - s->hdr_have;
            if (k > n)
                k = n;
            memcpy(s->hdr + s->hdr_have, p, k);
            s->hdr_have += (uint8_t)k;
            p += k;
            n -= k;
            if (s->hdr_have < 5)
                return;
            if (!plausible_header(s->hdr)) {
                mark_malformed(c, from, "record header");
                s->state = TLS_LOST;
                s->hdr_have = 0;
                continue;
            }
            s->rtype = s->hdr[0];
            s->rversion = (uint16_t)((s->hdr[1] << 8) | s->hdr[2]);
            s->rlen = (uint16_t)((s->hdr[3] << 8) | s->hdr[4]);
            s->rleft = s->rlen;
            s->body_have = 0;
            c->side[from].records++;
            if (s->rtype == CT_APPLICATION_DATA) {
                application_record(c, from, s->rlen, frame, ts);
                if (s->dec_phase != DEC_OFF)
                    dec_record_start(t, s, c, from, frame);
            }
            if (s->rtype == CT_HANDSHAKE && s->encrypted) {
                /* the sender's Finished (or a renegotiation), protected */
                if (c->side[from].encrypted_hs_frame == 0) {
                    c->side[from].encrypted_hs_frame = frame;
                    conn_add_message(c, frame, ts, from, HS_FINISHED, true);
                }
            }
        }
        size_t k = n < s->rleft ? n : s->rleft;
        switch (s->rtype) {
        case CT_HANDSHAKE:
            /* after a CCS that may be TLS 1.3's dummy, only a hello is clear */
            if (!s->encrypted && s->ccs_maybe_dummy && s->rleft == s->rlen && s->hs.len == 0 &&
                k > 0 && p[0] != HS_CLIENT_HELLO && p[0] != HS_SERVER_HELLO) {
                s->encrypted = true;
                if (c->side[from].encrypted_hs_frame == 0) {
                    c->side[from].encrypted_hs_frame = frame;
                    conn_add_message(c, frame, ts, from, HS_FINISHED, true);
                }
            }
            if (!s->encrypted)
                handshake_bytes(s, c, from, p, k, frame, ts, false);
            break;
        case CT_ALERT:
        case CT_CHANGE_CIPHER_SPEC:
            for (size_t i = 0; i < k && s->body_have < sizeof s->body; i++)
                s->body[s->body_have++] = p[i];
            break;
        case CT_APPLICATION_DATA:
            if (s->dec != NULL && s->dec->buffering &&
                capbuf_append(&s->dec->rec, p, k) != ST_OK)
                dec_stop(s, c, from, DECRYPT_INTERRUPTED, frame);
            break;
        default:
            break;
        }
        p += k;
        n -= k;
        s->rleft -= (uint16_t)k;
        if (s->rleft == 0) {
            if (s->rtype == CT_APPLICATION_DATA && s->dec != NULL && s->dec->buffering)
                dec_record_done(t, s, c, from, frame, ts);
            record_done(s, c, from, frame, ts);
            s->hdr_have = 0;
        }
        if (s->state == TLS_LOST)
            return;
    }
}

void tls_gap(struct tls_conn_state *t, struct conn *c, enum side from, uint64_t missing,
             uint64_t frame)
{
    struct tls_stream *s = &t->dir[from];
    struct side_facts *sf = &c->side[from];
    sf->gaps++;
    sf->gap_bytes += missing;
    if (sf->gap_frame == 0)
        sf->gap_frame = frame;
    if (s->state == TLS_NOT_TLS || s->state == TLS_START)
        return;
    /* a hole in a record being decrypted, or one that loses records, ends
     * decryption; a hole in a record only counted past does not */
    bool inside_appdata = s->state == TLS_RECORDS && s->hdr_have == 5 &&
                          s->rtype == CT_APPLICATION_DATA && missing < s->rleft;
    if (s->dec != NULL && !(inside_appdata && !s->dec->buffering))
        dec_stop(s, c, from, DECRYPT_INTERRUPTED, frame);
    /* a hole inside application data we only skip anyway costs nothing */
    if (s->state == TLS_RECORDS && s->hdr_have == 5 && s->rtype == CT_APPLICATION_DATA &&
        missing < s->rleft) {
        s->rleft -= (uint16_t)missing;
        return;
    }
    s->state = TLS_LOST;
    s->hdr_have = 0;
    capbuf_free(&s->hs);
    s->hs_skip = 0;
}

void tls_init(struct tls_conn_state *t)
{
    memset(t, 0, sizeof *t);
    for (int i = 0; i < 2; i++)
        capbuf_init(&t->dir[i].hs, TLS_MAX_HANDSHAKE_BYTES + 4);
}

void tls_free(struct tls_conn_state *t)
{
    for (int i = 0; i < 2; i++) {
        struct tls_stream *s = &t->dir[i];
        capbuf_free(&s->hs);
        capbuf_free(&s->v2);
        s->dec_phase = DEC_OFF;
        if (s->dec != NULL) {
            capbuf_free(&s->dec->rec);
            tls13_wipe(s->dec, sizeof *s->dec);
            free(s->dec);
            s->dec = NULL;
        }
    }
}
