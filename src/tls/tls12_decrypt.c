/* tls12_decrypt.c: SSL 3.0 and TLS 1.0-1.2 keys and record opening (see tls12_decrypt.h).
 * The suites are a table; libcrypto does the ciphers (EVP_CIPHER) and
 * HMAC (EVP_MAC). Timing does not matter here: the records are old. */
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include "util/cursor.h"
#include "tls/ssl3.h"
#include "tls/tls12_decrypt.h"

struct suite12 {
    uint16_t id;
    enum tls12_cipher_kind kind;
    uint8_t key_len;
    uint8_t fixed_iv_len;      /* RFC 5246 6.3 client/server_write_IV */
    uint8_t tag_len;           /* AEAD tag */
    uint8_t mac_len;           /* CBC: HMAC output */
    const char *mac;           /* CBC: HMAC hash, by libcrypto name */
    bool sha384;               /* TLS 1.2 PRF hash SHA-384 (RFC 5288 3, RFC 5289 3.2) */
    const EVP_CIPHER *(*cipher)(void);
};

#define GCM(i, k, s384, c) \
    {.id = (i), .kind = TLS12_GCM, .key_len = (k), .fixed_iv_len = 4, .tag_len = 16, \
     .sha384 = (s384), .cipher = (c)}
#define CCM(i, k, t, c) \
    {.id = (i), .kind = TLS12_CCM, .key_len = (k), .fixed_iv_len = 4, .tag_len = (t), \
     .sha384 = false, .cipher = (c)}
#define CHACHA(i) \
    {.id = (i), .kind = TLS12_CHACHA, .key_len = 32, .fixed_iv_len = 12, .tag_len = 16, \
     .sha384 = false, .cipher = EVP_chacha20_poly1305}
#define CBC(i, k, ivl, m, ml, s384, c) \
    {.id = (i), .kind = TLS12_CBC, .key_len = (k), .fixed_iv_len = (ivl), .mac_len = (ml), \
     .mac = (m), .sha384 = (s384), .cipher = (c)}

/* The IANA TLS Cipher Suites registry entries decrypted here. */
static const struct suite12 suites[] = {
    /* AES-GCM, RFC 5288 and RFC 5289 */
    GCM(0x009C, 16, false, EVP_aes_128_gcm), /* TLS_RSA_WITH_AES_128_GCM_SHA256 */
    GCM(0x009D, 32, true, EVP_aes_256_gcm),  /* TLS_RSA_WITH_AES_256_GCM_SHA384 */
    GCM(0x009E, 16, false, EVP_aes_128_gcm), /* TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 */
    GCM(0x009F, 32, true, EVP_aes_256_gcm),  /* TLS_DHE_RSA_WITH_AES_256_GCM_SHA384 */
    GCM(0xC02B, 16, false, EVP_aes_128_gcm), /* TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 */
    GCM(0xC02C, 32, true, EVP_aes_256_gcm),  /* TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 */
    GCM(0xC02F, 16, false, EVP_aes_128_gcm), /* TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 */
    GCM(0xC030, 32, true, EVP_aes_256_gcm),  /* TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 */
    /* AES-CCM, RFC 6655 and RFC 7251 */
    CCM(0xC09C, 16, 16, EVP_aes_128_ccm), /* TLS_RSA_WITH_AES_128_CCM */
    CCM(0xC09D, 32, 16, EVP_aes_256_ccm), /* TLS_RSA_WITH_AES_256_CCM */
    CCM(0xC09E, 16, 16, EVP_aes_128_ccm), /* TLS_DHE_RSA_WITH_AES_128_CCM */
    CCM(0xC09F, 32, 16, EVP_aes_256_ccm), /* TLS_DHE_RSA_WITH_AES_256_CCM */
    CCM(0xC0A0, 16, 8, EVP_aes_128_ccm),  /* TLS_RSA_WITH_AES_128_CCM_8 */
    CCM(0xC0A1, 32, 8, EVP_aes_256_ccm),  /* TLS_RSA_WITH_AES_256_CCM_8 */
    CCM(0xC0A2, 16, 8, EVP_aes_128_ccm),  /* TLS_DHE_RSA_WITH_AES_128_CCM_8 */
    CCM(0xC0A3, 32, 8, EVP_aes_256_ccm),  /* TLS_DHE_RSA_WITH_AES_256_CCM_8 */
    CCM(0xC0AC, 16, 16, EVP_aes_128_ccm), /* TLS_ECDHE_ECDSA_WITH_AES_128_CCM */
    CCM(0xC0AD, 32, 16, EVP_aes_256_ccm), /* TLS_ECDHE_ECDSA_WITH_AES_256_CCM */
    CCM(0xC0AE, 16, 8, EVP_aes_128_ccm),  /* TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 */
    CCM(0xC0AF, 32, 8, EVP_aes_256_ccm),  /* TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8 */
    /* ChaCha20-Poly1305, RFC 7905 */
    CHACHA(0xCCA8), /* TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 */
    CHACHA(0xCCA9), /* TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 */
    CHACHA(0xCCAA), /* TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256 */
    /* CBC with HMAC, RFC 5246 A.5, RFC 4492, RFC 5289 */
    CBC(0x000A, 24, 8, "SHA1", 20, false, EVP_des_ede3_cbc),  /* TLS_RSA_WITH_3DES_EDE_CBC_SHA */
    CBC(0x002F, 16, 16, "SHA1", 20, false, EVP_aes_128_cbc),  /* TLS_RSA_WITH_AES_128_CBC_SHA */
    CBC(0x0033, 16, 16, "SHA1", 20, false, EVP_aes_128_cbc),  /* TLS_DHE_RSA_WITH_AES_128_CBC_SHA */
    CBC(0x0035, 32, 16, "SHA1", 20, false, EVP_aes_256_cbc),  /* TLS_RSA_WITH_AES_256_CBC_SHA */
    CBC(0x0039, 32, 16, "SHA1", 20, false, EVP_aes_256_cbc),  /* TLS_DHE_RSA_WITH_AES_256_CBC_SHA */
    CBC(0x003C, 16, 16, "SHA256", 32, false, EVP_aes_128_cbc), /* TLS_RSA_WITH_AES_128_CBC_SHA256 */
    CBC(0x003D, 32, 16, "SHA256", 32, false, EVP_aes_256_cbc), /* TLS_RSA_WITH_AES_256_CBC_SHA256 */
    CBC(0x0067, 16, 16, "SHA256", 32, false, EVP_aes_128_cbc), /* TLS_DHE_RSA_WITH_AES_128_CBC_SHA256 */
    CBC(0x006B, 32, 16, "SHA256", 32, false, EVP_aes_256_cbc), /* TLS_DHE_RSA_WITH_AES_256_CBC_SHA256 */
    CBC(0xC009, 16, 16, "SHA1", 20, false, EVP_aes_128_cbc),  /* TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA */
    CBC(0xC00A, 32, 16, "SHA1", 20, false, EVP_aes_256_cbc),  /* TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA */
    CBC(0xC012, 24, 8, "SHA1", 20, false, EVP_des_ede3_cbc),  /* TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA */
    CBC(0xC013, 16, 16, "SHA1", 20, false, EVP_aes_128_cbc),  /* TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA */
    CBC(0xC014, 32, 16, "SHA1", 20, false, EVP_aes_256_cbc),  /* TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA */
    CBC(0xC023, 16, 16, "SHA256", 32, false, EVP_aes_128_cbc), /* TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256 */
    CBC(0xC024, 32, 16, "SHA384", 48, true, EVP_aes_256_cbc),  /* TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384 */
    CBC(0xC027, 16, 16, "SHA256", 32, false, EVP_aes_128_cbc), /* TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256 */
    CBC(0xC028, 32, 16, "SHA384", 48, true, EVP_aes_256_cbc),  /* TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384 */
};

#define AEAD_EXPLICIT_NONCE 8 /* RFC 5288 3, RFC 6655 3: GenericAEADCipher.nonce_explicit */
#define AEAD_NONCE 12

static const struct suite12 *find_suite(uint16_t id)
{
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++)
        if (suites[i].id == id)
            return &suites[i];
    return NULL;
}

bool tls12_suite_supported(uint16_t suite)
{
    return find_suite(suite) != NULL;
}

enum tls12_prf_hash tls12_suite_prf(uint16_t suite, uint16_t version)
{
    const struct suite12 *s = find_suite(suite);
    if (version < 0x0303)
        return PRF_MD5_SHA1;
    return s != NULL && s->sha384 ? PRF_SHA384 : PRF_SHA256;
}

size_t tls12_block_len(uint16_t suite)
{
    const struct suite12 *s = find_suite(suite);
    return s != NULL && s->kind == TLS12_CBC ? s->fixed_iv_len : 0;
}

bool tls12_chained_iv(const struct tls12_keys *k)
{
    /* RFC 4346 6.2.3.2: TLS 1.1 made the IV explicit per record */
    return k->version < 0x0302 && tls12_block_len(k->suite) > 0;
}

enum status tls12_keys_from_master(uint16_t version, uint16_t suite, bool etm,
                                   const uint8_t master[TLS12_MASTER_LEN],
                                   const uint8_t client_random[TLS12_RANDOM_LEN],
                                   const uint8_t server_random[TLS12_RANDOM_LEN],
                                   bool client_side, struct tls12_keys *k)
{
    const struct suite12 *s = find_suite(suite);
    ENSURE(s != NULL, ST_UNSUPPORTED);
    ENSURE(version >= SSL3_RECORD_VERSION && version <= 0x0303, ST_UNSUPPORTED);
    /* AEAD suites are TLS 1.2 only (RFC 5288 4, RFC 7905 2) */
    ENSURE(s->kind == TLS12_CBC || version == 0x0303, ST_UNSUPPORTED);
    /* SSL 3.0 MACs are MD5 or SHA-1 (RFC 6101 A.6); of this table's suites
     * the SHA-1 ones (its MD5 suites are RC4, not decrypted here) */
    ENSURE(version != SSL3_RECORD_VERSION || s->mac_len == SSL3_MAX_MAC, ST_UNSUPPORTED);
    /* RFC 5246 6.3: client_write_MAC_key, server_write_MAC_key,
     * client_write_key, server_write_key, client_write_IV, server_write_IV */
    uint8_t block[2 * (TLS12_MAX_MAC + TLS12_MAX_KEY + TLS12_MAX_IV)];
    size_t mac = s->mac_len, key = s->key_len;
    /* RFC 5246 6.3: CBC IVs come from the key block only in TLS 1.0 */
    size_t iv = s->kind == TLS12_CBC && version >= 0x0302 ? 0 : s->fixed_iv_len;
    size_t need = 2 * (mac + key + iv);
    if (version == SSL3_RECORD_VERSION)
        TRY(ssl3_key_block(master, client_random, server_random, block, need));
    else
        TRY(tls12_key_block(tls12_suite_prf(suite, version), master, client_random,
                            server_random, block, need));
    memset(k, 0, sizeof *k);
    k->suite = suite;
    k->version = version;
    /* encrypt-then-MAC is a TLS extension (RFC 7366); SSL 3.0 MACs then encrypts */
    k->etm = etm && s->kind == TLS12_CBC && version != SSL3_RECORD_VERSION;
    size_t side = client_side ? 0 : 1;
    memcpy(k->mac_key, block + side * mac, mac);
    memcpy(k->key, block + 2 * mac + side * key, key);
    memcpy(k->iv, block + 2 * mac + 2 * key + side * iv, iv);
    OPENSSL_cleanse(block, sizeof block);
    return ST_OK;
}

/* RFC 5246 6.2.3.3: additional_data = seq_num + TLSCompressed.type +
 * TLSCompressed.version + TLSCompressed.length; the same bytes start the
 * HMAC input of 6.2.3.1. */
static void seq_header(uint8_t out[13], uint64_t seq, uint8_t type, uint16_t version,
                       size_t len)
{
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(seq >> (56 - 8 * i));
    out[8] = type;
    out[9] = (uint8_t)(version >> 8);
    out[10] = (uint8_t)version;
    out[11] = (uint8_t)(len >> 8);
    out[12] = (uint8_t)len;
}

static bool aead_open(const struct suite12 *s, const struct tls12_keys *k,
                      const uint8_t nonce[AEAD_NONCE], const uint8_t aad[13], const uint8_t *ct,
                      size_t ct_len, const uint8_t *tag, uint8_t *out)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int outl = 0, finl = 0;
    bool ccm = s->kind == TLS12_CCM;
    bool ok = ctx != NULL && EVP_DecryptInit_ex(ctx, s->cipher(), NULL, NULL, NULL) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, AEAD_NONCE, NULL) == 1;
    /* CCM: the tag before the key, the length before the additional data */
    if (ok && ccm)
        ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, s->tag_len, (void *)tag) == 1;
    ok = ok && EVP_DecryptInit_ex(ctx, NULL, NULL, k->key, nonce) == 1;
    if (ok && ccm)
        ok = EVP_DecryptUpdate(ctx, NULL, &outl, NULL, (int)ct_len) == 1;
    ok = ok && EVP_DecryptUpdate(ctx, NULL, &outl, aad, 13) == 1;
    ok = ok && EVP_DecryptUpdate(ctx, out, &outl, ct, (int)ct_len) == 1;
    if (ok && !ccm)
        ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, s->tag_len, (void *)tag) == 1 &&
             EVP_DecryptFinal_ex(ctx, out + outl, &finl) == 1;
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

static enum status open_aead(const struct suite12 *s, struct tls12_keys *k, uint8_t type,
                             uint16_t rversion, const uint8_t *in, size_t len, uint8_t *out,
                             size_t *out_len)
{
    struct cursor rec = cur_make(in, len);
    struct slice explicit_nonce = {.ptr = in, .len = 0}, ct, tag;
    uint8_t nonce[AEAD_NONCE], aad[13];
    if (s->kind == TLS12_CHACHA) {
        /* RFC 7905 2: the 12-byte IV XOR the sequence number, left-padded */
        memcpy(nonce, k->iv, AEAD_NONCE);
        for (int i = 0; i < 8; i++)
            nonce[AEAD_NONCE - 1 - i] ^= (uint8_t)(k->seq >> (8 * i));
    } else {
        /* RFC 5288 3: salt (the 4-byte write IV) + nonce_explicit (8, in the record) */
        TRY(cur_take(&rec, AEAD_EXPLICIT_NONCE, &explicit_nonce));
        memcpy(nonce, k->iv, 4);
        memcpy(nonce + 4, explicit_nonce.ptr, AEAD_EXPLICIT_NONCE);
    }
    ENSURE(cur_left(&rec) >= s->tag_len, ST_MALFORMED);
    TRY(cur_take(&rec, cur_left(&rec) - s->tag_len, &ct));
    TRY(cur_take(&rec, s->tag_len, &tag));
    seq_header(aad, k->seq, type, rversion, ct.len);
    ENSURE(aead_open(s, k, nonce, aad, ct.ptr, ct.len, tag.ptr, out), ST_MALFORMED);
    *out_len = ct.len;
    return ST_OK;
}

/* HMAC_hash(MAC_write_key, seq_num + type + version + length + data),
 * compared with `expect` (RFC 5246 6.2.3.1; RFC 7366 3 over the IV and
 * ciphertext). */
static bool mac_ok(const struct suite12 *s, const struct tls12_keys *k, const uint8_t head[13],
                   const uint8_t *data, size_t data_len, const uint8_t *expect)
{
    uint8_t md[TLS12_MAX_MAC];
    size_t md_len = 0;
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)s->mac, 0),
        OSSL_PARAM_construct_end()};
    bool ok = ctx != NULL && EVP_MAC_init(ctx, k->mac_key, s->mac_len, params) == 1 &&
              EVP_MAC_update(ctx, head, 13) == 1 &&
              (data_len == 0 || EVP_MAC_update(ctx, data, data_len) == 1) &&
              EVP_MAC_final(ctx, md, &md_len, sizeof md) == 1 && md_len == s->mac_len &&
              CRYPTO_memcmp(md, expect, s->mac_len) == 0;
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    return ok;
}

/* SSL 3.0: its own MAC over seq_num + type + length + data, no version
 * (RFC 6101 5.2.3.1). */
static bool ssl3_mac_ok(const struct tls12_keys *k, uint8_t type, const uint8_t *data,
                        size_t data_len, const uint8_t *expect)
{
    uint8_t md[SSL3_MAX_MAC];
    size_t md_len = 0;
    return ssl3_mac(SSL3_MAC_SHA1, k->mac_key, k->seq, type, data, data_len, md, &md_len) ==
               ST_OK &&
           CRYPTO_memcmp(md, expect, md_len) == 0;
}

static bool cbc_decrypt(const struct suite12 *s, const struct tls12_keys *k, const uint8_t *iv,
                        const uint8_t *ct, size_t ct_len, uint8_t *out)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int outl = 0, finl = 0;
    bool ok = ctx != NULL && EVP_DecryptInit_ex(ctx, s->cipher(), NULL, k->key, iv) == 1 &&
              EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
              EVP_DecryptUpdate(ctx, out, &outl, ct, (int)ct_len) == 1 &&
              EVP_DecryptFinal_ex(ctx, out + outl, &finl) == 1 && (size_t)(outl + finl) == ct_len;
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

/* RFC 5246 6.2.3.2: GenericBlockCipher = IV (TLS 1.1+), then
 * block-ciphered {content, MAC, padding, padding_length}; with RFC 7366
 * the MAC follows the ciphertext instead. */
static enum status open_cbc(const struct suite12 *s, struct tls12_keys *k, uint8_t type,
                            uint16_t rversion, const uint8_t *in, size_t len, uint8_t *out,
                            size_t *out_len)
{
    size_t bs = s->fixed_iv_len;
    bool chained = tls12_chained_iv(k);
    struct cursor rec = cur_make(in, len);
    struct slice whole, iv, ct, mac = {.ptr = in, .len = 0};
    uint8_t head[13];
    if (k->etm) {
        ENSURE(len >= s->mac_len, ST_MALFORMED);
        TRY(cur_take(&rec, len - s->mac_len, &whole));
        TRY(cur_take(&rec, s->mac_len, &mac));
        seq_header(head, k->seq, type, rversion, whole.len);
        ENSURE(mac_ok(s, k, head, whole.ptr, whole.len, mac.ptr), ST_MALFORMED);
        rec = cur_make(whole.ptr, whole.len);
    }
    if (chained)
        iv = (struct slice){.ptr = k->iv, .len = bs};
    else
        TRY(cur_take(&rec, bs, &iv));
    TRY(cur_take(&rec, cur_left(&rec), &ct));
    ENSURE(ct.len > 0 && ct.len % bs == 0, ST_MALFORMED);
    ENSURE(cbc_decrypt(s, k, iv.ptr, ct.ptr, ct.len, out), ST_MALFORMED);
    /* padding_length, then that many bytes each equal to it; SSL 3.0: less
     * than a block of padding, its bytes arbitrary (RFC 6101 5.2.3.2) */
    bool ssl3 = k->version == SSL3_RECORD_VERSION;
    struct cursor plain = cur_make(out, ct.len);
    uint8_t pad = 0, b = 0;
    TRY(cur_peek_u8(&plain, ct.len - 1, &pad));
    size_t trailer = (size_t)pad + 1 + (k->etm ? 0 : s->mac_len);
    ENSURE(trailer <= ct.len && (!ssl3 || pad < bs), ST_MALFORMED);
    for (size_t i = 0; i < pad && !ssl3; i++) {
        TRY(cur_peek_u8(&plain, ct.len - 2 - i, &b));
        ENSURE(b == pad, ST_MALFORMED);
    }
    size_t content = ct.len - trailer;
    if (ssl3) {
        ENSURE(ssl3_mac_ok(k, type, out, content, out + content), ST_MALFORMED);
    } else if (!k->etm) {
        seq_header(head, k->seq, type, rversion, content);
        ENSURE(mac_ok(s, k, head, out, content, out + content), ST_MALFORMED);
    }
    if (chained)
        memcpy(k->iv, ct.ptr + ct.len - bs, bs);
    *out_len = content;
    return ST_OK;
}

enum status tls12_open(struct tls12_keys *k, uint8_t type, uint16_t rversion, const uint8_t *in,
                       size_t len, uint8_t *out, size_t *out_len)
{
    const struct suite12 *s = find_suite(k->suite);
    ENSURE(s != NULL, ST_UNSUPPORTED);
    ENSURE(len <= TLS12_MAX_CIPHERTEXT, ST_LIMIT);
    enum status st = ST_UNSUPPORTED;
    switch (s->kind) {
    case TLS12_GCM:
    case TLS12_CCM:
    case TLS12_CHACHA:
        st = open_aead(s, k, type, rversion, in, len, out, out_len);
        break;
    case TLS12_CBC:
        st = open_cbc(s, k, type, rversion, in, len, out, out_len);
        break;
    }
    if (st == ST_OK)
        k->seq++;
    return st;
}

size_t tls12_tail_len(const struct tls12_keys *k)
{
    const struct suite12 *s = find_suite(k->suite);
    if (s == NULL || !tls12_chained_iv(k))
        return 0;
    return (size_t)s->fixed_iv_len + (k->etm ? s->mac_len : 0);
}

void tls12_skip(struct tls12_keys *k, const uint8_t *tail, size_t n)
{
    size_t bs = tls12_block_len(k->suite);
    k->seq++;
    /* the last ciphertext block, before the MAC with encrypt-then-MAC */
    if (n > 0 && n == tls12_tail_len(k))
        memcpy(k->iv, tail, bs);
}
