/* cert_cache.c: decoded certificates by their bytes, for one run. A capture
 * repeats the same few certificates in every handshake, and decoding one with
 * OpenSSL 3 costs over a million instructions (its decoder set-up), so each
 * distinct certificate is decoded once. The run owns the cache (no process
 * state); single-threaded: --jobs forks. Bounded: a fixed number of slots, a
 * new certificate replaces the old one in its slot. */
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include "util/hash.h"
#include "x509/cert.h"

#define CERT_CACHE_SLOTS 1024

struct cache_slot {
    uint64_t hash;
    size_t len;
    uint8_t *der;
    X509 *x;
    struct cert_info *info;    /* the facts, once made (self-signed needs a signature check) */
};

struct cert_cache {
    struct cache_slot slot[CERT_CACHE_SLOTS];
    struct cert_cache_counts counts;
};

struct cert_cache *cert_cache_new(void)
{
    return calloc(1, sizeof(struct cert_cache));
}

void cert_cache_free(struct cert_cache *cache)
{
    if (cache == NULL)
        return;
    for (size_t i = 0; i < CERT_CACHE_SLOTS; i++) {
        X509_free(cache->slot[i].x);
        free(cache->slot[i].der);
        free(cache->slot[i].info);
    }
    free(cache);
}

struct cert_cache_counts cert_cache_counts(const struct cert_cache *cache)
{
    return cache != NULL ? cache->counts : (struct cert_cache_counts){.decoded = 0};
}

static struct cache_slot *find(struct cert_cache *cache, const uint8_t *der, size_t len)
{
    if (cache == NULL)
        return NULL;
    /* a slot from the DER bytes, eight at a time (a byte-at-a-time FNV-1a
     * over every certificate of every handshake was 6% of a --json run); a
     * collision costs only a memcmp and a decode */
    uint64_t h = hash_bytes(der, len);
    struct cache_slot *s = &cache->slot[h % CERT_CACHE_SLOTS];
    if (s->x == NULL || s->hash != h || s->len != len || memcmp(s->der, der, len) != 0)
        return NULL;
    return s;
}

struct x509_st *cert_cache_get(struct cert_cache *cache, const uint8_t *der, size_t len)
{
    struct cache_slot *s = find(cache, der, len);
    if (s == NULL || X509_up_ref(s->x) != 1)
        return NULL;
    cache->counts.reused++;
    return s->x;
}

bool cert_cache_get_facts(struct cert_cache *cache, const uint8_t *der, size_t len,
                          struct cert_info *out)
{
    struct cache_slot *s = find(cache, der, len);
    if (s == NULL || s->info == NULL)
        return false;
    *out = *s->info;
    return true;
}

void cert_cache_put_facts(struct cert_cache *cache, const uint8_t *der, size_t len,
                          const struct cert_info *info)
{
    struct cache_slot *s = find(cache, der, len);
    if (s == NULL)
        return;
    if (s->info == NULL)
        s->info = malloc(sizeof *s->info);
    if (s->info != NULL)
        *s->info = *info;
}

void cert_cache_put(struct cert_cache *cache, const uint8_t *der, size_t len,
                    struct x509_st *x)
{
    if (cache == NULL)
        return;
    cache->counts.decoded++;
    uint64_t h = hash_bytes(der, len);
    struct cache_slot *s = &cache->slot[h % CERT_CACHE_SLOTS];
    uint8_t *copy = malloc(len);
    if (copy == NULL || X509_up_ref(x) != 1) {
        free(copy);
        return;
    }
    X509_free(s->x);
    free(s->der);
    free(s->info);
    s->info = NULL;
    memcpy(copy, der, len);
    s->hash = h;
    s->len = len;
    s->der = copy;
    s->x = x;
}
