/* quic.c: the verdict of a QUIC connection and the diagnoses of the newest
 * handshakes: QUIC Initials unanswered, no QUIC version in common, ECH refused. */
#include <stdio.h>
#include "quic/facts.h"
#include "quic/frames.h"
#include "quic/version.h"
#include "rules/rules.h"
#include "rules/verdict.h"

/* A CONNECTION_CLOSE that reports an error (RFC 9000 20: NO_ERROR is 0). */
static bool close_is_error(const struct quic_close_facts *cf)
{
    return cf->present && (cf->application || cf->code != 0);
}

void quic_verdict(struct conn *c)
{
    const struct quic_facts *q = c->quic;
    /* both sides sent 1-RTT packets: both Finished were accepted
     * (RFC 9001 4.1.1: 1-RTT keys follow the handshake) */
    bool established = q->short_packets[SIDE_CLIENT] > 0 && q->short_packets[SIDE_SERVER] > 0;
    if (close_is_error(&q->close) && (!established || q->close.frame < q->short_frame[SIDE_SERVER])) {
        c->verdict = VERDICT_FAILED;
        return;
    }
    if (established) {
        c->verdict = VERDICT_OK;
        return;
    }
    /* RFC 9000 6.2: after Version Negotiation the client starts again in a
     * new connection; when it did, with a listed version, this one was only
     * the first step of that (whose outcome is reported there) */
    if (q->version_negotiation && q->opened[SIDE_SERVER] == 0) {
        c->verdict = q->vn_retry_conn != 0 ? VERDICT_OK : VERDICT_FAILED;
        return;
    }
    /* Initials sent again (RFC 9002 6.2: probe timeout) and never answered */
    if (q->datagrams[SIDE_SERVER] == 0 && (q->initials[SIDE_CLIENT] > 1 || q->close.present)) {
        c->verdict = VERDICT_FAILED;
        return;
    }
    /* a Retry token refused, or a server silent at the amplification limit
     * while the client probed (RFC 9002 6.2): the client does not get through */
    if (quic_retry_refused(q) || quic_amplification_gave_up(q)) {
        c->verdict = VERDICT_FAILED;
        return;
    }
    c->verdict = VERDICT_INCOMPLETE;
    /* a client that stops after its Handshake packets may have closed in
     * them (RFC 9000 10.2.3): only the TLS secrets can tell */
    bool client_stopped = q->handshake[SIDE_CLIENT] > 0 && q->short_packets[SIDE_CLIENT] == 0 &&
                          c->side[SIDE_CLIENT].decrypt != DECRYPT_OK;
    /* RFC 9000 8.1: the server may not send more until the client speaks */
    if (!client_stopped && q->amplification_limited && q->datagrams[SIDE_SERVER] > 0) {
        snprintf(c->incomplete_why, sizeof c->incomplete_why, "%s",
                 "the server stopped at the anti-amplification limit (RFC 9000 8.1) and waited "
                 "for the client");
        return;
    }
    snprintf(c->incomplete_why, sizeof c->incomplete_why, "%s",
             client_stopped ? "the client stopped after encrypted Handshake packets; a key log "
                              "(--keylog) would show whether it closed there"
                            : "the capture ends before the QUIC handshake does");
}

/* The client's Initials went out, again and again, and nothing came back. */
static bool match_quic_blocked(const struct rule *self, const struct case_facts *in,
                               struct finding_draft *f)
{
    const struct conn *c = in->c;
    const struct quic_facts *q = c->quic;
    if (q == NULL || q->datagrams[SIDE_SERVER] > 0 || q->initials[SIDE_CLIENT] == 0)
        return false;
    double waited = tstamp_ms_between(q->first_ts[SIDE_CLIENT], q->last_ts[SIDE_CLIENT]);
    finding_init(f, self, q->initials[SIDE_CLIENT] > 1 ? CONF_HIGH : CONF_MEDIUM);
    finding_evidence(f, q->first_frame[SIDE_CLIENT], "client  QUIC Initial (ClientHello%s%.*s)",
                     c->ch->has_sni ? ", SNI " : "", c->ch->has_sni ? (int)c->ch->sni_len : 0,
                     c->ch->sni);
    finding_evidence(f, q->last_frame[SIDE_CLIENT],
                     "client  %u Initial packets over %.1f s, not one datagram back%s",
                     q->initials[SIDE_CLIENT], waited / 1000.0,
                     q->close.present && q->close.from == SIDE_CLIENT ? "; the client closed"
                                                                      : "");
    /* RFC 792 type 3 code 3, RFC 4443 3.1 type 1 code 4: port unreachable */
    bool port_unreachable = q->icmp_unreachable > 0 &&
                            ((q->icmp_type == 3 && q->icmp_code == 3) ||
                             (q->icmp_type == 1 && q->icmp_code == 4));
    if (q->icmp_unreachable > 0)
        finding_evidence(f, q->icmp_frame, "%s  ICMP%s destination unreachable (code %u%s), %u time%s",
                         q->icmp_from_server ? "server" : "network",
                         q->icmp_type == 1 ? "v6" : "", q->icmp_code,
                         port_unreachable ? ", port unreachable" : "", q->icmp_unreachable,
                         q->icmp_unreachable == 1 ? "" : "s");
    if (port_unreachable && q->icmp_from_server) {
        finding_explain(f, "The client sent its QUIC Initial %u times over %.1f s and the "
                           "server's host answered each with ICMP port unreachable: nothing "
                           "listens on UDP port %u there. The server is up, but its HTTP/3 "
                           "service is not running or listens on another port or address.%s",
                        q->initials[SIDE_CLIENT], waited / 1000.0, c->server_port,
                        q->fallback_conn != 0 ? " The client then used TCP instead." : "");
        finding_fix(f, "Start the QUIC/HTTP/3 listener on UDP port %u (and check the address it "
                       "binds), or stop advertising HTTP/3 (Alt-Svc, the HTTPS DNS record).",
                    c->server_port);
        f->refs = "RFC 9000 14.1; RFC 792; RFC 4443 3.1; docs/diagnoses/quic_blocked.md";
        return true;
    }
    if (q->fallback_conn != 0) {
        double cost = tstamp_ms_between(q->first_ts[SIDE_CLIENT], q->fallback_ts);
        finding_evidence(f, q->fallback_frame,
                         "client  TCP to the same server and port (connection #%u) %.2f s after "
                         "the first Initial; TLS there %s",
                         q->fallback_conn, cost / 1000.0,
                         q->fallback_ok ? "succeeded" : "did not succeed");
        /* browsers race TCP against QUIC (RFC 9114 3.1 leaves it to them):
         * a TCP start within this of the first Initial is a race, not a wait */
        enum { RACE_MS = 300 };
        if (cost <= RACE_MS)
            finding_explain(f, "The client sent its QUIC Initial %u times over %.1f s and got no "
                               "answer: UDP to port %u is dropped on the way (a firewall that "
                               "allows only TCP is the usual cause) or nothing listens for QUIC "
                               "there. The client raced a TCP connection (#%u, %.0f ms after the "
                               "first Initial)%s, so the blocked QUIC cost little here; clients "
                               "that wait for QUIC to time out lose seconds on each connection.",
                            q->initials[SIDE_CLIENT], waited / 1000.0, c->server_port,
                            q->fallback_conn, cost, q->fallback_ok ? " where TLS succeeded" : "");
        else
            finding_explain(f, "The client sent its QUIC Initial %u times over %.1f s and got no "
                               "answer: UDP to port %u is dropped on the way (a firewall that "
                               "allows only TCP is the usual cause) or nothing listens for QUIC "
                               "there. The client then fell back to TCP (connection #%u)%s: "
                               "every such connection costs the user %.2f s of waiting before "
                               "it starts.",
                            q->initials[SIDE_CLIENT], waited / 1000.0, c->server_port,
                            q->fallback_conn, q->fallback_ok ? ", where TLS succeeded" : "",
                            cost / 1000.0);
    } else {
        finding_explain(f, "The client sent its QUIC Initial %u times over %.1f s and got no "
                           "answer: UDP to port %u is dropped on the way (a firewall that allows "
                           "only TCP is the usual cause) or nothing listens for QUIC there. "
                           "No TCP connection of this client to the same server and port "
                           "follows in this capture.",
                        q->initials[SIDE_CLIENT], waited / 1000.0, c->server_port);
    }
    finding_fix(f, "Allow UDP port %u to the server in every firewall on the path, or stop "
                   "advertising HTTP/3 (the Alt-Svc header or the HTTPS DNS record) so that "
                   "clients do not try QUIC first.",
                c->server_port);
    f->refs = "RFC 9000 14.1, 6; RFC 9002 6.2; RFC 9114 3.1; docs/diagnoses/quic_blocked.md";
    return true;
}
RULE(quic_blocked, "the client's QUIC Initial packets got no answer", false);

/* RFC 9000 6: Version Negotiation lists what the server speaks; the client
 * had none of them. */
static bool match_quic_version_mismatch(const struct rule *self, const struct case_facts *in,
                                        struct finding_draft *f)
{
    const struct conn *c = in->c;
    const struct quic_facts *q = c->quic;
    if (q == NULL || !q->version_negotiation || q->opened[SIDE_SERVER] > 0)
        return false;
    char offered[24], list[160] = "", one[24];
    size_t used = 0;
    quic_version_name(q->client_version, offered, sizeof offered);
    for (uint8_t i = 0; i < q->n_vn_versions && used < sizeof list - 24; i++) {
        quic_version_name(q->vn_versions[i], one, sizeof one);
        int n = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", one);
        if (n > 0)
            used += (size_t)n;
    }
    finding_init(f, self, CONF_HIGH);
    finding_evidence(f, q->first_frame[SIDE_CLIENT], "client  QUIC Initial, version %s", offered);
    finding_evidence(f, q->vn_frame, "server  Version Negotiation: %s", list);
    if (quic_version_is_grease(q->client_version))
        finding_explain(f, "The client offered QUIC version %s, one of the versions reserved to "
                           "exercise Version Negotiation (RFC 9000 15), and the server answered "
                           "as it should, listing %s. The client then went no further: none of "
                           "those versions is one it is willing to use.",
                        offered, list);
    else
        finding_explain(f, "The client offered QUIC version %s; the server does not speak it and "
                           "answered with Version Negotiation listing %s. The client went no "
                           "further: none of those versions is one it is willing to use.",
                        offered, list);
    finding_fix(f, "Enable a version both sides support (QUIC v1, RFC 9000, is the one every "
                   "current stack has) on the client or the server.");
    f->refs = "RFC 9000 6, 17.2.1; RFC 9368; docs/diagnoses/quic_version_mismatch.md";
    return true;
}
RULE(quic_version_mismatch, "no QUIC version in common", false);

enum {
    ALERT_ECH_REQUIRED = 121,        /* RFC 9849 (TLS Encrypted Client Hello) */
    EXT_ENCRYPTED_CLIENT_HELLO = 0xfe0d
};

bool ech_required_sent(const struct conn *c)
{
    const struct alert *a = conn_fatal_alert(c);
    return a != NULL && a->description == ALERT_ECH_REQUIRED;
}

/* An ECH offer looks the same whether meant or GREASE (RFC 9849 6.2); the
 * server's answer and the client's reaction tell them apart:
 * - the client aborted with ech_required: meant, and not used (6.1.6);
 * - a HelloRetryRequest with the 8-byte confirmation: accepted (7.2.1);
 * - retry_configs in EncryptedExtensions (7.1: the server did not use it) and
 *   a handshake that completed: GREASE, as a client that meant it must abort
 *   (6.1.6); without the completed handshake: rejected;
 * - otherwise only the encrypted flight could tell (a key log). */
const char *ech_outcome(const struct conn *c)
{
    const struct ech_offer *o = &c->ch->ech;
    if (!c->ch->present || !o->present)
        return NULL;
    if (ech_required_sent(c))
        return "rejected";
    if (c->sh.hrr_ech)
        return "accepted";
    if (c->sh.ech_retry)
        return c->verdict == VERDICT_OK ? "grease" : "rejected";
    return "unknown";
}

/* RFC 9849 6.1: the server answered the outer ClientHello (it has no ECH,
 * or not the key the client used) and sent no retry configuration the client
 * could use; the certificate being good for the public name, the client
 * completes the handshake only to abort it with ech_required. */
static bool match_ech_rejected(const struct rule *self, const struct case_facts *in,
                               struct finding_draft *f)
{
    const struct conn *c = in->c;
    if (!ech_required_sent(c))
        return false;
    const struct alert *a = conn_fatal_alert(c);
    finding_init(f, self, CONF_HIGH);
    bool offered = false;
    for (uint16_t i = 0; i < c->ch->n_exts; i++)
        offered = offered || c->ch->exts[i] == EXT_ENCRYPTED_CLIENT_HELLO;
    if (c->ch->present)
        finding_evidence(f, c->ch->frame, "client  ClientHello%s%s%.*s",
                         offered ? " with encrypted_client_hello" : "",
                         c->ch->has_sni ? ", outer SNI " : "",
                         c->ch->has_sni ? (int)c->ch->sni_len : 0, c->ch->sni);
    if (c->sh.present)
        finding_evidence(f, c->sh.frame, "server  ServerHello: the outer ClientHello was used");
    finding_evidence(f, a->frame, "%s  fatal alert ech_required%s", side_name(a->from),
                     a->decrypted ? " (decrypted)" : "");
    finding_explain(f, "The client encrypted its real ClientHello with an ECH configuration "
                       "(from the server's HTTPS DNS record, or its own settings). The server "
                       "did not decrypt it: it has no ECH, or no longer the key of that "
                       "configuration, and sent no retry configuration the client could use. "
                       "It answered the outer ClientHello (SNI %.*s) with a certificate good "
                       "for that public name, so the client finished the handshake only to "
                       "abort it with ech_required, as ECH demands rather than go on in clear.",
                    c->ch->has_sni ? (int)c->ch->sni_len : 1,
                    c->ch->has_sni ? c->ch->sni : "?");
    finding_fix(f, "Publish the front end's current ECH configuration in the HTTPS DNS record "
                   "(and keep serving the previous key for a while after a rotation), or "
                   "remove the ech parameter from the record when the server has no ECH.");
    f->refs = "RFC 9849 6.1; RFC 9460 (HTTPS records); docs/diagnoses/ech_rejected.md";
    return true;
}
RULE(ech_rejected, "the client required ECH and the server could not use it", false);
