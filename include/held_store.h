/* held_store.h: connections held for the final pass, stowed away while the
 * capture is read (analyze_opts.stow). Each one's facts (the encoding of
 * report/facts_codec.h) go to a temporary file; 24 bytes of index stay in
 * memory. The final pass reads them back one at a time, in id order, as
 * often as its phases need, and the verdict each phase reaches is kept in
 * the index (the facts on disk are not rewritten). Memory then follows the
 * connections open at once, not the failed ones of the whole capture. */
#ifndef TLSX_HELD_STORE_H
#define TLSX_HELD_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "facts/conn.h"
#include "util/status.h"

struct held_store;

/* Writes c's facts away; the store is made at the first (*s NULL). ST_IO
 * when no temporary file can be had: the caller keeps c in memory. */
MUST_USE enum status held_store_put(struct held_store **s, const struct conn *c);
/* Of those, the ones written as their place in a shape (held_store.c). */
size_t held_store_in_place(const struct held_store *s);
/* Stowed connections (0 for NULL). */
size_t held_store_count(const struct held_store *s);
/* No more puts: the index is sorted by id for reading. */
MUST_USE enum status held_store_seal(struct held_store *s);
uint32_t held_store_id(const struct held_store *s, size_t i);
uint8_t held_store_verdict(const struct held_store *s, size_t i);
void held_store_set_verdict(struct held_store *s, size_t i, uint8_t verdict);
/* The i-th connection (by id) read back, with the verdict the index holds;
 * the caller frees it (conn_free). */
MUST_USE enum status held_store_get(struct held_store *s, size_t i, struct conn **out);
void held_store_close(struct held_store *s);

#endif
