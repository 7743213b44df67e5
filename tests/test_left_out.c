/* test_left_out.c: connections past --max-connections counted once each,
 * a reused pair counted again, and a full table that counts high, never low. */
#include "tcp/left_out.h"
#include "testlib.h"

TEST(one_connection_counted_once)
{
    struct left_out l = {0};
    left_out_packet(&l, 42, true, 1000);  /* SYN */
    left_out_packet(&l, 42, false, 0);    /* SYN-ACK, then data both ways */
    left_out_packet(&l, 42, false, 1001);
    left_out_packet(&l, 42, true, 1000);  /* the SYN retransmitted */
    CHECK_EQ_INT(l.connections, 1);
    left_out_free(&l);
}

TEST(reused_pair_is_a_new_connection)
{
    struct left_out l = {0};
    left_out_packet(&l, 7, true, 1000);
    left_out_packet(&l, 7, false, 1001);
    left_out_packet(&l, 7, true, 90000);  /* the client's port reused, a new ISN */
    CHECK_EQ_INT(l.connections, 2);
    left_out_packet(&l, 8, false, 5);     /* seen mid-stream, then a SYN: two */
    left_out_packet(&l, 8, true, 5);
    CHECK_EQ_INT(l.connections, 4);
    left_out_free(&l);
}

TEST(key_zero_and_growth_stay_exact)
{
    struct left_out l = {0};
    for (uint64_t k = 0; k < 100000; k++)
        left_out_packet(&l, k * 0x10001, true, (uint32_t)k);
    for (uint64_t k = 0; k < 100000; k++)
        left_out_packet(&l, k * 0x10001, false, 0);
    CHECK_EQ_INT(l.connections, 100000);
    CHECK(l.n_slots >= 2 * l.n_entries);
    left_out_free(&l);
    CHECK(l.slots == NULL && l.connections == 0);
}

TEST(full_table_counts_syns)
{
    struct left_out l = {0};
    uint64_t kept = LEFT_OUT_MAX_SLOTS / 2;
    for (uint64_t k = 1; k <= kept; k++)
        left_out_packet(&l, k, true, 1);
    CHECK_EQ_INT(l.connections, kept);
    CHECK_EQ_INT(l.n_slots, LEFT_OUT_MAX_SLOTS);
    left_out_packet(&l, 1, true, 1);         /* kept: a retransmission, exact */
    left_out_packet(&l, kept + 1, false, 0); /* not kept, no SYN: not counted */
    left_out_packet(&l, kept + 1, true, 9);  /* not kept: its SYN counts */
    left_out_packet(&l, kept + 1, true, 9);  /* and its retransmission too */
    CHECK_EQ_INT(l.connections, kept + 2);
    left_out_free(&l);
}

TEST_MAIN("left_out",
          TEST_ENTRY(one_connection_counted_once),
          TEST_ENTRY(reused_pair_is_a_new_connection),
          TEST_ENTRY(key_zero_and_growth_stay_exact),
          TEST_ENTRY(full_table_counts_syns))
