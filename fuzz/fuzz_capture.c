/* fuzz_capture.c: the whole pipeline on one capture file, as run.c drives it:
 * analyze_file (libpcap, packet decoding, flows, reassembly, TLS), the rule
 * engine, then every reporter (JSON, text with --all -v, the summary).
 *
 * analyze_file takes a path, so the input is written to a memfd and opened
 * as /proc/self/fd/N: no file on disk, and libpcap reads it as it would any
 * capture (pcap or pcapng, by its magic number).
 *
 * The last byte of the input picks how connections are kept: odd, as the
 * default run does (each connection reported as it ends, into the spill
 * file, and freed); even, to the end, as with --html. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>
#include "analyze.h"
#include "report/report.h"
#include "rules/rules.h"
#include "report/spill.h"
#include "report/summary.h"

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

static const struct report_opts rep = {true, true, false, 100};

/* run.c's renderers, both at once: a connection reported as it ends */
static void render(void *ud, const struct analysis *a, const struct conn *c, FILE *out)
{
    (void)ud;
    (void)a;
    if (report_is_tls_attempt(c))
        report_json_connection(out, path, c);
    report_text_connection(out, c, &rep);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!write_input(data, size))
        return 0;
    static const uint16_t ports[] = {443, 8443};
    struct rule_opts ro = {ports, 2, NULL};
    bool keep_all = size == 0 || (data[size - 1] & 1) == 0;
    struct analyze_opts ao = {.max_conns = 5000, .rules = &ro, .keep_all = keep_all,
                              .render = keep_all ? NULL : render};
    struct analysis a;
    enum status st = analyze_file(path, &ao, &a);
    if (st != ST_OK) {
        report_json_error(devnull, path, a.error);
        report_text_error(devnull, path, a.error, false);
        analysis_free(&a);
        return 0;
    }
    if (rules_diagnose(&a) == ST_OK) {
        for (size_t i = 0; i < a.flows.n_conns; i++) {
            const struct conn *c = a.flows.conns[i];
            if (c == NULL)
                (void)spill_copy(a.spill, (uint32_t)i + 1, devnull);
            else if (report_is_tls_attempt(c))
                report_json_connection(devnull, path, c);
        }
        report_json_summary(devnull, &a);
        report_text_file(devnull, &a, &rep);
        struct summary_table *sum = summary_new();
        if (sum != NULL) {
            summary_add(sum, &a);
            if (keep_all)
                summary_add_html(sum, &a);
            summary_print(devnull, sum, true);
            (void)summary_write_html(sum, "/dev/null");
            summary_free(sum);
        }
    }
    analysis_free(&a);
    return 0;
}
