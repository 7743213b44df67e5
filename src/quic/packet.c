/* packet.c: QUIC long headers and their protection, every byte through the cursor. */
#include <string.h>
#include "quic/packet.h"

enum {
    HDR_FORM = 0x80,      /* RFC 9000 17.2: 1 = long header */
    HDR_FIXED = 0x40,     /* RFC 9000 17.2: the fixed bit */
    HDR_PN_LEN = 0x03,    /* packet number length - 1, under header protection */
    RETRY_TAG_LEN = 16    /* RFC 9001 5.8: Retry integrity tag */
};

enum status quic_varint(struct cursor *c, uint64_t *out)
{
    uint8_t b;
    TRY(cur_u8(c, &b));
    unsigned extra = (1u << (b >> 6)) - 1;  /* 0, 1, 3 or 7 more bytes */
    uint64_t v = b & 0x3f;
    for (unsigned i = 0; i < extra; i++) {
        TRY(cur_u8(c, &b));
        v = (v << 8) | b;
    }
    *out = v;
    return ST_OK;
}

static enum status connection_id(struct cursor *c, struct slice *out)
{
    uint8_t len;
    TRY(cur_u8(c, &len));
    /* RFC 8999 5.1: any version may use up to 255 bytes; v1 and v2 at most 20 */
    return cur_take(c, len, out);
}

enum status quic_packet_parse(struct cursor *dgram, struct quic_long *out)
{
    size_t start = dgram->pos;
    memset(out, 0, sizeof *out);
    TRY(cur_u8(dgram, &out->first));
    if (!(out->first & HDR_FORM)) {
        out->form = QUIC_FORM_SHORT;
        out->packet.ptr = dgram->buf + start;
        out->packet.len = dgram->len - start;
        dgram->pos = dgram->len;
        return ST_OK;
    }
    TRY(cur_u32(dgram, &out->version));
    TRY(connection_id(dgram, &out->dcid));
    TRY(connection_id(dgram, &out->scid));
    if (out->version == QUIC_VERSION_NEGOTIATION) {
        /* RFC 9000 17.2.1: Supported Version (32) ... to the end of the datagram */
        out->form = QUIC_FORM_VERSION_NEG;
        out->versions = cur_rest(dgram);
        ENSURE(cur_left(&out->versions) % 4 == 0, ST_MALFORMED);
        out->packet.ptr = dgram->buf + start;
        out->packet.len = dgram->len - start;
        return ST_OK;
    }
    out->form = QUIC_FORM_LONG;
    out->known = quic_version_find(out->version);
    /* RFC 9000 17.2: the fixed bit is 1 in every packet but Version Negotiation */
    ENSURE(out->first & HDR_FIXED, ST_MALFORMED);
    if (out->known == NULL) {
        /* the rest follows rules of that version: not ours to read */
        out->packet.ptr = dgram->buf + start;
        out->packet.len = dgram->len - start;
        dgram->pos = dgram->len;
        return ST_OK;
    }
    ENSURE(out->dcid.len <= QUIC_MAX_CID && out->scid.len <= QUIC_MAX_CID, ST_MALFORMED);
    out->type = quic_version_ptype(out->known, out->first);
    if (out->type == QUIC_PT_RETRY && out->known->retry_odcid) {
        /* draft-24 17.2.5: ODCID Len (8), ODCID (0..160), Retry Token (..) */
        struct slice odcid;
        TRY(connection_id(dgram, &odcid));
        ENSURE(odcid.len <= QUIC_MAX_CID, ST_MALFORMED);
        TRY(cur_take(dgram, cur_left(dgram), &out->token));
        out->packet.ptr = dgram->buf + start;
        out->packet.len = dgram->len - start;
        return ST_OK;
    }
    if (out->type == QUIC_PT_RETRY) {
        /* RFC 9000 17.2.5: Retry Token (..), Retry Integrity Tag (128) */
        ENSURE(cur_left(dgram) >= RETRY_TAG_LEN, ST_TRUNCATED);
        TRY(cur_take(dgram, cur_left(dgram) - RETRY_TAG_LEN, &out->token));
        TRY(cur_skip(dgram, RETRY_TAG_LEN));
        out->packet.ptr = dgram->buf + start;
        out->packet.len = dgram->len - start;
        return ST_OK;
    }
    if (out->type == QUIC_PT_INITIAL) {
        uint64_t token_len;
        TRY(quic_varint(dgram, &token_len));
        ENSURE(token_len <= cur_left(dgram), ST_TRUNCATED);
        TRY(cur_take(dgram, (size_t)token_len, &out->token));
    }
    uint64_t length;
    TRY(quic_varint(dgram, &length));
    /* RFC 9000 17.2: Length covers the packet number and the payload */
    ENSURE(length <= cur_left(dgram), ST_TRUNCATED);
    out->pn_offset = dgram->pos - start;
    TRY(cur_skip(dgram, (size_t)length));
    out->packet.ptr = dgram->buf + start;
    out->packet.len = dgram->pos - start;
    return ST_OK;
}

uint64_t quic_pn_decode(uint64_t largest, uint64_t truncated, unsigned bits)
{
    /* RFC 9000 A.3, with "no packet yet" as largest = UINT64_MAX (expected 0) */
    uint64_t expected = largest == UINT64_MAX ? 0 : largest + 1;
    uint64_t win = (uint64_t)1 << bits, hwin = win / 2, mask = win - 1;
    uint64_t candidate = (expected & ~mask) | truncated;
    if (expected >= hwin && candidate <= expected - hwin && candidate < ((uint64_t)1 << 62) - win)
        return candidate + win;
    if (candidate > expected + hwin && candidate >= win)
        return candidate - win;
    return candidate;
}

enum status quic_packet_open(const struct quic_long *p, const struct quic_keys *k,
                             uint64_t largest, uint8_t *out, size_t *out_len, uint64_t *pn)
{
    ENSURE(p->form == QUIC_FORM_LONG && p->known != NULL && p->type != QUIC_PT_RETRY,
           ST_UNSUPPORTED);
    struct cursor c = cur_make(p->packet.ptr, p->packet.len);
    struct slice sample;
    uint8_t mask[5], first, pnb[4];
    /* RFC 9001 5.4.2: the sample starts 4 bytes after the packet number starts */
    TRY(cur_skip(&c, p->pn_offset));
    struct cursor s = c;
    TRY(cur_skip(&s, 4));
    TRY(cur_take(&s, QUIC_SAMPLE_LEN, &sample));
    TRY(quic_hp_mask(k, sample.ptr, mask));
    first = p->first ^ (mask[0] & 0x0f);  /* long header: 4 bits protected */
    unsigned pn_len = (first & HDR_PN_LEN) + 1u;
    uint64_t truncated = 0;
    for (unsigned i = 0; i < pn_len; i++) {
        uint8_t b;
        TRY(cur_u8(&c, &b));
        pnb[i] = b ^ mask[1 + i];
        truncated = (truncated << 8) | pnb[i];
    }
    *pn = quic_pn_decode(largest, truncated, 8 * pn_len);
    /* RFC 9001 5.3: the associated data is the header, unprotected */
    struct quic_aad aad = {.part = {&first, p->packet.ptr + 1, pnb},
                           .len = {1, p->pn_offset - 1, pn_len}};
    struct cursor body = cur_rest(&c);
    ENSURE(cur_left(&body) >= QUIC_TAG_LEN, ST_TRUNCATED);
    TRY(quic_aead_open(k, *pn, &aad, body.buf + body.pos, cur_left(&body), out));
    *out_len = cur_left(&body) - QUIC_TAG_LEN;
    return ST_OK;
}
