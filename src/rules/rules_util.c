/* rules_util.c: small readers of facts shared by rule predicates. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "util/registry.h"
#include "rules/rules.h"
#include "rules/verdict.h"

void finding_init(struct finding_draft *f, const struct rule *r, enum confidence conf)
{
    bool no_words = f->no_words;
    memset(f, 0, sizeof *f);
    f->no_words = no_words;
    f->id = r->id;
    f->title = r->title;
    f->confidence = conf;
}

void finding_evidence(struct finding_draft *f, uint64_t frame, const char *fmt, ...)
{
    if (f->n_evidence >= FINDING_MAX_EVIDENCE || frame == 0)
        return;
    size_t i = f->n_evidence++;
    f->evidence[i].frame = frame;
    if (f->no_words)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->evidence[i].text, sizeof f->evidence[i].text, fmt, ap);
    va_end(ap);
}

void finding_explain(struct finding_draft *f, const char *fmt, ...)
{
    if (f->no_words)
        return;
    size_t used = strlen(f->explanation);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->explanation + used, sizeof f->explanation - used, fmt, ap);
    va_end(ap);
}

void finding_fix(struct finding_draft *f, const char *fmt, ...)
{
    if (f->no_words)
        return;
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
    e->closed = conn_first_close(c, &e->close_by, &e->rst, &e->close_frame, &e->close_ts);
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

static void add_reason(struct finding_draft *f, uint64_t frame, enum evidence_source src,
                       int weight, bool refutes, const char *ref, const char *fmt, va_list ap)
{
    if (f->n_reasons >= FINDING_MAX_REASONS)
        return;
    struct reason *r = &f->reasons[f->n_reasons++];
    r->frame = frame;
    r->weight = (int8_t)(weight > 9 ? 9 : weight < -9 ? -9 : weight);
    r->refutes = refutes;
    r->source = (uint8_t)src;
    r->ref = ref;
    if (!f->no_words)
        vsnprintf(r->fact, sizeof r->fact, fmt, ap);
}

void finding_weigh(struct finding_draft *f, uint64_t frame, enum evidence_source src, int weight,
                   const char *ref, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_reason(f, frame, src, weight, false, ref, fmt, ap);
    va_end(ap);
}

void finding_refute(struct finding_draft *f, uint64_t frame, enum evidence_source src,
                    const char *ref, const char *fmt, ...)
{
    f->refuted = true;
    va_list ap;
    va_start(ap, fmt);
    add_reason(f, frame, src, -9, true, ref, fmt, ap);
    va_end(ap);
}

int finding_weight(const struct finding_draft *f)
{
    int sum = 0;
    for (size_t i = 0; i < f->n_reasons; i++)
        sum += f->reasons[i].weight;
    return sum;
}

static bool list_has(const struct u16_list *l, uint16_t v)
{
    for (uint16_t i = 0; i < l->n; i++)
        if (l->v[i] == v)
            return true;
    return false;
}

bool ch_offers_version(const struct client_hello *ch, uint16_t v)
{
    if (ch->versions.n > 0)
        return list_has(&ch->versions, v);
    /* without supported_versions (RFC 8446 4.2.1), the client offers every
     * version up to legacy_version; SSL 3.0 is the floor we can assume */
    return v >= 0x0300 && v <= ch->legacy_version;
}

bool ch_offers_group(const struct client_hello *ch, uint16_t g)
{
    return list_has(&ch->groups, g);
}

bool ch_offers_sigalg(const struct client_hello *ch, uint16_t s)
{
    return list_has(&ch->sigalgs, s);
}

bool ch_could_use_suite(const struct client_hello *ch, uint16_t suite)
{
    if (!ch_offers_suite(ch, suite))
        return false;
    const struct reg_suite *s = reg_suite(suite);
    if (s != NULL && s->kx == REG_KX_TLS13)
        return ch_offers_version(ch, 0x0304);
    /* a TLS 1.2 (or older) suite needs a version below TLS 1.3 */
    for (uint16_t v = 0x0300; v <= 0x0303; v++)
        if (ch_offers_version(ch, v))
            return true;
    return false;
}

size_t ch_real_suites(const struct client_hello *ch)
{
    size_t n = 0;
    for (uint16_t i = 0; i < ch->n_suites; i++)
        if (!reg_is_grease(ch->suites[i]) && ch->suites[i] != 0x00ff && ch->suites[i] != 0x5600)
            n++;
    return n;
}

bool dh_ys_short(const struct conn *c)
{
    return c->kx.ske_present && c->kx.dhe && c->kx.dh_ys_len > 0 &&
           c->kx.dh_ys_len < c->kx.dh_p_len;
}

bool dh_yc_short(const struct conn *c)
{
    return c->kx.cke_present && c->kx.dhe && c->kx.cke_len > 0 && c->kx.cke_len < c->kx.dh_p_len;
}

/* ML-KEM (FIPS 203) alone and in hybrids (draft-ietf-tls-mlkem,
 * draft-ietf-tls-ecdhe-mlkem 4), and the Kyber draft code points before them */
bool post_quantum_group(uint16_t g)
{
    return (g >= 0x0200 && g <= 0x0202) || (g >= 0x11eb && g <= 0x11ed) || g == 0x6399 ||
           g == 0x639a;
}

bool retry_for_post_quantum_share(const struct conn *c)
{
    const struct client_hello *ch = c->ch;
    if (!c->sh.hello_retry || !ch->present || ch->key_shares.n == 0)
        return false;
    for (uint16_t i = 0; i < ch->key_shares.n; i++)
        if (!post_quantum_group(ch->key_shares.v[i]) || ch->key_shares.v[i] == c->sh.hrr_group)
            return false;
    return true;
}

bool synack_unanswered(const struct conn *c)
{
    const struct side_facts *cl = &c->side[SIDE_CLIENT], *sv = &c->side[SIDE_SERVER];
    return c->saw_syn && c->saw_synack && cl->syn_count >= 2 && cl->rst_frame > c->synack_frame &&
           cl->bytes == 0 && sv->bytes == 0 && cl->fin_frame == 0;
}
