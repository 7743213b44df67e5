/* rules_util.c: small readers of facts shared by rule predicates. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "util/registry.h"
#include "rules/rules.h"
#include "rules/verdict.h"

void finding_init(struct finding_draft *f, const struct rule *r, enum confidence conf)
{
    memset(f, 0, sizeof *f);
    f->id = r->id;
    f->title = r->title;
    f->confidence = conf;
}

void finding_evidence(struct finding_draft *f, uint64_t frame, const char *fmt, ...)
{
    if (f->n_evidence >= FINDING_MAX_EVIDENCE || frame == 0)
        return;
    size_t i = f->n_evidence++;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->evidence[i].text, sizeof f->evidence[i].text, fmt, ap);
    va_end(ap);
    f->evidence[i].frame = frame;
}

void finding_explain(struct finding_draft *f, const char *fmt, ...)
{
    size_t used = strlen(f->explanation);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->explanation + used, sizeof f->explanation - used, fmt, ap);
    va_end(ap);
}

void finding_fix(struct finding_draft *f, const char *fmt, ...)
{
    size_t used = strlen(f->fix);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->fix + used, sizeof f->fix - used, fmt, ap);
    va_end(ap);
}

size_t ctx_server_slot(const struct rule_ctx *ctx, const struct addr *a, uint16_t port)
{
    /* FNV-1a over address and port; linear probing ends at an empty slot,
     * and there is one: the index is at least twice as long as the list */
    uint64_t h = 1469598103934665603ull;
    size_t n = a->family == 4 ? 4 : 16;
    for (size_t i = 0; i < n; i++)
        h = (h ^ a->bytes[i]) * 1099511628211ull;
    h = (h ^ port) * 1099511628211ull;
    size_t mask = ctx->index_len - 1;
    for (size_t k = (size_t)h & mask;; k = (k + 1) & mask) {
        uint32_t at = ctx->server_index[k];
        if (at == 0)
            return k;
        const struct server_stats *s = &ctx->servers[at - 1];
        if (s->port == port && addr_equal(&s->addr, a))
            return k;
    }
}

const struct server_stats *ctx_server(const struct rule_ctx *ctx, const struct conn *c)
{
    if (ctx->index_len == 0)
        return NULL;
    uint32_t at = ctx->server_index[ctx_server_slot(ctx, &c->server, c->server_port)];
    return at != 0 ? &ctx->servers[at - 1] : NULL;
}

bool conn_is_tls_port(const struct conn *c, const struct rule_ctx *ctx)
{
    static const uint16_t well_known[] = {443, 465, 563, 636, 853, 989, 990, 992, 993, 994,
                                          995, 3269, 4433, 5061, 5223, 5986, 6697, 8443, 8883,
                                          9443};
    if (ctx->only_tcp_attempts)
        return true;
    for (size_t i = 0; i < sizeof well_known / sizeof well_known[0]; i++)
        if (well_known[i] == c->server_port)
            return true;
    for (size_t i = 0; i < ctx->opts->n_tls_ports; i++)
        if (ctx->opts->tls_ports[i] == c->server_port)
            return true;
    const struct server_stats *s = ctx_server(ctx, c);
    return s != NULL && s->tls_seen > 0;
}

bool ch_only_forward_secret(const struct client_hello *ch)
{
    size_t tls12 = 0;
    for (uint16_t i = 0; i < ch->n_suites; i++) {
        uint16_t v = ch->suites[i];
        if (reg_is_grease(v) || v == 0x00ff || v == 0x5600)
            continue;
        const struct reg_suite *s = reg_suite(v);
        if (s == NULL || !s->forward_secret)
            return false;
        /* TLS 1.3 suites say nothing about the key exchange a 1.2 server needs */
        if (s->kx != REG_KX_TLS13)
            tls12++;
    }
    return tls12 > 0;
}

uint16_t ch_max_version(const struct client_hello *ch)
{
    uint16_t best = 0;
    for (uint16_t i = 0; i < ch->versions.n; i++)
        if (!reg_is_grease(ch->versions.v[i]) && ch->versions.v[i] > best &&
            ch->versions.v[i] <= 0x0304)
            best = ch->versions.v[i];
    return best ? best : ch->legacy_version;
}

bool ch_offers_suite(const struct client_hello *ch, uint16_t suite)
{
    for (uint16_t i = 0; i < ch->n_suites; i++)
        if (ch->suites[i] == suite)
            return true;
    return false;
}

void server_str(const struct conn *c, char *buf, size_t len)
{
    addr_format(&c->server, c->server_port, buf, len);
}

double ms_after_hello(const struct conn *c, struct tstamp t)
{
    return tstamp_ms_between(c->ch->ts, t);
}

static bool client_sent_finished(const struct conn *c)
{
    const struct side_facts *cl = &c->side[SIDE_CLIENT];
    if (conn_is_tls13(c))
        return cl->appdata_records > 0 && cl->appdata_len[0] != 19;
    return cl->ccs_frame != 0 && cl->encrypted_hs_frame != 0;
}

void conn_ending(const struct conn *c, struct ending *e)
{
    memset(e, 0, sizeof *e);
    e->alert = conn_fatal_alert(c);
    for (uint16_t i = 0; i < c->n_alerts; i++)
        if (c->alerts[i].encrypted) {
            e->enc_alert = &c->alerts[i];
            break;
        }
    e->closed = conn_first_close(c, &e->close_by, &e->rst, &e->close_frame);
    if (e->closed) {
        const struct side_facts *sf = &c->side[e->close_by];
        if (sf->rst_frame == e->close_frame)
            e->close_ts = sf->rst_ts;
        else
            e->close_ts = sf->fin_ts;
    }
    /* an alert sent after the peer had already closed answers the close:
     * it is a consequence, not the cause (OpenSSL's decode_error on a FIN) */
    if (e->alert != NULL && e->closed && e->alert->frame > e->close_frame &&
        e->alert->from != e->close_by)
        e->alert = NULL;
    if (!c->ch->present)
        e->stage = STAGE_NO_HELLO;
    else if (!c->sh.present)
        e->stage = c->side[SIDE_SERVER].bytes > 0 ? STAGE_SERVER_ANSWERED : STAGE_HELLO_SENT;
    else if (c->verdict == VERDICT_OK)
        e->stage = STAGE_DONE;
    else if (client_sent_finished(c))
        e->stage = STAGE_CLIENT_FINISHED;
    else
        e->stage = STAGE_SERVER_FLIGHT;
}
