/* tombs.c: endpoints of connections let go (tombs.h). Tombs are carved
 * from large blocks (no allocation each) and sized to their addresses. */
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>
#include "tcp/endpoints.h"
#include "tcp/tombs.h"

struct tomb {
    struct tomb *next;
    uint16_t aport, bport;
    uint8_t family;
    uint8_t addrs[];           /* a's address then b's, 4 or 16 bytes each */
};

#define TOMB_BLOCK_BYTES (64u * 1024u)

struct tomb_block {
    struct tomb_block *prev;
    alignas(max_align_t) uint8_t bytes[TOMB_BLOCK_BYTES];
};

static size_t tomb_size(uint8_t family)
{
    size_t n = offsetof(struct tomb, addrs) + 2 * endpoints_addr_len(family);
    return (n + alignof(struct tomb) - 1) / alignof(struct tomb) * alignof(struct tomb);
}

static size_t bucket_of(const struct tombs *t, const struct addr *a, uint16_t ap,
                        const struct addr *b, uint16_t bp)
{
    return (size_t)endpoints_hash(a, ap, b, bp) & (t->n_buckets - 1);
}

/* Does x hold the packet's endpoints, in either direction? */
static bool tomb_matches(const struct tomb *x, const struct packet *p)
{
    size_t n = endpoints_addr_len(x->family);
    return endpoints_match(p, x->family, x->addrs, x->aport, x->addrs + n, x->bport);
}

static enum status grow(struct tombs *t)
{
    size_t n = t->n_buckets ? t->n_buckets * 2 : 1024;
    struct tomb **nb = calloc(n, sizeof *nb);
    ENSURE(nb != NULL, ST_NOMEM);
    struct tombs grown = {.buckets = nb, .n_buckets = n};
    for (size_t i = 0; i < t->n_buckets; i++) {
        struct tomb *x = t->buckets[i];
        while (x != NULL) {
            struct tomb *next = x->next;
            size_t len = endpoints_addr_len(x->family);
            struct addr a = endpoints_addr(x->addrs, x->family);
            struct addr b = endpoints_addr(x->addrs + len, x->family);
            size_t k = bucket_of(&grown, &a, x->aport, &b, x->bport);
            x->next = nb[k];
            nb[k] = x;
            x = next;
        }
    }
    free(t->buckets);
    t->buckets = nb;
    t->n_buckets = n;
    return ST_OK;
}

static struct tomb *carve(struct tombs *t, size_t size)
{
    if (t->blocks == NULL || t->block_used + size > TOMB_BLOCK_BYTES) {
        struct tomb_block *b = malloc(sizeof *b);
        if (b == NULL)
            return NULL;
        b->prev = t->blocks;
        t->blocks = b;
        t->block_used = 0;
    }
    struct tomb *x = (struct tomb *)(void *)(t->blocks->bytes + t->block_used);
    t->block_used += size;
    return x;
}

enum status tombs_add(struct tombs *t, const struct addr *a, uint16_t aport,
                      const struct addr *b, uint16_t bport)
{
    if (t->n >= t->n_buckets)
        TRY(grow(t));
    struct tomb *x = carve(t, tomb_size(a->family));
    ENSURE(x != NULL, ST_NOMEM);
    size_t n = endpoints_addr_len(a->family);
    x->aport = aport;
    x->bport = bport;
    x->family = a->family;
    memcpy(x->addrs, a->bytes, n);
    memcpy(x->addrs + n, b->bytes, n);
    size_t k = bucket_of(t, a, aport, b, bport);
    x->next = t->buckets[k];
    t->buckets[k] = x;
    t->n++;
    return ST_OK;
}

bool tombs_find(const struct tombs *t, const struct packet *p)
{
    if (t->n == 0)
        return false;
    for (const struct tomb *x = t->buckets[bucket_of(t, &p->src, p->sport, &p->dst, p->dport)];
         x != NULL; x = x->next)
        if (tomb_matches(x, p))
            return true;
    return false;
}

void tombs_remove(struct tombs *t, const struct packet *p)
{
    if (t->n == 0)
        return;
    /* its bytes stay in the block until the table is freed: rare (a port
     * used again for a new connection) */
    struct tomb **at = &t->buckets[bucket_of(t, &p->src, p->sport, &p->dst, p->dport)];
    for (; *at != NULL; at = &(*at)->next)
        if (tomb_matches(*at, p)) {
            *at = (*at)->next;
            t->n--;
            return;
        }
}

void tombs_free(struct tombs *t)
{
    while (t->blocks != NULL) {
        struct tomb_block *prev = t->blocks->prev;
        free(t->blocks);
        t->blocks = prev;
    }
    free(t->buckets);
    memset(t, 0, sizeof *t);
}
