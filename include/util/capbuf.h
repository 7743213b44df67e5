/* capbuf.h: a growable byte buffer with a hard cap (curl's dynbuf idea):
 * appending past the cap fails with ST_LIMIT instead of growing. */
#ifndef TLSX_CAPBUF_H
#define TLSX_CAPBUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "util/status.h"

struct capbuf {
    uint8_t *p;
    size_t len, cap, max;
};

static inline void capbuf_init(struct capbuf *b, size_t max)
{
    b->p = NULL;
    b->len = b->cap = 0;
    b->max = max;
}
/* capbuf_append past the capacity: grows the buffer first. */
MUST_USE enum status capbuf_append_growing(struct capbuf *b, const uint8_t *data, size_t n);
/* Inline when the bytes fit: the facts writer appends a byte or two at a time. */
MUST_USE static inline enum status capbuf_append(struct capbuf *b, const uint8_t *data, size_t n)
{
    if (n == 0 || n > b->cap - b->len || n > b->max - b->len)
        return capbuf_append_growing(b, data, n);
    memcpy(b->p + b->len, data, n);
    b->len += n;
    return ST_OK;
}
/* Drops the first n bytes. */
void capbuf_consume(struct capbuf *b, size_t n);
void capbuf_free(struct capbuf *b);

#endif
