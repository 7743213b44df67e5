/* endpoints_hash.h: one hash of a connection's two endpoints, the same in
 * either direction, for the tables that find a connection from a packet. */
#ifndef TLSX_ENDPOINTS_HASH_H
#define TLSX_ENDPOINTS_HASH_H

#include <stddef.h>
#include <stdint.h>
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

#endif
