/* escape.c: escaping of untrusted strings for JSON, terminals and HTML. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include "util/escape.h"

/* Length of a valid UTF-8 sequence at s (RFC 3629), 0 if invalid. Control
 * characters are never valid here: C1 controls (U+0080..U+009F) included. */
static size_t utf8_seq(const unsigned char *s, size_t left)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t cp;
    if (c >= 0x20 && c < 0x7f)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n > left)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f))
        return 0;
    /* bidirectional overrides can make a name read as another */
    if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
        return 0;
    return n;
}

/* Bytes that pass into a JSON string as they are: printable ASCII but the
 * quote and the backslash (RFC 8259 7). */
static bool json_plain(unsigned char c)
{
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

void json_string(FILE *f, const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    fputc('"', f);
    for (size_t i = 0; i < len;) {
        /* a run of plain bytes (nearly every name) in one write, not a
         * call per byte */
        size_t run = i;
        while (run < len && json_plain(s[run]))
            run++;
        if (run > i) {
            fwrite(s + i, 1, run - i, f);
            i = run;
            continue;
        }
        size_t n = utf8_seq(s + i, len - i);
        if (n > 1) {
            fwrite(s + i, 1, n, f);
        } else if (s[i] == '"' || s[i] == '\\') {
            fputc('\\', f);
            fputc(s[i], f);
            n = 1;
        } else {
            /* control or invalid byte: kept visible as its code, never raw */
            static const char hex[] = "0123456789abcdef";
            char u[6] = {'\\', 'u', '0', '0', hex[s[i] >> 4], hex[s[i] & 15]};
            fwrite(u, 1, sizeof u, f);
            n = 1;
        }
        i += n;
    }
    fputc('"', f);
}

void text_safe(FILE *f, const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_seq(s + i, len - i);
        if (n >= 1) {
            fwrite(s + i, 1, n, f);
            i += n;
        } else {
            fprintf(f, "\\x%02x", s[i]);
            i++;
        }
    }
}

void text_safe_buf(char *out, size_t outlen, const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t o = 0;
    if (outlen == 0)
        return;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_seq(s + i, len - i);
        if (n >= 1) {
            if (o + n >= outlen)
                break;
            for (size_t k = 0; k < n; k++)
                out[o++] = (char)s[i + k];
            i += n;
        } else {
            if (o + 4 >= outlen)
                break;
            static const char hex[] = "0123456789abcdef";
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[s[i] >> 4];
            out[o++] = hex[s[i] & 15];
            i++;
        }
    }
    out[o] = '\0';
}

/* HTML text and attribute values: the bytes made safe as for a terminal
 * (text_safe_buf), then the five characters HTML gives meaning to. */
void html_esc_n(FILE *f, const char *s, size_t len)
{
    char small[1024];
    size_t need = len * 4 + 1; /* text_safe_buf turns one byte into at most 4 */
    char *buf = need <= sizeof small ? small : malloc(need);
    if (buf == NULL) {
        fputs("(out of memory)", f);
        return;
    }
    text_safe_buf(buf, need, s, len);
    for (const char *p = buf; *p; p++) {
        switch (*p) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*p, f); break;
        }
    }
    if (buf != small)
        free(buf);
}

void html_esc(FILE *f, const char *s)
{
    if (s != NULL)
        html_esc_n(f, s, strlen(s));
}
