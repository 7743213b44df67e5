/* crypto_stream.c: CRYPTO frame reassembly into one capped buffer. */
#include <stdlib.h>
#include <string.h>
#include "quic/crypto_stream.h"

/* Moves ranges that now touch the contiguous prefix into it. */
static void advance(struct quic_crypto *s)
{
    bool moved = true;
    while (moved) {
        moved = false;
        for (unsigned i = 0; i < s->n_ranges; i++) {
            if (s->ranges[i].start > s->contiguous)
                continue;
            if (s->ranges[i].end > s->contiguous)
                s->contiguous = s->ranges[i].end;
            s->ranges[i] = s->ranges[--s->n_ranges];
            moved = true;
            break;
        }
    }
}

/* Records [start, end) beyond the contiguous prefix, merging overlaps. */
static enum status add_range(struct quic_crypto *s, uint64_t start, uint64_t end)
{
    for (unsigned i = 0; i < s->n_ranges; i++) {
        if (start > s->ranges[i].end || end < s->ranges[i].start)
            continue;
        /* overlapping or touching: absorb it and start over with the union */
        if (s->ranges[i].start < start)
            start = s->ranges[i].start;
        if (s->ranges[i].end > end)
            end = s->ranges[i].end;
        s->ranges[i] = s->ranges[--s->n_ranges];
        i = (unsigned)-1;
    }
    ENSURE(s->n_ranges < QUIC_CRYPTO_RANGES, ST_LIMIT);
    s->ranges[s->n_ranges].start = start;
    s->ranges[s->n_ranges].end = end;
    s->n_ranges++;
    return ST_OK;
}

enum status quic_crypto_add(struct quic_crypto *s, uint64_t offset, struct slice data)
{
    /* RFC 9000 19.6: offset + length must stay below 2^62 */
    if (offset >= QUIC_CRYPTO_MAX || data.len > QUIC_CRYPTO_MAX) {
        s->overflow = true;
        return data.len == 0 || offset < ((uint64_t)1 << 62) ? ST_OK : ST_LIMIT;
    }
    uint64_t end = offset + data.len;
    if (data.len == 0 || end <= s->contiguous)
        return ST_OK;  /* nothing new: a retransmission */
    if (end < offset) {
        s->overflow = true;
        return ST_LIMIT;
    }
    size_t n = data.len;
    if (end > QUIC_CRYPTO_MAX) {
        s->overflow = true;
        n = (size_t)(QUIC_CRYPTO_MAX - offset);
        end = QUIC_CRYPTO_MAX;
    }
    if (s->buf == NULL) {
        if (s->budget != NULL && *s->budget < QUIC_CRYPTO_MAX) {
            s->overflow = true;
            return ST_OK;
        }
        s->buf = malloc(QUIC_CRYPTO_MAX);
        ENSURE(s->buf != NULL, ST_NOMEM);
        if (s->budget != NULL)
            *s->budget -= QUIC_CRYPTO_MAX;
    }
    /* bytes below `contiguous` were delivered already: keep them as they were */
    size_t skip = offset < s->contiguous ? (size_t)(s->contiguous - offset) : 0;
    memcpy(s->buf + offset + skip, data.ptr + skip, n - skip);
    enum status st = add_range(s, offset + skip, end);
    if (st != ST_OK) {
        s->overflow = true;
        return st;
    }
    advance(s);
    return ST_OK;
}

struct cursor quic_crypto_ready(const struct quic_crypto *s)
{
    if (s->buf == NULL)
        return cur_make(NULL, 0);
    return cur_make(s->buf + s->consumed, (size_t)(s->contiguous - s->consumed));
}

void quic_crypto_consume(struct quic_crypto *s, size_t n)
{
    if (n > s->contiguous - s->consumed)
        n = (size_t)(s->contiguous - s->consumed);
    s->consumed += n;
}

static void release(struct quic_crypto *s)
{
    if (s->buf != NULL && s->budget != NULL)
        *s->budget += QUIC_CRYPTO_MAX;
    free(s->buf);
    s->buf = NULL;
}

void quic_crypto_release_idle(struct quic_crypto *s)
{
    if (s->buf != NULL && s->consumed == s->contiguous && s->n_ranges == 0)
        release(s);
}

void quic_crypto_free(struct quic_crypto *s)
{
    size_t *budget = s->budget;
    release(s);
    memset(s, 0, sizeof *s);
    s->budget = budget;
}
