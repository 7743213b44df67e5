/* left_out.h: the connections past --max-connections, each counted once.
 * Every packet of a connection left out arrives here, so the count keeps its
 * address and port pair and the client's initial sequence number (a port
 * reused for a new connection is a new connection): 32 bytes each at most,
 * not the 7 KB a tracked connection costs, which the cap is there to avoid. */
#ifndef TLSX_LEFT_OUT_H
#define TLSX_LEFT_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "util/status.h"

struct left_out_entry {
    uint64_t endpoints; /* a hash of both ends, the same in either direction */
    uint32_t syn_seq;   /* the client's SYN, when one was seen */
    bool used, has_syn;
};

struct left_out {
    struct left_out_entry *slots; /* open addressing, at most half full */
    size_t n_slots;               /* a power of two, or 0 before the first */
    size_t n_entries;
    uint64_t connections;         /* the count the reports give */
};

/* 4M slots of 16 bytes, 64 MiB: exact up to 2M connections left out. */
#define LEFT_OUT_MAX_SLOTS ((size_t)1 << 22)

/* One packet of a connection left out: counted when its endpoints are new, or
 * when a client's SYN (syn) with another sequence number reuses them. When
 * the table is full (or cannot grow), a client's SYN on endpoints it does not
 * hold is counted, a retransmitted one too: the count may then be high, never
 * low. */
void left_out_packet(struct left_out *l, uint64_t endpoints, bool syn, uint32_t seq);
void left_out_free(struct left_out *l);

#endif
