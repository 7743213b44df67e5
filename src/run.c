/* run.c: the driver. Every input through analysis, the rule engine and the
 * reporters picked from a table by output mode (report/reporter.h); folders
 * are walked in name order; with --jobs, files are analysed by child
 * processes and their output is printed in input order. The key log, the
 * trust store and the reporters travel in one run context. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "analyze.h"
#include "file_report.h"
#include "x509/cert.h"
#include "tls/keylog.h"
#include "report/report_set.h"
#include "rules/rules.h"
#include "rules/verdict.h"
#include "run.h"

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

/* What every file of the run reads, built once by run_inputs and passed
 * down (the --jobs children inherit it): no file-scope state. */
struct run_ctx {
    const struct run_opts *o;
    const struct keylog *keylog;       /* --keylog, or NULL */
    struct rule_opts rules;            /* ports and trust store for the rules */
    struct report_set reporters;
    bool keep_all;                     /* a reporter needs every connection to the end */
};

/* One file while it is read: what the finished callback needs. */
struct file_run {
    struct run_ctx *run;
    const char *path;
    struct rule_ctx *ctx;
    struct spill *spill;               /* output of the connections let go */
};

/* analyze_opts.finished: a connection that succeeded is judged, folded into
 * the context, reported (into the spill, to be copied in its place) and let
 * go; any other stays for the final pass. */
static bool connection_over(void *ud, struct analysis *a, struct conn *c)
{
    struct file_run *fr = ud;
    (void)a;
    if (fr->run->keep_all)
        return false;
    verdict_decide(c);
    if (c->verdict != VERDICT_OK || rules_finish_ok(fr->ctx, c) != ST_OK ||
        c->verdict != VERDICT_OK)
        return false;
    return report_set_early(&fr->run->reporters, &fr->spill, fr->path, c) == ST_OK;
}

/* The final pass: the verdict of every connection still held, then the
 * rule engine over them with the context of the whole file. */
static enum status judge_file(struct analysis *a, struct rule_ctx *ctx)
{
    for (size_t i = 0; i < analysis_slots(a); i++) {
        struct conn *c = analysis_conn(a, i);
        if (c != NULL)
            verdict_decide(c);
    }
    a->ctx = ctx;
    return rules_diagnose(ctx, analysis_connections(a));
}

/* Analyses one file and hands it to the reporters; returns its exit status. */
static int one_file(const char *path, struct run_ctx *run, FILE *out, FILE *err)
{
    const struct run_opts *o = run->o;
    struct file_run fr = {.run = run, .path = path, .ctx = rules_ctx_new(&run->rules)};
    struct analyze_opts ao = {
        .filter = o->filter,
        .max_conns = o->max_conns,
        .keylog = run->keylog,
        .finished = connection_over,
        .finished_ud = &fr,
    };
    struct analysis a;
    struct file_facts facts;
    int rc = 0;
    if (fr.ctx == NULL) {
        report_text_error(err, path, "out of memory", o->color);
        return 2;
    }
    enum status st = analyze_file(path, &ao, &a);
    if (st != ST_OK) {
        file_report_facts(&a, false, &facts);
        report_set_unreadable(&run->reporters, out, &facts);
        report_text_error(err, path, a.error, o->color);
        rc = 2;
    } else if (judge_file(&a, fr.ctx) != ST_OK) {
        report_text_error(err, path, "out of memory while diagnosing", o->color);
        rc = 2;
    } else {
        if (a.damaged)
            report_text_error(err, path, a.error, o->color);
        file_report_facts(&a, true, &facts);
        report_set_file(&run->reporters, out, analysis_connections(&a), &facts, fr.spill);
        rc = facts.k.failed > 0 ? 1 : 0;
    }
    analysis_free(&a);
    rules_ctx_free(fr.ctx);
    spill_close(fr.spill);
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
static int run_parallel(struct path_list *files, struct run_ctx *run)
{
    const struct run_opts *o = run->o;
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
                int r = one_file(files->v[next + i], run, outs[i], errs[i]);
                report_set_handoff(&run->reporters, rows[i]);
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
                report_set_take(&run->reporters, rows[i]);
            } else if (pids[i] > 0) {
                fprintf(stderr, "tlsexplain: %s: the analysis died\n", files->v[next + i]);
            } else {
                r = one_file(files->v[next + i], run, stdout, stderr);
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

/* --keylog: loaded once, with what was wrong in it said on stderr. */
static enum status load_keylog(const char *path, struct keylog **out)
{
    if (keylog_load(path, out) != ST_OK) {
        fprintf(stderr, "tlsexplain: cannot read the key log %s\n", path);
        return ST_IO;
    }
    struct keylog_counts kc;
    keylog_get_counts(*out, &kc);
    if (kc.malformed > 0)
        fprintf(stderr, "tlsexplain: key log %s: %llu malformed line%s skipped\n", path,
                (unsigned long long)kc.malformed, kc.malformed == 1 ? "" : "s");
    if (kc.dropped > 0)
        fprintf(stderr, "tlsexplain: key log %s: more than %u client randoms, %llu secrets "
                "not kept\n", path, KEYLOG_MAX_ENTRIES, (unsigned long long)kc.dropped);
    if (kc.secrets == 0)
        fprintf(stderr, "tlsexplain: key log %s has no TLS 1.3 traffic secret\n", path);
    return ST_OK;
}

/* The reporters of each output mode (the summary's totals follow the text
 * of two files or more); --html adds its own. */
#define MODE_REPORTERS 2
static const struct reporter_ops *const mode_reporters[][MODE_REPORTERS] = {
    [OUT_TEXT] = {&reporter_text, &reporter_totals},
    [OUT_JSON] = {&reporter_json, NULL},
    [OUT_SUMMARY] = {&reporter_summary, NULL},
};

static enum status open_reporters(struct run_ctx *run)
{
    const struct run_opts *o = run->o;
    struct report_pick pick[MODE_REPORTERS + 1];
    size_t n = 0;
    for (size_t i = 0; i < MODE_REPORTERS && mode_reporters[o->mode][i] != NULL; i++)
        pick[n++] = (struct report_pick){.ops = mode_reporters[o->mode][i], .dest = NULL};
    if (o->html != NULL)
        pick[n++] = (struct report_pick){.ops = &reporter_html, .dest = o->html};
    const struct report_opts rep = {
        .all = o->all, .verbose = o->verbose, .color = o->color, .width = o->width,
        .certs = run->rules.certs,
    };
    TRY(report_set_open(&run->reporters, pick, n, &rep));
    run->keep_all = report_set_keeps_connections(&run->reporters);
    return ST_OK;
}

int run_inputs(char *const inputs[], size_t n, const struct run_opts *o)
{
    struct path_list files = {0};
    struct cert_store *store = NULL;
    struct cert_cache *certs = NULL;
    struct keylog *keys = NULL;
    struct run_ctx run = {.o = o};
    int rc = 2;
    if (o->keylog_file != NULL && load_keylog(o->keylog_file, &keys) != ST_OK)
        goto done;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (strcmp(inputs[i], "-") != 0 && stat(inputs[i], &st) == 0 && S_ISDIR(st.st_mode))
            walk(inputs[i], &files, 0);
        else
            push_path(&files, inputs[i]);
    }
    if ((o->ca_file != NULL || o->ca_path != NULL) &&
        cert_store_load(o->ca_file, o->ca_path, &store) != ST_OK) {
        fprintf(stderr, "tlsexplain: cannot load the trust store\n");
        goto done;
    }
    run.keylog = keys;
    certs = cert_cache_new();
    if (certs == NULL) {
        fprintf(stderr, "tlsexplain: out of memory\n");
        goto done;
    }
    run.rules = (struct rule_opts){
        .tls_ports = o->tls_ports, .n_tls_ports = o->n_tls_ports, .store = store, .certs = certs};
    if (open_reporters(&run) != ST_OK) {
        fprintf(stderr, "tlsexplain: out of memory\n");
        goto done;
    }
    rc = 0;
    /* the HTML report needs every file's facts in this process */
    if (o->jobs > 1 && files.n > 1 && !run.keep_all)
        rc = run_parallel(&files, &run);
    else
        for (size_t i = 0; i < files.n; i++)
            rc = worst(rc, one_file(files.v[i], &run, stdout, stderr));
    rc = worst(rc, report_set_finish(&run.reporters, stdout));
done:
    report_set_close(&run.reporters);
    cert_store_free(store);
    cert_cache_free(certs);
    keylog_free(keys);
    for (size_t i = 0; i < files.n; i++)
        free(files.v[i]);
    free(files.v);
    return rc;
}
