/* cert.h: X.509 certificates the server sent, as facts (cert_parse) and as
 * findings about the chain (cert_check_chain).
 *
 * All X.509 decoding is OpenSSL 3 libcrypto's: certificates are hostile input
 * and a second, hand-written ASN.1 decoder would be a second attack surface.
 * The parser records facts; the policy (what is weak, what is missing) lives
 * in cert_check.c. */
#ifndef TLSX_CERT_H
#define TLSX_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/status.h"

#define CERT_MAX_SAN 32
/* A TLS Certificate message carries at most 2^24-1 bytes (RFC 8446 4.4.2),
 * so no honest certificate is larger. */
#define CERT_MAX_DER ((size_t)1 << 24)
/* Real chains are 2 to 5 certificates; misconfigured servers send a few
 * more. Beyond this cert_check_chain refuses with ST_LIMIT rather than doing
 * n^2 issuer matching on an attacker's list. */
#define CERT_MAX_CHAIN 32

struct cert_info {
    /* Names are RFC 2253 one-line strings in valid UTF-8 with no control
     * characters left raw (OpenSSL escapes them as \XX); the reporter does
     * the escaping for its output format. Text that does not fit is cut at a
     * character boundary. Bytes that are not UTF-8 become U+FFFD. */
    char subject[256];
    char issuer[256];
    char common_name[128];          /* last (most specific) CN, "" if none */
    /* DNS names as the bare name, IP addresses as text ("192.0.2.1",
     * "2001:db8::1"); san_ip[i] tells which. Other name types are skipped.
     * san_truncated: more than CERT_MAX_SAN names, or a name was cut. */
    size_t n_san;
    char san[CERT_MAX_SAN][128];
    bool san_ip[CERT_MAX_SAN];
    bool san_truncated;
    int64_t not_before, not_after;  /* unix seconds, UTC */
    int version;                    /* 1, 2 or 3 */
    char serial[68];                /* hex, cut if absurdly long */
    char signature_algorithm[48];   /* OpenSSL long name, or dotted OID */
    char signature_hash[16];        /* "SHA256", "SHA1", "MD5"; "" if none
                                     * (Ed25519) or unknown */
    char key_type[8];               /* "RSA", "RSA-PSS", "EC", "Ed25519",
                                     * "Ed448", "DSA", "DH", "other"; "" when
                                     * the key does not decode */
    int key_bits;                   /* 0 when the key does not decode */
    char key_curve[24];             /* EC group name, "explicit" for
                                     * explicit parameters, else "" */
    bool is_ca;                     /* basicConstraints cA = TRUE */
    /* self_issued: subject == issuer. self_signed: that, and the signature
     * verifies with the certificate's own key (OpenSSL X509_self_signed). */
    bool self_issued, self_signed;
    bool has_key_usage, has_eku, eku_server_auth, eku_client_auth, eku_any;
    /* An extension OpenSSL could not decode (bad SAN, duplicate extension,
     * ...); strict clients reject such a certificate. */
    bool extensions_invalid;
    uint32_t key_usage;             /* OpenSSL KU_* bits, 0 without the ext */
    char sha256[65];                /* lowercase hex over the DER as sent */
};

/* Decoded certificates and their facts, by their bytes: made by the run,
 * given to every parse and check, freed at its end. A certificate the
 * capture repeats is decoded once. Bounded (1024 slots); a cache is for
 * one thread. Every function taking one also takes NULL: no caching. */
struct cert_cache;
struct cert_cache *cert_cache_new(void);  /* NULL without memory */
void cert_cache_free(struct cert_cache *cache);
/* How often certificates were decoded and kept, and a kept one reused. */
struct cert_cache_counts {
    uint64_t decoded, reused;
};
struct cert_cache_counts cert_cache_counts(const struct cert_cache *cache);

/* Facts about one DER certificate. ST_MALFORMED for anything that is not
 * exactly one certificate (garbage, truncated, trailing bytes, unreadable
 * validity dates); ST_LIMIT above CERT_MAX_DER. On failure *out is zeroed. */
MUST_USE enum status cert_parse_cached(struct cert_cache *cache, const uint8_t *der,
                                       size_t len, struct cert_info *out);
/* The same without a cache. Transitional: callers are to pass the run's. */
MUST_USE enum status cert_parse(const uint8_t *der, size_t len,
                                struct cert_info *out);

/* Bit flags, each a finding about the chain as the server sent it. */
enum cert_problem {
    CERT_P_EXPIRED = 1u << 0,
    CERT_P_NOT_YET_VALID = 1u << 1,
    CERT_P_HOSTNAME_MISMATCH = 1u << 2,
    CERT_P_SELF_SIGNED_LEAF = 1u << 3,
    CERT_P_CHAIN_INCOMPLETE = 1u << 4,
    CERT_P_CHAIN_ORDER = 1u << 5,
    CERT_P_WEAK_SIGNATURE = 1u << 6,   /* MD5/SHA-1 signed, not on a
                                        * self-signed root */
    CERT_P_WEAK_KEY = 1u << 7,         /* RSA/DSA < 2048, EC < 256 */
    CERT_P_NO_SERVER_AUTH = 1u << 8,   /* EKU present without serverAuth */
    CERT_P_UNTRUSTED = 1u << 9,        /* only with a trust store */
    CERT_P_INTERCEPTION = 1u << 10,    /* an issuer names a known product */
    CERT_P_ATS = 1u << 11,             /* fails Apple ATS certificate rules:
                                        * SHA-256+ signature, RSA >= 2048,
                                        * EC >= 256 */
    CERT_P_MALFORMED = 1u << 12        /* a certificate does not decode */
};

struct cert_chain_report {
    uint32_t problems;          /* enum cert_problem bits */
    /* Index in the chain as sent of the first certificate with the problem,
     * -1 if none. */
    int expired_index;
    int not_yet_valid_index;
    int weak_signature_index;
    int weak_key_index;
    int no_server_auth_index;
    int interception_index;
    int malformed_index;
    int64_t expired_by;         /* seconds past not_after at capture time */
    int64_t not_valid_for;      /* seconds until not_before */
    /* The SNI matches the leaf only through its subject CN, which Chrome,
     * Go and Apple clients no longer consult (hostname mismatch is set). */
    bool hostname_cn_only;
    /* With a store: X509_V_ERR_* of the first non-time verify error and
     * its chain depth; 0 and -1 otherwise. */
    int verify_error;
    int verify_error_depth;
    /* Chain incomplete: issuer DN of the certificate whose issuer the server
     * did not send. */
    char missing_issuer[256];
    char interception_product[64];
    /* Summaries: the certificate's names on a host name mismatch, the
     * verify error string when a store is given. UTF-8, cut at a character
     * boundary. */
    char detail[512];
};

struct cert_store;  /* opaque trust store */

/* Load CA certificates from a PEM file and/or a hashed directory (c_rehash
 * layout). With both NULL, OpenSSL's default system locations are used.
 * ST_IO if a file holds no certificate or a directory is not one. */
MUST_USE enum status cert_store_load(const char *ca_file, const char *ca_path,
                                     struct cert_store **out);
void cert_store_free(struct cert_store *store);

/* chain[0] is the leaf as sent; capture_time is the packet timestamp (never
 * the machine clock); sni may be NULL (no host name check); store may be
 * NULL (then no CERT_P_UNTRUSTED: a self-signed leaf is reported only as
 * CERT_P_SELF_SIGNED_LEAF). A certificate that does not decode is a finding
 * (CERT_P_MALFORMED), not an error: ST_OK is returned, certificates before it
 * are still checked one by one, and the chain-wide checks are skipped.
 * ST_MALFORMED for n == 0, ST_LIMIT for n > CERT_MAX_CHAIN, ST_NOMEM. */
MUST_USE enum status cert_check_chain_cached(struct cert_cache *cache,
                                             const uint8_t *const der[],
                                             const size_t der_len[], size_t n,
                                             int64_t capture_time, const char *sni,
                                             const struct cert_store *store,
                                             struct cert_chain_report *out);
/* The same without a cache. Transitional: callers are to pass the run's. */
MUST_USE enum status cert_check_chain(const uint8_t *const der[],
                                      const size_t der_len[], size_t n,
                                      int64_t capture_time, const char *sni,
                                      const struct cert_store *store,
                                      struct cert_chain_report *out);

/* Stable snake_case id of one problem bit ("expired", ...); "unknown" for
 * anything else, including several bits at once. */
const char *cert_problem_name(enum cert_problem p);

/* Internal to the cert module (shared by cert.c and cert_check.c; others
 * use cert_parse). struct x509_st is OpenSSL's X509, named here so this
 * header does not pull in OpenSSL. cert_decode gives a new X509 the caller
 * frees with X509_free; cert_facts fills *out from it and the DER it came
 * from. */
struct x509_st;
MUST_USE enum status cert_decode(struct cert_cache *cache, const uint8_t *der, size_t len,
                                 struct x509_st **out);
/* The decode cache (cert_cache.c), cache may be NULL: a new reference to the
 * certificate decoded from exactly these bytes before, or NULL; put keeps a
 * reference. */
struct x509_st *cert_cache_get(struct cert_cache *cache, const uint8_t *der, size_t len);
void cert_cache_put(struct cert_cache *cache, const uint8_t *der, size_t len,
                    struct x509_st *x);
/* The facts cert_facts made of these bytes before (true), kept with them. */
bool cert_cache_get_facts(struct cert_cache *cache, const uint8_t *der, size_t len,
                          struct cert_info *out);
void cert_cache_put_facts(struct cert_cache *cache, const uint8_t *der, size_t len,
                          const struct cert_info *info);
MUST_USE enum status cert_facts(struct cert_cache *cache, struct x509_st *x,
                                const uint8_t *der, size_t len, struct cert_info *out);
/* Copy n bytes of text into dst (cap bytes, NUL-terminated), turning NUL
 * and invalid UTF-8 into U+FFFD and cutting at a character boundary.
 * Returns false if the text was cut. */
bool cert_copy_text(char *dst, size_t cap, const uint8_t *src, size_t n);

#endif
