/* file_report.c: the facts of a file read by the driver, for the reporters
 * (see file_report.h). */
#include "file_report.h"
#include "report/report_set.h"

void file_report_base(const struct analysis *a, bool read_ok, struct file_facts *f)
{
    *f = (struct file_facts){
        .path = a->path ? a->path : "-",
        .read_ok = read_ok,
        .unreadable = a->unreadable,
        .damaged = a->damaged,
        .error = a->error,
        .frames = a->frames,
        .cut_frames = a->cut_frames,
        .snaplen = a->snaplen,
        .dropped_conns = a->flows.left_out.connections,
        .max_conns = a->flows.max_conns,
        /* connections let go early all succeeded */
        .k = {.connections = (size_t)a->flows.let_go, .ok = (size_t)a->flows.let_go},
    };
}

void file_report_facts(const struct analysis *a, bool read_ok, struct file_facts *f)
{
    file_report_base(a, read_ok, f);
    report_count_connections(f, analysis_connections(a));
}

void file_report_text(FILE *f, const struct analysis *a, const struct report_opts *o)
{
    const struct report_pick text_only = {.ops = &reporter_text, .dest = NULL};
    struct report_set s;
    struct file_facts ff;
    if (report_set_open(&s, &text_only, 1, o) == ST_OK) {
        file_report_facts(a, true, &ff);
        report_set_file(&s, f, analysis_connections(a), &ff, NULL);
    }
    report_set_close(&s);
}

void file_report_json_summary(FILE *f, const struct analysis *a)
{
    struct file_facts ff;
    file_report_facts(a, true, &ff);
    report_json_summary_line(f, &ff);
}
