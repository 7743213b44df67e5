/* first_data.c: the first decrypted application data of a side, as every
 * reporter but JSON (which gives the bytes) shows it: one line a person can
 * read. The bytes are the capture's: escaped, and never longer than
 * REPORT_FIRST_DATA_MAX. */
#include <string.h>
#include "util/escape.h"
#include "report/report.h"

bool report_first_data(const struct conn *c, enum side s, char *out, size_t len)
{
    const struct side_facts *sf = &c->side[s];
    out[0] = '\0';
    if (sf->app_plain_frame == 0 || sf->app_plain_len == 0 || len < 8)
        return false;
    const char *p = (const char *)sf->app_plain;
    size_t n = sf->app_plain_len;
    /* its first line says most (a request or status line, a preface) */
    size_t line = 0;
    while (line < n && p[line] != '\r' && p[line] != '\n')
        line++;
    bool more = line == n && n == sizeof sf->app_plain; /* the bytes kept end mid-line */
    if (line > 0)
        n = line;
    text_safe_buf(out, len - 3, p, n);
    if (more)
        memcpy(out + strlen(out), "...", 4); /* the 3 bytes kept free, and the NUL */
    return true;
}
