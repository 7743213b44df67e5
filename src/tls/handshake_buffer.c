/* handshake_buffer.c: handshake messages assembled from the records that carry them. */
#include "facts/conn.h"
#include "tls/handshake.h"
#include "tls/handshake_buffer.h"
#include "tls/record_decrypt.h"
#include "tls/transcript.h"

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
                conn_mark_malformed(c, from, "handshake message length");
                s->state = TLS_LOST;
                done = s->hs.len;
                break;
            }
            add_message(c, frame, ts, from, type, decrypted);
            c->side[from].handshake_overflow = true;
            transcript_break(s->transcript);
            size_t have = cur_left(&cur);
            s->hs_skip = len - (uint32_t)have;
            done = s->hs.len;
            break;
        }
        if (cur_take(&cur, len, &body) != ST_OK)
            break;
        if (!tls_handshake_type(type)) {
            /* not a message of TLS: encrypted bytes, or another protocol */
            conn_mark_malformed(c, from, "handshake message type");
            s->state = TLS_LOST;
            done = s->hs.len;
            break;
        }
        struct hs_where w = {.frame = frame,
                             .first_frame = s->hs_first_frame,
                             .segments = s->hs_segments,
                             .ts = ts,
                             .record_version = s->rversion};
        add_message(c, frame, ts, from, type, decrypted);
        /* RFC 5246 7.4.9: every message but HelloRequest is in the transcript */
        if (s->transcript != NULL && type != HS_HELLO_REQUEST)
            transcript_add(s->transcript, s->hs.p + done, 4 + (size_t)len);
        if (type == HS_CLIENT_KEY_EXCHANGE)
            transcript_mark_session(s->transcript);
        if (hs_decode(c, from, type, cur_make(body.ptr, body.len), &w) != ST_OK)
            conn_mark_malformed(c, from, "handshake message");
        if (decrypted)
            tls_dec_saw_message(s, type, cur_make(body.ptr, body.len), frame);
        done = cur.pos;
        s->hs_first_frame = frame;
        s->hs_segments = 1;
    }
    capbuf_consume(&s->hs, done);
    if (s->hs.len == 0)
        s->hs_segments = 0;
}

void tls_handshake_bytes(struct tls_stream *s, struct conn *c, enum side from,
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
        transcript_break(s->transcript);
        capbuf_free(&s->hs);
        s->state = TLS_LOST;
        return;
    }
    drain_handshake(s, c, from, frame, ts, decrypted);
}
