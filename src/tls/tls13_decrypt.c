/* tls13_decrypt.c: TLS 1.3 traffic keys and record decryption (see
 * tls13_decrypt.h). The suites are a table; libcrypto does HKDF (EVP_KDF)
 * and the AEADs (EVP_CIPHER), both fetched once (tls/crypto_algs.h). */
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include "util/cursor.h"
#include "tls/crypto_algs.h"
#include "tls/tls13_decrypt.h"

/* RFC 8446 B.4: the TLS 1.3 cipher suites, each an AEAD and an HKDF hash. */
struct suite_info {
    uint16_t id;
    const char *digest;        /* HKDF hash, by libcrypto name */
    uint8_t hash_len;
    uint8_t key_len, tag_len;
    bool ccm;                  /* CCM wants the lengths before the data */
    enum crypto_cipher cipher;
};

static const struct suite_info suites[] = {
    /* TLS_AES_128_GCM_SHA256 */
    {.id = 0x1301, .digest = "SHA256", .hash_len = 32, .key_len = 16,
     .tag_len = 16, .ccm = false, .cipher = CRYPTO_AES_128_GCM},
    /* TLS_AES_256_GCM_SHA384 */
    {.id = 0x1302, .digest = "SHA384", .hash_len = 48, .key_len = 32,
     .tag_len = 16, .ccm = false, .cipher = CRYPTO_AES_256_GCM},
    /* TLS_CHACHA20_POLY1305_SHA256 (RFC 8439) */
    {.id = 0x1303, .digest = "SHA256", .hash_len = 32, .key_len = 32,
     .tag_len = 16, .ccm = false, .cipher = CRYPTO_CHACHA20_POLY1305},
    /* TLS_AES_128_CCM_SHA256 */
    {.id = 0x1304, .digest = "SHA256", .hash_len = 32, .key_len = 16,
     .tag_len = 16, .ccm = true, .cipher = CRYPTO_AES_128_CCM},
    /* TLS_AES_128_CCM_8_SHA256 */
    {.id = 0x1305, .digest = "SHA256", .hash_len = 32, .key_len = 16,
     .tag_len = 8, .ccm = true, .cipher = CRYPTO_AES_128_CCM},
};

static const struct suite_info *suite_info(uint16_t id)
{
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++)
        if (suites[i].id == id)
            return &suites[i];
    return NULL;
}

bool tls13_suite_supported(uint16_t suite)
{
    return suite_info(suite) != NULL;
}

size_t tls13_hash_len(uint16_t suite)
{
    const struct suite_info *s = suite_info(suite);
    return s ? s->hash_len : 0;
}

void tls13_wipe(void *p, size_t n)
{
    OPENSSL_cleanse(p, n);
}

/* RFC 8446 7.1:
 *   struct {
 *       uint16 length = Length;
 *       opaque label<7..255> = "tls13 " + Label;
 *       opaque context<0..255> = Context;
 *   } HkdfLabel;
 *   HKDF-Expand-Label(Secret, Label, Context, Length) =
 *       HKDF-Expand(Secret, HkdfLabel, Length)                              */
enum status tls13_expand_label(uint16_t suite, const uint8_t *secret, size_t secret_len,
                               const char *label, const uint8_t *context, size_t context_len,
                               uint8_t *out, size_t out_len)
{
    static const char prefix[] = "tls13 ";
    const struct suite_info *s = suite_info(suite);
    size_t label_len = strlen(label);
    uint8_t info[2 + 1 + 255 + 1 + 255];
    size_t n = 0;
    ENSURE(s != NULL, ST_UNSUPPORTED);
    ENSURE(secret_len == s->hash_len, ST_MALFORMED);
    ENSURE(out_len > 0 && out_len <= 255 * (size_t)s->hash_len && out_len <= 0xffff,
           ST_MALFORMED);
    ENSURE(sizeof prefix - 1 + label_len <= 255 && context_len <= 255, ST_MALFORMED);
    info[n++] = (uint8_t)(out_len >> 8);
    info[n++] = (uint8_t)out_len;
    info[n++] = (uint8_t)(sizeof prefix - 1 + label_len);
    memcpy(info + n, prefix, sizeof prefix - 1);
    n += sizeof prefix - 1;
    memcpy(info + n, label, label_len);
    n += label_len;
    info[n++] = (uint8_t)context_len;
    if (context_len > 0)
        memcpy(info + n, context, context_len);
    n += context_len;

    enum status st = ST_NOMEM;
    /* the digest is still named per call: HKDF contexts cannot be copied
     * in OpenSSL 3.0 (EVP_KDF_CTX_dup gives NULL) */
    EVP_KDF *kdf = crypto_hkdf();
    EVP_KDF_CTX *kctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    if (kctx != NULL) {
        int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
        OSSL_PARAM params[] = {
            OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
            OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)s->digest, 0),
            OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, secret_len),
            OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, n),
            OSSL_PARAM_construct_end()};
        st = EVP_KDF_derive(kctx, out, out_len, params) == 1 ? ST_OK : ST_UNSUPPORTED;
    }
    EVP_KDF_CTX_free(kctx);
    return st;
}

/* RFC 8446 7.3:
 *   [sender]_write_key = HKDF-Expand-Label(Secret, "key", "", key_length)
 *   [sender]_write_iv  = HKDF-Expand-Label(Secret, "iv", "", iv_length)    */
enum status tls13_traffic_keys(uint16_t suite, const uint8_t *secret, size_t secret_len,
                               struct tls13_keys *k)
{
    const struct suite_info *s = suite_info(suite);
    ENSURE(s != NULL, ST_UNSUPPORTED);
    memset(k, 0, sizeof *k);
    k->suite = suite;
    k->key_len = s->key_len;
    k->tag_len = s->tag_len;
    TRY(tls13_expand_label(suite, secret, secret_len, "key", NULL, 0, k->key, s->key_len));
    TRY(tls13_expand_label(suite, secret, secret_len, "iv", NULL, 0, k->iv, TLS13_IV_LEN));
    return ST_OK;
}

/* RFC 8446 7.2:
 *   application_traffic_secret_N+1 =
 *       HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "", Hash.length) */
enum status tls13_next_secret(uint16_t suite, const uint8_t *secret, size_t secret_len,
                              uint8_t *out)
{
    return tls13_expand_label(suite, secret, secret_len, "traffic upd", NULL, 0, out,
                              secret_len);
}

/* RFC 8446 5.3: the 64-bit sequence number, big-endian, left-padded to
 * iv_length and XORed with the static iv. */
static void record_nonce(const struct tls13_keys *k, uint8_t nonce[TLS13_IV_LEN])
{
    memcpy(nonce, k->iv, TLS13_IV_LEN);
    for (int i = 0; i < 8; i++)
        nonce[TLS13_IV_LEN - 1 - i] ^= (uint8_t)(k->seq >> (8 * i));
}

/* RFC 8446 5.2: plaintext = AEAD-Decrypt(key, nonce, additional_data,
 * AEADEncrypted), additional_data = the record header. Returns false when
 * the tag does not match. */
static bool aead_open(const struct suite_info *s, const struct tls13_keys *k,
                      const uint8_t nonce[TLS13_IV_LEN], const uint8_t header[5],
                      const uint8_t *in, size_t ct_len, const uint8_t *tag, uint8_t *out)
{
    const EVP_CIPHER *cipher = crypto_cipher(s->cipher);
    EVP_CIPHER_CTX *ctx = cipher ? EVP_CIPHER_CTX_new() : NULL;
    int outl = 0, finl = 0;
    bool ok = ctx != NULL && ct_len <= TLS13_MAX_CIPHERTEXT &&
              EVP_DecryptInit_ex(ctx, cipher, NULL, NULL, NULL) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, TLS13_IV_LEN, NULL) == 1;
    /* CCM (RFC 6655): libcrypto wants the tag before the key and the length
     * of the ciphertext before the additional data */
    if (ok && s->ccm)
        ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, s->tag_len, (void *)tag) == 1;
    ok = ok && EVP_DecryptInit_ex(ctx, NULL, NULL, k->key, nonce) == 1;
    if (ok && s->ccm)
        ok = EVP_DecryptUpdate(ctx, NULL, &outl, NULL, (int)ct_len) == 1;
    ok = ok && EVP_DecryptUpdate(ctx, NULL, &outl, header, 5) == 1;
    /* CCM verifies the tag here; GCM and ChaCha20-Poly1305 in the final call */
    ok = ok && EVP_DecryptUpdate(ctx, out, &outl, in, (int)ct_len) == 1;
    if (ok && !s->ccm)
        ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, s->tag_len, (void *)tag) == 1 &&
             EVP_DecryptFinal_ex(ctx, out + outl, &finl) == 1;
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

enum status tls13_open(struct tls13_keys *k, const uint8_t header[5], const uint8_t *in,
                       size_t len, uint8_t *out, size_t *out_len, uint8_t *content_type)
{
    const struct suite_info *s = suite_info(k->suite);
    uint8_t nonce[TLS13_IV_LEN];
    struct cursor rec = cur_make(in, len);
    struct slice ct, tag;
    ENSURE(s != NULL, ST_UNSUPPORTED);
    ENSURE(len <= TLS13_MAX_CIPHERTEXT, ST_LIMIT);
    /* at least the content type, then the tag */
    ENSURE(len > s->tag_len, ST_MALFORMED);
    TRY(cur_take(&rec, len - s->tag_len, &ct));
    TRY(cur_take(&rec, s->tag_len, &tag));
    record_nonce(k, nonce);
    if (!aead_open(s, k, nonce, header, ct.ptr, ct.len, tag.ptr, out))
        return ST_MALFORMED;
    /* RFC 8446 5.4: TLSInnerPlaintext = content, ContentType type, zeros[];
     * the type is the last non-zero byte. */
    struct cursor plain = cur_make(out, ct.len);
    size_t end = ct.len;
    uint8_t b = 0;
    while (end > 0 && cur_peek_u8(&plain, end - 1, &b) == ST_OK && b == 0)
        end--;
    /* all zeros: no type, "unexpected_message" for a real peer */
    ENSURE(end > 0, ST_MALFORMED);
    *content_type = b;
    *out_len = end - 1;
    k->seq++;
    return ST_OK;
}
