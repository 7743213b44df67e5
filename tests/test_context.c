/* test_context.c: the context of --context batch (src/rules/context.c):
 * captures' contexts folded in input order, the capture of each frame, the
 * words that cite it, and the hand-off of a --jobs child read back whole,
 * cut short or damaged. */
#include <stdlib.h>
#include "rules/rules.h"
#include "testlib.h"

static const struct addr server_a = {.family = 4, .bytes = {10, 1, 1, 5}};
static const struct addr server_b = {.family = 4, .bytes = {10, 1, 1, 6}};

/* A capture's context: server a answered with suite 0x002f at `frame`. */
static struct rule_ctx *capture_ctx(uint16_t suite, uint64_t frame, uint32_t refused)
{
    struct rule_ctx *ctx = rules_ctx_new(NULL);
    struct server_stats *s = ctx ? ctx_server_add(ctx, &server_a, 443) : NULL;
    if (s == NULL)
        return ctx;
    ctx->saw_payload = true;
    s->ok = 1;
    s->ok_frame = frame;
    if (server_list_note(s, SERVER_SUITES, suite, 1, frame, 0) != ST_OK)
        return ctx; /* the test sees no suite */
    s->refused = refused;
    s->refused_frame = refused ? frame + 10 : 0;
    return ctx;
}

TEST(folded_in_input_order_with_the_capture_of_each_frame)
{
    struct rule_ctx *batch = rules_ctx_new(NULL);
    struct rule_ctx *one = capture_ctx(0x002f, 6, 0), *two = capture_ctx(0xc02f, 9, 1);
    CHECK(batch && one && two);
    if (!batch || !one || !two)
        return;
    CHECK(ctx_server_add(two, &server_b, 443) != NULL);
    two->saw_payload = false; /* a capture of TCP attempts only */
    CHECK(rules_ctx_merge(batch, one, "ok.pcap") == ST_OK);
    CHECK(rules_ctx_merge(batch, two, "fail.pcap") == ST_OK);
    rules_ctx_freeze(batch);
    CHECK_EQ_INT(batch->n_servers, 2);
    CHECK_EQ_INT(batch->n_files, 2);
    const struct server_stats *s = &batch->servers[0];
    CHECK_EQ_INT(s->ok, 2);
    CHECK_EQ_INT(s->n_suites, 2);
    CHECK_EQ_INT(s->suites[0], 0x002f);
    CHECK_EQ_INT(s->suite_file[0], 1);
    CHECK_EQ_INT(s->suite_file[1], 2);
    CHECK_EQ_INT(s->ok_frame, 6); /* the first capture's */
    CHECK_EQ_INT(s->ok_file, 1);
    CHECK_EQ_INT(s->refused_frame, 19);
    CHECK_EQ_INT(s->refused_file, 2);
    CHECK(batch->frozen && !batch->only_tcp_attempts);

    char words[160];
    rules_ctx_judging(batch, "fail.pcap");
    CHECK_EQ_INT(batch->here, 2);
    CHECK(batch->only_tcp_attempts); /* a property of the capture judged */
    ctx_frame_words(batch, 1, 6, words, sizeof words);
    CHECK_EQ_STR(words, "frame 6 of ok.pcap");
    CHECK_EQ_INT(ctx_frame_here(batch, 1, 6), 0);
    ctx_frame_words(batch, 2, 19, words, sizeof words);
    CHECK_EQ_STR(words, "frame 19");
    CHECK_EQ_INT(ctx_frame_here(batch, 2, 19), 19);
    CHECK_EQ_STR(ctx_captures(batch, true), "these captures");
    rules_ctx_judging(batch, "ok.pcap");
    CHECK(!batch->only_tcp_attempts);
    rules_ctx_judging(batch, "fail.pcap");
    /* a capture the first pass could not read is in no frame's reference */
    rules_ctx_judging(batch, "unreadable.pcap");
    CHECK_EQ_INT(batch->here, 0);
    CHECK_EQ_INT(ctx_frame_here(batch, 1, 6), 0);
    /* a frozen context takes nothing more */
    CHECK(rules_ctx_merge(batch, one, "again.pcap") == ST_LIMIT);
    rules_ctx_free(one);
    rules_ctx_free(two);
    rules_ctx_free(batch);
}

TEST(per_file_words_are_unchanged)
{
    struct rule_ctx *ctx = capture_ctx(0x002f, 6, 0);
    char words[160];
    CHECK(ctx != NULL);
    if (ctx == NULL)
        return;
    ctx_frame_words(ctx, 0, 6, words, sizeof words);
    CHECK_EQ_STR(words, "frame 6");
    CHECK_EQ_INT(ctx_frame_here(ctx, 0, 6), 6);
    CHECK_EQ_STR(ctx_captures(ctx, true), "this capture");
    CHECK_EQ_STR(ctx_captures(ctx, false), "the capture");
    rules_ctx_free(ctx);
}

TEST(value_lists_stay_capped)
{
    struct rule_ctx *batch = rules_ctx_new(NULL);
    CHECK(batch != NULL);
    for (uint16_t i = 0; batch != NULL && i < 40; i++) {
        struct rule_ctx *one = capture_ctx((uint16_t)(0x1000 + i), i + 1, 0);
        CHECK(one != NULL && rules_ctx_merge(batch, one, "x.pcap") == ST_OK);
        rules_ctx_free(one);
    }
    if (batch != NULL) {
        CHECK_EQ_INT(batch->servers[0].n_suites, 32);
        CHECK_EQ_INT(batch->servers[0].cap_suites, 32);
        /* grown from one entry to 32 in blocks, the first values kept in order */
        CHECK_EQ_INT(batch->servers[0].suites[0], 0x1000);
        CHECK_EQ_INT(batch->servers[0].suites[31], 0x1000 + 31);
        CHECK_EQ_INT(batch->servers[0].suite_frame[31], 32);
        CHECK_EQ_INT(batch->servers[0].suite_file[31], 32);
        CHECK_EQ_INT(batch->servers[0].ok, 40);
    }
    rules_ctx_free(batch);
}

TEST(hand_off_read_back_whole_cut_or_damaged)
{
    struct rule_ctx *one = capture_ctx(0x002f, 6, 2);
    CHECK(one != NULL && ctx_server_add(one, &server_b, 8443) != NULL);
    FILE *f = tmpfile();
    CHECK(f != NULL);
    if (one == NULL || f == NULL)
        return;
    CHECK(rules_ctx_write(f, one) == ST_OK);
    long len = ftell(f);
    rewind(f);
    struct rule_ctx *back = rules_ctx_new(NULL);
    CHECK(back != NULL && rules_ctx_read(f, back) == ST_OK);
    if (back != NULL) {
        CHECK_EQ_INT(back->n_servers, 2);
        CHECK(back->saw_payload);
        CHECK_EQ_INT(back->servers[0].refused, 2);
        CHECK_EQ_INT(back->servers[0].n_suites, 1);
        CHECK_EQ_INT(back->servers[0].suites[0], 0x002f);
        CHECK_EQ_INT(back->servers[0].suite_count[0], 1);
        CHECK_EQ_INT(back->servers[0].suite_frame[0], 6);
        CHECK_EQ_INT(back->servers[1].n_suites, 0);
        CHECK_EQ_INT(back->servers[1].port, 8443);
        CHECK(ctx_server(back, &(struct conn){.server = server_b, .server_port = 8443}) != NULL);
    }
    rules_ctx_free(back);
    /* every cut is refused, never read past */
    for (long cut = 0; cut < len; cut += 7) {
        FILE *g = tmpfile();
        char buf[8192];
        rewind(f);
        size_t n = fread(buf, 1, (size_t)cut < sizeof buf ? (size_t)cut : sizeof buf, f);
        CHECK(g != NULL);
        if (g == NULL)
            continue;
        fwrite(buf, 1, n, g);
        rewind(g);
        struct rule_ctx *partial = rules_ctx_new(NULL);
        CHECK(partial != NULL && rules_ctx_read(g, partial) != ST_OK);
        rules_ctx_free(partial);
        fclose(g);
    }
    /* a count past the cap, a wrong marker */
    for (int k = 0; k < 2; k++) {
        FILE *g = tmpfile();
        uint32_t head[3] = {k ? 0x544c5358u : 0x12345678u, 1, k ? 0xffffffffu : 1};
        CHECK(g != NULL);
        if (g == NULL)
            continue;
        fwrite(head, sizeof head, 1, g);
        rewind(g);
        struct rule_ctx *bad = rules_ctx_new(NULL);
        CHECK(bad != NULL && rules_ctx_read(g, bad) == ST_IO);
        rules_ctx_free(bad);
        fclose(g);
    }
    fclose(f);
    rules_ctx_free(one);
}

TEST_MAIN("context",
          TEST_ENTRY(folded_in_input_order_with_the_capture_of_each_frame),
          TEST_ENTRY(per_file_words_are_unchanged),
          TEST_ENTRY(value_lists_stay_capped),
          TEST_ENTRY(hand_off_read_back_whole_cut_or_damaged))
