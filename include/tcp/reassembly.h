/* reassembly.h: one direction of a TCP connection turned back into the byte
 * stream the sender wrote. Out-of-order segments wait in a capped list;
 * retransmissions and overlaps are trimmed; holes the capture missed are
 * reported as gaps, never papered over. Sequence numbers are unwrapped to
 * 64-bit offsets so 2^32 wrap is invisible to the consumer. */
#ifndef TLSX_REASSEMBLY_H
#define TLSX_REASSEMBLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "capture/packet.h"
#include "util/status.h"

#define REASM_MAX_PENDING_SEGS 256
#define REASM_MAX_PENDING_BYTES (256 * 1024)

struct reasm_sink {
    /* in-order bytes; frame is the segment that carried them */
    void (*data)(void *ctx, int dir, const uint8_t *p, size_t n, uint64_t frame,
                 struct tstamp ts);
    /* `missing` bytes were never captured; frame is the first one after */
    void (*gap)(void *ctx, int dir, uint64_t missing, uint64_t frame);
    void *ctx;
    int dir;
};

struct reasm_seg;

struct reasm {
    bool started;
    uint32_t base_seq;         /* sequence number of offset 0 */
    uint64_t next;             /* offset of the next byte to deliver */
    struct reasm_seg *pending; /* sorted by offset */
    uint32_t n_pending;
    size_t pending_bytes;
    uint64_t retransmitted;    /* segments that brought nothing new */
    uint64_t overlaps;         /* segments partly new */
    uint64_t out_of_order;     /* segments that had to wait */
    uint64_t forced_gaps;      /* gaps declared because a cap was reached */
};

/* Starts the stream at a SYN: data begins at isn + 1. */
void reasm_start_syn(struct reasm *r, uint32_t isn);
/* Another initial sequence number, while nothing has been delivered yet. */
void reasm_rebase(struct reasm *r, uint32_t isn);
/* Adds a segment carrying `wire_len` bytes of which `p[0..n)` were captured. */
MUST_USE enum status reasm_segment(struct reasm *r, uint32_t seq, const uint8_t *p, size_t n,
                                   uint32_t wire_len, uint64_t frame, struct tstamp ts,
                                   const struct reasm_sink *sink);
/* The peer acknowledged up to `ack`: bytes before it that never arrived are a gap. */
MUST_USE enum status reasm_acked(struct reasm *r, uint32_t ack, uint64_t frame,
                                 const struct reasm_sink *sink);
/* End of the stream: whatever waits is delivered, holes reported. */
void reasm_flush(struct reasm *r, uint64_t frame, const struct reasm_sink *sink);
void reasm_free(struct reasm *r);

#endif
