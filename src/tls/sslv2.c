/* sslv2.c: SSLv2-format records, a compatibility CLIENT-HELLO or a genuine SSLv2 session. */
#include "tls/handshake.h"
#include "tls/sslv2.h"

bool tls_sslv2_start(struct tls_stream *s, const struct conn *c, enum side from,
                     const uint8_t *p, size_t n)
{
    struct cursor cur = cur_make(p, n);
    uint8_t b0 = 0, b1 = 0, type = 0;
    /* 2-byte header, high bit set: CLIENT-HELLO (1), CLIENT-MASTER-KEY (2,
     * only after an SSLv2 SERVER-HELLO), SERVER-HELLO (4) */
    if (cur_peek_u8(&cur, 0, &b0) != ST_OK || b0 < 0x80 || cur_peek_u8(&cur, 1, &b1) != ST_OK ||
        cur_peek_u8(&cur, 2, &type) != ST_OK ||
        !(type == 1 || type == 4 || (type == 2 && from == SIDE_CLIENT && c->sh.sslv2)))
        return false;
    s->state = TLS_SSLV2;
    s->v2_len = (uint16_t)(((b0 & 0x7f) << 8) | b1);
    capbuf_init(&s->v2, 2 + (size_t)s->v2_len);
    return true;
}

size_t tls_sslv2_bytes(struct tls_stream *s, struct conn *c, enum side from,
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
    struct hs_where w = {.frame = frame,
                         .first_frame = frame,
                         .segments = 1,
                         .ts = ts,
                         .record_version = 0x0002};
    if (cur_u8(&m, &type) == ST_OK && type == 1 && from == SIDE_CLIENT) {
        conn_add_message(c, frame, ts, from, MSG_SSLV2_CLIENT_HELLO, false);
        if (hs_sslv2_client_hello(c, &m, &w) != ST_OK)
            conn_mark_malformed(c, from, "SSLv2 CLIENT-HELLO");
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
        conn_mark_malformed(c, from, "SSLv2 record");
        s->state = TLS_LOST;
    }
    capbuf_free(&s->v2);
    return k;
}
