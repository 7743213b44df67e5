/* fuzz_capture.c: the whole pipeline on one capture file, as run.c drives it:
 * analyze_file (libpcap, packet decoding, flows, reassembly, TLS), the rule
 * engine, then every reporter through the reporter table (text with --all
 * -v, JSON, the summary, the HTML page written to /dev/null).
 *
 * analyze_file takes a path, so the input is written to a memfd and opened
 * as /proc/self/fd/N: no file on disk, and libpcap reads it as it would any
 * capture (pcap or pcapng, by its magic number).
 *
 * The last byte of the input picks how connections are kept: odd, as the
 * default run does (each connection reported as it ends, into the spill
 * file, and freed); even, to the end, as with --html (and then the HTML
 * reporter is in the set too). */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>
#include "analyze.h"
#include "file_report.h"
#include "report/report_set.h"
#include "rules/rules.h"
#include "rules/verdict.h"

static FILE *devnull;
static int memfd = -1;
static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    devnull = fopen("/dev/null", "w");
    memfd = memfd_create("fuzz_capture", 0);
    if (devnull == NULL || memfd < 0) {
        perror("fuzz_capture: init");
        _exit(1);
    }
    snprintf(path, sizeof path, "/proc/self/fd/%d", memfd);
    return 0;
}

static bool write_input(const uint8_t *data, size_t size)
{
    if (ftruncate(memfd, 0) != 0)
        return false;
    size_t done = 0;
    while (done < size) {
        ssize_t k = pwrite(memfd, data + done, size - done, (off_t)done);
        if (k <= 0)
            return false;
        done += (size_t)k;
    }
    return true;
}

/* every reporter at once: text with --all -v, JSON, the summary, HTML */
static const struct report_pick every[] = {
    {.ops = &reporter_text}, {.ops = &reporter_json}, {.ops = &reporter_summary},
    {.ops = &reporter_html, .dest = "/dev/null"}};
static const struct report_opts rep = {.all = true, .verbose = true, .color = false, .width = 100};

struct fuzz_file {
    struct report_set *set;
    struct rule_ctx *ctx;
    struct spill *spill;
    bool keep_all;
};

/* run.c's callback: a connection that succeeded is judged, reported as it
 * ends (into the spill) and freed */
static bool finished(void *ud, struct analysis *a, struct conn *c)
{
    struct fuzz_file *ff = ud;
    (void)a;
    if (ff->keep_all)
        return false;
    verdict_decide(c);
    if (c->verdict != VERDICT_OK || rules_finish_ok(ff->ctx, c) != ST_OK ||
        c->verdict != VERDICT_OK)
        return false;
    return report_set_early(ff->set, &ff->spill, path, c) == ST_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!write_input(data, size))
        return 0;
    static const uint16_t ports[] = {443, 8443};
    const struct rule_opts ro = {.tls_ports = ports, .n_tls_ports = 2, .store = NULL};
    struct report_set set;
    struct fuzz_file ff = {.set = &set, .ctx = rules_ctx_new(&ro),
                           .keep_all = size == 0 || (data[size - 1] & 1) == 0};
    /* the HTML reporter needs every connection to the end, as run.c knows
     * from reporter_ops.keeps_connections: it is last, and only with keep_all */
    size_t n_every = sizeof every / sizeof every[0] - (ff.keep_all ? 0 : 1);
    if (ff.ctx == NULL || report_set_open(&set, every, n_every, &rep) != ST_OK) {
        report_set_close(&set);
        rules_ctx_free(ff.ctx);
        return 0;
    }
    struct analyze_opts ao = {.max_conns = 5000, .finished = finished, .finished_ud = &ff};
    struct analysis a;
    struct file_facts facts;
    enum status st = analyze_file(path, &ao, &a);
    if (st != ST_OK) {
        file_report_facts(&a, false, &facts);
        report_set_unreadable(&set, devnull, &facts);
        report_text_error(devnull, path, a.error, false);
    } else {
        for (size_t i = 0; i < analysis_slots(&a); i++)
            if (analysis_conn(&a, i) != NULL)
                verdict_decide(analysis_conn(&a, i));
        a.ctx = ff.ctx;
        if (rules_diagnose(a.ctx, analysis_connections(&a)) == ST_OK) {
            file_report_facts(&a, true, &facts);
            report_set_file(&set, devnull, analysis_connections(&a), &facts, ff.spill);
            /* the page is written to /dev/null */
            (void)report_set_finish(&set, devnull);
        }
    }
    report_set_close(&set);
    analysis_free(&a);
    rules_ctx_free(ff.ctx);
    spill_close(ff.spill);
    return 0;
}
