/* final_pass.c: the held connections, in memory or read back, judged in
 * id order (final_pass.h). A connection read back is freed before the next
 * is read; the verdict a phase reaches is kept in the store's index. */
#include <stdint.h>
#include "final_pass.h"
#include "quic/table.h"
#include "rules/verdict.h"

/* Where the walk over the held connections is. */
struct held_walk {
    struct analysis *a;
    struct held_store *store;
    size_t slot;               /* next slot of the analysis */
    size_t j;                  /* next entry of the store */
    bool attempts_only;        /* pass over stowed ones rules_fold_attempt leaves */
};

struct held_conn {
    struct conn *c;
    bool stowed;
    size_t j;                  /* its entry in the store, when stowed */
};

static struct held_walk walk_start(struct analysis *a, struct held_store *store)
{
    return (struct held_walk){.a = a, .store = store};
}

/* The next held connection, or h->c NULL at the end. A stowed one gets
 * what the end of the capture gave the others (flow_table_restore). */
static enum status walk_next(struct held_walk *w, struct held_conn *h)
{
    *h = (struct held_conn){0};
    size_t n_stowed = held_store_count(w->store);
    while (w->slot < analysis_slots(w->a)) {
        size_t slot = w->slot++;
        struct conn *c = analysis_conn(w->a, slot);
        if (c != NULL) {
            h->c = c;
            return ST_OK;
        }
        if (w->j < n_stowed && held_store_id(w->store, w->j) == slot + 1) {
            uint8_t v = held_store_verdict(w->store, w->j);
            if (w->attempts_only && v != VERDICT_TCP_ONLY && v != VERDICT_NOT_TLS) {
                w->j++; /* read back for nothing */
                continue;
            }
            h->stowed = true;
            h->j = w->j++;
            TRY(held_store_get(w->store, h->j, &h->c));
            flow_table_restore(&w->a->flows, h->c);
            /* the index keeps the verdict, not what deciding it also
             * writes (why a connection is incomplete): decided again, the
             * same from the same facts, then the kept verdict put back */
            uint8_t kept = h->c->verdict;
            verdict_decide(h->c);
            h->c->verdict = kept;
            return ST_OK;
        }
    }
    return ST_OK;
}

/* A walk that ended passed every stowed connection: one left behind is a
 * connection not judged, never to be dropped without a word. */
static enum status walk_done(const struct held_walk *w)
{
    return w->j == held_store_count(w->store) ? ST_OK : ST_IO;
}

/* Done with h for this phase: its verdict kept, its memory freed. */
static void walk_put(struct held_walk *w, struct held_conn *h)
{
    if (!h->stowed || h->c == NULL)
        return;
    held_store_set_verdict(w->store, h->j, (uint8_t)h->c->verdict);
    conn_free(h->c);
    h->c = NULL;
}

enum status final_pass_fold(struct analysis *a, struct held_store *store, struct rule_ctx *ctx)
{
    struct held_walk w;
    struct held_conn h;
    enum status st = held_store_seal(store);
    /* verdicts first: a TCP connection may be the fallback of a QUIC
     * attempt, which the QUIC connection's own verdict and rules read.
     * With no attempt waiting for one, both go in one walk. */
    bool apart = quic_table_wants_tcp(&a->quic);
    for (w = walk_start(a, store); apart && st == ST_OK && (st = walk_next(&w, &h)) == ST_OK && h.c;
         walk_put(&w, &h)) {
        verdict_decide(h.c);
        quic_table_note_tcp(&a->quic, h.c, h.c->verdict == VERDICT_OK);
    }
    bool payload = false;
    for (w = walk_start(a, store); st == ST_OK && (st = walk_next(&w, &h)) == ST_OK && h.c;
         walk_put(&w, &h)) {
        if (!apart) {
            verdict_decide(h.c);
            quic_table_note_tcp(&a->quic, h.c, h.c->verdict == VERDICT_OK);
        }
        payload = payload || h.c->side[0].bytes > 0 || h.c->side[1].bytes > 0;
        st = rules_fold_one(ctx, h.c);
    }
    if (st != ST_OK || (st = walk_done(&w)) != ST_OK) {
        walk_put(&w, &h);
        return st;
    }
    rules_payload_seen(ctx, payload);
    w = walk_start(a, store);
    w.attempts_only = true;
    for (; st == ST_OK && (st = walk_next(&w, &h)) == ST_OK && h.c;
         walk_put(&w, &h))
        st = rules_fold_attempt(ctx, h.c);
    walk_put(&w, &h);
    return st != ST_OK ? st : walk_done(&w);
}

enum status final_pass_judge(struct analysis *a, struct held_store *store,
                             struct rule_ctx *ctx, final_pass_each_fn *each, void *ud)
{
    struct held_walk w;
    struct held_conn h;
    enum status st = ST_OK;
    for (w = walk_start(a, store); st == ST_OK && (st = walk_next(&w, &h)) == ST_OK && h.c;
         walk_put(&w, &h)) {
        st = rules_judge_one(ctx, h.c);
        if (st == ST_OK)
            st = each(ud, h.c, h.stowed);
    }
    walk_put(&w, &h);
    return st != ST_OK ? st : walk_done(&w);
}
