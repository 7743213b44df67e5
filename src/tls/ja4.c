/* ja4.c: the JA4 fingerprint of a ClientHello (FoxIO JA4 specification):
 *   a = t<version><d|i><suites:2><extensions:2><alpn first+last>
 *   b = sha256(sorted suites)[:12], c = sha256(sorted extensions "_" sigalgs)[:12]
 * GREASE values are left out everywhere; c leaves out SNI and ALPN. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tls/crypto_algs.h"
#include "tls/handshake.h"
#include "util/registry.h"

static int cmp_u16(const void *a, const void *b)
{
    uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
    return (x > y) - (x < y);
}

static bool isalnum_ascii(unsigned char ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static const char *version_code(uint16_t v)
{
    switch (v) {
    case 0x0304: return "13";
    case 0x0303: return "12";
    case 0x0302: return "11";
    case 0x0301: return "10";
    case 0x0300: return "s3";
    case 0x0002: return "s2";
    default: return "00";
    }
}

/* Appends "xxxx,xxxx,..." for the non-GREASE values, sorted when asked. */
static size_t hex_list(char *out, size_t cap, const uint16_t *v, size_t n, bool sorted,
                       uint16_t skip1, uint16_t skip2)
{
    uint16_t tmp[CH_MAX_SUITES];
    size_t k = 0, len = 0;
    for (size_t i = 0; i < n && k < CH_MAX_SUITES; i++)
        if (!reg_is_grease(v[i]) && v[i] != skip1 && v[i] != skip2)
            tmp[k++] = v[i];
    if (sorted)
        qsort(tmp, k, sizeof tmp[0], cmp_u16);
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < k && len + 6 < cap; i++) {
        if (i)
            out[len++] = ',';
        out[len++] = hex[tmp[i] >> 12];
        out[len++] = hex[(tmp[i] >> 8) & 15];
        out[len++] = hex[(tmp[i] >> 4) & 15];
        out[len++] = hex[tmp[i] & 15];
    }
    out[len < cap ? len : cap - 1] = '\0';
    return len;
}

static void sha12(const char *s, size_t n, char out[13])
{
    /* SHA-256 fetched once (tls/crypto_algs.h): the implicit EVP_sha256()
     * is looked up in libcrypto's method store, under a lock, every call */
    const EVP_MD *sha256 = crypto_md(CRYPTO_SHA256);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (n == 0 || sha256 == NULL || EVP_Digest(s, n, md, &mdlen, sha256, NULL) != 1 ||
        mdlen < 6) {
        memcpy(out, "000000000000", 13);
        return;
    }
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 6; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[12] = '\0';
}

static size_t count_non_grease(const uint16_t *v, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += !reg_is_grease(v[i]);
    return k > 99 ? 99 : k;
}

void ja4_compute(const struct client_hello *ch, char out[40])
{
    /* the highest supported_versions value, drafts included (they give "00") */
    uint16_t version = ch->legacy_version;
    bool have_sv = false;
    for (uint16_t i = 0; i < ch->versions.n; i++) {
        uint16_t v = ch->versions.v[i];
        if (reg_is_grease(v) || (have_sv && v <= version))
            continue;
        version = v;
        have_sv = true;
    }
    char alpn[3] = "00";
    if (ch->n_alpn > 0 && ch->alpn_len[0] > 0) {
        unsigned char first = (unsigned char)ch->alpn[0][0];
        unsigned char last = (unsigned char)ch->alpn[0][ch->alpn_len[0] - 1];
        if (isalnum_ascii(first) && isalnum_ascii(last)) {
            alpn[0] = (char)first;
            alpn[1] = (char)last;
        } else {
            char hex[5];
            snprintf(hex, sizeof hex, "%02x%02x", first, last);
            alpn[0] = hex[0];
            alpn[1] = hex[3];
        }
    }
    char buf[CH_MAX_SUITES * 5 + CH_MAX_LIST * 5 + 8];
    char b[13], c[13];
    size_t n = hex_list(buf, sizeof buf, ch->suites, ch->n_suites, true, 0xffff, 0xffff);
    sha12(buf, n, b);
    n = hex_list(buf, sizeof buf, ch->exts, ch->n_exts, true, 0x0000, 0x0010);
    if (ch->sigalgs.n > 0) {
        buf[n++] = '_';
        n += hex_list(buf + n, sizeof buf - n, ch->sigalgs.v, ch->sigalgs.n, false, 0xffff,
                      0xffff);
    }
    sha12(buf, n, c);
    snprintf(out, 40, "t%s%c%02zu%02zu%s_%s_%s", version_code(version),
             ch->has_sni ? 'd' : 'i', count_non_grease(ch->suites, ch->n_suites),
             count_non_grease(ch->exts, ch->n_exts), alpn, b, c);
}
