/* endpoints.h: a connection's two endpoints for the tables that find a
 * connection from a packet: one hash, the same in either direction, and
 * the compact form the small tables keep (tombs.c, embryos.c): an
 * address's 4 or 16 bytes only. */
#ifndef TLSX_ENDPOINTS_H
#define TLSX_ENDPOINTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "capture/packet.h"

static inline uint64_t endpoints_hash(const struct addr *x, uint16_t xp, const struct addr *y,
                                      uint16_t yp)
{
    /* symmetric: FNV-1a over each end, then combined */
    uint64_t h1 = 1469598103934665603ull, h2 = 1469598103934665603ull;
    size_t n = x->family == 4 ? 4 : 16;
    for (size_t i = 0; i < n; i++) {
        h1 = (h1 ^ x->bytes[i]) * 1099511628211ull;
        h2 = (h2 ^ y->bytes[i]) * 1099511628211ull;
    }
    h1 = (h1 ^ xp) * 1099511628211ull;
    h2 = (h2 ^ yp) * 1099511628211ull;
    return h1 ^ h2;
}

/* Bytes an address of the family takes in compact form. */
static inline size_t endpoints_addr_len(uint8_t family)
{
    return family == 4 ? 4 : 16;
}

/* The address kept in compact form, whole again. */
static inline struct addr endpoints_addr(const uint8_t *bytes, uint8_t family)
{
    struct addr a = {.family = family};
    memcpy(a.bytes, bytes, endpoints_addr_len(family));
    return a;
}

/* Does the packet go between a (port ap) and b (port bp), either way? a and
 * b are in compact form. */
static inline bool endpoints_match(const struct packet *p, uint8_t family, const uint8_t *a,
                                   uint16_t ap, const uint8_t *b, uint16_t bp)
{
    size_t n = endpoints_addr_len(family);
    if (p->src.family != family || p->dst.family != family)
        return false;
    if (p->sport == ap && p->dport == bp && memcmp(p->src.bytes, a, n) == 0 &&
        memcmp(p->dst.bytes, b, n) == 0)
        return true;
    return p->sport == bp && p->dport == ap && memcmp(p->src.bytes, b, n) == 0 &&
           memcmp(p->dst.bytes, a, n) == 0;
}

#endif
