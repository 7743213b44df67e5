/* capbuf.c: capped growable buffer (see capbuf.h). */
#include <stdlib.h>
#include <string.h>
#include "util/capbuf.h"

enum status capbuf_append_growing(struct capbuf *b, const uint8_t *data, size_t n)
{
    ENSURE(n <= b->max - b->len, ST_LIMIT);
    if (n > b->cap - b->len) {
        size_t want = b->cap ? b->cap : 256;
        while (want - b->len < n)
            want *= 2;
        if (want > b->max)
            want = b->max;
        uint8_t *grown = realloc(b->p, want);
        ENSURE(grown != NULL, ST_NOMEM);
        b->p = grown;
        b->cap = want;
    }
    if (n > 0)
        memcpy(b->p + b->len, data, n);
    b->len += n;
    return ST_OK;
}

void capbuf_consume(struct capbuf *b, size_t n)
{
    if (n >= b->len) {
        b->len = 0;
        return;
    }
    memmove(b->p, b->p + n, b->len - n);
    b->len -= n;
}

void capbuf_free(struct capbuf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}
