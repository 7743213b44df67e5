/* test_pcapng_secrets.c: Decryption Secrets Blocks read from pcapng bytes:
 * a file editcap --inject-secrets wrote (test-captures/decrypt), a
 * big-endian section built by hand from the pcapng block layout, and
 * hostile bytes (every truncation, every byte changed) that end the scan
 * without reading past the buffer. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "capture/pcapng_secrets.h"
#include "testlib.h"

static size_t read_file(const char *path, uint8_t *buf, size_t max)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return 0;
    size_t n = fread(buf, 1, max, f);
    fclose(f);
    return n;
}

static bool has(const struct capbuf *b, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; b->len >= n && i <= b->len - n; i++)
        if (memcmp(b->p + i, s, n) == 0)
            return true;
    return false;
}

TEST(editcap_file)
{
    static uint8_t file[1 << 16];
    size_t n = read_file("test-captures/decrypt/tls12-gcm-dsb.pcapng", file, sizeof file);
    struct capbuf out;
    unsigned found = 0;
    CHECK(n > 0);
    capbuf_init(&out, PCAPNG_MAX_SECRETS);
    CHECK_EQ_INT(pcapng_tls_secrets_bytes(file, n, &out, &found), ST_OK);
    CHECK_EQ_INT(found, 1);
    CHECK(has(&out, "CLIENT_RANDOM "));
    capbuf_free(&out);
    /* the file path gives the same */
    capbuf_init(&out, PCAPNG_MAX_SECRETS);
    CHECK_EQ_INT(pcapng_tls_secrets("test-captures/decrypt/tls12-gcm-dsb.pcapng", &out, &found),
                 ST_OK);
    CHECK_EQ_INT(found, 1);
    CHECK(has(&out, "CLIENT_RANDOM "));
    capbuf_free(&out);
    /* a pcap file has none */
    capbuf_init(&out, PCAPNG_MAX_SECRETS);
    CHECK_EQ_INT(pcapng_tls_secrets("test-captures/decrypt/tls12-gcm.pcap", &out, &found), ST_OK);
    CHECK_EQ_INT(found, 0);
    CHECK_EQ_INT(out.len, 0);
    capbuf_free(&out);
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

TEST(hostile_bytes_end_the_scan)
{
    static uint8_t file[1 << 16], bad[1 << 16];
    size_t n = read_file("test-captures/decrypt/tls12-gcm-dsb.pcapng", file, sizeof file);
    unsigned found;
    CHECK(n > 400);
    for (size_t cut = 0; cut < 400 && cut < n; cut++) {
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
    for (size_t i = 0; i < 400 && i < n; i++) {
        struct capbuf out;
        memcpy(bad, file, n);
        bad[i] ^= 0xff;
        capbuf_init(&out, PCAPNG_MAX_SECRETS);
        CHECK_EQ_INT(pcapng_tls_secrets_bytes(bad, n, &out, &found), ST_OK);
        CHECK(found <= 1);
        capbuf_free(&out);
    }
}

TEST_MAIN("pcapng_secrets", TEST_ENTRY(editcap_file), TEST_ENTRY(big_endian_section),
          TEST_ENTRY(hostile_bytes_end_the_scan))
