/* engine.c: builds the capture-wide context, then runs the rule table over
 * each connection that failed. The table is ordered from the most specific
 * rule to the most generic; the first match is the diagnosis. */
#include <stdio.h>
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

struct server_stats *ctx_server_add(struct rule_ctx *ctx, const struct addr *a, uint16_t port)
{
    if (2 * (ctx->n_servers + 1) > ctx->index_len && grow_index(ctx) != ST_OK)
        return NULL;
    size_t slot = ctx_server_slot(ctx, a, port);
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
    s->addr = *a;
    s->port = port;
    ctx->server_index[slot] = (uint32_t)ctx->n_servers;
    return s;
}

/* Counts v in a small list of distinct values, remembering the first frame
 * each was seen in (counts and frames may be NULL). */
static void note_value(uint16_t *vals, uint32_t *counts, uint64_t *frames, uint8_t *n,
                       uint8_t cap, uint16_t v, uint64_t frame)
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
        if (frames)
            frames[*n] = frame;
        (*n)++;
    }
}

static void count_features(uint32_t *with, uint32_t features)
{
    for (int ft = 0; ft < HELLO_FEATURES; ft++)
        if (features & (1u << ft))
            with[ft]++;
}

/* The key type of the server's leaf certificate, when it was readable. */
static void note_certificate(struct server_stats *s, const struct conn *c,
                             struct cert_cache *certs)
{
    struct cert_info leaf;
    if (s->cert_key[0] != '\0' || c->server_certs.kept == 0 ||
        cert_parse_cached(certs, c->cert_bytes + c->server_certs.der[0].off, c->server_certs.der[0].len,
                   &leaf) != ST_OK ||
        leaf.key_type[0] == '\0')
        return;
    snprintf(s->cert_key, sizeof s->cert_key, "%s", leaf.key_type);
    s->cert_frame = c->server_certs.frame;
}

/* A client refused the version the server chose, in so many words. */
static void note_client_refusal(struct server_stats *s, const struct conn *c)
{
    const struct alert *a = conn_fatal_alert(c);
    if (c->sh.present && a != NULL && a->from == SIDE_CLIENT && a->description == 70)
        note_value(s->refused_by_client, NULL, NULL, &s->n_refused_by_client, 4, c->sh.version, 0);
}

static bool is_dhe_bad_record_mac(const struct conn *c)
{
    const struct reg_suite *s = reg_suite(c->sh.suite);
    const struct alert *a = conn_fatal_alert(c);
    return s != NULL && s->kx == REG_KX_DHE && a != NULL && a->description == 20;
}

static enum status add_to_context(struct rule_ctx *ctx, const struct conn *c)
{
    if (ctx->frozen || c->verdict == VERDICT_TCP_ONLY || c->verdict == VERDICT_NOT_TLS)
        return ST_OK;
    struct server_stats *s = ctx_server_add(ctx, &c->server, c->server_port);
    ENSURE(s != NULL, ST_NOMEM);
    s->tls_seen++;
    if (c->ch->has_sni)
        s->saw_sni = true;
    if (c->server_certs.kept > 0)
        note_certificate(s, c, ctx->opts->certs);
    if (c->kx.ske_present && c->kx.dhe) {
        bool short_value = dh_ys_short(c) || dh_yc_short(c);
        bool ok = c->verdict == VERDICT_OK;
        uint32_t *count = short_value ? (ok ? &s->dhe_short_ok : &s->dhe_short_failed)
                                      : (ok ? &s->dhe_full_ok : &s->dhe_full_failed);
        (*count)++;
    }
    if (c->verdict == VERDICT_FAILED) {
        s->failed++;
        if (c->sh.present && is_dhe_bad_record_mac(c))
            s->dhe_failed_bad_record_mac++;
        note_client_refusal(s, c);
        const struct alert *a = conn_fatal_alert(c);
        if (a != NULL && a->from == SIDE_CLIENT && a->description == 48 && s->unknown_ca_frame == 0)
            s->unknown_ca_frame = a->frame;
        if (c->ch->present && !c->sh.present) {
            if (s->refused++ == 0)
                s->refused_frame = c->ch->frame;
            count_features(s->refused_with, hello_features(c->ch));
        }
        return ST_OK;
    }
    if (c->verdict != VERDICT_OK || !c->sh.present)
        return ST_OK;
    if (s->ok++ == 0)
        s->ok_frame = c->sh.frame;
    count_features(s->ok_with, hello_features(c->ch));
    if (c->ch->quic)
        s->ok_quic++;
    if (c->kx.ske_sigalg)
        note_value(s->ske_sigalgs, NULL, NULL, &s->n_ske_sigalgs, 8, c->kx.ske_sigalg, 0);
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
    TRY(server_list_note(s, SERVER_SUITES, c->sh.suite, 1, c->sh.frame, 0));
    TRY(server_list_note(s, SERVER_VERSIONS, c->sh.version, 1, c->sh.frame, 0));
    uint16_t group = c->sh.key_share_group ? c->sh.key_share_group : c->kx.ec_group;
    if (group)
        TRY(server_list_note(s, SERVER_GROUPS, group, 1,
                             c->kx.ske_frame ? c->kx.ske_frame : c->sh.frame, 0));
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
    if (d->n_reasons > 0) {
        out->reasons = calloc(d->n_reasons, sizeof *out->reasons);
        ENSURE(out->reasons != NULL, ST_NOMEM);
        memcpy(out->reasons, d->reasons, d->n_reasons * sizeof *out->reasons);
        out->n_reasons = d->n_reasons;
    }
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

/* The confidence the evidence leaves: strong support raises the rule's own
 * confidence a step, evidence against lowers it. */
static enum confidence weighed_confidence(const struct finding_draft *f)
{
    int w = finding_weight(f), conf = (int)f->confidence;
    if (w >= 5)
        conf++;
    if (w <= -3)
        conf--;
    if (w <= -6)
        conf--;
    return conf > CONF_HIGH ? CONF_HIGH : conf < CONF_LOW ? CONF_LOW : (enum confidence)conf;
}

/* Net weight at which the evidence is against a cause rather than for it. */
#define DISFAVOURED (-4)

/* Is a better supported than b? Confidence first, then the weight of the
 * evidence; the table order (a comes first) breaks ties. */
static bool better(const struct finding_draft *a, const struct finding_draft *b)
{
    if (a->confidence != b->confidence)
        return a->confidence > b->confidence;
    return finding_weight(a) > finding_weight(b);
}

static void note_ruled_out(struct diagnosis *d, const struct finding_draft *f)
{
    for (size_t i = 0; i < d->n_ruled_out; i++)
        if (strcmp(d->ruled_out[i].id, f->id) == 0)
            return;
    for (size_t i = 0; i < f->n_reasons && d->n_ruled_out < DIAGNOSIS_MAX_RULED_OUT; i++)
        if (f->reasons[i].refutes) {
            d->ruled_out[d->n_ruled_out].id = f->id;
            d->ruled_out[d->n_ruled_out].why = f->reasons[i];
            d->n_ruled_out++;
            return;
        }
}

/* Every rule that matches proposes a cause; each proposal is weighed on the
 * evidence for and against it (weigh.c). A cause a fact refutes is dropped,
 * listed as ruled out. The diagnosis is the best supported of the rest; the
 * others become the alternatives. A fallback (a generic explanation) is used
 * only when no specific cause survives. */
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
    struct case_facts in = {.c = c, .ctx = ctx, .server = ctx_server(ctx, c)};
    conn_ending(c, &in.ending);
    w->f.no_words = ctx->opts->no_words; /* finding_init keeps it */
    for (size_t i = 0; i < rules_count; i++) {
        const struct rule *r = rules_table[i];
        if (!r->match(r, &in, &w->f))
            continue;
        weigh_draft(&in, &w->f);
        if (w->f.refuted) {
            note_ruled_out(d, &w->f);
            continue;
        }
        w->f.confidence = weighed_confidence(&w->f);
        if (r->fallback) {
            if (!have_fallback)
                w->fallback = w->f;
            have_fallback = true;
            continue;
        }
        bool seen = false;
        for (size_t k = 0; k < n; k++)
            seen = seen || strcmp(w->found[k].id, w->f.id) == 0;
        if (seen)
            continue;
        if (n < sizeof w->found / sizeof w->found[0]) {
            w->found[n++] = w->f;
            continue;
        }
        /* the list is full: the new one replaces the least supported */
        size_t worst = 0;
        for (size_t k = 1; k < n; k++)
            if (better(&w->found[worst], &w->found[k]))
                worst = k;
        if (better(&w->f, &w->found[worst]))
            w->found[worst] = w->f;
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
        if (better(&w->found[k], &w->found[best]))
            best = k;
    /* when the evidence weighs against even the best specific cause, the
     * generic explanation is the honest one; the causes stay alternatives */
    bool generic = have_fallback && finding_weight(&w->found[best]) <= DISFAVOURED;
    if (generic) {
        st = commit(&w->fallback, &d->main);
        best = n; /* every specific cause becomes an alternative */
    } else {
        st = commit(&w->found[best], &d->main);
    }
    size_t n_alt = generic ? n : n - 1;
    if (st == ST_OK && n_alt > 0) {
        d->alternatives = calloc(n_alt, sizeof *d->alternatives);
        st = d->alternatives != NULL ? ST_OK : ST_NOMEM;
    }
    enum confidence ceiling = d->main.confidence;
    /* alternatives never surer than the diagnosis, most likely first */
    for (size_t done = 0; st == ST_OK && done < n_alt; done++) {
        size_t pick = n;
        for (size_t k = 0; k < n; k++)
            if (k != best && w->found[k].id != NULL &&
                (pick == n || better(&w->found[k], &w->found[pick])))
                pick = k;
        if (w->found[pick].confidence > ceiling)
            w->found[pick].confidence = ceiling;
        st = commit(&w->found[pick], &d->alternatives[d->n_alternatives]);
        d->n_alternatives++;
        w->found[pick].id = NULL;
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
    if (cert_check_chain_cached(ctx->opts->certs, der, len, m->kept, when, sni, ctx->opts->store,
                                &rep) == ST_OK) {
        c->chain_checked = true;
        c->chain_problems = rep.problems;
    }
}

struct rule_ctx *rules_ctx_new(const struct rule_opts *o)
{
    static const struct rule_opts none = {0};
    struct rule_ctx *ctx = calloc(1, sizeof *ctx);
    if (ctx != NULL)
        ctx->opts = o != NULL ? o : &none;
    return ctx;
}

void rules_ctx_free(struct rule_ctx *ctx)
{
    if (ctx == NULL)
        return;
    for (size_t i = 0; i < ctx->n_servers; i++)
        server_lists_free(&ctx->servers[i]);
    free(ctx->servers);
    free(ctx->server_index);
    for (size_t i = 0; i < ctx->n_files; i++)
        free(ctx->files[i]);
    free(ctx->files);
    free(ctx->file_payload);
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
    if (!ctx->frozen)
        ctx->saw_payload = true;
    TRY(add_to_context(ctx, c));
    check_server_chain(c, ctx);
    return judge(c, ctx);
}

enum status rules_fold_one(struct rule_ctx *ctx, struct conn *c)
{
    rules_rejudge_ok(c);
    return add_to_context(ctx, c);
}

void rules_payload_seen(struct rule_ctx *ctx, bool payload)
{
    if (!ctx->frozen) {
        ctx->saw_payload = ctx->saw_payload || payload;
        ctx->only_tcp_attempts = !ctx->saw_payload;
    }
}

/* A TCP attempt, or plain text, counts as a failed TLS connection where
 * TLS was expected: that needs the context, and changes it. */
enum status rules_fold_attempt(struct rule_ctx *ctx, struct conn *c)
{
    if (c->verdict != VERDICT_TCP_ONLY && c->verdict != VERDICT_NOT_TLS)
        return ST_OK;
    rules_rejudge(c, ctx);
    return c->verdict == VERDICT_FAILED ? add_to_context(ctx, c) : ST_OK;
}

enum status rules_judge_one(struct rule_ctx *ctx, struct conn *c)
{
    check_server_chain(c, ctx);
    return judge(c, ctx);
}

/* The context from every connection still held: verdicts checked once
 * more, then TCP attempts and plain text judged where TLS was expected. A
 * frozen context (--context batch) already holds all of it. */
static enum status build_context(struct rule_ctx *ctx, struct conn_slots slots)
{
    enum status st = ST_OK;
    bool payload = false;
    for (size_t i = 0; i < slots.n && st == ST_OK; i++) {
        struct conn *c = slots.v[i];
        if (c == NULL)
            continue;
        payload = payload || c->side[0].bytes > 0 || c->side[1].bytes > 0;
        st = rules_fold_one(ctx, c);
    }
    rules_payload_seen(ctx, payload);
    for (size_t i = 0; i < slots.n && st == ST_OK; i++)
        if (slots.v[i] != NULL)
            st = rules_fold_attempt(ctx, slots.v[i]);
    return st;
}

enum status rules_fold(struct rule_ctx *ctx, struct conn_slots slots)
{
    return build_context(ctx, slots);
}

enum status rules_diagnose(struct rule_ctx *ctx, struct conn_slots slots)
{
    enum status st = build_context(ctx, slots);
    for (size_t i = 0; i < slots.n && st == ST_OK; i++)
        if (slots.v[i] != NULL)
            st = rules_judge_one(ctx, slots.v[i]);
    return st;
}
