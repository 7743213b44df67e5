/* summary.c: the batch view over many files, counts per file and per cause:
 * -s prints the table per file and the totals; the text output prints the
 * totals alone after two files or more. Two reporters (reporter.h) over one
 * table. */
#include <stdlib.h>
#include <string.h>
#include "rules/rules.h"
#include "util/escape.h"
#include "report/reporter.h"

#define SUMMARY_MAX_CAUSES 64

struct file_row {
    char *path;
    struct file_counts k;
    bool unreadable;
    unsigned long long dropped; /* connections past --max-connections, not analysed */
    size_t max_conns;
    /* the file's causes, first seen first: the first is the row's, and
     * they are what a --jobs child hands to its parent */
    size_t n_causes;
    struct cause_count causes[FILE_FACTS_CAUSES];
};

struct summary_table {
    bool per_file;             /* -s; otherwise the totals, after 2+ files */
    struct file_row *rows;
    size_t n, cap;
    size_t handed;             /* rows before this one are not this process's to hand off */
    const char *causes[SUMMARY_MAX_CAUSES];
    size_t cause_count[SUMMARY_MAX_CAUSES];
    size_t n_causes;
};

static void count_cause(struct summary_table *t, const char *id, size_t n)
{
    for (size_t i = 0; i < t->n_causes; i++)
        if (strcmp(t->causes[i], id) == 0) {
            t->cause_count[i] += n;
            return;
        }
    if (t->n_causes < SUMMARY_MAX_CAUSES) {
        t->causes[t->n_causes] = id; /* ids are static strings from the rule table */
        t->cause_count[t->n_causes++] = n;
    }
}

static void row_cause(struct summary_table *t, struct file_row *r, const char *id, size_t n)
{
    count_cause(t, id, n);
    for (size_t i = 0; i < r->n_causes; i++)
        if (strcmp(r->causes[i].id, id) == 0) {
            r->causes[i].count += n;
            return;
        }
    if (r->n_causes < FILE_FACTS_CAUSES)
        r->causes[r->n_causes++] = (struct cause_count){.id = id, .title = "", .count = n};
}

static struct file_row *new_row(struct summary_table *t, const char *path)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        struct file_row *grown = realloc(t->rows, cap * sizeof *grown);
        if (grown == NULL)
            return NULL;
        t->rows = grown;
        t->cap = cap;
    }
    struct file_row *r = &t->rows[t->n];
    *r = (struct file_row){.path = strdup(path)};
    if (r->path == NULL)
        return NULL;
    t->n++;
    return r;
}

/* The cause ids are the rule table's static strings: a line read back names
 * one of them, found by comparing. */
static const char *known_id(const char *id)
{
    for (size_t i = 0; i < rules_count; i++)
        if (strcmp(rules_table[i]->id, id) == 0)
            return rules_table[i]->id;
    return NULL;
}

static void print_table(FILE *f, const struct summary_table *t)
{
    size_t files = 0, tls = 0, ok = 0, failed = 0, incomplete = 0;
    for (size_t i = 0; i < t->n; i++) {
        files++;
        tls += t->rows[i].k.tls;
        ok += t->rows[i].k.ok;
        failed += t->rows[i].k.failed;
        incomplete += t->rows[i].k.incomplete;
    }
    if (t->per_file) {
        /* the name column fits the longest path, up to 60; longer ones show their end */
        int w = 4;
        for (size_t i = 0; i < t->n; i++) {
            size_t len = strlen(t->rows[i].path);
            if ((int)len > w)
                w = len > 60 ? 60 : (int)len;
        }
        fprintf(f, "%-*s %6s %6s %6s %6s  %s\n", w, "file", "tls", "ok", "failed", "incompl",
                "first cause");
        for (size_t i = 0; i < t->n; i++) {
            const struct file_row *r = &t->rows[i];
            char name[256];
            size_t len = strlen(r->path);
            const char *shown = len > (size_t)w ? r->path + len - (size_t)(w - 3) : r->path;
            text_safe_buf(name, sizeof name, shown, strlen(shown));
            fprintf(f, "%s%-*s %6zu %6zu %6zu %6zu  %s\n", shown != r->path ? "..." : "",
                    shown != r->path ? w - 3 : w, name, r->k.tls, r->k.ok, r->k.failed,
                    r->k.incomplete,
                    r->unreadable ? "(unreadable)" : r->n_causes ? r->causes[0].id : "-");
        }
    }
    fprintf(f, "\n%zu files: %zu TLS connections, %zu ok, %zu failed, %zu incomplete\n", files,
            tls, ok, failed, incomplete);
    /* the most frequent cause first; ties by name, so the order is stable */
    size_t order[SUMMARY_MAX_CAUSES];
    for (size_t i = 0; i < t->n_causes; i++) {
        size_t j = i;
        for (; j > 0; j--) {
            size_t prev = order[j - 1];
            bool before = t->cause_count[i] > t->cause_count[prev] ||
                          (t->cause_count[i] == t->cause_count[prev] &&
                           strcmp(t->causes[i], t->causes[prev]) < 0);
            if (!before)
                break;
            order[j] = prev;
        }
        order[j] = i;
    }
    for (size_t i = 0; i < t->n_causes; i++)
        fprintf(f, "  %6zu  %s\n", t->cause_count[order[i]], t->causes[order[i]]);
    /* a cap reached is said, never a silent undercount */
    for (size_t i = 0; i < t->n; i++) {
        const struct file_row *r = &t->rows[i];
        if (r->dropped == 0)
            continue;
        char name[512];
        text_safe_buf(name, sizeof name, r->path, strlen(r->path));
        fprintf(f, "note: %s: %llu connections past the limit of %zu were not analysed "
                   "(raise it with --max-connections)\n", name, r->dropped, r->max_conns);
    }
}

/* ---- the reporters (reporter.h) ----------------------------------------- */

static void *open_table(bool per_file)
{
    struct summary_table *t = calloc(1, sizeof *t);
    if (t != NULL)
        t->per_file = per_file;
    return t;
}

static void *summary_open(const struct report_opts *o, const char *dest)
{
    (void)o;
    (void)dest;
    return open_table(true);
}

static void *totals_open(const struct report_opts *o, const char *dest)
{
    (void)o;
    (void)dest;
    return open_table(false);
}

static void summary_begin_file(void *self, FILE *out, const struct file_facts *f)
{
    (void)self;
    (void)out;
    (void)f;
}

static void summary_connection(void *self, FILE *out, const char *file, const struct conn *c)
{
    (void)self;
    (void)out;
    (void)file;
    (void)c;
}

static void summary_end_file(void *self, FILE *out, const struct file_facts *f)
{
    struct summary_table *t = self;
    (void)out;
    struct file_row *r = new_row(t, f->path);
    if (r == NULL)
        return;
    r->k = f->k;
    r->unreadable = f->unreadable;
    r->dropped = f->dropped_conns;
    r->max_conns = f->max_conns;
    for (size_t i = 0; f->read_ok && i < f->n_causes; i++)
        row_cause(t, r, f->causes[i].id, f->causes[i].count);
}

static int summary_finish(void *self, FILE *out)
{
    struct summary_table *t = self;
    if (t->per_file || t->n > 1)
        print_table(out, t);
    return 0;
}

static void summary_close(void *self)
{
    struct summary_table *t = self;
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->n; i++)
        free(t->rows[i].path);
    free(t->rows);
    free(t);
}

/* The rows this process added since the mark (an input may hold several
 * captures), one line each: counts, the causes (each id once per failed
 * connection), and the path last, as it may hold any byte but \n. With
 * rows NULL: sets the mark (a --jobs child, right after the fork). */
static void summary_handoff(void *self, FILE *rows)
{
    struct summary_table *t = self;
    for (size_t k = t->handed; rows != NULL && k < t->n; k++) {
        const struct file_row *r = &t->rows[k];
        fprintf(rows, "%zu %zu %zu %zu %zu %zu %d %llu %zu", r->k.connections, r->k.tls, r->k.ok,
                r->k.failed, r->k.incomplete, r->k.not_tls, r->unreadable ? 1 : 0, r->dropped,
                r->max_conns);
        for (size_t i = 0; i < r->n_causes; i++)
            for (size_t c = 0; c < r->causes[i].count; c++)
                fprintf(rows, " %s", r->causes[i].id);
        fprintf(rows, " |%s\n", strchr(r->path, '\n') ? "?" : r->path);
    }
    t->handed = t->n;
}

static void summary_take(void *self, FILE *rows)
{
    struct summary_table *t = self;
    char line[65536];
    while (fgets(line, sizeof line, rows) != NULL) {
        char *bar = strstr(line, " |");
        if (bar == NULL)
            continue;
        *bar = '\0';
        char *path = bar + 2;
        path[strcspn(path, "\n")] = '\0';
        struct file_row *r = new_row(t, path);
        if (r == NULL)
            return;
        int unreadable = 0, used = 0;
        if (sscanf(line, "%zu %zu %zu %zu %zu %zu %d %llu %zu%n", &r->k.connections, &r->k.tls,
                   &r->k.ok, &r->k.failed, &r->k.incomplete, &r->k.not_tls, &unreadable,
                   &r->dropped, &r->max_conns, &used) < 9)
            continue;
        r->unreadable = unreadable != 0;
        char *save = NULL;
        for (char *tok = strtok_r(line + used, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
            const char *id = known_id(tok);
            if (id != NULL)
                row_cause(t, r, id, 1);
        }
    }
}

const struct reporter_ops reporter_summary = {
    .name = "summary",
    .counts_only = true,
    .open = summary_open,
    .begin_file = summary_begin_file,
    .connection = summary_connection,
    .end_file = summary_end_file,
    .finish = summary_finish,
    .close = summary_close,
    .handoff = summary_handoff,
    .take = summary_take,
};

const struct reporter_ops reporter_totals = {
    .name = "totals",
    .counts_only = true,
    .open = totals_open,
    .begin_file = summary_begin_file,
    .connection = summary_connection,
    .end_file = summary_end_file,
    .finish = summary_finish,
    .close = summary_close,
    .handoff = summary_handoff,
    .take = summary_take,
};
