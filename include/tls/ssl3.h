/* ssl3.h: SSL 3.0's own constructions (RFC 6101), where TLS later put its
 * PRF and HMAC: the master secret and key block from MD5 and SHA-1 with the
 * salts 'A', 'BB', 'CCC' (6.1, 6.2.2), the record MAC with pad_1 and pad_2
 * (5.2.3.1) and Finished (5.6.9). The record layout itself (CBC with
 * chained IVs) is TLS 1.0's, in tls12_decrypt.c. */
#ifndef TLSX_SSL3_H
#define TLSX_SSL3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/types.h>
#include "util/status.h"

#define SSL3_RECORD_VERSION 0x0300
#define SSL3_MASTER_LEN 48
#define SSL3_RANDOM_LEN 32
#define SSL3_FINISHED_LEN 36  /* md5_hash[16] + sha_hash[20] */
#define SSL3_MAX_MAC 20       /* SHA-1 */
/* the salts run 'A' to 'Z' (26 rounds of MD5), enough for any SSL 3.0 suite */
#define SSL3_MAX_KEY_BLOCK (26 * 16)

enum ssl3_mac_hash { SSL3_MAC_MD5, SSL3_MAC_SHA1 };

/* RFC 6101 6.1: master_secret = MD5(pre_master + SHA('A' + pre_master +
 * client_random + server_random)) + the same with 'BB' and 'CCC'. */
MUST_USE enum status ssl3_master_secret(const uint8_t *pre_master, size_t pre_master_len,
                                        const uint8_t client_random[SSL3_RANDOM_LEN],
                                        const uint8_t server_random[SSL3_RANDOM_LEN],
                                        uint8_t master[SSL3_MASTER_LEN]);

/* RFC 6101 6.2.2: key_block = MD5(master + SHA('A' + master + server_random
 * + client_random)) + ... ('BB', 'CCC', ...) until out_len bytes. */
MUST_USE enum status ssl3_key_block(const uint8_t master[SSL3_MASTER_LEN],
                                    const uint8_t client_random[SSL3_RANDOM_LEN],
                                    const uint8_t server_random[SSL3_RANDOM_LEN], uint8_t *out,
                                    size_t out_len);

/* RFC 6101 5.2.3.1: hash(secret + pad_2 + hash(secret + pad_1 + seq_num +
 * type + length + data)), pads of 48 bytes for MD5, 40 for SHA-1; secret is
 * the hash's length. *out_len: 16 or 20. */
MUST_USE enum status ssl3_mac(enum ssl3_mac_hash h, const uint8_t *secret, uint64_t seq,
                              uint8_t type, const uint8_t *data, size_t len,
                              uint8_t out[SSL3_MAX_MAC], size_t *out_len);

/* RFC 6101 5.6.9: md5_hash + sha_hash, each hash(master + pad_2 +
 * hash(handshake_messages + Sender + master + pad_1)), Sender 0x434C4E54
 * (client) or 0x53525652 (server). md5_so_far and sha1_so_far hold
 * handshake_messages; they are copied, not changed. */
MUST_USE enum status ssl3_finished(const EVP_MD_CTX *md5_so_far, const EVP_MD_CTX *sha1_so_far,
                                   const uint8_t master[SSL3_MASTER_LEN], bool client,
                                   uint8_t out[SSL3_FINISHED_LEN]);

#endif
