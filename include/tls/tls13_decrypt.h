/* tls13_decrypt.h: TLS 1.3 record protection, the receiving half: traffic
 * keys from a traffic secret (RFC 8446 7.1, 7.3) and AEAD decryption of one
 * TLSCiphertext (RFC 8446 5.2-5.4), with libcrypto. */
#ifndef TLSX_TLS13_DECRYPT_H
#define TLSX_TLS13_DECRYPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "util/status.h"

#define TLS13_MAX_HASH 48   /* SHA-384 */
#define TLS13_MAX_KEY 32    /* AES-256, ChaCha20 */
#define TLS13_IV_LEN 12     /* RFC 8446 5.3: iv_length is 12 for every suite defined */
/* RFC 8446 5.2: TLSCiphertext.length MUST NOT exceed 2^14 + 256 */
#define TLS13_MAX_CIPHERTEXT (16384 + 256)

/* The keys of one direction under one traffic secret. */
struct tls13_keys {
    uint16_t suite;
    uint8_t key_len, tag_len;
    uint8_t key[TLS13_MAX_KEY];
    uint8_t iv[TLS13_IV_LEN];
    uint64_t seq;           /* RFC 8446 5.3: records read under these keys */
};

/* The five suites of RFC 8446 B.4 (0x1301-0x1305). */
bool tls13_suite_supported(uint16_t suite);
/* Hash.length of a suite's HKDF hash: 32 or 48, 0 if unknown. */
size_t tls13_hash_len(uint16_t suite);

/* RFC 8446 7.1: HKDF-Expand-Label(Secret, Label, Context, Length), the
 * label without its "tls13 " prefix. */
MUST_USE enum status tls13_expand_label(uint16_t suite, const uint8_t *secret, size_t secret_len,
                                        const char *label, const uint8_t *context,
                                        size_t context_len, uint8_t *out, size_t out_len);
/* RFC 8446 7.3: write key and iv from a traffic secret; seq starts at 0. */
MUST_USE enum status tls13_traffic_keys(uint16_t suite, const uint8_t *secret, size_t secret_len,
                                        struct tls13_keys *k);
/* RFC 8446 7.2: application_traffic_secret_N+1 after a KeyUpdate. */
MUST_USE enum status tls13_next_secret(uint16_t suite, const uint8_t *secret, size_t secret_len,
                                       uint8_t *out);
/* RFC 8446 5.2-5.4: decrypts one record under k. `header` is the record's
 * 5-byte header (the additional data), `in` its `len` body bytes. On ST_OK,
 * `out` (room for len bytes; it may be `in`) holds the content, padding and
 * type removed, *content_type the inner type, and k->seq has moved on.
 * ST_MALFORMED: the record does not authenticate under these keys (or has no
 * content type); ST_LIMIT: longer than 2^14 + 256; k is left unchanged. */
MUST_USE enum status tls13_open(struct tls13_keys *k, const uint8_t header[5], const uint8_t *in,
                                size_t len, uint8_t *out, size_t *out_len,
                                uint8_t *content_type);
/* Wipes keys and secrets that are no longer needed. */
void tls13_wipe(void *p, size_t n);

#endif
