/* reporter.h: one interface for every output (text, JSON, summary, HTML),
 * a small table of function pointers as ssldump's loggers are. The driver
 * (run.c) picks entries from a table and hands them each file's facts and
 * connections; a reporter never walks the flow table.
 *
 * Per file, in this order:
 *   connection(out = a spill stream)  for each connection let go while the
 *                                     file is read (it succeeded); what is
 *                                     written is kept and copied back below
 *   begin_file(out)                   once the file is read and judged
 *   connection(out)                   for each connection, in id order (the
 *                                     ones let go: their spilled output)
 *   end_file(out)
 * An unreadable file gets end_file alone, with f->read_ok false.
 * finish(out) once after the last file; its value is the run's: 0, or 2
 * when an output could not be written. */
#ifndef TLSX_REPORT_REPORTER_H
#define TLSX_REPORT_REPORTER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "facts/conn.h"
#include "report/report.h"
#include "rules/rules.h"

#define FILE_FACTS_CUT_IDS 10
#define FILE_FACTS_CAUSES 64

/* A diagnosis id and how many failed connections of the file have it. The
 * strings are the rule table's: static. */
struct cause_count {
    const char *id, *title;
    size_t count;
};

/* What a reporter learns of a file beyond its connections; filled by the
 * driver after the rule engine has judged every connection. */
/* How far a key log (--keylog, or secrets in the pcapng) covered the TLS
 * connections of a file. */
struct keylog_cover {
    bool given;                /* a key log was in use for this file */
    size_t tls;                /* TLS connections with protected records */
    size_t covered;            /* ... whose keys opened records */
    size_t verified;           /* ... with a Finished that verifies (TLS <= 1.2) */
    size_t wrong;              /* keys found, but the first record did not open */
    size_t missing;            /* no keys in the log for it */
    size_t forward_secret;     /* --key given, but an (EC)DHE key exchange */
    size_t unsupported;        /* a cipher suite not decrypted here */
    /* TLS connections not in `tls`: their protected records were read
     * before the capture's embedded secrets for them came */
    size_t late;
};

/* Counts one connection into the key log's coverage. */
void report_count_keys(struct keylog_cover *k, const struct conn *c);

struct file_facts {
    const char *path;
    bool read_ok;              /* false: nothing to report but the error */
    bool unreadable, damaged;  /* see struct analysis */
    const char *error;         /* "" when none */
    struct file_counts k;
    uint64_t frames;
    uint64_t cut_frames;       /* frames shorter than on the wire */
    uint32_t snaplen;
    uint64_t dropped_conns;    /* past --max-connections */
    size_t max_conns;
    /* incomplete connections whose handshake the snap length cut */
    size_t n_cut;
    uint32_t cut_ids[FILE_FACTS_CUT_IDS];
    /* causes of the failed connections, in order of first appearance */
    size_t n_causes;
    struct cause_count causes[FILE_FACTS_CAUSES];
    struct keylog_cover keys;
    /* the capture's own context, for --facts (NULL: not written) */
    const struct rule_ctx *ctx;
};

struct reporter_ops {
    const char *name;
    /* true: needs every connection alive until end_file (none let go early) */
    bool keeps_connections;
    /* true: reads of a diagnosis its id and title only, never its words
     * (explanation, fix, evidence, reasons), so the rules need not write them */
    bool counts_only;
    /* dest: the file a reporter writes of its own (--html FILE), NULL for
     * the others, which write to the out stream they are given. Returns
     * NULL when out of memory. */
    void *(*open)(const struct report_opts *o, const char *dest);
    void (*begin_file)(void *self, FILE *out, const struct file_facts *f);
    /* file is the capture's path, even while it is being read */
    void (*connection)(void *self, FILE *out, const char *file, const struct conn *c);
    void (*end_file)(void *self, FILE *out, const struct file_facts *f);
    int (*finish)(void *self, FILE *out);
    void (*close)(void *self);
    /* --jobs: a child writes what it learned of its input (one or more
     * captures) as lines of text (handoff); the parent reads them back
     * (take). handoff with rows NULL marks what the child inherited, right
     * after the fork. NULL for reporters that keep nothing across files. */
    void (*handoff)(void *self, FILE *rows);
    void (*take)(void *self, FILE *rows);
};

/* The JSON summary line of a file (json.c). */
void report_json_summary_line(FILE *f, const struct file_facts *ff);

extern const struct reporter_ops reporter_text;     /* text.c */
extern const struct reporter_ops reporter_json;     /* json.c */
extern const struct reporter_ops reporter_summary;  /* summary.c: -s, the table per file */
extern const struct reporter_ops reporter_totals;   /* summary.c: totals after 2+ files */
extern const struct reporter_ops reporter_html;     /* html_page.c: --html FILE */

#endif
