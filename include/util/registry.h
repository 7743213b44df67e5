/* registry.h: names and properties of TLS protocol values (cipher suites, groups,
 * signature schemes, extensions, alerts, handshake and content types, versions).
 * The tables come from the IANA registries via scripts/gen_registry.py, so a new
 * registry version is a regeneration, not a code change. Lookups never fail loudly:
 * an unknown value gives NULL and the caller prints the number. */
#ifndef TLSX_REGISTRY_H
#define TLSX_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Key exchange of a suite, as the rules need it (not the authentication). anon suites
 * are DHE/ECDHE: the parameters are ephemeral, only unauthenticated. Signalling values
 * (TLS_EMPTY_RENEGOTIATION_INFO_SCSV, TLS_FALLBACK_SCSV) have kx and mode UNKNOWN. */
enum reg_kx {
    REG_KX_UNKNOWN,
    REG_KX_NULL,
    REG_KX_RSA,
    REG_KX_DH,
    REG_KX_DHE,
    REG_KX_ECDH,
    REG_KX_ECDHE,
    REG_KX_PSK,
    REG_KX_DHE_PSK,
    REG_KX_ECDHE_PSK,
    REG_KX_RSA_PSK,
    REG_KX_SRP,
    REG_KX_KRB5,
    REG_KX_TLS13,   /* from key_share / psk_key_exchange_modes, not the suite */
    REG_KX_OTHER    /* ECCPWD, GOST R 34.10-2012 (TLS 1.2) */
};

enum reg_cipher_mode {
    REG_MODE_UNKNOWN,
    REG_MODE_NULL,     /* no encryption (incl. RFC 9150 integrity-only suites) */
    REG_MODE_STREAM,   /* RC4, GOST counter modes */
    REG_MODE_CBC,
    REG_MODE_AEAD
};

struct reg_suite {
    uint16_t code;
    const char *name;              /* IANA name, e.g. "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" */
    enum reg_kx kx;
    bool forward_secret;           /* TLS 1.3: true (psk_ke-only resumption is not visible here) */
    enum reg_cipher_mode mode;
    bool h2_blocklisted;           /* on the RFC 7540 / RFC 9113 Appendix A list */
    bool ats;                      /* accepted by iOS App Transport Security (KB C2) */
    bool export_grade;             /* *_EXPORT* suites */
};

const struct reg_suite *reg_suite(uint16_t code);         /* NULL when unassigned */
const char *reg_suite_name(uint16_t code);                /* NULL when unknown */
const char *reg_group_name(uint16_t code);                /* "x25519", "X25519MLKEM768", ... */
bool reg_group_is_ffdhe(uint16_t code);                   /* RFC 7919: 0x0100-0x01FF */
const char *reg_sigscheme_name(uint16_t code);            /* "rsa_pss_rsae_sha256", ... */
const char *reg_extension_name(uint16_t code);            /* "server_name", ... */
const char *reg_alert_name(uint8_t code);                 /* "handshake_failure", ... */
const char *reg_handshake_name(uint8_t type);             /* "ClientHello", ... */
const char *reg_content_type_name(uint8_t type);          /* "handshake", "alert", ... */
bool reg_is_grease(uint16_t value);                       /* RFC 8701: 0x0a0a ... 0xfafa */
const char *reg_version_name(uint16_t version);           /* "TLS 1.2", "DTLS 1.2", ...; NULL otherwise */
const char *reg_kx_name(enum reg_kx kx);                  /* "ECDHE", "TLS 1.3", ... */
const char *reg_cipher_mode_name(enum reg_cipher_mode mode); /* "AEAD", "CBC", ... */

/* The name (a static string), or "0x%04x" / "GREASE" written into out (size >= 8) and returned. */
const char *reg_format_u16(const char *(*name)(uint16_t), uint16_t v, char *out, size_t outlen);

/* True when every table is sorted by code without duplicates and names are set:
 * the lookups rely on it (bsearch). Run by the unit tests. */
bool reg_selfcheck(void);

/* The tables themselves, defined in the generated src/util/registry_data.c. Only registry.c
 * and its tests should need them; everyone else uses the lookups above. */
struct reg_name {
    uint16_t code;
    const char *name;
};

extern const struct reg_suite reg_suite_table[];
extern const size_t reg_suite_table_len;
extern const struct reg_name reg_group_table[];
extern const size_t reg_group_table_len;
extern const struct reg_name reg_sigscheme_table[];
extern const size_t reg_sigscheme_table_len;
extern const struct reg_name reg_extension_table[];
extern const size_t reg_extension_table_len;
extern const struct reg_name reg_alert_table[];
extern const size_t reg_alert_table_len;
extern const struct reg_name reg_handshake_table[];
extern const size_t reg_handshake_table_len;
extern const struct reg_name reg_content_type_table[];
extern const size_t reg_content_type_table_len;

#endif
