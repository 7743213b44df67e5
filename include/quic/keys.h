/* keys.h: QUIC packet protection as an observer needs it (RFC 9001 5):
 * Initial secrets from the client's first Destination Connection ID, and
 * keys from TLS secrets (a key log) for the three TLS 1.3 suites QUIC uses;
 * AEAD payload protection, AES or ChaCha20 header protection. */
#ifndef TLSX_QUIC_KEYS_H
#define TLSX_QUIC_KEYS_H

#include <stddef.h>
#include <stdint.h>
#include "quic/version.h"
#include "util/status.h"

#define QUIC_MAX_CID 20        /* RFC 9000 17.2: v1 connection IDs are at most 20 bytes */
#define QUIC_SECRET_LEN 32     /* SHA-256: Initial secrets */
#define QUIC_MAX_SECRET 48     /* SHA-384 */
#define QUIC_TAG_LEN 16
#define QUIC_SAMPLE_LEN 16

/* RFC 9001 5.3 and 5.4: the AEAD and its header protection cipher */
enum quic_aead {
    QUIC_AES_128_GCM = 0,      /* TLS_AES_128_GCM_SHA256, and every Initial packet */
    QUIC_AES_256_GCM,          /* TLS_AES_256_GCM_SHA384 */
    QUIC_CHACHA20_POLY1305     /* TLS_CHACHA20_POLY1305_SHA256 */
};

struct quic_keys {
    enum quic_aead aead;
    uint8_t key[32];
    uint8_t iv[12];
    uint8_t hp[32];
};

/* RFC 8446 7.1 HKDF-Expand-Label with SHA-256 and an empty context. */
MUST_USE enum status quic_expand_label(const uint8_t *secret, size_t secret_len,
                                       const char *label, uint8_t *out, size_t out_len);
/* Keys of a TLS 1.3 traffic secret for a cipher suite (0x1301-0x1303);
 * ST_UNSUPPORTED for another suite or a secret of the wrong length. */
MUST_USE enum status quic_keys_from_tls(const struct quic_version *v, uint16_t suite,
                                        const uint8_t *secret, size_t secret_len,
                                        struct quic_keys *out);
/* RFC 9001 5.2: initial_secret = HKDF-Extract(salt, dcid), then "client in"
 * and "server in". */
MUST_USE enum status quic_initial_secrets(const struct quic_version *v, const uint8_t *dcid,
                                          size_t dcid_len, uint8_t client[QUIC_SECRET_LEN],
                                          uint8_t server[QUIC_SECRET_LEN]);
/* RFC 9001 5.1 (RFC 9369 3.3.2 for v2's labels): key, iv and hp of a secret. */
MUST_USE enum status quic_keys_derive(const struct quic_version *v,
                                      const uint8_t secret[QUIC_SECRET_LEN],
                                      struct quic_keys *out);
/* Both directions' Initial keys from the client's first DCID. */
MUST_USE enum status quic_initial_keys(const struct quic_version *v, const uint8_t *dcid,
                                       size_t dcid_len, struct quic_keys *client,
                                       struct quic_keys *server);
/* RFC 9001 5.4.3: mask = AES-ECB(hp, sample), the first 5 bytes; 5.4.4 for
 * ChaCha20: the sample is the block counter and nonce. */
MUST_USE enum status quic_hp_mask(const struct quic_keys *k,
                                  const uint8_t sample[QUIC_SAMPLE_LEN], uint8_t mask[5]);
/* RFC 9001 5.3: the AEAD with nonce = iv XOR packet number; the
 * associated data is the unprotected header, given in pieces (the first
 * byte and the packet number differ from the bytes on the wire). Writes
 * ct_len - 16 bytes to out; ST_MALFORMED when the tag does not verify. */
struct quic_aad {
    const uint8_t *part[3];
    size_t len[3];
};
MUST_USE enum status quic_aead_open(const struct quic_keys *k, uint64_t pn,
                                    const struct quic_aad *aad, const uint8_t *ct,
                                    size_t ct_len, uint8_t *out);

#endif
