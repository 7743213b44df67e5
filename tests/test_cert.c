/* test_cert.c: certificate facts and chain checks.
 *
 * Fixtures are made here with libcrypto at test time (keys, roots,
 * intermediates, leaves with chosen dates, names, hashes and key sizes), so
 * the tests depend on no file and every expected value is known exactly. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "x509/cert.h"
#include "testlib.h"

/* ---- fixtures ---------------------------------------------------------- */

#define NB INT64_C(1577836800)   /* 2020-01-01T00:00:00Z */
#define NA INT64_C(1893456000)   /* 2030-01-01T00:00:00Z */
#define NOW INT64_C(1717200000)  /* 2024-06-01T00:00:00Z, "capture time" */

struct ck {
    X509 *x;
    EVP_PKEY *key;  /* borrowed */
    uint8_t *der;
    size_t len;
};

struct spec {
    const char *subject;     /* "/O=Test/CN=leaf": '/' separated, UTF-8 */
    EVP_PKEY *key;
    const struct ck *issuer; /* NULL: self-signed */
    int64_t nb, na;          /* 0, 0: NB, NA */
    const char *san;         /* X509v3 config text, "DNS:a,IP:1.2.3.4" */
    const char *eku;         /* "serverAuth", ... ; NULL: no extension */
    bool ca;
    const EVP_MD *md;        /* NULL: SHA-256 */
    bool no_md;              /* Ed25519 signs without a separate hash */
    bool no_ext;             /* a bare certificate, no v3 extensions */
};

static X509_NAME *make_name(const char *spec)
{
    X509_NAME *nm = X509_NAME_new();
    char buf[512];
    char *save = NULL;

    if (nm == NULL || strlen(spec) >= sizeof buf) return nm;
    memcpy(buf, spec, strlen(spec) + 1);
    for (char *part = strtok_r(buf, "/", &save); part != NULL; part = strtok_r(NULL, "/", &save)) {
        char *eq = strchr(part, '=');
        if (eq == NULL) continue;
        *eq = '\0';
        if (X509_NAME_add_entry_by_txt(nm, part, MBSTRING_UTF8, (const unsigned char *)eq + 1, -1, -1, 0) != 1)
            fprintf(stderr, "  fixture: cannot add %s\n", part);
    }
    return nm;
}

static void add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
    if (e == NULL || X509_add_ext(x, e, -1) != 1) fprintf(stderr, "  fixture: ext %s failed\n", value);
    X509_EXTENSION_free(e);
}

static void set_time(X509 *x, int64_t t, bool before)
{
    ASN1_TIME *a = ASN1_TIME_set(NULL, (time_t)t);
    if (a == NULL || (before ? X509_set1_notBefore(x, a) : X509_set1_notAfter(x, a)) != 1)
        fprintf(stderr, "  fixture: time failed\n");
    ASN1_TIME_free(a);
}

static void finish_der(struct ck *c)
{
    unsigned char *p;
    int n = i2d_X509(c->x, NULL);
    c->len = n > 0 ? (size_t)n : 0;
    c->der = malloc(c->len ? c->len : 1);
    p = c->der;
    if (n > 0 && c->der != NULL) (void)i2d_X509(c->x, &p);
}

/* Sign x (names and key already set) the way spec says. */
static bool sign_cert(struct ck *out, const struct spec *s)
{
    static long serial = 1000;
    X509V3_CTX v3;
    const struct ck *iss = s->issuer;
    EVP_PKEY *signer = iss ? iss->key : s->key;

    ASN1_INTEGER_set(X509_get_serialNumber(out->x), serial++);
    set_time(out->x, s->nb || s->na ? s->nb : NB, true);
    set_time(out->x, s->nb || s->na ? s->na : NA, false);
    if (X509_set_pubkey(out->x, s->key) != 1) return false;
    if (!s->no_ext) {
        if (X509_set_version(out->x, X509_VERSION_3) != 1) return false;
        X509V3_set_ctx(&v3, iss ? iss->x : out->x, out->x, NULL, NULL, 0);
        add_ext(out->x, &v3, NID_subject_key_identifier, "hash");
        add_ext(out->x, &v3, NID_authority_key_identifier, "keyid:always");
        add_ext(out->x, &v3, NID_basic_constraints, s->ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
        add_ext(out->x, &v3, NID_key_usage,
                s->ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,keyEncipherment");
        if (s->san) add_ext(out->x, &v3, NID_subject_alt_name, s->san);
        if (s->eku) add_ext(out->x, &v3, NID_ext_key_usage, s->eku);
    }
    if (X509_sign(out->x, signer, s->no_md ? NULL : s->md ? s->md : EVP_sha256()) <= 0) return false;
    finish_der(out);
    return out->der != NULL && out->len > 0;
}

static bool mk(struct ck *out, const struct spec *s)
{
    X509_NAME *subj = make_name(s->subject);
    bool ok;

    memset(out, 0, sizeof *out);
    out->key = s->key;
    out->x = X509_new();
    ok = out->x != NULL && subj != NULL && X509_set_subject_name(out->x, subj) == 1 &&
         X509_set_issuer_name(out->x, s->issuer ? X509_get_subject_name(s->issuer->x) : subj) == 1;
    X509_NAME_free(subj);
    if (ok) ok = sign_cert(out, s);
    if (!ok) fprintf(stderr, "  fixture %s failed\n", s->subject);
    return ok;
}

/* A name built from raw string bytes, bypassing OpenSSL's checks, to make
 * the hostile names a fuzzer or an attacker would. */
static bool mk_raw_cn(struct ck *out, EVP_PKEY *key, int type, const void *cn, int cnlen)
{
    X509_NAME *subj = X509_NAME_new();
    struct spec s = {.subject = "", .key = key};
    bool ok;

    memset(out, 0, sizeof *out);
    out->key = key;
    out->x = X509_new();
    ok = out->x != NULL && subj != NULL &&
         X509_NAME_add_entry_by_txt(subj, "O", MBSTRING_ASC, (const unsigned char *)"Test", -1, -1, 0) == 1 &&
         X509_NAME_add_entry_by_NID(subj, NID_commonName, type, (const unsigned char *)cn, cnlen, -1, 0) == 1 &&
         X509_set_subject_name(out->x, subj) == 1 && X509_set_issuer_name(out->x, subj) == 1;
    X509_NAME_free(subj);
    if (ok) ok = sign_cert(out, &s);
    return ok;
}

/* Change the tag of the first string whose tag and content are pat[0] and
 * pat[2..], in the DER only. */
static bool retag(struct ck *c, const uint8_t *pat, uint8_t tag)
{
    for (size_t i = 0; i + 5 <= c->len; i++) {
        if (memcmp(c->der + i, pat, 5) == 0) {
            c->der[i] = tag;
            return true;
        }
    }
    return false;
}

static void ck_free(struct ck *c)
{
    X509_free(c->x);
    free(c->der);
    memset(c, 0, sizeof *c);
}

static EVP_PKEY *ec(const char *curve)
{
    EVP_PKEY *k = EVP_EC_gen(curve);
    if (k == NULL) fprintf(stderr, "  fixture: EC %s keygen failed\n", curve);
    return k;
}

/* A root, an intermediate and a leaf for a.example.com, all P-256. */
struct pki {
    EVP_PKEY *kr, *ki, *kl;
    struct ck root, inter, leaf;
};

static bool pki_make(struct pki *p, const char *leaf_san)
{
    memset(p, 0, sizeof *p);
    p->kr = ec("P-256");
    p->ki = ec("P-256");
    p->kl = ec("P-256");
    if (!p->kr || !p->ki || !p->kl) return false;
    return mk(&p->root, &(struct spec){.subject = "/O=Test/CN=Test Root", .key = p->kr, .ca = true}) &&
           mk(&p->inter, &(struct spec){.subject = "/O=Test/CN=Test Intermediate", .key = p->ki,
                                        .issuer = &p->root, .ca = true}) &&
           mk(&p->leaf, &(struct spec){.subject = "/O=Test/CN=a.example.com", .key = p->kl, .issuer = &p->inter,
                                       .san = leaf_san ? leaf_san : "DNS:a.example.com", .eku = "serverAuth"});
}

static void pki_free(struct pki *p)
{
    ck_free(&p->root);
    ck_free(&p->inter);
    ck_free(&p->leaf);
    EVP_PKEY_free(p->kr);
    EVP_PKEY_free(p->ki);
    EVP_PKEY_free(p->kl);
}

/* Run cert_check_chain over up to 4 fixtures. */
static enum status check(const struct ck *const *certs, size_t n, int64_t t, const char *sni,
                         const struct cert_store *store, struct cert_chain_report *out)
{
    const uint8_t *der[4];
    size_t len[4];
    for (size_t i = 0; i < n && i < 4; i++) {
        der[i] = certs[i]->der;
        len[i] = certs[i]->len;
    }
    return cert_check_chain(der, len, n, t, sni, store, out);
}

#define CHAIN(...) ((const struct ck *const[]){__VA_ARGS__}), \
    sizeof((const struct ck *const[]){__VA_ARGS__}) / sizeof(const struct ck *)

static bool valid_text(const char *s, size_t cap)
{
    char tmp[600];
    size_t n = strnlen(s, cap);
    if (n >= cap || n >= sizeof tmp) return false;
    /* cert_copy_text changes nothing in valid UTF-8 without NULs. */
    return cert_copy_text(tmp, sizeof tmp, (const uint8_t *)s, n) && strcmp(tmp, s) == 0;
}

static bool info_strings_ok(const struct cert_info *ci)
{
    bool ok = valid_text(ci->subject, sizeof ci->subject) && valid_text(ci->issuer, sizeof ci->issuer) &&
              valid_text(ci->common_name, sizeof ci->common_name) &&
              valid_text(ci->signature_algorithm, sizeof ci->signature_algorithm) &&
              valid_text(ci->serial, sizeof ci->serial) && strlen(ci->sha256) == 64 &&
              ci->n_san <= CERT_MAX_SAN;
    for (size_t i = 0; ok && i < ci->n_san; i++) ok = valid_text(ci->san[i], sizeof ci->san[i]);
    return ok;
}

static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1103515245u + 12345u;
    return *s >> 16;
}

static char *write_pem(const X509 *x)
{
    static char path[64];
    int fd;
    FILE *f;

    memcpy(path, "/tmp/test_cert_XXXXXX", sizeof "/tmp/test_cert_XXXXXX");
    fd = mkstemp(path);
    if (fd < 0) return NULL;
    f = fdopen(fd, "w");
    if (f == NULL) {
        close(fd);
        return NULL;
    }
    if (PEM_write_X509(f, x) != 1) path[0] = '\0';
    fclose(f);
    return path;
}

/* ---- cert_parse ------------------------------------------------------- */

TEST(parse_leaf_facts)
{
    struct pki p;
    struct ck leaf;
    struct cert_info ci;
    unsigned char md[32];
    unsigned int mdlen = 0;
    char hexmd[65];

    CHECK(pki_make(&p, NULL));
    CHECK(mk(&leaf, &(struct spec){.subject = "/C=US/O=Foo, Inc./CN=a.example.com", .key = p.kl,
                                    .issuer = &p.inter,
                                    .san = "DNS:a.example.com,DNS:*.example.com,email:x@example.com,"
                                           "IP:192.0.2.1,IP:2001:db8::1",
                                    .eku = "serverAuth,clientAuth"}));
    CHECK_EQ_INT(cert_parse(leaf.der, leaf.len, &ci), ST_OK);
    CHECK_EQ_STR(ci.subject, "CN=a.example.com,O=Foo\\, Inc.,C=US");
    CHECK_EQ_STR(ci.issuer, "CN=Test Intermediate,O=Test");
    CHECK_EQ_STR(ci.common_name, "a.example.com");
    CHECK_EQ_INT(ci.n_san, 4);
    CHECK_EQ_STR(ci.san[0], "a.example.com");
    CHECK_EQ_STR(ci.san[1], "*.example.com");
    CHECK_EQ_STR(ci.san[2], "192.0.2.1");
    CHECK_EQ_STR(ci.san[3], "2001:db8::1");
    CHECK(!ci.san_ip[0] && !ci.san_ip[1] && ci.san_ip[2] && ci.san_ip[3]);
    CHECK(!ci.san_truncated);
    CHECK_EQ_INT(ci.not_before, NB);
    CHECK_EQ_INT(ci.not_after, NA);
    CHECK_EQ_INT(ci.version, 3);
    CHECK_EQ_STR(ci.signature_algorithm, "ecdsa-with-SHA256");
    CHECK_EQ_STR(ci.signature_hash, "SHA256");
    CHECK_EQ_STR(ci.key_type, "EC");
    CHECK_EQ_INT(ci.key_bits, 256);
    CHECK_EQ_STR(ci.key_curve, "prime256v1");
    CHECK(!ci.is_ca && !ci.self_signed && !ci.self_issued && !ci.extensions_invalid);
    CHECK(ci.has_key_usage && (ci.key_usage & KU_DIGITAL_SIGNATURE) && !(ci.key_usage & KU_KEY_CERT_SIGN));
    CHECK(ci.has_eku && ci.eku_server_auth && ci.eku_client_auth && !ci.eku_any);
    CHECK(ci.serial[0] != '\0');
    CHECK(EVP_Digest(leaf.der, leaf.len, md, &mdlen, EVP_sha256(), NULL) == 1 && mdlen == 32);
    for (size_t i = 0; i < 32; i++) (void)snprintf(hexmd + 2 * i, 3, "%02x", md[i]);
    CHECK_EQ_STR(ci.sha256, hexmd);
    CHECK(info_strings_ok(&ci));

    /* The intermediate: a CA, not self-signed, no EKU. */
    CHECK_EQ_INT(cert_parse(p.inter.der, p.inter.len, &ci), ST_OK);
    CHECK(ci.is_ca && !ci.self_signed && !ci.has_eku);
    CHECK(ci.key_usage & KU_KEY_CERT_SIGN);
    ck_free(&leaf);
    pki_free(&p);
}

TEST(parse_rsa_root)
{
    EVP_PKEY *k = EVP_RSA_gen(2048);
    struct ck root;
    struct cert_info ci;

    CHECK(k != NULL);
    CHECK(mk(&root, &(struct spec){.subject = "/O=Test/CN=RSA Root", .key = k, .ca = true}));
    CHECK_EQ_INT(cert_parse(root.der, root.len, &ci), ST_OK);
    CHECK(ci.self_signed && ci.self_issued && ci.is_ca);
    CHECK_EQ_STR(ci.subject, ci.issuer);
    CHECK_EQ_STR(ci.key_type, "RSA");
    CHECK_EQ_INT(ci.key_bits, 2048);
    CHECK_EQ_STR(ci.key_curve, "");
    CHECK_EQ_STR(ci.signature_algorithm, "sha256WithRSAEncryption");
    ck_free(&root);
    EVP_PKEY_free(k);
}

TEST(parse_ed25519_and_v1)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    struct ck c, v1;
    struct cert_info ci;

    CHECK(k != NULL);
    CHECK(mk(&c, &(struct spec){.subject = "/CN=ed.example", .key = k, .no_md = true, .san = "DNS:ed.example"}));
    CHECK_EQ_INT(cert_parse(c.der, c.len, &ci), ST_OK);
    CHECK_EQ_STR(ci.key_type, "Ed25519");
    CHECK_EQ_STR(ci.signature_algorithm, "ED25519");
    CHECK_EQ_STR(ci.signature_hash, "");
    CHECK(ci.self_signed);

    /* A bare v1 certificate: no extensions at all. */
    CHECK(mk(&v1, &(struct spec){.subject = "/CN=v1.example", .key = k, .no_md = true, .no_ext = true}));
    CHECK_EQ_INT(cert_parse(v1.der, v1.len, &ci), ST_OK);
    CHECK_EQ_INT(ci.version, 1);
    CHECK(!ci.has_key_usage && !ci.has_eku && !ci.is_ca && ci.n_san == 0);
    CHECK_EQ_STR(ci.common_name, "v1.example");
    ck_free(&c);
    ck_free(&v1);
    EVP_PKEY_free(k);
}

TEST(parse_garbage)
{
    static const uint8_t zeros[64];
    static const uint8_t seq_huge[] = {0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x30, 0x00};
    static const uint8_t seq_empty[] = {0x30, 0x00};
    static const uint8_t nested[] = {0x30, 0x06, 0x30, 0x04, 0x30, 0x02, 0x30, 0x00};
    struct cert_info ci;
    uint8_t buf[300];
    uint32_t seed = 12345;

    CHECK_EQ_INT(cert_parse(NULL, 0, &ci), ST_MALFORMED);
    CHECK_EQ_INT(cert_parse(zeros, 0, &ci), ST_MALFORMED);
    CHECK_EQ_INT(cert_parse(zeros, sizeof zeros, &ci), ST_MALFORMED);
    CHECK_EQ_INT(cert_parse(seq_huge, sizeof seq_huge, &ci), ST_MALFORMED);
    CHECK_EQ_INT(cert_parse(seq_empty, sizeof seq_empty, &ci), ST_MALFORMED);
    CHECK_EQ_INT(cert_parse(nested, sizeof nested, &ci), ST_MALFORMED);
    /* A length above any TLS message is refused before a byte is read. */
    CHECK_EQ_INT(cert_parse(zeros, CERT_MAX_DER + 1, &ci), ST_LIMIT);
    for (int round = 0; round < 2000; round++) {
        size_t n = 1 + lcg(&seed) % sizeof buf;
        uint8_t *heap;
        for (size_t i = 0; i < n; i++) buf[i] = (uint8_t)lcg(&seed);
        if (round % 2 == 0) buf[0] = 0x30;  /* look like a SEQUENCE */
        heap = malloc(n);   /* exact size, so ASan sees any over-read */
        CHECK(heap != NULL);
        if (heap == NULL) return;
        memcpy(heap, buf, n);
        CHECK_EQ_INT(cert_parse(heap, n, &ci), ST_MALFORMED);
        free(heap);
    }
    CHECK_EQ_STR(ci.subject, "");  /* zeroed on failure */
}

TEST(parse_every_prefix)
{
    struct pki p;
    struct cert_info ci;
    uint8_t *more;

    CHECK(pki_make(&p, NULL));
    for (size_t k = 0; k < p.leaf.len; k++) {
        uint8_t *heap = malloc(k ? k : 1);
        CHECK(heap != NULL);
        if (heap == NULL) break;
        memcpy(heap, p.leaf.der, k);
        if (cert_parse(heap, k, &ci) != ST_MALFORMED) {
            fprintf(stderr, "  prefix of %zu bytes not malformed\n", k);
            (*failures_)++;
        }
        free(heap);
    }
    CHECK_EQ_INT(cert_parse(p.leaf.der, p.leaf.len, &ci), ST_OK);
    /* One trailing byte: the entry's length and the DER disagree. */
    more = malloc(p.leaf.len + 1);
    CHECK(more != NULL);
    if (more != NULL) {
        memcpy(more, p.leaf.der, p.leaf.len);
        more[p.leaf.len] = 0;
        CHECK_EQ_INT(cert_parse(more, p.leaf.len + 1, &ci), ST_MALFORMED);
        free(more);
    }
    pki_free(&p);
}

/* Every single-byte corruption of a real certificate either parses to
 * well-formed facts or is malformed; nothing else, no crash. */
TEST(parse_byte_flips)
{
    static const uint8_t masks[] = {0x01, 0x80, 0xff};
    struct pki p;
    struct cert_info ci;
    size_t parsed = 0;

    CHECK(pki_make(&p, "DNS:a.example.com,IP:192.0.2.1"));
    for (size_t i = 0; i < p.leaf.len; i++) {
        for (size_t m = 0; m < sizeof masks; m++) {
            uint8_t *heap = malloc(p.leaf.len);
            enum status st;
            if (heap == NULL) continue;
            memcpy(heap, p.leaf.der, p.leaf.len);
            heap[i] ^= masks[m];
            st = cert_parse(heap, p.leaf.len, &ci);
            CHECK(st == ST_OK || st == ST_MALFORMED);
            if (st == ST_OK) {
                parsed++;
                CHECK(info_strings_ok(&ci));
            }
            free(heap);
        }
    }
    CHECK(parsed > 0);  /* flips inside strings and the signature survive */
    pki_free(&p);
}

TEST(parse_san_limits)
{
    EVP_PKEY *k = ec("P-256");
    char san[4096];
    size_t o = 0;
    struct ck many, longname;
    struct cert_info ci;
    char name[210];

    for (int i = 0; i < 40; i++) o += (size_t)snprintf(san + o, sizeof san - o, "%sDNS:h%d.example.com", i ? "," : "", i);
    CHECK(mk(&many, &(struct spec){.subject = "/CN=many", .key = k, .san = san}));
    CHECK_EQ_INT(cert_parse(many.der, many.len, &ci), ST_OK);
    CHECK_EQ_INT(ci.n_san, CERT_MAX_SAN);
    CHECK(ci.san_truncated);
    CHECK_EQ_STR(ci.san[31], "h31.example.com");

    memcpy(name, "DNS:", 4);
    memset(name + 4, 'a', 200);
    name[204] = '\0';
    CHECK(mk(&longname, &(struct spec){.subject = "/CN=long", .key = k, .san = name}));
    CHECK_EQ_INT(cert_parse(longname.der, longname.len, &ci), ST_OK);
    CHECK_EQ_INT(ci.n_san, 1);
    CHECK(ci.san_truncated);
    CHECK_EQ_INT(strlen(ci.san[0]), sizeof ci.san[0] - 1);
    ck_free(&many);
    ck_free(&longname);
    EVP_PKEY_free(k);
}

TEST(parse_hostile_names)
{
    EVP_PKEY *k = ec("P-256");
    struct ck utf8, nul, bmp, big, latin;
    struct cert_info ci;
    static const char nul_cn[] = "evil.com\0.example.com";
    static const uint8_t cn_abc[] = {0x0c, 0x03, 'a', 'b', 'c'};  /* UTF8String "abc" */
    static const uint8_t latin1[] = {'M', 0xFC, 'n', 'c', 'h'};  /* T61/Latin-1 "Münch" */
    char o300[301];
    bool high = false;

    CHECK(mk(&utf8, &(struct spec){.subject = "/O=Test/CN=B\xc3\xbc" "cher.example", .key = k}));
    CHECK_EQ_INT(cert_parse(utf8.der, utf8.len, &ci), ST_OK);
    CHECK_EQ_STR(ci.common_name, "B\xc3\xbc" "cher.example");
    CHECK_EQ_STR(ci.subject, "CN=B\xc3\xbc" "cher.example,O=Test");

    /* The classic NUL-in-CN trick must not shorten the name. */
    CHECK(mk_raw_cn(&nul, k, V_ASN1_UTF8STRING, nul_cn, (int)sizeof nul_cn - 1));
    CHECK_EQ_INT(cert_parse(nul.der, nul.len, &ci), ST_OK);
    CHECK_EQ_STR(ci.common_name, "evil.com\xef\xbf\xbd.example.com");
    CHECK(strstr(ci.subject, ".example.com") != NULL);
    CHECK(info_strings_ok(&ci));

    /* A 3-byte BMPString is not UCS-2; OpenSSL will not sign one, so a
     * UTF8String "abc" is retagged in the DER. d2i_X509 refuses names it
     * cannot canonicalize, and so would an OpenSSL client. */
    CHECK(mk_raw_cn(&bmp, k, V_ASN1_UTF8STRING, "abc", 3));
    CHECK(retag(&bmp, cn_abc, V_ASN1_BMPSTRING));
    CHECK_EQ_INT(cert_parse(bmp.der, bmp.len, &ci), ST_MALFORMED);
    /* Every universal tag in place of the CN's: refused or printable. */
    for (int ty = 0; ty < 31; ty++) {
        struct ck t;
        enum status st;
        CHECK(mk_raw_cn(&t, k, V_ASN1_UTF8STRING, "abc", 3));
        CHECK(retag(&t, cn_abc, (uint8_t)ty));
        st = cert_parse(t.der, t.len, &ci);
        CHECK(st == ST_OK || st == ST_MALFORMED);
        if (st == ST_OK) CHECK(info_strings_ok(&ci) && strcmp(ci.subject, "CN=abc,O=Test") == 0);
        ck_free(&t);
    }
    /* Invalid UTF-8 in a UTF8String (made as T61String, then retagged):
     * OpenSSL refuses the certificate. */
    CHECK(mk_raw_cn(&latin, k, V_ASN1_T61STRING, "a\xff\xc0\x80z", 5));
    CHECK(retag(&latin, (const uint8_t *)"\x14\x05" "a\xff\xc0", V_ASN1_UTF8STRING));
    CHECK_EQ_INT(cert_parse(latin.der, latin.len, &ci), ST_MALFORMED);
    ck_free(&latin);

    CHECK(mk_raw_cn(&latin, k, V_ASN1_T61STRING, latin1, (int)sizeof latin1));
    CHECK_EQ_INT(cert_parse(latin.der, latin.len, &ci), ST_OK);
    CHECK_EQ_STR(ci.common_name, "M\xc3\xbcnch");
    CHECK(info_strings_ok(&ci));

    /* Longer than the field: cut at a character boundary. */
    for (size_t i = 0; i < 300; i += 2) {
        o300[i] = (char)0xc3;
        o300[i + 1] = (char)0xa9;  /* é */
    }
    o300[300] = '\0';
    CHECK(mk_raw_cn(&big, k, V_ASN1_UTF8STRING, o300, 300));
    CHECK_EQ_INT(cert_parse(big.der, big.len, &ci), ST_OK);
    CHECK(info_strings_ok(&ci));
    CHECK(strlen(ci.subject) <= sizeof ci.subject - 1 && strlen(ci.subject) >= sizeof ci.subject - 4);
    CHECK(strlen(ci.common_name) == 126);  /* 63 two-byte characters */
    for (const char *s = ci.subject; *s; s++) high |= (unsigned char)*s >= 0x80;
    CHECK(high);  /* still UTF-8, not \XX escapes */
    ck_free(&utf8);
    ck_free(&nul);
    ck_free(&bmp);
    ck_free(&latin);
    ck_free(&big);
    EVP_PKEY_free(k);
}

TEST(parse_invalid_extension)
{
    struct pki p;
    struct cert_info ci;
    struct cert_chain_report r;
    const uint8_t *der[2];
    size_t len[2];

    CHECK(pki_make(&p, "DNS:a.example.com"));
    /* dNSName [2] retagged as [15], a GeneralName that does not exist: the
     * certificate decodes, its SAN extension does not. */
    CHECK(retag(&p.leaf, (const uint8_t *)"\x82\x0d" "a.e", 0x8f));
    CHECK_EQ_INT(cert_parse(p.leaf.der, p.leaf.len, &ci), ST_OK);
    CHECK(ci.extensions_invalid);
    CHECK_EQ_INT(ci.n_san, 0);
    der[0] = p.leaf.der;
    len[0] = p.leaf.len;
    der[1] = p.inter.der;
    len[1] = p.inter.len;
    CHECK_EQ_INT(cert_check_chain(der, len, 2, NOW, "a.example.com", NULL, &r), ST_OK);
    CHECK(r.problems & CERT_P_HOSTNAME_MISMATCH);
    pki_free(&p);
}

TEST(parse_times)
{
    EVP_PKEY *k = ec("P-256");
    struct ck c;
    struct cert_info ci;

    /* UTCTime before 1970 and GeneralizedTime after 2049 (RFC 5280 4.1.2.5). */
    CHECK(mk(&c, &(struct spec){.subject = "/CN=t", .key = k, .nb = INT64_C(-315619200), .na = INT64_C(4102444800)}));
    CHECK_EQ_INT(cert_parse(c.der, c.len, &ci), ST_OK);
    CHECK_EQ_INT(ci.not_before, INT64_C(-315619200));  /* 1960-01-01 */
    CHECK_EQ_INT(ci.not_after, INT64_C(4102444800));   /* 2100-01-01 */
    ck_free(&c);
    CHECK(mk(&c, &(struct spec){.subject = "/CN=t", .key = k, .nb = INT64_C(951782400), .na = INT64_C(1709251199)}));
    CHECK_EQ_INT(cert_parse(c.der, c.len, &ci), ST_OK);
    CHECK_EQ_INT(ci.not_before, INT64_C(951782400));   /* 2000-02-29 */
    CHECK_EQ_INT(ci.not_after, INT64_C(1709251199));   /* 2024-02-29T23:59:59 */
    ck_free(&c);
    EVP_PKEY_free(k);
}

/* ---- the run's cache ---------------------------------------------------- */

/* A cache gives the facts and findings an uncached call gives, decodes each
 * distinct certificate once, and belongs to its owner alone. */
TEST(cache_owned_by_the_run)
{
    struct pki p;
    struct cert_info plain, cached;
    struct cert_chain_report r0, r1;
    const uint8_t *der[2];
    size_t len[2];
    static const uint8_t garbage[] = {0x30, 0x03, 0x02, 0x01, 0x00};
    struct cert_cache *a = cert_cache_new(), *b = cert_cache_new();

    CHECK(a != NULL && b != NULL);
    CHECK(pki_make(&p, "DNS:a.example.com"));
    CHECK_EQ_INT(cert_parse(p.leaf.der, p.leaf.len, &plain), ST_OK);
    CHECK_EQ_INT(cert_parse_cached(a, p.leaf.der, p.leaf.len, &cached), ST_OK);
    CHECK(memcmp(&plain, &cached, sizeof plain) == 0);
    CHECK_EQ_INT(cert_cache_counts(a).decoded, 1);
    CHECK_EQ_INT(cert_cache_counts(a).reused, 0);
    memset(&cached, 0, sizeof cached);
    CHECK_EQ_INT(cert_parse_cached(a, p.leaf.der, p.leaf.len, &cached), ST_OK);
    CHECK(memcmp(&plain, &cached, sizeof plain) == 0);
    CHECK_EQ_INT(cert_cache_counts(a).decoded, 1);
    CHECK_EQ_INT(cert_cache_counts(a).reused, 1);

    der[0] = p.leaf.der;
    len[0] = p.leaf.len;
    der[1] = p.inter.der;
    len[1] = p.inter.len;
    CHECK_EQ_INT(cert_check_chain(der, len, 2, NOW, "b.example.com", NULL, &r0), ST_OK);
    CHECK_EQ_INT(cert_check_chain_cached(a, der, len, 2, NOW, "b.example.com", NULL, &r1), ST_OK);
    CHECK_EQ_INT(r1.problems, r0.problems);
    CHECK(r1.problems & CERT_P_HOSTNAME_MISMATCH);
    CHECK_EQ_STR(r1.detail, r0.detail);
    CHECK_EQ_INT(cert_cache_counts(a).decoded, 2);  /* the intermediate */
    CHECK_EQ_INT(cert_cache_counts(a).reused, 2);   /* the leaf again */

    /* what does not decode is not kept */
    CHECK_EQ_INT(cert_parse_cached(a, garbage, sizeof garbage, &cached), ST_MALFORMED);
    CHECK_EQ_INT(cert_cache_counts(a).decoded, 2);

    /* another run's cache starts empty; no cache at all counts nothing */
    CHECK_EQ_INT(cert_parse_cached(b, p.leaf.der, p.leaf.len, &cached), ST_OK);
    CHECK_EQ_INT(cert_cache_counts(b).decoded, 1);
    CHECK_EQ_INT(cert_cache_counts(b).reused, 0);
    CHECK_EQ_INT(cert_cache_counts(NULL).decoded, 0);
    cert_cache_free(a);
    cert_cache_free(b);
    cert_cache_free(NULL);
    pki_free(&p);
}

/* ---- cert_check_chain ------------------------------------------------- */

static void check_clean(int *failures_, const struct cert_chain_report *r)
{
    CHECK_EQ_INT(r->problems, 0);
    CHECK_EQ_INT(r->expired_index, -1);
    CHECK_EQ_INT(r->not_yet_valid_index, -1);
    CHECK_EQ_INT(r->weak_signature_index, -1);
    CHECK_EQ_INT(r->weak_key_index, -1);
    CHECK_EQ_INT(r->no_server_auth_index, -1);
    CHECK_EQ_INT(r->interception_index, -1);
    CHECK_EQ_INT(r->malformed_index, -1);
    CHECK_EQ_INT(r->verify_error, 0);
    CHECK_EQ_STR(r->detail, "");
}

TEST(check_good_chain)
{
    struct pki p;
    struct cert_chain_report r;

    CHECK(pki_make(&p, NULL));
    CHECK_EQ_INT(check(CHAIN(&p.leaf, &p.inter), NOW, "a.example.com", NULL, &r), ST_OK);
    check_clean(failures_, &r);
    CHECK_EQ_INT(check(CHAIN(&p.leaf, &p.inter, &p.root), NOW, "a.example.com", NULL, &r), ST_OK);
    check_clean(failures_, &r);
    CHECK_EQ_INT(check(CHAIN(&p.leaf, &p.inter), NOW, NULL, NULL, &r), ST_OK);
    check_clean(failures_, &r);
    pki_free(&p);
}

TEST(check_validity_at_capture_time)
{
    struct pki p;
    struct ck old_inter, leaf2;
    struct cert_chain_report r;

    CHECK(pki_make(&p, NULL));
    /* RFC 5280: both ends of the validity period are inside it. */
    CHECK_EQ_INT(check(CHAIN(&p.leaf, &p.inter), NA, "a.example.com", NULL, &r), ST_OK);
    CHECK_EQ_INT(r.problems, 0);
    CHECK_EQ_INT(check(CHAIN(&p.leaf, &p.inter), NA + 1, "a.example.com", NULL, &r), ST_OK);
    CHECK_EQ_INT(r.problems, CERT_P_EXPIRED);
    CHECK_EQ_INT(r.expired_index, 0);
    CHECK_EQ_INT(r.expired_by, 1);
    CHECK_EQ_INT(check(CHAIN(&p.leaf, &p.inter), NA + 86400 * 30, "a.example.com", NULL, &r), ST_OK);
    CHECK_EQ_INT(r.expired_by, 86400 * 30);
    CHECK_EQ_INT(check(CHAIN(&p.leaf, &p.inter), NB, "a.example.com", NULL, &r), ST_OK);
    CHECK_EQ_INT(r.problems, 0);
    CHECK_EQ_INT(check(CHAIN(&p.leaf, &p.inter), NB - 10, "a.example.com", NULL, &r), ST_OK);
    CHECK_EQ_INT(r.problems, CERT_P_NOT_YET_VALID);
    CHECK_EQ_INT(r.not_yet_valid_index, 0);
    CHECK_EQ_INT(r.not_valid_for, 10);
    CHECK_EQ_INT(r.expired_index, -1);

    /* An expired intermediate under a valid leaf is found at index 1. */
    CHECK(mk(&old_inter, &(struct spec){.subject = "/O=Test/CN=Test Intermediate", .key = p.ki, .issuer = &p.root,
                                        .ca = true, .nb = NB, .na = NOW - 100}));
    CHECK(mk(&leaf2, &(struct spec){.subject = "/CN=a.example.com", .key = p.kl, .issuer = &old_inter,
                                     .san = "DNS:a.example.com"}));
    CHECK_EQ_INT(check(CHAIN(&leaf2, &old_inter), NOW, "a.example.com", NULL, &r), ST_OK);
    CHECK_EQ_INT(r.problems, CERT_P_EXPIRED);
    CHECK_EQ_INT(r.expired_index, 1);
    CHECK_EQ_INT(r.expired_by, 100);

    /* Absurd capture times saturate instead of overflowing. */
    CHECK_EQ_INT(check(CHAIN(&p.leaf), INT64_MIN, NULL, NULL, &r), ST_OK);
    CHECK_EQ_INT(r.not_valid_for, INT64_MAX);
    CHECK_EQ_INT(check(CHAIN(&p.leaf), INT64_MAX, NULL, NULL, &r), ST_OK);
    CHECK_EQ_INT(r.expired_by, INT64_MAX - NA);
    ck_free(&old_inter);
    ck_free(&leaf2);
    pki_free(&p);
}

TEST(check_hostname_wildcards)
{
    struct pki p;
    struct ck partial;
    struct cert_chain_report r;
    static const char *const good[] = {"a.example.com", "A.EXAMPLE.COM", "a.example.com.", "www.example.com"};
    static const char *const bad[] = {"a.b.example.com", "example.com", "aexample.com", "a.example.org",
                                      ".example.com", "a..example.com", "*.example.com.evil", "a.example.com.."};

    CHECK(pki_make(&p, "DNS:*.example.com"));
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        CHECK_EQ_INT(check(CHAIN(&p.leaf, &p.inter), NOW, good[i], NULL, &r), ST_OK);
        if (r.problems != 0) fprintf(stderr, "  %s should match *.example.com\n", good[i]);
        CHECK_EQ_INT(r.problems, 0);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_EQ_INT(check(CHAIN(&p.leaf, &p.inter), NOW, bad[i], NULL, &r), ST_OK);
        if (r.problems != CERT_P_HOSTNAME_MISMATCH) fprintf(stderr, "  %s should not match\n", bad[i]);
        CHECK_EQ_INT(r.problems, CERT_P_HOSTNAME_MISMATCH);
        CHECK(!r.hostname_cn_only);
    }
    CHECK_EQ_STR(r.detail, "names in the certificate: *.example.com");
    /* The same names through OpenSSL's matcher (RFC 6125 6.4.3, no partial
     * wildcards, no CN), so that the lists above are not only ours. Two
     * answers differ on purpose: a trailing dot is the same absolute name
     * (RFC 1034 3.1; browsers strip it), and OpenSSL takes a name starting
     * with '.' as "any subdomain", which no SNI can be (RFC 6066 3). */
    for (size_t i = 0; i < sizeof good / sizeof good[0] + sizeof bad / sizeof bad[0]; i++) {
        bool want = i < sizeof good / sizeof good[0];
        const char *name = want ? good[i] : bad[i - sizeof good / sizeof good[0]];
        int got = X509_check_host(p.leaf.x, name, strlen(name),
                                  X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS |
                                      X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, NULL);
        if (strcmp(name, "a.example.com.") == 0 || strcmp(name, ".example.com") == 0)
            want = !want;
        if ((got == 1) != want) fprintf(stderr, "  OpenSSL: %s gives %d\n", name, got);
        CHECK((got == 1) == want);
    }

    /* Partial wildcards are refused, as browsers do. */
    CHECK(mk(&partial, &(struct spec){.subject = "/CN=x", .key = p.kl, .issuer = &p.inter, .san = "DNS:f*.example.com"}));
    CHECK_EQ_INT(check(CHAIN(&partial, &p.inter), NOW, "foo.example.com", NULL, &r), ST_OK);
    CHECK_EQ_INT(r.problems, CERT_P_HOSTNAME_MISMATCH);
    ck_free(&partial);
    pki_free(&p);
}

TEST(check_hostname_ip_and_cn)
{
    struct pki p;
    struct ck cn_only, many;
    struct cert_chain_report r;
    char san[2048];
    size_t o = 0;

    CHECK(pki_make(&p, "DNS:a.example.com,IP:192.0.2.1,IP:2001:db8::1"));
    CHECK_EQ_INT(check(CHAIN(&p.leaf, &p.inter), NOW, "192.0.2.1", NULL, &r), ST_OK);
    CHECK_EQ_INT(r.problems, 0);
    CHECK_EQ_INT(check(CHAIN(&p.leaf, &p.inter), NOW, "2001:db8:0:0::1", NULL, &r), ST_OK);
    CHECK_EQ_INT(r.problems, 0);
    CHECK_EQ_INT(check(CHAIN(&p.leaf, &p.inter), NOW, "192.0.2.2", NULL, &r), ST_OK);
    CHECK_EQ_INT(r.problems, CERT_P_HOSTNAME_MISMATCH);
    CHECK_EQ_STR(r.detail, "names in the certificate: a.example.com, 192.0.2.1, 2001:db8::1");
    CHECK_EQ_INT(check(CHAIN(&p.leaf, &p.inter), NOW, "", NULL, &r), ST_OK);
    CHECK_EQ_INT(r.problems, 0);  /* no name sent: nothing to compare */

    /* Only a CN: OpenSSL would accept it, Chrome, Go and Apple do not. */
    CHECK(mk(&cn_only, &(struct spec){.subject = "/O=Test/CN=a.example.com", .key = p.kl, .issuer = &p.inter}));
    CHECK_EQ_INT(check(CHAIN(&cn_only, &p.inter), NOW, "a.example.com", NULL, &r), ST_OK);
    CHECK_EQ_INT(r.problems, CERT_P_HOSTNAME_MISMATCH);
    CHECK(r.hostname_cn_only);
    CHECK(strstr(r.detail, "only the subject CN") != NULL);
    CHECK(strstr(r.detail, "subject CN is \"a.example.com\"") != NULL);
    CHECK_EQ_INT(check(CHAIN(&cn_only, &p.inter), NOW, "b.example.com", NULL, &r), ST_OK);
    CHECK_EQ_INT(r.problems, CERT_P_HOSTNAME_MISMATCH);
    CHECK(!r.hostname_cn_only);

    /* A long name list is summarized within the detail field. */
    for (int i = 0; i < 20; i++)
        o += (size_t)snprintf(san + o, sizeof san - o, "%sDNS:host-number-%02d.example.com", i ? "," : "", i);
    CHECK(mk(&many, &(struct spec){.subject = "/CN=m", .key = p.kl, .issuer = &p.inter, .san = san}));
    CHECK_EQ_INT(check(CHAIN(&many, &p.inter), NOW, "z.example.com", NULL, &r), ST_OK);
    CHECK(strstr(r.detail, "host-number-07.example.com (+12 more)") != NULL);
    CHECK(valid_text(r.detail, sizeof r.detail));
    ck_free(&cn_only);
    ck_free(&many);
    pki_free(&p);
}

TEST(check_structure)
{
    struct pki p;
    EVP_PKEY *ko = ec("P-256");
    struct ck self, other;
    struct cert_chain_report r;

    CHECK(pki_make(&p, NULL));
    /* The intermediate was not sent. */
    CHECK_EQ_INT(check(CHAIN(&p.leaf), NOW, "a.example.com", NULL, &r), ST_OK);
    CHECK_EQ_INT(r.problems, CERT_P_CHAIN_INCOMPLETE);
    CHECK_EQ_STR(r.missing_issuer, "CN=Test Intermediate,O=Test");
    /* Root before intermediate. */
    CHECK_EQ_INT(check(CHAIN(&p.leaf, &p.root, &p.inter), NOW, "a.example.com", NULL, &r), ST_OK);
    CHECK_EQ_INT(r.problems, CERT_P_CHAIN_ORDER);
    /* An unrelated extra certificate is neither order nor a hole. */
    CHECK(mk(&other, &(struct spec){.subject = "/O=Other/CN=Other CA", .key = ko, .ca = true}));
    CHECK_EQ_INT(check(CHAIN(&p.leaf, &p.inter, &other), NOW, "a.example.com", NULL, &r), ST_OK);
    CHECK_EQ_INT(r.problems, 0);

    /* Self-signed leaf: said as such, not as untrusted or incomplete. */
    CHECK(mk(&self, &(struct spec){.subject = "/CN=a.example.com", .key = p.kl, .san = "DNS:a.example.com",
                                    .eku = "serverAuth"}));
    CHECK_EQ_INT(check(CHAIN(&self), NOW, "a.example.com", NULL, &r), ST_OK);
    CHECK_EQ_INT(r.problems, CERT_P_SELF_SIGNED_LEAF);
    ck_free(&self);
    ck_free(&other);
    EVP_PKEY_free(ko);
    pki_free(&p);
}

TEST(check_weak_crypto)
{
    struct pki p;
    EVP_PKEY *rsa1024 = EVP_RSA_gen(1024), *ec224 = ec("secp224r1");
    struct ck sha1_leaf, md5_leaf, sha224_leaf, sha1_root, inter2, leaf2, sha1_inter, leaf3, small, small_ec;
    struct cert_chain_report r;

    CHECK(pki_make(&p, NULL));
    CHECK(rsa1024 != NULL && ec224 != NULL);
    CHECK(mk(&sha1_leaf, &(struct spec){.subject = "/CN=a.example.com", .key = p.kl, .issuer = &p.inter,
                                         .san = "DNS:a.example.com", .md = EVP_sha1()}));
    CHECK_EQ_INT(check(CHAIN(&sha1_leaf, &p.inter), NOW, "a.example.com", NULL, &r), ST_OK);
    CHECK_EQ_INT(r.problems, CERT_P_WEAK_SIGNATURE | CERT_P_ATS);
    CHECK_EQ_INT(r.weak_signature_index, 0);

    if (mk(&md5_leaf, &(struct spec){.subject = "/CN=a.example.com", .key = rsa1024, .issuer = NULL,
                                      .san = "DNS:a.example.com", .md = EVP_md5()})) {
        struct cert_info ci;
        CHECK_EQ_INT(cert_parse(md5_leaf.der, md5_leaf.len, &ci), ST_OK);
        CHECK_EQ_STR(ci.signature_algorithm, "md5WithRSAEncryption");
        CHECK_EQ_STR(ci.signature_hash, "MD5");
        /* A self-signed leaf's signature is still judged: it is the leaf. */
        CHECK_EQ_INT(check(CHAIN(&md5_leaf), NOW, "a.example.com", NULL, &r), ST_OK);
        CHECK_EQ_INT(r.problems,
                     CERT_P_WEAK_SIGNATURE | CERT_P_WEAK_KEY | CERT_P_ATS | CERT_P_SELF_SIGNED_LEAF);
    }
    ck_free(&md5_leaf);

    /* SHA-224 is not weak, but is below Apple's "SHA-256 or better". */
    CHECK(mk(&sha224_leaf, &(struct spec){.subject = "/CN=a.example.com", .key = p.kl, .issuer = &p.inter,
                                           .san = "DNS:a.example.com", .md = EVP_sha224()}));
    CHECK_EQ_INT(check(CHAIN(&sha224_leaf, &p.inter), NOW, "a.example.com", NULL, &r), ST_OK);
    CHECK_EQ_INT(r.problems, CERT_P_ATS);

    /* A SHA-1 self-signed root at the top is fine; a SHA-1 intermediate is not. */
    CHECK(mk(&sha1_root, &(struct spec){.subject = "/O=Old/CN=Old Root", .key = p.kr, .ca = true, .md = EVP_sha1()}));
    CHECK(mk(&inter2, &(struct spec){.subject = "/O=Old/CN=Old Intermediate", .key = p.ki, .issuer = &sha1_root, .ca = true}));
    CHECK(mk(&leaf2, &(struct spec){.subject = "/CN=a.example.com", .key = p.kl, .issuer = &inter2, .san = "DNS:a.example.com"}));
    CHECK_EQ_INT(check(CHAIN(&leaf2, &inter2, &sha1_root), NOW, "a.example.com", NULL, &r), ST_OK);
    CHECK_EQ_INT(r.problems, 0);
    CHECK(mk(&sha1_inter, &(struct spec){.subject = "/O=Old/CN=SHA1 Intermediate", .key = p.ki, .issuer = &p.root,
                                          .ca = true, .md = EVP_sha1()}));
    CHECK(mk(&leaf3, &(struct spec){.subject = "/CN=a.example.com", .key = p.kl, .issuer = &sha1_inter, .san = "DNS:a.example.com"}));
    CHECK_EQ_INT(check(CHAIN(&leaf3, &sha1_inter, &p.root), NOW, "a.example.com", NULL, &r), ST_OK);
    CHECK_EQ_INT(r.problems, CERT_P_WEAK_SIGNATURE | CERT_P_ATS);
    CHECK_EQ_INT(r.weak_signature_index, 1);

    CHECK(mk(&small, &(struct spec){.subject = "/CN=a.example.com", .key = rsa1024, .issuer = &p.inter,
                                     .san = "DNS:a.example.com"}));
    CHECK_EQ_INT(check(CHAIN(&small, &p.inter), NOW, "a.example.com", NULL, &r), ST_OK);
    CHECK_EQ_INT(r.problems, CERT_P_WEAK_KEY | CERT_P_ATS);
    CHECK_EQ_INT(r.weak_key_index, 0);
    CHECK(mk(&small_ec, &(struct spec){.subject = "/CN=a.example.com", .key = ec224, .issuer = &p.inter,
                                        .san = "DNS:a.example.com"}));
    CHECK_EQ_INT(check(CHAIN(&small_ec, &p.inter), NOW, "a.example.com", NULL, &r), ST_OK);
    CHECK_EQ_INT(r.problems, CERT_P_WEAK_KEY | CERT_P_ATS);

    ck_free(&sha1_leaf);
    ck_free(&sha224_leaf);
    ck_free(&sha1_root);
    ck_free(&inter2);
    ck_free(&leaf2);
    ck_free(&sha1_inter);
    ck_free(&leaf3);
    ck_free(&small);
    ck_free(&small_ec);
    EVP_PKEY_free(rsa1024);
    EVP_PKEY_free(ec224);
    pki_free(&p);
}

TEST(check_eku)
{
    struct pki p;
    struct ck client, any, none;
    struct cert_chain_report r;

    CHECK(pki_make(&p, NULL));
    CHECK(mk(&client, &(struct spec){.subject = "/CN=a.example.com", .key = p.kl, .issuer = &p.inter,
                                      .san = "DNS:a.example.com", .eku = "clientAuth"}));
    CHECK_EQ_INT(check(CHAIN(&client, &p.inter), NOW, "a.example.com", NULL, &r), ST_OK);
    CHECK_EQ_INT(r.problems, CERT_P_NO_SERVER_AUTH);
    CHECK_EQ_INT(r.no_server_auth_index, 0);
    CHECK(mk(&any, &(struct spec){.subject = "/CN=a.example.com", .key = p.kl, .issuer = &p.inter,
                                   .san = "DNS:a.example.com", .eku = "anyExtendedKeyUsage"}));
    CHECK_EQ_INT(check(CHAIN(&any, &p.inter), NOW, "a.example.com", NULL, &r), ST_OK);
    CHECK_EQ_INT(r.problems, CERT_P_NO_SERVER_AUTH);
    CHECK(mk(&none, &(struct spec){.subject = "/CN=a.example.com", .key = p.kl, .issuer = &p.inter,
                                    .san = "DNS:a.example.com"}));
    CHECK_EQ_INT(check(CHAIN(&none, &p.inter), NOW, "a.example.com", NULL, &r), ST_OK);
    CHECK_EQ_INT(r.problems, 0);
    ck_free(&client);
    ck_free(&any);
    ck_free(&none);
    pki_free(&p);
}

TEST(check_interception)
{
    EVP_PKEY *k = ec("P-256");
    struct ck forti, leaf, fiddler, sym, leaf2;
    struct cert_chain_report r;

    CHECK(mk(&forti, &(struct spec){.subject = "/C=US/O=Fortinet/OU=Certificate Authority/CN=FG100E3G00000000",
                                     .key = k, .ca = true}));
    CHECK(mk(&leaf, &(struct spec){.subject = "/CN=a.example.com", .key = k, .issuer = &forti,
                                    .san = "DNS:a.example.com"}));
    CHECK_EQ_INT(check(CHAIN(&leaf, &forti), NOW, "a.example.com", NULL, &r), ST_OK);
    CHECK_EQ_INT(r.problems, CERT_P_INTERCEPTION);
    CHECK_EQ_INT(r.interception_index, 0);
    CHECK_EQ_STR(r.interception_product, "Fortinet FortiGate");

    CHECK(mk(&fiddler, &(struct spec){.subject = "/OU=Created by http://www.fiddler2.com/O=DO_NOT_TRUST/CN=DO_NOT_TRUST_FiddlerRoot",
                                       .key = k, .ca = true}));
    CHECK_EQ_INT(check(CHAIN(&fiddler), NOW, NULL, NULL, &r), ST_OK);
    CHECK(r.problems & CERT_P_INTERCEPTION);
    CHECK_EQ_STR(r.interception_product, "Fiddler");

    /* Symantec was a public CA: its name alone means nothing. */
    CHECK(mk(&sym, &(struct spec){.subject = "/O=Symantec Corporation/CN=Symantec Class 3 Secure Server CA - G4",
                                   .key = k, .ca = true}));
    CHECK(mk(&leaf2, &(struct spec){.subject = "/CN=a.example.com", .key = k, .issuer = &sym, .san = "DNS:a.example.com"}));
    CHECK_EQ_INT(check(CHAIN(&leaf2, &sym), NOW, "a.example.com", NULL, &r), ST_OK);
    CHECK_EQ_INT(r.problems, 0);
    CHECK_EQ_STR(r.interception_product, "");
    ck_free(&forti);
    ck_free(&leaf);
    ck_free(&fiddler);
    ck_free(&sym);
    ck_free(&leaf2);
    EVP_PKEY_free(k);
}

TEST(check_with_store)
{
    struct pki p;
    EVP_PKEY *ko = ec("P-256");
    struct ck other, self;
    struct cert_store *good = NULL, *wrong = NULL, *bad = NULL;
    struct cert_chain_report r;
    char *path;

    CHECK(pki_make(&p, NULL));
    CHECK(mk(&other, &(struct spec){.subject = "/O=Other/CN=Other Root", .key = ko, .ca = true}));
    CHECK(mk(&self, &(struct spec){.subject = "/CN=a.example.com", .key = p.kl, .san = "DNS:a.example.com"}));
    path = write_pem(p.root.x);
    CHECK(path != NULL && path[0] != '\0');
    if (path != NULL) {
        CHECK_EQ_INT(cert_store_load(path, NULL, &good), ST_OK);
        (void)unlink(path);
    }
    path = write_pem(other.x);
    CHECK(path != NULL && path[0] != '\0');
    if (path != NULL) {
        CHECK_EQ_INT(cert_store_load(path, NULL, &wrong), ST_OK);
        (void)unlink(path);
    }
    CHECK(good != NULL && wrong != NULL);
    if (good == NULL || wrong == NULL) goto out;

    CHECK_EQ_INT(check(CHAIN(&p.leaf, &p.inter), NOW, "a.example.com", good, &r), ST_OK);
    check_clean(failures_, &r);
    CHECK_EQ_INT(r.verify_error_depth, -1);
    /* Time is judged once, by us, at capture time; the verifier does not
     * turn an expired leaf into an untrusted one. */
    CHECK_EQ_INT(check(CHAIN(&p.leaf, &p.inter), NA + 5, "a.example.com", good, &r), ST_OK);
    CHECK_EQ_INT(r.problems, CERT_P_EXPIRED);
    CHECK_EQ_INT(check(CHAIN(&p.leaf, &p.inter), INT64_MAX, NULL, good, &r), ST_OK);
    CHECK_EQ_INT(r.problems, CERT_P_EXPIRED);

    CHECK_EQ_INT(check(CHAIN(&p.leaf, &p.inter), NOW, "a.example.com", wrong, &r), ST_OK);
    CHECK_EQ_INT(r.problems, CERT_P_UNTRUSTED);
    CHECK_EQ_INT(r.verify_error, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
    CHECK_EQ_INT(r.verify_error_depth, 1);
    CHECK_EQ_STR(r.detail, "verify: unable to get local issuer certificate (depth 1)");
    CHECK_EQ_STR(r.missing_issuer, "");  /* a CA's issuer: maybe just not trusted here */

    CHECK_EQ_INT(check(CHAIN(&p.leaf), NOW, "a.example.com", good, &r), ST_OK);
    CHECK_EQ_INT(r.problems, CERT_P_UNTRUSTED | CERT_P_CHAIN_INCOMPLETE);
    CHECK_EQ_STR(r.missing_issuer, "CN=Test Intermediate,O=Test");

    CHECK_EQ_INT(check(CHAIN(&self), NOW, "b.example.com", good, &r), ST_OK);
    CHECK_EQ_INT(r.problems, CERT_P_UNTRUSTED | CERT_P_SELF_SIGNED_LEAF | CERT_P_HOSTNAME_MISMATCH);
    CHECK_EQ_INT(r.verify_error, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
    CHECK(strstr(r.detail, "names in the certificate: a.example.com; verify: self") != NULL);

    /* Store loading failures are I/O errors, not empty stores. */
    CHECK_EQ_INT(cert_store_load("/nonexistent/ca.pem", NULL, &bad), ST_IO);
    CHECK(bad == NULL);
    CHECK_EQ_INT(cert_store_load(NULL, "/nonexistent/dir", &bad), ST_IO);
    CHECK_EQ_INT(cert_store_load(NULL, "/dev/null", &bad), ST_IO);
    CHECK_EQ_INT(cert_store_load("/dev/null", NULL, &bad), ST_IO);
    CHECK_EQ_INT(cert_store_load(NULL, "/tmp", &bad), ST_OK);
    cert_store_free(bad);
    cert_store_free(NULL);
out:
    cert_store_free(good);
    cert_store_free(wrong);
    ck_free(&other);
    ck_free(&self);
    EVP_PKEY_free(ko);
    pki_free(&p);
}

TEST(check_malformed_member)
{
    struct pki p;
    static const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x00};
    const uint8_t *der[3];
    size_t len[3];
    struct cert_chain_report r;

    CHECK(pki_make(&p, NULL));
    der[0] = p.leaf.der;
    len[0] = p.leaf.len;
    der[1] = junk;
    len[1] = sizeof junk;
    der[2] = p.root.der;
    len[2] = p.root.len;
    /* The leaf is still judged; chain-wide checks are not guessed at. */
    CHECK_EQ_INT(cert_check_chain(der, len, 3, NOW, "b.example.com", NULL, &r), ST_OK);
    CHECK_EQ_INT(r.problems, CERT_P_MALFORMED | CERT_P_HOSTNAME_MISMATCH);
    CHECK_EQ_INT(r.malformed_index, 1);
    CHECK_EQ_INT(cert_check_chain(der + 1, len + 1, 2, NOW, "b.example.com", NULL, &r), ST_OK);
    CHECK_EQ_INT(r.problems, CERT_P_MALFORMED);
    CHECK_EQ_INT(r.malformed_index, 0);
    len[0] = 0;
    CHECK_EQ_INT(cert_check_chain(der, len, 1, NOW, NULL, NULL, &r), ST_OK);
    CHECK_EQ_INT(r.problems, CERT_P_MALFORMED);

    CHECK_EQ_INT(cert_check_chain(der, len, 0, NOW, NULL, NULL, &r), ST_MALFORMED);
    CHECK_EQ_INT(cert_check_chain(der, len, CERT_MAX_CHAIN + 1, NOW, NULL, NULL, &r), ST_LIMIT);
    pki_free(&p);
}

/* Corrupt each byte of the leaf and the intermediate in a chain checked
 * against a store: every outcome is a report, never a crash. */
TEST(check_byte_flips)
{
    struct pki p;
    struct cert_store *store = NULL;
    char *path;
    struct cert_chain_report r;

    CHECK(pki_make(&p, "DNS:*.example.com,IP:192.0.2.1"));
    path = write_pem(p.root.x);
    if (path != NULL) {
        CHECK_EQ_INT(cert_store_load(path, NULL, &store), ST_OK);
        (void)unlink(path);
    }
    for (int which = 0; which < 2; which++) {
        const struct ck *victim = which ? &p.inter : &p.leaf;
        for (size_t i = 0; i < victim->len; i += 1) {
            uint8_t *heap = malloc(victim->len);
            const uint8_t *der[2] = {p.leaf.der, p.inter.der};
            size_t len[2] = {p.leaf.len, p.inter.len};
            if (heap == NULL) continue;
            memcpy(heap, victim->der, victim->len);
            heap[i] ^= 0x55;
            der[which] = heap;
            CHECK_EQ_INT(cert_check_chain(der, len, 2, NOW, i % 2 ? "a.example.com" : "192.0.2.1", store, &r), ST_OK);
            CHECK(valid_text(r.detail, sizeof r.detail) && valid_text(r.missing_issuer, sizeof r.missing_issuer));
            free(heap);
        }
    }
    cert_store_free(store);
    pki_free(&p);
}

/* ---- the shared PKI fixtures ------------------------------------------ */

/* test-captures/certs/pki/ is made by test-captures/gen/certs.sh with the
 * openssl CLI, a second, independent certificate factory. Keys (hence
 * fingerprints) change on each run, so only names, dates and findings are
 * compared. The test is skipped, and says so, when the files are absent. */
#define PKI_DIR "test-captures/certs/pki/"
#define PKI_CAPTURE INT64_C(1795305600)  /* 2026-11-22, the captures' day */

struct blob {
    uint8_t *der;
    size_t len;
};

static bool read_blob(const char *name, struct blob *b)
{
    char path[256];
    FILE *f;
    uint8_t buf[65536];
    size_t n;

    b->der = NULL;
    b->len = 0;
    (void)snprintf(path, sizeof path, PKI_DIR "%s", name);
    f = fopen(path, "rb");
    if (f == NULL) return false;
    n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    if (n == 0 || n == sizeof buf) return false;
    b->der = malloc(n);
    if (b->der == NULL) return false;
    memcpy(b->der, buf, n);
    b->len = n;
    return true;
}

static enum status pki_check(const struct blob *const *bs, size_t n, const char *sni,
                             const struct cert_store *store, struct cert_chain_report *r)
{
    const uint8_t *der[4];
    size_t len[4];
    for (size_t i = 0; i < n && i < 4; i++) {
        der[i] = bs[i]->der;
        len[i] = bs[i]->len;
    }
    return cert_check_chain(der, len, n, PKI_CAPTURE, sni, store, r);
}

#define BLOBS(...) ((const struct blob *const[]){__VA_ARGS__}), \
    sizeof((const struct blob *const[]){__VA_ARGS__}) / sizeof(const struct blob *)

TEST(pki_fixtures)
{
    static const char *const names[] = {
        "root-ca.der", "intermediate-ca.der", "good.der", "expired.der", "not-yet-valid.der",
        "wrong-host.der", "self-signed.der", "weak-sha1.der", "weak-rsa1024.der", "revoked.der",
        "fortigate-ca.der", "fortigate-leaf.der", "zscaler-intermediate-ca.der", "zscaler-leaf.der",
    };
    enum { ROOT, INTER, GOOD, EXPIRED, NYV, WRONG, SELF, SHA1, RSA1024, REVOKED, FCA, FLEAF, ZINT, ZLEAF, NB_ };
    struct blob b[NB_];
    struct cert_store *store = NULL;
    struct cert_chain_report r;
    struct cert_info ci;
    bool all = true;
    const uint32_t untrusted_self = CERT_P_SELF_SIGNED_LEAF | CERT_P_UNTRUSTED;

    for (size_t i = 0; i < NB_; i++) all &= read_blob(names[i], &b[i]);
    if (!all || cert_store_load(PKI_DIR "root-ca.pem", NULL, &store) != ST_OK) {
        printf("  pki_fixtures: skipped, %s not found\n", PKI_DIR);
        goto out;
    }

    CHECK_EQ_INT(cert_parse(b[GOOD].der, b[GOOD].len, &ci), ST_OK);
    CHECK_EQ_STR(ci.subject, "CN=good.test");
    CHECK_EQ_STR(ci.issuer, "CN=tlsexplain Test Intermediate CA,O=tlsexplain tests");
    CHECK_EQ_INT(ci.not_before, INT64_C(1735689600));
    CHECK_EQ_INT(ci.not_after, INT64_C(2051222400));
    CHECK_EQ_STR(ci.key_type, "RSA");
    CHECK_EQ_INT(ci.key_bits, 2048);
    CHECK(ci.n_san == 1 && strcmp(ci.san[0], "good.test") == 0);
    CHECK(ci.eku_server_auth && !ci.is_ca);

    CHECK_EQ_INT(pki_check(BLOBS(&b[GOOD], &b[INTER]), "good.test", store, &r), ST_OK);
    check_clean(failures_, &r);
    /* No CRL is consulted: revocation is not ours to see in a capture. */
    CHECK_EQ_INT(pki_check(BLOBS(&b[REVOKED], &b[INTER]), "good.test", store, &r), ST_OK);
    CHECK_EQ_INT(r.problems, 0);
    CHECK_EQ_INT(pki_check(BLOBS(&b[EXPIRED], &b[INTER]), "good.test", store, &r), ST_OK);
    CHECK_EQ_INT(r.problems, CERT_P_EXPIRED);
    CHECK_EQ_INT(r.expired_by, PKI_CAPTURE - INT64_C(1577836800));
    CHECK_EQ_INT(pki_check(BLOBS(&b[NYV], &b[INTER]), "good.test", store, &r), ST_OK);
    CHECK_EQ_INT(r.problems, CERT_P_NOT_YET_VALID);
    CHECK_EQ_INT(r.not_valid_for, INT64_C(2082758400) - PKI_CAPTURE);
    CHECK_EQ_INT(pki_check(BLOBS(&b[WRONG], &b[INTER]), "good.test", store, &r), ST_OK);
    CHECK_EQ_INT(r.problems, CERT_P_HOSTNAME_MISMATCH);
    CHECK_EQ_STR(r.detail, "names in the certificate: other.test");
    CHECK_EQ_INT(pki_check(BLOBS(&b[SELF]), "good.test", store, &r), ST_OK);
    CHECK_EQ_INT(r.problems, untrusted_self);
    CHECK_EQ_INT(pki_check(BLOBS(&b[SELF]), "good.test", NULL, &r), ST_OK);
    CHECK_EQ_INT(r.problems, CERT_P_SELF_SIGNED_LEAF);
    CHECK_EQ_INT(pki_check(BLOBS(&b[SHA1], &b[INTER]), "good.test", store, &r), ST_OK);
    CHECK_EQ_INT(r.problems, CERT_P_WEAK_SIGNATURE | CERT_P_ATS);
    CHECK_EQ_INT(pki_check(BLOBS(&b[RSA1024], &b[INTER]), "good.test", store, &r), ST_OK);
    CHECK_EQ_INT(r.problems, CERT_P_WEAK_KEY | CERT_P_ATS);
    CHECK_EQ_INT(pki_check(BLOBS(&b[GOOD]), "good.test", NULL, &r), ST_OK);
    CHECK_EQ_INT(r.problems, CERT_P_CHAIN_INCOMPLETE);
    CHECK_EQ_STR(r.missing_issuer, "CN=tlsexplain Test Intermediate CA,O=tlsexplain tests");
    CHECK_EQ_INT(pki_check(BLOBS(&b[GOOD], &b[ROOT], &b[INTER]), "good.test", store, &r), ST_OK);
    CHECK_EQ_INT(r.problems, CERT_P_CHAIN_ORDER);
    CHECK_EQ_INT(pki_check(BLOBS(&b[FLEAF], &b[FCA]), "good.test", store, &r), ST_OK);
    CHECK_EQ_INT(r.problems, CERT_P_INTERCEPTION | CERT_P_UNTRUSTED);
    CHECK_EQ_STR(r.interception_product, "Fortinet FortiGate");
    CHECK_EQ_INT(pki_check(BLOBS(&b[ZLEAF], &b[ZINT]), "good.test", NULL, &r), ST_OK);
    CHECK_EQ_INT(r.problems, CERT_P_INTERCEPTION);
    CHECK_EQ_STR(r.interception_product, "Zscaler");
out:
    cert_store_free(store);
    for (size_t i = 0; i < NB_; i++) free(b[i].der);
}

TEST(problem_names)
{
    const char *names[13];

    for (unsigned i = 0; i < 13; i++) {
        names[i] = cert_problem_name((enum cert_problem)(1u << i));
        CHECK(names[i] != NULL && strcmp(names[i], "unknown") != 0);
        for (unsigned j = 0; j < i; j++) CHECK(strcmp(names[i], names[j]) != 0);
    }
    CHECK_EQ_STR(cert_problem_name(CERT_P_EXPIRED), "expired");
    CHECK_EQ_STR(cert_problem_name(CERT_P_ATS), "ats");
    CHECK_EQ_STR(cert_problem_name((enum cert_problem)3), "unknown");
    CHECK_EQ_STR(cert_problem_name((enum cert_problem)(1u << 13)), "unknown");
}

TEST(copy_text_rules)
{
    char buf[8];

    CHECK(cert_copy_text(buf, sizeof buf, (const uint8_t *)"abc", 3));
    CHECK_EQ_STR(buf, "abc");
    /* Overlong '/', a lone surrogate, a stray continuation byte. */
    CHECK(!cert_copy_text(buf, sizeof buf, (const uint8_t *)"\xc0\xaf\xed\xa0\x80", 5));
    CHECK_EQ_STR(buf, "\xef\xbf\xbd\xef\xbf\xbd");
    CHECK(cert_copy_text(buf, sizeof buf, (const uint8_t *)"a\x80", 2));
    CHECK_EQ_STR(buf, "a\xef\xbf\xbd");
    /* "é" does not fit in the last byte: cut before it, not through it. */
    CHECK(!cert_copy_text(buf, sizeof buf, (const uint8_t *)"abcdef\xc3\xa9", 8));
    CHECK_EQ_STR(buf, "abcdef");
    CHECK(cert_copy_text(buf, sizeof buf, (const uint8_t *)"\xf0\x9f\x94\x92", 4));
    CHECK_EQ_STR(buf, "\xf0\x9f\x94\x92");
}

TEST_MAIN("cert",
          TEST_ENTRY(parse_leaf_facts),
          TEST_ENTRY(parse_rsa_root),
          TEST_ENTRY(parse_ed25519_and_v1),
          TEST_ENTRY(parse_garbage),
          TEST_ENTRY(parse_every_prefix),
          TEST_ENTRY(parse_byte_flips),
          TEST_ENTRY(parse_san_limits),
          TEST_ENTRY(parse_hostile_names),
          TEST_ENTRY(parse_invalid_extension),
          TEST_ENTRY(parse_times),
          TEST_ENTRY(cache_owned_by_the_run),
          TEST_ENTRY(check_good_chain),
          TEST_ENTRY(check_validity_at_capture_time),
          TEST_ENTRY(check_hostname_wildcards),
          TEST_ENTRY(check_hostname_ip_and_cn),
          TEST_ENTRY(check_structure),
          TEST_ENTRY(check_weak_crypto),
          TEST_ENTRY(check_eku),
          TEST_ENTRY(check_interception),
          TEST_ENTRY(check_with_store),
          TEST_ENTRY(check_malformed_member),
          TEST_ENTRY(check_byte_flips),
          TEST_ENTRY(pki_fixtures),
          TEST_ENTRY(problem_names),
          TEST_ENTRY(copy_text_rules))
