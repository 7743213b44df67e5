/* summary.c: the batch summary table (-s, and after several files). */
#include <stdlib.h>
#include <string.h>
#include "rules/diagnosis.h"
#include "util/escape.h"
#include "report/report.h"
#include "report/html.h"
#include "rules/rules.h"
#include "report/summary.h"
#include "rules/verdict.h"

#define SUMMARY_MAX_CAUSES 64

struct file_row {
    char *path;
    struct file_counts k;
    char top_cause[48];
    bool unreadable;
};

struct summary_table {
    struct file_row *rows;
    size_t n, cap;
    const char *causes[SUMMARY_MAX_CAUSES];
    size_t cause_count[SUMMARY_MAX_CAUSES];
    size_t n_causes;
    struct html_report *hr; /* --html: each file's section, drawn as it is read */
};

struct summary_table *summary_new(void)
{
    return calloc(1, sizeof(struct summary_table));
}

static void count_cause(struct summary_table *t, const char *id)
{
    for (size_t i = 0; i < t->n_causes; i++)
        if (strcmp(t->causes[i], id) == 0) {
            t->cause_count[i]++;
            return;
        }
    if (t->n_causes < SUMMARY_MAX_CAUSES) {
        t->causes[t->n_causes] = id; /* ids are static strings from the rule table */
        t->cause_count[t->n_causes++] = 1;
    }
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
    memset(r, 0, sizeof *r);
    r->path = strdup(path);
    if (r->path == NULL)
        return NULL;
    t->n++;
    return r;
}

void summary_add(struct summary_table *t, const struct analysis *a)
{
    if (t == NULL)
        return;
    struct file_row *r = new_row(t, a->path);
    if (r == NULL)
        return;
    report_counts(a, &r->k);
    r->unreadable = a->unreadable;
    for (size_t i = 0; i < a->flows.n_conns; i++) {
        const char *id = report_cause(a->flows.conns[i]);
        if (id == NULL)
            continue;
        count_cause(t, id);
        if (r->top_cause[0] == '\0')
            snprintf(r->top_cause, sizeof r->top_cause, "%s", id);
    }
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

void summary_write_row(FILE *f, const struct analysis *a)
{
    struct file_counts k;
    report_counts(a, &k);
    /* counts, then the causes; the path last, as it may hold any byte but \n */
    fprintf(f, "%zu %zu %zu %zu %zu %zu %d", k.connections, k.tls, k.ok, k.failed, k.incomplete,
            k.not_tls, a->unreadable ? 1 : 0);
    for (size_t i = 0; i < a->flows.n_conns; i++) {
        const char *id = report_cause(a->flows.conns[i]);
        if (id != NULL)
            fprintf(f, " %s", id);
    }
    fprintf(f, " |%s\n", strchr(a->path, '\n') ? "?" : a->path);
}

void summary_read_rows(struct summary_table *t, FILE *f)
{
    char line[65536];
    while (fgets(line, sizeof line, f) != NULL) {
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
        if (sscanf(line, "%zu %zu %zu %zu %zu %zu %d%n", &r->k.connections, &r->k.tls, &r->k.ok,
                   &r->k.failed, &r->k.incomplete, &r->k.not_tls, &unreadable, &used) < 7)
            continue;
        r->unreadable = unreadable != 0;
        char *save = NULL;
        for (char *tok = strtok_r(line + used, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
            const char *id = known_id(tok);
            if (id == NULL)
                continue;
            count_cause(t, id);
            if (r->top_cause[0] == '\0')
                snprintf(r->top_cause, sizeof r->top_cause, "%s", id);
        }
    }
}

void summary_print(FILE *f, const struct summary_table *t, bool per_file)
{
    size_t files = 0, tls = 0, ok = 0, failed = 0, incomplete = 0;
    for (size_t i = 0; i < t->n; i++) {
        files++;
        tls += t->rows[i].k.tls;
        ok += t->rows[i].k.ok;
        failed += t->rows[i].k.failed;
        incomplete += t->rows[i].k.incomplete;
    }
    if (per_file) {
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
                    r->unreadable ? "(unreadable)" : r->top_cause[0] ? r->top_cause : "-");
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
}

void summary_add_html(struct summary_table *t, const struct analysis *a)
{
    if (t == NULL)
        return;
    if (t->hr == NULL)
        t->hr = html_new();
    if (t->hr != NULL)
        html_add_file(t->hr, a);  /* after the rules, before the facts are freed */
}

int summary_write_html(const struct summary_table *t, const char *path)
{
    return html_write(t->hr, path);
}

void summary_free(struct summary_table *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->n; i++)
        free(t->rows[i].path);
    free(t->rows);
    html_free(t->hr);
    free(t);
}
