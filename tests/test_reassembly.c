/* test_reassembly.c: out-of-order, overlap, duplicate, gaps, 2^32 wrap, caps. */
#include <string.h>
#include "tcp/reassembly.h"
#include "testlib.h"

struct got {
    uint8_t bytes[4096];
    size_t n;
    uint64_t gap_bytes;
    int gaps;
};

static void on_data(void *ctx, int dir, const uint8_t *p, size_t n, uint64_t frame,
                    struct tstamp ts)
{
    struct got *g = ctx;
    (void)dir, (void)frame, (void)ts;
    if (g->n + n <= sizeof g->bytes) {
        memcpy(g->bytes + g->n, p, n);
        g->n += n;
    }
}

static void on_gap(void *ctx, int dir, uint64_t missing, uint64_t frame)
{
    struct got *g = ctx;
    (void)dir, (void)frame;
    g->gaps++;
    g->gap_bytes += missing;
}

static const struct tstamp t0 = {0, 0};

/* Feeds "ABCDEFGHIJ" split as given, relative to isn. */
static enum status seg(struct reasm *r, struct reasm_sink *s, uint32_t isn, uint32_t off,
                       const char *data)
{
    size_t n = strlen(data);
    return reasm_segment(r, isn + 1 + off, (const uint8_t *)data, n, (uint32_t)n, 1, t0, s);
}

TEST(in_order_and_out_of_order)
{
    struct got g = {0};
    struct reasm_sink s = {on_data, on_gap, &g, 0};
    struct reasm r = {0};
    reasm_start_syn(&r, 1000);
    CHECK_EQ_INT(seg(&r, &s, 1000, 0, "ABC"), ST_OK);
    CHECK_EQ_INT(seg(&r, &s, 1000, 6, "GHI"), ST_OK); /* waits */
    CHECK_EQ_INT(g.n, 3);
    CHECK_EQ_INT(seg(&r, &s, 1000, 3, "DEF"), ST_OK); /* fills the hole */
    CHECK_EQ_INT(g.n, 9);
    CHECK(memcmp(g.bytes, "ABCDEFGHI", 9) == 0);
    CHECK_EQ_INT(g.gaps, 0);
    reasm_free(&r);
}

TEST(retransmission_and_overlap)
{
    struct got g = {0};
    struct reasm_sink s = {on_data, on_gap, &g, 0};
    struct reasm r = {0};
    reasm_start_syn(&r, 5);
    CHECK_EQ_INT(seg(&r, &s, 5, 0, "ABCD"), ST_OK);
    CHECK_EQ_INT(seg(&r, &s, 5, 0, "ABCD"), ST_OK);   /* duplicate */
    CHECK_EQ_INT(seg(&r, &s, 5, 2, "CDEFG"), ST_OK);  /* overlap: only EFG is new */
    CHECK_EQ_INT(g.n, 7);
    CHECK(memcmp(g.bytes, "ABCDEFG", 7) == 0);
    CHECK_EQ_INT(r.retransmitted, 1);
    CHECK_EQ_INT(r.overlaps, 1);
    reasm_free(&r);
}

TEST(wraps_at_2_32)
{
    struct got g = {0};
    struct reasm_sink s = {on_data, on_gap, &g, 0};
    struct reasm r = {0};
    uint32_t isn = 0xfffffffau; /* data starts 5 bytes before the wrap */
    reasm_start_syn(&r, isn);
    CHECK_EQ_INT(seg(&r, &s, isn, 0, "ABCDE"), ST_OK);
    CHECK_EQ_INT(seg(&r, &s, isn, 8, "IJ"), ST_OK); /* past the wrap, out of order */
    CHECK_EQ_INT(seg(&r, &s, isn, 5, "FGH"), ST_OK);
    CHECK_EQ_INT(g.n, 10);
    CHECK(memcmp(g.bytes, "ABCDEFGHIJ", 10) == 0);
    reasm_free(&r);
}

TEST(gap_reported_on_ack_and_flush)
{
    struct got g = {0};
    struct reasm_sink s = {on_data, on_gap, &g, 0};
    struct reasm r = {0};
    reasm_start_syn(&r, 0);
    CHECK_EQ_INT(seg(&r, &s, 0, 0, "AB"), ST_OK);
    CHECK_EQ_INT(seg(&r, &s, 0, 5, "FG"), ST_OK); /* CDE never captured */
    CHECK_EQ_INT(g.gaps, 0);
    /* the receiver acknowledges past the hole: the capture missed it */
    CHECK_EQ_INT(reasm_acked(&r, 0 + 1 + 7, 9, &s), ST_OK);
    CHECK_EQ_INT(g.gaps, 1);
    CHECK_EQ_INT(g.gap_bytes, 3);
    CHECK_EQ_INT(g.n, 4);
    CHECK_EQ_INT(seg(&r, &s, 0, 10, "KL"), ST_OK);
    reasm_flush(&r, 10, &s);
    CHECK_EQ_INT(g.gaps, 2);
    CHECK_EQ_INT(g.gap_bytes, 6);
    reasm_free(&r);
}

TEST(snaplen_cut_is_a_gap)
{
    struct got g = {0};
    struct reasm_sink s = {on_data, on_gap, &g, 0};
    struct reasm r = {0};
    reasm_start_syn(&r, 0);
    /* 10 bytes on the wire, 4 captured */
    CHECK_EQ_INT(reasm_segment(&r, 1, (const uint8_t *)"ABCD", 4, 10, 1, t0, &s), ST_OK);
    CHECK_EQ_INT(g.n, 4);
    CHECK_EQ_INT(g.gaps, 1);
    CHECK_EQ_INT(g.gap_bytes, 6);
    CHECK_EQ_INT(seg(&r, &s, 0, 10, "K"), ST_OK);
    CHECK_EQ_INT(g.n, 5);
    reasm_free(&r);
}

TEST(mid_stream_start)
{
    struct got g = {0};
    struct reasm_sink s = {on_data, on_gap, &g, 0};
    struct reasm r = {0};
    CHECK_EQ_INT(reasm_segment(&r, 777, (const uint8_t *)"XY", 2, 2, 1, t0, &s), ST_OK);
    CHECK_EQ_INT(reasm_segment(&r, 779, (const uint8_t *)"Z", 1, 1, 2, t0, &s), ST_OK);
    CHECK_EQ_INT(g.n, 3);
    /* bytes from before the first one seen are ignored */
    CHECK_EQ_INT(reasm_segment(&r, 770, (const uint8_t *)"old", 3, 3, 3, t0, &s), ST_OK);
    CHECK_EQ_INT(g.n, 3);
    reasm_free(&r);
}

TEST(pending_cap_forces_gap)
{
    struct got g = {0};
    struct reasm_sink s = {on_data, on_gap, &g, 0};
    struct reasm r = {0};
    reasm_start_syn(&r, 0);
    /* a hole at 0, then more waiting segments than the cap allows */
    for (uint32_t i = 0; i < REASM_MAX_PENDING_SEGS + 10; i++)
        CHECK_EQ_INT(seg(&r, &s, 0, 1 + 2 * i, "x"), ST_OK);
    CHECK(r.n_pending <= REASM_MAX_PENDING_SEGS);
    CHECK(g.gaps > 0);
    CHECK(r.forced_gaps > 0);
    reasm_flush(&r, 0, &s);
    CHECK_EQ_INT(r.n_pending, 0);
    reasm_free(&r);
}

TEST_MAIN("reassembly", TEST_ENTRY(in_order_and_out_of_order),
          TEST_ENTRY(retransmission_and_overlap), TEST_ENTRY(wraps_at_2_32),
          TEST_ENTRY(gap_reported_on_ack_and_flush), TEST_ENTRY(snaplen_cut_is_a_gap),
          TEST_ENTRY(mid_stream_start), TEST_ENTRY(pending_cap_forces_gap))
