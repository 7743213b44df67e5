/* tls12_prf.h: the pseudo-random functions of TLS 1.0 to 1.2 (RFC 2246 5,
 * RFC 4346 5, RFC 5246 5) and what they derive from a master secret: the
 * key block (RFC 5246 6.3) and Finished.verify_data (RFC 5246 7.4.9), with
 * libcrypto's TLS1-PRF. */
#ifndef TLSX_TLS12_PRF_H
#define TLSX_TLS12_PRF_H

#include <stddef.h>
#include <stdint.h>
#include "util/status.h"

#define TLS12_MASTER_LEN 48   /* RFC 5246 8.1: master_secret[48] */
#define TLS12_RANDOM_LEN 32

/* Which PRF: TLS 1.0 and 1.1 use P_MD5 XOR P_SHA1; TLS 1.2 uses P_<hash>
 * with the suite's hash (SHA-256 unless the suite names SHA-384). */
enum tls12_prf_hash { PRF_MD5_SHA1, PRF_SHA256, PRF_SHA384 };

/* PRF(secret, label, seed) = P_<hash>(secret, label + seed), out_len bytes.
 * The seed is seed1 + seed2 (either may be empty). */
MUST_USE enum status tls12_prf(enum tls12_prf_hash h, const uint8_t *secret, size_t secret_len,
                               const char *label, const uint8_t *seed1, size_t seed1_len,
                               const uint8_t *seed2, size_t seed2_len, uint8_t *out,
                               size_t out_len);

/* RFC 5246 6.3: key_block = PRF(master_secret, "key expansion",
 * server_random + client_random). */
MUST_USE enum status tls12_key_block(enum tls12_prf_hash h,
                                     const uint8_t master[TLS12_MASTER_LEN],
                                     const uint8_t client_random[TLS12_RANDOM_LEN],
                                     const uint8_t server_random[TLS12_RANDOM_LEN],
                                     uint8_t *out, size_t out_len);

/* RFC 5246 8.1: master_secret = PRF(pre_master_secret, "master secret",
 * ClientHello.random + ServerHello.random); RFC 7627 4: with the extended
 * master secret, PRF(pre_master_secret, "extended master secret",
 * session_hash) (pass the session hash as client_random, NULL server_random,
 * and its length). */
MUST_USE enum status tls12_master_secret(enum tls12_prf_hash h, const uint8_t *pre_master,
                                         size_t pre_master_len, const char *label,
                                         const uint8_t *seed1, size_t seed1_len,
                                         const uint8_t *seed2, size_t seed2_len,
                                         uint8_t master[TLS12_MASTER_LEN]);

/* RFC 5246 7.4.9: verify_data = PRF(master_secret, finished_label,
 * Hash(handshake_messages))[0..11]; label "client finished" or "server
 * finished". */
#define TLS12_VERIFY_DATA_LEN 12
MUST_USE enum status tls12_verify_data(enum tls12_prf_hash h,
                                       const uint8_t master[TLS12_MASTER_LEN],
                                       const char *label, const uint8_t *hash, size_t hash_len,
                                       uint8_t out[TLS12_VERIFY_DATA_LEN]);

#endif
