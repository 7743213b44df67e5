/* input_progress.h: a progress line on a terminal while captures are read:
 * files done of total, bytes, rate and time left. Its counters live in
 * shared memory, so --jobs children (forked after progress_new) add to the
 * same line. Every function accepts NULL, which means no progress. */
#ifndef TLSX_INPUT_PROGRESS_H
#define TLSX_INPUT_PROGRESS_H

#include <stdint.h>
#include <stddef.h>

struct progress;

/* A progress line drawn on fd (a terminal: the caller checks isatty and
 * --quiet), for `files` inputs of `bytes` bytes in all (0: unknown). NULL
 * when the shared memory cannot be had: the run goes on without it. */
struct progress *progress_new(int fd, size_t files, uint64_t bytes);
/* n more bytes read from disk; redraws at most four times a second. */
void progress_read(struct progress *p, uint64_t n);
/* One input file read to its end (or given up). */
void progress_file_done(struct progress *p);
/* Erases the line, so that other text can be written to the terminal; the
 * next progress_read draws it again. */
void progress_clear(struct progress *p);
/* Keeps the line off the terminal until progress_release (the --jobs parent
 * holds it while it copies a child's output). */
void progress_hold(struct progress *p);
void progress_release(struct progress *p);
/* Erases the line and frees it; only the process that made it calls this. */
void progress_free(struct progress *p);

#endif
