/* registry.c: lookups over the generated tables in registry_data.c. */
#include "util/registry.h"

#include <stdio.h>
#include <stdlib.h>

/* bsearch comparators: the key is a uint16_t code; both element types start with it. */
static int cmp_suite(const void *key, const void *elem)
{
    uint16_t k = *(const uint16_t *)key;
    uint16_t c = ((const struct reg_suite *)elem)->code;
    return (k > c) - (k < c);
}

static int cmp_name(const void *key, const void *elem)
{
    uint16_t k = *(const uint16_t *)key;
    uint16_t c = ((const struct reg_name *)elem)->code;
    return (k > c) - (k < c);
}

static const char *find_name(const struct reg_name *table, size_t len, uint16_t code)
{
    const struct reg_name *hit = bsearch(&code, table, len, sizeof table[0], cmp_name);
    return hit ? hit->name : NULL;
}

const struct reg_suite *reg_suite(uint16_t code)
{
    return bsearch(&code, reg_suite_table, reg_suite_table_len, sizeof reg_suite_table[0],
                   cmp_suite);
}

const char *reg_suite_name(uint16_t code)
{
    const struct reg_suite *s = reg_suite(code);
    return s ? s->name : NULL;
}

const char *reg_group_name(uint16_t code)
{
    return find_name(reg_group_table, reg_group_table_len, code);
}

/* RFC 7919 section 2: codepoints with high byte 0x01 are set aside for FFDHE groups,
 * including the private-use ones, so a range check beats the named list. */
bool reg_group_is_ffdhe(uint16_t code)
{
    return (code >> 8) == 0x01;
}

const char *reg_sigscheme_name(uint16_t code)
{
    return find_name(reg_sigscheme_table, reg_sigscheme_table_len, code);
}

const char *reg_extension_name(uint16_t code)
{
    return find_name(reg_extension_table, reg_extension_table_len, code);
}

const char *reg_alert_name(uint8_t code)
{
    return find_name(reg_alert_table, reg_alert_table_len, code);
}

const char *reg_handshake_name(uint8_t type)
{
    return find_name(reg_handshake_table, reg_handshake_table_len, type);
}

const char *reg_content_type_name(uint8_t type)
{
    return find_name(reg_content_type_table, reg_content_type_table_len, type);
}

/* RFC 8701 section 2: both bytes equal, each of the form 0x?A. */
bool reg_is_grease(uint16_t value)
{
    return (value & 0x0f0f) == 0x0a0a && (value >> 8) == (value & 0xff);
}

#define TLS13_DRAFT(n) "TLS 1.3 draft " #n

/* Drafts put 0x7f00 | draft number in supported_versions (draft-ietf-tls-tls13 4.2.1);
 * the last one was draft 28, so larger numbers were never sent. */
static const char *const tls13_drafts[] = {
    TLS13_DRAFT(0),  TLS13_DRAFT(1),  TLS13_DRAFT(2),  TLS13_DRAFT(3),  TLS13_DRAFT(4),
    TLS13_DRAFT(5),  TLS13_DRAFT(6),  TLS13_DRAFT(7),  TLS13_DRAFT(8),  TLS13_DRAFT(9),
    TLS13_DRAFT(10), TLS13_DRAFT(11), TLS13_DRAFT(12), TLS13_DRAFT(13), TLS13_DRAFT(14),
    TLS13_DRAFT(15), TLS13_DRAFT(16), TLS13_DRAFT(17), TLS13_DRAFT(18), TLS13_DRAFT(19),
    TLS13_DRAFT(20), TLS13_DRAFT(21), TLS13_DRAFT(22), TLS13_DRAFT(23), TLS13_DRAFT(24),
    TLS13_DRAFT(25), TLS13_DRAFT(26), TLS13_DRAFT(27), TLS13_DRAFT(28),
};

const char *reg_version_name(uint16_t version)
{
    if ((version >> 8) == 0x7f) {
        size_t draft = version & 0xff;
        return draft < sizeof tls13_drafts / sizeof tls13_drafts[0] ? tls13_drafts[draft] : NULL;
    }
    switch (version) {
    case 0x0002: return "SSL 2.0";
    case 0x0300: return "SSL 3.0";
    case 0x0301: return "TLS 1.0";
    case 0x0302: return "TLS 1.1";
    case 0x0303: return "TLS 1.2";
    case 0x0304: return "TLS 1.3";
    case 0xfeff: return "DTLS 1.0";   /* RFC 4347: the ones' complement of 1.0 */
    case 0xfefd: return "DTLS 1.2";   /* RFC 6347 */
    case 0xfefc: return "DTLS 1.3";   /* RFC 9147 */
    /* Facebook's Fizz sent these before RFC 8446 (KB section 5.4). */
    case 0xfb17: return "TLS 1.3 draft 23 (Facebook)";
    case 0xfb1a: return "TLS 1.3 draft 26 (Facebook)";
    default: return NULL;
    }
}

const char *reg_kx_name(enum reg_kx kx)
{
    switch (kx) {
    case REG_KX_UNKNOWN: return "unknown";
    case REG_KX_NULL: return "NULL";
    case REG_KX_RSA: return "RSA";
    case REG_KX_DH: return "DH";
    case REG_KX_DHE: return "DHE";
    case REG_KX_ECDH: return "ECDH";
    case REG_KX_ECDHE: return "ECDHE";
    case REG_KX_PSK: return "PSK";
    case REG_KX_DHE_PSK: return "DHE_PSK";
    case REG_KX_ECDHE_PSK: return "ECDHE_PSK";
    case REG_KX_RSA_PSK: return "RSA_PSK";
    case REG_KX_SRP: return "SRP";
    case REG_KX_KRB5: return "KRB5";
    case REG_KX_TLS13: return "TLS 1.3";
    case REG_KX_OTHER: return "other";
    }
    return "unknown";   /* a value outside the enum: corrupt memory, not a new case */
}

const char *reg_cipher_mode_name(enum reg_cipher_mode mode)
{
    switch (mode) {
    case REG_MODE_UNKNOWN: return "unknown";
    case REG_MODE_NULL: return "NULL";
    case REG_MODE_STREAM: return "stream";
    case REG_MODE_CBC: return "CBC";
    case REG_MODE_AEAD: return "AEAD";
    }
    return "unknown";
}

const char *reg_format_u16(const char *(*name)(uint16_t), uint16_t v, char *out, size_t outlen)
{
    if (out == NULL || outlen == 0)
        return out;
    const char *s = name ? name(v) : NULL;
    if (s != NULL)
        return s; /* a static name: never cut to fit out */
    if (reg_is_grease(v))
        snprintf(out, outlen, "GREASE");
    else
        snprintf(out, outlen, "0x%04x", (unsigned)v);
    return out;
}

static bool names_ok(const struct reg_name *table, size_t len, uint16_t max)
{
    for (size_t i = 0; i < len; i++) {
        if (table[i].name == NULL || table[i].name[0] == '\0' || table[i].code > max)
            return false;
        if (i > 0 && table[i - 1].code >= table[i].code)
            return false;
    }
    return len > 0;
}

bool reg_selfcheck(void)
{
    for (size_t i = 0; i < reg_suite_table_len; i++) {
        const struct reg_suite *s = &reg_suite_table[i];
        if (s->name == NULL || s->name[0] == '\0')
            return false;
        if (i > 0 && reg_suite_table[i - 1].code >= s->code)
            return false;
        /* ATS demands forward secrecy; a table saying otherwise is wrong. */
        if (s->ats && !s->forward_secret)
            return false;
    }
    return reg_suite_table_len > 0
        && names_ok(reg_group_table, reg_group_table_len, 0xffff)
        && names_ok(reg_sigscheme_table, reg_sigscheme_table_len, 0xffff)
        && names_ok(reg_extension_table, reg_extension_table_len, 0xffff)
        && names_ok(reg_alert_table, reg_alert_table_len, 0xff)
        && names_ok(reg_handshake_table, reg_handshake_table_len, 0xff)
        && names_ok(reg_content_type_table, reg_content_type_table_len, 0xff);
}
