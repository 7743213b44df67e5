/* test_pcapng_secrets.c: Decryption Secrets Blocks found by the block walker:
 * files editcap --inject-secrets and mergecap wrote (test-captures/decrypt),
 * the same bytes fed in pieces of every size, a big-endian section built by
 * hand from the pcapng block layout, blocks after packets released only
 * once those packets are read, the cap, and hostile bytes (every
 * truncation, every byte changed) that end the walk without reading past
 * the buffer. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "capture/pcapng_secrets.h"
#include "testlib.h"

static bool has(const struct capbuf *b, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; b->len >= n && i <= b->len - n; i++)
        if (memcmp(b->p + i, s, n) == 0)
            return true;
    return false;
}

static enum status to_capbuf(void *ud, const uint8_t *p, size_t n)
{
    return capbuf_append(ud, p, n);
}

/* The key log of a whole file walked at once (out: init'ed here); the
 * number of secrets blocks, or -1 when the file cannot be read. */
static int file_secrets(const char *path, struct capbuf *out)
{
    static uint8_t file[1 << 16];
    size_t n = testlib_read_file(path, file, sizeof file);
    unsigned found = 0;
    capbuf_init(out, PCAPNG_MAX_SECRETS);
    if (n == 0 || pcapng_tls_secrets_bytes(file, n, out, &found) != ST_OK)
        return -1;
    return (int)found;
}

TEST(editcap_file)
{
    struct capbuf out;
    CHECK_EQ_INT(file_secrets("test-captures/decrypt/tls12-gcm-dsb.pcapng", &out), 1);
    CHECK(has(&out, "CLIENT_RANDOM "));
    capbuf_free(&out);
    /* a pcap file has none */
    CHECK_EQ_INT(file_secrets("test-captures/decrypt/tls12-gcm.pcap", &out), 0);
    CHECK_EQ_INT(out.len, 0);
    capbuf_free(&out);
}

/* The same secrets whatever the size of the reads that bring the bytes. */
TEST(pieces_of_every_size)
{
    static uint8_t file[1 << 16];
    size_t n = testlib_read_file("test-captures/decrypt/tls12-gcm-dsb-late.pcapng", file, sizeof file);
    struct capbuf whole;
    CHECK(n > 0);
    CHECK_EQ_INT(file_secrets("test-captures/decrypt/tls12-gcm-dsb-late.pcapng", &whole), 1);
    for (size_t piece = 1; piece <= 300; piece += piece < 16 ? 1 : 37) {
        struct pcapng_secrets *w = pcapng_secrets_new();
        struct capbuf out;
        CHECK(w != NULL);
        if (w == NULL)
            break;
        capbuf_init(&out, PCAPNG_MAX_SECRETS);
        for (size_t at = 0; at < n; at += piece)
            pcapng_secrets_feed(w, file + at, n - at < piece ? n - at : piece);
        CHECK_EQ_INT(pcapng_secrets_release(w, UINT64_MAX, to_capbuf, &out), ST_OK);
        CHECK(out.len == whole.len && memcmp(out.p, whole.p, out.len) == 0);
        struct pcapng_secrets_counts k;
        pcapng_secrets_get_counts(w, &k);
        CHECK(k.blocks == 1 && k.late == 1 && !k.lost && !k.nomem);
        capbuf_free(&out);
        pcapng_secrets_free(w);
    }
    capbuf_free(&whole);
}

/* mergecap -a put the block after packet 3: it waits until 3 packets are read. */
TEST(released_after_the_packets_before_it)
{
    static uint8_t file[1 << 16];
    size_t n = testlib_read_file("test-captures/decrypt/tls12-gcm-dsb-late.pcapng", file, sizeof file);
    struct pcapng_secrets *w = pcapng_secrets_new();
    struct capbuf out;
    CHECK(n > 0 && w != NULL);
    if (w == NULL)
        return;
    capbuf_init(&out, PCAPNG_MAX_SECRETS);
    pcapng_secrets_feed(w, file, n);
    CHECK(pcapng_secrets_waiting(w));
    CHECK_EQ_INT(pcapng_secrets_release(w, 2, to_capbuf, &out), ST_OK);
    CHECK_EQ_INT(out.len, 0);
    CHECK_EQ_INT(pcapng_secrets_release(w, 3, to_capbuf, &out), ST_OK);
    CHECK(has(&out, "CLIENT_RANDOM "));
    CHECK(!pcapng_secrets_waiting(w));
    size_t len = out.len;
    CHECK_EQ_INT(pcapng_secrets_release(w, UINT64_MAX, to_capbuf, &out), ST_OK);
    CHECK_EQ_INT(out.len, len); /* handed out once */
    capbuf_free(&out);
    pcapng_secrets_free(w);
}

/* SHB (28 bytes, big-endian), DSB (28 bytes) with 5 bytes of TLS key log padded to 8 */
static const uint8_t big_endian[] = {
    0x0A, 0x0D, 0x0D, 0x0A, 0, 0, 0, 28, 0x1A, 0x2B, 0x3C, 0x4D, 0, 1, 0, 0,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 28,
    0, 0, 0, 0x0A, 0, 0, 0, 28, 0x54, 0x4c, 0x53, 0x4b, 0, 0, 0, 5,
    'h', 'e', 'l', 'l', 'o', 0, 0, 0, 0, 0, 0, 28};

TEST(big_endian_section)
{
    struct capbuf out;
    unsigned found = 0;
    capbuf_init(&out, PCAPNG_MAX_SECRETS);
    CHECK_EQ_INT(pcapng_tls_secrets_bytes(big_endian, sizeof big_endian, &out, &found), ST_OK);
    CHECK_EQ_INT(found, 1);
    CHECK(out.len == 6 && memcmp(out.p, "hello\n", 6) == 0);
    capbuf_free(&out);
}

/* Little-endian blocks by hand: SHB, then DSBs of `len` key log bytes. */
static size_t put_le(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
    return 4;
}

static size_t put_dsb(uint8_t *p, uint32_t len)
{
    /* type, length, secrets type, secrets length, secrets (padded), length */
    uint32_t padded = (len + 3) & ~3u, total = 20 + padded;
    size_t o = put_le(p, 0x0A);
    o += put_le(p + o, total);
    o += put_le(p + o, PCAPNG_SECRETS_TLS);
    o += put_le(p + o, len);
    memset(p + o, 'x', padded);
    o += padded;
    o += put_le(p + o, total);
    return o;
}

/* Over PCAPNG_MAX_SECRETS, a block is counted and not kept. */
TEST(over_the_cap_is_counted)
{
    size_t big = PCAPNG_MAX_SECRETS - 8;
    uint8_t *p = malloc(28 + 2 * (big + 64));
    CHECK(p != NULL);
    if (p == NULL)
        return;
    size_t o = 0;
    o += put_le(p + o, 0x0A0D0D0A);
    o += put_le(p + o, 28);
    o += put_le(p + o, 0x1A2B3C4D);
    o += put_le(p + o, 1);
    memset(p + o, 0xff, 8);
    o += 8;
    o += put_le(p + o, 28);
    o += put_dsb(p + o, (uint32_t)big);
    o += put_dsb(p + o, 64); /* 8 + 64 > the room left */
    struct pcapng_secrets *w = pcapng_secrets_new();
    CHECK(w != NULL);
    if (w != NULL) {
        pcapng_secrets_feed(w, p, o);
        struct pcapng_secrets_counts k;
        pcapng_secrets_get_counts(w, &k);
        CHECK_EQ_INT(k.blocks, 2);
        CHECK_EQ_INT(k.over_cap, 1);
        CHECK(k.bytes == big && !k.lost);
    }
    pcapng_secrets_free(w);
    free(p);
}

TEST(hostile_bytes_end_the_walk)
{
    static uint8_t file[1 << 16], bad[1 << 16];
    size_t n = testlib_read_file("test-captures/decrypt/tls12-gcm-dsb-late.pcapng", file, sizeof file);
    unsigned found;
    CHECK(n > 1200);
    for (size_t cut = 0; cut < 1200 && cut < n; cut++) {
        struct capbuf out;
        capbuf_init(&out, PCAPNG_MAX_SECRETS);
        /* a copy of exactly `cut` bytes: a sanitizer sees any read past it */
        uint8_t *p = malloc(cut ? cut : 1);
        CHECK(p != NULL);
        if (p == NULL)
            return;
        memcpy(p, file, cut);
        CHECK_EQ_INT(pcapng_tls_secrets_bytes(p, cut, &out, &found), ST_OK);
        free(p);
        capbuf_free(&out);
    }
    for (size_t i = 0; i < 1200 && i < n; i++) {
        struct capbuf out;
        memcpy(bad, file, n);
        bad[i] ^= 0xff;
        capbuf_init(&out, PCAPNG_MAX_SECRETS);
        CHECK_EQ_INT(pcapng_tls_secrets_bytes(bad, n, &out, &found), ST_OK);
        CHECK(found <= 1);
        capbuf_free(&out);
    }
}

TEST_MAIN("pcapng_secrets", TEST_ENTRY(editcap_file), TEST_ENTRY(pieces_of_every_size),
          TEST_ENTRY(released_after_the_packets_before_it), TEST_ENTRY(big_endian_section),
          TEST_ENTRY(over_the_cap_is_counted), TEST_ENTRY(hostile_bytes_end_the_walk))
