/* tls_stream.c: the TLS record layer over reassembled bytes (see tls_stream.h). */
#include <string.h>
#include "tls/handshake.h"
#include "tls/handshake_buffer.h"
#include "tls/keylog.h"
#include "tls/proxy_header.h"
#include "tls/record_decrypt.h"
#include "tls/sslv2.h"
#include "tls/tls_stream.h"
#include "tls/transcript.h"

static bool plausible_header(const uint8_t h[5])
{
    uint16_t len = (uint16_t)((h[3] << 8) | h[4]);
    return h[0] >= CT_CHANGE_CIPHER_SPEC && h[0] <= CT_HEARTBEAT && h[1] == 3 && h[2] <= 4 &&
           len <= TLS_MAX_RECORD_LEN;
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

static void record_done(struct tls_conn_state *t, struct tls_stream *s, struct conn *c,
                        enum side from, uint64_t frame, struct tstamp ts, bool opened)
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
        if (!tls13_possible(c)) {
            s->encrypted = true;
            tls_dec_ccs(t, s, c, from, frame);
        } else
            s->ccs_maybe_dummy = true;
        break;
    case CT_ALERT: {
        if (opened)
            break; /* decrypted: the alert is a fact already */
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
    struct cursor cur = cur_make(p, n);
    uint8_t b0 = 0, b1 = 0;
    if (cur_peek_u8(&cur, 0, &b0) != ST_OK)
        return; /* tls_feed never calls with nothing */
    bool have_b1 = cur_peek_u8(&cur, 1, &b1) == ST_OK;
    if (tls_sslv2_start(s, c, from, p, n))
        return;
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
    plain_feed(&s->plain, c, from, p, n, frame);
}

/* The handshake hashes, from the connection's first bytes, when a key log
 * is in use by then (a capture's embedded secrets may arrive mid-capture:
 * keylog_in_use). A connection that began before any secret keeps none: its
 * records may still open, its Finished goes unchecked, and a capture
 * without secrets pays nothing. Without it (out of memory) too. */
static void start_transcript(struct tls_conn_state *t)
{
    if (t->transcript != NULL || t->dir[0].state != TLS_START ||
        t->dir[1].state != TLS_START || !keylog_in_use(t->keylog))
        return;
    t->transcript = transcript_new();
    t->dir[0].transcript = t->dir[1].transcript = t->transcript;
}

void tls_feed(struct tls_conn_state *t, struct conn *c, enum side from, const uint8_t *p,
              size_t n, uint64_t frame, struct tstamp ts)
{
    struct tls_stream *s = &t->dir[from];
    while (n > 0) {
        switch (s->state) {
        case TLS_START: {
            start_transcript(t);
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
            plain_feed(&s->plain, c, from, p, n, frame);
            return;
        case TLS_LOST:
            /* resynchronise only where a segment starts with a plausible header */
            if (n >= 5 && plausible_header(p)) {
                s->state = TLS_RECORDS;
                s->hdr_have = 0;
                /* records were lost: the sequence numbers are no longer known */
                if (s->dec != NULL)
                    tls_dec_stop(s, c, from, DECRYPT_INTERRUPTED, frame);
                continue;
            }
            return;
        case TLS_SSLV2: {
            if (s->v2_len == 0xffff)
                return;
            size_t k = tls_sslv2_bytes(s, c, from, p, n, frame, ts);
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
                conn_mark_malformed(c, from, "record header");
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
            /* TLS <= 1.2 protects every record after the CCS; TLS 1.3 uses type 23 */
            if ((s->rtype == CT_APPLICATION_DATA && s->dec_phase != DEC_OFF) ||
                (s->dec_phase == DEC_TLS12 && s->rtype != CT_CHANGE_CIPHER_SPEC))
                tls_dec_record_start(t, s, c, from, frame);
            if (s->rtype == CT_HANDSHAKE && s->encrypted) {
                /* the sender's Finished (or a renegotiation), protected; when
                 * it is being decrypted, its type comes from the plaintext */
                if (c->side[from].encrypted_hs_frame == 0) {
                    c->side[from].encrypted_hs_frame = frame;
                    if (!tls_dec_buffering(s))
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
                tls_handshake_bytes(s, c, from, p, k, frame, ts, false);
            else
                tls_dec_record_bytes(s, c, from, p, k, frame);
            break;
        case CT_ALERT:
        case CT_CHANGE_CIPHER_SPEC:
            for (size_t i = 0; i < k && s->body_have < sizeof s->body; i++)
                s->body[s->body_have++] = p[i];
            if (s->rtype == CT_ALERT)
                tls_dec_record_bytes(s, c, from, p, k, frame);
            break;
        case CT_APPLICATION_DATA:
        default:
            tls_dec_record_bytes(s, c, from, p, k, frame);
            break;
        }
        p += k;
        n -= k;
        s->rleft -= (uint16_t)k;
        if (s->rleft == 0) {
            bool opened = tls_dec_record_done(t, s, c, from, frame, ts);
            record_done(t, s, c, from, frame, ts, opened);
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
    if (s->state == TLS_NOT_TLS)
        return;
    /* a hole before the stream's first byte: what follows may begin inside
     * a record and says nothing of the protocol; wait for a record start */
    if (s->state == TLS_START) {
        s->state = TLS_LOST;
        return;
    }
    /* a hole before the handshake is over may hide handshake messages */
    if (!s->encrypted)
        transcript_break(s->transcript);
    /* a hole in a record being decrypted, or one that loses records, ends
     * decryption; a hole in a record only counted past does not */
    bool inside_appdata = s->state == TLS_RECORDS && s->hdr_have == 5 &&
                          s->rtype == CT_APPLICATION_DATA && missing < s->rleft;
    if (s->dec != NULL && !(inside_appdata && !tls_dec_buffering(s)))
        tls_dec_stop(s, c, from, DECRYPT_INTERRUPTED, frame);
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

void tls_use_keylog(struct tls_conn_state *t, const struct keylog *k)
{
    t->keylog = k;
}

void tls_free(struct tls_conn_state *t)
{
    for (int i = 0; i < 2; i++) {
        struct tls_stream *s = &t->dir[i];
        capbuf_free(&s->hs);
        capbuf_free(&s->v2);
        s->dec_phase = DEC_OFF;
        tls_dec_free(s);
        s->transcript = NULL;
    }
    transcript_free(t->transcript);
    t->transcript = NULL;
}
