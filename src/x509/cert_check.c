/* cert_check.c: findings about a certificate chain as the server sent it.
 *
 * Policy lives here, facts in cert.c. Every judgement is made at the
 * capture's time, never the machine clock: a capture from last year must
 * explain last year's failure. Chain structure uses OpenSSL's own issuer
 * matching (X509_check_issued: names, AKID/SKID, keyCertSign) so we agree
 * with what an OpenSSL client would have built. */
#include "x509/cert.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

struct cert_store {
    X509_STORE *st;
};

enum status cert_store_load(const char *ca_file, const char *ca_path, struct cert_store **out)
{
    struct cert_store *s;
    enum status st = ST_OK;
    struct stat sb;

    *out = NULL;
    s = calloc(1, sizeof *s);
    ENSURE(s != NULL, ST_NOMEM);
    s->st = X509_STORE_new();
    if (s->st == NULL) {
        free(s);
        return ST_NOMEM;
    }
    ERR_set_mark();
    if (ca_file == NULL && ca_path == NULL && X509_STORE_set_default_paths(s->st) != 1)
        st = ST_IO;
    /* X509_STORE_load_file fails when the file holds no certificate, so a
     * wrong path or a DER file is caught here rather than as "untrusted". */
    if (st == ST_OK && ca_file != NULL && X509_STORE_load_file(s->st, ca_file) != 1)
        st = ST_IO;
    /* A hashed directory is read lazily; check now that it is one. */
    if (st == ST_OK && ca_path != NULL &&
        (stat(ca_path, &sb) != 0 || !S_ISDIR(sb.st_mode) || X509_STORE_load_path(s->st, ca_path) != 1))
        st = ST_IO;
    (void)ERR_pop_to_mark();
    if (st != ST_OK) {
        cert_store_free(s);
        return st;
    }
    *out = s;
    return ST_OK;
}

void cert_store_free(struct cert_store *store)
{
    if (store == NULL) return;
    X509_STORE_free(store->st);
    free(store);
}

const char *cert_problem_name(enum cert_problem p)
{
    switch (p) {
    case CERT_P_EXPIRED: return "expired";
    case CERT_P_NOT_YET_VALID: return "not_yet_valid";
    case CERT_P_HOSTNAME_MISMATCH: return "hostname_mismatch";
    case CERT_P_SELF_SIGNED_LEAF: return "self_signed_leaf";
    case CERT_P_CHAIN_INCOMPLETE: return "chain_incomplete";
    case CERT_P_CHAIN_ORDER: return "chain_order";
    case CERT_P_WEAK_SIGNATURE: return "weak_signature";
    case CERT_P_WEAK_KEY: return "weak_key";
    case CERT_P_NO_SERVER_AUTH: return "no_server_auth";
    case CERT_P_UNTRUSTED: return "untrusted";
    case CERT_P_INTERCEPTION: return "interception";
    case CERT_P_ATS: return "ats";
    case CERT_P_MALFORMED: return "malformed";
    }
    return "unknown";
}

/* One certificate of the chain: OpenSSL's object for the checks that need
 * it, our facts for the rest. */
struct link {
    X509 *x;
    struct cert_info info;
};

/* ---- small helpers ---------------------------------------------------- */

/* a - b without signed overflow: capture times come from capture files and
 * GeneralizedTime reaches year 0000, so both ends can be extreme. */
static int64_t sat_sub(int64_t a, int64_t b)
{
    if (b < 0 && a > INT64_MAX + b) return INT64_MAX;
    if (b > 0 && a < INT64_MIN + b) return INT64_MIN;
    return a - b;
}

static bool str_in(const char *s, const char *const *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, set[i]) == 0) return true;
    return false;
}

static char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* ASCII case-insensitive substring search (strcasestr is not POSIX). */
static bool contains_ci(const char *hay, const char *needle)
{
    size_t hn = strlen(hay), nn = strlen(needle);

    if (nn > hn) return false;
    for (size_t i = 0; i + nn <= hn; i++) {
        size_t k = 0;
        while (k < nn && ascii_lower(hay[i + k]) == ascii_lower(needle[k])) k++;
        if (k == nn) return true;
    }
    return false;
}

/* Appends to the report's detail, "; " between items, cut at a UTF-8
 * character boundary when full. */
static void detail_add(struct cert_chain_report *out, bool new_item, const char *s)
{
    size_t used = strlen(out->detail);
    size_t cap = sizeof out->detail;

    if (new_item && used > 0) {
        (void)cert_copy_text(out->detail + used, cap - used, (const uint8_t *)"; ", 2);
        used = strlen(out->detail);
    }
    (void)cert_copy_text(out->detail + used, cap - used, (const uint8_t *)s, strlen(s));
}

/* ---- per-certificate rules -------------------------------------------- */

/* Hashes whose collisions are practical or near it; CA/Browser Forum
 * Baseline Requirements 7.1.3 forbid them, and browsers reject them below
 * the root. */
static const char *const weak_hashes[] = {"MD2", "MD4", "MD5", "SHA1", "MD5-SHA1"};
/* Apple ATS: "SHA-256 or greater" (SHA-224 is not). */
static const char *const ats_hashes[] = {"SHA256", "SHA384", "SHA512"};

/* Finite-field keys under 2048 bits and EC keys under 256 bits are below
 * 112-bit security (NIST SP 800-57 pt.1 table 2), the floor of OpenSSL's
 * default security level 2 and of the CA/B Forum requirements. */
static bool weak_key(const struct cert_info *ci)
{
    static const char *const ff[] = {"RSA", "RSA-PSS", "DSA", "DH"};

    if (ci->key_bits <= 0) return false;  /* unknown: do not guess */
    if (str_in(ci->key_type, ff, sizeof ff / sizeof ff[0])) return ci->key_bits < 2048;
    if (strcmp(ci->key_type, "EC") == 0) return ci->key_bits < 256;
    return false;
}

/* A list of known names of TLS-intercepting products, as they appear in
 * the issuer names those products put on the certificates they mint. It says
 * only that an issuer carries one of these names, nothing more. "Symantec"
 * alone is deliberately absent: it was a public CA long before ProxySG. */
static const struct {
    const char *needle;
    const char *product;
} interceptors[] = {
    {.needle = "FortiGate", .product = "Fortinet FortiGate"},
    {.needle = "Fortinet", .product = "Fortinet FortiGate"},
    {.needle = "Zscaler", .product = "Zscaler"},
    {.needle = "Palo Alto Networks", .product = "Palo Alto Networks"},
    {.needle = "Blue Coat", .product = "Blue Coat ProxySG"},
    {.needle = "ProxySG", .product = "Blue Coat ProxySG"},
    {.needle = "Sophos", .product = "Sophos"},
    {.needle = "Cisco Umbrella", .product = "Cisco Umbrella"},
    {.needle = "Netskope", .product = "Netskope"},
    {.needle = "Kaspersky Anti-Virus Personal Root", .product = "Kaspersky Anti-Virus"},
    {.needle = "Avast Web/Mail Shield Root", .product = "Avast Web/Mail Shield"},
    {.needle = "AVG Web/Mail Shield Root", .product = "AVG Web/Mail Shield"},
    {.needle = "ESET SSL Filter CA", .product = "ESET SSL Filter"},
    {.needle = "Bitdefender Personal CA", .product = "Bitdefender"},
    {.needle = "McAfee Web Gateway", .product = "McAfee Web Gateway"},
    {.needle = "Forcepoint", .product = "Forcepoint"},
    {.needle = "Websense", .product = "Forcepoint (Websense)"},
    {.needle = "Check Point", .product = "Check Point"},
    {.needle = "Barracuda", .product = "Barracuda"},
    {.needle = "Charles Proxy CA", .product = "Charles Proxy"},
    {.needle = "mitmproxy", .product = "mitmproxy"},
    {.needle = "DO_NOT_TRUST_FiddlerRoot", .product = "Fiddler"},
    {.needle = "PortSwigger CA", .product = "Burp Suite"},
};

static const char *interception_product(const char *issuer)
{
    for (size_t i = 0; i < sizeof interceptors / sizeof interceptors[0]; i++)
        if (contains_ci(issuer, interceptors[i].needle)) return interceptors[i].product;
    return NULL;
}

static void check_each(const struct link *c, size_t n, int64_t capture_time,
                       struct cert_chain_report *out)
{
    for (size_t i = 0; i < n; i++) {
        const struct cert_info *ci = &c[i].info;
        int idx = (int)i;
        /* A root's own signature is never checked by clients (RFC 5280
         * 6.1: the trust anchor is an input, not a path member), so a SHA-1
         * self-signed root is fine; the leaf is always judged. */
        bool sig_checked = i == 0 || !ci->self_signed;
        const char *product;

        /* RFC 5280 4.1.2.5: the validity period includes both ends. */
        if (capture_time > ci->not_after && out->expired_index < 0) {
            out->problems |= CERT_P_EXPIRED;
            out->expired_index = idx;
            out->expired_by = sat_sub(capture_time, ci->not_after);
        }
        if (capture_time < ci->not_before && out->not_yet_valid_index < 0) {
            out->problems |= CERT_P_NOT_YET_VALID;
            out->not_yet_valid_index = idx;
            out->not_valid_for = sat_sub(ci->not_before, capture_time);
        }
        if (sig_checked && str_in(ci->signature_hash, weak_hashes, sizeof weak_hashes / sizeof weak_hashes[0])) {
            out->problems |= CERT_P_WEAK_SIGNATURE | CERT_P_ATS;
            if (out->weak_signature_index < 0) out->weak_signature_index = idx;
        }
        /* Only a hash we can name is judged for ATS: Ed25519 has none. */
        if (sig_checked && ci->signature_hash[0] != '\0' &&
            !str_in(ci->signature_hash, ats_hashes, sizeof ats_hashes / sizeof ats_hashes[0]))
            out->problems |= CERT_P_ATS;
        /* Key size is checked on every certificate, root included: OpenSSL's
         * security level and Apple both refuse small keys anywhere. */
        if (weak_key(ci)) {
            out->problems |= CERT_P_WEAK_KEY | CERT_P_ATS;
            if (out->weak_key_index < 0) out->weak_key_index = idx;
        }
        /* An EKU constrains intermediates too (OpenSSL check_ssl_ca, Mozilla,
         * Chrome). anyExtendedKeyUsage does not stand in for serverAuth:
         * OpenSSL and Mozilla both refuse it for a TLS server. */
        if (sig_checked && ci->has_eku && !ci->eku_server_auth) {
            out->problems |= CERT_P_NO_SERVER_AUTH;
            if (out->no_server_auth_index < 0) out->no_server_auth_index = idx;
        }
        product = interception_product(ci->issuer);
        if (product != NULL && out->interception_index < 0) {
            out->problems |= CERT_P_INTERCEPTION;
            out->interception_index = idx;
            (void)cert_copy_text(out->interception_product, sizeof out->interception_product,
                                 (const uint8_t *)product, strlen(product));
        }
    }
}

/* ---- host name -------------------------------------------------------- */

static void summarize_names(const struct cert_info *leaf, struct cert_chain_report *out)
{
    char more[48];

    if (leaf->n_san == 0) {
        detail_add(out, true, "the certificate has no DNS or IP names; subject CN is \"");
        detail_add(out, false, leaf->common_name);
        detail_add(out, false, "\"");
        return;
    }
    detail_add(out, true, "names in the certificate: ");
    for (size_t i = 0; i < leaf->n_san; i++) {
        /* Leave room for the rest of the detail: after 8 names, count. */
        if (i == 8) {
            (void)snprintf(more, sizeof more, " (+%zu more%s)", leaf->n_san - i,
                           leaf->san_truncated ? ", list cut" : "");
            detail_add(out, false, more);
            return;
        }
        if (i > 0) detail_add(out, false, ", ");
        detail_add(out, false, leaf->san[i]);
    }
    if (leaf->san_truncated) detail_add(out, false, " (list cut)");
}

/* RFC 6125 matching by OpenSSL. Partial wildcards ("f*.example.com") are
 * refused as browsers do. The subject CN is consulted only when there is no
 * DNS SAN (OpenSSL's rule); a match that needs it is still reported as a
 * mismatch, because Chrome (58+), Go (1.15+) and Apple (iOS 13+) no longer
 * read the CN at all. RFC 6066 3 forbids IP literals in SNI, but some
 * clients send them, so an IP is matched against iPAddress SANs. */
static void check_host(const struct link *leaf, const char *sni, struct cert_chain_report *out)
{
    const unsigned int flags = X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS;
    unsigned char ipbuf[16];
    size_t len = strlen(sni);
    bool match;

    if (len == 0) return;
    if (inet_pton(AF_INET, sni, ipbuf) == 1 || inet_pton(AF_INET6, sni, ipbuf) == 1) {
        match = X509_check_ip_asc(leaf->x, sni, 0) == 1;
    } else if (sni[0] == '.') {
        /* X509_check_host reads a leading dot as "any subdomain of"; no
         * client matches such a name, so it matches nothing. */
        match = false;
    } else {
        /* A fully qualified "example.com." names the same host. */
        if (len > 1 && sni[len - 1] == '.') len--;
        match = X509_check_host(leaf->x, sni, len, flags | X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, NULL) == 1;
        if (!match && X509_check_host(leaf->x, sni, len, flags, NULL) == 1)
            out->hostname_cn_only = true;
    }
    if (match) return;
    out->problems |= CERT_P_HOSTNAME_MISMATCH;
    if (out->hostname_cn_only)
        detail_add(out, true, "the name matches only the subject CN, which Chrome, Go and Apple clients ignore");
    summarize_names(&leaf->info, out);
}

/* ---- chain structure -------------------------------------------------- */

struct chain {
    const struct link *c;
    size_t n;
    /* issued[i][j]: certificate j issued certificate i (names, key ids and
     * key usage agree; the signature is not verified here). */
    bool issued[CERT_MAX_CHAIN][CERT_MAX_CHAIN];
};

static void build_issued(struct chain *ch)
{
    for (size_t i = 0; i < ch->n; i++)
        for (size_t j = 0; j < ch->n; j++)
            ch->issued[i][j] = i != j && X509_check_issued(ch->c[j].x, ch->c[i].x) == X509_V_OK;
}

/* RFC 5246 7.4.2 requires each certificate to certify the one before it.
 * TLS 1.3 (RFC 8446 4.4.2) lets clients cope with any order, but OpenSSL
 * 1.0.x and many embedded stacks still build the path strictly. Out of
 * order means: a certificate's issuer was sent, just not right after it.
 * An unrelated extra certificate is not an ordering problem. */
static void check_order(const struct chain *ch, struct cert_chain_report *out)
{
    for (size_t i = 0; i + 1 < ch->n; i++) {
        if (ch->c[i].info.self_signed || ch->issued[i][i + 1]) continue;
        for (size_t j = 0; j < ch->n; j++) {
            if (j != i + 1 && ch->issued[i][j]) {
                out->problems |= CERT_P_CHAIN_ORDER;
                return;
            }
        }
    }
}

/* Walk issuers from the leaf through what was sent. Servers normally omit
 * the root, so a path ending at an intermediate CA is what a good chain
 * looks like and, without a trust store, we cannot tell it from one that
 * lacks a second intermediate. What we can say honestly: if the path ends at
 * an end-entity certificate (usually the leaf alone), its issuing CA was not
 * sent; public CAs never sign leaves from the root (CA/B Forum BR 6.1.7), so
 * a client without that intermediate cached fails. */
static void check_complete(const struct chain *ch, struct cert_chain_report *out)
{
    bool seen[CERT_MAX_CHAIN] = {false};
    size_t cur = 0;

    for (;;) {
        size_t next = ch->n;
        seen[cur] = true;
        if (ch->c[cur].info.self_signed) return;  /* reached a root */
        if (cur + 1 < ch->n && ch->issued[cur][cur + 1] && !seen[cur + 1]) {
            next = cur + 1;
        } else {
            for (size_t j = 0; j < ch->n; j++) {
                if (!seen[j] && ch->issued[cur][j]) {
                    next = j;
                    break;
                }
            }
        }
        if (next == ch->n) break;
        cur = next;
    }
    /* A self-issued certificate whose signature fails names itself as
     * issuer; nothing is missing there, it is just broken. */
    if (ch->c[cur].info.is_ca || ch->c[cur].info.self_issued) return;
    out->problems |= CERT_P_CHAIN_INCOMPLETE;
    (void)cert_copy_text(out->missing_issuer, sizeof out->missing_issuer,
                         (const uint8_t *)ch->c[cur].info.issuer, strlen(ch->c[cur].info.issuer));
}

/* ---- trust store ------------------------------------------------------ */

struct verify_state {
    bool have;
    int err;
    int depth;
    int index;   /* index in the chain as sent of the failing certificate,
                  * -1 if it came from the store */
    const struct chain *ch;
};

/* Expiry is judged by check_each against the capture time; here the
 * verifier is told to go on past time errors so that it also says whether
 * the chain leads to a trusted root. Any other error stops it; the first
 * one is kept. */
static int verify_cb(int ok, X509_STORE_CTX *ctx)
{
    struct verify_state *vs = X509_STORE_CTX_get_app_data(ctx);
    int err = X509_STORE_CTX_get_error(ctx);

    if (ok) return 1;
    if (err == X509_V_ERR_CERT_HAS_EXPIRED || err == X509_V_ERR_CERT_NOT_YET_VALID ||
        err == X509_V_ERR_CRL_HAS_EXPIRED || err == X509_V_ERR_CRL_NOT_YET_VALID)
        return 1;
    if (vs != NULL && !vs->have) {
        X509 *cur = X509_STORE_CTX_get_current_cert(ctx);
        vs->have = true;
        vs->err = err;
        vs->depth = X509_STORE_CTX_get_error_depth(ctx);
        vs->index = -1;
        for (size_t i = 0; cur != NULL && i < vs->ch->n; i++) {
            if (X509_cmp(cur, vs->ch->c[i].x) == 0) {
                vs->index = (int)i;
                break;
            }
        }
    }
    return 0;
}

static enum status check_store(const struct chain *ch, int64_t capture_time,
                               const struct cert_store *store, struct cert_chain_report *out)
{
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    struct verify_state vs;
    const int64_t year_9999 = INT64_C(253402300799);  /* 9999-12-31T23:59:59Z */
    int64_t vt;
    time_t t;
    enum status st = ST_OK;
    char depth[32];
    int rv;

    memset(&vs, 0, sizeof vs);
    vs.index = -1;
    vs.ch = ch;
    if (ctx == NULL || untrusted == NULL) {
        st = ST_NOMEM;
        goto done;
    }
    /* The stack borrows the X509 objects; sk_X509_free leaves them. */
    for (size_t i = 1; i < ch->n; i++) {
        if (sk_X509_push(untrusted, ch->c[i].x) <= 0) {
            st = ST_NOMEM;
            goto done;
        }
    }
    if (X509_STORE_CTX_init(ctx, store->st, ch->c[0].x, untrusted) != 1) {
        st = ST_NOMEM;
        goto done;
    }
    /* A capture time outside 1970..9999 is a broken timestamp, and OpenSSL
     * cannot compare such a time with a certificate's: it would report a
     * format error as if the certificate were at fault. Where time_t is 32
     * bits, times past 2038 saturate. */
    vt = capture_time < 0 ? 0 : capture_time > year_9999 ? year_9999 : capture_time;
    t = (time_t)vt;
    if ((int64_t)t != vt) t = (time_t)INT32_MAX;
    X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), t);
    X509_STORE_CTX_set_verify_cb(ctx, verify_cb);
    if (X509_STORE_CTX_set_app_data(ctx, &vs) != 1) {
        st = ST_NOMEM;
        goto done;
    }
    rv = X509_verify_cert(ctx);
    if (rv == 1 && !vs.have) goto done;
    if (!vs.have) {
        /* Failures that skip the callback are internal ones. */
        vs.err = X509_STORE_CTX_get_error(ctx);
        vs.depth = X509_STORE_CTX_get_error_depth(ctx);
        if (vs.err == X509_V_ERR_OUT_OF_MEM) {
            st = ST_NOMEM;
            goto done;
        }
    }
    out->problems |= CERT_P_UNTRUSTED;
    out->verify_error = vs.err;
    out->verify_error_depth = vs.depth;
    detail_add(out, true, "verify: ");
    detail_add(out, false, X509_verify_cert_error_string(vs.err));
    (void)snprintf(depth, sizeof depth, " (depth %d)", vs.depth);
    detail_add(out, false, depth);
    /* The issuer of a certificate we sent is in neither the chain nor the
     * store. For an end-entity certificate that is a missing intermediate
     * (see check_complete). For a CA it may as well be a root this store
     * lacks, so only "untrusted" is said. */
    if ((vs.err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
         vs.err == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE) &&
        vs.index >= 0 && !ch->c[vs.index].info.is_ca && !ch->c[vs.index].info.self_issued) {
        const char *iss = ch->c[vs.index].info.issuer;
        out->problems |= CERT_P_CHAIN_INCOMPLETE;
        (void)cert_copy_text(out->missing_issuer, sizeof out->missing_issuer, (const uint8_t *)iss, strlen(iss));
    }
done:
    sk_X509_free(untrusted);
    X509_STORE_CTX_free(ctx);
    return st;
}

/* ---- entry point ------------------------------------------------------ */

static void report_init(struct cert_chain_report *out)
{
    memset(out, 0, sizeof *out);
    out->expired_index = -1;
    out->not_yet_valid_index = -1;
    out->weak_signature_index = -1;
    out->weak_key_index = -1;
    out->no_server_auth_index = -1;
    out->interception_index = -1;
    out->malformed_index = -1;
    out->verify_error_depth = -1;
}

static enum status decode_chain(struct cert_cache *cache, const uint8_t *const der[],
                                const size_t der_len[], size_t n, struct link *c, size_t *n_ok,
                                struct cert_chain_report *out)
{
    *n_ok = 0;
    for (size_t i = 0; i < n; i++) {
        enum status st = cert_decode(cache, der[i], der_len[i], &c[i].x);
        if (st == ST_OK) st = cert_facts(cache, c[i].x, der[i], der_len[i], &c[i].info);
        if (st == ST_MALFORMED || st == ST_LIMIT || st == ST_TRUNCATED) {
            /* Clients abort on the first certificate they cannot decode. */
            out->problems |= CERT_P_MALFORMED;
            out->malformed_index = (int)i;
            return ST_OK;
        }
        TRY(st);
        *n_ok = i + 1;
    }
    return ST_OK;
}

enum status cert_check_chain_cached(struct cert_cache *cache, const uint8_t *const der[],
                                    const size_t der_len[], size_t n, int64_t capture_time,
                                    const char *sni, const struct cert_store *store,
                                    struct cert_chain_report *out)
{
    struct link *c;
    struct chain *ch = NULL;
    size_t n_ok = 0;
    enum status st;

    report_init(out);
    /* An empty Certificate message is a protocol fact for the caller to
     * report; there is no chain to judge. */
    ENSURE(n > 0 && der != NULL && der_len != NULL, ST_MALFORMED);
    ENSURE(n <= CERT_MAX_CHAIN, ST_LIMIT);
    c = calloc(n, sizeof *c);
    ENSURE(c != NULL, ST_NOMEM);
    ERR_set_mark();

    st = decode_chain(cache, der, der_len, n, c, &n_ok, out);
    if (st != ST_OK || n_ok == 0) goto done;

    check_each(c, n_ok, capture_time, out);
    if (c[0].info.self_signed) out->problems |= CERT_P_SELF_SIGNED_LEAF;
    if (sni != NULL) check_host(&c[0], sni, out);

    /* Path building over a chain with a hole in it would blame the wrong
     * thing; the malformed certificate is the finding. */
    if (n_ok < n) goto done;
    ch = calloc(1, sizeof *ch);
    if (ch == NULL) {
        st = ST_NOMEM;
        goto done;
    }
    ch->c = c;
    ch->n = n;
    build_issued(ch);
    check_order(ch, out);
    check_complete(ch, out);
    if (store != NULL) st = check_store(ch, capture_time, store, out);

done:
    (void)ERR_pop_to_mark();
    for (size_t i = 0; i < n; i++) X509_free(c[i].x);
    free(c);
    free(ch);
    if (st != ST_OK) report_init(out);
    return st;
}

enum status cert_check_chain(const uint8_t *const der[], const size_t der_len[], size_t n,
                             int64_t capture_time, const char *sni, const struct cert_store *store,
                             struct cert_chain_report *out)
{
    return cert_check_chain_cached(NULL, der, der_len, n, capture_time, sni, store, out);
}
