/* summary.h: the batch view over many files: counts per file and per cause. */
#ifndef TLSX_SUMMARY_H
#define TLSX_SUMMARY_H

#include <stdbool.h>
#include <stdio.h>
#include "analyze.h"

struct summary_table;

struct summary_table *summary_new(void);
void summary_add(struct summary_table *t, const struct analysis *a);
/* Renders the file's section of the HTML report while its facts exist. */
void summary_add_html(struct summary_table *t, const struct analysis *a);
void summary_print(FILE *f, const struct summary_table *t, bool per_file);
/* One file's row as a line of text, and back: how --jobs children hand
 * their counts to the parent. */
void summary_write_row(FILE *f, const struct analysis *a);
void summary_read_rows(struct summary_table *t, FILE *f);
int summary_write_html(const struct summary_table *t, const char *path);
void summary_free(struct summary_table *t);

#endif
