/* tls12_decrypt.h: SSL 3.0 and TLS 1.0-1.2 record protection, the receiving
 * half: the keys of one direction from the master secret (RFC 5246 6.3;
 * RFC 6101 6.2.2 with ssl3.h) and the
 * opening of one TLSCiphertext: AEAD suites (AES-GCM, RFC 5288; AES-CCM,
 * RFC 6655; ChaCha20-Poly1305, RFC 7905) and CBC suites with HMAC
 * (RFC 5246 6.2.3.2; TLS 1.0's chained IV, RFC 2246 6.2.3.2), MAC-then-
 * encrypt or encrypt-then-MAC (RFC 7366); SSL 3.0 CBC with its own MAC and
 * padding (RFC 6101 5.2.3); with libcrypto. */
#ifndef TLSX_TLS12_DECRYPT_H
#define TLSX_TLS12_DECRYPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tls/tls12_prf.h"
#include "util/status.h"

#define TLS12_MAX_KEY 32   /* AES-256, ChaCha20 */
#define TLS12_MAX_IV 16    /* the AES block (CBC); AEADs use 4 or 12 */
#define TLS12_MAX_MAC 48   /* HMAC-SHA384 */
/* RFC 5246 6.2.3: TLSCiphertext.length MUST NOT exceed 2^14 + 2048 */
#define TLS12_MAX_CIPHERTEXT (16384 + 2048)

enum tls12_cipher_kind { TLS12_GCM, TLS12_CCM, TLS12_CHACHA, TLS12_CBC };

/* The keys of one direction. */
struct tls12_keys {
    uint16_t suite, version;
    bool etm;                    /* RFC 7366 encrypt_then_mac negotiated (CBC only) */
    uint8_t key[TLS12_MAX_KEY];
    uint8_t iv[TLS12_MAX_IV];    /* AEAD: the implicit part; TLS 1.0 CBC: the chained IV */
    uint8_t mac_key[TLS12_MAX_MAC];
    uint64_t seq;                /* RFC 5246 6.1: records read under these keys */
};

/* A suite libcrypto can open here. */
bool tls12_suite_supported(uint16_t suite);
/* The suite's PRF hash for `version` (0x0301-0x0303; SSL 3.0 has no PRF,
 * see ssl3.h, but hashes its handshake with MD5 and SHA-1 as well). */
enum tls12_prf_hash tls12_suite_prf(uint16_t suite, uint16_t version);
/* TLS 1.0 CBC: the IV of each record is the last ciphertext block of the
 * one before, so a record not opened must still give its last block. */
bool tls12_chained_iv(const struct tls12_keys *k);
/* The block size of a CBC suite (its chained IV's length), 0 for AEADs. */
size_t tls12_block_len(uint16_t suite);

/* RFC 5246 6.3: the keys of the client's (client_side) or the server's
 * writes, from the master secret and the two hello randoms; seq = 0.
 * version 0x0300 (SSL 3.0): CBC suites with SHA-1 only. */
MUST_USE enum status tls12_keys_from_master(uint16_t version, uint16_t suite, bool etm,
                                            const uint8_t master[TLS12_MASTER_LEN],
                                            const uint8_t client_random[TLS12_RANDOM_LEN],
                                            const uint8_t server_random[TLS12_RANDOM_LEN],
                                            bool client_side, struct tls12_keys *k);

/* Opens one record of content type `type` and version `rversion` (its
 * header), `len` body bytes at `in`. On ST_OK, `out` (room for len bytes;
 * not `in`) holds the plaintext, *out_len its length, and k->seq (and the
 * chained IV) moved on. ST_MALFORMED: the record does not authenticate (or
 * is too short for the suite); ST_LIMIT: longer than 2^14 + 2048; k is left
 * unchanged. */
MUST_USE enum status tls12_open(struct tls12_keys *k, uint8_t type, uint16_t rversion,
                                const uint8_t *in, size_t len, uint8_t *out, size_t *out_len);
/* TLS 1.0 CBC: how many of a record's last bytes hold the next chained IV
 * (the last ciphertext block, then the MAC with encrypt-then-MAC); 0 when
 * the IV is not chained. */
size_t tls12_tail_len(const struct tls12_keys *k);
/* A record not opened: the sequence number moves on, and in TLS 1.0 CBC
 * the chained IV comes from `tail`, the record's last tls12_tail_len bytes
 * (ignored when n differs). */
void tls12_skip(struct tls12_keys *k, const uint8_t *tail, size_t n);

#endif
