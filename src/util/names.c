/* names.c: protocol values as words (see names.h). */
#include <stdio.h>
#include <time.h>
#include "util/names.h"
#include "util/registry.h"
#include "util/tstamp.h"

static struct value_name named(const char *name, const char *fallback_fmt, unsigned v)
{
    struct value_name n;
    if (name != NULL)
        snprintf(n.s, sizeof n.s, "%s", name);
    else
        snprintf(n.s, sizeof n.s, fallback_fmt, v);
    return n;
}

struct value_name name_version(uint16_t v)
{
    return named(reg_version_name(v), "0x%04x", v);
}

struct value_name name_suite(uint16_t v)
{
    return named(reg_suite_name(v), "0x%04x", v);
}

struct value_name name_alert(uint8_t code)
{
    return named(reg_alert_name(code), "alert %u", code);
}

struct value_name tstamp_iso(struct tstamp ts)
{
    struct value_name n = {.s = "?"};
    struct tm tm;
    time_t t = (time_t)ts.sec;
    if (gmtime_r(&t, &tm) == NULL)
        return n;
    char base[32];
    if (strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
        return n;
    snprintf(n.s, sizeof n.s, "%s.%06uZ", base, ts.nsec / 1000);
    return n;
}

const char *name_sslv2_cipher(uint32_t kind)
{
    static const struct {
        uint32_t kind;
        const char *name;
    } kinds[] = {
        {.kind = 0x010080, .name = "SSL_CK_RC4_128_WITH_MD5"},
        {.kind = 0x020080, .name = "SSL_CK_RC4_128_EXPORT40_WITH_MD5"},
        {.kind = 0x030080, .name = "SSL_CK_RC2_128_CBC_WITH_MD5"},
        {.kind = 0x040080, .name = "SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5"},
        {.kind = 0x050080, .name = "SSL_CK_IDEA_128_CBC_WITH_MD5"},
        {.kind = 0x060040, .name = "SSL_CK_DES_64_CBC_WITH_MD5"},
        {.kind = 0x0700c0, .name = "SSL_CK_DES_192_EDE3_CBC_WITH_MD5"},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (kinds[i].kind == kind)
            return kinds[i].name;
    return NULL;
}
