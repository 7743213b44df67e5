/* tls12_prf.c: the PRFs of TLS 1.0-1.2 with libcrypto's TLS1-PRF (see tls12_prf.h). */
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include "tls/tls12_prf.h"

/* the longest seed used: a label and two randoms, or a session hash */
#define PRF_MAX_SEED 192

static const char *digest_name(enum tls12_prf_hash h)
{
    switch (h) {
    case PRF_MD5_SHA1:
        return "MD5-SHA1"; /* RFC 2246 5: P_MD5 XOR P_SHA-1, halves of the secret */
    case PRF_SHA256:
        return "SHA256";
    case PRF_SHA384:
        return "SHA384";
    }
    return "SHA256";
}

enum status tls12_prf(enum tls12_prf_hash h, const uint8_t *secret, size_t secret_len,
                      const char *label, const uint8_t *seed1, size_t seed1_len,
                      const uint8_t *seed2, size_t seed2_len, uint8_t *out, size_t out_len)
{
    uint8_t seed[PRF_MAX_SEED];
    size_t label_len = strlen(label);
    ENSURE(label_len <= sizeof seed && seed1_len <= sizeof seed - label_len &&
               seed2_len <= sizeof seed - label_len - seed1_len,
           ST_LIMIT);
    ENSURE(secret_len > 0 && out_len > 0, ST_MALFORMED);
    /* RFC 5246 5: PRF(secret, label, seed) = P_<hash>(secret, label + seed) */
    memcpy(seed, label, label_len);
    if (seed1_len > 0)
        memcpy(seed + label_len, seed1, seed1_len);
    if (seed2_len > 0)
        memcpy(seed + label_len + seed1_len, seed2, seed2_len);
    size_t seed_len = label_len + seed1_len + seed2_len;

    enum status st = ST_NOMEM;
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
    EVP_KDF_CTX *kctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    if (kctx != NULL) {
        OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest_name(h), 0),
            OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, (void *)secret,
                                              secret_len),
            OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, seed, seed_len),
            OSSL_PARAM_construct_end()};
        st = EVP_KDF_derive(kctx, out, out_len, params) == 1 ? ST_OK : ST_UNSUPPORTED;
    }
    EVP_KDF_CTX_free(kctx);
    EVP_KDF_free(kdf);
    OPENSSL_cleanse(seed, sizeof seed);
    return st;
}

enum status tls12_key_block(enum tls12_prf_hash h, const uint8_t master[TLS12_MASTER_LEN],
                            const uint8_t client_random[TLS12_RANDOM_LEN],
                            const uint8_t server_random[TLS12_RANDOM_LEN], uint8_t *out,
                            size_t out_len)
{
    return tls12_prf(h, master, TLS12_MASTER_LEN, "key expansion", server_random,
                     TLS12_RANDOM_LEN, client_random, TLS12_RANDOM_LEN, out, out_len);
}

enum status tls12_master_secret(enum tls12_prf_hash h, const uint8_t *pre_master,
                                size_t pre_master_len, const char *label, const uint8_t *seed1,
                                size_t seed1_len, const uint8_t *seed2, size_t seed2_len,
                                uint8_t master[TLS12_MASTER_LEN])
{
    return tls12_prf(h, pre_master, pre_master_len, label, seed1, seed1_len, seed2, seed2_len,
                     master, TLS12_MASTER_LEN);
}

enum status tls12_verify_data(enum tls12_prf_hash h, const uint8_t master[TLS12_MASTER_LEN],
                              const char *label, const uint8_t *hash, size_t hash_len,
                              uint8_t out[TLS12_VERIFY_DATA_LEN])
{
    return tls12_prf(h, master, TLS12_MASTER_LEN, label, hash, hash_len, NULL, 0, out,
                     TLS12_VERIFY_DATA_LEN);
}
