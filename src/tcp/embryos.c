/* embryos.c: one-SYN connections in blocks, chained by their endpoints'
 * hash (embryos.h). */
#include <stdlib.h>
#include <string.h>
#include "tcp/embryos.h"
#include "tcp/endpoints.h"

static uint64_t hash_of(const struct embryo *x)
{
    struct addr s = endpoints_addr(x->src, x->family), d = endpoints_addr(x->dst, x->family);
    return endpoints_hash(&s, x->sport, &d, x->dport);
}

static size_t bucket_of(const struct embryos *e, uint64_t h)
{
    return (size_t)h & (e->n_buckets - 1);
}

/* Its bit in its bucket's bloom: from the hash's top bits, which do not
 * pick the bucket. */
static uint8_t bloom_bit(uint64_t h)
{
    return (uint8_t)(1u << (h >> 61));
}

struct embryo *embryos_at(const struct embryos *e, size_t i)
{
    struct embryo *b = e->blocks[i >> EMBRYO_BLOCK_SHIFT];
    return b != NULL ? &b[i & (EMBRYO_BLOCK - 1)] : NULL;
}

static enum status grow(struct embryos *e)
{
    size_t n = e->n_buckets ? e->n_buckets * 2 : 4096;
    uint32_t *nb = calloc(n, sizeof *nb);
    uint8_t *bloom = calloc(n, 1);
    if (nb == NULL || bloom == NULL) {
        free(nb);
        free(bloom);
        return ST_NOMEM;
    }
    free(e->buckets);
    free(e->bloom);
    e->buckets = nb;
    e->bloom = bloom;
    e->n_buckets = n;
    for (size_t i = 0; i < e->n; i++) {
        struct embryo *x = embryos_at(e, i);
        if (x == NULL || x->id == 0)
            continue;
        uint64_t h = hash_of(x);
        size_t k = bucket_of(e, h);
        x->next = nb[k];
        nb[k] = (uint32_t)(i + 1);
        bloom[k] |= bloom_bit(h);
    }
    return ST_OK;
}

enum status embryos_add(struct embryos *e, const struct packet *p, uint32_t id)
{
    ENSURE(e->n < UINT32_MAX - 1 && id != 0, ST_LIMIT);
    ENSURE(e->buckets != NULL || e->n == 0, ST_LIMIT); /* not after embryos_close_index */
    if (e->live >= e->n_buckets)
        TRY(grow(e));
    size_t blk = e->n >> EMBRYO_BLOCK_SHIFT;
    if (blk == e->n_blocks) {
        struct embryo **grown = realloc(e->blocks, (blk + 1) * sizeof *grown);
        ENSURE(grown != NULL, ST_NOMEM);
        e->blocks = grown;
        uint32_t *live = realloc(e->block_live, (blk + 1) * sizeof *live);
        ENSURE(live != NULL, ST_NOMEM);
        e->block_live = live;
        e->blocks[blk] = malloc(EMBRYO_BLOCK * sizeof **e->blocks);
        ENSURE(e->blocks[blk] != NULL, ST_NOMEM);
        e->block_live[blk] = 0;
        e->n_blocks = blk + 1;
    }
    struct embryo *x = &e->blocks[blk][e->n & (EMBRYO_BLOCK - 1)];
    *x = (struct embryo){.frame = p->frame, .sec = p->ts.sec, .nsec = p->ts.nsec,
                         .seq = p->seq, .id = id, .sport = p->sport, .dport = p->dport,
                         .family = p->src.family, .flags = p->flags, .ttl = p->ttl,
                         .cut = p->cut};
    memcpy(x->src, p->src.bytes, endpoints_addr_len(x->family));
    memcpy(x->dst, p->dst.bytes, endpoints_addr_len(x->family));
    uint64_t h = hash_of(x);
    size_t k = bucket_of(e, h);
    x->next = e->buckets[k];
    e->buckets[k] = (uint32_t)(e->n + 1);
    e->bloom[k] |= bloom_bit(h);
    e->n++;
    e->live++;
    e->block_live[blk]++;
    return ST_OK;
}

/* Does x hold p's endpoints, in either direction? */
static bool holds(const struct embryo *x, const struct packet *p)
{
    return endpoints_match(p, x->family, x->src, x->sport, x->dst, x->dport);
}

void embryos_close_index(struct embryos *e)
{
    free(e->buckets);
    free(e->bloom);
    e->buckets = NULL;
    e->bloom = NULL;
    e->n_buckets = 0;
}

size_t embryos_find(const struct embryos *e, const struct packet *p)
{
    if (e->live == 0 || e->buckets == NULL)
        return 0;
    uint64_t h = endpoints_hash(&p->src, p->sport, &p->dst, p->dport);
    size_t k = bucket_of(e, h);
    if ((e->bloom[k] & bloom_bit(h)) == 0)
        return 0;
    for (uint32_t i = e->buckets[k]; i != 0;) {
        struct embryo *x = embryos_at(e, i - 1);
        if (holds(x, p))
            return i;
        i = x->next;
    }
    return 0;
}

size_t embryos_oldest(struct embryos *e)
{
    while (e->oldest < e->n) {
        struct embryo *x = embryos_at(e, e->oldest);
        if (x == NULL) /* a block freed: all in it hatched */
            e->oldest = ((e->oldest >> EMBRYO_BLOCK_SHIFT) + 1) << EMBRYO_BLOCK_SHIFT;
        else if (x->id == 0)
            e->oldest++;
        else
            return e->oldest;
    }
    e->oldest = e->n;
    return e->n;
}

uint32_t embryos_hatch(struct embryos *e, size_t i, struct packet *syn)
{
    struct embryo *x = i < e->n ? embryos_at(e, i) : NULL;
    uint32_t id = x != NULL ? x->id : 0;
    if (id == 0)
        return 0;
    *syn = (struct packet){.frame = x->frame,
                           .ts = {.sec = x->sec, .nsec = x->nsec},
                           .src = endpoints_addr(x->src, x->family),
                           .dst = endpoints_addr(x->dst, x->family),
                           .sport = x->sport,
                           .dport = x->dport,
                           .flags = x->flags,
                           .seq = x->seq,
                           .ttl = x->ttl,
                           .cut = x->cut};
    /* out of its chain: find what points at it; the bloom is made again
     * from those left (chains are short: the table grows at one a bucket) */
    if (e->buckets != NULL) {
        size_t k = bucket_of(e, hash_of(x));
        uint32_t *at = &e->buckets[k];
        while (*at != 0 && embryos_at(e, *at - 1) != x)
            at = &embryos_at(e, *at - 1)->next;
        if (*at != 0)
            *at = x->next;
        uint8_t bloom = 0;
        for (uint32_t j = e->buckets[k]; j != 0; j = embryos_at(e, j - 1)->next)
            bloom |= bloom_bit(hash_of(embryos_at(e, j - 1)));
        e->bloom[k] = bloom;
    }
    x->id = 0;
    x->next = 0;
    e->live--;
    size_t blk = i >> EMBRYO_BLOCK_SHIFT;
    if (--e->block_live[blk] == 0 && (blk + 1) << EMBRYO_BLOCK_SHIFT <= e->n)
        embryos_drop_block(e, i); /* full, and every one in it hatched */
    return id;
}

void embryos_drop_block(struct embryos *e, size_t i)
{
    size_t blk = i >> EMBRYO_BLOCK_SHIFT;
    if (blk < e->n_blocks) {
        free(e->blocks[blk]);
        e->blocks[blk] = NULL;
    }
}

void embryos_free(struct embryos *e)
{
    for (size_t b = 0; b < e->n_blocks; b++)
        free(e->blocks[b]);
    free(e->blocks);
    free(e->block_live);
    free(e->buckets);
    free(e->bloom);
    memset(e, 0, sizeof *e);
}
