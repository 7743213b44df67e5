/* input_progress.h: a progress line on a terminal while captures are read:
 * files done of total, bytes, rate and time left. Its counters live in
 * shared memory, so --jobs children (forked after progress_new) add to the
 * same line. Every function accepts NULL, which means no progress. */
#ifndef TLSX_INPUT_PROGRESS_H
#define TLSX_INPUT_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct progress;

/* A progress line drawn on fd (a terminal: the caller checks isatty and
 * --quiet), for `files` inputs of `bytes` bytes in all (0: unknown). With
 * erase_each, the line is erased when each capture has been read, as its
 * report goes to the same terminal. NULL when the shared memory cannot be
 * had: the run goes on without it. */
struct progress *progress_new(int fd, size_t files, uint64_t bytes, bool erase_each);
/* n more bytes read from disk; redraws at most four times a second. */
void progress_read(struct progress *p, uint64_t n);
/* One input file read to its end (or given up). */
void progress_file_done(struct progress *p);
/* One capture read: its report is written next. */
void progress_capture_done(struct progress *p);
/* Erases the line, so that other text can be written to the terminal; the
 * next progress_read draws it again. */
void progress_clear(struct progress *p);
/* Stops drawing until progress_release (the --jobs parent holds the line
 * while it copies a child's output); the line is erased first when that
 * output goes to the terminal: with erase_each, or when to_stderr. */
void progress_hold(struct progress *p, bool to_stderr);
void progress_release(struct progress *p);
/* Erases the line and frees it; only the process that made it calls this. */
void progress_free(struct progress *p);

#endif
