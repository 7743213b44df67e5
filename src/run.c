/* run.c: the driver. Every input through analysis, the rule engine and the
 * reporters picked from a table by output mode (report/reporter.h); folders
 * are walked in name order, compressed and archived inputs give their
 * captures one by one (capture/input_stream.h); with --jobs, inputs are
 * analysed by child processes and their output is printed in input order.
 * The key log, the trust store, the reporters and the progress line travel
 * in one run context. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "analyze.h"
#include "capture/input_list.h"
#include "capture/input_progress.h"
#include "capture/input_stream.h"
#include "file_report.h"
#include "final_pass.h"
#include "held_store.h"
#include "tcp/classify.h"
#include "util/temp_file.h"
#include "x509/cert.h"
#include "tls/keylog.h"
#include "capture_secrets.h"
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
    /* --context batch: the context of every input, built before any is
     * judged (batch_context), or NULL to judge each capture alone */
    struct rule_ctx *batch;
};

/* One file while it is read: what the finished callback needs. */
struct file_run {
    struct run_ctx *run;
    const char *path;
    struct rule_ctx *ctx;
    struct spill *spill;               /* output of the connections let go */
    struct held_store *store;          /* connections stowed until the final pass */
    struct file_facts *facts;          /* counted by the final pass */
    struct keylog_cover keys;          /* of the connections let go */
    struct capture_secrets secrets;    /* the capture's own key log */
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
    capture_secrets_conn_gone(&fr->secrets, c);
    return true;
}

/* analyze_opts.stow: a connection held for the final pass, quiet a long
 * while, waits on disk instead (held_store.h). */
static bool connection_stowed(void *ud, struct analysis *a, struct conn *c)
{
    struct file_run *fr = ud;
    (void)a;
    if (held_store_put(&fr->store, c) != ST_OK)
        return false;
    capture_secrets_conn_gone(&fr->secrets, c);
    return true;
}

/* final_pass_judge: each connection counted in id order; one read back is
 * reported now, into the spill, as one let go early was. */
static enum status conn_judged(void *ud, struct conn *c, bool stowed)
{
    struct file_run *fr = ud;
    report_count_connection(fr->facts, c);
    return stowed ? report_set_early(&fr->run->reporters, &fr->spill, fr->path, c) : ST_OK;
}

/* The final pass: the verdict of every connection still held, then the
 * rule engine over them with the context of the whole file; the file's
 * facts counted as they are judged. */
static enum status judge_file(struct analysis *a, struct file_run *fr, struct file_facts *facts)
{
    file_report_base(a, true, facts);
    fr->facts = facts;
    a->ctx = fr->ctx;
    TRY(final_pass_fold(a, fr->store, fr->ctx));
    TRY(final_pass_judge(a, fr->store, fr->ctx, conn_judged, fr));
    report_count_done(fr->facts);
    return ST_OK;
}

/* The context a capture is judged in: its own, or the batch's. */
static struct rule_ctx *capture_context(struct run_ctx *run, const char *path)
{
    if (run->batch == NULL)
        return rules_ctx_new(&run->rules);
    rules_ctx_judging(run->batch, path);
    return run->batch;
}

/* Analyses one capture (read from stream when not NULL, named path) and
 * hands it to the reporters; returns its exit status. */
static int one_file(const char *path, FILE *stream, struct input_source *src,
                    struct run_ctx *run, FILE *out, FILE *err)
{
    const struct run_opts *o = run->o;
    struct file_run fr = {.run = run, .path = path, .ctx = capture_context(run, path)};
    struct analyze_opts ao = {
        .filter = o->filter,
        .max_conns = o->max_conns,
        .keylog = run->keylog,
        .finished = connection_over,
        .finished_ud = &fr,
        .stow = run->keep_all ? NULL : connection_stowed,
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
    /* secrets embedded in a pcapng capture come first, then --keylog */
    capture_secrets_begin(&fr.secrets, src, run->keylog, &ao);
    enum status st = analyze_file(path, &ao, &a);
    char note[200];
    capture_secrets_end(&fr.secrets, &a, note, sizeof note);
    if (note[0] != '\0') {
        progress_clear(run->pg);
        report_text_error(err, path, note, o->color);
    }
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
    } else if ((st = judge_file(&a, &fr, &facts)) != ST_OK) {
        progress_clear(run->pg);
        report_text_error(err, path,
                          st == ST_NOMEM ? "out of memory while diagnosing"
                                         : "connections kept in a temporary file could not be "
                                           "read back (is TMPDIR full?): not reported",
                          o->color);
        rc = 2;
    } else {
        if (a.damaged) {
            progress_clear(run->pg);
            report_text_error(err, path, a.error, o->color);
        }
        facts.ctx = fr.ctx != run->batch ? fr.ctx : NULL;
        facts.keys.given = keylog_in_use(ao.keylog);
        facts.keys.tls += fr.keys.tls;
        facts.keys.covered += fr.keys.covered;
        facts.keys.verified += fr.keys.verified;
        facts.keys.wrong += fr.keys.wrong;
        facts.keys.missing += fr.keys.missing;
        facts.keys.forward_secret += fr.keys.forward_secret;
        facts.keys.unsupported += fr.keys.unsupported;
        facts.keys.late = fr.secrets.late;
        report_set_file(&run->reporters, out, analysis_connections(&a), &facts, fr.spill);
        rc = facts.k.failed > 0 ? 1 : 0;
        if (spill_lost(fr.spill) > 0) {
            char lost[160];
            snprintf(lost, sizeof lost,
                     "%zu connection reports could not be read back from the temporary file "
                     "(is TMPDIR full?): they are missing above",
                     spill_lost(fr.spill));
            progress_clear(run->pg);
            report_text_error(err, path, lost, o->color);
            rc = 2;
        }
    }
    analysis_free(&a);
    capture_secrets_free(&fr.secrets);
    if (fr.ctx != run->batch)
        rules_ctx_free(fr.ctx);
    spill_close(fr.spill);
    held_store_close(fr.store);
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

/* --jobs: a pool of N worker processes, forked once. The parent hands a
 * worker the number of the next input (the largest first) as soon as that
 * worker is free; the worker appends the input's output, its messages, its
 * summary rows and the members it passed over to its own four temporary
 * files and answers with the exit status and where in those files the input's part lies. The
 * parent prints each input's parts in input order, so the output does not
 * depend on N nor on which worker ends first. A worker keeps its process
 * and its files from one input to the next: heap pages, libcrypto's caches
 * and nDPI's module (while nDPI has learnt nothing in it, see classify.c)
 * stay warm, and no file is made per input. */

enum job_state {
    JOB_WAITING, /* not handed to a worker yet */
    JOB_SENT,    /* a worker is on it */
    JOB_DONE,    /* its parts are written */
    JOB_DIED,    /* its worker died on it */
    JOB_PARENT,  /* the parent reads it (skipped input, or no worker could) */
};

enum { PART_OUT, PART_ERR, PART_ROWS, PART_SKIPS, PARTS };

/* A worker's four files, made (and unlinked) by the parent before the
 * fork: the worker writes through the FILEs, the parent reads with pread,
 * which leaves the shared file offset alone. Kept to the end of the run,
 * as inputs a worker finished may be printed after it died. */
struct part_files {
    FILE *f[PARTS];
};

/* Where one input's parts lie in its worker's files. */
struct job_done {
    size_t input;
    int rc;                  /* the input's exit status */
    long from[PARTS], to[PARTS];
};

/* Inputs a worker holds at once: the one it reads and, when the next is
 * small, that one too, sent ahead so that the worker does not wait for the
 * parent between two small captures (over 141 captures of a few kB each,
 * -j 2 was slower than -j 1). A large input is never queued behind
 * another: the largest-first order keeps the workers ending together. */
#define WORKER_QUEUE 2
#define WORKER_QUEUE_BYTES ((uint64_t)4 << 20)

struct worker {
    pid_t pid;               /* -1: none */
    int sock;                /* the parent's end of the socket pair */
    size_t files;            /* index of its part_files */
    size_t queue[WORKER_QUEUE]; /* inputs sent, in the order it reads them */
    size_t queued;
};

/* Workers forked in a run at most, replacements included. */
#define POOL_MAX_SPAWNS 512

struct pool {
    struct input_list *files;
    struct run_ctx *run;
    struct worker ws[256];
    size_t n_ws;
    struct part_files parts[POOL_MAX_SPAWNS];
    size_t n_parts;
    unsigned char *state;    /* enum job_state per input */
    struct job_done *done;   /* per input */
    size_t *set;             /* per input: the part_files it is in */
    size_t *order;           /* inputs in the order they are handed out */
    size_t *again;           /* inputs sent to a worker lost before it began them */
    size_t n_again;
};

/* A socket pair (not a pipe) so that writing to a worker that died is an
 * error (MSG_NOSIGNAL), not a SIGPIPE. */
static bool sock_full(int fd, void *buf, size_t len, bool out)
{
    char *p = buf;
    while (len > 0) {
        ssize_t n = out ? send(fd, p, len, MSG_NOSIGNAL) : recv(fd, p, len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

static bool parts_mark(struct part_files *pf, long at[PARTS])
{
    for (size_t k = 0; k < PARTS; k++) {
        if (fflush(pf->f[k]) != 0 || (at[k] = ftell(pf->f[k])) < 0)
            return false;
    }
    return true;
}

static _Noreturn void worker_main(int sock, struct part_files *pf, struct input_list *files,
                                  struct run_ctx *run)
{
    report_set_handoff(&run->reporters, NULL); /* the rows so far are the parent's */
    size_t input;
    while (sock_full(sock, &input, sizeof input, false) && input < files->n) {
        struct job_done d = {.input = input};
        if (!parts_mark(pf, d.from))
            break;
        struct input_entry *e = &files->v[input];
        d.rc = one_input(e, run, pf->f[PART_OUT], pf->f[PART_ERR]);
        report_set_handoff(&run->reporters, pf->f[PART_ROWS]);
        input_skips_write(pf->f[PART_SKIPS], e);
        if (!parts_mark(pf, d.to) || !sock_full(sock, &d, sizeof d, true))
            break;
    }
    _exit(0);
}

/* Forks worker w with four new files; the child keeps only its own end of
 * its socket pair. */
static void worker_spawn(struct pool *p, size_t w)
{
    struct worker *wk = &p->ws[w];
    *wk = (struct worker){.pid = -1, .sock = -1};
    if (p->n_parts == POOL_MAX_SPAWNS)
        return;
    struct part_files *pf = &p->parts[p->n_parts];
    for (size_t k = 0; k < PARTS; k++)
        if ((pf->f[k] = temp_file()) == NULL) {
            for (size_t j = 0; j < k; j++)
                fclose(pf->f[j]);
            return;
        }
    p->n_parts++;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        return;
    pid_t pid = fork();
    if (pid == 0) {
        close(sv[0]);
        for (size_t i = 0; i < p->n_ws; i++)
            if (p->ws[i].sock >= 0)
                close(p->ws[i].sock);
        worker_main(sv[1], pf, p->files, p->run);
    }
    close(sv[1]);
    if (pid < 0) {
        close(sv[0]);
        return;
    }
    *wk = (struct worker){.pid = pid, .sock = sv[0], .files = p->n_parts - 1};
}

static void worker_stop(struct worker *w)
{
    if (w->sock >= 0)
        close(w->sock); /* the worker reads the end and exits */
    if (w->pid > 0)
        while (waitpid(w->pid, NULL, 0) < 0 && errno == EINTR)
            ;
    *w = (struct worker){.pid = -1, .sock = -1};
}

/* A worker that died or stopped answering: it died on the input it was
 * reading; those queued behind it go to another worker. */
static void worker_lost(struct pool *p, struct worker *w)
{
    for (size_t k = 0; k < w->queued; k++) {
        size_t input = w->queue[k];
        p->state[input] = k == 0 ? JOB_DIED : JOB_WAITING;
        if (k > 0)
            p->again[p->n_again++] = input;
    }
    worker_stop(w);
}

/* Copies bytes [from, to) of f to dst; false on a short read. */
static bool part_copy(FILE *f, long from, long to, FILE *dst)
{
    char buf[65536];
    off_t at = from;
    while (at < to) {
        size_t want = (size_t)(to - at) < sizeof buf ? (size_t)(to - at) : sizeof buf;
        ssize_t n = pread(fileno(f), buf, want, at);
        if (n <= 0)
            return false;
        fwrite(buf, 1, (size_t)n, dst);
        at += n;
    }
    return true;
}

/* Bytes [from, to) of f as a stream to read (the rows and skips are small
 * text); NULL when they cannot be read. *mem is to be freed. */
static FILE *part_open(FILE *f, long from, long to, char **mem)
{
    size_t n = (size_t)(to - from);
    *mem = malloc(n + 1);
    if (*mem == NULL || pread(fileno(f), *mem, n, from) != (ssize_t)n)
        return NULL;
    return n ? fmemopen(*mem, n, "r") : fopen("/dev/null", "r");
}

/* Prints input i in its place; returns its exit status. */
static int job_print(struct pool *p, size_t i)
{
    struct input_entry *e = &p->files->v[i];
    struct run_ctx *run = p->run;
    const struct job_done *d = &p->done[i];
    switch ((enum job_state)p->state[i]) {
    case JOB_DONE: {
        struct part_files *pf = &p->parts[p->set[i]];
        char *rows_mem = NULL, *skips_mem = NULL;
        int rc = d->rc;
        progress_hold(run->pg, d->to[PART_ERR] > d->from[PART_ERR]);
        if (!part_copy(pf->f[PART_OUT], d->from[PART_OUT], d->to[PART_OUT], stdout) ||
            !part_copy(pf->f[PART_ERR], d->from[PART_ERR], d->to[PART_ERR], stderr))
            rc = 2;
        fflush(stdout);
        fflush(stderr);
        progress_release(run->pg);
        FILE *rows = part_open(pf->f[PART_ROWS], d->from[PART_ROWS], d->to[PART_ROWS], &rows_mem);
        FILE *skips =
            part_open(pf->f[PART_SKIPS], d->from[PART_SKIPS], d->to[PART_SKIPS], &skips_mem);
        if (rows != NULL)
            report_set_take(&run->reporters, rows);
        if (rows == NULL || skips == NULL || input_skips_read(skips, e) != ST_OK)
            rc = 2;
        if (rows)
            fclose(rows);
        if (skips)
            fclose(skips);
        free(rows_mem);
        free(skips_mem);
        return rc;
    }
    case JOB_DIED:
        progress_clear(run->pg);
        fprintf(stderr, "tlsexplain: %s: the analysis died\n", e->path);
        return 2;
    case JOB_WAITING:
    case JOB_SENT:
    case JOB_PARENT:
        break;
    }
    return one_input(e, run, stdout, stderr);
}

/* An answer's ranges are read as told: each must lie in its file. */
static bool parts_sane(const struct job_done *d)
{
    for (size_t k = 0; k < PARTS; k++)
        if (d->from[k] < 0 || d->to[k] < d->from[k])
            return false;
    return true;
}

/* Waits for an answer from a busy worker; a worker that died is reaped,
 * its input marked, and a new one forked in its place. */
static void pool_wait(struct pool *p)
{
    struct pollfd pfd[256];
    size_t who[256], n = 0;
    for (size_t w = 0; w < p->n_ws; w++)
        if (p->ws[w].queued > 0) {
            pfd[n] = (struct pollfd){.fd = p->ws[w].sock, .events = POLLIN};
            who[n++] = w;
        }
    if (n == 0 || poll(pfd, n, -1) <= 0)
        return; /* EINTR: the caller asks again */
    for (size_t i = 0; i < n; i++) {
        if (pfd[i].revents == 0)
            continue;
        struct worker *w = &p->ws[who[i]];
        struct job_done d;
        if (sock_full(w->sock, &d, sizeof d, false) && d.input == w->queue[0] &&
            parts_sane(&d)) {
            memmove(w->queue, w->queue + 1, --w->queued * sizeof w->queue[0]);
            p->state[d.input] = JOB_DONE;
            p->done[d.input] = d;
            p->set[d.input] = w->files;
            continue;
        }
        worker_lost(p, w);
        worker_spawn(p, who[i]);
    }
}

/* The next input to hand out, not taken yet; false when none is waiting.
 * Inputs given back by a lost worker come first. */
static bool pool_peek(struct pool *p, size_t *next, size_t *input)
{
    while (p->n_again > 0 && p->state[p->again[p->n_again - 1]] != JOB_WAITING)
        p->n_again--;
    if (p->n_again > 0) {
        *input = p->again[p->n_again - 1];
        return true;
    }
    while (*next < p->files->n && p->state[p->order[*next]] != JOB_WAITING)
        (*next)++; /* the parent took it when no worker was left */
    if (*next == p->files->n)
        return false;
    *input = p->order[*next];
    return true;
}

static void pool_take(struct pool *p, size_t *next)
{
    if (p->n_again > 0)
        p->n_again--;
    else
        (*next)++;
}

/* Hands the next inputs, in p->order, to the workers: first one to each
 * idle worker, then a second to each that has one, when it is small. */
static void pool_dispatch(struct pool *p, size_t *next)
{
    for (size_t depth = 0; depth < WORKER_QUEUE; depth++)
        for (size_t w = 0; w < p->n_ws; w++) {
            struct worker *wk = &p->ws[w];
            size_t input;
            if (wk->pid < 0 || wk->queued != depth || !pool_peek(p, next, &input))
                continue;
            if (depth > 0 && p->files->v[input].bytes > WORKER_QUEUE_BYTES)
                return; /* it waits for an idle worker */
            pool_take(p, next);
            if (!sock_full(wk->sock, &input, sizeof input, true)) {
                p->again[p->n_again++] = input; /* it goes to another worker */
                worker_lost(p, wk);
                continue;
            }
            wk->queue[wk->queued++] = input;
            p->state[input] = JOB_SENT;
        }
}

static bool pool_busy(const struct pool *p)
{
    for (size_t w = 0; w < p->n_ws; w++)
        if (p->ws[w].queued > 0)
            return true;
    return false;
}

/* The order inputs are handed out in: the largest first, so that the last
 * ones are small and the workers end together (longest processing time
 * first); inputs with nothing to read are the parent's to list. */
struct order_key {
    uint64_t bytes;
    size_t input;
};

static int larger_first(const void *a, const void *b)
{
    const struct order_key *x = a, *y = b;
    if (x->bytes != y->bytes)
        return x->bytes > y->bytes ? -1 : 1;
    return x->input < y->input ? -1 : 1;
}

static void pool_order(struct pool *p)
{
    struct order_key *keys = calloc(p->files->n, sizeof *keys);
    for (size_t i = 0; i < p->files->n; i++) {
        if (p->files->v[i].skip != SKIP_WHY_NONE)
            p->state[i] = JOB_PARENT;
        p->order[i] = i;
        if (keys != NULL)
            keys[i] = (struct order_key){.bytes = p->files->v[i].bytes, .input = i};
    }
    if (keys == NULL)
        return; /* input order, as good but for the last worker's wait */
    qsort(keys, p->files->n, sizeof *keys, larger_first);
    for (size_t i = 0; i < p->files->n; i++)
        p->order[i] = keys[i].input;
    free(keys);
}

static int run_parallel(struct input_list *files, struct run_ctx *run)
{
    struct pool *p = calloc(1, sizeof *p);
    int rc = 0;
    if (p == NULL || (p->state = calloc(files->n, 1)) == NULL ||
        (p->done = calloc(files->n, sizeof *p->done)) == NULL ||
        (p->set = calloc(files->n, sizeof *p->set)) == NULL ||
        (p->order = calloc(files->n, sizeof *p->order)) == NULL ||
        (p->again = calloc(files->n, sizeof *p->again)) == NULL) {
        /* the parent reads every input itself */
        for (size_t i = 0; i < files->n; i++)
            rc = worst(rc, one_input(&files->v[i], run, stdout, stderr));
        goto done;
    }
    p->files = files;
    p->run = run;
    p->n_ws = (size_t)run->o->jobs;
    if (p->n_ws > input_list_to_read(files))
        p->n_ws = input_list_to_read(files);
    for (size_t w = 0; w < p->n_ws; w++)
        p->ws[w] = (struct worker){.pid = -1, .sock = -1};
    fflush(stdout); /* nothing buffered is written again by a worker */
    fflush(stderr);
    for (size_t w = 0; w < p->n_ws; w++)
        worker_spawn(p, w);
    pool_order(p);
    size_t next = 0, printed = 0;
    while (printed < files->n) {
        pool_dispatch(p, &next);
        if (p->state[printed] == JOB_SENT ||
            (p->state[printed] == JOB_WAITING && pool_busy(p))) {
            pool_wait(p);
            continue;
        }
        if (p->state[printed] == JOB_WAITING) /* no worker is left to take it */
            p->state[printed] = JOB_PARENT;
        rc = worst(rc, job_print(p, printed));
        printed++;
    }
    for (size_t w = 0; w < p->n_ws; w++)
        worker_stop(&p->ws[w]);
    for (size_t k = 0; k < p->n_parts; k++)
        for (size_t j = 0; j < PARTS; j++)
            fclose(p->parts[k].f[j]);
done:
    if (p != NULL) {
        free(p->state);
        free(p->done);
        free(p->set);
        free(p->order);
        free(p->again);
    }
    free(p);
    return rc;
}

/* --context batch, first pass: every capture is read as for its own
 * judgement, its connections folded into a context of its own and nothing
 * reported; the contexts are then folded into the batch's in input order,
 * so -j 1 and -j N build the same. Errors are the second pass's to tell. */

/* One capture of the first pass while it is read. */
struct fold_run {
    struct rule_ctx *ctx;
    struct held_store *store;          /* connections stowed until the fold */
};

/* analyze_opts.finished: a connection that succeeded is folded and let go. */
static bool connection_folded(void *ud, struct analysis *a, struct conn *c)
{
    struct fold_run *fo = ud;
    verdict_decide(c);
    quic_table_note_tcp(&a->quic, c, c->verdict == VERDICT_OK);
    if (c->verdict != VERDICT_OK)
        return false;
    return rules_fold(fo->ctx, (struct conn_slots){.v = &c, .n = 1}) == ST_OK;
}

/* analyze_opts.stow: as in the second pass, a held connection long quiet
 * waits on disk for the fold at the end. */
static bool connection_fold_stowed(void *ud, struct analysis *a, struct conn *c)
{
    struct fold_run *fo = ud;
    (void)a;
    return held_store_put(&fo->store, c) == ST_OK;
}

/* The context of one capture; NULL when it cannot be read. */
static struct rule_ctx *fold_capture(const char *path, FILE *stream, struct input_source *src,
                                     const struct run_ctx *run)
{
    struct fold_run fo = {.ctx = rules_ctx_new(&run->rules)};
    if (fo.ctx == NULL) {
        if (stream != NULL)
            fclose(stream);
        return NULL;
    }
    struct analyze_opts ao = {
        .filter = run->o->filter,
        .max_conns = run->o->max_conns,
        .keylog = run->keylog,
        .finished = connection_folded,
        .finished_ud = &fo,
        .stow = connection_fold_stowed,
        .stream = stream,
    };
    struct analysis a;
    struct capture_secrets secrets;
    capture_secrets_begin(&secrets, src, run->keylog, &ao);
    enum status st = analyze_file(path, &ao, &a);
    /* what they lacked is the second pass's to say */
    char note[200];
    capture_secrets_end(&secrets, &a, note, sizeof note);
    if (st == ST_OK)
        st = final_pass_fold(&a, fo.store, fo.ctx);
    analysis_free(&a);
    capture_secrets_free(&secrets);
    held_store_close(fo.store);
    if (st != ST_OK) {
        rules_ctx_free(fo.ctx);
        return NULL;
    }
    return fo.ctx;
}

/* Folds every capture of one input into the batch context, or, in a
 * --jobs child (hand not NULL), writes each one's name and context there. */
static enum status fold_input(const struct input_entry *e, struct run_ctx *run, FILE *hand)
{
    char msg[256];
    struct input_source *src = NULL;
    if (e->skip != SKIP_WHY_NONE)
        return ST_OK;
    if (input_source_open(e->path, run->pg, &src, msg, sizeof msg) != ST_OK) {
        input_source_close(src);
        return ST_OK;
    }
    enum status st = ST_OK;
    struct input_item it;
    while (st == ST_OK && input_source_next(src, &it, msg, sizeof msg) == ST_OK &&
           it.what != INPUT_ITEM_END) {
        if (it.what == INPUT_ITEM_SKIP)
            continue;
        struct rule_ctx *ctx = fold_capture(it.name, it.fp, src, run);
        if (ctx == NULL)
            continue;
        if (hand == NULL) {
            st = rules_ctx_merge(run->batch, ctx, it.name);
        } else {
            uint32_t len = (uint32_t)strlen(it.name);
            st = fwrite(&len, sizeof len, 1, hand) == 1 && fwrite(it.name, 1, len, hand) == len
                     ? rules_ctx_write(hand, ctx)
                     : ST_IO;
        }
        rules_ctx_free(ctx);
    }
    input_source_close(src);
    return st;
}

/* The captures a --jobs child handed over, folded in its input's place. */
#define HANDED_MAX_NAME (1u << 20)
static enum status fold_handed(FILE *hand, struct run_ctx *run)
{
    rewind(hand);
    uint32_t len;
    while (fread(&len, sizeof len, 1, hand) == 1) {
        ENSURE(len < HANDED_MAX_NAME, ST_IO);
        char *name = malloc((size_t)len + 1);
        struct rule_ctx *ctx = rules_ctx_new(&run->rules);
        enum status st = name != NULL && ctx != NULL ? ST_OK : ST_NOMEM;
        if (st == ST_OK && fread(name, 1, len, hand) != len)
            st = ST_IO;
        if (st == ST_OK) {
            name[len] = '\0';
            st = rules_ctx_read(hand, ctx);
        }
        if (st == ST_OK)
            st = rules_ctx_merge(run->batch, ctx, name);
        rules_ctx_free(ctx);
        free(name);
        TRY(st);
    }
    return ST_OK;
}

/* The first pass with --jobs: up to N children at once, each folding one
 * input into a temporary file the parent reads in input order. */
static enum status fold_parallel(const struct input_list *files, struct run_ctx *run)
{
    enum status st = ST_OK;
    for (size_t next = 0; next < files->n && st == ST_OK;) {
        size_t batch = files->n - next;
        if (batch > (size_t)run->o->jobs)
            batch = (size_t)run->o->jobs;
        FILE *hands[256];
        pid_t pids[256];
        for (size_t i = 0; i < batch; i++) {
            hands[i] = temp_file();
            pids[i] = hands[i] != NULL ? fork() : -1;
            if (pids[i] == 0) {
                enum status r = fold_input(&files->v[next + i], run, hands[i]);
                _exit(r == ST_OK && fflush(hands[i]) == 0 ? 0 : 3);
            }
        }
        for (size_t i = 0; i < batch; i++) {
            int status = 0;
            bool done = pids[i] > 0 && waitpid(pids[i], &status, 0) == pids[i] &&
                        WIFEXITED(status) && WEXITSTATUS(status) == 0;
            /* a child that could not run or died: this process does its part */
            if (st == ST_OK)
                st = done ? fold_handed(hands[i], run) : fold_input(&files->v[next + i], run, NULL);
            if (hands[i] != NULL)
                fclose(hands[i]);
        }
        next += batch;
    }
    return st;
}

/* --context batch: the batch context from every input, frozen. */
static enum status batch_context(const struct input_list *files, struct run_ctx *run)
{
    run->batch = rules_ctx_new(&run->rules);
    ENSURE(run->batch != NULL, ST_NOMEM);
    if (run->o->jobs > 1 && input_list_to_read(files) > 1) {
        TRY(fold_parallel(files, run));
    } else {
        for (size_t i = 0; i < files->n; i++)
            TRY(fold_input(&files->v[i], run, NULL));
    }
    rules_ctx_freeze(run->batch);
    return ST_OK;
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

/* --context batch reads every input twice: standard input cannot be one. */
static enum status batch_input_check(const struct input_list *files)
{
    for (size_t i = 0; i < files->n; i++)
        if (strcmp(files->v[i].path, "-") == 0) {
            fprintf(stderr, "tlsexplain: --context batch reads every input twice; standard "
                            "input cannot be one (save it to a file first)\n");
            return ST_UNSUPPORTED;
        }
    return ST_OK;
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
        .certs = run->rules.certs, .facts = o->facts,
    };
    TRY(report_set_open(&run->reporters, pick, n, &rep));
    run->keep_all = report_set_keeps_connections(&run->reporters);
    run->rules.no_words = report_set_counts_only(&run->reporters);
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
    /* progress on a terminal only, and counted in bytes read from disk;
     * --context batch reads everything twice */
    unsigned passes = o->context_batch ? 2 : 1;
    if (!o->quiet && isatty(STDERR_FILENO))
        run.pg = progress_new(STDERR_FILENO, passes * input_list_to_read(&files),
                              passes * input_list_bytes(&files), isatty(STDOUT_FILENO));
    if (o->context_batch && batch_input_check(&files) != ST_OK)
        goto done;
    if (o->context_batch) {
        enum status st = batch_context(&files, &run);
        if (st != ST_OK) {
            fprintf(stderr, "tlsexplain: cannot build the batch context: %s\n",
                    status_name(st));
            goto done;
        }
    }
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
    rules_ctx_free(run.batch);
    report_set_close(&run.reporters);
    cert_store_free(store);
    cert_cache_free(certs);
    keylog_free(keys);
    input_list_free(&files);
    classifier_release_all();
    return rc;
}
