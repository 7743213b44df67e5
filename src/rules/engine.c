/* engine.c: builds the capture-wide context, then runs the rule table over
 * each connection that failed. The table is ordered from the most specific
 * rule to the most generic; the first match is the diagnosis. */
#include <stdlib.h>
#include <string.h>
#include "registry.h"
#include "rules.h"
#include "verdict.h"

static struct server_stats *server_for(struct rule_ctx *ctx, const struct conn *c)
{
    for (size_t i = 0; i < ctx->n_servers; i++) {
        struct server_stats *s = &ctx->servers[i];
        if (s->port == c->server_port && addr_equal(&s->addr, &c->server))
            return s;
    }
    if (ctx->n_servers == ctx->cap_servers) {
        size_t cap = ctx->cap_servers ? ctx->cap_servers * 2 : 64;
        struct server_stats *grown = realloc(ctx->servers, cap * sizeof *grown);
        if (grown == NULL)
            return NULL;
        ctx->servers = grown;
        ctx->cap_servers = cap;
    }
    struct server_stats *s = &ctx->servers[ctx->n_servers++];
    memset(s, 0, sizeof *s);
    s->addr = c->server;
    s->port = c->server_port;
    return s;
}

static void note_value(uint16_t *vals, uint32_t *counts, uint8_t *n, uint8_t cap, uint16_t v)
{
    for (uint8_t i = 0; i < *n; i++)
        if (vals[i] == v) {
            if (counts)
                counts[i]++;
            return;
        }
    if (*n < cap) {
        vals[*n] = v;
        if (counts)
            counts[*n] = 1;
        (*n)++;
    }
}

static bool is_dhe_bad_record_mac(const struct conn *c)
{
    const struct reg_suite *s = reg_suite(c->sh.suite);
    const struct alert *a = conn_fatal_alert(c);
    return s != NULL && s->kx == REG_KX_DHE && a != NULL && a->description == 20;
}

static enum status add_to_context(struct rule_ctx *ctx, const struct conn *c)
{
    if (c->verdict == VERDICT_TCP_ONLY || c->verdict == VERDICT_NOT_TLS)
        return ST_OK;
    struct server_stats *s = server_for(ctx, c);
    ENSURE(s != NULL, ST_NOMEM);
    s->tls_seen++;
    if (c->ch.has_sni)
        s->saw_sni = true;
    if (c->verdict == VERDICT_FAILED) {
        s->failed++;
        if (c->sh.present && is_dhe_bad_record_mac(c))
            s->dhe_failed_bad_record_mac++;
        return ST_OK;
    }
    if (c->verdict != VERDICT_OK || !c->sh.present)
        return ST_OK;
    s->ok++;
    if (!c->ch.has_sni)
        s->saw_no_sni_ok = true;
    const struct reg_suite *suite = reg_suite(c->sh.suite);
    if (suite != NULL && suite->forward_secret)
        s->ok_forward_secret++;
    else
        s->ok_not_forward_secret++;
    if (suite != NULL && suite->kx == REG_KX_DHE)
        s->dhe_ok++;
    if (suite != NULL && suite->kx == REG_KX_ECDHE)
        s->ecdhe_ok++;
    note_value(s->suites, s->suite_count, &s->n_suites, 32, c->sh.suite);
    note_value(s->versions, s->version_count, &s->n_versions, 8, c->sh.version);
    uint16_t group = c->sh.key_share_group ? c->sh.key_share_group : c->kx.ec_group;
    if (group)
        note_value(s->groups, NULL, &s->n_groups, 8, group);
    return ST_OK;
}

/* The diagnosis is the best-supported specific match: highest confidence,
 * then table order. A fallback is used only when nothing specific matched.
 * Other specific matches become the alternatives. */
static void diagnose(struct conn *c, const struct rule_ctx *ctx, struct diagnosis *d)
{
    struct finding found[FINDING_MAX_ALTERNATIVES + 1];
    size_t n = 0;
    struct finding fallback;
    bool have_fallback = false;
    for (size_t i = 0; i < rules_count; i++) {
        const struct rule *r = rules_table[i];
        struct finding f;
        if (!r->match(r, c, ctx, &f))
            continue;
        if (r->fallback) {
            if (!have_fallback)
                fallback = f;
            have_fallback = true;
            continue;
        }
        bool seen = false;
        for (size_t k = 0; k < n; k++)
            seen = seen || strcmp(found[k].id, f.id) == 0;
        if (!seen && n < sizeof found / sizeof found[0])
            found[n++] = f;
    }
    if (n == 0) {
        if (have_fallback)
            d->main = fallback;
        return;
    }
    size_t best = 0;
    for (size_t k = 1; k < n; k++)
        if (found[k].confidence > found[best].confidence)
            best = k;
    d->main = found[best];
    for (size_t k = 0; k < n; k++)
        if (k != best && d->n_alternatives < FINDING_MAX_ALTERNATIVES)
            d->alternatives[d->n_alternatives++] = found[k];
}

enum status rules_diagnose(struct analysis *a, const struct rule_opts *o)
{
    struct rule_ctx ctx = {NULL, 0, 0, o, true};
    struct flow_table *t = &a->flows;
    enum status st = ST_OK;
    for (size_t i = 0; i < t->n_conns; i++)
        if (t->conns[i]->side[0].bytes > 0 || t->conns[i]->side[1].bytes > 0)
            ctx.only_tcp_attempts = false;
    for (size_t i = 0; i < t->n_conns && st == ST_OK; i++)
        st = add_to_context(&ctx, t->conns[i]);
    /* Some failures only show once the rules read the facts: a TCP attempt
     * on a TLS port, or a handshake that finished but whose connection was
     * dropped at once (rules_late.c). The context is then built again. */
    for (size_t i = 0; i < t->n_conns && st == ST_OK; i++)
        rules_rejudge(t->conns[i], &ctx);
    ctx.n_servers = 0;
    for (size_t i = 0; i < t->n_conns && st == ST_OK; i++)
        st = add_to_context(&ctx, t->conns[i]);
    for (size_t i = 0; i < t->n_conns && st == ST_OK; i++) {
        struct conn *c = t->conns[i];
        struct diagnosis *d = calloc(1, sizeof *d);
        if (d == NULL) {
            st = ST_NOMEM;
            break;
        }
        if (c->verdict == VERDICT_FAILED || c->verdict == VERDICT_INCOMPLETE)
            diagnose(c, &ctx, d);
        if (c->verdict == VERDICT_OK)
            rules_warnings(c, &ctx, d);
        free(c->diagnosis);
        c->diagnosis = d;
    }
    free(ctx.servers);
    return st;
}
