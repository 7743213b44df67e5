/* fuzz_reassembly.c: a sequence of synthetic TCP segments and ACKs through
 * one direction's reassembly, with a sink that checks what comes out.
 *
 * Every segment carries the "true" byte for each sequence number it covers
 * (a fixed function of the number), so whatever order, overlap, duplicate or
 * wrap the input makes, the sink can check each delivered byte against the
 * stream offset it is delivered at, and that offsets only move forward:
 * data and gaps together tile the stream from offset 0 without overlap.
 *
 * Input: syn(1) isn(4), then records of 8 bytes: op(1) seq(4) len(2) cut(1)
 *   op bits 0-1  0 segment at seq; 1 segment at the previous segment's end
 *                plus (int32)seq; 2 ACK of seq; 3 ACK of the highest end
 *                seen plus (int32)seq
 *   op bit 2     len counts 256-byte units (large wire lengths)
 *   cut          the snap length kept (256 - cut)/256 of the bytes
 * syn bit 0: the stream starts at a SYN with that isn, else at the first
 * segment. Big-endian numbers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "tcp/reassembly.h"

#define MAX_RECORDS 1024
#define MAX_CAPTURED 8192

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct checker {
    const struct reasm *r;
    uint64_t pos;        /* stream offset the next callback must start at */
    uint64_t last_frame; /* highest frame handed to reassembly so far */
};

static uint8_t byte_at(uint32_t seq)
{
    return (uint8_t)((seq * 2654435761u) >> 24);
}

static void check(bool ok)
{
    if (!ok)
        abort();
}

static void on_data(void *ctx, int dir, const uint8_t *p, size_t n, uint64_t frame,
                    struct tstamp ts)
{
    struct checker *k = ctx;
    (void)ts;
    check(dir == 1 && n > 0 && frame >= 1 && frame <= k->last_frame);
    check(k->pos == k->r->next);
    for (size_t i = 0; i < n; i++)
        check(p[i] == byte_at((uint32_t)(k->r->base_seq + k->pos + i)));
    k->pos += n;
}

static void on_gap(void *ctx, int dir, uint64_t missing, uint64_t frame)
{
    struct checker *k = ctx;
    check(dir == 1 && missing > 0 && frame <= k->last_frame);
    check(k->pos == k->r->next);
    k->pos += missing;
}

static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void check_state(const struct checker *k)
{
    const struct reasm *r = k->r;
    check(k->pos == r->next);
    check(r->n_pending <= REASM_MAX_PENDING_SEGS);
    check(r->pending_bytes <= REASM_MAX_PENDING_BYTES);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t buf[MAX_CAPTURED];
    struct reasm r;
    struct checker k = {&r, 0, 0};
    struct reasm_sink sink = {on_data, on_gap, &k, 1};
    struct tstamp ts = {0, 0};
    uint32_t prev_end = 0, high_end = 0;
    bool have_prev = false;

    if (size < 5)
        return 0;
    memset(&r, 0, sizeof r);
    if (data[0] & 1)
        reasm_start_syn(&r, be32(data + 1));
    data += 5;
    size -= 5;
    for (size_t i = 0; i + 8 <= size && i / 8 < MAX_RECORDS; i += 8) {
        const uint8_t *rec = data + i;
        uint8_t op = rec[0];
        uint32_t field = be32(rec + 1);
        uint32_t len = (uint32_t)((rec[5] << 8) | rec[6]);
        uint8_t cut = rec[7];
        uint64_t frame = ++k.last_frame;
        switch (op & 3) {
        case 0:
        case 1: {
            uint32_t seq = (op & 3) == 0 || !have_prev ? field : prev_end + field;
            uint32_t wire = (op & 4) ? len << 8 : len;
            uint64_t captured = (uint64_t)wire * (256u - cut) / 256u;
            if (captured > MAX_CAPTURED)
                captured = MAX_CAPTURED;
            for (uint32_t j = 0; j < captured; j++)
                buf[j] = byte_at(seq + j);
            if (reasm_segment(&r, seq, buf, (size_t)captured, wire, frame, ts, &sink) != ST_OK)
                break;
            prev_end = seq + wire;
            have_prev = true;
            if ((int32_t)(prev_end - high_end) > 0 || high_end == 0)
                high_end = prev_end;
            break;
        }
        case 2:
        case 3: {
            uint32_t ack = (op & 3) == 2 ? field : high_end + field;
            if (reasm_acked(&r, ack, frame, &sink) != ST_OK)
                break;
            break;
        }
        default:
            break;
        }
        check_state(&k);
        ts.nsec++;
    }
    reasm_flush(&r, k.last_frame, &sink);
    check_state(&k);
    check(r.pending == NULL && r.n_pending == 0 && r.pending_bytes == 0);
    reasm_free(&r);
    return 0;
}
