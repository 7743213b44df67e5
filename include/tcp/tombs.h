/* tombs.h: the connections the owner took and freed, by their endpoints.
 * A packet that comes after its connection was let go (the last ACK, a
 * reset answering a late segment) is told from the start of a new
 * connection without keeping the flow: 24 bytes for an IPv4 pair, 48 for
 * IPv6, plus a bucket, where a flow with its parser's state takes 1.2 KB. */
#ifndef TLSX_TOMBS_H
#define TLSX_TOMBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "capture/packet.h"
#include "util/status.h"

struct tomb;
struct tomb_block;

struct tombs {
    struct tomb **buckets;
    size_t n_buckets;          /* a power of two, or 0 before the first */
    size_t n;
    struct tomb_block *blocks; /* where the tombs live, freed together */
    size_t block_used;
};

MUST_USE enum status tombs_add(struct tombs *t, const struct addr *a, uint16_t aport,
                               const struct addr *b, uint16_t bport);
/* Is the packet's pair of endpoints (either direction) one let go? */
bool tombs_find(const struct tombs *t, const struct packet *p);
/* The pair starts a new connection: forget it. */
void tombs_remove(struct tombs *t, const struct packet *p);
void tombs_free(struct tombs *t);

#endif
