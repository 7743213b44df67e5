/* late.c: connections whose handshake finished but that failed at once,
 * and TCP attempts that only the context marks as TLS. rules_rejudge turns
 * such verdicts into "failed" before the rules diagnose. */
#include "util/names.h"
#include "util/registry.h"
#include "rules/rules.h"
#include "rules/verdict.h"

/* kb C9: HTTP/2 over a suite RFC 7540 Appendix A forbids; the client answers
 * with GOAWAY(INADEQUATE_SECURITY), encrypted, and closes. */
static bool h2_blocklisted_then_closed(const struct conn *c)
{
    if (!c->sh.present || !c->sh.has_alpn || c->sh.alpn_len != 2 || c->sh.alpn[0] != 'h' ||
        c->sh.alpn[1] != '2' || conn_is_tls13(c))
        return false;
    const struct reg_suite *s = reg_suite(c->sh.suite);
    const struct side_facts *cl = &c->side[SIDE_CLIENT], *sv = &c->side[SIDE_SERVER];
    /* the client closes with at most a preface/GOAWAY and a close_notify */
    return s != NULL && s->h2_blocklisted && cl->appdata_records <= 3 &&
           (cl->fin_frame || cl->rst_frame) && sv->appdata_records <= 2;
}

/* kb E6: TLS 1.0 CBC; the client's first record is tiny (1/n-1 split) and
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

void rules_rejudge_ok(struct conn *c)
{
    if (c->verdict == VERDICT_OK && (h2_blocklisted_then_closed(c) || split_record_then_reset(c) ||
                                     ech_required_sent(c)))
        c->verdict = VERDICT_FAILED;
}

void rules_rejudge(struct conn *c, const struct rule_ctx *ctx)
{
    const struct side_facts *cl = &c->side[SIDE_CLIENT], *sv = &c->side[SIDE_SERVER];
    switch ((enum verdict)c->verdict) {
    case VERDICT_TCP_ONLY:
        /* a refused or unanswered SYN counts where TLS was expected */
        if (c->saw_syn && !c->saw_synack && conn_is_tls_port(c, ctx))
            c->verdict = VERDICT_FAILED;
        break;
    case VERDICT_NOT_TLS:
        /* plain text where the server speaks TLS, or on a TLS port */
        if (cl->not_tls && (sv->records > 0 || conn_is_tls_port(c, ctx)))
            c->verdict = VERDICT_FAILED;
        break;
    case VERDICT_OK:
    case VERDICT_FAILED:
    case VERDICT_INCOMPLETE:
        break;
    }
}

static bool match_http2_blocklisted_suite(const struct rule *self, const struct conn *c,
                                          const struct rule_ctx *ctx, struct finding_draft *f)
{
    (void)ctx;
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
    f->refs = "RFC 7540 9.2.2 and Appendix A; kb/FAILURES.md C9; kb/CASES.md 1";
    return true;
}
RULE(http2_blocklisted_suite, "HTTP/2 negotiated with a cipher suite RFC 7540 forbids", false);

static bool match_record_split_rejected(const struct rule *self, const struct conn *c,
                                        const struct rule_ctx *ctx, struct finding_draft *f)
{
    (void)ctx;
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
    f->refs = "MS KB 2643584 (MS12-006); kb/FAILURES.md E6; kb/CASES.md 4";
    return true;
}
RULE(record_split_rejected, "the server rejects 1/n-1 split records", false);
