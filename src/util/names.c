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
