/* tstamp.h: capture time (seconds and nanoseconds since the epoch, UTC), and
 * what the rules and reporters need of it: differences and ISO 8601 text.
 * Times are always the capture's, never the wall clock's. */
#ifndef TLSX_TSTAMP_H
#define TLSX_TSTAMP_H

#include <stdint.h>
#include "util/names.h"

struct tstamp {
    int64_t sec;
    uint32_t nsec;
};

/* Milliseconds from a to b (negative when b is earlier). */
static inline double tstamp_ms_between(struct tstamp a, struct tstamp b)
{
    return (double)(b.sec - a.sec) * 1000.0 + ((double)b.nsec - (double)a.nsec) / 1e6;
}

/* "2015-10-01T12:00:00.123456Z", or "?" for a time gmtime cannot take. */
struct value_name tstamp_iso(struct tstamp ts);

#endif
