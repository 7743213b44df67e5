/* ssl3.c: SSL 3.0 key derivation, record MAC and Finished (see ssl3.h),
 * with the digests of crypto_algs.c. */
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include "tls/crypto_algs.h"
#include "tls/ssl3.h"

#define MD5_LEN 16
#define SHA1_LEN 20
#define PAD_MAX 48

struct part {
    const uint8_t *p;
    size_t n;
};

/* Feeds the parts to ctx (set up already) and finishes it. */
static bool finish_parts(EVP_MD_CTX *ctx, const struct part *parts, size_t n, uint8_t *out)
{
    unsigned len = 0;
    for (size_t i = 0; i < n; i++)
        if (parts[i].n > 0 && EVP_DigestUpdate(ctx, parts[i].p, parts[i].n) != 1)
            return false;
    return EVP_DigestFinal_ex(ctx, out, &len) == 1;
}

/* hash(parts...) into out (the hash's length). */
static enum status hash_parts(enum crypto_md which, const struct part *parts, size_t n,
                              uint8_t *out)
{
    const EVP_MD *md = crypto_md(which);
    ENSURE(md != NULL, ST_UNSUPPORTED);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    ENSURE(ctx != NULL, ST_NOMEM);
    bool ok = EVP_DigestInit_ex(ctx, md, NULL) == 1 && finish_parts(ctx, parts, n, out);
    EVP_MD_CTX_free(ctx);
    return ok ? ST_OK : ST_UNSUPPORTED;
}

/* RFC 6101 6.1 and 6.2.2: MD5(secret + SHA(salt + secret + r1 + r2)) for
 * the salts 'A', 'BB', 'CCC', ..., out_len bytes. */
static enum status salted(const uint8_t *secret, size_t secret_len, const uint8_t *r1,
                          const uint8_t *r2, uint8_t *out, size_t out_len)
{
    ENSURE(out_len <= SSL3_MAX_KEY_BLOCK, ST_LIMIT);
    uint8_t salt[26], inner[SHA1_LEN], block[MD5_LEN];
    enum status st = ST_OK;
    for (size_t i = 0, done = 0; done < out_len && st == ST_OK; i++) {
        memset(salt, 'A' + (int)i, i + 1);
        struct part sp[] = {{salt, i + 1},
                            {secret, secret_len},
                            {r1, SSL3_RANDOM_LEN},
                            {r2, SSL3_RANDOM_LEN}};
        st = hash_parts(CRYPTO_SHA1, sp, 4, inner);
        struct part mp[] = {{secret, secret_len}, {inner, sizeof inner}};
        if (st == ST_OK)
            st = hash_parts(CRYPTO_MD5, mp, 2, block);
        size_t take = out_len - done < MD5_LEN ? out_len - done : MD5_LEN;
        if (st == ST_OK)
            memcpy(out + done, block, take);
        done += take;
    }
    OPENSSL_cleanse(inner, sizeof inner);
    OPENSSL_cleanse(block, sizeof block);
    return st;
}

enum status ssl3_master_secret(const uint8_t *pre_master, size_t pre_master_len,
                               const uint8_t client_random[SSL3_RANDOM_LEN],
                               const uint8_t server_random[SSL3_RANDOM_LEN],
                               uint8_t master[SSL3_MASTER_LEN])
{
    ENSURE(pre_master_len > 0, ST_MALFORMED);
    return salted(pre_master, pre_master_len, client_random, server_random, master,
                  SSL3_MASTER_LEN);
}

enum status ssl3_key_block(const uint8_t master[SSL3_MASTER_LEN],
                           const uint8_t client_random[SSL3_RANDOM_LEN],
                           const uint8_t server_random[SSL3_RANDOM_LEN], uint8_t *out,
                           size_t out_len)
{
    /* the randoms the other way round from the master secret's */
    return salted(master, SSL3_MASTER_LEN, server_random, client_random, out, out_len);
}

/* RFC 6101 5.2.3.1: pad_1 and pad_2 are 48 bytes for MD5, 40 for SHA-1 */
static size_t pad_len(enum ssl3_mac_hash h)
{
    return h == SSL3_MAC_MD5 ? 48 : 40;
}

enum status ssl3_mac(enum ssl3_mac_hash h, const uint8_t *secret, uint64_t seq, uint8_t type,
                     const uint8_t *data, size_t len, uint8_t out[SSL3_MAX_MAC],
                     size_t *out_len)
{
    ENSURE(len <= 0xFFFF, ST_LIMIT);
    enum crypto_md md = h == SSL3_MAC_MD5 ? CRYPTO_MD5 : CRYPTO_SHA1;
    size_t hl = h == SSL3_MAC_MD5 ? MD5_LEN : SHA1_LEN, pl = pad_len(h);
    uint8_t pad1[PAD_MAX], pad2[PAD_MAX], head[11], inner[SHA1_LEN];
    memset(pad1, 0x36, sizeof pad1);
    memset(pad2, 0x5c, sizeof pad2);
    /* seq_num (64 bits), SSLCompressed.type, SSLCompressed.length: no version */
    for (int i = 0; i < 8; i++)
        head[i] = (uint8_t)(seq >> (56 - 8 * i));
    head[8] = type;
    head[9] = (uint8_t)(len >> 8);
    head[10] = (uint8_t)len;
    struct part ip[] = {{secret, hl}, {pad1, pl}, {head, sizeof head}, {data, len}};
    TRY(hash_parts(md, ip, 4, inner));
    struct part op[] = {{secret, hl}, {pad2, pl}, {inner, hl}};
    TRY(hash_parts(md, op, 3, out));
    *out_len = hl;
    return ST_OK;
}

/* hash(master + pad_2 + hash(handshake_messages + sender + master + pad_1)) */
static enum status finished_half(const EVP_MD_CTX *so_far, enum crypto_md which, size_t pl,
                                 const uint8_t sender[4], const uint8_t *master, uint8_t *out)
{
    uint8_t pad1[PAD_MAX], pad2[PAD_MAX], inner[SHA1_LEN];
    memset(pad1, 0x36, sizeof pad1);
    memset(pad2, 0x5c, sizeof pad2);
    ENSURE(so_far != NULL, ST_UNSUPPORTED);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    ENSURE(ctx != NULL, ST_NOMEM);
    struct part ip[] = {{sender, 4}, {master, SSL3_MASTER_LEN}, {pad1, pl}};
    bool ok = EVP_MD_CTX_copy_ex(ctx, so_far) == 1 && finish_parts(ctx, ip, 3, inner);
    EVP_MD_CTX_free(ctx);
    ENSURE(ok, ST_UNSUPPORTED);
    struct part op[] = {{master, SSL3_MASTER_LEN},
                        {pad2, pl},
                        {inner, which == CRYPTO_MD5 ? MD5_LEN : SHA1_LEN}};
    return hash_parts(which, op, 3, out);
}

enum status ssl3_finished(const EVP_MD_CTX *md5_so_far, const EVP_MD_CTX *sha1_so_far,
                          const uint8_t master[SSL3_MASTER_LEN], bool client,
                          uint8_t out[SSL3_FINISHED_LEN])
{
    /* RFC 6101 5.6.9: enum { client(0x434C4E54), server(0x53525652) } Sender */
    static const uint8_t sender_client[4] = {0x43, 0x4C, 0x4E, 0x54};
    static const uint8_t sender_server[4] = {0x53, 0x52, 0x56, 0x52};
    const uint8_t *sender = client ? sender_client : sender_server;
    TRY(finished_half(md5_so_far, CRYPTO_MD5, 48, sender, master, out));
    return finished_half(sha1_so_far, CRYPTO_SHA1, 40, sender, master, out + MD5_LEN);
}
