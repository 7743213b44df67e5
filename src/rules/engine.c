/* engine.c: builds the capture-wide context, then runs the rule table over
 * each connection that failed. The table is ordered from the most specific
 * rule to the most generic; the first match is the diagnosis. */
#include <stdlib.h>
#include <string.h>
#include "x509/cert.h"
#include "util/registry.h"
#include "rules/rules.h"
#include "rules/verdict.h"

/* Doubles the server index and enters every server again. */
static enum status grow_index(struct rule_ctx *ctx)
{
    size_t len = ctx->index_len ? ctx->index_len * 2 : 128;
    uint32_t *index = calloc(len, sizeof *index);
    ENSURE(index != NULL, ST_NOMEM);
    free(ctx->server_index);
    ctx->server_index = index;
    ctx->index_len = len;
    for (size_t i = 0; i < ctx->n_servers; i++) {
        const struct server_stats *s = &ctx->servers[i];
        ctx->server_index[ctx_server_slot(ctx, &s->addr, s->port)] = (uint32_t)(i + 1);
    }
    return ST_OK;
}

static struct server_stats *server_for(struct rule_ctx *ctx, const struct conn *c)
{
    if (2 * (ctx->n_servers + 1) > ctx->index_len && grow_index(ctx) != ST_OK)
        return NULL;
    size_t slot = ctx_server_slot(ctx, &c->server, c->server_port);
    if (ctx->server_index[slot] != 0)
        return &ctx->servers[ctx->server_index[slot] - 1];
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
    ctx->server_index[slot] = (uint32_t)ctx->n_servers;
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
    if (c->ch->has_sni)
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
    if (!c->ch->has_sni)
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

/* Stores a draft as a finding, its strings cut to their length. */
static enum status commit(const struct finding_draft *d, struct finding *out)
{
    memset(out, 0, sizeof *out);
    out->id = d->id;
    out->title = d->title;
    out->confidence = d->confidence;
    out->refs = d->refs;
    out->explanation = strdup(d->explanation);
    out->fix = strdup(d->fix);
    ENSURE(out->explanation != NULL && out->fix != NULL, ST_NOMEM);
    if (d->n_evidence > 0) {
        out->evidence = calloc(d->n_evidence, sizeof *out->evidence);
        ENSURE(out->evidence != NULL, ST_NOMEM);
        for (size_t i = 0; i < d->n_evidence; i++) {
            out->evidence[i].frame = d->evidence[i].frame;
            out->evidence[i].text = strdup(d->evidence[i].text);
            ENSURE(out->evidence[i].text != NULL, ST_NOMEM);
            out->n_evidence++;
        }
    }
    return ST_OK;
}

/* The diagnosis is the best-supported specific match: highest confidence,
 * then table order. A fallback is used only when nothing specific matched.
 * Other specific matches become the alternatives. */
static enum status diagnose(struct conn *c, const struct rule_ctx *ctx, struct diagnosis *d)
{
    /* drafts are large: one allocation for all of them, freed at the end */
    struct drafts {
        struct finding_draft found[FINDING_MAX_ALTERNATIVES + 1];
        struct finding_draft fallback, f;
    } *w = malloc(sizeof *w);
    ENSURE(w != NULL, ST_NOMEM);
    size_t n = 0;
    bool have_fallback = false;
    for (size_t i = 0; i < rules_count; i++) {
        const struct rule *r = rules_table[i];
        if (!r->match(r, c, ctx, &w->f))
            continue;
        if (r->fallback) {
            if (!have_fallback)
                w->fallback = w->f;
            have_fallback = true;
            continue;
        }
        bool seen = false;
        for (size_t k = 0; k < n; k++)
            seen = seen || strcmp(w->found[k].id, w->f.id) == 0;
        if (!seen && n < sizeof w->found / sizeof w->found[0])
            w->found[n++] = w->f;
    }
    enum status st = ST_OK;
    if (n == 0) {
        if (have_fallback)
            st = commit(&w->fallback, &d->main);
        free(w);
        return st;
    }
    size_t best = 0;
    for (size_t k = 1; k < n; k++)
        if (w->found[k].confidence > w->found[best].confidence)
            best = k;
    st = commit(&w->found[best], &d->main);
    if (st == ST_OK && n > 1) {
        d->alternatives = calloc(n - 1, sizeof *d->alternatives);
        st = d->alternatives != NULL ? ST_OK : ST_NOMEM;
    }
    for (size_t k = 0; k < n && st == ST_OK; k++)
        if (k != best) {
            st = commit(&w->found[k], &d->alternatives[d->n_alternatives]);
            d->n_alternatives++;
        }
    free(w);
    return st;
}

/* The server's chain, checked at the capture's time against the SNI (and
 * the trust store when given): a fact for the JSON and the warnings. */
static void check_server_chain(struct conn *c, const struct rule_ctx *ctx)
{
    const struct cert_msg *m = &c->server_certs;
    const uint8_t *der[CONN_MAX_CERTS];
    size_t len[CONN_MAX_CERTS];
    struct cert_chain_report rep;
    if (m->kept == 0)
        return;
    for (uint16_t i = 0; i < m->kept; i++) {
        der[i] = c->cert_bytes + m->der[i].off;
        len[i] = m->der[i].len;
    }
    const char *sni = c->ch->has_sni && memchr(c->ch->sni, 0, c->ch->sni_len) == NULL
                          ? c->ch->sni : NULL;
    int64_t when = c->sh.present ? c->sh.ts.sec : c->start.sec;
    if (cert_check_chain(der, len, m->kept, when, sni, ctx->opts->store, &rep) == ST_OK) {
        c->chain_checked = true;
        c->chain_problems = rep.problems;
    }
}

struct rule_ctx *rules_ctx_new(const struct rule_opts *o)
{
    static const struct rule_opts none = {NULL, 0, NULL};
    struct rule_ctx *ctx = calloc(1, sizeof *ctx);
    if (ctx != NULL)
        ctx->opts = o != NULL ? o : &none;
    return ctx;
}

void rules_ctx_free(struct rule_ctx *ctx)
{
    if (ctx == NULL)
        return;
    free(ctx->servers);
    free(ctx->server_index);
    free(ctx);
}

/* The diagnosis of a connection still held, or the warnings of one that
 * succeeded; only what has something to say keeps its memory. */
static enum status judge(struct conn *c, const struct rule_ctx *ctx)
{
    bool judged = c->verdict == VERDICT_FAILED || c->verdict == VERDICT_INCOMPLETE;
    if (!judged && c->verdict != VERDICT_OK)
        return ST_OK;
    struct diagnosis *d = calloc(1, sizeof *d);
    ENSURE(d != NULL, ST_NOMEM);
    enum status st = ST_OK;
    if (judged)
        st = diagnose(c, ctx, d);
    else
        rules_warnings(c, ctx, d);
    diagnosis_free(c->diagnosis);
    c->diagnosis = NULL;
    if (d->main.id != NULL || d->n_warnings > 0)
        conn_attach_diagnosis(c, d, diagnosis_free);
    else
        diagnosis_free(d);
    return st;
}

enum status rules_finish_ok(struct rule_ctx *ctx, struct conn *c)
{
    rules_rejudge_ok(c);
    if (c->verdict != VERDICT_OK)
        return ST_OK;
    ctx->saw_payload = true;
    TRY(add_to_context(ctx, c));
    check_server_chain(c, ctx);
    return judge(c, ctx);
}

enum status rules_diagnose(struct analysis *a)
{
    struct rule_ctx *ctx = a->ctx;
    struct flow_table *t = &a->flows;
    enum status st = ST_OK;
    for (size_t i = 0; i < t->n_conns; i++) {
        struct conn *c = t->conns[i];
        if (c == NULL)
            continue;
        if (c->side[0].bytes > 0 || c->side[1].bytes > 0)
            ctx->saw_payload = true;
        rules_rejudge_ok(c);
    }
    ctx->only_tcp_attempts = !ctx->saw_payload;
    for (size_t i = 0; i < t->n_conns && st == ST_OK; i++)
        if (t->conns[i] != NULL)
            st = add_to_context(ctx, t->conns[i]);
    /* A TCP attempt, or plain text, counts as a failed TLS connection where
     * TLS was expected: that needs the context, and changes it. */
    for (size_t i = 0; i < t->n_conns && st == ST_OK; i++) {
        struct conn *c = t->conns[i];
        if (c == NULL || (c->verdict != VERDICT_TCP_ONLY && c->verdict != VERDICT_NOT_TLS))
            continue;
        rules_rejudge(c, ctx);
        if (c->verdict == VERDICT_FAILED)
            st = add_to_context(ctx, c);
    }
    for (size_t i = 0; i < t->n_conns && st == ST_OK; i++) {
        struct conn *c = t->conns[i];
        if (c == NULL)
            continue;
        check_server_chain(c, ctx);
        st = judge(c, ctx);
    }
    return st;
}
