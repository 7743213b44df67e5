/* html.c: --html FILE, one self-contained page for a support case or
 * an incident review: the summary, per server a timeline of its connections
 * (inline SVG), and every failed connection with its evidence, explanation,
 * fix, alternatives and its ladder drawn as an SVG sequence diagram.
 *
 * No script: inline CSS and SVG only, and a Content-Security-Policy that
 * forbids anything else. Every string reaches the page through esc(), which
 * first makes bytes printable (text_safe_buf: control bytes and invalid
 * UTF-8 as \xHH) and then escapes & < > " ' for HTML.
 *
 * Each file's section is rendered into memory while its facts exist
 * (html_add_file); the page is assembled at the end, the summary first. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/names.h"
#include "analyze.h"
#include "x509/cert.h"
#include "rules/diagnosis.h"
#include "util/escape.h"
#include "util/registry.h"
#include "report/report.h"
#include "report/html.h"
#include "rules/verdict.h"

#define HTML_MAX_CAUSES 64
#define HTML_MAX_DETAILS 200       /* failed connections drawn in full, per file */
#define HTML_MAX_INCOMPLETE 50     /* incomplete connections listed, per file */
#define HTML_MAX_SERVERS 40        /* timelines per file */
#define HTML_MAX_BARS 3000         /* bars per timeline */
#define HTML_MAX_LANES 24
#define LADDER_MAX 96

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
    struct html_file *files;
    size_t n, cap;
    struct html_cause causes[HTML_MAX_CAUSES];
    size_t n_causes;
    bool lost;                 /* a section could not be rendered */
};

/* ---- escaping ---------------------------------------------------------- */

static void esc_n(FILE *f, const char *s, size_t len)
{
    char small[1024];
    size_t need = len * 4 + 1; /* text_safe_buf turns one byte into at most 4 */
    char *buf = need <= sizeof small ? small : malloc(need);
    if (buf == NULL) {
        fputs("(out of memory)", f);
        return;
    }
    text_safe_buf(buf, need, s, len);
    for (const char *p = buf; *p; p++) {
        switch (*p) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*p, f); break;
        }
    }
    if (buf != small)
        free(buf);
}

static void esc(FILE *f, const char *s)
{
    if (s != NULL)
        esc_n(f, s, strlen(s));
}

__attribute__((format(printf, 2, 3))) static void escf(FILE *f, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    esc(f, buf);
}

/* ---- small helpers ----------------------------------------------------- */

static void endpoint(const struct addr *a, uint16_t port, char *buf, size_t len)
{
    addr_format(a, port, buf, len);
}

static void sni_of(const struct conn *c, char *buf, size_t len)
{
    buf[0] = '\0';
    if (c->ch->has_sni)
        text_safe_buf(buf, len, c->ch->sni, c->ch->sni_len);
}

static const char *verdict_class(int v)
{
    switch ((enum verdict)v) {
    case VERDICT_OK: return "ok";
    case VERDICT_FAILED: return "failed";
    case VERDICT_INCOMPLETE: return "incomplete";
    case VERDICT_NOT_TLS: return "nottls";
    case VERDICT_TCP_ONLY: return "tcponly";
    }
    return "incomplete";
}

static const struct finding *main_finding(const struct conn *c)
{
    const struct diagnosis *d = c->diagnosis;
    return d != NULL && d->main.id != NULL ? &d->main : NULL;
}

/* ---- the summary's counts ---------------------------------------------- */

static void count_cause(struct html_report *h, const char *id, const char *title)
{
    for (size_t i = 0; i < h->n_causes; i++)
        if (strcmp(h->causes[i].id, id) == 0) {
            h->causes[i].count++;
            return;
        }
    if (h->n_causes == HTML_MAX_CAUSES)
        return;
    struct html_cause *c = &h->causes[h->n_causes++];
    snprintf(c->id, sizeof c->id, "%s", id);
    snprintf(c->title, sizeof c->title, "%s", title ? title : "");
    c->count = 1;
}

/* ---- timeline ---------------------------------------------------------- */

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

static void bar_tooltip(FILE *f, const struct bar *b)
{
    const struct conn *c = b->c;
    const struct finding *x = main_finding(c);
    const struct diagnosis *d = c->diagnosis;
    char cl[64], sni[80];
    endpoint(&c->client, c->client_port, cl, sizeof cl);
    sni_of(c, sni, sizeof sni);
    escf(f, "#%u from %s: %s", c->id, cl, verdict_name((enum verdict)c->verdict));
    if (x != NULL && c->verdict == VERDICT_FAILED)
        escf(f, ", %s (%s)", x->id, confidence_name(x->confidence));
    if (c->verdict == VERDICT_INCOMPLETE)
        escf(f, " (%s)", c->incomplete_why);
    escf(f, "\nframes %llu-%llu, +%.1f ms, lasted %.1f ms", (unsigned long long)c->first_frame,
         (unsigned long long)c->last_frame, b->t0, b->t1 - b->t0);
    if (c->sh.present && !c->sh.sslv2)
        escf(f, "\n%s %s", name_version(c->sh.version).s,
             name_suite(c->sh.suite).s);
    if (sni[0])
        escf(f, "\nSNI %s", sni);
    for (size_t i = 0; d != NULL && c->verdict == VERDICT_OK && i < d->n_warnings; i++)
        if (d->warnings[i] != NULL)
            escf(f, "\nwarning: %s", d->warnings[i]);
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
            verdict_class(c->verdict), x0, lane * TL_LANE + 2, bar_width(b, span), TL_BAR);
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

static void timelines(FILE *f, const struct analysis *a, size_t file_no)
{
    size_t n = 0;
    for (size_t i = 0; i < a->flows.n_conns; i++)
        n += report_is_tls_attempt(a->flows.conns[i]);
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
    for (size_t i = 0; i < a->flows.n_conns; i++) {
        const struct conn *c = a->flows.conns[i];
        if (c == NULL)
            continue; /* reported and let go when it ended */
        if (!report_is_tls_attempt(c))
            continue;
        if (!have_origin || tstamp_ms_between(c->start, origin) > 0) {
            origin = c->start;
            have_origin = true;
        }
    }
    double span = 0;
    size_t k = 0, failed = 0, incomplete = 0;
    for (size_t i = 0; i < a->flows.n_conns; i++) {
        const struct conn *c = a->flows.conns[i];
        if (c == NULL)
            continue; /* reported and let go when it ended */
        if (!report_is_tls_attempt(c))
            continue;
        bars[k].c = c;
        /* the same order and limits as the cards in file_section */
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
        endpoint(&c0->server, c0->server_port, srv, sizeof srv);
        fputs("<div class=\"server\"><h4>server ", f);
        esc(f, srv);
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

/* ---- the ladder as an SVG sequence diagram ----------------------------- */

enum rung_kind { RK_TCP, RK_HANDSHAKE, RK_ALERT, RK_DATA, RK_GAP, RK_OTHER };

struct rung {
    uint64_t frame;
    uint32_t order;            /* insertion order: same-frame rungs keep it */
    enum side from;
    enum rung_kind kind;
    char text[160];
};

static int cmp_rung(const void *a, const void *b)
{
    const struct rung *x = a, *y = b;
    if (x->frame != y->frame)
        return x->frame < y->frame ? -1 : 1;
    return (x->order > y->order) - (x->order < y->order);
}

__attribute__((format(printf, 6, 7))) static void add_rung(struct rung *r, size_t *n,
                                                           uint64_t frame, enum side from,
                                                           enum rung_kind kind,
                                                           const char *fmt, ...)
{
    if (*n >= LADDER_MAX || frame == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r[*n].text, sizeof r[*n].text, fmt, ap);
    va_end(ap);
    r[*n].frame = frame;
    r[*n].order = (uint32_t)*n;
    r[*n].from = from;
    r[*n].kind = kind;
    (*n)++;
}

static bool has_rung(const struct rung *r, size_t n, uint64_t frame, enum side from)
{
    for (size_t i = 0; i < n; i++)
        if (r[i].frame == frame && r[i].from == from)
            return true;
    return false;
}

static void message_text(const struct conn *c, const struct message *m, char *out, size_t len)
{
    char sni[80];
    const char *name = report_message_name(c, m);
    if (m->type == 1 || m->type == MSG_SSLV2_CLIENT_HELLO) {
        uint16_t best = c->ch->legacy_version;
        for (uint16_t i = 0; i < c->ch->versions.n; i++)
            if (c->ch->versions.v[i] > best && c->ch->versions.v[i] <= 0x0304)
                best = c->ch->versions.v[i];
        sni_of(c, sni, sizeof sni);
        snprintf(out, len, "%s up to %s, %u suites%s%s", name,
                 name_version(best).s, c->ch->total_suites, sni[0] ? ", SNI " : "",
                 sni);
    } else if (m->type == 2 && c->sh.present && m->frame == c->sh.frame) {
        snprintf(out, len, "%s %s %s", name, name_version(c->sh.version).s,
                 name_suite(c->sh.suite).s);
    } else if (m->type == 11 && m->from == SIDE_SERVER && c->server_certs.present &&
               m->frame == c->server_certs.frame) {
        snprintf(out, len, "%s (%u certificate%s)", name, c->server_certs.count,
                 c->server_certs.count == 1 ? "" : "s");
    } else if (m->type == 11 && m->from == SIDE_CLIENT && c->client_certs.present &&
               m->frame == c->client_certs.frame) {
        snprintf(out, len, "%s (%u certificate%s)", name, c->client_certs.count,
                 c->client_certs.count == 1 ? "" : "s");
    } else if (m->type == 12 && c->kx.ske_present && c->kx.dhe) {
        snprintf(out, len, "%s (%u-bit DH group)", name, c->kx.dh_p_len * 8u);
    } else {
        snprintf(out, len, "%s%s", name,
                 m->encrypted || m->type == MSG_ENCRYPTED_RECORDS ? " (encrypted)" : "");
    }
}

/* The same rungs as the text ladder (ladder.c), plus the TLS 1.3
 * protected records no message stands for: their size is evidence. */
static size_t collect_rungs(const struct conn *c, struct rung *r)
{
    size_t n = 0;
    const struct side_facts *cl = &c->side[SIDE_CLIENT];
    add_rung(r, &n, cl->syn_frame, SIDE_CLIENT, RK_TCP, "SYN%s",
             cl->syn_count > 1 ? " (sent again)" : "");
    add_rung(r, &n, c->synack_frame, SIDE_SERVER, RK_TCP, "SYN-ACK");
    for (uint16_t i = 0; i < c->n_messages; i++) {
        char text[160];
        message_text(c, &c->messages[i], text, sizeof text);
        add_rung(r, &n, c->messages[i].frame, c->messages[i].from, RK_HANDSHAKE, "%s", text);
    }
    for (uint16_t i = 0; i < c->n_alerts; i++) {
        const struct alert *al = &c->alerts[i];
        if (al->encrypted) {
            add_rung(r, &n, al->frame, al->from, RK_ALERT, "Alert (encrypted, %u bytes)",
                     al->record_len);
        } else {
            const char *d = reg_alert_name(al->description);
            add_rung(r, &n, al->frame, al->from, RK_ALERT, "Alert %s %s",
                     al->level == 2 ? "fatal" : al->level == 1 ? "warning" : "?",
                     d ? d : "unknown");
        }
    }
    for (int s = 0; s < 2; s++) {
        const struct side_facts *sf = &c->side[s];
        if (sf->appdata_records > 0 && !conn_is_tls13(c))
            add_rung(r, &n, sf->appdata_frame, (enum side)s, RK_DATA,
                     "application data (%u record%s)", sf->appdata_records,
                     sf->appdata_records == 1 ? "" : "s");
        for (uint32_t i = 0; conn_is_tls13(c) && i < sf->appdata_records && i < 8; i++) {
            uint64_t fr = sf->appdata_frames[i];
            if (fr == 0 || has_rung(r, n, fr, (enum side)s))
                continue;
            add_rung(r, &n, fr, (enum side)s,
                     sf->appdata_len[i] == TLS13_ALERT_RECORD_LEN ? RK_ALERT : RK_DATA,
                     "encrypted record, %u bytes%s", sf->appdata_len[i],
                     sf->appdata_len[i] == TLS13_ALERT_RECORD_LEN ? " (alert size)" : "");
        }
        if (sf->not_tls_frame)
            add_rung(r, &n, sf->not_tls_frame, (enum side)s, RK_OTHER, "bytes that are not TLS");
        if (sf->gap_frame)
            add_rung(r, &n, sf->gap_frame, (enum side)s, RK_GAP,
                     "bytes missing from the capture");
        add_rung(r, &n, sf->fin_frame, (enum side)s, RK_TCP, "FIN");
        add_rung(r, &n, sf->rst_frame, (enum side)s, RK_TCP, "RST");
    }
    qsort(r, n, sizeof *r, cmp_rung);
    return n;
}

static const char *rung_class(enum rung_kind k)
{
    switch (k) {
    case RK_TCP: return "tcp";
    case RK_HANDSHAKE: return "hs";
    case RK_ALERT: return "alert";
    case RK_DATA: return "data";
    case RK_GAP: return "gap";
    case RK_OTHER: return "other";
    }
    return "other";
}

#define LD_W 940
#define LD_CX 150
#define LD_SX 880
#define LD_ROW 26
#define LD_TOP 44
#define LD_LABEL_MAX 100

static void ladder_svg(FILE *f, const struct conn *c)
{
    struct rung *r = calloc(LADDER_MAX, sizeof *r);
    if (r == NULL) {
        fputs("<p class=\"note\">(ladder lost: out of memory)</p>\n", f);
        return;
    }
    size_t n = collect_rungs(c, r);
    const struct finding *x = main_finding(c);
    char cl[64], sv[64];
    endpoint(&c->client, c->client_port, cl, sizeof cl);
    endpoint(&c->server, c->server_port, sv, sizeof sv);
    int height = LD_TOP + (int)n * LD_ROW + 12;
    fprintf(f, "<svg class=\"ladder\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
               "role=\"img\">\n",
            LD_W, height, LD_W, height);
    fprintf(f, "<text class=\"head\" x=\"8\" y=\"16\">frame</text>"
               "<text class=\"head\" x=\"%d\" y=\"16\" text-anchor=\"middle\">client</text>"
               "<text class=\"head\" x=\"%d\" y=\"16\" text-anchor=\"middle\">server</text>\n",
            LD_CX, LD_SX);
    fprintf(f, "<text class=\"addr\" x=\"%d\" y=\"32\" text-anchor=\"middle\">", LD_CX);
    esc(f, cl);
    fprintf(f, "</text><text class=\"addr\" x=\"%d\" y=\"32\" text-anchor=\"middle\">", LD_SX);
    esc(f, sv);
    fputs("</text>\n", f);
    fprintf(f, "<line class=\"life\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
               "<line class=\"life\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n",
            LD_CX, LD_TOP - 6, LD_CX, height - 4, LD_SX, LD_TOP - 6, LD_SX, height - 4);
    for (size_t i = 0; i < n; i++) {
        int y = LD_TOP + (int)i * LD_ROW;
        bool cited = false;
        for (size_t e = 0; x != NULL && e < x->n_evidence; e++)
            cited = cited || x->evidence[e].frame == r[i].frame;
        bool right = r[i].from == SIDE_CLIENT;
        int xa = right ? LD_CX : LD_SX, xb = right ? LD_SX - 8 : LD_CX + 8;
        const char *k = rung_class(r[i].kind);
        fprintf(f, "<g class=\"rung %s%s\"><title>", k, cited ? " cited" : "");
        escf(f, "frame %llu, %s to %s: %s%s", (unsigned long long)r[i].frame,
             right ? "client" : "server", right ? "server" : "client", r[i].text,
             cited ? " (evidence)" : "");
        fputs("</title>", f);
        if (cited)
            fprintf(f, "<rect class=\"hl\" x=\"2\" y=\"%d\" width=\"%d\" height=\"%d\"/>", y,
                    LD_W - 4, LD_ROW - 2);
        fprintf(f, "<text class=\"frame\" x=\"8\" y=\"%d\">%llu</text>", y + 19,
                (unsigned long long)r[i].frame);
        fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", xa, y + 19, xb, y + 19);
        fprintf(f, "<polygon points=\"%d,%d %d,%d %d,%d\"/>", right ? LD_SX : LD_CX, y + 19,
                xb, y + 15, xb, y + 23);
        fprintf(f, "<text class=\"label\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">",
                (LD_CX + LD_SX) / 2, y + 13);
        size_t len = strlen(r[i].text);
        if (len > LD_LABEL_MAX) {
            /* cut at a character boundary, not inside a UTF-8 sequence */
            size_t cut = LD_LABEL_MAX;
            while (cut > 0 && ((unsigned char)r[i].text[cut] & 0xc0) == 0x80)
                cut--;
            esc_n(f, r[i].text, cut);
            fputs("\xe2\x80\xa6", f);
        } else {
            esc(f, r[i].text);
        }
        fputs("</text></g>\n", f);
    }
    fputs("</svg>\n", f);
    if (c->total_messages > c->n_messages || n == LADDER_MAX)
        fputs("<p class=\"note\">The ladder is cut: the connection has more messages than "
              "are kept.</p>\n",
              f);
    free(r);
}

/* ---- one failed (or incomplete) connection ----------------------------- */

/* Evidence text starts with the side ("client  ..."): it gets its own cell. */
static void evidence_rows(FILE *f, const struct finding *x)
{
    fputs("<table class=\"evidence\">\n", f);
    for (size_t i = 0; i < x->n_evidence; i++) {
        const char *t = x->evidence[i].text ? x->evidence[i].text : "", *side = "";
        if (strncmp(t, "client ", 7) == 0 || strncmp(t, "server ", 7) == 0) {
            side = strncmp(t, "client", 6) == 0 ? "client" : "server";
            t += 6;
            while (*t == ' ')
                t++;
        }
        fputs("<tr><th>", f);
        if (x->evidence[i].frame)
            fprintf(f, "frame %llu", (unsigned long long)x->evidence[i].frame);
        else
            fputs("&#8212;", f);
        fprintf(f, "</th><td class=\"side\">%s</td><td>", side);
        esc(f, t);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

static void finding_body(FILE *f, const struct finding *x)
{
    if (x->n_evidence > 0)
        evidence_rows(f, x);
    fputs("<div class=\"why\"><b>Why</b><p>", f);
    esc(f, x->explanation);
    fputs("</p></div>\n", f);
    if (x->fix != NULL && x->fix[0]) {
        fputs("<div class=\"fix\"><b>Fix</b><p>", f);
        esc(f, x->fix);
        fputs("</p></div>\n", f);
    }
    if (x->refs != NULL) {
        fputs("<p class=\"refs\">References: ", f);
        esc(f, x->refs);
        fputs("</p>\n", f);
    }
}

static void offer_facts(FILE *f, const struct conn *c)
{
    struct value_name when_iso = tstamp_iso(c->start);
    const char *when = when_iso.s;
    fputs("<dl class=\"facts\">", f);
    fprintf(f, "<dt>frames</dt><dd>%llu&#8211;%llu, from %s, %.1f ms</dd>",
            (unsigned long long)c->first_frame, (unsigned long long)c->last_frame, when,
            tstamp_ms_between(c->start, c->end));
    if (c->ch->present) {
        uint16_t best = c->ch->legacy_version;
        for (uint16_t i = 0; i < c->ch->versions.n; i++)
            if (c->ch->versions.v[i] > best && c->ch->versions.v[i] <= 0x0304)
                best = c->ch->versions.v[i];
        fputs("<dt>client offers</dt><dd>", f);
        escf(f, "up to %s, %u cipher suites", name_version(best).s,
             c->ch->total_suites);
        if (c->ch->n_alpn > 0) {
            fputs(", ALPN ", f);
            for (uint8_t i = 0; i < c->ch->n_alpn; i++) {
                if (i)
                    fputs(", ", f);
                esc_n(f, c->ch->alpn[i], c->ch->alpn_len[i]);
            }
        }
        if (c->ch->ja4[0]) {
            fputs(", JA4 <code>", f);
            esc(f, c->ch->ja4);
            fputs("</code>", f);
        }
        fputs("</dd>", f);
    }
    if (c->sh.present && !c->sh.sslv2) {
        fputs("<dt>server chose</dt><dd>", f);
        escf(f, "%s, %s", name_version(c->sh.version).s,
             name_suite(c->sh.suite).s);
        if (c->sh.has_alpn) {
            fputs(", ALPN ", f);
            esc_n(f, c->sh.alpn, c->sh.alpn_len);
        }
        fputs("</dd>", f);
    } else if (c->ch->present) {
        fputs("<dt>server chose</dt><dd>no ServerHello</dd>", f);
    }
    fputs("</dl>\n", f);
}

static void certificates(FILE *f, const struct conn *c)
{
    const struct cert_msg *m = &c->server_certs;
    if (m->kept == 0)
        return;
    fprintf(f, "<details class=\"certs\"><summary>Server certificates (frame %llu, %u "
               "sent)</summary>\n<table class=\"certs\"><tr><th>#</th><th>subject</th>"
               "<th>issuer</th><th>names</th><th>valid</th><th>key, signature</th></tr>\n",
            (unsigned long long)m->frame, m->count);
    for (uint16_t i = 0; i < m->kept; i++) {
        struct cert_info *ci = malloc(sizeof *ci);
        if (ci == NULL)
            break;
        fprintf(f, "<tr><td>%u</td>", i);
        if (cert_parse(c->cert_bytes + m->der[i].off, m->der[i].len, ci) != ST_OK) {
            fputs("<td colspan=\"5\">(a certificate that does not decode)</td></tr>\n", f);
            free(ci);
            continue;
        }
        struct value_name nb_iso = tstamp_iso((struct tstamp){ci->not_before, 0});
        struct value_name na_iso = tstamp_iso((struct tstamp){ci->not_after, 0});
        const char *nb = nb_iso.s, *na = na_iso.s;
        fputs("<td>", f);
        esc(f, ci->subject);
        fputs("</td><td>", f);
        esc(f, ci->issuer);
        fputs("</td><td>", f);
        for (size_t k = 0; k < ci->n_san; k++) {
            if (k)
                fputs(", ", f);
            esc(f, ci->san[k]);
        }
        if (ci->san_truncated)
            fputs(" &#8230;", f);
        fputs("</td><td>", f);
        escf(f, "%.10s to %.10s", nb, na);
        fputs("</td><td>", f);
        escf(f, "%s %d, %s%s", ci->key_type, ci->key_bits, ci->signature_algorithm,
             ci->self_signed ? ", self-signed" : "");
        fputs("</td></tr>\n", f);
        free(ci);
    }
    fputs("</table></details>\n", f);
}

static void conn_card(FILE *f, const struct conn *c, size_t file_no)
{
    const struct diagnosis *d = c->diagnosis;
    const struct finding *x = main_finding(c);
    bool failed = c->verdict == VERDICT_FAILED;
    char cl[64], sv[64], sni[80];
    endpoint(&c->client, c->client_port, cl, sizeof cl);
    endpoint(&c->server, c->server_port, sv, sizeof sv);
    sni_of(c, sni, sizeof sni);
    fprintf(f, "<article class=\"conn %s\" id=\"f%zu-c%u\">\n<h4><span class=\"badge\">%s</span> "
               "#%u ",
            failed ? "failed" : "incomplete", file_no, c->id, failed ? "FAILED" : "INCOMPLETE",
            c->id);
    esc(f, cl);
    fputs(" &#8594; ", f);
    esc(f, sv);
    if (sni[0]) {
        fputs(" <span class=\"sni\">SNI ", f);
        esc(f, sni);
        fputs("</span>", f);
    }
    fputs("</h4>\n", f);
    if (x != NULL) {
        fprintf(f, "<p class=\"cause\"><code class=\"id\">");
        esc(f, x->id);
        fputs("</code> ", f);
        esc(f, x->title);
        fprintf(f, " <span class=\"conf %s\">confidence %s</span></p>\n",
                confidence_name(x->confidence), confidence_name(x->confidence));
    } else if (!failed) {
        fputs("<p class=\"cause\">", f);
        esc(f, c->incomplete_why);
        fputs("</p>\n", f);
    }
    if (failed)
        offer_facts(f, c);
    if (x != NULL)
        finding_body(f, x);
    if (d != NULL && d->n_alternatives > 0) {
        fputs("<div class=\"alts\"><b>Also possible</b><ul>\n", f);
        for (size_t i = 0; i < d->n_alternatives; i++) {
            const struct finding *alt = &d->alternatives[i];
            fputs("<li><details><summary><code class=\"id\">", f);
            esc(f, alt->id);
            fputs("</code> ", f);
            esc(f, alt->title);
            fprintf(f, " <span class=\"conf %s\">confidence %s</span></summary>\n",
                    confidence_name(alt->confidence), confidence_name(alt->confidence));
            finding_body(f, alt);
            fputs("</details></li>\n", f);
        }
        fputs("</ul></div>\n", f);
    }
    if (failed) {
        certificates(f, c);
        fputs("<div class=\"ladderbox\"><b>Ladder</b> <span class=\"dim\">frames cited as "
              "evidence are highlighted</span>\n",
              f);
        ladder_svg(f, c);
        fputs("</div>\n", f);
    }
    fputs("</article>\n", f);
}


/* The cards of the connections with this verdict, at most max of them;
 * returns how many more there were. */
static size_t cards(FILE *f, const struct analysis *a, enum verdict v, size_t max, size_t file_no)
{
    size_t shown = 0;
    for (size_t i = 0; i < a->flows.n_conns; i++) {
        const struct conn *c = a->flows.conns[i];
        if (c == NULL || c->verdict != v)
            continue; /* let go when it ended, or another verdict */
        if (shown++ < max)
            conn_card(f, c, file_no);
    }
    return shown > max ? shown - max : 0;
}

/* ---- one file's section ------------------------------------------------ */

static void file_section(FILE *f, const struct analysis *a, size_t file_no)
{
    struct file_counts k;
    report_counts(a, &k);
    fprintf(f, "<section class=\"file\" id=\"f%zu\">\n<h2>", file_no);
    esc(f, a->path);
    fputs("</h2>\n<p class=\"counts\">", f);
    fprintf(f, "%zu TLS connection%s: <span class=\"n ok\">%zu ok</span>, "
               "<span class=\"n%s\">%zu failed</span>, "
               "<span class=\"n incomplete\">%zu incomplete</span>",
            k.tls, k.tls == 1 ? "" : "s", k.ok, k.failed ? " failed" : "", k.failed,
            k.incomplete);
    if (k.not_tls)
        fprintf(f, "; %zu not TLS", k.not_tls);
    fprintf(f, "; %llu frames.</p>\n", (unsigned long long)a->frames);
    if (a->unreadable || a->damaged) {
        fputs("<p class=\"warn\">", f);
        esc(f, a->error[0] ? a->error : "the file could not be read to its end");
        fputs(a->unreadable ? "" : " (what was read before is reported)", f);
        fputs("</p>\n", f);
    }
    if (a->cut_frames)
        fprintf(f, "<p class=\"warn\">%llu frames were cut by the capture's snap length (%u "
                   "bytes): handshake bytes may be missing.</p>\n",
                (unsigned long long)a->cut_frames, a->snaplen);
    if (a->flows.dropped_conns)
        fprintf(f, "<p class=\"warn\">%llu connections past the limit of %zu were not "
                   "analysed (--max-connections).</p>\n",
                (unsigned long long)a->flows.dropped_conns, a->flows.max_conns);
    timelines(f, a, file_no);
    if (k.failed > 0) {
        fputs("<h3>Failed connections</h3>\n", f);
        size_t more = cards(f, a, VERDICT_FAILED, HTML_MAX_DETAILS, file_no);
        if (more > 0)
            fprintf(f, "<p class=\"note\">%zu more failed connections are not drawn here; "
                       "the text or --json output lists them all.</p>\n",
                    more);
    }
    if (k.incomplete > 0) {
        fputs("<h3>Incomplete connections</h3>\n<p class=\"dim\">The capture misses what is "
              "needed to judge these; they are neither counted as failed nor as ok.</p>\n",
              f);
        size_t more = cards(f, a, VERDICT_INCOMPLETE, HTML_MAX_INCOMPLETE, file_no);
        if (more > 0)
            fprintf(f, "<p class=\"note\">%zu more incomplete connections.</p>\n", more);
    }
    fputs("</section>\n", f);
}

/* ---- the API ----------------------------------------------------------- */

struct html_report *html_new(void)
{
    return calloc(1, sizeof(struct html_report));
}

void html_add_file(struct html_report *h, const struct analysis *a)
{
    if (h == NULL || a == NULL)
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
    memset(hf, 0, sizeof *hf);
    hf->path = strdup(a->path ? a->path : "-");
    if (hf->path == NULL) {
        h->lost = true;
        return;
    }
    report_counts(a, &hf->k);
    hf->unreadable = a->unreadable;
    for (size_t i = 0; i < a->flows.n_conns; i++) {
        const struct conn *c = a->flows.conns[i];
        if (c == NULL)
            continue; /* reported and let go when it ended */
        const struct finding *x = main_finding(c);
        if (c->verdict != VERDICT_FAILED || x == NULL)
            continue;
        count_cause(h, x->id, x->title);
        if (hf->first_cause[0] == '\0')
            snprintf(hf->first_cause, sizeof hf->first_cause, "%s", x->id);
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (m != NULL) {
        file_section(m, a, h->n);
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
}

static const char STYLE[] =
    "<style>\n"
    ":root{--ok:#2e8b3e;--failed:#cc3333;--incomplete:#9a9a9a;--nottls:#c9c3e6;"
    "--ink:#1d232b;--dim:#5f6b78;--line:#d9dee4;--bg:#f6f7f9}\n"
    "*{box-sizing:border-box}\n"
    "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;"
    "color:var(--ink);background:var(--bg);margin:0}\n"
    "main{max-width:1120px;margin:0 auto;padding:20px 24px 60px}\n"
    "h1{font-size:24px;margin:4px 0 2px}h2{font-size:19px;margin:28px 0 8px;"
    "word-break:break-all}h3{font-size:16px;margin:20px 0 6px}"
    "h4{font-size:15px;margin:0 0 6px;word-break:break-all}\n"
    "code,.id,.frame,.evidence th,.tick{font-family:'DejaVu Sans Mono',Menlo,Consolas,"
    "monospace}\n"
    ".dim,.refs,.legend,.note{color:var(--dim)}.refs{font-size:13px;margin:4px 0}\n"
    ".note{font-size:13px;font-style:italic}\n"
    ".warn{background:#fff4d6;border:1px solid #e8c96a;padding:6px 10px;border-radius:4px}\n"
    ".tiles{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}\n"
    ".tile{background:#fff;border:1px solid var(--line);border-radius:6px;padding:8px 14px;"
    "min-width:120px}.tile b{display:block;font-size:24px}\n"
    ".tile.ok b{color:var(--ok)}.tile.failed b{color:var(--failed)}"
    ".tile.incomplete b{color:#6d6d6d}\n"
    "table{border-collapse:collapse;background:#fff}\n"
    "table.list{width:100%;border:1px solid var(--line)}\n"
    ".list th,.list td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left;"
    "vertical-align:top}.list td.num,.list th.num{text-align:right}\n"
    ".list td.file{word-break:break-all}\n"
    ".meter{display:inline-block;height:10px;background:var(--failed);border-radius:2px;"
    "vertical-align:middle}\n"
    ".n.ok{color:var(--ok)}.n.failed{color:var(--failed);font-weight:600}"
    ".n.incomplete{color:#6d6d6d}\n"
    "section.file{border-top:2px solid var(--line);margin-top:30px}\n"
    ".server{background:#fff;border:1px solid var(--line);border-radius:6px;padding:8px 10px;"
    "margin:8px 0}\n"
    "svg.timeline{display:block}\n"
    ".bar.ok{fill:var(--ok)}.bar.failed{fill:var(--failed)}.bar.incomplete{fill:var(--incomplete)}"
    ".bar.nottls{fill:var(--nottls);stroke:#8a80c0;stroke-width:.5}\n"
    "a .bar:hover,.bar:hover{stroke:#000;stroke-width:1}\n"
    ".grid{stroke:#e6e9ed;stroke-width:1}.tick{font-size:11px;fill:var(--dim)}\n"
    ".k{white-space:nowrap}.key{display:inline-block;width:12px;height:10px;border-radius:2px;margin:0 3px 0 8px;"
    "vertical-align:baseline}\n"
    ".key.ok{background:var(--ok)}.key.failed{background:var(--failed)}"
    ".key.incomplete{background:var(--incomplete)}.key.nottls{background:var(--nottls)}\n"
    "article.conn{background:#fff;border:1px solid var(--line);border-left:5px solid "
    "var(--failed);border-radius:6px;padding:12px 16px;margin:12px 0}\n"
    "article.conn.incomplete{border-left-color:var(--incomplete)}\n"
    ".badge{display:inline-block;background:var(--failed);color:#fff;font-size:12px;"
    "font-weight:700;padding:1px 7px;border-radius:3px;margin-right:4px}\n"
    ".incomplete .badge{background:#777}.incomplete .cause .id{background:#eceff2}\n"
    ".sni{font-weight:400;color:var(--dim)}\n"
    ".cause{font-size:16px;margin:4px 0 8px}.cause .id{font-weight:700;"
    "background:#fbeaea;padding:1px 5px;border-radius:3px}\n"
    ".conf{font-size:12px;padding:1px 6px;border-radius:3px;margin-left:6px;"
    "white-space:nowrap}.conf.high{background:#dff2e2;color:#1d6a2a}"
    ".conf.medium{background:#fff1cc;color:#7a5a00}.conf.low{background:#eceff2;"
    "color:#4d5966}\n"
    "dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:1px 12px;"
    "margin:6px 0 10px;font-size:13.5px}dl.facts dt{color:var(--dim)}dl.facts dd{margin:0;"
    "word-break:break-word}\n"
    "table.evidence{margin:6px 0 8px;font-size:14px}\n"
    ".evidence th{font-weight:400;color:var(--dim);text-align:left;padding:2px 12px 2px 0;"
    "white-space:nowrap;vertical-align:top;font-size:13px}\n"
    ".evidence td{padding:2px 8px 2px 0;vertical-align:top}.evidence td.side{color:var(--dim);"
    "font-style:italic}\n"
    ".why p,.fix p{margin:2px 0 8px}\n"
    ".fix{background:#eef7ef;border-left:3px solid var(--ok);padding:6px 10px;"
    "border-radius:3px}\n"
    ".alts ul{margin:4px 0 8px;padding-left:4px;list-style:none}.alts summary{cursor:pointer}\n"
    ".alts details[open]{background:#fafbfc;border:1px solid var(--line);padding:6px 10px;"
    "border-radius:4px}\n"
    "details.certs{margin:8px 0}details.certs summary{cursor:pointer;color:var(--dim)}\n"
    "table.certs{font-size:12.5px;border:1px solid var(--line);margin-top:4px;width:100%}"
    "table.certs th,table.certs td{padding:3px 6px;border-bottom:1px solid var(--line);"
    "text-align:left;vertical-align:top;overflow-wrap:break-word}\n"
    ".ladderbox{margin-top:10px;overflow-x:auto}\n"
    "svg.ladder{display:block;margin-top:4px;background:#fcfcfd;border:1px solid var(--line);"
    "border-radius:4px}\n"
    ".ladder .head{font-size:13px;font-weight:700;fill:var(--ink)}"
    ".ladder .addr{font-size:11px;fill:var(--dim)}\n"
    ".ladder .life{stroke:#b8c0c9;stroke-width:2}\n"
    ".ladder .frame{font-size:12px;fill:var(--dim)}.ladder .cited .frame{fill:var(--ink);"
    "font-weight:700}\n"
    ".ladder .hl{fill:#fff3c4}\n"
    ".ladder .label{font-size:12.5px}\n"
    ".rung line{stroke-width:1.6}\n"
    ".rung.hs line{stroke:#2f62a8}.rung.hs polygon{fill:#2f62a8}.rung.hs .label{fill:#1d3f6e}\n"
    ".rung.tcp line{stroke:#7b8591;stroke-dasharray:5 3}.rung.tcp polygon{fill:#7b8591}"
    ".rung.tcp .label{fill:#4d5660}\n"
    ".rung.alert line{stroke:var(--failed);stroke-width:2.2}.rung.alert polygon{"
    "fill:var(--failed)}.rung.alert .label{fill:#a01f1f;font-weight:700}\n"
    ".rung.data line{stroke:var(--ok)}.rung.data polygon{fill:var(--ok)}"
    ".rung.data .label{fill:#1f5e2a}\n"
    ".rung.gap line{stroke:#d9822b;stroke-dasharray:2 3}.rung.gap polygon{fill:#d9822b}"
    ".rung.gap .label{fill:#98571a;font-style:italic}\n"
    ".rung.other line{stroke:#7a4fb0}.rung.other polygon{fill:#7a4fb0}"
    ".rung.other .label{fill:#55338a}\n"
    "footer{margin-top:40px;color:var(--dim);font-size:12.5px}\n"
    "@media print{body{background:#fff}details{display:block}}\n"
    "</style>\n";

static int cmp_cause(const void *x, const void *y)
{
    const struct html_cause *a = *(const struct html_cause *const *)x;
    const struct html_cause *b = *(const struct html_cause *const *)y;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return strcmp(a->id, b->id);
}

static void summary(FILE *f, const struct html_report *h)
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
            esc(f, sorted[i]->id);
            fputs("</code></td><td>", f);
            esc(f, sorted[i]->title);
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
            esc(f, r->path);
            fprintf(f, "</a></td><td class=\"num\">%zu</td><td class=\"num\">%zu</td>"
                       "<td class=\"num%s\">%zu</td><td class=\"num\">%zu</td><td><code>",
                    r->k.tls, r->k.ok, r->k.failed ? " n failed" : "", r->k.failed,
                    r->k.incomplete);
            esc(f, r->first_cause[0] ? r->first_cause : "-");
            fputs("</code></td></tr>\n", f);
        }
        fputs("</table>\n", f);
    }
    fputs("</section>\n", f);
}

int html_write(const struct html_report *h, const char *path)
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
        esc(f, h->files[0].path);
    else
        fprintf(f, "%zu files", h ? h->n : 0);
    fputs("</title>\n", f);
    fputs(STYLE, f);
    fputs("</head>\n<body>\n<main>\n<header><h1>tlsexplain report</h1>\n<p class=\"dim\">Why "
          "the TLS handshakes in these captures failed: the cause, the frames that show it "
          "(numbered as in Wireshark) and the fix.</p></header>\n",
          f);
    summary(f, h);
    for (size_t i = 0; h != NULL && i < h->n; i++) {
        if (h->files[i].section != NULL) {
            fwrite(h->files[i].section, 1, h->files[i].section_len, f);
        } else {
            fputs("<section class=\"file\"><h2>", f);
            esc(f, h->files[i].path);
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

void html_free(struct html_report *h)
{
    if (h == NULL)
        return;
    for (size_t i = 0; i < h->n; i++) {
        free(h->files[i].path);
        free(h->files[i].section);
    }
    free(h->files);
    free(h);
}
