/* late.c: connections whose handshake finished but that failed at once,
 * and TCP attempts that only the context marks as TLS. rules_rejudge turns
 * such verdicts into "failed" before the rules diagnose. */
#include "util/names.h"
#include "util/registry.h"
#include "rules/rules.h"
#include "rules/verdict.h"

/* HTTP/2 over a suite RFC 7540 Appendix A forbids; the client answers
 * with GOAWAY(INADEQUATE_SECURITY), encrypted, and closes. */
static bool h2_blocklisted_then_closed(const struct conn *c)
{
    if (!c->sh.present || !c->sh.has_alpn || c->sh.alpn_len != 2 || c->sh.alpn[0] != 'h' ||
        c->sh.alpn[1] != '2' || conn_is_tls13(c))
        return false;
    const struct reg_suite *s = reg_suite(c->sh.suite);
    const struct side_facts *cl = &c->side[SIDE_CLIENT], *sv = &c->side[SIDE_SERVER];
    /* the client closes with at most a preface/GOAWAY and a close_notify,
     * and it closes first: a server that answers and closes first served it */
    const struct alert *first_close = NULL;
    for (uint16_t i = 0; i < c->n_alerts && first_close == NULL; i++)
        if (c->alerts[i].encrypted)
            first_close = &c->alerts[i];
    if (first_close != NULL && first_close->from != SIDE_CLIENT)
        return false;
    return s != NULL && s->h2_blocklisted && cl->appdata_records <= 3 &&
           (cl->fin_frame || cl->rst_frame) && sv->appdata_records <= 2;
}

/* TLS 1.0 CBC; the client's first record is tiny (1/n-1 split) and
 * the server resets right after it. */
static bool split_record_then_reset(const struct conn *c)
{
    const struct reg_suite *s = reg_suite(c->sh.suite);
    const struct side_facts *cl = &c->side[SIDE_CLIENT], *sv = &c->side[SIDE_SERVER];
    if (!c->sh.present || c->sh.version > 0x0301 || s == NULL || s->mode != REG_MODE_CBC ||
        cl->appdata_records == 0 || sv->rst_frame == 0 || sv->appdata_records > 0)
        return false;
    /* a 1-byte (or empty) record: MAC and padding only, at most two blocks of 16 */
    return cl->appdata_len[0] <= 48 && sv->rst_frame >= cl->appdata_frames[0];
}

/* TLS 1.2 and below: after both Finished, the client's first protected
 * record is an alert, no application data flows either way, and the
 * server does not answer with an alert of its own (a close_notify
 * exchange). A client that cannot verify the server's Finished answers
 * so (bad_record_mac, decrypt_error): the handshake failed. Returns the
 * alert, or NULL. */
/* The time of the first message of a side at or after a frame. */
static bool message_time(const struct conn *c, enum side from, uint64_t frame, struct tstamp *ts)
{
    for (uint16_t i = 0; i < c->n_messages; i++)
        if (c->messages[i].from == from && c->messages[i].frame >= frame) {
            *ts = c->messages[i].ts;
            return true;
        }
    return false;
}

/* A refusal of the server's Finished comes at once: within a round trip
 * wherever the capture was taken. The round trip is read off the hellos
 * (ClientHello to ServerHello seen near the client, ServerHello to the
 * client's next flight seen near the server). An alert much later is a
 * close_notify of a client that had nothing to send. */
static bool right_after_finished(const struct conn *c, const struct alert *a)
{
    struct tstamp fin, next;
    if (!message_time(c, SIDE_SERVER, c->side[SIDE_SERVER].encrypted_hs_frame, &fin))
        return false;
    double rtt = tstamp_ms_between(c->ch->ts, c->sh.ts);
    if (message_time(c, SIDE_CLIENT, c->sh.frame, &next) &&
        tstamp_ms_between(c->sh.ts, next) > rtt)
        rtt = tstamp_ms_between(c->sh.ts, next);
    return tstamp_ms_between(fin, a->ts) <= 1.5 * rtt + 50.0;
}

const struct alert *tls12_alert_instead_of_data(const struct conn *c)
{
    const struct side_facts *cl = &c->side[SIDE_CLIENT], *sv = &c->side[SIDE_SERVER];
    if (!c->sh.present || !c->ch->present || conn_is_tls13(c) || c->sh.sslv2 ||
        sv->encrypted_hs_frame == 0 || cl->appdata_records > 0 || sv->appdata_records > 0)
        return NULL;
    const struct alert *mine = NULL;
    for (uint16_t i = 0; i < c->n_alerts; i++) {
        const struct alert *a = &c->alerts[i];
        /* decrypted with a key log, the alert says itself what it is: a
         * fatal one refuses the handshake, a warning (close_notify) does not */
        if (a->decrypted && a->frame > sv->encrypted_hs_frame)
            return a->level == 2 ? a : NULL;
        if (!a->encrypted)
            continue;
        if (a->from == SIDE_SERVER)
            return NULL; /* the server answers: a close_notify exchange */
        if (mine == NULL && a->frame > sv->encrypted_hs_frame)
            mine = a;
    }
    return mine != NULL && right_after_finished(c, mine) ? mine : NULL;
}

void rules_rejudge_ok(struct conn *c)
{
    if (c->verdict == VERDICT_OK && (h2_blocklisted_then_closed(c) || split_record_then_reset(c) ||
                                     tls12_alert_instead_of_data(c) != NULL ||
                                     ech_required_sent(c)))
        c->verdict = VERDICT_FAILED;
}

void rules_rejudge(struct conn *c, const struct rule_ctx *ctx)
{
    const struct side_facts *cl = &c->side[SIDE_CLIENT], *sv = &c->side[SIDE_SERVER];
    switch ((enum verdict)c->verdict) {
    case VERDICT_TCP_ONLY:
        /* a refused or unanswered SYN counts where TLS was expected */
        if (c->saw_syn && (!c->saw_synack || synack_unanswered(c)) && conn_is_tls_port(c, ctx))
            c->verdict = VERDICT_FAILED;
        break;
    case VERDICT_NOT_TLS:
        /* a refused upgrade; plain HTTP answered by a close without a byte or
         * by a page naming HTTPS; plain text where the server speaks TLS or
         * on a TLS port (not a protocol that upgrades on its own) */
        if (upgrade_refused(c) ||
            (c->plain.protocol == PLAIN_HTTP &&
             (c->plain.names_tls_frame != 0 ||
              (sv->bytes == 0 && (sv->fin_frame || sv->rst_frame)))))
            c->verdict = VERDICT_FAILED;
        else if (cl->not_tls && c->plain.protocol != PLAIN_SMTP &&
                 c->plain.protocol != PLAIN_IMAP && c->plain.protocol != PLAIN_POP3 &&
                 c->plain.protocol != PLAIN_FTP && c->plain.protocol != PLAIN_POSTGRES &&
                 (sv->records > 0 || conn_is_tls_port(c, ctx)))
            c->verdict = VERDICT_FAILED;
        break;
    case VERDICT_OK:
    case VERDICT_FAILED:
    case VERDICT_INCOMPLETE:
        break;
    }
}

static bool match_http2_blocklisted_suite(const struct rule *self, const struct case_facts *in,
                                          struct finding_draft *f)
{
    const struct conn *c = in->c;
    if (!h2_blocklisted_then_closed(c))
        return false;
    const struct side_facts *cl = &c->side[SIDE_CLIENT];
    finding_init(f, self, CONF_HIGH);
    finding_evidence(f, c->sh.frame, "server  ServerHello: %s with ALPN h2",
                     name_suite(c->sh.suite).s);
    finding_evidence(f, cl->fin_frame ? cl->fin_frame : cl->rst_frame,
                     "client  closes after %u encrypted record%s, no HTTP exchange",
                     cl->appdata_records, cl->appdata_records == 1 ? "" : "s");
    finding_explain(f, "The server negotiated HTTP/2 with %s, a suite on the RFC 7540 "
                       "Appendix A block list (no forward secrecy or no AEAD). HTTP/2 clients "
                       "treat that as a connection error INADEQUATE_SECURITY: they send GOAWAY "
                       "(encrypted here, so not visible) and close. Browsers show "
                       "ERR_SPDY_INADEQUATE_TRANSPORT_SECURITY.",
                    name_suite(c->sh.suite).s);
    finding_fix(f, "Order the server's suites so that ECDHE with AES-GCM or ChaCha20 comes "
                   "before any blocked suite (nginx ssl_prefer_server_ciphers with a modern "
                   "ssl_ciphers; IIS: the \"SSL Cipher Suite Order\" policy), or disable h2 "
                   "for clients that can only use blocked suites.");
    f->refs = "RFC 7540 9.2.2 and Appendix A; docs/diagnoses/http2_blocklisted_suite.md";
    return true;
}
RULE(http2_blocklisted_suite, "HTTP/2 negotiated with a cipher suite RFC 7540 forbids", false);

static bool match_record_split_rejected(const struct rule *self, const struct case_facts *in,
                                        struct finding_draft *f)
{
    const struct conn *c = in->c;
    if (!split_record_then_reset(c))
        return false;
    const struct side_facts *cl = &c->side[SIDE_CLIENT], *sv = &c->side[SIDE_SERVER];
    finding_init(f, self, CONF_MEDIUM);
    finding_evidence(f, c->sh.frame, "server  ServerHello: TLS 1.0, %s (CBC)",
                     name_suite(c->sh.suite).s);
    finding_evidence(f, cl->appdata_frames[0], "client  first application record of %u bytes "
                                               "(a 1-byte split record)",
                     cl->appdata_len[0]);
    finding_evidence(f, sv->rst_frame, "server  RST, %.1f ms later",
                     tstamp_ms_between(cl->appdata_ts, sv->rst_ts));
    finding_explain(f, "The handshake finished with TLS 1.0 and a CBC suite. The client split "
                       "its first request into a 1-byte record and the rest (the 1/n-1 "
                       "countermeasure against BEAST, sent by Windows after MS12-006 and by "
                       "browsers), and the server reset the connection right after that "
                       "record: it cannot handle a request split over records.");
    finding_fix(f, "Upgrade the server to accept split records, or better, enable TLS 1.2 (the "
                   "split is only used with TLS 1.0 CBC). On a Windows client the split can "
                   "be turned off with the SendExtraRecord registry value (KB 2643584), at "
                   "the cost of the BEAST protection.");
    f->refs = "MS KB 2643584 (MS12-006); docs/diagnoses/record_split_rejected.md";
    return true;
}
RULE(record_split_rejected, "the server rejects 1/n-1 split records", false);
