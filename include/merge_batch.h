/* merge_batch.h: --merge --context batch. Runs made with --json --facts
 * carry each connection's facts and each capture's own context; their
 * JSON Lines are read twice, as one --context batch run reads the captures:
 * first the contexts, folded in input order into one, then the
 * connections, judged against it and reported as that run reports them. */
#ifndef TLSX_MERGE_BATCH_H
#define TLSX_MERGE_BATCH_H

#include <json-c/json.h>
#include <stdbool.h>
#include "run.h"
#include "util/status.h"

struct batch_merge;

/* The trust store, the reporters of o->mode (JSON Lines, or the summary
 * table), an empty batch context. NULL when out of memory or when the
 * trust store cannot be read (said on standard error). */
struct batch_merge *merge_batch_open(const struct run_opts *o);
void merge_batch_close(struct batch_merge *b);

/* First pass: a "context" line folded into the batch context; other lines
 * are the second pass's. False for a context line that cannot be read. */
bool merge_batch_fold(struct batch_merge *b, const char *type, struct json_object *obj,
                      const char *file);
/* Between the passes. */
void merge_batch_freeze(struct batch_merge *b);

/* Second pass: a "facts", "context", "connection", "summary" or "error"
 * line; false when it cannot be read or is out of place. */
bool merge_batch_line(struct batch_merge *b, const char *type, struct json_object *obj,
                      const char *file);
/* After the last line: the reporters' totals; the worst exit status. */
int merge_batch_finish(struct batch_merge *b);

#endif
