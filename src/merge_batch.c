/* merge_batch.c: --merge --context batch (see merge_batch.h). The second
 * pass holds one capture's connections at a time: from its first facts
 * line to its summary line, which closes it. */
#include <stdlib.h>
#include <string.h>
#include "merge.h"
#include "merge_batch.h"
#include "merge_json.h"
#include "report/facts_codec.h"
#include "report/report_set.h"
#include "rules/verdict.h"
#include "util/base64.h"
#include "x509/cert.h"

struct batch_merge {
    const struct run_opts *o;
    struct cert_store *store;
    struct cert_cache *certs;
    struct rule_opts rules;
    struct rule_ctx *batch;
    struct report_set reporters;
    bool reporters_open;
    int rc;
    /* the capture read now: its name, its connections in id order */
    char *file;
    struct conn **conns;
    size_t n_conns, cap_conns;
    bool have_context;
    uint64_t cut_frames;
    uint32_t snaplen;
};

static int worst(int a, int b)
{
    return a > b ? a : b;
}

struct batch_merge *merge_batch_open(const struct run_opts *o)
{
    struct batch_merge *b = calloc(1, sizeof *b);
    if (b == NULL)
        return NULL;
    b->o = o;
    if ((o->ca_file != NULL || o->ca_path != NULL) &&
        cert_store_load(o->ca_file, o->ca_path, &b->store) != ST_OK) {
        fprintf(stderr, "tlsexplain: cannot load the trust store\n");
        merge_batch_close(b);
        return NULL;
    }
    b->certs = cert_cache_new();
    b->rules = (struct rule_opts){.tls_ports = o->tls_ports, .n_tls_ports = o->n_tls_ports,
                                  .store = b->store, .certs = b->certs};
    b->batch = rules_ctx_new(&b->rules);
    /* the reporters one --context batch run would use for this mode */
    struct report_pick pick = {
        .ops = o->mode == OUT_JSON ? &reporter_json : &reporter_summary, .dest = NULL};
    const struct report_opts ro = {.width = o->width, .color = o->color, .certs = b->certs};
    if (b->certs == NULL || b->batch == NULL ||
        report_set_open(&b->reporters, &pick, 1, &ro) != ST_OK) {
        merge_batch_close(b);
        return NULL;
    }
    b->reporters_open = true;
    return b;
}

static void drop_capture(struct batch_merge *b)
{
    for (size_t i = 0; i < b->n_conns; i++)
        conn_free(b->conns[i]);
    free(b->conns);
    free(b->file);
    b->conns = NULL;
    b->file = NULL;
    b->n_conns = b->cap_conns = 0;
    b->have_context = false;
    b->cut_frames = 0;
    b->snaplen = 0;
}

void merge_batch_close(struct batch_merge *b)
{
    if (b == NULL)
        return;
    drop_capture(b);
    if (b->reporters_open)
        report_set_close(&b->reporters);
    rules_ctx_free(b->batch);
    cert_cache_free(b->certs);
    cert_store_free(b->store);
    free(b);
}

/* The bytes of a line's "data" member into out. */
static bool line_data(struct json_object *obj, struct capbuf *out)
{
    struct json_object *v;
    if (!json_object_object_get_ex(obj, "data", &v) || !json_object_is_type(v, json_type_string))
        return false;
    return base64_decode(json_object_get_string(v), (size_t)json_object_get_string_len(v), out) ==
           ST_OK;
}

/* A capture's own context, from its line. */
static struct rule_ctx *line_context(struct batch_merge *b, struct json_object *obj)
{
    struct capbuf bytes;
    capbuf_init(&bytes, MERGE_MAX_LINE);
    struct rule_ctx *ctx = rules_ctx_new(&b->rules);
    bool ok = ctx != NULL && line_data(obj, &bytes) &&
              facts_decode_ctx(bytes.p, bytes.len, ctx) == ST_OK;
    capbuf_free(&bytes);
    if (!ok) {
        rules_ctx_free(ctx);
        return NULL;
    }
    return ctx;
}

bool merge_batch_fold(struct batch_merge *b, const char *type, struct json_object *obj,
                      const char *file)
{
    if (strcmp(type, "context") != 0)
        return true;
    struct rule_ctx *ctx = line_context(b, obj);
    bool ok = ctx != NULL && rules_ctx_merge(b->batch, ctx, file) == ST_OK;
    rules_ctx_free(ctx);
    return ok;
}

void merge_batch_freeze(struct batch_merge *b)
{
    rules_ctx_freeze(b->batch);
}

/* The capture a line belongs to: the one open, or a new one. */
static bool enter_capture(struct batch_merge *b, const char *file)
{
    if (b->file != NULL)
        return strcmp(b->file, file) == 0;
    b->file = strdup(file);
    return b->file != NULL;
}

static bool take_facts(struct batch_merge *b, struct json_object *obj)
{
    size_t id;
    /* a run writes them in id order: a line cannot make room for ids it skips */
    uint32_t last = b->n_conns > 0 ? b->conns[b->n_conns - 1]->id : 0;
    if (!merge_get_count(obj, "conn", &id) || id <= last || id > UINT32_MAX)
        return false;
    if (b->n_conns == b->cap_conns) {
        size_t cap = b->cap_conns ? b->cap_conns * 2 : 64;
        struct conn **grown = realloc(b->conns, cap * sizeof *grown);
        if (grown == NULL)
            return false;
        b->conns = grown;
        b->cap_conns = cap;
    }
    struct capbuf bytes;
    capbuf_init(&bytes, MERGE_MAX_LINE);
    struct conn *c = NULL;
    bool ok = line_data(obj, &bytes) && facts_decode_conn(bytes.p, bytes.len, &c) == ST_OK &&
              c->id == id;
    capbuf_free(&bytes);
    if (!ok) {
        conn_free(c);
        return false;
    }
    b->conns[b->n_conns++] = c;
    return true;
}

static bool take_context(struct batch_merge *b, struct json_object *obj)
{
    size_t cut, snaplen;
    /* read again to check it; the first pass folded it */
    struct rule_ctx *ctx = line_context(b, obj);
    bool ok = ctx != NULL && merge_get_count(obj, "cut_frames", &cut) &&
              merge_get_count(obj, "snaplen", &snaplen) && snaplen <= UINT32_MAX;
    rules_ctx_free(ctx);
    if (!ok || b->have_context)
        return false;
    b->have_context = true;
    b->cut_frames = cut;
    b->snaplen = (uint32_t)snaplen;
    return true;
}

/* The summary line closes the capture: its connections are judged against
 * the batch context and reported. */
static bool close_capture(struct batch_merge *b, struct json_object *obj)
{
    struct json_object *v;
    size_t frames, dropped, max_conns, late;
    if (!b->have_context) {
        fprintf(stderr, "tlsexplain: --merge --context batch: %s: no facts in the JSON (the "
                        "run needs --facts)\n",
                b->file);
        return false;
    }
    if (!merge_get_count(obj, "frames", &frames) ||
        !merge_get_count(obj, "dropped_connections", &dropped) ||
        !merge_get_count(obj, "max_connections", &max_conns) ||
        !merge_get_count(obj, "keylog_late", &late))
        return false;
    const char *error = merge_get_string(obj, "error");
    struct file_facts ff = {
        .path = b->file,
        .read_ok = true,
        .damaged = error != NULL,
        .error = error != NULL ? error : "",
        .frames = frames,
        .cut_frames = b->cut_frames,
        .snaplen = b->snaplen,
        .dropped_conns = dropped,
        .max_conns = max_conns,
        /* the counts come from the connections; the secrets that came after
         * their records, from the run */
        .keys = {.given = json_object_object_get_ex(obj, "keylog", &v), .late = late},
    };
    struct conn_slots slots = {.v = b->conns, .n = b->n_conns};
    /* as the run judged them: the verdict from the facts, then the rules */
    for (size_t i = 0; i < b->n_conns; i++) {
        struct conn *c = b->conns[i];
        if (c == NULL)
            continue;
        c->chain_checked = false;
        c->chain_problems = 0;
        verdict_decide(c);
    }
    rules_ctx_judging(b->batch, b->file);
    if (rules_diagnose(b->batch, slots) != ST_OK) {
        report_text_error(stderr, b->file, "out of memory while diagnosing", b->o->color);
        b->rc = 2;
        return true;
    }
    if (ff.damaged)
        report_text_error(stderr, b->file, ff.error, b->o->color);
    report_count_connections(&ff, slots);
    report_set_file(&b->reporters, stdout, slots, &ff, NULL);
    b->rc = worst(b->rc, ff.k.failed > 0 ? 1 : 0);
    return true;
}

/* An input or a capture that could not be read, reported as the run did. */
static bool pass_error(struct batch_merge *b, struct json_object *obj, const char *file)
{
    bool unreadable;
    const char *error = merge_error_of(obj, &unreadable);
    if (error == NULL)
        return false;
    if (unreadable) {
        struct file_facts ff = {.path = file, .unreadable = true, .error = error};
        report_set_unreadable(&b->reporters, stdout, &ff);
    } else if (b->o->mode == OUT_JSON) {
        report_json_error(stdout, file, error);
    }
    report_text_error(stderr, file, error, b->o->color);
    b->rc = 2;
    return true;
}

bool merge_batch_line(struct batch_merge *b, const char *type, struct json_object *obj,
                      const char *file)
{
    if (strcmp(type, "error") == 0)
        return pass_error(b, obj, file);
    if (strcmp(type, "facts") != 0 && strcmp(type, "context") != 0 &&
        strcmp(type, "connection") != 0 && strcmp(type, "summary") != 0)
        return false;
    if (!enter_capture(b, file)) {
        /* a capture left open without its summary line: the run was cut */
        drop_capture(b);
        return false;
    }
    bool ok = true;
    if (strcmp(type, "facts") == 0)
        ok = take_facts(b, obj);
    else if (strcmp(type, "context") == 0)
        ok = take_context(b, obj);
    else if (strcmp(type, "summary") == 0) {
        ok = close_capture(b, obj);
        drop_capture(b);
    }
    return ok;
}

int merge_batch_finish(struct batch_merge *b)
{
    if (b->file != NULL) {
        fprintf(stderr, "tlsexplain: --merge --context batch: %s: the JSON ends before its "
                        "summary line\n",
                b->file);
        drop_capture(b);
        b->rc = 2;
    }
    return worst(b->rc, report_set_finish(&b->reporters, stdout));
}
