/* capbuf.h: a growable byte buffer with a hard cap (curl's dynbuf idea):
 * appending past the cap fails with ST_LIMIT instead of growing. */
#ifndef TLSX_CAPBUF_H
#define TLSX_CAPBUF_H

#include <stddef.h>
#include <stdint.h>
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
MUST_USE enum status capbuf_append(struct capbuf *b, const uint8_t *data, size_t n);
/* Drops the first n bytes. */
void capbuf_consume(struct capbuf *b, size_t n);
void capbuf_free(struct capbuf *b);

#endif
