/* cert.c: facts about one X.509 certificate, read with OpenSSL libcrypto.
 *
 * Nothing here judges: cert_check.c decides what is weak or wrong. Every
 * string handed out is valid UTF-8 and fits its buffer, because certificate
 * text is attacker-chosen bytes (embedded NULs in CNs, BMPStrings of odd
 * length, 16 MB names) and the reporter must be able to print it blindly. */
#include "x509/cert.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid.
 * Strict per RFC 3629: no overlong forms, no surrogates, nothing past
 * U+10FFFF. NUL counts as invalid because it would end a C string early. */
static size_t utf8_seq(const uint8_t *s, size_t n)
{
    uint8_t c = s[0];
    size_t need;
    uint32_t cp, min;

    if (c < 0x80) return c == 0 ? 0 : 1;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 2; cp = c & 0x1Fu; min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        need = 3; cp = c & 0x0Fu; min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4; cp = c & 0x07u; min = 0x10000;
    } else {
        return 0;
    }
    if (need > n) return 0;
    for (size_t k = 1; k < need; k++) {
        if ((s[k] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[k] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return need;
}

bool cert_copy_text(char *dst, size_t cap, const uint8_t *src, size_t n)
{
    static const uint8_t replacement[3] = {0xEF, 0xBF, 0xBD};  /* U+FFFD */
    size_t o = 0;

    if (cap == 0) return n == 0;
    for (size_t i = 0; i < n;) {
        size_t k = utf8_seq(src + i, n - i);
        const uint8_t *emit = src + i;
        size_t elen = k;
        if (k == 0) {
            emit = replacement;
            elen = sizeof replacement;
            k = 1;
        }
        if (elen > cap - 1 - o) {
            dst[o] = '\0';
            return false;
        }
        memcpy(dst + o, emit, elen);
        o += elen;
        i += k;
    }
    dst[o] = '\0';
    return true;
}

static void copy_cstr(char *dst, size_t cap, const char *src)
{
    (void)cert_copy_text(dst, cap, (const uint8_t *)src, strlen(src));
}

/* RFC 2253 one-line form. ESC_MSB is dropped so non-ASCII stays UTF-8
 * (UTF8_CONVERT turns BMP/Latin-1 strings into UTF-8); if OpenSSL cannot
 * convert a string (odd-length BMPString, invalid UTF8String) it fails the
 * whole print, and the second attempt escapes every high byte as \XX, which
 * always succeeds and is still honest about the bytes. An empty string
 * means even that failed. */
static enum status name_text(const X509_NAME *nm, char *dst, size_t cap)
{
    static const unsigned long utf8_flags = XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB;
    static const unsigned long ascii_flags =
        XN_FLAG_RFC2253 & ~(unsigned long)ASN1_STRFLGS_UTF8_CONVERT;
    BIO *b;
    char *data = NULL;
    long dlen;

    dst[0] = '\0';
    if (nm == NULL) return ST_OK;
    b = BIO_new(BIO_s_mem());
    ENSURE(b != NULL, ST_NOMEM);
    if (X509_NAME_print_ex(b, nm, 0, utf8_flags) < 0) {
        (void)BIO_reset(b);
        if (X509_NAME_print_ex(b, nm, 0, ascii_flags) < 0) (void)BIO_reset(b);
    }
    dlen = BIO_get_mem_data(b, &data);
    if (dlen > 0 && data != NULL)
        (void)cert_copy_text(dst, cap, (const uint8_t *)data, (size_t)dlen);
    BIO_free(b);
    return ST_OK;
}

/* The last CN is the most specific one (RFC 6125 6.4.4 leaves the choice
 * to us; OpenSSL's host check also looks at every CN). */
static void common_name(const X509_NAME *nm, char *dst, size_t cap)
{
    int idx = -1, last = -1;
    unsigned char *utf8 = NULL;
    int n;

    dst[0] = '\0';
    while ((idx = X509_NAME_get_index_by_NID(nm, NID_commonName, idx)) >= 0)
        last = idx;
    if (last < 0) return;
    n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(nm, last)));
    if (n > 0 && utf8 != NULL) (void)cert_copy_text(dst, cap, utf8, (size_t)n);
    OPENSSL_free(utf8);
}

static void add_san(struct cert_info *out, const char *text, size_t len, bool ip)
{
    if (out->n_san >= CERT_MAX_SAN) {
        out->san_truncated = true;
        return;
    }
    if (!cert_copy_text(out->san[out->n_san], sizeof out->san[0], (const uint8_t *)text, len))
        out->san_truncated = true;
    out->san_ip[out->n_san] = ip;
    out->n_san++;
}

/* RFC 5280 4.2.1.6: dNSName is an IA5String, iPAddress 4 or 16 octets in
 * network order. Other lengths (CIDR forms belong in name constraints, not
 * here) are skipped rather than guessed at. */
static void subject_alt_names(X509 *x, struct cert_info *out)
{
    GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    int count;

    if (gens == NULL) return;
    count = sk_GENERAL_NAME_num(gens);
    for (int i = 0; i < count; i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
        int type = -1;
        const ASN1_STRING *s = GENERAL_NAME_get0_value(g, &type);
        const unsigned char *d;
        int len;
        char ip[INET6_ADDRSTRLEN];

        if (s == NULL) continue;
        d = ASN1_STRING_get0_data(s);
        len = ASN1_STRING_length(s);
        if (d == NULL || len < 0) continue;
        if (type == GEN_DNS) {
            add_san(out, (const char *)d, (size_t)len, false);
        } else if (type == GEN_IPADD && (len == 4 || len == 16)) {
            if (inet_ntop(len == 4 ? AF_INET : AF_INET6, d, ip, sizeof ip) != NULL)
                add_san(out, ip, strlen(ip), true);
        }
    }
    GENERAL_NAMES_free(gens);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil); gmtime's inverse without timegm, which is not POSIX. */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* ASN1_TIME_to_tm validates the UTCTime/GeneralizedTime text (d2i does
 * not), so a certificate with unreadable dates is refused here. */
static enum status asn1_time_unix(const ASN1_TIME *t, int64_t *out)
{
    struct tm tm;

    memset(&tm, 0, sizeof tm);
    ENSURE(t != NULL, ST_MALFORMED);
    ENSURE(ASN1_TIME_to_tm(t, &tm) == 1, ST_MALFORMED);
    *out = days_from_civil((int64_t)tm.tm_year + 1900, (int64_t)tm.tm_mon + 1, tm.tm_mday) * 86400 +
           (int64_t)tm.tm_hour * 3600 + (int64_t)tm.tm_min * 60 + tm.tm_sec;
    return ST_OK;
}

static void hex(char *dst, size_t cap, const unsigned char *src, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    size_t o = 0;

    for (size_t i = 0; i < n && o + 2 < cap; i++) {
        dst[o++] = digits[src[i] >> 4];
        dst[o++] = digits[src[i] & 0x0F];
    }
    if (cap > 0) dst[o] = '\0';
}

static void serial_text(X509 *x, char *dst, size_t cap)
{
    const ASN1_INTEGER *sn = X509_get0_serialNumber(x);
    const unsigned char *d = ASN1_STRING_get0_data(sn);
    int len = ASN1_STRING_length(sn);
    size_t o = 0;

    dst[0] = '\0';
    if (d == NULL || len <= 0) {
        copy_cstr(dst, cap, "0");
        return;
    }
    /* RFC 5280 4.1.2.2 says positive, but some CAs got it wrong. */
    if (ASN1_STRING_type(sn) == V_ASN1_NEG_INTEGER) dst[o++] = '-';
    hex(dst + o, cap - o, d, (size_t)len);
}

static void signature_facts(X509 *x, struct cert_info *out)
{
    const X509_ALGOR *alg = NULL;
    const ASN1_OBJECT *obj = NULL;
    int mdnid = NID_undef, pknid = NID_undef, secbits = 0;
    uint32_t flags = 0;

    X509_get0_signature(NULL, &alg, x);
    if (alg != NULL) X509_ALGOR_get0(&obj, NULL, NULL, alg);
    /* no_name = 0: the long name when OpenSSL knows the OID, else dotted. */
    if (obj == NULL || OBJ_obj2txt(out->signature_algorithm, sizeof out->signature_algorithm, obj, 0) < 0)
        out->signature_algorithm[0] = '\0';
    /* X509_get_signature_info also reads the hash out of RSASSA-PSS
     * parameters, which the algorithm name alone does not show. */
    if (X509_get_signature_info(x, &mdnid, &pknid, &secbits, &flags) == 1 && mdnid != NID_undef) {
        const char *sn = OBJ_nid2sn(mdnid);
        if (sn != NULL) copy_cstr(out->signature_hash, sizeof out->signature_hash, sn);
    }
}

static const struct {
    int id;
    const char *name;
} key_types[] = {
    {.id = EVP_PKEY_RSA, .name = "RSA"},
    {.id = EVP_PKEY_RSA_PSS, .name = "RSA-PSS"},
    {.id = EVP_PKEY_EC, .name = "EC"},
    {.id = EVP_PKEY_ED25519, .name = "Ed25519"},
    {.id = EVP_PKEY_ED448, .name = "Ed448"},
    {.id = EVP_PKEY_DSA, .name = "DSA"},
    {.id = EVP_PKEY_DH, .name = "DH"},
    {.id = EVP_PKEY_DHX, .name = "DH"},
    {.id = EVP_PKEY_X25519, .name = "X25519"},
    {.id = EVP_PKEY_X448, .name = "X448"},
    {.id = EVP_PKEY_SM2, .name = "SM2"},
};

static void key_facts(X509 *x, struct cert_info *out)
{
    /* NULL when the key is of an unknown type or does not decode: d2i_X509
     * accepts both, so this is not a parse failure. */
    EVP_PKEY *pk = X509_get0_pubkey(x);
    int id;
    size_t glen = 0;

    if (pk == NULL) return;
    id = EVP_PKEY_get_base_id(pk);
    copy_cstr(out->key_type, sizeof out->key_type, "other");
    for (size_t i = 0; i < sizeof key_types / sizeof key_types[0]; i++) {
        if (key_types[i].id == id) {
            copy_cstr(out->key_type, sizeof out->key_type, key_types[i].name);
            break;
        }
    }
    out->key_bits = EVP_PKEY_get_bits(pk);
    if (out->key_bits < 0) out->key_bits = 0;
    if (id == EVP_PKEY_EC) {
        if (EVP_PKEY_get_group_name(pk, out->key_curve, sizeof out->key_curve, &glen) != 1 ||
            out->key_curve[0] == '\0')
            copy_cstr(out->key_curve, sizeof out->key_curve, "explicit");
    }
}

enum status cert_decode(struct cert_cache *cache, const uint8_t *der, size_t len,
                        struct x509_st **out)
{
    const unsigned char *p = der;
    X509 *x;

    *out = NULL;
    ENSURE(der != NULL && len > 0, ST_MALFORMED);
    ENSURE(len <= CERT_MAX_DER, ST_LIMIT);
    x = cert_cache_get(cache, der, len);
    if (x != NULL) {
        *out = x;
        return ST_OK;
    }
    x = d2i_X509(NULL, &p, (long)len);
    ENSURE(x != NULL, ST_MALFORMED);
    /* A TLS CertificateEntry holds exactly one certificate; bytes after it
     * mean the length prefix and the DER disagree. */
    if ((size_t)(p - der) != len) {
        X509_free(x);
        return ST_MALFORMED;
    }
    cert_cache_put(cache, der, len, x);
    *out = x;
    return ST_OK;
}

static enum status make_facts(struct x509_st *x, const uint8_t *der, size_t len,
                              struct cert_info *out);

/* The facts of a certificate; made once per distinct certificate (cert_cache.c). */
enum status cert_facts(struct cert_cache *cache, struct x509_st *x, const uint8_t *der,
                       size_t len, struct cert_info *out)
{
    if (cert_cache_get_facts(cache, der, len, out))
        return ST_OK;
    TRY(make_facts(x, der, len, out));
    cert_cache_put_facts(cache, der, len, out);
    return ST_OK;
}

static enum status make_facts(struct x509_st *x, const uint8_t *der, size_t len,
                              struct cert_info *out)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    uint32_t xf;
    long version;

    memset(out, 0, sizeof *out);
    TRY(asn1_time_unix(X509_get0_notBefore(x), &out->not_before));
    TRY(asn1_time_unix(X509_get0_notAfter(x), &out->not_after));
    TRY(name_text(X509_get_subject_name(x), out->subject, sizeof out->subject));
    TRY(name_text(X509_get_issuer_name(x), out->issuer, sizeof out->issuer));
    common_name(X509_get_subject_name(x), out->common_name, sizeof out->common_name);
    subject_alt_names(x, out);

    version = X509_get_version(x);
    out->version = version >= 0 && version <= 2 ? (int)version + 1 : 0;
    serial_text(x, out->serial, sizeof out->serial);
    signature_facts(x, out);
    key_facts(x, out);

    /* X509_get_extension_flags decodes and caches the v3 extensions. */
    xf = X509_get_extension_flags(x);
    out->extensions_invalid = (xf & EXFLAG_INVALID) != 0;
    out->is_ca = (xf & EXFLAG_CA) != 0;
    out->self_issued = (xf & EXFLAG_SI) != 0;
    out->self_signed = X509_self_signed(x, 1) == 1;
    out->has_key_usage = (xf & EXFLAG_KUSAGE) != 0;
    if (out->has_key_usage) out->key_usage = X509_get_key_usage(x);
    out->has_eku = (xf & EXFLAG_XKUSAGE) != 0;
    if (out->has_eku) {
        uint32_t eku = X509_get_extended_key_usage(x);
        out->eku_server_auth = (eku & XKU_SSL_SERVER) != 0;
        out->eku_client_auth = (eku & XKU_SSL_CLIENT) != 0;
        out->eku_any = (eku & XKU_ANYEKU) != 0;
    }

    /* Over the bytes as sent, not a re-encoding, so it matches what
     * `openssl x509 -fingerprint -sha256` shows for the captured file. */
    ENSURE(EVP_Digest(der, len, md, &mdlen, EVP_sha256(), NULL) == 1, ST_NOMEM);
    hex(out->sha256, sizeof out->sha256, md, mdlen);
    return ST_OK;
}

enum status cert_parse_cached(struct cert_cache *cache, const uint8_t *der, size_t len,
                              struct cert_info *out)
{
    X509 *x = NULL;
    enum status st;

    memset(out, 0, sizeof *out);
    /* OpenSSL queues an error for each garbage certificate; the mark keeps
     * hostile input from leaving them behind for unrelated callers. */
    ERR_set_mark();
    st = cert_decode(cache, der, len, &x);
    if (st == ST_OK) {
        st = cert_facts(cache, x, der, len, out);
        X509_free(x);
    }
    (void)ERR_pop_to_mark();
    if (st != ST_OK) memset(out, 0, sizeof *out);
    return st;
}

enum status cert_parse(const uint8_t *der, size_t len, struct cert_info *out)
{
    return cert_parse_cached(NULL, der, len, out);
}
