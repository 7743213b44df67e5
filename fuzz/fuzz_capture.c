/* fuzz_capture.c: the whole pipeline on one capture file, as run.c drives it:
 * analyze_file (libpcap, packet decoding, flows, reassembly, TLS), the rule
 * engine, then every reporter (JSON, text with --all -v, the summary).
 *
 * analyze_file takes a path, so the input is written to a memfd and opened
 * as /proc/self/fd/N: no file on disk, and libpcap reads it as it would any
 * capture (pcap or pcapng, by its magic number). */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>
#include "analyze.h"
#include "report.h"
#include "rules.h"
#include "summary.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!write_input(data, size))
        return 0;
    static const uint16_t ports[] = {443, 8443};
    struct rule_opts ro = {ports, 2, NULL};
    /* every connection kept to the end, as with --html, so all reach the rules */
    struct analyze_opts ao = {.max_conns = 5000, .rules = &ro, .keep_all = true};
    struct report_opts rep = {true, true, false, 100};
    struct analysis a;
    enum status st = analyze_file(path, &ao, &a);
    if (st != ST_OK) {
        report_json_error(devnull, path, a.error);
        report_text_error(devnull, path, a.error, false);
        analysis_free(&a);
        return 0;
    }
    if (rules_diagnose(&a) == ST_OK) {
        for (size_t i = 0; i < a.flows.n_conns; i++)
            if (report_is_tls_attempt(a.flows.conns[i]))
                report_json_connection(devnull, path, a.flows.conns[i]);
        report_json_summary(devnull, &a);
        report_text_file(devnull, &a, &rep);
        struct summary_table *sum = summary_new();
        if (sum != NULL) {
            summary_add(sum, &a);
            summary_add_html(sum, &a);
            summary_print(devnull, sum, true);
            (void)summary_write_html(sum, "/dev/null");
            summary_free(sum);
        }
    }
    analysis_free(&a);
    return 0;
}
