/* first_data.c: the first decrypted application data of a side, as every
 * reporter but JSON (which gives the bytes) shows it: one line a person can
 * read. The bytes are the capture's: escaped, and never longer than
 * REPORT_FIRST_DATA_TEXT characters and "...". */
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
    /* binary data escapes to four characters a byte: a line of at most
     * REPORT_FIRST_DATA_TEXT, cut between escapes */
    char all[sizeof sf->app_plain * 4 + 1];
    size_t room = len - 3 < REPORT_FIRST_DATA_TEXT + 1 ? len - 3 : REPORT_FIRST_DATA_TEXT + 1;
    text_safe_buf(all, sizeof all, p, n);
    text_safe_buf(out, room, p, n);
    if (more || strlen(out) < strlen(all))
        memcpy(out + strlen(out), "...", 4); /* the 3 bytes kept free, and the NUL */
    return true;
}
