/* spill.h: the rendered report of connections already let go. A connection
 * that finished well is reported, folded into the capture-wide context and
 * freed at once; its report waits here, in a temporary file, to be printed
 * in its place among the others. Memory then follows the connections open
 * at once and the failed ones, not the size of the capture. */
#ifndef TLSX_SPILL_H
#define TLSX_SPILL_H

#include <stdint.h>
#include <stdio.h>
#include "util/status.h"

struct spill;

MUST_USE enum status spill_open(struct spill **out);
void spill_close(struct spill *s);
/* The stream to write connection id's report into, between begin and end. */
FILE *spill_begin(struct spill *s, uint32_t id);
MUST_USE enum status spill_end(struct spill *s, uint32_t id);
/* Copies connection id's report to out; false when there is none. */
bool spill_copy(struct spill *s, uint32_t id, FILE *out);
/* Reports spill_copy could not give back (the temporary file could not be
 * written: a full disk): the driver says so. */
size_t spill_lost(const struct spill *s);

#endif
