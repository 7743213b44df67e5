/* run.c: the driver. Every input through analysis, the rule engine and the
 * reporters picked from a table by output mode (report/reporter.h); folders
 * are walked in name order, compressed and archived inputs give their
 * captures one by one (capture/input_stream.h); with --jobs, inputs are
 * analysed by child processes and their output is printed in input order.
 * The key log, the trust store, the reporters and the progress line travel
 * in one run context. */
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
#include "file_report.h"
#include "x509/cert.h"
#include "tls/keylog.h"
#include "capture/pcapng_secrets.h"
#include "report/report_set.h"
#include "rules/rules.h"
#include "rules/verdict.h"
#include "run.h"

/* What every file of the run reads, built once by run_inputs and passed
 * down (the --jobs children inherit it): no file-scope state. */
struct run_ctx {
    const struct run_opts *o;
    const struct keylog *keylog;       /* --keylog, or NULL */
    struct rule_opts rules;            /* ports and trust store for the rules */
    struct report_set reporters;
    bool keep_all;                     /* a reporter needs every connection to the end */
    struct progress *pg;               /* the progress line on a terminal, or NULL */
};

/* One file while it is read: what the finished callback needs. */
struct file_run {
    struct run_ctx *run;
    const char *path;
    struct rule_ctx *ctx;
    struct spill *spill;               /* output of the connections let go */
    struct keylog_cover keys;          /* of the connections let go */
};

/* analyze_opts.finished: a connection that succeeded is judged, folded into
 * the context, reported (into the spill, to be copied in its place) and let
 * go; any other stays for the final pass. */
static bool connection_over(void *ud, struct analysis *a, struct conn *c)
{
    struct file_run *fr = ud;
    if (fr->run->keep_all)
        return false;
    verdict_decide(c);
    quic_table_note_tcp(&a->quic, c, c->verdict == VERDICT_OK);
    if (c->verdict != VERDICT_OK || rules_finish_ok(fr->ctx, c) != ST_OK ||
        c->verdict != VERDICT_OK)
        return false;
    if (report_set_early(&fr->run->reporters, &fr->spill, fr->path, c) != ST_OK)
        return false;
    report_count_keys(&fr->keys, c);
    return true;
}

/* The final pass: the verdict of every connection still held, then the
 * rule engine over them with the context of the whole file. */
static enum status judge_file(struct analysis *a, struct rule_ctx *ctx)
{
    for (size_t i = 0; i < analysis_slots(a); i++) {
        struct conn *c = analysis_conn(a, i);
        if (c == NULL)
            continue;
        verdict_decide(c);
        /* a TCP connection may be the fallback of a QUIC attempt */
        quic_table_note_tcp(&a->quic, c, c->verdict == VERDICT_OK);
    }
    a->ctx = ctx;
    return rules_diagnose(ctx, analysis_connections(a));
}

/* The TLS key logs of a pcapng file's Decryption Secrets Blocks, as a key
 * log searched before `global` (--keylog); *out stays NULL without any. */
static enum status embedded_secrets(const char *path, const struct keylog *global,
                                    struct keylog **out)
{
    struct capbuf bytes;
    unsigned found = 0;
    capbuf_init(&bytes, PCAPNG_MAX_SECRETS + PCAPNG_MAX_BLOCKS);
    *out = NULL;
    enum status st = pcapng_tls_secrets(path, &bytes, &found);
    if (st == ST_OK && found > 0) {
        *out = keylog_new();
        st = *out == NULL ? ST_NOMEM : keylog_feed(*out, bytes.p, bytes.len);
        if (st == ST_OK)
            st = keylog_finish(*out);
        if (st == ST_OK)
            keylog_set_fallback(*out, global);
    }
    capbuf_free(&bytes);
    if (st != ST_OK) {
        keylog_free(*out);
        *out = NULL;
    }
    return st;
}

/* Analyses one capture (read from stream when not NULL, named path) and
 * hands it to the reporters; returns its exit status. */
static int one_file(const char *path, FILE *stream, const struct input_source *src,
                    struct run_ctx *run, FILE *out, FILE *err)
{
    const struct run_opts *o = run->o;
    struct file_run fr = {.run = run, .path = path, .ctx = rules_ctx_new(&run->rules)};
    struct analyze_opts ao = {
        .filter = o->filter,
        .max_conns = o->max_conns,
        .keylog = run->keylog,
        .finished = connection_over,
        .finished_ud = &fr,
        .stream = stream,
    };
    struct analysis a;
    struct file_facts facts;
    int rc = 0;
    if (fr.ctx == NULL) {
        if (stream != NULL)
            fclose(stream);
        progress_clear(run->pg);
        report_text_error(err, path, "out of memory", o->color);
        return 2;
    }
    /* secrets embedded in a pcapng file come first, then --keylog; read from
     * the file itself (a compressed or archived capture's are not read) */
    struct keylog *embedded = NULL;
    if (src != NULL && input_source_kind(src) == INPUT_PCAPNG &&
        embedded_secrets(path, run->keylog, &embedded) == ST_OK && embedded != NULL)
        ao.keylog = embedded;
    enum status st = analyze_file(path, &ao, &a);
    /* a stream that failed (a truncated gzip, a damaged member) says why */
    if (st == ST_OK && src != NULL && input_source_read_error(src) != NULL) {
        snprintf(a.error, sizeof a.error, "capture damaged, read stopped early: %s",
                 input_source_read_error(src));
        a.damaged = true;
    }
    if (st != ST_OK) {
        file_report_facts(&a, false, &facts);
        report_set_unreadable(&run->reporters, out, &facts);
        progress_clear(run->pg); /* the message starts on a line of its own */
        report_text_error(err, path, a.error, o->color);
        rc = 2;
    } else if (judge_file(&a, fr.ctx) != ST_OK) {
        progress_clear(run->pg);
        report_text_error(err, path, "out of memory while diagnosing", o->color);
        rc = 2;
    } else {
        if (a.damaged) {
            progress_clear(run->pg);
            report_text_error(err, path, a.error, o->color);
        }
        file_report_facts(&a, true, &facts);
        facts.keys.given = ao.keylog != NULL;
        facts.keys.tls += fr.keys.tls;
        facts.keys.covered += fr.keys.covered;
        facts.keys.verified += fr.keys.verified;
        facts.keys.wrong += fr.keys.wrong;
        facts.keys.missing += fr.keys.missing;
        facts.keys.forward_secret += fr.keys.forward_secret;
        facts.keys.unsupported += fr.keys.unsupported;
        report_set_file(&run->reporters, out, analysis_connections(&a), &facts, fr.spill);
        rc = facts.k.failed > 0 ? 1 : 0;
    }
    analysis_free(&a);
    keylog_free(embedded);
    rules_ctx_free(fr.ctx);
    spill_close(fr.spill);
    return rc;
}

static int worst(int a, int b)
{
    return a > b ? a : b;
}

static void input_error(FILE *out, FILE *err, const char *name, const char *msg,
                        const struct run_ctx *run)
{
    progress_clear(run->pg);
    if (run->o->mode == OUT_JSON)
        report_json_error(out, name, msg);
    report_text_error(err, name, msg, run->o->color);
}

static void input_skipped(FILE *out, const char *name, enum input_skip_why why,
                          const struct run_ctx *run)
{
    if (run->o->mode == OUT_JSON)
        report_json_skipped(out, name, input_skip_text(why));
}

/* Every capture in one input (a file, "-", a compressed file or an
 * archive); members passed over are added to e->skipped. Returns the worst
 * exit status. */
static int one_input(struct input_entry *e, struct run_ctx *run, FILE *out, FILE *err)
{
    char msg[256];
    if (e->skip != SKIP_WHY_NONE) {
        input_skipped(out, e->path, e->skip, run);
        return 0;
    }
    struct input_source *src = NULL;
    if (input_source_open(e->path, run->pg, &src, msg, sizeof msg) != ST_OK) {
        input_error(out, err, e->path, msg, run);
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
                input_error(out, err, e->path, msg, run);
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
                input_error(out, err, it.name, input_skip_text(it.why), run);
                rc = 2;
                continue;
            }
            input_skipped(out, it.name, it.why, run);
            if (input_entry_skip(e, it.name, it.why) != ST_OK)
                rc = 2;
            continue;
        }
        captures++;
        e->captures++;
        rc = worst(rc, one_file(it.name, it.fp, src, run, out, err));
        cut = input_source_read_error(src) != NULL;
    }
    if (captures == 0 && rc == 0 && input_kind_is_packed(input_source_kind(src))) {
        if (!e->found) {
            input_error(out, err, e->path, "no capture in the archive", run);
            rc = 2;
        } else if (e->n_skipped == 0) {
            input_skipped(out, e->path, SKIP_WHY_NO_CAPTURE_INSIDE, run);
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

/* --jobs: children write each input's output (its summary rows and the
 * members it passed over) to temporary files; the parent prints them in
 * input order, so the output does not depend on N. */
static int run_parallel(struct input_list *files, struct run_ctx *run)
{
    const struct run_opts *o = run->o;
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
                report_set_handoff(&run->reporters, NULL); /* the rows so far are the parent's */
                int r = one_input(e, run, outs[i], errs[i]);
                report_set_handoff(&run->reporters, rows[i]);
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
                progress_hold(run->pg, ftell(errs[i]) > 0);
                copy_out(outs[i], stdout);
                copy_out(errs[i], stderr);
                fflush(stdout);
                fflush(stderr);
                progress_release(run->pg);
                report_set_take(&run->reporters, rows[i]);
                rewind(skips[i]);
                if (input_skips_read(skips[i], e) != ST_OK)
                    r = 2;
            } else if (pids[i] > 0) {
                fprintf(stderr, "tlsexplain: %s: the analysis died\n", e->path);
            } else {
                r = one_input(e, run, stdout, stderr);
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

/* --keylog: every file into one table, loaded once, with what was wrong in
 * each said on stderr (counts are the table's, so each file's are the
 * difference). */
static enum status load_keylogs(const struct run_opts *o, struct keylog **out)
{
    *out = keylog_new();
    if (*out == NULL)
        return ST_NOMEM;
    struct keylog_counts before = {0}, kc;
    for (size_t i = 0; i < o->n_keylogs; i++) {
        const char *path = o->keylog_files[i];
        if (keylog_load_into(*out, path) != ST_OK) {
            fprintf(stderr, "tlsexplain: cannot read the key log %s\n", path);
            return ST_IO;
        }
        keylog_get_counts(*out, &kc);
        uint64_t bad = kc.malformed - before.malformed, dropped = kc.dropped - before.dropped;
        if (bad > 0)
            fprintf(stderr, "tlsexplain: key log %s: %llu malformed line%s skipped\n", path,
                    (unsigned long long)bad, bad == 1 ? "" : "s");
        if (dropped > 0)
            fprintf(stderr, "tlsexplain: key log %s: more than %u client randoms, %llu "
                    "secrets not kept\n", path, KEYLOG_MAX_ENTRIES, (unsigned long long)dropped);
        if (kc.secrets == before.secrets)
            fprintf(stderr, "tlsexplain: key log %s has no TLS secret\n", path);
        before = kc;
    }
    for (size_t i = 0; i < o->n_keys; i++) {
        enum status st = keylog_add_server_key(*out, o->key_files[i]);
        if (st != ST_OK) {
            fprintf(stderr, "tlsexplain: --key %s: %s\n", o->key_files[i],
                    st == ST_UNSUPPORTED ? "not an RSA private key (only an RSA key "
                                           "exchange can be decrypted with a server key)"
                                         : "cannot read a PEM private key");
            return st == ST_UNSUPPORTED ? ST_UNSUPPORTED : ST_IO;
        }
    }
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
    struct input_list files = {0};
    struct cert_store *store = NULL;
    struct cert_cache *certs = NULL;
    struct keylog *keys = NULL;
    struct run_ctx run = {.o = o};
    int rc = 2;
    if (o->n_keylogs + o->n_keys > 0 && load_keylogs(o, &keys) != ST_OK)
        goto done;
    if (list_inputs(inputs, n, o, &files) != ST_OK)
        goto done;
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
    /* progress on a terminal only, and counted in bytes read from disk */
    if (!o->quiet && isatty(STDERR_FILENO))
        run.pg = progress_new(STDERR_FILENO, input_list_to_read(&files), input_list_bytes(&files),
                              isatty(STDOUT_FILENO));
    rc = 0;
    /* the HTML report needs every file's facts in this process */
    if (o->jobs > 1 && input_list_to_read(&files) > 1 && !run.keep_all)
        rc = run_parallel(&files, &run);
    else
        for (size_t i = 0; i < files.n; i++)
            rc = worst(rc, one_input(&files.v[i], &run, stdout, stderr));
    progress_free(run.pg);
    run.pg = NULL;
    rc = worst(rc, report_set_finish(&run.reporters, stdout));
    if (o->mode != OUT_JSON)
        input_list_print_skipped(stdout, &files);
done:
    report_set_close(&run.reporters);
    cert_store_free(store);
    cert_cache_free(certs);
    keylog_free(keys);
    input_list_free(&files);
    return rc;
}
