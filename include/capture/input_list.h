/* input_list.h: what a run reads, from the command line, folders and
 * --files-from. In folders, captures are recognised by content (magic
 * numbers, input_sniff.h), never by name; whatever is passed over is kept
 * with the reason, for the summary. */
#ifndef TLSX_INPUT_LIST_H
#define TLSX_INPUT_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "capture/input_skip.h"
#include "util/status.h"

/* Caps: inputs per run, folder depth, a --files-from line. */
#define INPUT_MAX_ENTRIES 1000000
#define INPUT_MAX_DEPTH 32
#define INPUT_MAX_LINE 4096

struct input_skip {
    char *name;
    enum input_skip_why why;
};

struct input_entry {
    char *path;              /* "-" is standard input */
    bool found;              /* found in a folder, not named: if it holds no
                                capture it is skipped, not an error */
    enum input_skip_why skip; /* why it is not read at all, or SKIP_WHY_NONE */
    uint64_t bytes;          /* size on disk; 0 when not known (a pipe) */
    size_t captures;         /* captures read in it, counted as it is read */
    struct input_skip *skipped; /* its members not read, added as it is read */
    size_t n_skipped, cap_skipped;
};

struct input_list {
    struct input_entry *v;
    size_t n, cap;
};

/* A file, a folder (walked in name order) or "-". */
MUST_USE enum status input_list_add(struct input_list *l, const char *arg);
/* One path a line (empty lines ignored) from f, each as input_list_add;
 * ST_LIMIT, with the line number in err, for a line over INPUT_MAX_LINE. */
MUST_USE enum status input_list_add_from(struct input_list *l, FILE *f, char *err,
                                         size_t errlen);
/* A member of e passed over. */
MUST_USE enum status input_entry_skip(struct input_entry *e, const char *name,
                                      enum input_skip_why why);
/* Inputs to read and their bytes on disk, for the progress line. */
size_t input_list_to_read(const struct input_list *l);
uint64_t input_list_bytes(const struct input_list *l);
size_t input_list_skipped(const struct input_list *l);
/* Captures read in all (after the run). */
size_t input_list_captures(const struct input_list *l);
/* "N inputs skipped:" and one line each, in input order. */
void input_list_print_skipped(FILE *f, const struct input_list *l);
/* An entry's capture count and skipped members as lines of text and back:
 * how a --jobs child hands them to the parent. */
void input_skips_write(FILE *f, const struct input_entry *e);
MUST_USE enum status input_skips_read(FILE *f, struct input_entry *e);
void input_list_free(struct input_list *l);

#endif
