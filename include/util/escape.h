/* escape.h: escaping for every output: JSON strings, terminal text and HTML.
 * Capture bytes (SNI, ALPN, certificate names) reach the output only through
 * these, so they can neither break the JSON or the page nor carry terminal
 * escape sequences. */
#ifndef TLSX_ESCAPE_H
#define TLSX_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/* Writes "..." with every control byte and invalid UTF-8 byte escaped. */
void json_string(FILE *f, const char *s, size_t len);
static inline void json_cstr(FILE *f, const char *s);
/* For text output: printable ASCII and valid UTF-8 pass, anything else is \xHH. */
void text_safe(FILE *f, const char *s, size_t len);
/* Into a buffer, for text built before printing; always NUL-terminated. */
void text_safe_buf(char *out, size_t outlen, const char *s, size_t len);

#include <string.h>
static inline void json_cstr(FILE *f, const char *s)
{
    if (s == NULL)
        fputs("null", f);
    else
        json_string(f, s, strlen(s));
}

/* For the HTML page: text and attribute values, escaped. */
void html_esc_n(FILE *f, const char *s, size_t len);
void html_esc(FILE *f, const char *s);

#endif
