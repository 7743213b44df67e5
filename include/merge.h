/* merge.h: --merge, the JSON Lines of earlier runs (--json) read back and
 * summed into the summary one run over all their captures prints. */
#ifndef TLSX_MERGE_H
#define TLSX_MERGE_H

#include <stddef.h>
#include "run.h"

/* Caps: one JSON line, the skipped inputs listed. */
#define MERGE_MAX_LINE (64u << 20)
#define MERGE_MAX_SKIPPED 1000000

/* Returns the exit status one run over the same captures would have:
 * 0 no failed handshake, 1 some failed, 2 an input (a capture in the runs
 * merged, or a JSON Lines file here) could not be read. */
int merge_runs(char *const files[], size_t n, const struct run_opts *o);

#endif
