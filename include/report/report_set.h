/* report_set.h: the reporters of a run, fed together (reporter.h), and the
 * one place that reads a file's connections in id order, the ones let go
 * early included (their output waits in a spill, report/spill.h). */
#ifndef TLSX_REPORT_SET_H
#define TLSX_REPORT_SET_H

#include <stdbool.h>
#include <stdio.h>
#include "facts/conn.h"
#include "report/reporter.h"
#include "report/spill.h"
#include "util/status.h"

#define REPORT_SET_MAX 4

struct report_set {
    const struct reporter_ops *ops[REPORT_SET_MAX];
    void *self[REPORT_SET_MAX];
    size_t n;
};

/* An entry of the set to open: a reporter and where it writes of its own
 * (reporter_ops.open), NULL for most. */
struct report_pick {
    const struct reporter_ops *ops;
    const char *dest;
};

/* Opens the n picked reporters (ST_LIMIT past REPORT_SET_MAX); ST_NOMEM
 * leaves the set holding the ones opened (report_set_close frees them). */
MUST_USE enum status report_set_open(struct report_set *s, const struct report_pick *pick,
                                     size_t n, const struct report_opts *o);
void report_set_close(struct report_set *s);
/* Does an entry need every connection until the end of the file? */
bool report_set_keeps_connections(const struct report_set *s);
/* Every reporter reads a diagnosis's id alone (-s): see rule_opts.no_words. */
bool report_set_counts_only(const struct report_set *s);

/* Counts the judged connections into f, whose other fields the driver
 * filled from what it read (counts of the ones let go early included). */
void report_count_connections(struct file_facts *f, struct conn_slots slots);
/* The same one connection at a time, in id order, then done once. */
void report_count_connection(struct file_facts *f, const struct conn *c);
void report_count_done(struct file_facts *f);

/* A connection let go while the file is read: every reporter writes its
 * part into the spill (opened on first use), copied back by
 * report_set_file. ST_OK when the connection may be freed. */
MUST_USE enum status report_set_early(struct report_set *s, struct spill **spill,
                                      const char *file, const struct conn *c);
/* begin_file, every connection in id order, end_file. */
void report_set_file(struct report_set *s, FILE *out, struct conn_slots slots,
                     const struct file_facts *f, struct spill *spill);
/* end_file alone, for a file that could not be read. */
void report_set_unreadable(struct report_set *s, FILE *out, const struct file_facts *f);
/* finish every reporter; returns the worst value. */
int report_set_finish(struct report_set *s, FILE *out);
void report_set_handoff(struct report_set *s, FILE *rows);
void report_set_take(struct report_set *s, FILE *rows);

#endif
