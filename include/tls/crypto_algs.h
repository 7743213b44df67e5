/* crypto_algs.h: the libcrypto algorithms the TLS stage uses, fetched once
 * per process and kept. OpenSSL 3 looks an implicit algorithm (EVP_sha256(),
 * EVP_aes_128_gcm(), a KDF by name) up in its method store, under a
 * read-write lock, on every use; an object from EVP_*_fetch is looked up
 * once (OpenSSL 3.0 crypto(7), "Performance": explicit fetching). The
 * objects are read-only once fetched, live until the process ends, and a
 * --jobs worker inherits them. */
#ifndef TLSX_CRYPTO_ALGS_H
#define TLSX_CRYPTO_ALGS_H

#include <openssl/evp.h>
#include <openssl/kdf.h>

/* MD5 and SHA-1: SSL 3.0's MAC, key derivation and Finished (RFC 6101) */
enum crypto_md { CRYPTO_SHA256, CRYPTO_SHA384, CRYPTO_MD5, CRYPTO_SHA1, CRYPTO_MD_COUNT };
enum crypto_cipher {
    CRYPTO_AES_128_GCM,
    CRYPTO_AES_256_GCM,
    CRYPTO_CHACHA20_POLY1305,
    CRYPTO_AES_128_CCM,
    CRYPTO_CIPHER_COUNT
};

/* NULL when libcrypto lacks the algorithm (a provider not loaded). */
const EVP_MD *crypto_md(enum crypto_md which);
const EVP_CIPHER *crypto_cipher(enum crypto_cipher which);
EVP_KDF *crypto_hkdf(void);

#endif
