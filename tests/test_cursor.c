/* test_cursor.c: the bounded reader never reads past its end. */
#include "util/cursor.h"
#include "testlib.h"

TEST(reads_in_order)
{
    static const uint8_t b[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    struct cursor c = cur_make(b, sizeof b);
    uint8_t u8;
    uint16_t u16;
    uint32_t u24, u32;
    CHECK_EQ_INT(cur_u8(&c, &u8), ST_OK);
    CHECK_EQ_INT(u8, 1);
    CHECK_EQ_INT(cur_u16(&c, &u16), ST_OK);
    CHECK_EQ_INT(u16, 0x0203);
    CHECK_EQ_INT(cur_u24(&c, &u24), ST_OK);
    CHECK_EQ_INT(u24, 0x040506);
    CHECK_EQ_INT(cur_u32(&c, &u32), ST_OK);
    CHECK_EQ_INT(u32, 0x0708090a);
    CHECK_EQ_INT(cur_end(&c), ST_OK);
    CHECK_EQ_INT(cur_u8(&c, &u8), ST_TRUNCATED);
}

TEST(short_reads_fail_without_moving)
{
    static const uint8_t b[] = {0xaa, 0xbb};
    struct cursor c = cur_make(b, sizeof b);
    uint32_t u24;
    struct slice s;
    CHECK_EQ_INT(cur_u24(&c, &u24), ST_TRUNCATED);
    CHECK_EQ_INT(c.pos, 0);
    CHECK_EQ_INT(cur_take(&c, 3, &s), ST_TRUNCATED);
    CHECK_EQ_INT(cur_skip(&c, (size_t)-1), ST_TRUNCATED);
    CHECK_EQ_INT(c.pos, 0);
}

TEST(vectors_open_exact_children)
{
    /* <2> length 3, then 3 bytes, then one more byte */
    static const uint8_t b[] = {0x00, 0x03, 'a', 'b', 'c', 'z'};
    struct cursor c = cur_make(b, sizeof b), child;
    CHECK_EQ_INT(cur_vec(&c, 2, &child), ST_OK);
    CHECK_EQ_INT(cur_left(&child), 3);
    CHECK_EQ_INT(cur_left(&c), 1);
    CHECK_EQ_INT(cur_end(&child), ST_MALFORMED);
    /* a length past the end */
    static const uint8_t bad[] = {0x01, 0x00, 'a'};
    struct cursor d = cur_make(bad, sizeof bad);
    CHECK_EQ_INT(cur_vec(&d, 2, &child), ST_TRUNCATED);
    CHECK_EQ_INT(cur_vec(&d, 4, &child), ST_MALFORMED);
    static const uint8_t big[] = {0xff, 0xff, 0xff};
    struct cursor e = cur_make(big, sizeof big);
    CHECK_EQ_INT(cur_vec(&e, 3, &child), ST_TRUNCATED);
}

TEST(peek_and_rest)
{
    static const uint8_t b[] = {9, 8, 7};
    struct cursor c = cur_make(b, sizeof b);
    uint8_t v;
    CHECK_EQ_INT(cur_peek_u8(&c, 2, &v), ST_OK);
    CHECK_EQ_INT(v, 7);
    CHECK_EQ_INT(cur_peek_u8(&c, 3, &v), ST_TRUNCATED);
    struct cursor r = cur_rest(&c);
    CHECK_EQ_INT(cur_left(&r), 3);
    CHECK_EQ_INT(cur_left(&c), 0);
}

TEST(span_to_a_byte)
{
    static const uint8_t b[] = {'a', 'b', '\n', 'c', '\n'};
    struct cursor c = cur_make(b, sizeof b);
    CHECK_EQ_INT(cur_span_to(&c, '\n'), 2);
    CHECK_EQ_INT(cur_left(&c), 5); /* nothing moved */
    CHECK(cur_skip(&c, 3) == ST_OK);
    CHECK_EQ_INT(cur_span_to(&c, '\n'), 1);
    CHECK_EQ_INT(cur_span_to(&c, 'z'), 2); /* none: all that is left */
    CHECK(cur_skip(&c, 2) == ST_OK);
    CHECK_EQ_INT(cur_span_to(&c, '\n'), 0);
    struct cursor empty = cur_make(NULL, 0);
    CHECK_EQ_INT(cur_span_to(&empty, '\n'), 0);
}

TEST_MAIN("cursor", TEST_ENTRY(reads_in_order), TEST_ENTRY(short_reads_fail_without_moving),
          TEST_ENTRY(vectors_open_exact_children), TEST_ENTRY(peek_and_rest),
          TEST_ENTRY(span_to_a_byte))
