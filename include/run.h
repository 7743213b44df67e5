/* run.h: the whole job over a list of inputs: files, folders, or "-". */
#ifndef TLSX_RUN_H
#define TLSX_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum output_mode { OUT_TEXT, OUT_JSON, OUT_SUMMARY };

#define RUN_MAX_PORTS 32
#define RUN_MAX_KEYLOGS 16

struct run_opts {
    enum output_mode mode;
    bool all, verbose, color;
    int width;
    const char *filter;
    int jobs;
    const char *ca_file, *ca_path;
    const char *html;
    uint16_t tls_ports[RUN_MAX_PORTS];
    size_t n_tls_ports;
    size_t max_conns;
    const char *keylog_files[RUN_MAX_KEYLOGS]; /* --keylog: NSS key logs, read as one */
    size_t n_keylogs;
    const char *key_files[RUN_MAX_KEYLOGS];    /* --key: server RSA private keys (PEM) */
    size_t n_keys;
    const char *files_from;    /* --files-from: one input a line ("-": standard input) */
    bool quiet;                /* --quiet: no progress line on a terminal */
    bool context_batch;        /* --context batch: one context across every input */
    bool facts;                /* --facts: facts and contexts in the JSON, for --merge */
};

/* Returns the exit status: 0 no failed handshake, 1 some failed,
 * 2 an input could not be read (the others are still reported). */
int run_inputs(char *const inputs[], size_t n, const struct run_opts *o);

#endif
