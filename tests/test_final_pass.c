/* test_final_pass.c: connections stowed on disk while a capture is read
 * (held_store.c) and judged at its end (final_pass.c) come out as they do
 * when every one stays in memory. The capture, tcp/quiet-gaps.pcap, is real
 * captures ten minutes apart (test-captures/gen/quiet.sh): the failures of
 * its first parts are over and quiet while thousands of packets follow. */
#include <stdlib.h>
#include <string.h>
#include "analyze.h"
#include "final_pass.h"
#include "held_store.h"
#include "rules/diagnosis.h"
#include "testlib.h"

#define QUIET "test-captures/tcp/quiet-gaps.pcap"
#define MAX_SEEN 4096

/* What the final pass concluded of one connection. */
struct seen {
    uint32_t id;
    int verdict;
    const char *cause;         /* the rule table's: static */
    char explanation[160];
    uint64_t last_frame;
    uint32_t reset_burst;
};

struct run {
    struct held_store *store;
    struct seen v[MAX_SEEN];
    size_t n;
    size_t stowed_seen;
    size_t in_place;           /* stowed as their place in a shape */
};

static bool keep(void *ud, struct analysis *a, struct conn *c)
{
    (void)ud, (void)a, (void)c;
    return false;
}

static bool stow(void *ud, struct analysis *a, struct conn *c)
{
    struct run *r = ud;
    (void)a;
    return held_store_put(&r->store, c) == ST_OK;
}

static enum status note(void *ud, struct conn *c, bool stowed)
{
    struct run *r = ud;
    if (r->n == MAX_SEEN)
        return ST_LIMIT;
    struct seen *s = &r->v[r->n++];
    const struct diagnosis *d = c->diagnosis;
    *s = (struct seen){.id = c->id, .verdict = c->verdict, .last_frame = c->last_frame,
                       .reset_burst = c->reset_burst};
    if (d != NULL && d->main.id != NULL) {
        s->cause = d->main.id;
        snprintf(s->explanation, sizeof s->explanation, "%s", d->main.explanation);
    }
    r->stowed_seen += stowed;
    return ST_OK;
}

/* The capture read with connections kept to the end, stowed or not. */
static void judge_file(const char *path, struct run *r, bool stowing, uint64_t *stowed,
                       int *failures_)
{
    struct analyze_opts ao = {.max_conns = 100000, .finished = keep, .finished_ud = r,
                              .stow = stowing ? stow : NULL};
    struct analysis a;
    struct rule_ctx *ctx = rules_ctx_new(NULL);
    CHECK(ctx != NULL);
    CHECK(analyze_file(path, &ao, &a) == ST_OK);
    *stowed = a.flows.stowed;
    CHECK(final_pass_fold(&a, r->store, ctx) == ST_OK);
    CHECK(final_pass_judge(&a, r->store, ctx, note, r) == ST_OK);
    analysis_free(&a);
    rules_ctx_free(ctx);
    r->in_place = held_store_in_place(r->store);
    held_store_close(r->store);
    r->store = NULL;
}

static void judge(struct run *r, bool stowing, uint64_t *stowed, int *failures_)
{
    judge_file(QUIET, r, stowing, stowed, failures_);
}

/* The same conclusions, connection by connection. */
static void same_conclusions(const struct run *mem, const struct run *disk, int *failures_)
{
    CHECK_EQ_INT(mem->n, disk->n);
    for (size_t i = 0; i < mem->n && i < disk->n; i++) {
        const struct seen *x = &mem->v[i], *y = &disk->v[i];
        CHECK_EQ_INT(x->id, y->id);
        CHECK_EQ_INT(x->verdict, y->verdict);
        CHECK_EQ_INT(x->last_frame, y->last_frame);
        CHECK((x->cause == NULL) == (y->cause == NULL));
        if (x->cause != NULL && y->cause != NULL) {
            CHECK_EQ_STR(x->cause, y->cause);
            CHECK_EQ_STR(x->explanation, y->explanation);
        }
    }
}

TEST(stowed_connections_are_judged_as_in_memory)
{
    static struct run mem, disk;
    uint64_t stowed_mem = 0, stowed_disk = 0;
    judge(&mem, false, &stowed_mem, failures_);
    judge(&disk, true, &stowed_disk, failures_);
    CHECK_EQ_INT(stowed_mem, 0);
    /* the first parts, quiet ten minutes: hundreds of connections */
    CHECK(stowed_disk > 500);
    CHECK_EQ_INT(disk.stowed_seen, stowed_disk);
    same_conclusions(&mem, &disk, failures_);
    size_t causes = 0, bursts = 0;
    for (size_t i = 0; i < mem.n && i < disk.n; i++) {
        CHECK_EQ_INT(mem.v[i].reset_burst, disk.v[i].reset_burst);
        causes += mem.v[i].cause != NULL;
        bursts += mem.v[i].reset_burst > 0;
    }
    /* the failures of every part, the reset burst among them */
    CHECK(causes >= 20);
    CHECK(bursts >= 3);
}

/* tcp/syn-storm.pcap (gen/syn_storm.sh): 16 connections of one SYN each
 * at its end, stowed when the capture ends. The first is written in full,
 * the 15 others as their place; each is judged as in memory, its own
 * ports, frames and times in its explanation. */
TEST(a_storm_is_stowed_in_place)
{
    static struct run mem, disk;
    uint64_t stowed_mem = 0, stowed_disk = 0;
    judge_file("test-captures/tcp/syn-storm.pcap", &mem, false, &stowed_mem, failures_);
    judge_file("test-captures/tcp/syn-storm.pcap", &disk, true, &stowed_disk, failures_);
    CHECK_EQ_INT(mem.n, 256);
    CHECK_EQ_INT(stowed_mem, 0);
    CHECK_EQ_INT(stowed_disk, 16);
    CHECK_EQ_INT(disk.in_place, 15);
    same_conclusions(&mem, &disk, failures_);
}

/* A connection of one SYN, as the flow table makes it. */
static struct conn *lone_syn(uint32_t id, uint16_t port, uint64_t frame)
{
    struct conn *c = conn_new(id);
    if (c == NULL)
        return NULL;
    c->client = (struct addr){.family = 4, .bytes = {127, 0, 0, 1}};
    c->server = (struct addr){.family = 4, .bytes = {127, 0, 0, 2}};
    c->client_port = port;
    c->server_port = 443;
    c->first_frame = c->last_frame = c->side[SIDE_CLIENT].syn_frame = frame;
    c->side[SIDE_CLIENT].last_frame = frame;
    c->start = c->end = c->syn_ts = c->syn_last_ts = (struct tstamp){.sec = (int64_t)frame};
    c->side[SIDE_CLIENT].syn_count = 1;
    c->side[SIDE_CLIENT].ttl_min = c->side[SIDE_CLIENT].ttl_max = 64;
    c->saw_syn = true;
    c->verdict = VERDICT_FAILED;
    return c;
}

/* Near misses: a connection that differs from the shape in anything but
 * its place (a second SYN, a ClientHello) is written in full, and each
 * comes back as it went in. One that differs in its place only (its TTL,
 * its server) is written as its place, also after a connection of another
 * kind (found by its digest, not as the shape the last one matched). */
TEST(only_the_place_may_differ)
{
    struct held_store *s = NULL;
    struct conn *v[5] = {lone_syn(1, 1001, 1), lone_syn(2, 1002, 2), lone_syn(3, 1003, 3),
                         lone_syn(4, 1004, 4), lone_syn(5, 1005, 5)};
    for (size_t i = 0; i < 5; i++)
        if (v[i] == NULL)
            return;
    v[2]->side[SIDE_CLIENT].syn_count = 2;                 /* not its place */
    struct client_hello *ch = conn_client_hello(v[3]);     /* not flat */
    CHECK(ch != NULL);
    if (ch == NULL)
        return;
    ch->present = true;
    v[4]->server = (struct addr){.family = 4, .bytes = {127, 0, 0, 3}}; /* its place */
    v[1]->side[SIDE_CLIENT].ttl_min = v[1]->side[SIDE_CLIENT].ttl_max = 50; /* so is its TTL */
    for (size_t i = 0; i < 5; i++)
        CHECK(held_store_put(&s, v[i]) == ST_OK);
    /* 1 makes the shape; 2 and 5 are in its place; 3 and 4 are not */
    CHECK_EQ_INT(held_store_in_place(s), 2);
    CHECK(held_store_seal(s) == ST_OK);
    for (size_t i = 0; i < 5; i++) {
        struct conn *c = NULL;
        CHECK(held_store_get(s, i, &c) == ST_OK);
        if (c == NULL)
            continue;
        CHECK_EQ_INT(c->id, i + 1);
        CHECK_EQ_INT(c->client_port, 1001 + i);
        CHECK_EQ_INT(c->first_frame, i + 1);
        CHECK_EQ_INT(c->side[SIDE_CLIENT].syn_frame, i + 1);
        CHECK_EQ_INT(c->syn_ts.sec, (int64_t)i + 1);
        CHECK_EQ_INT(c->side[SIDE_CLIENT].syn_count, i == 2 ? 2 : 1);
        CHECK_EQ_INT(c->ch->present, i == 3);
        CHECK_EQ_INT(c->server.bytes[3], i == 4 ? 3 : 2);
        CHECK_EQ_INT(c->side[SIDE_CLIENT].ttl_max, i == 1 ? 50 : 64);
        conn_free(c);
    }
    for (size_t i = 0; i < 5; i++)
        conn_free(v[i]);
    held_store_close(s);
}

/* The store alone: facts come back in id order whatever order they were
 * put in, with the verdict the index was given. */
TEST(store_gives_back_in_id_order)
{
    struct held_store *s = NULL;
    uint32_t ids[] = {7, 3, 9, 1, 5};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        struct conn *c = conn_new(ids[i]);
        CHECK(c != NULL);
        if (c == NULL)
            return;
        c->client_port = (uint16_t)(1000 + ids[i]);
        c->verdict = VERDICT_INCOMPLETE;
        CHECK(held_store_put(&s, c) == ST_OK);
        conn_free(c);
    }
    CHECK_EQ_INT(held_store_count(s), 5);
    CHECK(held_store_seal(s) == ST_OK);
    held_store_set_verdict(s, 2, VERDICT_FAILED);
    uint32_t want[] = {1, 3, 5, 7, 9};
    for (size_t i = 0; i < 5; i++) {
        struct conn *c = NULL;
        CHECK_EQ_INT(held_store_id(s, i), want[i]);
        CHECK(held_store_get(s, i, &c) == ST_OK);
        if (c == NULL)
            continue;
        CHECK_EQ_INT(c->id, want[i]);
        CHECK_EQ_INT(c->client_port, 1000 + want[i]);
        CHECK_EQ_INT(c->verdict, i == 2 ? VERDICT_FAILED : VERDICT_INCOMPLETE);
        conn_free(c);
    }
    held_store_close(s);
}

TEST_MAIN("final_pass", TEST_ENTRY(stowed_connections_are_judged_as_in_memory),
          TEST_ENTRY(a_storm_is_stowed_in_place), TEST_ENTRY(only_the_place_may_differ),
          TEST_ENTRY(store_gives_back_in_id_order))
