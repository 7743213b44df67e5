/* base64.c: RFC 4648 section 4 (see base64.h). Decoding is strict: only
 * the alphabet, padding only at the end, so one text has one meaning. */
#include <stdbool.h>
#include "util/base64.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void base64_write(FILE *f, const uint8_t *p, size_t n)
{
    char quad[4];
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        quad[0] = alphabet[(v >> 18) & 63];
        quad[1] = alphabet[(v >> 12) & 63];
        quad[2] = i + 1 < n ? alphabet[(v >> 6) & 63] : '=';
        quad[3] = i + 2 < n ? alphabet[v & 63] : '=';
        fwrite(quad, 1, sizeof quad, f);
    }
}

static int sextet(char ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    if (ch == '+')
        return 62;
    if (ch == '/')
        return 63;
    return -1;
}

enum status base64_decode(const char *s, size_t len, struct capbuf *out)
{
    ENSURE(len % 4 == 0, ST_MALFORMED);
    for (size_t i = 0; i < len; i += 4) {
        bool last = i + 4 == len;
        int v[4];
        size_t pad = 0;
        for (size_t k = 0; k < 4; k++) {
            v[k] = sextet(s[i + k]);
            if (v[k] < 0) {
                /* '=' only in the last quad's last two places */
                ENSURE(last && s[i + k] == '=' && k >= 2, ST_MALFORMED);
                v[k] = 0;
                pad++;
            } else {
                ENSURE(pad == 0, ST_MALFORMED);
            }
        }
        uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 |
                     (uint32_t)v[3];
        uint8_t b[3] = {(uint8_t)(w >> 16), (uint8_t)(w >> 8), (uint8_t)w};
        TRY(capbuf_append(out, b, 3 - pad));
    }
    return ST_OK;
}
