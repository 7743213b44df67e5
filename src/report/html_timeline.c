/* html_timeline.c: per server, a timeline of its connections as inline SVG,
 * a bar per connection from its first to its last frame, coloured by
 * verdict; the servers with the most failures first. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "util/names.h"
#include "report/report.h"
#include "report/html_parts.h"

#define HTML_MAX_SERVERS 40        /* timelines per file */
#define HTML_MAX_BARS 3000         /* bars per timeline */
#define HTML_MAX_LANES 24

struct bar {
    const struct conn *c;
    double t0, t1;             /* ms since the file's first connection */
    bool linked;               /* its card is on the page */
};

static int cmp_addr(const struct addr *a, const struct addr *b)
{
    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    return memcmp(a->bytes, b->bytes, sizeof a->bytes);
}

/* By server, then by start time. */
static int cmp_bar(const void *x, const void *y)
{
    const struct bar *a = x, *b = y;
    int r = cmp_addr(&a->c->server, &b->c->server);
    if (r != 0)
        return r;
    if (a->c->server_port != b->c->server_port)
        return a->c->server_port < b->c->server_port ? -1 : 1;
    if (a->t0 != b->t0)
        return a->t0 < b->t0 ? -1 : 1;
    return (a->c->id > b->c->id) - (a->c->id < b->c->id);
}

struct group {
    size_t first, n, failed;
};

static int cmp_group(const void *x, const void *y)
{
    const struct group *a = x, *b = y;
    if (a->failed != b->failed)
        return a->failed > b->failed ? -1 : 1;
    if (a->n != b->n)
        return a->n > b->n ? -1 : 1;
    return (a->first > b->first) - (a->first < b->first);
}

/* A step of 1, 2 or 5 times a power of ten giving about `want` ticks. */
static double nice_step(double span, int want)
{
    double raw = span / want, p = 1;
    while (p * 10 <= raw)
        p *= 10;
    while (p > raw)
        p /= 10;
    return raw <= p ? p : raw <= 2 * p ? 2 * p : raw <= 5 * p ? 5 * p : 10 * p;
}

static void tick_label(double ms, double span, char *buf, size_t len)
{
    if (span < 2000)
        snprintf(buf, len, "%g ms", ms);
    else if (span < 600000)
        snprintf(buf, len, "%g s", ms / 1000);
    else
        snprintf(buf, len, "%g min", ms / 60000);
}

#define TL_W 1000.0
#define TL_X0 10.0
#define TL_X1 990.0
#define TL_LANE 14
#define TL_BAR 10

/* A line of the tooltip: the break written as it is (element text of an
 * SVG title), the text escaped, where a "\n" would print as \x0a. */
__attribute__((format(printf, 2, 3))) static void tip_line(FILE *f, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fputc('\n', f);
    html_esc(f, buf);
}

static void bar_tooltip(FILE *f, const struct bar *b)
{
    const struct conn *c = b->c;
    const struct finding *x = html_main_finding(c);
    const struct diagnosis *d = c->diagnosis;
    char cl[64], sni[80];
    addr_format(&c->client, c->client_port, cl, sizeof cl);
    html_sni(c, sni, sizeof sni);
    html_escf(f, "#%u from %s: %s", c->id, cl, verdict_name((enum verdict)c->verdict));
    if (x != NULL && c->verdict == VERDICT_FAILED)
        html_escf(f, ", %s (%s)", x->id, confidence_name(x->confidence));
    if (c->verdict == VERDICT_INCOMPLETE)
        html_escf(f, " (%s)", c->incomplete_why);
    tip_line(f, "frames %llu-%llu, +%.1f ms, lasted %.1f ms", (unsigned long long)c->first_frame,
         (unsigned long long)c->last_frame, b->t0, b->t1 - b->t0);
    if (c->sh.present && !c->sh.sslv2)
        tip_line(f, "%s %s", name_version(c->sh.version).s,
             name_suite(c->sh.suite).s);
    if (sni[0])
        tip_line(f, "SNI %s", sni);
    for (size_t i = 0; d != NULL && c->verdict == VERDICT_OK && i < d->n_warnings; i++)
        if (d->warnings[i] != NULL)
            tip_line(f, "warning: %s", d->warnings[i]);
    char data[REPORT_FIRST_DATA_MAX];
    for (int s = SIDE_CLIENT; s <= SIDE_SERVER; s++)
        if (report_first_data(c, (enum side)s, data, sizeof data))
            tip_line(f, "%s data: %s (decrypted)", s == SIDE_CLIENT ? "client" : "server",
                      data);
}

/* A failed or incomplete connection stays visible however short it is. */
static double bar_width(const struct bar *b, double span)
{
    double w = (TL_X1 - TL_X0) * (b->t1 - b->t0) / span;
    double min = b->c->verdict == VERDICT_OK ? 3 : 5;
    return w < min ? min : w;
}

static void draw_bar(FILE *f, const struct bar *b, int lane, double span, size_t file_no)
{
    const struct conn *c = b->c;
    double x0 = TL_X0 + (TL_X1 - TL_X0) * b->t0 / span;
    bool link = b->linked;
    if (link)
        fprintf(f, "<a href=\"#f%zu-c%u\">", file_no, c->id);
    fprintf(f, "<rect class=\"bar %s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
               "rx=\"2\"><title>",
            html_verdict_class(c->verdict), x0, lane * TL_LANE + 2, bar_width(b, span), TL_BAR);
    bar_tooltip(f, b);
    fputs("</title></rect>", f);
    fputs(link ? "</a>\n" : "\n", f);
}

static void timeline_svg(FILE *f, const struct bar *bars, size_t n, double span, size_t file_no)
{
    size_t shown = n < HTML_MAX_BARS ? n : HTML_MAX_BARS;
    uint8_t *lane = malloc(shown ? shown : 1);
    double end[HTML_MAX_LANES];
    int lanes = 1;
    if (lane == NULL) {
        fputs("<p class=\"note\">(timeline lost: out of memory)</p>\n", f);
        return;
    }
    for (int i = 0; i < HTML_MAX_LANES; i++)
        end[i] = -1e9;
    /* first lane free at the bar's start; when all are busy, the one that
     * frees first (bars may then overlap: the tooltip still tells them apart) */
    for (size_t i = 0; i < shown; i++) {
        double x0 = TL_X0 + (TL_X1 - TL_X0) * bars[i].t0 / span;
        double x1 = x0 + bar_width(&bars[i], span);
        int best = 0;
        for (int k = 0; k < HTML_MAX_LANES; k++) {
            if (end[k] + 1 <= x0) {
                best = k;
                break;
            }
            if (end[k] < end[best])
                best = k;
        }
        end[best] = x1;
        lane[i] = (uint8_t)best;
        if (best + 1 > lanes)
            lanes = best + 1;
    }
    int height = lanes * TL_LANE + 26;
    fprintf(f, "<svg class=\"timeline\" viewBox=\"0 0 %.0f %d\" width=\"100%%\" "
               "role=\"img\">\n",
            TL_W, height);
    int axis_y = lanes * TL_LANE + 4;
    double step = nice_step(span, 8);
    for (double t = 0; t <= span + step / 1000; t += step) {
        double x = TL_X0 + (TL_X1 - TL_X0) * t / span;
        char lab[32];
        tick_label(t, span, lab, sizeof lab);
        fprintf(f, "<line class=\"grid\" x1=\"%.1f\" y1=\"0\" x2=\"%.1f\" y2=\"%d\"/>"
                   "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">%s</text>\n",
                x, x, axis_y, x, axis_y + 16, x < 40 ? "start" : x > TL_W - 40 ? "end" : "middle",
                lab);
    }
    /* ok bars first, so that the failed ones are drawn on top */
    for (size_t i = 0; i < shown; i++)
        if (bars[i].c->verdict == VERDICT_OK)
            draw_bar(f, &bars[i], lane[i], span, file_no);
    for (size_t i = 0; i < shown; i++)
        if (bars[i].c->verdict != VERDICT_OK)
            draw_bar(f, &bars[i], lane[i], span, file_no);
    fputs("</svg>\n", f);
    if (shown < n)
        fprintf(f, "<p class=\"note\">The first %zu of %zu connections are drawn.</p>\n", shown,
                n);
    free(lane);
}

void html_timelines(FILE *f, const struct conn *const *conns, size_t n_conns, size_t file_no)
{
    size_t n = 0;
    for (size_t i = 0; i < n_conns; i++)
        n += report_is_tls_attempt(conns[i]);
    if (n == 0)
        return;
    struct bar *bars = calloc(n, sizeof *bars);
    struct group *groups = calloc(n, sizeof *groups);
    if (bars == NULL || groups == NULL) {
        free(bars);
        free(groups);
        fputs("<p class=\"note\">(timeline lost: out of memory)</p>\n", f);
        return;
    }
    struct tstamp origin = {0, 0};
    bool have_origin = false;
    for (size_t i = 0; i < n_conns; i++) {
        const struct conn *c = conns[i];
        if (!report_is_tls_attempt(c))
            continue;
        if (!have_origin || tstamp_ms_between(c->start, origin) > 0) {
            origin = c->start;
            have_origin = true;
        }
    }
    double span = 0;
    size_t k = 0, failed = 0, incomplete = 0;
    for (size_t i = 0; i < n_conns; i++) {
        const struct conn *c = conns[i];
        if (!report_is_tls_attempt(c))
            continue;
        bars[k].c = c;
        /* the same order and limits as the cards (html_cards) */
        if (c->verdict == VERDICT_FAILED)
            bars[k].linked = failed++ < HTML_MAX_DETAILS;
        else if (c->verdict == VERDICT_INCOMPLETE)
            bars[k].linked = incomplete++ < HTML_MAX_INCOMPLETE;
        bars[k].t0 = tstamp_ms_between(origin, c->start);
        bars[k].t1 = tstamp_ms_between(origin, c->end);
        if (bars[k].t1 < bars[k].t0)
            bars[k].t1 = bars[k].t0;
        if (bars[k].t1 > span)
            span = bars[k].t1;
        k++;
    }
    if (span <= 0)
        span = 1;
    /* a little room after the last connection so its bar is not cut */
    span *= 1.02;
    qsort(bars, n, sizeof *bars, cmp_bar);
    size_t n_groups = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || cmp_addr(&bars[i].c->server, &bars[i - 1].c->server) != 0 ||
            bars[i].c->server_port != bars[i - 1].c->server_port)
            groups[n_groups++] = (struct group){i, 0, 0};
        groups[n_groups - 1].n++;
        groups[n_groups - 1].failed += bars[i].c->verdict == VERDICT_FAILED;
    }
    qsort(groups, n_groups, sizeof *groups, cmp_group);
    struct value_name when_iso = tstamp_iso(origin);
    const char *when = when_iso.s;
    fprintf(f, "<h3>Timeline</h3>\n<p class=\"legend\">Time from the first connection "
               "(%s). Each bar is a connection, from its first to its last frame: "
               "<span class=\"k\"><span class=\"key ok\"></span>ok</span> "
               "<span class=\"k\"><span class=\"key failed\"></span>failed</span> "
               "<span class=\"k\"><span class=\"key incomplete\"></span>incomplete (the "
               "capture cannot tell)</span> "
               "<span class=\"k\"><span class=\"key nottls\"></span>not TLS</span>. Hover a "
               "bar for details; click a failed one to jump to it.</p>\n",
            when);
    for (size_t g = 0; g < n_groups && g < HTML_MAX_SERVERS; g++) {
        const struct conn *c0 = bars[groups[g].first].c;
        char srv[64];
        addr_format(&c0->server, c0->server_port, srv, sizeof srv);
        fputs("<div class=\"server\"><h4>server ", f);
        html_esc(f, srv);
        fprintf(f, " <span class=\"dim\">%zu connection%s, %zu failed</span></h4>\n",
                groups[g].n, groups[g].n == 1 ? "" : "s", groups[g].failed);
        timeline_svg(f, bars + groups[g].first, groups[g].n, span, file_no);
        fputs("</div>\n", f);
    }
    if (n_groups > HTML_MAX_SERVERS)
        fprintf(f, "<p class=\"note\">%zu more servers not drawn (those with the fewest "
                   "failures).</p>\n",
                n_groups - HTML_MAX_SERVERS);
    free(bars);
    free(groups);
}
