/* html_cards.c: the card of a failed or incomplete connection: what failed,
 * the offer and the answer, the evidence by frame, why, the fix, the other
 * causes still possible, the server's certificates and the ladder. */
#include <stdlib.h>
#include <string.h>
#include "util/names.h"
#include "x509/cert.h"
#include "report/report.h"
#include "report/html_parts.h"

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
        html_esc(f, t);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

static void finding_body(FILE *f, const struct finding *x)
{
    if (x->n_evidence > 0)
        evidence_rows(f, x);
    fputs("<div class=\"why\"><b>Why</b><p>", f);
    html_esc(f, x->explanation);
    fputs("</p></div>\n", f);
    if (x->fix != NULL && x->fix[0]) {
        fputs("<div class=\"fix\"><b>Fix</b><p>", f);
        html_esc(f, x->fix);
        fputs("</p></div>\n", f);
    }
    if (x->refs != NULL) {
        fputs("<p class=\"refs\">References: ", f);
        html_esc(f, x->refs);
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
        html_escf(f, "up to %s, %u cipher suites", name_version(best).s,
             c->ch->total_suites);
        if (c->ch->n_alpn > 0) {
            fputs(", ALPN ", f);
            for (uint8_t i = 0; i < c->ch->n_alpn; i++) {
                if (i)
                    fputs(", ", f);
                html_esc_n(f, c->ch->alpn[i], c->ch->alpn_len[i]);
            }
        }
        if (c->ch->ja4[0]) {
            fputs(", JA4 <code>", f);
            html_esc(f, c->ch->ja4);
            fputs("</code>", f);
        }
        fputs("</dd>", f);
    }
    if (c->sh.present && !c->sh.sslv2) {
        fputs("<dt>server chose</dt><dd>", f);
        html_escf(f, "%s, %s", name_version(c->sh.version).s,
             name_suite(c->sh.suite).s);
        if (c->sh.has_alpn) {
            fputs(", ALPN ", f);
            html_esc_n(f, c->sh.alpn, c->sh.alpn_len);
        }
        fputs("</dd>", f);
    } else if (c->ch->present) {
        fputs("<dt>server chose</dt><dd>no ServerHello</dd>", f);
    }
    char data[REPORT_FIRST_DATA_MAX];
    for (int s = SIDE_CLIENT; s <= SIDE_SERVER; s++)
        if (report_first_data(c, (enum side)s, data, sizeof data)) {
            fprintf(f, "<dt>%s data</dt><dd><code>", s == SIDE_CLIENT ? "client" : "server");
            html_esc(f, data);
            fputs("</code> (decrypted)</dd>", f);
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
        html_esc(f, ci->subject);
        fputs("</td><td>", f);
        html_esc(f, ci->issuer);
        fputs("</td><td>", f);
        for (size_t k = 0; k < ci->n_san; k++) {
            if (k)
                fputs(", ", f);
            html_esc(f, ci->san[k]);
        }
        if (ci->san_truncated)
            fputs(" &#8230;", f);
        fputs("</td><td>", f);
        html_escf(f, "%.10s to %.10s", nb, na);
        fputs("</td><td>", f);
        html_escf(f, "%s %d, %s%s", ci->key_type, ci->key_bits, ci->signature_algorithm,
             ci->self_signed ? ", self-signed" : "");
        fputs("</td></tr>\n", f);
        free(ci);
    }
    fputs("</table></details>\n", f);
}

static void conn_card(FILE *f, const struct conn *c, size_t file_no)
{
    const struct diagnosis *d = c->diagnosis;
    const struct finding *x = html_main_finding(c);
    bool failed = c->verdict == VERDICT_FAILED;
    char cl[64], sv[64], sni[80];
    addr_format(&c->client, c->client_port, cl, sizeof cl);
    addr_format(&c->server, c->server_port, sv, sizeof sv);
    html_sni(c, sni, sizeof sni);
    fprintf(f, "<article class=\"conn %s\" id=\"f%zu-c%u\">\n<h4><span class=\"badge\">%s</span> "
               "#%u ",
            failed ? "failed" : "incomplete", file_no, c->id, failed ? "FAILED" : "INCOMPLETE",
            c->id);
    html_esc(f, cl);
    fputs(" &#8594; ", f);
    html_esc(f, sv);
    if (sni[0]) {
        fputs(" <span class=\"sni\">SNI ", f);
        html_esc(f, sni);
        fputs("</span>", f);
    }
    fputs("</h4>\n", f);
    if (x != NULL) {
        fprintf(f, "<p class=\"cause\"><code class=\"id\">");
        html_esc(f, x->id);
        fputs("</code> ", f);
        html_esc(f, x->title);
        fprintf(f, " <span class=\"conf %s\">confidence %s</span></p>\n",
                confidence_name(x->confidence), confidence_name(x->confidence));
    } else if (!failed) {
        fputs("<p class=\"cause\">", f);
        html_esc(f, c->incomplete_why);
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
            html_esc(f, alt->id);
            fputs("</code> ", f);
            html_esc(f, alt->title);
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
        html_ladder_svg(f, c);
        fputs("</div>\n", f);
    }
    fputs("</article>\n", f);
}

size_t html_cards(FILE *f, const struct conn *const *conns, size_t n, enum verdict v, size_t max,
                  size_t file_no)
{
    size_t shown = 0;
    for (size_t i = 0; i < n; i++) {
        const struct conn *c = conns[i];
        if (c->verdict != v)
            continue;
        if (shown++ < max)
            conn_card(f, c, file_no);
    }
    return shown > max ? shown - max : 0;
}
