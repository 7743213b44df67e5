/* ladder.c: -v, each connection as a ladder: what each side sent, in
 * frame order, with milliseconds since the connection's first frame. Client
 * lines point right, server lines point left; 100 columns are enough. */
#include <stdlib.h>
#include <string.h>
#include "util/names.h"
#include "util/escape.h"
#include "util/registry.h"
#include "report/report.h"

#define LADDER_MAX 96

struct rung {
    uint64_t frame;
    struct tstamp ts;
    enum side from;
    char text[200];
};

static int cmp_rung(const void *a, const void *b)
{
    const struct rung *x = a, *y = b;
    return (x->frame > y->frame) - (x->frame < y->frame);
}

struct ladder {
    struct rung r[LADDER_MAX];
    size_t n;
};

static void add(struct ladder *l, uint64_t frame, struct tstamp ts, enum side from,
                const char *text)
{
    if (l->n >= LADDER_MAX || frame == 0)
        return;
    struct rung *r = &l->r[l->n++];
    r->frame = frame;
    r->ts = ts;
    r->from = from;
    snprintf(r->text, sizeof r->text, "%s", text);
}

/* The key parameters of the hellos, so the ladder reads on its own. */
static void message_text(const struct conn *c, const struct message *m, char *out, size_t len)
{
    char sni[64] = "";
    const char *name = report_message_name(c, m);
    if ((m->type == 1 || m->type == MSG_SSLV2_CLIENT_HELLO) && c->ch->malformed) {
        snprintf(out, len, "%s (malformed)", name);
    } else if (m->type == 1 || m->type == MSG_SSLV2_CLIENT_HELLO) {
        uint16_t best = c->ch->legacy_version;
        for (uint16_t i = 0; i < c->ch->versions.n; i++)
            if (c->ch->versions.v[i] > best && c->ch->versions.v[i] <= 0x0304)
                best = c->ch->versions.v[i];
        if (c->ch->has_sni)
            text_safe_buf(sni, sizeof sni, c->ch->sni, c->ch->sni_len);
        snprintf(out, len, "%s up to %s, %u suites%s%s", name, name_version(best).s,
                 c->ch->total_suites, sni[0] ? ", SNI " : "", sni);
    } else if (m->type == 2 && c->sh.present && m->frame == c->sh.frame && !c->sh.sslv2) {
        char alpn[ALPN_MAX_LEN * 4] = "";
        if (c->sh.has_alpn)
            text_safe_buf(alpn, sizeof alpn, c->sh.alpn, c->sh.alpn_len);
        snprintf(out, len, "%s %s %s%s%s", name, name_version(c->sh.version).s,
                 name_suite(c->sh.suite).s, alpn[0] ? ", ALPN " : "", alpn);
    } else if (m->type == 11 && !m->encrypted) {
        const struct cert_msg *cm = m->from == SIDE_SERVER ? &c->server_certs : &c->client_certs;
        snprintf(out, len, "%s (%u certificate%s)", name, cm->count, cm->count == 1 ? "" : "s");
    } else if (m->type == 12 && c->kx.dhe) {
        snprintf(out, len, "%s (DH %u bits)", name, c->kx.dh_p_len * 8u);
    } else {
        snprintf(out, len, "%s%s", name,
                 m->encrypted && m->type < 256 ? " (encrypted)"
                 : m->decrypted                  ? " (decrypted)"
                                                 : "");
    }
}

static void collect(const struct conn *c, struct ladder *l)
{
    char buf[200];
    const struct side_facts *cl = &c->side[SIDE_CLIENT];
    if (cl->syn_frame)
        add(l, cl->syn_frame, c->syn_ts, SIDE_CLIENT, cl->syn_count > 1 ? "SYN (sent again)" : "SYN");
    if (c->synack_frame)
        add(l, c->synack_frame, c->synack_ts, SIDE_SERVER, "SYN-ACK");
    for (uint16_t i = 0; i < c->n_messages; i++) {
        const struct message *m = &c->messages[i];
        message_text(c, m, buf, sizeof buf);
        add(l, m->frame, m->ts, m->from, buf);
    }
    for (uint16_t i = 0; i < c->n_alerts; i++) {
        const struct alert *a = &c->alerts[i];
        if (a->encrypted) {
            snprintf(buf, sizeof buf, "Alert (encrypted, %u bytes)", a->record_len);
        } else {
            const char *d = reg_alert_name(a->description);
            snprintf(buf, sizeof buf, "Alert %s %s%s", a->level == 2 ? "fatal" : "warning",
                     d ? d : "?", a->decrypted ? " (decrypted)" : "");
        }
        add(l, a->frame, a->ts, a->from, buf);
    }
    for (int s = 0; s < 2; s++) {
        const struct side_facts *sf = &c->side[s];
        if (sf->appdata_records > 0 && !conn_is_tls13(c)) {
            snprintf(buf, sizeof buf, "application data (%u record%s)", sf->appdata_records,
                     sf->appdata_records == 1 ? "" : "s");
            add(l, sf->appdata_frame, sf->appdata_ts, (enum side)s, buf);
        }
        if (sf->not_tls_frame)
            add(l, sf->not_tls_frame, sf->first_data_ts, (enum side)s, "bytes that are not TLS");
        if (sf->gap_frame)
            add(l, sf->gap_frame, sf->first_data_ts, (enum side)s,
                "[bytes missing from the capture before this frame]");
        if (sf->fin_frame)
            add(l, sf->fin_frame, sf->fin_ts, (enum side)s, "FIN");
        if (sf->rst_frame)
            add(l, sf->rst_frame, sf->rst_ts, (enum side)s, "RST");
    }
    qsort(l->r, l->n, sizeof l->r[0], cmp_rung);
}

void report_ladder(FILE *f, const struct conn *c, const struct report_opts *o)
{
    struct ladder *l = calloc(1, sizeof *l);
    if (l == NULL)
        return;
    collect(c, l);
    /* 4 indent + 8 frame + 10 ms + 2 = 24 columns before the rung */
    int span = (o->width > 100 ? 100 : o->width) - 24;
    if (span < 50)
        span = 50;
    fprintf(f, "    %8s %10s  %-*s%s\n", "frame", "ms", span - 6, "client", "server");
    for (size_t i = 0; i < l->n; i++) {
        const struct rung *r = &l->r[i];
        double ms = tstamp_ms_between(c->start, r->ts);
        int text = (int)strlen(r->text);
        int dashes = span - text - 2;
        if (dashes < 3)
            dashes = 3;
        fprintf(f, "    %8llu %10.3f  ", (unsigned long long)r->frame, ms < 0 ? 0.0 : ms);
        if (r->from == SIDE_CLIENT) {
            fprintf(f, "%s ", r->text);
            for (int k = 0; k < dashes; k++)
                fputc('-', f);
            fputs(">\n", f);
        } else {
            fputc('<', f);
            for (int k = 0; k < dashes; k++)
                fputc('-', f);
            fprintf(f, " %s\n", r->text);
        }
    }
    free(l);
}
