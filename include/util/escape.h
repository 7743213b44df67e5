/* escape.h: JSON string escaping. Capture bytes (SNI, ALPN, certificate
 * names) reach the output only through these, so they can neither break the
 * JSON nor carry terminal escape sequences. */
#ifndef TLSX_JSON_OUT_H
#define TLSX_JSON_OUT_H

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

#endif
