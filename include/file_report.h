/* file_report.h: what the driver hands the reporters about a file it read:
 * the file's facts (struct file_facts) from the analysis, and whole-file
 * reports for callers that hold an analysis (the fuzz drivers). */
#ifndef TLSX_FILE_REPORT_H
#define TLSX_FILE_REPORT_H

#include <stdbool.h>
#include <stdio.h>
#include "analyze.h"
#include "report/report.h"
#include "report/reporter.h"

/* The file's facts once it has been read (read_ok) and judged. */
void file_report_facts(const struct analysis *a, bool read_ok, struct file_facts *f);
/* The same without the connections held: the caller counts them
 * (report_count_connection), in id order, stowed ones included. */
void file_report_base(const struct analysis *a, bool read_ok, struct file_facts *f);
/* The text report of a whole analysis, as the text reporter prints it. */
void file_report_text(FILE *f, const struct analysis *a, const struct report_opts *o);
/* The JSON summary line of a whole analysis. */
void file_report_json_summary(FILE *f, const struct analysis *a);

#endif
