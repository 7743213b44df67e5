/* html_page.c: --html FILE, the HTML reporter (reporter.h): one
 * self-contained page for a support case or an incident review: the
 * summary, then per file a timeline of its connections per server and the
 * card of each failed or incomplete connection, with its ladder.
 *
 * No script: inline CSS and SVG only, and a Content-Security-Policy that
 * forbids anything else (html_parts.h says how strings are escaped). Each
 * file's section is rendered into memory at end_file, while its
 * connections exist; the page is written by finish, the summary first. */
#include <stdlib.h>
#include <string.h>
#include "report/reporter.h"
#include "report/html_parts.h"

#define HTML_MAX_CAUSES 64

struct html_cause {
    char id[48];
    char title[160];
    size_t count;
};

struct html_file {
    char *path;
    struct file_counts k;
    char first_cause[48];
    bool unreadable;
    char *section;             /* rendered HTML, NULL when out of memory */
    size_t section_len;
};

struct html_report {
    const char *path;          /* where the page goes */
    struct html_file *files;
    size_t n, cap;
    struct html_cause causes[HTML_MAX_CAUSES];
    size_t n_causes;
    bool lost;                 /* a section could not be rendered */
    /* the connections of the file being reported, alive until end_file;
     * kept only between begin_file and end_file: one handed over while the
     * file is read is about to be freed */
    bool in_file;
    const struct conn **conns;
    size_t n_conns, cap_conns;
};

static void count_cause(struct html_report *h, const struct cause_count *cc)
{
    for (size_t i = 0; i < h->n_causes; i++)
        if (strcmp(h->causes[i].id, cc->id) == 0) {
            h->causes[i].count += cc->count;
            return;
        }
    if (h->n_causes == HTML_MAX_CAUSES)
        return;
    struct html_cause *c = &h->causes[h->n_causes++];
    snprintf(c->id, sizeof c->id, "%s", cc->id);
    snprintf(c->title, sizeof c->title, "%s", cc->title ? cc->title : "");
    c->count = cc->count;
}

/* One file's section: its counts and notes, the timelines, the cards. */
static void file_section(FILE *f, const struct file_facts *ff, const struct conn *const *conns,
                         size_t n, size_t file_no)
{
    const struct file_counts k = ff->k;
    fprintf(f, "<section class=\"file\" id=\"f%zu\">\n<h2>", file_no);
    html_esc(f, ff->path);
    fputs("</h2>\n<p class=\"counts\">", f);
    fprintf(f, "%zu TLS connection%s: <span class=\"n ok\">%zu ok</span>, "
               "<span class=\"n%s\">%zu failed</span>, "
               "<span class=\"n incomplete\">%zu incomplete</span>",
            k.tls, k.tls == 1 ? "" : "s", k.ok, k.failed ? " failed" : "", k.failed,
            k.incomplete);
    if (k.not_tls)
        fprintf(f, "; %zu not TLS", k.not_tls);
    fprintf(f, "; %llu frames.</p>\n", (unsigned long long)ff->frames);
    if (ff->unreadable || ff->damaged) {
        fputs("<p class=\"warn\">", f);
        html_esc(f, ff->error[0] ? ff->error : "the file could not be read to its end");
        fputs(ff->unreadable ? "" : " (what was read before is reported)", f);
        fputs("</p>\n", f);
    }
    if (ff->cut_frames)
        fprintf(f, "<p class=\"warn\">%llu frames were cut by the capture's snap length (%u "
                   "bytes): handshake bytes may be missing.</p>\n",
                (unsigned long long)ff->cut_frames, ff->snaplen);
    if (ff->dropped_conns)
        fprintf(f, "<p class=\"warn\">%llu connections past the limit of %zu were not "
                   "analysed (--max-connections).</p>\n",
                (unsigned long long)ff->dropped_conns, ff->max_conns);
    html_timelines(f, conns, n, file_no);
    if (k.failed > 0) {
        fputs("<h3>Failed connections</h3>\n", f);
        size_t more = html_cards(f, conns, n, VERDICT_FAILED, HTML_MAX_DETAILS, file_no);
        if (more > 0)
            fprintf(f, "<p class=\"note\">%zu more failed connections are not drawn here; "
                       "the text or --json output lists them all.</p>\n",
                    more);
    }
    if (k.incomplete > 0) {
        fputs("<h3>Incomplete connections</h3>\n<p class=\"dim\">The capture misses what is "
              "needed to judge these; they are neither counted as failed nor as ok.</p>\n",
              f);
        size_t more = html_cards(f, conns, n, VERDICT_INCOMPLETE, HTML_MAX_INCOMPLETE, file_no);
        if (more > 0)
            fprintf(f, "<p class=\"note\">%zu more incomplete connections.</p>\n", more);
    }
    fputs("</section>\n", f);
}

static int cmp_cause(const void *x, const void *y)
{
    const struct html_cause *a = *(const struct html_cause *const *)x;
    const struct html_cause *b = *(const struct html_cause *const *)y;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return strcmp(a->id, b->id);
}

static void summary_section(FILE *f, const struct html_report *h)
{
    struct file_counts t = {0};
    for (size_t i = 0; h != NULL && i < h->n; i++) {
        t.tls += h->files[i].k.tls;
        t.ok += h->files[i].k.ok;
        t.failed += h->files[i].k.failed;
        t.incomplete += h->files[i].k.incomplete;
        t.not_tls += h->files[i].k.not_tls;
    }
    size_t files = h ? h->n : 0;
    fputs("<section id=\"summary\"><h2>Summary</h2>\n<div class=\"tiles\">", f);
    fprintf(f, "<div class=\"tile\"><b>%zu</b>file%s</div>", files, files == 1 ? "" : "s");
    fprintf(f, "<div class=\"tile\"><b>%zu</b>TLS connections</div>", t.tls);
    fprintf(f, "<div class=\"tile ok\"><b>%zu</b>ok</div>", t.ok);
    fprintf(f, "<div class=\"tile failed\"><b>%zu</b>failed</div>", t.failed);
    fprintf(f, "<div class=\"tile incomplete\"><b>%zu</b>incomplete</div>", t.incomplete);
    if (t.not_tls)
        fprintf(f, "<div class=\"tile\"><b>%zu</b>not TLS</div>", t.not_tls);
    fputs("</div>\n", f);
    if (h != NULL && h->n_causes > 0) {
        const struct html_cause *sorted[HTML_MAX_CAUSES];
        size_t max = 0;
        for (size_t i = 0; i < h->n_causes; i++) {
            sorted[i] = &h->causes[i];
            if (h->causes[i].count > max)
                max = h->causes[i].count;
        }
        qsort(sorted, h->n_causes, sizeof sorted[0], cmp_cause);
        fputs("<h3>Causes of the failed handshakes</h3>\n<table class=\"list causes\">"
              "<tr><th class=\"num\">count</th><th></th><th>diagnosis</th><th>meaning</th>"
              "</tr>\n",
              f);
        for (size_t i = 0; i < h->n_causes; i++) {
            fprintf(f, "<tr><td class=\"num\">%zu</td><td><span class=\"meter\" "
                       "style=\"width:%zupx\"></span></td><td><code>",
                    sorted[i]->count, 4 + 96 * sorted[i]->count / (max ? max : 1));
            html_esc(f, sorted[i]->id);
            fputs("</code></td><td>", f);
            html_esc(f, sorted[i]->title);
            fputs("</td></tr>\n", f);
        }
        fputs("</table>\n", f);
    } else if (files > 0) {
        fputs("<p>No failed handshake.</p>\n", f);
    }
    if (files > 0) {
        fputs("<h3>Files</h3>\n<table class=\"list files\"><tr><th>file</th>"
              "<th class=\"num\">TLS</th><th class=\"num\">ok</th><th class=\"num\">failed</th>"
              "<th class=\"num\">incomplete</th><th>first cause</th></tr>\n",
              f);
        for (size_t i = 0; i < h->n; i++) {
            const struct html_file *r = &h->files[i];
            fprintf(f, "<tr><td class=\"file\"><a href=\"#f%zu\">", i);
            html_esc(f, r->path);
            fprintf(f, "</a></td><td class=\"num\">%zu</td><td class=\"num\">%zu</td>"
                       "<td class=\"num%s\">%zu</td><td class=\"num\">%zu</td><td><code>",
                    r->k.tls, r->k.ok, r->k.failed ? " n failed" : "", r->k.failed,
                    r->k.incomplete);
            html_esc(f, r->first_cause[0] ? r->first_cause : "-");
            fputs("</code></td></tr>\n", f);
        }
        fputs("</table>\n", f);
    }
    fputs("</section>\n", f);
}

static int write_page(const struct html_report *h, const char *path)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<title>tlsexplain: ",
          f);
    if (h != NULL && h->n == 1)
        html_esc(f, h->files[0].path);
    else
        fprintf(f, "%zu files", h ? h->n : 0);
    fputs("</title>\n", f);
    fputs(html_style, f);
    fputs("</head>\n<body>\n<main>\n<header><h1>tlsexplain report</h1>\n<p class=\"dim\">Why "
          "the TLS handshakes in these captures failed: the cause, the frames that show it "
          "(numbered as in Wireshark) and the fix.</p></header>\n",
          f);
    summary_section(f, h);
    for (size_t i = 0; h != NULL && i < h->n; i++) {
        if (h->files[i].section != NULL) {
            fwrite(h->files[i].section, 1, h->files[i].section_len, f);
        } else {
            fputs("<section class=\"file\"><h2>", f);
            html_esc(f, h->files[i].path);
            fputs("</h2><p class=\"warn\">This file's details were lost: out of memory.</p>"
                  "</section>\n",
                  f);
        }
    }
    fputs("<footer>Made by tlsexplain. Times are the capture's own (UTC); frame numbers count "
          "from 1 as in Wireshark.</footer>\n</main>\n</body>\n</html>\n",
          f);
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0)
        bad = true;
    return bad || (h != NULL && h->lost) ? -1 : 0;
}

/* ---- the reporter (reporter.h) ----------------------------------------- */

static void *html_open(const struct report_opts *o, const char *dest)
{
    (void)o;
    if (dest == NULL)
        return NULL;
    struct html_report *h = calloc(1, sizeof *h);
    if (h != NULL)
        h->path = dest;
    return h;
}

static void html_begin_file(void *self, FILE *out, const struct file_facts *f)
{
    struct html_report *h = self;
    (void)out;
    (void)f;
    h->n_conns = 0;
    h->in_file = true;
}

static void html_connection(void *self, FILE *out, const char *file, const struct conn *c)
{
    struct html_report *h = self;
    (void)out;
    (void)file;
    if (!h->in_file)
        return;
    if (h->n_conns == h->cap_conns) {
        size_t cap = h->cap_conns ? h->cap_conns * 2 : 64;
        const struct conn **grown = realloc(h->conns, cap * sizeof *grown);
        if (grown == NULL) {
            h->lost = true;
            return;
        }
        h->conns = grown;
        h->cap_conns = cap;
    }
    h->conns[h->n_conns++] = c;
}

/* Renders the file's section while its connections exist. A file that
 * could not be read has no section: the text output says why. */
static void html_end_file(void *self, FILE *out, const struct file_facts *f)
{
    struct html_report *h = self;
    (void)out;
    bool in_file = h->in_file;
    h->in_file = false;
    if (!f->read_ok || !in_file)
        return;
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 16;
        struct html_file *grown = realloc(h->files, cap * sizeof *grown);
        if (grown == NULL) {
            h->lost = true;
            return;
        }
        h->files = grown;
        h->cap = cap;
    }
    struct html_file *hf = &h->files[h->n];
    *hf = (struct html_file){.path = strdup(f->path), .k = f->k, .unreadable = f->unreadable};
    if (hf->path == NULL) {
        h->lost = true;
        return;
    }
    for (size_t i = 0; i < f->n_causes; i++)
        count_cause(h, &f->causes[i]);
    if (f->n_causes > 0)
        snprintf(hf->first_cause, sizeof hf->first_cause, "%s", f->causes[0].id);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (m != NULL) {
        file_section(m, f, h->conns, h->n_conns, h->n);
        if (fclose(m) == 0) {
            hf->section = buf;
            hf->section_len = len;
        } else {
            free(buf);
        }
    }
    if (hf->section == NULL)
        h->lost = true;
    h->n++;
    h->n_conns = 0;
}

static int html_finish(void *self, FILE *out)
{
    struct html_report *h = self;
    (void)out;
    if (write_page(h, h->path) == 0)
        return 0;
    fprintf(stderr, "tlsexplain: cannot write %s\n", h->path);
    return 2;
}

static void html_close(void *self)
{
    struct html_report *h = self;
    if (h == NULL)
        return;
    for (size_t i = 0; i < h->n; i++) {
        free(h->files[i].path);
        free(h->files[i].section);
    }
    free(h->files);
    free(h->conns);
    free(h);
}

const struct reporter_ops reporter_html = {
    .name = "html",
    .keeps_connections = true,
    .open = html_open,
    .begin_file = html_begin_file,
    .connection = html_connection,
    .end_file = html_end_file,
    .finish = html_finish,
    .close = html_close,
};
