/* text.c: the report a person reads. One header line per file, then
 * each failed connection: what failed, the frames that show it, why, the fix. */
#include <stdlib.h>
#include <string.h>
#include "util/names.h"
#include "rules/diagnosis.h"
#include "util/escape.h"
#include "report/report.h"
#include "report/reporter.h"
#include "rules/verdict.h"
#include "quic/facts.h"
#include "quic/version.h"

#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_BOLD "\033[1m"
#define C_DIM "\033[2m"
#define C_OFF "\033[0m"

static const char *col(const struct report_opts *o, const char *code)
{
    return o->color ? code : "";
}

/* Prints text wrapped at the width, every line after the first indented. */
static void wrapped(FILE *f, const char *text, int indent, int width)
{
    int avail = width - indent;
    if (avail < 30)
        avail = 30;
    const char *p = text;
    bool first = true;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t n = strlen(p);
        size_t take = n;
        if ((int)n > avail) {
            take = (size_t)avail;
            while (take > 0 && p[take] != ' ')
                take--;
            if (take == 0)
                take = (size_t)avail;
        }
        if (!first)
            fprintf(f, "\n%*s", indent, "");
        fwrite(p, 1, take, f);
        first = false;
        p += take;
    }
    fputc('\n', f);
}

static void endpoints(const struct conn *c, char *buf, size_t len)
{
    char a[64], b[64];
    addr_format(&c->client, c->client_port, a, sizeof a);
    addr_format(&c->server, c->server_port, b, sizeof b);
    if (c->quic != NULL) {
        char v[24];
        quic_version_name(c->quic->version, v, sizeof v);
        snprintf(buf, len, "%s -> %s QUIC %s", a, b, v);
        return;
    }
    snprintf(buf, len, "%s -> %s", a, b);
}

/* An ECH offer in a line: what became of it, "offered" when only the
 * encrypted flight could tell; NULL without one. */
static const char *text_ech(const struct conn *c)
{
    const char *outcome = ech_outcome(c);
    return outcome != NULL && strcmp(outcome, "unknown") == 0 ? "offered" : outcome;
}

static void one_line(FILE *f, const struct conn *c, const struct report_opts *o)
{
    char ep[160], sni[80] = "";
    endpoints(c, ep, sizeof ep);
    const char *verdict = verdict_name((enum verdict)c->verdict);
    const char *color = c->verdict == VERDICT_OK ? C_GREEN
                        : c->verdict == VERDICT_FAILED ? C_RED : C_YELLOW;
    if (c->ch->has_sni)
        text_safe_buf(sni, sizeof sni, c->ch->sni, c->ch->sni_len);
    fprintf(f, "#%-3u %-46s %s%s%s", c->id, ep, col(o, color), verdict, col(o, C_OFF));
    if (c->sh.present && !c->sh.sslv2)
        fprintf(f, "  %s %s", name_version(c->sh.version).s,
                name_suite(c->sh.suite).s);
    /* with ECH the name in clear is the outer, public one (RFC 9849 6.1) */
    const char *ech = text_ech(c);
    if (sni[0])
        fprintf(f, "  %sSNI %s", ech != NULL ? "outer " : "", sni);
    if (ech != NULL)
        fprintf(f, "  ECH %s", ech);
    if (c->verdict == VERDICT_INCOMPLETE)
        fprintf(f, "  (%s)", c->incomplete_why);
    if (c->verdict == VERDICT_NOT_TLS && c->app_protocol[0])
        fprintf(f, "  %s", c->app_protocol);
    fputc('\n', f);
}

static void finding_block(FILE *f, const struct finding *x, const struct report_opts *o)
{
    for (size_t i = 0; i < x->n_evidence; i++) {
        char label[24];
        snprintf(label, sizeof label, "frame %llu", (unsigned long long)x->evidence[i].frame);
        fprintf(f, "    %s%-11s%s ", col(o, C_DIM), label, col(o, C_OFF));
        wrapped(f, x->evidence[i].text, 16, o->width);
    }
    fprintf(f, "    %s%-11s%s ", col(o, C_BOLD), "why", col(o, C_OFF));
    wrapped(f, x->explanation, 16, o->width);
    for (size_t i = 0; i < x->n_reasons; i++) {
        const struct reason *r = &x->reasons[i];
        char line[300];
        snprintf(line, sizeof line, "%c %s%s%s%s", r->weight > 0 ? '+' : '-', r->fact,
                 r->ref ? " (" : "", r->ref ? r->ref : "", r->ref ? ")" : "");
        fprintf(f, "    %s%-11s%s ", col(o, C_DIM), i == 0 ? "weighed" : "", col(o, C_OFF));
        wrapped(f, line, 16, o->width);
    }
    if (x->fix[0]) {
        fprintf(f, "    %s%-11s%s ", col(o, C_BOLD), "fix", col(o, C_OFF));
        wrapped(f, x->fix, 16, o->width);
    }
}

static void failed_block(FILE *f, const struct conn *c, const struct report_opts *o)
{
    const struct diagnosis *d = c->diagnosis;
    char ep[160], sni[80] = "";
    endpoints(c, ep, sizeof ep);
    if (c->ch->has_sni)
        text_safe_buf(sni, sizeof sni, c->ch->sni, c->ch->sni_len);
    fprintf(f, "\n%s#%u%s  %s  %sFAILED%s  %s\n", col(o, C_BOLD), c->id, col(o, C_OFF), ep,
            col(o, C_RED), col(o, C_OFF), d && d->main.title ? d->main.title : "");
    if (d == NULL || d->main.id == NULL)
        return;
    const char *ech = text_ech(c);
    fprintf(f, "    %-11s %s (confidence %s)%s%s%s%s\n", "cause", d->main.id,
            confidence_name(d->main.confidence),
            sni[0] ? (ech != NULL ? ", outer SNI " : ", SNI ") : "", sni,
            ech != NULL ? ", ECH " : "", ech != NULL ? ech : "");
    finding_block(f, &d->main, o);
    for (size_t i = 0; i < d->n_alternatives; i++) {
        const struct finding *alt = &d->alternatives[i];
        fprintf(f, "    %-11s %s: %s (confidence %s)\n", i == 0 ? "or" : "", alt->id, alt->title,
                confidence_name(alt->confidence));
    }
    for (size_t i = 0; i < d->n_ruled_out; i++) {
        char line[320];
        snprintf(line, sizeof line, "%s: %s", d->ruled_out[i].id, d->ruled_out[i].why.fact);
        fprintf(f, "    %s%-11s%s ", col(o, C_DIM), i == 0 ? "not" : "", col(o, C_OFF));
        wrapped(f, line, 16, o->width);
    }
}

/* Connections whose handshake the snap length cut are incomplete, which the
 * default output does not list: the note says which they are. */
static void snap_note(FILE *f, const struct file_facts *ff)
{
    char ids[160] = "";
    size_t used = 0;
    if (ff->cut_frames == 0 || ff->n_cut == 0)
        return;
    for (size_t i = 0; i < ff->n_cut && i < FILE_FACTS_CUT_IDS; i++) {
        int k = snprintf(ids + used, sizeof ids - used, "%s#%u", used ? ", " : "",
                         ff->cut_ids[i]);
        if (k > 0 && (size_t)k < sizeof ids - used)
            used += (size_t)k;
    }
    fprintf(f, "  note: %llu frame%s cut to the snap length (%u bytes): handshake bytes are "
               "missing in %zu connection%s (%s%s)\n",
            (unsigned long long)ff->cut_frames, ff->cut_frames == 1 ? " was" : "s were",
            ff->snaplen, ff->n_cut, ff->n_cut == 1 ? "" : "s", ids,
            ff->n_cut > FILE_FACTS_CUT_IDS ? ", ..." : "");
}

/* With a key log: how many TLS connections it covered, and what a gap in it
 * usually means. */
static void keys_note(FILE *f, const struct keylog_cover *k)
{
    if (k->given && k->late > 0)
        fprintf(f, "  key log: the capture's secrets for %zu connection%s come after %s "
                   "encrypted\n           records (a Decryption Secrets Block serves the "
                   "packets after it): not decrypted\n",
                k->late, k->late == 1 ? "" : "s", k->late == 1 ? "its" : "their");
    if (!k->given || k->tls == 0)
        return;
    fprintf(f, "  key log: covers %zu of %zu TLS connection%s", k->covered, k->tls,
            k->tls == 1 ? "" : "s");
    if (k->verified > 0)
        fprintf(f, " (%zu checked by the Finished MAC)", k->verified);
    if (k->wrong > 0)
        fprintf(f, "; %zu with keys that open nothing (not this session's secrets)", k->wrong);
    if (k->unsupported > 0)
        fprintf(f, "; %zu with a cipher suite not decrypted here", k->unsupported);
    fputc('\n', f);
    if (k->forward_secret > 0)
        fprintf(f, "  key log: %zu use an (EC)DHE key exchange: the server's private key cannot "
                   "recover\n           their secrets (forward secrecy); only a key log "
                   "can\n",
                k->forward_secret);
    if (k->missing > 0)
        fprintf(f, "  key log: no keys for %zu (usually another process or host, a log written "
                   "too late,\n           or a client that ignores SSLKEYLOGFILE)\n",
                k->missing);
}

/* The file's header line and its notes, before its connections. */
static void file_header(FILE *f, const struct file_facts *ff, const struct report_opts *o)
{
    const struct file_counts *k = &ff->k;
    char name[512];
    text_safe_buf(name, sizeof name, ff->path, strlen(ff->path));
    fprintf(f, "%s%s%s: %zu TLS connection%s, %zu ok, %zu failed, %zu incomplete", col(o, C_BOLD),
            name, col(o, C_OFF), k->tls, k->tls == 1 ? "" : "s", k->ok, k->failed,
            k->incomplete);
    if (k->not_tls)
        fprintf(f, "; %zu not TLS", k->not_tls);
    fputc('\n', f);
    keys_note(f, &ff->keys);
    if (ff->dropped_conns)
        fprintf(f, "  note: %llu connections past the limit of %zu were not analysed "
                   "(raise it with --max-connections)\n",
                (unsigned long long)ff->dropped_conns, ff->max_conns);
    snap_note(f, ff);
}

/* What each side sent first once decrypted (a request, a status line),
 * under the connection's block or line. */
static void first_data(FILE *f, const struct conn *c, bool failed)
{
    for (int s = SIDE_CLIENT; s <= SIDE_SERVER; s++) {
        char data[REPORT_FIRST_DATA_MAX];
        if (!report_first_data(c, (enum side)s, data, sizeof data))
            continue;
        const char *side = s == SIDE_CLIENT ? "client" : "server";
        if (failed)
            fprintf(f, "    %-11s %s  %s (decrypted)\n", "data", side, data);
        else
            fprintf(f, "     %-7s %s  %s (decrypted)\n", "data", side, data);
    }
}

void report_text_connection(FILE *f, const struct conn *c, const struct report_opts *o)
{
    const struct diagnosis *d = c->diagnosis;
    if (c->verdict == VERDICT_FAILED) {
        failed_block(f, c, o);
        first_data(f, c, true);
    } else if (o->all && report_is_tls_attempt(c)) {
        one_line(f, c, o);
        for (size_t w = 0; d != NULL && w < d->n_warnings; w++)
            fprintf(f, "     %swarning%s %s\n", col(o, C_YELLOW), col(o, C_OFF),
                    d->warnings[w]);
        first_data(f, c, false);
    } else {
        return;
    }
    if (o->verbose)
        report_ladder(f, c, o);
}

void report_text_error(FILE *f, const char *file, const char *message, bool color)
{
    char name[512];
    text_safe_buf(name, sizeof name, file, strlen(file));
    fprintf(f, "tlsexplain: %s%s%s: %s\n", color ? C_BOLD : "", name, color ? C_OFF : "",
            message);
}

/* ---- the reporter (reporter.h): a header line per file, then the failed
 * connections (every one with --all), each with its ladder under -v */

static void *text_open(const struct report_opts *o, const char *dest)
{
    (void)dest;
    struct report_opts *self = malloc(sizeof *self);
    if (self != NULL)
        *self = *o;
    return self;
}

static void text_begin_file(void *self, FILE *out, const struct file_facts *f)
{
    file_header(out, f, self);
}

static void text_connection(void *self, FILE *out, const char *file, const struct conn *c)
{
    (void)file;
    report_text_connection(out, c, self);
}

/* An unreadable file: the driver says so on stderr, in every mode. */
static void text_end_file(void *self, FILE *out, const struct file_facts *f)
{
    (void)self;
    (void)out;
    (void)f;
}

static int text_finish(void *self, FILE *out)
{
    (void)self;
    (void)out;
    return 0;
}

const struct reporter_ops reporter_text = {
    .name = "text",
    .open = text_open,
    .begin_file = text_begin_file,
    .connection = text_connection,
    .end_file = text_end_file,
    .finish = text_finish,
    .close = free,
};
