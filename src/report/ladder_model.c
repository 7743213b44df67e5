/* ladder_model.c: one connection's ladder as data (ladder_model.h). Every
 * label is written here, once, for the text and the HTML ladders alike. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "quic/facts.h"
#include "tls/handshake.h"
#include "util/names.h"
#include "util/escape.h"
#include "util/registry.h"
#include "report/report.h"
#include "report/ladder_model.h"
#include "rules/verdict.h"

__attribute__((format(printf, 7, 8))) static void add(struct ladder *l, uint64_t frame,
                                                      struct tstamp ts, enum side from,
                                                      enum rung_kind kind, unsigned flags,
                                                      const char *fmt, ...)
{
    if (frame == 0)
        return;
    if (l->n >= LADDER_MAX_RUNGS) {
        l->cut = true;
        return;
    }
    struct rung *r = &l->rungs[l->n];
    *r = (struct rung){.frame = frame, .ts = ts, .from = from, .kind = kind, .flags = flags,
                       .order = (uint32_t)l->n};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->label, sizeof r->label, fmt, ap);
    va_end(ap);
    l->n++;
}

static bool has_rung(const struct ladder *l, uint64_t frame, enum side from)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->rungs[i].frame == frame && l->rungs[i].from == from)
            return true;
    return false;
}

/* The highest version the client offers, from supported_versions (RFC 8446
 * 4.2.1) or else legacy_version; values past TLS 1.3 (GREASE) do not count. */
static uint16_t offered_up_to(const struct client_hello *ch)
{
    uint16_t best = ch->legacy_version;
    for (uint16_t i = 0; i < ch->versions.n; i++)
        if (ch->versions.v[i] > best && ch->versions.v[i] <= 0x0304)
            best = ch->versions.v[i];
    return best;
}

/* The decoded Certificate message this message is, or NULL (one the
 * decoder did not keep says nothing of its certificates). */
static const struct cert_msg *cert_msg_of(const struct conn *c, const struct message *m)
{
    const struct cert_msg *cm = m->from == SIDE_SERVER ? &c->server_certs : &c->client_certs;
    return cm->present && cm->frame == m->frame ? cm : NULL;
}

static unsigned message_flags(const struct message *m)
{
    return (m->encrypted || m->type == MSG_ENCRYPTED_RECORDS ? RUNG_ENCRYPTED : 0u) |
           (m->decrypted ? RUNG_DECRYPTED : 0u);
}

/* A handshake message, with the parameters that let the ladder read on its
 * own: the hellos' versions, suite, SNI and ALPN, the certificate count, the
 * DHE group size. */
static void add_message(struct ladder *l, const struct conn *c, const struct message *m)
{
    const char *name = report_message_name(c, m);
    const struct client_hello *ch = c->ch;
    unsigned fl = message_flags(m);
    bool client_hello = m->type == HS_CLIENT_HELLO || m->type == MSG_SSLV2_CLIENT_HELLO;
    if (client_hello && ch->malformed) {
        add(l, m->frame, m->ts, m->from, RUNG_HANDSHAKE, fl, "%s (malformed)", name);
    } else if (client_hello) {
        char sni[64] = "";
        if (ch->has_sni)
            text_safe_buf(sni, sizeof sni, ch->sni, ch->sni_len);
        char v2[40] = "";
        if (ch->total_sslv2_kinds > 0)
            snprintf(v2, sizeof v2, " and %u SSLv2 cipher specs", ch->total_sslv2_kinds);
        add(l, m->frame, m->ts, m->from, RUNG_HANDSHAKE, fl, "%s up to %s, %u suites%s%s%s", name,
            name_version(offered_up_to(ch)).s, ch->total_suites, v2, sni[0] ? ", SNI " : "",
            sni);
    } else if (m->type == HS_SERVER_HELLO && c->sh.present && m->frame == c->sh.frame &&
               !c->sh.sslv2) {
        char alpn[ALPN_MAX_LEN * 4] = "";
        if (c->sh.has_alpn)
            text_safe_buf(alpn, sizeof alpn, c->sh.alpn, c->sh.alpn_len);
        add(l, m->frame, m->ts, m->from, RUNG_HANDSHAKE, fl, "%s %s %s%s%s", name,
            name_version(c->sh.version).s, name_suite(c->sh.suite).s, alpn[0] ? ", ALPN " : "",
            alpn);
    } else if (m->type == HS_CERTIFICATE && !m->encrypted && cert_msg_of(c, m) != NULL) {
        const struct cert_msg *cm = cert_msg_of(c, m);
        add(l, m->frame, m->ts, m->from, RUNG_HANDSHAKE, fl, "%s (%u certificate%s)%s", name,
            cm->count, cm->count == 1 ? "" : "s", m->decrypted ? " (decrypted)" : "");
    } else if (m->type == HS_SERVER_KEY_EXCHANGE && c->kx.dhe) {
        add(l, m->frame, m->ts, m->from, RUNG_HANDSHAKE, fl, "%s (%u-bit DH group)", name,
            c->kx.dh_p_len * 8u);
    } else {
        /* "encrypted handshake records" says it in its name already */
        add(l, m->frame, m->ts, m->from, RUNG_HANDSHAKE, fl, "%s%s", name,
            m->encrypted && m->type < 256 ? " (encrypted)"
            : m->decrypted                ? " (decrypted)"
                                          : "");
    }
}

static void add_alert(struct ladder *l, const struct alert *a)
{
    if (a->encrypted) {
        add(l, a->frame, a->ts, a->from, RUNG_ALERT, RUNG_ENCRYPTED,
            "Alert (encrypted, %u bytes)", a->record_len);
        return;
    }
    /* RFC 5246 7.2: level 1 warning, 2 fatal */
    const char *d = reg_alert_name(a->description);
    add(l, a->frame, a->ts, a->from, RUNG_ALERT, a->decrypted ? RUNG_DECRYPTED : 0u,
        "Alert %s %s%s", a->level == 2 ? "fatal" : a->level == 1 ? "warning" : "?", d ? d : "?",
        a->decrypted ? " (decrypted)" : "");
}

/* TLS 1.3 hides content types (RFC 8446 5.2): the protected records no
 * message stands for are shown by size, as their size is evidence (an
 * alert record has a known length). */
static void add_tls13_records(struct ladder *l, const struct conn *c, enum side s)
{
    const struct side_facts *sf = &c->side[s];
    for (uint32_t i = 0; i < sf->appdata_records && i < 8; i++) {
        uint64_t fr = sf->appdata_frames[i];
        if (fr == 0 || has_rung(l, fr, s))
            continue;
        bool alert_size = sf->appdata_len[i] == TLS13_ALERT_RECORD_LEN;
        unsigned fl = RUNG_ENCRYPTED | (i == 0 ? 0u : RUNG_NO_TIME);
        add(l, fr, sf->appdata_ts, s, alert_size ? RUNG_ALERT : RUNG_DATA, fl,
            "encrypted record, %u bytes%s", sf->appdata_len[i],
            alert_size ? " (alert size)" : "");
    }
}

static void add_side(struct ladder *l, const struct conn *c, enum side s)
{
    const struct side_facts *sf = &c->side[s];
    /* the first application data a key log opened: on the rung of its
     * frame, or on one of its own (after an empty TLS 1.0 record) */
    char data[REPORT_FIRST_DATA_MAX];
    bool plain = report_first_data(c, s, data, sizeof data);
    bool same = plain && sf->app_plain_frame == sf->appdata_frame;
    if (plain && (!same || conn_is_tls13(c)))
        add(l, sf->app_plain_frame, sf->appdata_ts, s, RUNG_DATA,
            RUNG_DECRYPTED | (same ? 0u : RUNG_NO_TIME), "application data: %s (decrypted)",
            data);
    if (conn_is_tls13(c))
        add_tls13_records(l, c, s);
    else if (sf->appdata_records > 0 && same)
        add(l, sf->appdata_frame, sf->appdata_ts, s, RUNG_DATA, RUNG_DECRYPTED,
            "application data (%u record%s): %s (decrypted)", sf->appdata_records,
            sf->appdata_records == 1 ? "" : "s", data);
    else if (sf->appdata_records > 0)
        add(l, sf->appdata_frame, sf->appdata_ts, s, RUNG_DATA, 0u,
            "application data (%u record%s)", sf->appdata_records,
            sf->appdata_records == 1 ? "" : "s");
    add(l, sf->not_tls_frame, sf->first_data_ts, s, RUNG_OTHER, 0u, "bytes that are not TLS");
    add(l, sf->gap_frame, sf->first_data_ts, s, RUNG_GAP, RUNG_NO_TIME,
        "[bytes missing from the capture before this frame]");
    add(l, sf->fin_frame, sf->fin_ts, s, RUNG_TCP, 0u, "FIN");
    add(l, sf->rst_frame, sf->rst_ts, s, RUNG_TCP, 0u, "RST");
}

/* QUIC packets that carry no handshake message the ladder shows: the
 * client's first Initial when it did not open (an unknown version), and a
 * Version Negotiation. */
static void add_quic(struct ladder *l, const struct conn *c)
{
    const struct quic_facts *q = c->quic;
    if (q == NULL)
        return;
    char v[24];
    bool opened = false;
    for (uint16_t i = 0; i < c->n_messages; i++)
        opened = opened || c->messages[i].frame == q->first_frame[SIDE_CLIENT];
    if (!opened) {
        quic_version_name(q->version, v, sizeof v);
        add(l, q->first_frame[SIDE_CLIENT], q->first_ts[SIDE_CLIENT], SIDE_CLIENT, RUNG_OTHER, 0u,
            "QUIC Initial, version %s", v);
    }
    if (q->version_negotiation)
        add(l, q->vn_frame, q->vn_ts, SIDE_SERVER, RUNG_OTHER, 0u, "Version Negotiation");
}

static int cmp_rung(const void *a, const void *b)
{
    const struct rung *x = a, *y = b;
    if (x->frame != y->frame)
        return x->frame < y->frame ? -1 : 1;
    return (x->order > y->order) - (x->order < y->order);
}

void ladder_build(const struct conn *c, struct ladder *out)
{
    out->n = 0;
    out->cut = c->total_messages > c->n_messages;
    const struct side_facts *cl = &c->side[SIDE_CLIENT];
    add(out, cl->syn_frame, c->syn_ts, SIDE_CLIENT, RUNG_TCP, 0u, "SYN%s",
        cl->syn_count > 1 ? " (sent again)" : "");
    add(out, c->synack_frame, c->synack_ts, SIDE_SERVER, RUNG_TCP, 0u, "SYN-ACK");
    for (uint16_t i = 0; i < c->n_messages; i++)
        add_message(out, c, &c->messages[i]);
    for (uint16_t i = 0; i < c->n_alerts; i++)
        add_alert(out, &c->alerts[i]);
    add_side(out, c, SIDE_CLIENT);
    add_side(out, c, SIDE_SERVER);
    add_quic(out, c);
    qsort(out->rungs, out->n, sizeof out->rungs[0], cmp_rung);
}

const char *ladder_kind_name(enum rung_kind k)
{
    switch (k) {
    case RUNG_TCP: return "tcp";
    case RUNG_HANDSHAKE: return "hs";
    case RUNG_ALERT: return "alert";
    case RUNG_DATA: return "data";
    case RUNG_GAP: return "gap";
    case RUNG_OTHER: return "other";
    }
    return "other";
}
