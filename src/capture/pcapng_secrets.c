/* pcapng_secrets.c: Decryption Secrets Blocks of a pcapng file (see
 * pcapng_secrets.h). Block layout (pcapng draft 3.1):
 *     uint32 block_type, uint32 block_total_length, body, uint32 block_total_length
 * in the byte order the Section Header Block's byte-order magic shows. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include "util/cursor.h"
#include "capture/pcapng_secrets.h"

enum {
    BT_SHB = 0x0A0D0D0A,   /* Section Header Block */
    BT_IDB = 0x00000001,   /* Interface Description */
    BT_PB = 0x00000002,    /* Packet (obsolete) */
    BT_SPB = 0x00000003,   /* Simple Packet */
    BT_EPB = 0x00000006,   /* Enhanced Packet */
    BT_DSB = 0x0000000A    /* Decryption Secrets */
};
#define BYTE_ORDER_MAGIC 0x1A2B3C4Du
#define BYTE_ORDER_SWAPPED 0x4D3C2B1Au
/* the file's start read for the scan: the SHB, IDBs and DSBs come first */
#define SCAN_MAX_BYTES (PCAPNG_MAX_SECRETS + (1u << 20))

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

/* DSB body: secrets_type, secrets_length, secrets_data (padded to 32 bits), options. */
static enum status read_dsb(struct cursor *body, bool swapped, struct capbuf *out,
                            unsigned *found)
{
    uint32_t type, len;
    struct slice data;
    TRY(cur_u32_order(body, swapped, &type));
    TRY(cur_u32_order(body, swapped, &len));
    TRY(cur_take(body, len, &data));
    if (type != PCAPNG_SECRETS_TLS)
        return ST_OK;
    (*found)++;
    if (data.len > out->max - out->len)
        return ST_OK; /* over the cap: the rest is not kept */
    TRY(capbuf_append(out, data.ptr, data.len));
    /* a key log's last line may lack its newline: keep blocks apart */
    return capbuf_append(out, (const uint8_t *)"\n", 1);
}

enum status pcapng_tls_secrets_bytes(const uint8_t *p, size_t n, struct capbuf *out,
                                     unsigned *found)
{
    struct cursor file = cur_make(p, n);
    bool swapped = false, in_section = false;
    *found = 0;
    for (unsigned blocks = 0; blocks < PCAPNG_MAX_BLOCKS && cur_left(&file) >= 12; blocks++) {
        uint32_t type_be, type, total, trailer;
        struct cursor head = file;
        if (cur_u32(&head, &type_be) != ST_OK)
            break;
        if (type_be == BT_SHB) {
            /* the SHB's own length is in the byte order its magic shows */
            uint32_t len_raw, magic;
            if (cur_u32(&head, &len_raw) != ST_OK || cur_u32(&head, &magic) != ST_OK ||
                (magic != BYTE_ORDER_MAGIC && magic != BYTE_ORDER_SWAPPED))
                break;
            swapped = magic == BYTE_ORDER_SWAPPED;
            in_section = true;
            type = BT_SHB;
            total = swapped ? swap32(len_raw) : len_raw;
        } else {
            if (!in_section)
                break; /* not pcapng */
            type = swapped ? swap32(type_be) : type_be;
            struct cursor lc = cur_make(p + file.pos + 4, cur_left(&file) - 4);
            if (cur_u32_order(&lc, swapped, &total) != ST_OK)
                break;
        }
        /* pcapng 3.1: a multiple of 4, at least the 12 bytes of the frame */
        if (total < 12 || total % 4 != 0 || total > PCAPNG_MAX_BLOCK || total > cur_left(&file))
            break;
        struct slice block;
        if (cur_take(&file, total, &block) != ST_OK)
            break;
        struct cursor b = cur_make(block.ptr, block.len), body;
        struct slice body_bytes;
        if (cur_skip(&b, 8) != ST_OK || cur_take(&b, total - 12, &body_bytes) != ST_OK ||
            cur_u32_order(&b, swapped, &trailer) != ST_OK || trailer != total)
            break;
        if (type == BT_EPB || type == BT_SPB || type == BT_PB)
            break; /* the first packet: secrets after it are not read */
        if (type != BT_DSB)
            continue;
        body = cur_make(body_bytes.ptr, body_bytes.len);
        enum status st = read_dsb(&body, swapped, out, found);
        if (st == ST_NOMEM)
            return st;
    }
    return ST_OK;
}

/* Appends the next block of f to head, unless it is a packet block or
 * breaks the format; false then, or at the end of the file. */
static bool next_block(FILE *f, bool *swapped, struct capbuf *head, enum status *st)
{
    uint8_t hdr[12];
    uint32_t type, total, magic;
    if (fread(hdr, 1, 8, f) != 8)
        return false;
    struct cursor h = cur_make(hdr, 8);
    if (cur_u32(&h, &type) != ST_OK)
        return false;
    size_t have = 8;
    if (type == BT_SHB) {
        if (fread(hdr + 8, 1, 4, f) != 4)
            return false;
        struct cursor m = cur_make(hdr + 8, 4);
        if (cur_u32(&m, &magic) != ST_OK ||
            (magic != BYTE_ORDER_MAGIC && magic != BYTE_ORDER_SWAPPED))
            return false;
        *swapped = magic == BYTE_ORDER_SWAPPED;
        have = 12;
    } else if (head->len == 0) {
        return false; /* a file that does not start with an SHB is no pcapng */
    } else if (*swapped) {
        type = swap32(type);
    }
    struct cursor l = cur_make(hdr + 4, 4);
    if (cur_u32_order(&l, *swapped, &total) != ST_OK || total < 12 || total % 4 != 0 ||
        total > PCAPNG_MAX_BLOCK || type == BT_EPB || type == BT_SPB || type == BT_PB)
        return false;
    if (total > head->max - head->len)
        return false; /* over the scan's cap */
    *st = capbuf_append(head, hdr, have);
    uint8_t buf[4096];
    size_t left = total - have;
    while (*st == ST_OK && left > 0) {
        size_t k = left < sizeof buf ? left : sizeof buf;
        if (fread(buf, 1, k, f) != k)
            return false;
        *st = capbuf_append(head, buf, k);
        left -= k;
    }
    return *st == ST_OK;
}

enum status pcapng_tls_secrets(const char *path, struct capbuf *out, unsigned *found)
{
    *found = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return ST_OK;
    /* only the blocks before the first packet are read: a few hundred bytes
     * in most captures, at most SCAN_MAX_BYTES */
    struct capbuf head;
    capbuf_init(&head, SCAN_MAX_BYTES);
    bool swapped = false;
    enum status st = ST_OK;
    for (unsigned blocks = 0; blocks < PCAPNG_MAX_BLOCKS; blocks++)
        if (!next_block(f, &swapped, &head, &st))
            break;
    fclose(f);
    if (st == ST_OK && head.len > 0)
        st = pcapng_tls_secrets_bytes(head.p, head.len, out, found);
    capbuf_free(&head);
    return st == ST_LIMIT ? ST_OK : st;
}
