/*
 * dhe_pad_shim.c - LD_PRELOAD shim that makes an OpenSSL 3 process behave
 * like the old buggy TLS 1.2 DHE peers (Java before JDK-8014618, Windows
 * SChannel before the "leading zero update"): it KEEPS the leading zero
 * bytes of the Diffie-Hellman shared secret Z instead of stripping them
 * as RFC 5246 section 8.1.2 requires.
 *
 * How it hooks: libssl 3.0 computes the (EC)DHE premaster secret in
 * ssl_derive() (ssl/s3_lib.c):
 *     pctx = EVP_PKEY_CTX_new_from_pkey(libctx, privkey, propq);
 *     EVP_PKEY_derive_init(pctx); EVP_PKEY_derive_set_peer(pctx, pubkey);
 *     EVP_PKEY_derive(pctx, NULL, &pmslen);      size query, = |p| for DH
 *     [TLS 1.3 + DH only: EVP_PKEY_CTX_set_dh_pad(pctx, 1)]
 *     EVP_PKEY_derive(pctx, pms, &pmslen);       the secret, stripped in 1.2
 * EVP_PKEY_derive is imported by libssl.so.3 from libcrypto.so.3
 * (undefined dynamic symbol EVP_PKEY_derive@OPENSSL_3.0.0, called via the
 * PLT), so a preloaded definition takes precedence.  We call the real
 * function (dlsym RTLD_NEXT) and, when the key is DH and the result is
 * shorter than the prime, left-pad it with zeros to |p| bytes.  That only
 * changes anything when Z's top byte is zero, i.e. about 1 in 256 DHE
 * handshakes.  ECDH (and TLS 1.3 FFDHE, which is already padded) passes
 * through untouched.
 *
 * Only preload it into the process that should misbehave (the client in
 * dhe.sh).  Set DHE_PAD_SHIM_VERBOSE=1 to log every DH derive to stderr.
 *
 * Build: cc -shared -fPIC -O2 -Wall -Wextra -Werror -o dhe_pad_shim.so \
 *           dhe_pad_shim.c -ldl -lcrypto
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

typedef int (*derive_fn)(EVP_PKEY_CTX *, unsigned char *, size_t *);

static derive_fn real_derive(void)
{
    static derive_fn fn;
    if (fn == NULL) {
        fn = (derive_fn)dlsym(RTLD_NEXT, "EVP_PKEY_derive");
        if (fn == NULL) {
            fprintf(stderr, "dhe_pad_shim: dlsym(EVP_PKEY_derive): %s\n", dlerror());
            abort();
        }
    }
    return fn;
}

int EVP_PKEY_derive(EVP_PKEY_CTX *ctx, unsigned char *key, size_t *keylen)
{
    size_t bufsize = (keylen != NULL) ? *keylen : 0;
    int rv = real_derive()(ctx, key, keylen);

    if (rv <= 0 || key == NULL || keylen == NULL)
        return rv;

    EVP_PKEY *pkey = EVP_PKEY_CTX_get0_pkey(ctx);
    if (pkey == NULL || !EVP_PKEY_is_a(pkey, "DH"))
        return rv;

    int bits = EVP_PKEY_get_bits(pkey);          /* bits of the prime p */
    if (bits <= 0)
        return rv;
    size_t plen = ((size_t)bits + 7) / 8;
    size_t got = *keylen;
    int verbose = getenv("DHE_PAD_SHIM_VERBOSE") != NULL;

    if (got < plen && bufsize >= plen) {
        size_t pad = plen - got;
        memmove(key + pad, key, got);
        memset(key, 0, pad);
        *keylen = plen;
        if (verbose)
            fprintf(stderr, "dhe_pad_shim: DH secret %zu < |p| %zu bytes: "
                    "left-padded with %zu zero byte(s)\n", got, plen, pad);
    } else if (verbose) {
        fprintf(stderr, "dhe_pad_shim: DH secret %zu bytes, |p| %zu, buffer %zu: "
                "unchanged\n", got, plen, bufsize);
    }
    return rv;
}
