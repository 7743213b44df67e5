/* embryos.h: connections that have shown one client SYN and nothing else
 * (a scan, a SYN flood, a storm of retries after an outage). The SYN is
 * kept in 72 bytes, where a flow and its connection take 4 KB, until a
 * second packet of the pair comes: the flow table then makes it a
 * connection as if it had been one from the start (flow.c, hatch). */
#ifndef TLSX_EMBRYOS_H
#define TLSX_EMBRYOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "capture/packet.h"
#include "util/status.h"

struct embryo {
    uint8_t src[16], dst[16];  /* the SYN's addresses, 4 or 16 bytes used */
    uint64_t frame;
    int64_t sec;
    uint32_t nsec;
    uint32_t seq;
    uint32_t id;               /* its connection's id; 0 once hatched */
    uint32_t next;             /* the next in its bucket: index + 1, 0 for none */
    uint16_t sport, dport;
    uint8_t family, flags, ttl;
    bool cut;
};

/* 16384 a block: 1.1 MB, freed as soon as every one in it has hatched
 * (a block still being filled waits to be full) */
#define EMBRYO_BLOCK_SHIFT 14
#define EMBRYO_BLOCK ((size_t)1 << EMBRYO_BLOCK_SHIFT)

struct embryos {
    struct embryo **blocks;    /* in the order they came, which is id order */
    uint32_t *block_live;      /* per block: those in it not hatched yet */
    size_t n_blocks;
    size_t n;                  /* made, hatched ones included */
    size_t live;
    size_t oldest;             /* every one made before it has hatched */
    uint32_t *buckets;         /* index + 1 of a chain's first, 0 for none */
    /* per bucket, a bit (of 8, from the hash) for each embryo in its
     * chain: most lookups are of a pair that has none (every new SYN asks)
     * and end here, without reading the bucket or an embryo, each a cache
     * miss in a storm (perf: 96% of embryos_find was those two loads) */
    uint8_t *bloom;
    size_t n_buckets;          /* a power of two, or 0 */
};

/* The SYN p as connection id's embryo. */
MUST_USE enum status embryos_add(struct embryos *e, const struct packet *p, uint32_t id);
/* The index + 1 of the embryo of p's pair of endpoints (either direction),
 * or 0. */
size_t embryos_find(const struct embryos *e, const struct packet *p);
/* The index of the first made that has not hatched, or e->n. */
size_t embryos_oldest(struct embryos *e);
/* Takes the i-th out of the table and gives back its SYN; its id is
 * returned and cleared (0: it had hatched). */
uint32_t embryos_hatch(struct embryos *e, size_t i, struct packet *syn);
/* No more lookups: every embryo left is about to hatch in order (the end
 * of the capture), so the index is dropped and hatching skips it. */
void embryos_close_index(struct embryos *e);
/* The i-th made (0 <= i < e->n), hatched or not; NULL once its block is freed. */
struct embryo *embryos_at(const struct embryos *e, size_t i);
/* Frees the block of the i-th, every embryo in it hatched. */
void embryos_drop_block(struct embryos *e, size_t i);
void embryos_free(struct embryos *e);

#endif
