/* run.c: every input through analysis, rules and a reporter; folders are
 * walked in name order; with --jobs, files are analysed by child processes
 * and their output is printed in input order. Compressed and archived
 * inputs give their captures one by one (capture/input_stream.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "analyze.h"
#include "capture/input_list.h"
#include "capture/input_progress.h"
#include "capture/input_stream.h"
#include "x509/cert.h"
#include "tls/keylog.h"
#include "report/report.h"
#include "rules/rules.h"
#include "run.h"
#include "report/spill.h"
#include "report/summary.h"

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

static int worst(int a, int b)
{
    return a > b ? a : b;
}

/* Analyses one capture (read from stream, named path) and prints its
 * report; returns its exit status. */
static int one_file(const char *path, FILE *stream, const struct input_source *src,
                    const struct run_opts *o, const struct cert_store *store, FILE *out,
                    FILE *err, struct summary_table *sum, FILE *rows, struct progress *pg)
{
    struct analysis a;
    struct rule_opts ro = {o->tls_ports, o->n_tls_ports, store};
    struct report_opts rep = {o->all, o->verbose, o->color, o->width};
    struct render_ctx rc_ctx = {o, &rep, path};
    struct analyze_opts ao = {o->filter, o->max_conns, run_keylog, &ro, o->html != NULL, NULL,
                              &rc_ctx, stream};
    if (o->mode == OUT_JSON)
        ao.render = render_json;
    else if (o->mode == OUT_TEXT && o->all)
        ao.render = render_text;
    enum status st = analyze_file(path, &ao, &a);
    int rc = 0;
    /* a stream that failed (a truncated gzip, a damaged member) says why */
    if (st == ST_OK && src != NULL && input_source_read_error(src) != NULL) {
        snprintf(a.error, sizeof a.error, "capture damaged, read stopped early: %s",
                 input_source_read_error(src));
        a.damaged = true;
    }
    if (st != ST_OK) {
        if (o->mode == OUT_JSON)
            report_json_error(out, path, a.error);
        progress_clear(pg); /* the message starts on a line of its own */
        report_text_error(err, path, a.error, o->color);
        if (sum != NULL)
            summary_add(sum, &a);
        if (rows != NULL)
            summary_write_row(rows, &a);
        analysis_free(&a);
        return 2;
    }
    if (rules_diagnose(&a) != ST_OK) {
        progress_clear(pg);
        report_text_error(err, path, "out of memory while diagnosing", o->color);
        analysis_free(&a);
        return 2;
    }
    if (a.damaged) {
        progress_clear(pg);
        report_text_error(err, path, a.error, o->color);
    }
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

static void input_error(FILE *out, FILE *err, const char *name, const char *msg,
                        const struct run_opts *o, struct progress *pg)
{
    progress_clear(pg);
    if (o->mode == OUT_JSON)
        report_json_error(out, name, msg);
    report_text_error(err, name, msg, o->color);
}

/* Every capture in one input (a file, "-", a compressed file or an
 * archive); members passed over are added to e->skipped. Returns the worst
 * exit status. */
static int one_input(struct input_entry *e, const struct run_opts *o,
                     const struct cert_store *store, FILE *out, FILE *err,
                     struct summary_table *sum, FILE *rows, struct progress *pg)
{
    char msg[256];
    if (e->skip != SKIP_WHY_NONE) {
        if (o->mode == OUT_JSON)
            report_json_skipped(out, e->path, input_skip_text(e->skip));
        return 0;
    }
    struct input_source *src = NULL;
    if (input_source_open(e->path, pg, &src, msg, sizeof msg) != ST_OK) {
        input_error(out, err, e->path, msg, o, pg);
        input_source_close(src);
        return 2;
    }
    int rc = 0;
    size_t captures = 0;
    bool cut = false; /* the last capture's stream failed */
    for (;;) {
        struct input_item it;
        if (input_source_next(src, &it, msg, sizeof msg) != ST_OK) {
            /* the capture just read was cut by the same damage: said already */
            if (!cut) {
                input_error(out, err, e->path, msg, o, pg);
                rc = 2;
            }
            break;
        }
        if (it.what == INPUT_ITEM_END)
            break;
        if (it.what == INPUT_ITEM_SKIP) {
            cut = false;
            /* a file named by the user that holds no capture is an error */
            if (!e->found && strcmp(it.name, e->path) == 0) {
                input_error(out, err, it.name, input_skip_text(it.why), o, pg);
                rc = 2;
                continue;
            }
            if (o->mode == OUT_JSON)
                report_json_skipped(out, it.name, input_skip_text(it.why));
            if (input_entry_skip(e, it.name, it.why) != ST_OK)
                rc = 2;
            continue;
        }
        captures++;
        e->captures++;
        rc = worst(rc, one_file(it.name, it.fp, src, o, store, out, err, sum, rows, pg));
        cut = input_source_read_error(src) != NULL;
    }
    if (captures == 0 && rc == 0 && input_kind_is_packed(input_source_kind(src))) {
        if (!e->found) {
            input_error(out, err, e->path, "no capture in the archive", o, pg);
            rc = 2;
        } else if (e->n_skipped == 0) {
            if (o->mode == OUT_JSON)
                report_json_skipped(out, e->path, input_skip_text(SKIP_WHY_NO_CAPTURE_INSIDE));
            rc = input_entry_skip(e, e->path, SKIP_WHY_NO_CAPTURE_INSIDE) == ST_OK ? 0 : 2;
        }
    }
    input_source_close(src);
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

/* --jobs: children write each file's output (and its summary row) to
 * temporary files; the parent prints them in input order, so the output
 * does not depend on N. */
static int run_parallel(struct input_list *files, const struct run_opts *o,
                        const struct cert_store *store, struct summary_table *sum,
                        struct progress *pg)
{
    int rc = 0;
    size_t next = 0;
    while (next < files->n) {
        size_t batch = files->n - next;
        if (batch > (size_t)o->jobs)
            batch = (size_t)o->jobs;
        FILE *outs[256], *errs[256], *rows[256], *skips[256];
        pid_t pids[256];
        for (size_t i = 0; i < batch; i++) {
            struct input_entry *e = &files->v[next + i];
            outs[i] = errs[i] = rows[i] = skips[i] = NULL;
            pids[i] = -1;
            if (e->skip != SKIP_WHY_NONE)
                continue; /* nothing to read: the parent lists it */
            outs[i] = tmpfile();
            errs[i] = tmpfile();
            rows[i] = tmpfile();
            skips[i] = tmpfile();
            pids[i] = (outs[i] && errs[i] && rows[i] && skips[i]) ? fork() : -1;
            if (pids[i] == 0) {
                int r = one_input(e, o, store, outs[i], errs[i], NULL, rows[i], pg);
                input_skips_write(skips[i], e);
                fflush(outs[i]);
                fflush(errs[i]);
                fflush(rows[i]);
                fflush(skips[i]);
                _exit(r);
            }
        }
        for (size_t i = 0; i < batch; i++) {
            struct input_entry *e = &files->v[next + i];
            int status = 0;
            int r = 2;
            if (pids[i] > 0 && waitpid(pids[i], &status, 0) == pids[i] && WIFEXITED(status)) {
                r = WEXITSTATUS(status);
                progress_hold(pg, ftell(errs[i]) > 0);
                copy_out(outs[i], stdout);
                copy_out(errs[i], stderr);
                fflush(stdout);
                fflush(stderr);
                progress_release(pg);
                rewind(rows[i]);
                summary_read_rows(sum, rows[i]);
                rewind(skips[i]);
                if (input_skips_read(skips[i], e) != ST_OK)
                    r = 2;
            } else if (pids[i] > 0) {
                fprintf(stderr, "tlsexplain: %s: the analysis died\n", e->path);
            } else {
                r = one_input(e, o, store, stdout, stderr, sum, NULL, pg);
            }
            for (FILE **fp = (FILE *[]){outs[i], errs[i], rows[i], skips[i]}, **end = fp + 4;
                 fp < end; fp++)
                if (*fp)
                    fclose(*fp);
            rc = worst(rc, r);
        }
        next += batch;
    }
    return rc;
}

/* The inputs named on the command line and in --files-from. */
static enum status list_inputs(char *const inputs[], size_t n, const struct run_opts *o,
                               struct input_list *files)
{
    for (size_t i = 0; i < n; i++) {
        enum status st = input_list_add(files, inputs[i]);
        if (st != ST_OK) {
            fprintf(stderr, "tlsexplain: %s: %s\n", inputs[i], status_name(st));
            return st;
        }
    }
    if (o->files_from == NULL)
        return ST_OK;
    bool from_stdin = strcmp(o->files_from, "-") == 0;
    FILE *f = from_stdin ? stdin : fopen(o->files_from, "r");
    if (f == NULL) {
        fprintf(stderr, "tlsexplain: cannot read the list %s\n", o->files_from);
        return ST_IO;
    }
    char err[128];
    enum status st = input_list_add_from(files, f, err, sizeof err);
    if (st != ST_OK)
        fprintf(stderr, "tlsexplain: --files-from %s: %s\n", o->files_from, err);
    if (!from_stdin)
        fclose(f);
    return st;
}

int run_inputs(char *const inputs[], size_t n, const struct run_opts *o)
{
    struct input_list files = {0};
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
    if (list_inputs(inputs, n, o, &files) != ST_OK) {
        run_keylog = NULL;
        keylog_free(keys);
        input_list_free(&files);
        return 2;
    }
    if (o->ca_file != NULL || o->ca_path != NULL) {
        if (cert_store_load(o->ca_file, o->ca_path, &store) != ST_OK) {
            fprintf(stderr, "tlsexplain: cannot load the trust store\n");
            run_keylog = NULL;
            keylog_free(keys);
            input_list_free(&files);
            return 2;
        }
    }
    struct summary_table *sum = summary_new();
    /* progress on a terminal only, and counted in bytes read from disk */
    struct progress *pg = NULL;
    if (!o->quiet && isatty(STDERR_FILENO))
        pg = progress_new(STDERR_FILENO, input_list_to_read(&files), input_list_bytes(&files),
                          isatty(STDOUT_FILENO));
    /* the HTML report needs every file's facts in this process */
    if (o->jobs > 1 && input_list_to_read(&files) > 1 && o->html == NULL && sum != NULL)
        rc = run_parallel(&files, o, store, sum, pg);
    else
        for (size_t i = 0; i < files.n; i++)
            rc = worst(rc, one_input(&files.v[i], o, store, stdout, stderr, sum, NULL, pg));
    progress_free(pg);
    if (sum != NULL) {
        bool several = input_list_to_read(&files) > 1 || input_list_captures(&files) > 1;
        if (o->mode == OUT_SUMMARY || (o->mode == OUT_TEXT && several))
            summary_print(stdout, sum, o->mode == OUT_SUMMARY);
        if (o->mode != OUT_JSON)
            input_list_print_skipped(stdout, &files);
        if (o->html != NULL && summary_write_html(sum, o->html) != 0) {
            fprintf(stderr, "tlsexplain: cannot write %s\n", o->html);
            rc = 2;
        }
        summary_free(sum);
    }
    cert_store_free(store);
    cert_cache_clear();
    run_keylog = NULL;
    keylog_free(keys);
    input_list_free(&files);
    return rc;
}
