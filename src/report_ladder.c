/* report_ladder.c: -v, each connection as a ladder of what each side sent,
 * in frame order, with the time since the first frame. */
#include <stdlib.h>
#include <string.h>
#include "json_out.h"
#include "registry.h"
#include "report.h"

#define LADDER_MAX 96

struct rung {
    uint64_t frame;
    enum side from;
    char text[200];
};

static int cmp_rung(const void *a, const void *b)
{
    const struct rung *x = a, *y = b;
    return (x->frame > y->frame) - (x->frame < y->frame);
}

static void add(struct rung *r, size_t *n, uint64_t frame, enum side from, const char *fmt,
                const char *detail)
{
    if (*n >= LADDER_MAX || frame == 0)
        return;
    r[*n].frame = frame;
    r[*n].from = from;
    snprintf(r[*n].text, sizeof r[*n].text, fmt, detail ? detail : "");
    (*n)++;
}

static void hello_details(const struct conn *c, const struct message *m, char *out, size_t len)
{
    char v[16], s[64], sni[64] = "";
    out[0] = '\0';
    if (m->type == 1 || m->type == MSG_SSLV2_CLIENT_HELLO) {
        uint16_t best = c->ch.legacy_version;
        for (uint16_t i = 0; i < c->ch.versions.n; i++)
            if (c->ch.versions.v[i] > best && c->ch.versions.v[i] <= 0x0304)
                best = c->ch.versions.v[i];
        if (c->ch.has_sni)
            text_safe_buf(sni, sizeof sni, c->ch.sni, c->ch.sni_len);
        snprintf(out, len, " up to %s, %u suites%s%s", report_version(best, v, sizeof v),
                 c->ch.total_suites, sni[0] ? ", SNI " : "", sni);
    } else if (m->type == 2 && c->sh.present && m->frame == c->sh.frame) {
        snprintf(out, len, " %s %s", report_version(c->sh.version, v, sizeof v),
                 report_suite(c->sh.suite, s, sizeof s));
    }
}

void report_ladder(FILE *f, const struct conn *c, const struct report_opts *o)
{
    struct rung *r = calloc(LADDER_MAX, sizeof *r);
    size_t n = 0;
    char buf[128];
    if (r == NULL)
        return;
    (void)o;
    const struct side_facts *cl = &c->side[SIDE_CLIENT], *sv = &c->side[SIDE_SERVER];
    add(r, &n, cl->syn_frame, SIDE_CLIENT, "SYN%s", cl->syn_count > 1 ? " (retransmitted)" : "");
    add(r, &n, c->synack_frame, SIDE_SERVER, "SYN-ACK%s", NULL);
    for (uint16_t i = 0; i < c->n_messages; i++) {
        const struct message *m = &c->messages[i];
        char det[120];
        hello_details(c, m, det, sizeof det);
        snprintf(buf, sizeof buf, "%s%s", report_message_name(c, m),
                 m->encrypted ? " (encrypted)" : "");
        char line[200];
        snprintf(line, sizeof line, "%s%s", buf, det);
        add(r, &n, m->frame, m->from, "%s", line);
    }
    for (uint16_t i = 0; i < c->n_alerts; i++) {
        const struct alert *a = &c->alerts[i];
        if (a->encrypted) {
            snprintf(buf, sizeof buf, "Alert (encrypted, %u bytes)", a->record_len);
        } else {
            const char *d = reg_alert_name(a->description);
            snprintf(buf, sizeof buf, "Alert %s %s", a->level == 2 ? "fatal" : "warning",
                     d ? d : "?");
        }
        add(r, &n, a->frame, a->from, "%s", buf);
    }
    for (int s = 0; s < 2; s++) {
        const struct side_facts *sf = &c->side[s];
        if (sf->appdata_records > 0 && !conn_is_tls13(c)) {
            snprintf(buf, sizeof buf, "application data (%u records)", sf->appdata_records);
            add(r, &n, sf->appdata_frame, (enum side)s, "%s", buf);
        }
        if (sf->not_tls_frame)
            add(r, &n, sf->not_tls_frame, (enum side)s, "%s", "bytes that are not TLS");
        if (sf->gap_frame)
            add(r, &n, sf->gap_frame, (enum side)s, "%s", "[bytes missing from the capture]");
        add(r, &n, sf->fin_frame, (enum side)s, "%s", "FIN");
        add(r, &n, sf->rst_frame, (enum side)s, "%s", "RST");
    }
    qsort(r, n, sizeof *r, cmp_rung);
    fprintf(f, "    %-8s %10s   %-36s %s\n", "frame", "ms", "client", "server");
    for (size_t i = 0; i < n; i++) {
        const char *text = r[i].text;
        if (r[i].from == SIDE_CLIENT)
            fprintf(f, "    %-8llu %10s   %s --> \n", (unsigned long long)r[i].frame, "", text);
        else
            fprintf(f, "    %-8llu %10s   %38s<-- %s\n", (unsigned long long)r[i].frame, "", "",
                    text);
    }
    (void)sv;
    free(r);
}
