/* reassembly.c: per-direction TCP stream reassembly (see reassembly.h). */
#include <stdlib.h>
#include <string.h>
#include "tcp/reassembly.h"

struct reasm_seg {
    struct reasm_seg *next;
    uint64_t off;
    uint32_t wire_len;   /* bytes the segment covers in sequence space */
    uint32_t len;        /* bytes captured, <= wire_len */
    uint64_t frame;
    struct tstamp ts;
    uint8_t data[];
};

void reasm_start_syn(struct reasm *r, uint32_t isn)
{
    if (r->started)
        return;
    r->started = true;
    r->base_seq = isn + 1;
    r->next = 0;
}

void reasm_rebase(struct reasm *r, uint32_t isn)
{
    if (r->started && r->next == 0 && r->pending == NULL)
        r->base_seq = isn + 1;
}

/* Unwraps a 32-bit sequence number to the 64-bit offset nearest `next`. */
static int64_t seq_to_off(const struct reasm *r, uint32_t seq)
{
    uint32_t rel = seq - r->base_seq;
    int32_t delta = (int32_t)(rel - (uint32_t)r->next);
    return (int64_t)r->next + delta;
}

/* Hands over the part of [off, off+wire_len) at or after `next`: captured
 * bytes as data, a snap-length cut as a gap. */
static void deliver(struct reasm *r, uint64_t off, const uint8_t *p, uint32_t len,
                    uint32_t wire_len, uint64_t frame, struct tstamp ts,
                    const struct reasm_sink *sink)
{
    uint64_t end = off + wire_len;
    if (end <= r->next)
        return;
    uint64_t skip = r->next - off;
    if (skip < len) {
        sink->data(sink->ctx, sink->dir, p + skip, (size_t)(len - skip), frame, ts);
        r->next = off + len;
    }
    if (r->next < end) {
        sink->gap(sink->ctx, sink->dir, end - r->next, frame);
        r->next = end;
    }
}

static void drain(struct reasm *r, const struct reasm_sink *sink)
{
    while (r->pending != NULL && r->pending->off <= r->next) {
        struct reasm_seg *s = r->pending;
        r->pending = s->next;
        r->n_pending--;
        r->pending_bytes -= s->len;
        deliver(r, s->off, s->data, s->len, s->wire_len, s->frame, s->ts, sink);
        free(s);
    }
}

/* Declares the hole before the first waiting segment a gap and moves on. */
static void skip_to_pending(struct reasm *r, uint64_t frame, const struct reasm_sink *sink)
{
    if (r->pending == NULL)
        return;
    if (r->pending->off > r->next) {
        sink->gap(sink->ctx, sink->dir, r->pending->off - r->next,
                  frame ? frame : r->pending->frame);
        r->next = r->pending->off;
    }
    drain(r, sink);
}

static enum status hold(struct reasm *r, uint64_t off, const uint8_t *p, uint32_t len,
                        uint32_t wire_len, uint64_t frame, struct tstamp ts)
{
    struct reasm_seg **at = &r->pending;
    while (*at != NULL && (*at)->off < off)
        at = &(*at)->next;
    /* the same start again: keep whichever covers more */
    if (*at != NULL && (*at)->off == off && (*at)->wire_len >= wire_len) {
        r->retransmitted++;
        return ST_OK;
    }
    struct reasm_seg *s = malloc(sizeof *s + len);
    if (s == NULL)
        return ST_NOMEM;
    s->off = off;
    s->wire_len = wire_len;
    s->len = len;
    s->frame = frame;
    s->ts = ts;
    memcpy(s->data, p, len);
    if (*at != NULL && (*at)->off == off) {
        struct reasm_seg *old = *at;
        s->next = old->next;
        r->pending_bytes -= old->len;
        r->n_pending--;
        free(old);
    } else {
        s->next = *at;
    }
    *at = s;
    r->n_pending++;
    r->pending_bytes += len;
    r->out_of_order++;
    return ST_OK;
}

enum status reasm_segment(struct reasm *r, uint32_t seq, const uint8_t *p, size_t n,
                          uint32_t wire_len, uint64_t frame, struct tstamp ts,
                          const struct reasm_sink *sink)
{
    if (wire_len == 0)
        return ST_OK;
    if (n > wire_len)
        n = wire_len;
    if (!r->started) {
        /* the capture began mid-stream: this segment is where we start */
        r->started = true;
        r->base_seq = seq;
        r->next = 0;
    }
    int64_t off = seq_to_off(r, seq);
    if (off < 0) {
        /* starts before the stream we know: keep what lies at or after 0 */
        uint64_t before = (uint64_t)-off;
        if (before >= wire_len) {
            r->retransmitted++;
            return ST_OK;
        }
        size_t cut = before < n ? (size_t)before : n;
        p += cut;
        n -= cut;
        wire_len -= (uint32_t)before;
        off = 0;
    }
    uint64_t uoff = (uint64_t)off;
    if (uoff + wire_len <= r->next) {
        r->retransmitted++;
        return ST_OK;
    }
    if (uoff <= r->next) {
        if (uoff < r->next)
            r->overlaps++;
        deliver(r, uoff, p, (uint32_t)n, wire_len, frame, ts, sink);
        drain(r, sink);
        return ST_OK;
    }
    /* a hole before this segment: wait for it, within the caps */
    if (r->n_pending >= REASM_MAX_PENDING_SEGS ||
        r->pending_bytes + n > REASM_MAX_PENDING_BYTES) {
        r->forced_gaps++;
        skip_to_pending(r, frame, sink);
        if (uoff <= r->next) {
            deliver(r, uoff, p, (uint32_t)n, wire_len, frame, ts, sink);
            drain(r, sink);
            return ST_OK;
        }
        if (r->n_pending >= REASM_MAX_PENDING_SEGS ||
            r->pending_bytes + n > REASM_MAX_PENDING_BYTES) {
            sink->gap(sink->ctx, sink->dir, uoff - r->next, frame);
            r->next = uoff;
            deliver(r, uoff, p, (uint32_t)n, wire_len, frame, ts, sink);
            return ST_OK;
        }
    }
    return hold(r, uoff, p, (uint32_t)n, wire_len, frame, ts);
}

enum status reasm_acked(struct reasm *r, uint32_t ack, uint64_t frame,
                        const struct reasm_sink *sink)
{
    if (!r->started || r->pending == NULL)
        return ST_OK;
    int64_t acked = seq_to_off(r, ack);
    /* the receiver has bytes we never saw: the hole is the capture's */
    if (acked > (int64_t)r->next && (uint64_t)acked >= r->pending->off)
        skip_to_pending(r, frame, sink);
    return ST_OK;
}

void reasm_flush(struct reasm *r, uint64_t frame, const struct reasm_sink *sink)
{
    while (r->pending != NULL)
        skip_to_pending(r, frame, sink);
}

void reasm_free(struct reasm *r)
{
    struct reasm_seg *s = r->pending;
    while (s != NULL) {
        struct reasm_seg *next = s->next;
        free(s);
        s = next;
    }
    r->pending = NULL;
    r->n_pending = 0;
    r->pending_bytes = 0;
}
