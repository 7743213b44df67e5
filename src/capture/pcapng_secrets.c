/* pcapng_secrets.c: the Decryption Secrets Blocks of a pcapng stream (see
 * pcapng_secrets.h). Block layout (pcapng draft 3.1):
 *     uint32 block_type, uint32 block_total_length, body, uint32 block_total_length
 * in the byte order the Section Header Block's byte-order magic shows. The
 * walker takes the bytes as libpcap's reads bring them, in pieces of any
 * size: it keeps the header or trailer read so far, and how much of the body
 * is still to pass; only a secrets block's body is copied. */
#include <stdlib.h>
#include "util/cursor.h"
#include "capture/pcapng_secrets.h"

enum {
    BT_SHB = 0x0A0D0D0A,   /* Section Header Block */
    BT_PB = 0x00000002,    /* Packet (obsolete) */
    BT_SPB = 0x00000003,   /* Simple Packet */
    BT_EPB = 0x00000006,   /* Enhanced Packet */
    BT_DSB = 0x0000000A    /* Decryption Secrets */
};
#define BYTE_ORDER_MAGIC 0x1A2B3C4Du
#define BYTE_ORDER_SWAPPED 0x4D3C2B1Au
/* a secrets block's body: its own header, the secrets, padding, options */
#define DSB_BODY_MAX (PCAPNG_MAX_SECRETS + 4096u)
/* a kept block in `pend`: packets before it (8 bytes), length (4), key log */
#define PEND_HEADER 12u

enum walk_state {
    W_HEAD,     /* reading a block's type and length (and an SHB's magic) */
    W_BODY,     /* passing (or keeping) its body */
    W_TRAILER,  /* reading its closing length */
    W_DONE      /* not pcapng, damaged, or out of memory */
};

struct pcapng_secrets {
    enum walk_state state;
    bool swapped;             /* the section's byte order is not ours (big-endian read) */
    bool in_section;
    uint8_t hdr[12];          /* header or trailer bytes read so far */
    size_t hdr_len, hdr_want;
    uint32_t type, total;
    uint32_t body_left;
    bool keep;                /* the body is a secrets block's, copied to body */
    struct capbuf body;
    uint64_t packets;         /* packet blocks walked */
    struct capbuf pend;       /* kept blocks not released yet */
    uint64_t kept_blocks;
    struct pcapng_secrets_counts counts;
};

static uint32_t swap32(uint32_t v)
{
    return (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
}

/* Reads a 32-bit field in the section's byte order. */
static enum status cur_u32_order(struct cursor *c, bool swapped, uint32_t *out)
{
    uint32_t v;
    TRY(cur_u32(c, &v)); /* big-endian */
    *out = swapped ? swap32(v) : v;
    return ST_OK;
}

struct pcapng_secrets *pcapng_secrets_new(void)
{
    struct pcapng_secrets *w = calloc(1, sizeof *w);
    if (w == NULL)
        return NULL;
    w->hdr_want = 8;
    capbuf_init(&w->body, DSB_BODY_MAX);
    capbuf_init(&w->pend, PCAPNG_MAX_SECRETS + (size_t)PCAPNG_MAX_SECRET_BLOCKS * PEND_HEADER);
    return w;
}

void pcapng_secrets_free(struct pcapng_secrets *w)
{
    if (w == NULL)
        return;
    capbuf_free(&w->body);
    capbuf_free(&w->pend);
    free(w);
}

static void walk_stop(struct pcapng_secrets *w, bool damaged)
{
    w->state = W_DONE;
    if (damaged)
        w->counts.lost = true;
    capbuf_free(&w->body);
}

static void put_be(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

/* A whole secrets block body: secrets_type, secrets_length, secrets_data
 * (padded to 32 bits), options. Its key log is kept, or counted over the cap. */
static void block_done(struct pcapng_secrets *w)
{
    struct cursor b = cur_make(w->body.p, w->body.len);
    uint32_t type, len;
    struct slice data;
    if (cur_u32_order(&b, w->swapped, &type) != ST_OK ||
        cur_u32_order(&b, w->swapped, &len) != ST_OK || cur_take(&b, len, &data) != ST_OK ||
        type != PCAPNG_SECRETS_TLS)
        return;
    w->counts.blocks++;
    if (w->packets > 0)
        w->counts.late++;
    if (data.len > PCAPNG_MAX_SECRETS - w->counts.bytes ||
        w->kept_blocks == PCAPNG_MAX_SECRET_BLOCKS) {
        w->counts.over_cap++;
        return;
    }
    uint8_t head[PEND_HEADER];
    put_be(head, w->packets, 8);
    put_be(head + 8, data.len, 4);
    if (capbuf_append(&w->pend, head, sizeof head) != ST_OK ||
        capbuf_append(&w->pend, data.ptr, data.len) != ST_OK) {
        w->counts.nomem = true;
        walk_stop(w, false);
        return;
    }
    w->counts.bytes += data.len;
    w->kept_blocks++;
}

/* The header is read: the block's type and length, checked. */
static void header_done(struct pcapng_secrets *w)
{
    struct cursor h = cur_make(w->hdr, w->hdr_len);
    uint32_t type_be, len_raw, magic;
    if (cur_u32(&h, &type_be) != ST_OK || cur_u32(&h, &len_raw) != ST_OK) {
        walk_stop(w, true);
        return;
    }
    if (type_be == BT_SHB && w->hdr_len < 12) {
        w->hdr_want = 12; /* the byte-order magic tells how to read the length */
        return;
    }
    if (type_be == BT_SHB) {
        if (cur_u32(&h, &magic) != ST_OK ||
            (magic != BYTE_ORDER_MAGIC && magic != BYTE_ORDER_SWAPPED)) {
            walk_stop(w, w->in_section);
            return;
        }
        w->swapped = magic == BYTE_ORDER_SWAPPED;
        w->in_section = true;
        w->counts.pcapng = true;
        w->type = BT_SHB;
    } else if (!w->in_section) {
        walk_stop(w, false); /* not pcapng */
        return;
    } else {
        w->type = w->swapped ? swap32(type_be) : type_be;
    }
    w->total = w->swapped ? swap32(len_raw) : len_raw;
    /* pcapng 3.1: a multiple of 4, at least the header and the trailer */
    if (w->total < w->hdr_len + 4 || w->total % 4 != 0 || w->total > PCAPNG_MAX_BLOCK) {
        walk_stop(w, true);
        return;
    }
    if (w->type == BT_EPB || w->type == BT_SPB || w->type == BT_PB)
        w->packets++;
    w->body_left = w->total - (uint32_t)w->hdr_len - 4;
    w->keep = w->type == BT_DSB;
    capbuf_consume(&w->body, w->body.len);
    if (w->keep && w->body_left > DSB_BODY_MAX) {
        w->keep = false;
        w->counts.blocks++; /* of unknown type: counted as TLS, to say it was not read */
        w->counts.over_cap++;
    }
    w->state = W_BODY;
}

static void trailer_done(struct pcapng_secrets *w)
{
    struct cursor t = cur_make(w->hdr, w->hdr_len);
    uint32_t total;
    if (cur_u32_order(&t, w->swapped, &total) != ST_OK || total != w->total) {
        walk_stop(w, true);
        return;
    }
    if (w->keep)
        block_done(w);
    if (w->state == W_DONE)
        return;
    w->state = W_HEAD;
    w->hdr_len = 0;
    w->hdr_want = 8;
}

void pcapng_secrets_feed(struct pcapng_secrets *w, const uint8_t *p, size_t n)
{
    struct cursor in = cur_make(p, n);
    struct slice s;
    while (w->state != W_DONE && cur_left(&in) > 0) {
        if (w->state == W_BODY) {
            size_t k = cur_left(&in) < w->body_left ? cur_left(&in) : w->body_left;
            if (cur_take(&in, k, &s) != ST_OK)
                return;
            if (w->keep && capbuf_append(&w->body, s.ptr, s.len) != ST_OK) {
                w->counts.nomem = true;
                walk_stop(w, false);
                return;
            }
            w->body_left -= (uint32_t)k;
            if (w->body_left == 0) {
                w->state = W_TRAILER;
                w->hdr_len = 0;
                w->hdr_want = 4;
            }
            continue;
        }
        size_t want = w->hdr_want - w->hdr_len;
        size_t k = cur_left(&in) < want ? cur_left(&in) : want;
        if (cur_take(&in, k, &s) != ST_OK)
            return;
        for (size_t i = 0; i < s.len; i++)
            w->hdr[w->hdr_len++] = s.ptr[i];
        if (w->hdr_len < w->hdr_want)
            continue;
        if (w->state == W_HEAD)
            header_done(w);
        else
            trailer_done(w);
    }
}

bool pcapng_secrets_waiting(const struct pcapng_secrets *w)
{
    return w->pend.len > 0;
}

enum status pcapng_secrets_release(struct pcapng_secrets *w, uint64_t packets,
                                   pcapng_secrets_fn *fn, void *ud)
{
    struct cursor c = cur_make(w->pend.p, w->pend.len);
    enum status st = ST_OK;
    size_t done = 0;
    while (st == ST_OK && cur_left(&c) > 0) {
        uint32_t hi, lo, len;
        struct slice data;
        if (cur_u32(&c, &hi) != ST_OK || cur_u32(&c, &lo) != ST_OK ||
            cur_u32(&c, &len) != ST_OK || cur_take(&c, len, &data) != ST_OK)
            break;
        if (((uint64_t)hi << 32 | lo) > packets)
            break;
        st = fn(ud, data.ptr, data.len);
        /* a key log's last line may lack its newline: keep blocks apart */
        if (st == ST_OK)
            st = fn(ud, (const uint8_t *)"\n", 1);
        done = c.pos;
    }
    capbuf_consume(&w->pend, done);
    return st;
}

void pcapng_secrets_get_counts(const struct pcapng_secrets *w, struct pcapng_secrets_counts *out)
{
    *out = w->counts;
}

static enum status append_out(void *ud, const uint8_t *p, size_t n)
{
    struct capbuf *out = ud;
    if (n > out->max - out->len)
        return ST_OK; /* over the caller's cap: the rest is not kept */
    return capbuf_append(out, p, n);
}

enum status pcapng_tls_secrets_bytes(const uint8_t *p, size_t n, struct capbuf *out,
                                     unsigned *found)
{
    *found = 0;
    struct pcapng_secrets *w = pcapng_secrets_new();
    ENSURE(w != NULL, ST_NOMEM);
    pcapng_secrets_feed(w, p, n);
    enum status st = pcapng_secrets_release(w, UINT64_MAX, append_out, out);
    *found = w->counts.blocks;
    if (w->counts.nomem && st == ST_OK)
        st = ST_NOMEM;
    pcapng_secrets_free(w);
    return st;
}
