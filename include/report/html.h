/* html.h: --html FILE, one self-contained HTML page (inline CSS and
 * SVG, no script) over every file of a run: the summary, a timeline of the
 * connections per server, and each failed connection with its evidence,
 * explanation, fix, alternatives and ladder.
 *
 * Use: h = html_new(); html_add_file(h, &a) for each analysed file, after
 * rules_diagnose and before analysis_free (it renders the file's part then
 * and copies what it keeps); html_write(h, path) once at the end;
 * html_free(h). */
#ifndef TLSX_REPORT_HTML_H
#define TLSX_REPORT_HTML_H

struct analysis;
struct html_report;

/* NULL when out of memory; the other calls accept NULL and do nothing
 * (html_write then writes a page with no files). */
struct html_report *html_new(void);
/* Renders the file's section; the analysis may be freed right after. */
void html_add_file(struct html_report *h, const struct analysis *a);
/* Writes the page; 0 on success, -1 when the file cannot be written or a
 * file's section was lost to a lack of memory (the page is still written). */
int html_write(const struct html_report *h, const char *path);
void html_free(struct html_report *h);

#endif
