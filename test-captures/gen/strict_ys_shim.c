/*
 * strict_ys_shim.c - LD_PRELOAD shim that makes an OpenSSL 3 TLS 1.2 client STRICT about the
 * server's DHE public value: a dh_Ys shorter than the prime p is refused with a fatal
 * illegal_parameter alert, as some clients did (they compared the length of Ys with the length
 * of p instead of its value). RFC 5246 7.4.3 sends dh_Ys as an opaque<1..2^16-1> big-endian
 * integer and does not require leading zero bytes, so servers that strip them (GnuTLS) send a
 * shorter Ys about once in 256 handshakes; the strict client then fails that one.
 *
 * How it hooks: libssl 3.0 parses the ServerKeyExchange in tls_process_ske_dhe()
 * (ssl/statem/statem_clnt.c): it reads the three length-prefixed vectors dh_p, dh_g, dh_Ys
 * and converts them, in that order, with BN_bin2bn(), imported from libcrypto through the PLT;
 * then it refuses a zero public value with SSL_AD_ILLEGAL_PARAMETER ("bad dh value").
 * The shim recognises the third of three BN_bin2bn calls whose inputs lie back to back in one
 * buffer, each after its own 2-byte length (p, g, Ys exactly as on the wire), and when that
 * Ys is shorter than p it returns a zero BIGNUM, so libssl's own check sends the alert.
 * Every other call passes through untouched.
 *
 * Preload it only into the client. STRICT_YS_VERBOSE=1 logs every ServerKeyExchange seen.
 *
 * Build: cc -shared -fPIC -O2 -Wall -Wextra -Werror -o strict_ys_shim.so strict_ys_shim.c \
 *           -ldl -lcrypto
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/bn.h>

typedef BIGNUM *(*bin2bn_fn)(const unsigned char *, int, BIGNUM *);

/* The previous two calls of this thread: where their input started and how long it was. */
struct prev_call { const unsigned char *s; int len; };
static _Thread_local struct prev_call prev[2];

static bin2bn_fn real_bin2bn(void)
{
    static bin2bn_fn fn;
    if (fn == NULL)
        fn = (bin2bn_fn)dlsym(RTLD_NEXT, "BN_bin2bn");
    return fn;
}

/* b follows a on the wire: a's bytes, then a 2-byte big-endian length equal to b's length.
 * Only the two bytes between the two inputs are read, and only when they lie exactly there. */
static int follows(struct prev_call a, const unsigned char *b, int blen)
{
    if (a.s == NULL || a.len < 0 || blen < 0 || b != a.s + a.len + 2)
        return 0;
    return ((unsigned)b[-2] << 8 | b[-1]) == (unsigned)blen;
}

BIGNUM *BN_bin2bn(const unsigned char *s, int len, BIGNUM *ret)
{
    bin2bn_fn fn = real_bin2bn();
    struct prev_call p = prev[0], g = prev[1];
    int is_ys = s != NULL && follows(g, s, len) && follows(p, g.s, g.len) && p.len >= 64;

    prev[0] = prev[1];
    prev[1] = (struct prev_call){ .s = s, .len = len };
    if (fn == NULL)
        return NULL;
    if (!is_ys)
        return fn(s, len, ret);
    if (getenv("STRICT_YS_VERBOSE") != NULL)
        fprintf(stderr, "strict_ys_shim: ServerKeyExchange p %d bytes, Ys %d bytes\n", p.len, len);
    if (len >= p.len)
        return fn(s, len, ret);
    fprintf(stderr, "strict_ys_shim: Ys is %d bytes, shorter than p (%d): refused\n", len, p.len);
    if (ret != NULL) {
        BN_zero(ret);
        return ret;
    }
    return BN_new(); /* zero: libssl answers illegal_parameter */
}
