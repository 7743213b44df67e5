/* status.c: names for the status enum, for messages. */
#include "util/status.h"

const char *status_name(enum status st)
{
    switch (st) {
    case ST_OK: return "ok";
    case ST_TRUNCATED: return "truncated";
    case ST_MALFORMED: return "malformed";
    case ST_LIMIT: return "limit reached";
    case ST_NOMEM: return "out of memory";
    case ST_IO: return "read error";
    case ST_UNSUPPORTED: return "unsupported";
    }
    return "unknown";
}
