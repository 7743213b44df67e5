/* tls_stream.c: the TLS record layer over reassembled bytes (see tls_stream.h). */
#include <stdio.h>
#include <string.h>
#include "handshake.h"
#include "tls_stream.h"

enum {
    CT_CHANGE_CIPHER_SPEC = 20,
    CT_ALERT = 21,
    CT_HANDSHAKE = 22,
    CT_APPLICATION_DATA = 23,
    CT_HEARTBEAT = 24
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

/* Parses every complete handshake message waiting in the buffer. */
static void drain_handshake(struct tls_stream *s, struct conn *c, enum side from,
                            uint64_t frame, struct tstamp ts)
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
            /* too large to keep: note it and let its bytes pass */
            conn_add_message(c, frame, ts, from, type, false);
            c->side[from].handshake_overflow = true;
            size_t have = cur_left(&cur);
            s->hs_skip = len - (uint32_t)have;
            done = s->hs.len;
            break;
        }
        if (cur_take(&cur, len, &body) != ST_OK)
            break;
        struct hs_where w = {frame, s->hs_first_frame, s->hs_segments, ts, s->rversion};
        conn_add_message(c, frame, ts, from, type, false);
        if (hs_decode(c, from, type, cur_make(body.ptr, body.len), &w) != ST_OK)
            mark_malformed(c, from, "handshake message");
        done = cur.pos;
        s->hs_first_frame = frame;
        s->hs_segments = 1;
    }
    capbuf_consume(&s->hs, done);
    if (s->hs.len == 0)
        s->hs_segments = 0;
}

static void handshake_bytes(struct tls_stream *s, struct conn *c, enum side from,
                            const uint8_t *p, size_t n, uint64_t frame, struct tstamp ts)
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
    drain_handshake(s, c, from, frame, ts);
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
         * ClientHello may follow it in clear. Only TLS <= 1.2 switches here. */
        if (c->sh.present && !conn_is_tls13(c))
            s->encrypted = true;
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

static void start_stream(struct tls_stream *s, struct conn *c, enum side from,
                         const uint8_t *p, size_t n, uint64_t frame)
{
    struct side_facts *sf = &c->side[from];
    if (p[0] >= 0x80 && n >= 3 && (p[2] == 1 || p[2] == 4)) {
        s->state = TLS_SSLV2;
        s->v2_len = (uint16_t)(((p[0] & 0x7f) << 8) | p[1]);
        capbuf_init(&s->v2, 2 + (size_t)s->v2_len);
        return;
    }
    if (p[0] >= CT_CHANGE_CIPHER_SPEC && p[0] <= CT_HEARTBEAT && (n < 2 || p[1] == 3)) {
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
        case TLS_START:
            start_stream(s, c, from, p, n, frame);
            continue;
        case TLS_NOT_TLS:
            /* STARTTLS: plain text first, then a hello at a segment start */
            if (n >= 6 && plausible_header(p) && p[0] == CT_HANDSHAKE &&
                p[5] == (from == SIDE_CLIENT ? HS_CLIENT_HELLO : HS_SERVER_HELLO)) {
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
            if (s->rtype == CT_APPLICATION_DATA)
                application_record(c, from, s->rlen, frame, ts);
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
            if (!s->encrypted)
                handshake_bytes(s, c, from, p, k, frame, ts);
            break;
        case CT_ALERT:
        case CT_CHANGE_CIPHER_SPEC:
            for (size_t i = 0; i < k && s->body_have < sizeof s->body; i++)
                s->body[s->body_have++] = p[i];
            break;
        default:
            break;
        }
        p += k;
        n -= k;
        s->rleft -= (uint16_t)k;
        if (s->rleft == 0) {
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
        capbuf_free(&t->dir[i].hs);
        capbuf_free(&t->dir[i].v2);
    }
}
