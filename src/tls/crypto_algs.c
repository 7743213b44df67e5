/* crypto_algs.c: libcrypto algorithms fetched once (see crypto_algs.h). */
#include <pthread.h>
#include "tls/crypto_algs.h"

/* libcrypto names (OpenSSL 3.0 EVP_MD-SHA2(7), EVP_MD-MD5(7), EVP_MD-SHA1(7), EVP_CIPHER-AES(7),
 * EVP_CIPHER-CHACHA(7), EVP_KDF-HKDF(7)). */
static const char *const md_names[CRYPTO_MD_COUNT] = {
    [CRYPTO_SHA256] = "SHA2-256",
    [CRYPTO_SHA384] = "SHA2-384",
    [CRYPTO_MD5] = "MD5", /* NULL under a FIPS provider: SSL 3.0 then goes undecrypted */
    [CRYPTO_SHA1] = "SHA1",
};
static const char *const cipher_names[CRYPTO_CIPHER_COUNT] = {
    [CRYPTO_AES_128_GCM] = "AES-128-GCM",
    [CRYPTO_AES_256_GCM] = "AES-256-GCM",
    [CRYPTO_CHACHA20_POLY1305] = "ChaCha20-Poly1305",
    [CRYPTO_AES_128_CCM] = "AES-128-CCM",
};

/* The one piece of process-wide state: written once under pthread_once,
 * read-only afterwards (the fetched objects are immutable). The digests
 * (every ClientHello's JA4) and the decryption algorithms (only with a key
 * log) are fetched apart, so a run without a key log fetches no cipher. */
static struct {
    EVP_MD *md[CRYPTO_MD_COUNT];
    EVP_CIPHER *cipher[CRYPTO_CIPHER_COUNT];
    EVP_KDF *hkdf;
} algs;
static pthread_once_t md_once = PTHREAD_ONCE_INIT;
static pthread_once_t decrypt_once = PTHREAD_ONCE_INIT;

static void fetch_mds(void)
{
    for (size_t i = 0; i < CRYPTO_MD_COUNT; i++)
        algs.md[i] = EVP_MD_fetch(NULL, md_names[i], NULL);
}

static void fetch_decrypt(void)
{
    for (size_t i = 0; i < CRYPTO_CIPHER_COUNT; i++)
        algs.cipher[i] = EVP_CIPHER_fetch(NULL, cipher_names[i], NULL);
    algs.hkdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
}

const EVP_MD *crypto_md(enum crypto_md which)
{
    if (pthread_once(&md_once, fetch_mds) != 0 || (size_t)which >= CRYPTO_MD_COUNT)
        return NULL;
    return algs.md[which];
}

const EVP_CIPHER *crypto_cipher(enum crypto_cipher which)
{
    if (pthread_once(&decrypt_once, fetch_decrypt) != 0 || (size_t)which >= CRYPTO_CIPHER_COUNT)
        return NULL;
    return algs.cipher[which];
}

EVP_KDF *crypto_hkdf(void)
{
    if (pthread_once(&decrypt_once, fetch_decrypt) != 0)
        return NULL;
    return algs.hkdf;
}
