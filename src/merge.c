/* merge.c: the driver of --merge. Each line of each JSON Lines file is
 * parsed with json-c; the summary lines become the rows of the summary
 * table (report/summary.c, the reporter -s uses), the error and skipped
 * lines what they are in a run, so the output equals that of one run over
 * the captures, in the order of the files given. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "capture/input_skip.h"
#include "merge.h"
#include "merge_batch.h"
#include "merge_json.h"
#include "report/report.h"
#include "report/reporter.h"
#include "rules/rules.h"
#include "util/escape.h"

struct merge {
    const struct run_opts *o;
    void *table;               /* the summary reporter */
    struct {
        char *name;
        const char *why;
    } *skipped;
    size_t n_skipped, cap_skipped;
    int rc;
    /* --context batch: the connections judged again, in two passes */
    struct batch_merge *batch;
    int pass;
};

/* The rule table's own string for a diagnosis id (the summary keeps
 * pointers, not copies), or NULL for an id this version does not know. */
static const char *known_id(const char *id)
{
    for (size_t i = 0; i < rules_count; i++)
        if (strcmp(rules_table[i]->id, id) == 0)
            return rules_table[i]->id;
    return NULL;
}

static bool merge_summary(struct merge *m, struct json_object *obj, const char *file)
{
    struct file_facts f = {.path = file, .read_ok = true, .error = ""};
    bool ok = merge_get_count(obj, "connections", &f.k.connections) && merge_get_count(obj, "tls", &f.k.tls) &&
              merge_get_count(obj, "ok", &f.k.ok) && merge_get_count(obj, "failed", &f.k.failed) &&
              merge_get_count(obj, "incomplete", &f.k.incomplete) &&
              merge_get_count(obj, "not_tls", &f.k.not_tls);
    const char *error = merge_get_string(obj, "error");
    if (error != NULL) {
        f.damaged = true;
        f.error = error;
    }
    struct json_object *causes;
    if (ok && json_object_object_get_ex(obj, "causes", &causes)) {
        if (!json_object_is_type(causes, json_type_object))
            return false;
        struct json_object_iterator it = json_object_iter_begin(causes);
        struct json_object_iterator end = json_object_iter_end(causes);
        for (; ok && !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
            const char *id = known_id(json_object_iter_peek_name(&it));
            struct json_object *v = json_object_iter_peek_value(&it);
            int64_t n = json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : -1;
            ok = n >= 0 && n <= ((int64_t)1 << 48);
            if (!ok || id == NULL || f.n_causes >= FILE_FACTS_CAUSES)
                continue; /* an id of a later version is not counted */
            f.causes[f.n_causes++] = (struct cause_count){.id = id, .title = "", .count = (size_t)n};
        }
    }
    if (!ok)
        return false;
    reporter_summary.end_file(m->table, stdout, &f);
    if (f.damaged)
        report_text_error(stderr, file, f.error, m->o->color);
    if (f.k.failed > 0 && m->rc < 1)
        m->rc = 1;
    return true;
}

static bool merge_error(struct merge *m, struct json_object *obj, const char *file)
{
    bool unreadable;
    const char *error = merge_error_of(obj, &unreadable);
    if (error == NULL)
        return false;
    if (unreadable) {
        struct file_facts f = {.path = file, .unreadable = true, .error = error};
        reporter_summary.end_file(m->table, stdout, &f);
    }
    report_text_error(stderr, file, error, m->o->color);
    m->rc = 2;
    return true;
}

static bool merge_skipped(struct merge *m, struct json_object *obj, const char *file)
{
    const char *reason = merge_get_string(obj, "reason");
    if (reason == NULL || m->n_skipped >= MERGE_MAX_SKIPPED)
        return reason != NULL;
    /* the reason as this version words it, when it is one of its own */
    const char *why = NULL;
    for (int w = 0; w < SKIP_WHY_COUNT && why == NULL; w++)
        if (strcmp(input_skip_text((enum input_skip_why)w), reason) == 0)
            why = input_skip_text((enum input_skip_why)w);
    if (m->n_skipped == m->cap_skipped) {
        size_t cap = m->cap_skipped ? m->cap_skipped * 2 : 16;
        void *grown = realloc(m->skipped, cap * sizeof *m->skipped);
        if (grown == NULL)
            return false;
        m->skipped = grown;
        m->cap_skipped = cap;
    }
    char *name = strdup(file);
    if (name == NULL)
        return false;
    m->skipped[m->n_skipped].name = name;
    m->skipped[m->n_skipped].why = why != NULL ? why : "not read";
    m->n_skipped++;
    return true;
}

/* One JSON line; false when it is not an object a run writes. */
static bool merge_line(struct merge *m, const char *line)
{
    enum json_tokener_error jerr;
    struct json_object *obj = json_tokener_parse_verbose(line, &jerr);
    if (obj == NULL)
        return false;
    bool ok = false;
    const char *type = json_object_is_type(obj, json_type_object) ? merge_get_string(obj, "type") : NULL;
    const char *file = type != NULL ? merge_get_string(obj, "file") : NULL;
    if (file != NULL && m->batch != NULL) {
        if (m->pass == 1)
            ok = merge_batch_fold(m->batch, type, obj, file);
        else if (strcmp(type, "skipped") == 0 && m->o->mode == OUT_JSON)
            ok = merge_get_string(obj, "reason") != NULL &&
                 (report_json_skipped(stdout, file, merge_get_string(obj, "reason")), true);
        else if (strcmp(type, "skipped") == 0)
            ok = merge_skipped(m, obj, file);
        else
            ok = merge_batch_line(m->batch, type, obj, file);
    } else if (file != NULL) {
        if (strcmp(type, "summary") == 0)
            ok = merge_summary(m, obj, file);
        else if (strcmp(type, "error") == 0)
            ok = merge_error(m, obj, file);
        else if (strcmp(type, "skipped") == 0)
            ok = merge_skipped(m, obj, file);
        else /* the summary line counts the connections; facts are for --context batch */
            ok = strcmp(type, "connection") == 0 || strcmp(type, "facts") == 0 ||
                 strcmp(type, "context") == 0;
    }
    json_object_put(obj);
    return ok;
}

static void merge_file(struct merge *m, const char *path)
{
    bool from_stdin = strcmp(path, "-") == 0;
    FILE *f = from_stdin ? stdin : fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "tlsexplain: --merge: cannot read %s\n", path);
        m->rc = 2;
        return;
    }
    char *buf = NULL;
    size_t cap = 0, len = 0, lineno = 0, bad = 0, first_bad = 0;
    bool too_long;
    while (merge_read_line(f, &buf, &cap, &len, &too_long)) {
        lineno++;
        if (len == 0 && !too_long)
            continue;
        if ((too_long || !merge_line(m, buf)) && m->pass != 1) {
            if (bad++ == 0)
                first_bad = lineno;
        }
    }
    if (ferror(f) && m->pass != 1) {
        fprintf(stderr, "tlsexplain: --merge: %s: read error\n", path);
        m->rc = 2;
    }
    if (bad > 0) {
        fprintf(stderr, "tlsexplain: --merge: %s: %zu line%s not read as tlsexplain JSON "
                        "Lines (the first is line %zu)\n",
                path, bad, bad == 1 ? "" : "s", first_bad);
        m->rc = 2;
    }
    free(buf);
    if (!from_stdin)
        fclose(f);
}

/* --context batch: the contexts of every file first, then the connections. */
static int merge_judging(struct merge *m, char *const files[], size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(files[i], "-") == 0) {
            fprintf(stderr, "tlsexplain: --merge --context batch reads every file twice; "
                            "standard input cannot be one\n");
            return 2;
        }
    m->batch = merge_batch_open(m->o);
    if (m->batch == NULL) {
        fprintf(stderr, "tlsexplain: --merge --context batch cannot start\n");
        return 2;
    }
    m->pass = 1;
    for (size_t i = 0; i < n; i++)
        merge_file(m, files[i]);
    merge_batch_freeze(m->batch);
    m->pass = 2;
    for (size_t i = 0; i < n; i++)
        merge_file(m, files[i]);
    int rc = merge_batch_finish(m->batch);
    merge_batch_close(m->batch);
    m->batch = NULL;
    return rc;
}

int merge_runs(char *const files[], size_t n, const struct run_opts *o)
{
    const struct report_opts ro = {.width = o->width};
    struct merge m = {.o = o};
    if (o->context_batch) {
        int rc = merge_judging(&m, files, n);
        m.rc = m.rc > rc ? m.rc : rc;
    } else {
        m.table = reporter_summary.open(&ro, NULL);
        if (m.table == NULL) {
            fprintf(stderr, "tlsexplain: out of memory\n");
            return 2;
        }
        for (size_t i = 0; i < n; i++)
            merge_file(&m, files[i]);
        reporter_summary.finish(m.table, stdout);
        reporter_summary.close(m.table);
    }
    if (m.n_skipped > 0)
        printf("\n%zu input%s skipped:\n", m.n_skipped, m.n_skipped == 1 ? "" : "s");
    for (size_t i = 0; i < m.n_skipped; i++) {
        char safe[4096 + 64];
        text_safe_buf(safe, sizeof safe, m.skipped[i].name, strlen(m.skipped[i].name));
        printf("  %s: %s\n", safe, m.skipped[i].why);
        free(m.skipped[i].name);
    }
    free(m.skipped);
    return m.rc;
}
