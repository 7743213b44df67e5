/* keys.c: QUIC keys and packet protection with libcrypto (EVP_KDF HKDF;
 * EVP AES-GCM, ChaCha20-Poly1305, AES-ECB and ChaCha20). */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include "quic/keys.h"

/* One HKDF call: mode EVP_KDF_HKDF_MODE_EXTRACT_ONLY or _EXPAND_ONLY. */
static enum status hkdf(const char *digest, int mode, const uint8_t *key, size_t key_len, const uint8_t *salt,
                        size_t salt_len, const uint8_t *info, size_t info_len, uint8_t *out,
                        size_t out_len)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    ENSURE(kdf != NULL, ST_UNSUPPORTED);
    EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(kdf);
    EVP_KDF_free(kdf);
    ENSURE(ctx != NULL, ST_NOMEM);
    OSSL_PARAM params[6];
    size_t n = 0;
    params[n++] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
    params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest, 0);
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, key_len);
    if (salt != NULL)
        params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt,
                                                        salt_len);
    if (info != NULL)
        params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info,
                                                        info_len);
    params[n] = OSSL_PARAM_construct_end();
    int ok = EVP_KDF_derive(ctx, out, out_len, params);
    EVP_KDF_CTX_free(ctx);
    return ok == 1 ? ST_OK : ST_UNSUPPORTED;
}

static enum status expand_label(const char *digest, const uint8_t *secret, size_t secret_len,
                                const char *label, uint8_t *out, size_t out_len)
{
    /* RFC 8446 7.1: struct { uint16 length; opaque label<7..255> = "tls13 " + Label;
     * opaque context<0..255>; } HkdfLabel; */
    static const char prefix[] = "tls13 ";
    uint8_t info[2 + 1 + 255 + 1];
    size_t llen = strlen(label), plen = sizeof prefix - 1;
    ENSURE(out_len <= UINT16_MAX && plen + llen <= 255, ST_LIMIT);
    info[0] = (uint8_t)(out_len >> 8);
    info[1] = (uint8_t)out_len;
    info[2] = (uint8_t)(plen + llen);
    memcpy(info + 3, prefix, plen);
    memcpy(info + 3 + plen, label, llen);
    info[3 + plen + llen] = 0;
    return hkdf(digest, EVP_KDF_HKDF_MODE_EXPAND_ONLY, secret, secret_len, NULL, 0, info,
                4 + plen + llen, out, out_len);
}

enum status quic_expand_label(const uint8_t *secret, size_t secret_len, const char *label,
                              uint8_t *out, size_t out_len)
{
    return expand_label("SHA256", secret, secret_len, label, out, out_len);
}

enum status quic_initial_secrets(const struct quic_version *v, const uint8_t *dcid,
                                 size_t dcid_len, uint8_t client[QUIC_SECRET_LEN],
                                 uint8_t server[QUIC_SECRET_LEN])
{
    uint8_t initial[QUIC_SECRET_LEN];
    ENSURE(dcid_len <= QUIC_MAX_CID, ST_MALFORMED);
    /* an empty key is valid HKDF input, but libcrypto wants a pointer */
    static const uint8_t none[1] = {0};
    TRY(hkdf("SHA256", EVP_KDF_HKDF_MODE_EXTRACT_ONLY, dcid_len ? dcid : none, dcid_len, v->salt,
             sizeof v->salt, NULL, 0, initial, sizeof initial));
    TRY(quic_expand_label(initial, sizeof initial, "client in", client, QUIC_SECRET_LEN));
    return quic_expand_label(initial, sizeof initial, "server in", server, QUIC_SECRET_LEN);
}

/* RFC 9001 5.1: key, iv and hp of a secret, with the suite's hash and sizes. */
static enum status derive(const struct quic_version *v, const char *digest, enum quic_aead aead,
                          const uint8_t *secret, size_t secret_len, struct quic_keys *out)
{
    char label[16];
    size_t key_len = aead == QUIC_AES_128_GCM ? 16 : 32;
    memset(out, 0, sizeof *out);
    out->aead = aead;
    snprintf(label, sizeof label, "%s key", v->label_prefix);
    TRY(expand_label(digest, secret, secret_len, label, out->key, key_len));
    snprintf(label, sizeof label, "%s iv", v->label_prefix);
    TRY(expand_label(digest, secret, secret_len, label, out->iv, sizeof out->iv));
    snprintf(label, sizeof label, "%s hp", v->label_prefix);
    return expand_label(digest, secret, secret_len, label, out->hp, key_len);
}

enum status quic_keys_derive(const struct quic_version *v, const uint8_t secret[QUIC_SECRET_LEN],
                             struct quic_keys *out)
{
    return derive(v, "SHA256", QUIC_AES_128_GCM, secret, QUIC_SECRET_LEN, out);
}

enum status quic_keys_from_tls(const struct quic_version *v, uint16_t suite,
                               const uint8_t *secret, size_t secret_len, struct quic_keys *out)
{
    /* RFC 8446 B.4; RFC 9001 5.3 rules out TLS_AES_128_CCM_8_SHA256 */
    switch (suite) {
    case 0x1301:
        ENSURE(secret_len == 32, ST_UNSUPPORTED);
        return derive(v, "SHA256", QUIC_AES_128_GCM, secret, secret_len, out);
    case 0x1302:
        ENSURE(secret_len == 48, ST_UNSUPPORTED);
        return derive(v, "SHA384", QUIC_AES_256_GCM, secret, secret_len, out);
    case 0x1303:
        ENSURE(secret_len == 32, ST_UNSUPPORTED);
        return derive(v, "SHA256", QUIC_CHACHA20_POLY1305, secret, secret_len, out);
    default:
        return ST_UNSUPPORTED;
    }
}

enum status quic_initial_keys(const struct quic_version *v, const uint8_t *dcid,
                              size_t dcid_len, struct quic_keys *client,
                              struct quic_keys *server)
{
    uint8_t cs[QUIC_SECRET_LEN], ss[QUIC_SECRET_LEN];
    TRY(quic_initial_secrets(v, dcid, dcid_len, cs, ss));
    TRY(quic_keys_derive(v, cs, client));
    return quic_keys_derive(v, ss, server);
}

enum status quic_hp_mask(const struct quic_keys *k, const uint8_t sample[QUIC_SAMPLE_LEN],
                         uint8_t mask[5])
{
    static const uint8_t zeros[QUIC_SAMPLE_LEN] = {0};
    uint8_t block[QUIC_SAMPLE_LEN + 16];
    int outl = 0;
    const EVP_CIPHER *cipher = NULL;
    const uint8_t *iv = NULL, *in = sample;
    switch (k->aead) {
    case QUIC_AES_128_GCM:
        cipher = EVP_aes_128_ecb();
        break;
    case QUIC_AES_256_GCM:
        cipher = EVP_aes_256_ecb();
        break;
    case QUIC_CHACHA20_POLY1305:
        /* RFC 9001 5.4.4: counter = sample[0..3] (little endian), nonce =
         * sample[4..15]: libcrypto's 16-byte ChaCha20 IV in that order */
        cipher = EVP_chacha20();
        iv = sample;
        in = zeros;
        break;
    }
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    ENSURE(ctx != NULL, ST_NOMEM);
    int ok = EVP_EncryptInit_ex(ctx, cipher, NULL, k->hp, iv) == 1 &&
             EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
             EVP_EncryptUpdate(ctx, block, &outl, in, QUIC_SAMPLE_LEN) == 1 &&
             outl == QUIC_SAMPLE_LEN;
    EVP_CIPHER_CTX_free(ctx);
    ENSURE(ok, ST_UNSUPPORTED);
    memcpy(mask, block, 5);
    return ST_OK;
}

enum status quic_aead_open(const struct quic_keys *k, uint64_t pn, const struct quic_aad *aad,
                           const uint8_t *ct, size_t ct_len, uint8_t *out)
{
    uint8_t nonce[12];
    int outl = 0, finl = 0;
    ENSURE(ct_len >= QUIC_TAG_LEN && ct_len - QUIC_TAG_LEN <= INT_MAX, ST_MALFORMED);
    size_t body = ct_len - QUIC_TAG_LEN;
    /* RFC 9001 5.3: the packet number, left-padded to the IV's size, XOR the IV */
    memcpy(nonce, k->iv, sizeof nonce);
    for (int i = 0; i < 8; i++)
        nonce[11 - i] ^= (uint8_t)(pn >> (8 * i));
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    ENSURE(ctx != NULL, ST_NOMEM);
    const EVP_CIPHER *cipher = k->aead == QUIC_AES_128_GCM   ? EVP_aes_128_gcm()
                               : k->aead == QUIC_AES_256_GCM ? EVP_aes_256_gcm()
                                                             : EVP_chacha20_poly1305();
    int ok = EVP_DecryptInit_ex(ctx, cipher, NULL, NULL, NULL) == 1 &&
             EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, (int)sizeof nonce, NULL) == 1 &&
             EVP_DecryptInit_ex(ctx, NULL, NULL, k->key, nonce) == 1;
    for (int i = 0; ok && i < 3; i++)
        if (aad->len[i] > 0)
            ok = aad->len[i] <= INT_MAX &&
                 EVP_DecryptUpdate(ctx, NULL, &outl, aad->part[i], (int)aad->len[i]) == 1;
    ok = ok && EVP_DecryptUpdate(ctx, out, &outl, ct, (int)body) == 1 &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, QUIC_TAG_LEN, (void *)(ct + body)) == 1;
    /* a tag that does not verify is data (not a packet of this connection) */
    int fin = ok ? EVP_DecryptFinal_ex(ctx, out + outl, &finl) : 0;
    EVP_CIPHER_CTX_free(ctx);
    ENSURE(ok, ST_UNSUPPORTED);
    return fin == 1 ? ST_OK : ST_MALFORMED;
}
