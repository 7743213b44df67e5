/* context.c: a context that spans inputs (--context batch). Each capture's
 * context is built alone, as for a run per file, then folded into the batch
 * context in input order; frames keep the number of the capture they are
 * in, so the evidence can name it. A --jobs child hands its captures'
 * contexts to the parent through a temporary file. */
#include <stdlib.h>
#include <string.h>
#include "rules/rules.h"

/* The capture a frame of `from` is in, as numbered in the batch. */
static uint32_t file_ref(uint32_t from_file, uint32_t id)
{
    return from_file != 0 ? from_file : id;
}

/* Adds a value seen in another capture to a small list of distinct values
 * (counts may be NULL): the first capture's frame stays. */
static void merge_value(uint16_t *vals, uint32_t *counts, uint64_t *frames, uint32_t *files,
                        uint8_t *n, uint8_t cap, uint16_t v, uint32_t count, uint64_t frame,
                        uint32_t file)
{
    for (uint8_t i = 0; i < *n; i++)
        if (vals[i] == v) {
            if (counts)
                counts[i] += count;
            return;
        }
    if (*n >= cap)
        return;
    vals[*n] = v;
    if (counts)
        counts[*n] = count;
    if (frames)
        frames[*n] = frame;
    if (files)
        files[*n] = file;
    (*n)++;
}

static enum status merge_server(struct server_stats *s, const struct server_stats *o, uint32_t id)
{
    if (s->refused == 0 && o->refused > 0) {
        s->refused_frame = o->refused_frame;
        s->refused_file = file_ref(o->refused_file, id);
    }
    if (s->ok == 0 && o->ok > 0) {
        s->ok_frame = o->ok_frame;
        s->ok_file = file_ref(o->ok_file, id);
    }
    s->ok += o->ok;
    s->failed += o->failed;
    s->ok_forward_secret += o->ok_forward_secret;
    s->ok_not_forward_secret += o->ok_not_forward_secret;
    s->dhe_ok += o->dhe_ok;
    s->dhe_failed_bad_record_mac += o->dhe_failed_bad_record_mac;
    s->ecdhe_ok += o->ecdhe_ok;
    s->dhe_short_ok += o->dhe_short_ok;
    s->dhe_short_failed += o->dhe_short_failed;
    s->dhe_full_ok += o->dhe_full_ok;
    s->dhe_full_failed += o->dhe_full_failed;
    s->tls_seen += o->tls_seen;
    s->refused += o->refused;
    for (int ft = 0; ft < HELLO_FEATURES; ft++) {
        s->ok_with[ft] += o->ok_with[ft];
        s->refused_with[ft] += o->refused_with[ft];
    }
    for (uint8_t i = 0; i < o->n_suites; i++)
        TRY(server_list_note(s, SERVER_SUITES, o->suites[i], o->suite_count[i],
                             o->suite_frame[i], file_ref(o->suite_file[i], id)));
    for (uint8_t i = 0; i < o->n_versions; i++)
        TRY(server_list_note(s, SERVER_VERSIONS, o->versions[i], o->version_count[i],
                             o->version_frame[i], file_ref(o->version_file[i], id)));
    for (uint8_t i = 0; i < o->n_groups; i++)
        TRY(server_list_note(s, SERVER_GROUPS, o->groups[i], 0, o->group_frame[i],
                             file_ref(o->group_file[i], id)));
    for (uint8_t i = 0; i < o->n_ske_sigalgs; i++)
        merge_value(s->ske_sigalgs, NULL, NULL, NULL, &s->n_ske_sigalgs, 8, o->ske_sigalgs[i], 0,
                    0, 0);
    for (uint8_t i = 0; i < o->n_refused_by_client; i++)
        merge_value(s->refused_by_client, NULL, NULL, NULL, &s->n_refused_by_client, 4,
                    o->refused_by_client[i], 0, 0, 0);
    s->saw_sni = s->saw_sni || o->saw_sni;
    s->saw_no_sni_ok = s->saw_no_sni_ok || o->saw_no_sni_ok;
    if (s->cert_key[0] == '\0' && o->cert_key[0] != '\0') {
        memcpy(s->cert_key, o->cert_key, sizeof s->cert_key);
        s->cert_key[sizeof s->cert_key - 1] = '\0';
        s->cert_frame = o->cert_frame;
        s->cert_file = file_ref(o->cert_file, id);
    }
    if (s->unknown_ca_frame == 0 && o->unknown_ca_frame != 0) {
        s->unknown_ca_frame = o->unknown_ca_frame;
        s->unknown_ca_file = file_ref(o->unknown_ca_file, id);
    }
    return ST_OK;
}

enum status rules_ctx_merge(struct rule_ctx *into, const struct rule_ctx *from, const char *file)
{
    ENSURE(!into->frozen && into->n_files < UINT32_MAX - 1, ST_LIMIT);
    if (into->n_files == into->cap_files) {
        size_t cap = into->cap_files ? into->cap_files * 2 : 16;
        char **grown = realloc(into->files, cap * sizeof *grown);
        ENSURE(grown != NULL, ST_NOMEM);
        into->files = grown;
        bool *payload = realloc(into->file_payload, cap * sizeof *payload);
        ENSURE(payload != NULL, ST_NOMEM);
        into->file_payload = payload;
        into->cap_files = cap;
    }
    char *name = strdup(file);
    ENSURE(name != NULL, ST_NOMEM);
    into->file_payload[into->n_files] = from->saw_payload;
    into->files[into->n_files++] = name;
    uint32_t id = (uint32_t)into->n_files;
    into->saw_payload = into->saw_payload || from->saw_payload;
    for (size_t i = 0; i < from->n_servers; i++) {
        const struct server_stats *o = &from->servers[i];
        struct server_stats *s = ctx_server_add(into, &o->addr, o->port);
        ENSURE(s != NULL, ST_NOMEM);
        TRY(merge_server(s, o, id));
    }
    return ST_OK;
}

/* The records of a hand-off: a marker, whether a byte flowed, the servers. */
#define CTX_MAGIC 0x544c5358u /* "TLSX" */
#define CTX_MAX_SERVERS (1u << 24)

/* One entry of a server's list in a hand-off. */
struct list_entry {
    uint64_t frame;
    uint32_t count, file;
    uint16_t val;
};

static enum status entry_write(FILE *f, uint64_t frame, uint32_t count, uint32_t file,
                               uint16_t val)
{
    struct list_entry e;
    memset(&e, 0, sizeof e); /* no uninitialised padding in the file */
    e.frame = frame, e.count = count, e.file = file, e.val = val;
    ENSURE(fwrite(&e, sizeof e, 1, f) == 1, ST_IO);
    return ST_OK;
}

static enum status list_write(FILE *f, uint8_t n, const uint16_t *val, const uint32_t *count,
                              const uint64_t *frame, const uint32_t *file)
{
    for (uint8_t i = 0; i < n; i++)
        TRY(entry_write(f, frame[i], count != NULL ? count[i] : 0, file[i], val[i]));
    return ST_OK;
}

static enum status lists_write(FILE *f, const struct server_stats *s)
{
    TRY(list_write(f, s->n_suites, s->suites, s->suite_count, s->suite_frame, s->suite_file));
    TRY(list_write(f, s->n_versions, s->versions, s->version_count, s->version_frame,
                   s->version_file));
    return list_write(f, s->n_groups, s->groups, NULL, s->group_frame, s->group_file);
}

/* The lists after a server read with its struct: its n_* say how many
 * entries follow; the pointers read are the writer's, never used. */
static enum status lists_read(FILE *f, struct server_stats *s)
{
    const uint8_t n[3] = {s->n_suites, s->n_versions, s->n_groups};
    s->suites = NULL, s->suite_count = NULL, s->suite_frame = NULL, s->suite_file = NULL;
    s->versions = NULL, s->version_count = NULL, s->version_frame = NULL, s->version_file = NULL;
    s->groups = NULL, s->group_frame = NULL, s->group_file = NULL;
    s->n_suites = s->cap_suites = s->n_versions = s->cap_versions = 0;
    s->n_groups = s->cap_groups = 0;
    ENSURE(n[0] <= SERVER_MAX_SUITES && n[1] <= SERVER_MAX_VERSIONS && n[2] <= SERVER_MAX_GROUPS,
           ST_IO);
    for (int w = SERVER_SUITES; w <= SERVER_GROUPS; w++)
        for (uint8_t i = 0; i < n[w]; i++) {
            struct list_entry e;
            ENSURE(fread(&e, sizeof e, 1, f) == 1, ST_IO);
            TRY(server_list_note(s, (enum server_list)w, e.val, e.count, e.frame, e.file));
        }
    return ST_OK;
}

enum status rules_ctx_write(FILE *f, const struct rule_ctx *ctx)
{
    uint32_t head[3] = {CTX_MAGIC, ctx->saw_payload, (uint32_t)ctx->n_servers};
    ENSURE(ctx->n_servers < CTX_MAX_SERVERS, ST_LIMIT);
    ENSURE(fwrite(head, sizeof head, 1, f) == 1, ST_IO);
    for (size_t i = 0; i < ctx->n_servers; i++) {
        ENSURE(fwrite(&ctx->servers[i], sizeof ctx->servers[i], 1, f) == 1, ST_IO);
        TRY(lists_write(f, &ctx->servers[i]));
    }
    return ST_OK;
}

enum status rules_ctx_read(FILE *f, struct rule_ctx *ctx)
{
    uint32_t head[3];
    ENSURE(fread(head, sizeof head, 1, f) == 1, ST_IO);
    ENSURE(head[0] == CTX_MAGIC && head[1] <= 1 && head[2] < CTX_MAX_SERVERS, ST_IO);
    ctx->saw_payload = head[1] != 0;
    for (uint32_t i = 0; i < head[2]; i++) {
        struct server_stats o;
        ENSURE(fread(&o, sizeof o, 1, f) == 1, ST_IO);
        o.cert_key[sizeof o.cert_key - 1] = '\0';
        enum status st = lists_read(f, &o);
        if (st == ST_OK && (o.n_ske_sigalgs > 8 || o.n_refused_by_client > 4))
            st = ST_IO;
        struct server_stats *s = st == ST_OK ? ctx_server_add(ctx, &o.addr, o.port) : NULL;
        if (st == ST_OK && s == NULL)
            st = ST_NOMEM;
        if (st != ST_OK) {
            server_lists_free(&o);
            return st;
        }
        server_lists_free(s); /* a server written twice: the last stays */
        *s = o;
    }
    return ST_OK;
}

void rules_ctx_freeze(struct rule_ctx *ctx)
{
    ctx->only_tcp_attempts = !ctx->saw_payload;
    ctx->frozen = true;
}

void rules_ctx_judging(struct rule_ctx *ctx, const char *file)
{
    /* in input order, the next capture is the one after the last judged */
    for (size_t k = 0; k < ctx->n_files; k++) {
        size_t i = (ctx->here + k) % ctx->n_files;
        if (strcmp(ctx->files[i], file) == 0) {
            ctx->here = (uint32_t)(i + 1);
            ctx->only_tcp_attempts = !ctx->file_payload[i];
            return;
        }
    }
    ctx->here = 0;
    ctx->only_tcp_attempts = false; /* the first pass could not read it */
}

static bool elsewhere(const struct rule_ctx *ctx, uint32_t file)
{
    return file != 0 && file != ctx->here && file <= ctx->n_files;
}

void ctx_frame_words(const struct rule_ctx *ctx, uint32_t file, uint64_t frame, char *buf,
                     size_t len)
{
    if (elsewhere(ctx, file))
        snprintf(buf, len, "frame %llu of %s", (unsigned long long)frame, ctx->files[file - 1]);
    else
        snprintf(buf, len, "frame %llu", (unsigned long long)frame);
}

uint64_t ctx_frame_here(const struct rule_ctx *ctx, uint32_t file, uint64_t frame)
{
    return elsewhere(ctx, file) ? 0 : frame;
}

const char *ctx_captures(const struct rule_ctx *ctx, bool this_one)
{
    if (ctx->n_files > 1)
        return this_one ? "these captures" : "the captures";
    return this_one ? "this capture" : "the capture";
}
