/* run.c: every input through analysis, rules and a reporter; folders are
 * walked in name order; with --jobs, files are analysed by child processes
 * and their output is printed in input order. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "analyze.h"
#include "x509/cert.h"
#include "tls/keylog.h"
#include "report/report.h"
#include "rules/rules.h"
#include "run.h"
#include "report/spill.h"
#include "report/summary.h"

struct path_list {
    char **v;
    size_t n, cap;
};

static int push_path(struct path_list *l, const char *p)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **grown = realloc(l->v, cap * sizeof *grown);
        if (grown == NULL)
            return -1;
        l->v = grown;
        l->cap = cap;
    }
    l->v[l->n] = strdup(p);
    if (l->v[l->n] == NULL)
        return -1;
    l->n++;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* In a folder, only files that start like a pcap or pcapng are captures. */
static bool looks_like_capture(const char *path)
{
    static const uint8_t magics[][4] = {{0xd4, 0xc3, 0xb2, 0xa1}, {0xa1, 0xb2, 0xc3, 0xd4},
                                        {0x4d, 0x3c, 0xb2, 0xa1}, {0xa1, 0xb2, 0x3c, 0x4d},
                                        {0x0a, 0x0d, 0x0d, 0x0a}};
    uint8_t head[4];
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return false;
    size_t n = fread(head, 1, 4, f);
    fclose(f);
    if (n != 4)
        return false;
    for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++)
        if (memcmp(head, magics[i], 4) == 0)
            return true;
    return false;
}

static int walk(const char *dir, struct path_list *out, int depth)
{
    DIR *d = opendir(dir);
    if (d == NULL || depth > 32) {
        if (d)
            closedir(d);
        return 0;
    }
    struct path_list here = {0};
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        size_t n = strlen(dir) + strlen(e->d_name) + 2;
        char *p = malloc(n);
        if (p == NULL)
            break;
        size_t dl = strlen(dir);
        while (dl > 1 && dir[dl - 1] == '/')
            dl--;
        snprintf(p, n, "%.*s/%s", (int)dl, dir, e->d_name);
        if (push_path(&here, p) != 0) {
            free(p);
            break;
        }
        free(p);
    }
    closedir(d);
    if (here.n > 1)
        qsort(here.v, here.n, sizeof here.v[0], cmp_str);
    for (size_t i = 0; i < here.n; i++) {
        struct stat st, lst;
        if (stat(here.v[i], &st) != 0 || lstat(here.v[i], &lst) != 0)
            continue;
        /* links to folders are not followed (find does the same): two links
         * to "." would make the walk take 2^32 steps */
        if (S_ISDIR(st.st_mode) && !S_ISLNK(lst.st_mode))
            walk(here.v[i], out, depth + 1);
        else if (S_ISREG(st.st_mode) && looks_like_capture(here.v[i]))
            push_path(out, here.v[i]);
        free(here.v[i]);
        here.v[i] = NULL;
    }
    for (size_t i = 0; i < here.n; i++)
        free(here.v[i]);
    free(here.v);
    return 0;
}

/* --keylog: loaded once by run_inputs, read by every analysis (and by the
 * --jobs children, which inherit it). */
static const struct keylog *run_keylog;

/* How a connection that succeeded is reported when it is let go early: as
 * it will appear in the output, written ahead into the spill. */
struct render_ctx {
    const struct run_opts *o;
    const struct report_opts *rep;
    const char *path;
};

static void render_json(void *ud, const struct analysis *a, const struct conn *c, FILE *out)
{
    const struct render_ctx *r = ud;
    (void)a;
    if (report_is_tls_attempt(c))
        report_json_connection(out, r->path, c);
}

static void render_text(void *ud, const struct analysis *a, const struct conn *c, FILE *out)
{
    const struct render_ctx *r = ud;
    (void)a;
    report_text_connection(out, c, r->rep);
}

/* Analyses one file and prints its report; returns its exit status. */
static int one_file(const char *path, const struct run_opts *o,
                    const struct cert_store *store, FILE *out, FILE *err,
                    struct summary_table *sum, FILE *rows)
{
    struct analysis a;
    struct rule_opts ro = {o->tls_ports, o->n_tls_ports, store};
    struct report_opts rep = {o->all, o->verbose, o->color, o->width};
    struct render_ctx rc_ctx = {o, &rep, path};
    struct analyze_opts ao = {o->filter, o->max_conns, run_keylog, &ro, o->html != NULL, NULL,
                              &rc_ctx};
    if (o->mode == OUT_JSON)
        ao.render = render_json;
    else if (o->mode == OUT_TEXT && o->all)
        ao.render = render_text;
    enum status st = analyze_file(path, &ao, &a);
    int rc = 0;
    if (st != ST_OK) {
        if (o->mode == OUT_JSON)
            report_json_error(out, path, a.error);
        report_text_error(err, path, a.error, o->color);
        if (sum != NULL)
            summary_add(sum, &a);
        if (rows != NULL)
            summary_write_row(rows, &a);
        analysis_free(&a);
        return 2;
    }
    if (rules_diagnose(&a) != ST_OK) {
        report_text_error(err, path, "out of memory while diagnosing", o->color);
        analysis_free(&a);
        return 2;
    }
    if (a.damaged)
        report_text_error(err, path, a.error, o->color);
    struct file_counts k;
    report_counts(&a, &k);
    if (k.failed > 0)
        rc = 1;
    switch (o->mode) {
    case OUT_JSON:
        for (size_t i = 0; i < a.flows.n_conns; i++) {
            const struct conn *c = a.flows.conns[i];
            if (c == NULL)
                spill_copy(a.spill, (uint32_t)i + 1, out); /* reported when it ended */
            else if (report_is_tls_attempt(c))
                report_json_connection(out, path, c);
        }
        report_json_summary(out, &a);
        break;
    case OUT_TEXT:
        report_text_file(out, &a, &rep);
        break;
    case OUT_SUMMARY:
        break;
    }
    if (sum != NULL)
        summary_add(sum, &a);
    if (rows != NULL)
        summary_write_row(rows, &a);
    if (o->html != NULL)
        summary_add_html(sum, &a);
    analysis_free(&a);
    return rc;
}

static void copy_out(FILE *src, FILE *dst)
{
    char buf[8192];
    size_t n;
    rewind(src);
    while ((n = fread(buf, 1, sizeof buf, src)) > 0)
        fwrite(buf, 1, n, dst);
}

static int worst(int a, int b)
{
    return a > b ? a : b;
}

/* --jobs: children write each file's output (and its summary row) to
 * temporary files; the parent prints them in input order, so the output
 * does not depend on N. */
static int run_parallel(struct path_list *files, const struct run_opts *o,
                        const struct cert_store *store, struct summary_table *sum)
{
    int rc = 0;
    size_t next = 0;
    while (next < files->n) {
        size_t batch = files->n - next;
        if (batch > (size_t)o->jobs)
            batch = (size_t)o->jobs;
        FILE *outs[256], *errs[256], *rows[256];
        pid_t pids[256];
        for (size_t i = 0; i < batch; i++) {
            outs[i] = tmpfile();
            errs[i] = tmpfile();
            rows[i] = tmpfile();
            pids[i] = (outs[i] && errs[i] && rows[i]) ? fork() : -1;
            if (pids[i] == 0) {
                int r = one_file(files->v[next + i], o, store, outs[i], errs[i], NULL, rows[i]);
                fflush(outs[i]);
                fflush(errs[i]);
                fflush(rows[i]);
                _exit(r);
            }
        }
        for (size_t i = 0; i < batch; i++) {
            int status = 0;
            int r = 2;
            if (pids[i] > 0 && waitpid(pids[i], &status, 0) == pids[i] && WIFEXITED(status)) {
                r = WEXITSTATUS(status);
                copy_out(outs[i], stdout);
                copy_out(errs[i], stderr);
                rewind(rows[i]);
                summary_read_rows(sum, rows[i]);
            } else if (pids[i] > 0) {
                fprintf(stderr, "tlsexplain: %s: the analysis died\n", files->v[next + i]);
            } else {
                r = one_file(files->v[next + i], o, store, stdout, stderr, sum, NULL);
            }
            for (FILE **fp = (FILE *[]){outs[i], errs[i], rows[i]}, **end = fp + 3; fp < end; fp++)
                if (*fp)
                    fclose(*fp);
            rc = worst(rc, r);
        }
        next += batch;
    }
    return rc;
}

int run_inputs(char *const inputs[], size_t n, const struct run_opts *o)
{
    struct path_list files = {0};
    struct cert_store *store = NULL;
    int rc = 0;
    struct keylog *keys = NULL;
    if (o->keylog_file != NULL) {
        if (keylog_load(o->keylog_file, &keys) != ST_OK) {
            fprintf(stderr, "tlsexplain: cannot read the key log %s\n", o->keylog_file);
            return 2;
        }
        struct keylog_counts kc;
        keylog_get_counts(keys, &kc);
        if (kc.malformed > 0)
            fprintf(stderr, "tlsexplain: key log %s: %llu malformed line%s skipped\n",
                    o->keylog_file, (unsigned long long)kc.malformed,
                    kc.malformed == 1 ? "" : "s");
        if (kc.dropped > 0)
            fprintf(stderr, "tlsexplain: key log %s: more than %u client randoms, %llu secrets "
                    "not kept\n", o->keylog_file, KEYLOG_MAX_ENTRIES,
                    (unsigned long long)kc.dropped);
        if (kc.secrets == 0)
            fprintf(stderr, "tlsexplain: key log %s has no TLS 1.3 traffic secret\n",
                    o->keylog_file);
        run_keylog = keys;
    }
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (strcmp(inputs[i], "-") != 0 && stat(inputs[i], &st) == 0 && S_ISDIR(st.st_mode))
            walk(inputs[i], &files, 0);
        else
            push_path(&files, inputs[i]);
    }
    if (o->ca_file != NULL || o->ca_path != NULL) {
        if (cert_store_load(o->ca_file, o->ca_path, &store) != ST_OK) {
            fprintf(stderr, "tlsexplain: cannot load the trust store\n");
            run_keylog = NULL;
            keylog_free(keys);
            return 2;
        }
    }
    struct summary_table *sum = summary_new();
    /* the HTML report needs every file's facts in this process */
    if (o->jobs > 1 && files.n > 1 && o->html == NULL && sum != NULL)
        rc = run_parallel(&files, o, store, sum);
    else
        for (size_t i = 0; i < files.n; i++)
            rc = worst(rc, one_file(files.v[i], o, store, stdout, stderr, sum, NULL));
    if (sum != NULL) {
        if (o->mode == OUT_SUMMARY || (o->mode == OUT_TEXT && files.n > 1))
            summary_print(stdout, sum, o->mode == OUT_SUMMARY);
        if (o->html != NULL && summary_write_html(sum, o->html) != 0) {
            fprintf(stderr, "tlsexplain: cannot write %s\n", o->html);
            rc = 2;
        }
        summary_free(sum);
    }
    cert_store_free(store);
    run_keylog = NULL;
    keylog_free(keys);
    for (size_t i = 0; i < files.n; i++)
        free(files.v[i]);
    free(files.v);
    return rc;
}
