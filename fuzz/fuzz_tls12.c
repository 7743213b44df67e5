/* fuzz_tls12.c: SSL 3.0 and TLS 1.0-1.2 record opening (tls12_open,
 * tls12_skip) under keys from a fixed master secret, for every suite kind and
 * version: AES-GCM, AES-CCM_8, ChaCha20-Poly1305, AES-CBC with HMAC-SHA1 (TLS
 * 1.0 chained IV, TLS 1.1, TLS 1.2, with and without encrypt-then-MAC),
 * HMAC-SHA384, and SSL 3.0 CBC (its key block, MAC and padding rule).
 * Random bytes rarely authenticate, but everything before the tag or MAC
 * check runs on them: explicit nonces, lengths, CBC decryption and the
 * padding walk. The key schedule follows the records: a record that fails
 * leaves the keys as they were, one skipped moves them on.
 *
 * Input: ctl(1), then records: hdr(1) len(2, big-endian) body[len]
 *   ctl % 10      the suite and version (table below)
 *   hdr bits 0-1  content type 20 + (bits), the record's type
 *   hdr bit 2     skip the record (tls12_skip with its last bytes) instead
 *   hdr bit 3     the server's keys, else the client's */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "tls/tls12_decrypt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
    uint16_t suite, version;
    bool etm;
} cases[] = {
    {.suite = 0xC02F, .version = 0x0303, .etm = false}, /* ECDHE-RSA-AES128-GCM-SHA256 */
    {.suite = 0xC0A0, .version = 0x0303, .etm = false}, /* RSA-AES128-CCM_8 */
    {.suite = 0xCCA8, .version = 0x0303, .etm = false}, /* ECDHE-RSA-CHACHA20-POLY1305 */
    {.suite = 0xC013, .version = 0x0301, .etm = false}, /* AES128-SHA, TLS 1.0 */
    {.suite = 0xC013, .version = 0x0301, .etm = true},
    {.suite = 0xC014, .version = 0x0302, .etm = false}, /* AES256-SHA, TLS 1.1 */
    {.suite = 0xC028, .version = 0x0303, .etm = true},  /* AES256-SHA384 */
    {.suite = 0x000A, .version = 0x0303, .etm = false}, /* 3DES-EDE-CBC-SHA */
    {.suite = 0x002F, .version = 0x0300, .etm = false}, /* AES128-SHA, SSL 3.0 */
    {.suite = 0x000A, .version = 0x0300, .etm = false}, /* 3DES-EDE-CBC-SHA, SSL 3.0 */
};
#define N_CASES (sizeof cases / sizeof cases[0])

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t master[48] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    static const uint8_t cr[32] = {0xc1}, sr[32] = {0x5e};
    static uint8_t out[TLS12_MAX_CIPHERTEXT];
    struct tls12_keys k[2];
    if (size < 1)
        return 0;
    size_t c = data[0] % N_CASES;
    size_t pos = 1;
    for (int side = 0; side < 2; side++)
        if (tls12_keys_from_master(cases[c].version, cases[c].suite, cases[c].etm, master, cr,
                                   sr, side == 0, &k[side]) != ST_OK)
            __builtin_trap(); /* every case is a supported one */
    while (size - pos >= 3) {
        uint8_t hdr = data[pos];
        size_t len = (size_t)data[pos + 1] << 8 | data[pos + 2];
        pos += 3;
        if (len > size - pos)
            len = size - pos;
        /* a copy of exactly len bytes: a sanitizer sees any read past it */
        uint8_t *body = malloc(len ? len : 1);
        if (body == NULL)
            return 0;
        memcpy(body, data + pos, len);
        pos += len;
        struct tls12_keys *kk = &k[(hdr >> 3) & 1];
        struct tls12_keys before = *kk;
        if (hdr & 4) {
            size_t tail = tls12_tail_len(kk);
            tls12_skip(kk, tail <= len ? body + len - tail : body, tail <= len ? tail : 0);
            if (kk->seq != before.seq + 1)
                __builtin_trap();
        } else {
            size_t got = 0;
            enum status st = tls12_open(kk, (uint8_t)(20 + (hdr & 3)), kk->version, body, len,
                                        out, &got);
            if (st == ST_OK && (got > len || kk->seq != before.seq + 1))
                __builtin_trap();
            if (st != ST_OK && memcmp(kk, &before, sizeof before) != 0)
                __builtin_trap(); /* a record that fails changes nothing */
        }
        free(body);
    }
    return 0;
}
