/* base64.h: RFC 4648 section 4 base64, to carry bytes inside JSON strings. */
#ifndef TLSX_BASE64_H
#define TLSX_BASE64_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "util/capbuf.h"
#include "util/status.h"

/* Writes the base64 of p to f, without quotes or line breaks. */
void base64_write(FILE *f, const uint8_t *p, size_t n);
/* Appends the bytes of s (padded base64, nothing else) to out;
 * ST_MALFORMED for any other character or length. */
MUST_USE enum status base64_decode(const char *s, size_t len, struct capbuf *out);

#endif
