/* transport.c: failures TCP shows before TLS can: a refused or unanswered
 * SYN, a server that never answers the ClientHello, a client that gives up,
 * and captures that cannot decide. */
#include "util/registry.h"
#include "rules/rules.h"
#include "rules/verdict.h"

/* A1/A2: the SYN answered with RST, or not at all. */
static bool match_connection_refused(const struct rule *self, const struct case_facts *in,
                                     struct finding_draft *f)
{
    const struct conn *c = in->c;
    const struct side_facts *sv = &c->side[SIDE_SERVER];
    if (!c->saw_syn || c->saw_synack || sv->rst_frame == 0 || c->ch->present)
        return false;
    char srv[64];
    server_str(c, srv, sizeof srv);
    finding_init(f, self, CONF_HIGH);
    finding_evidence(f, c->side[SIDE_CLIENT].syn_frame, "client  SYN to %s", srv);
    finding_evidence(f, sv->rst_frame, "server  RST, %.1f ms later: nothing listens there",
                     tstamp_ms_between(c->syn_ts, sv->rst_ts));
    finding_explain(f, "Nothing accepts connections on %s: the host (or a firewall that rejects "
                       "rather than drops) answered the SYN with a reset. TLS never started.",
                    srv);
    finding_fix(f, "Check that the service runs and listens on port %u on that address (ss -ltn, "
                   "netstat -an), and that the client uses the right host and port.",
                c->server_port);
    return true;
}
RULE(connection_refused, "the server refused the TCP connection", false);

/* RFC 6298 5.5: each retry waits at most twice as long as the one before;
 * silence longer than that after the last SYN means the client stopped. */
#define SYN_BACKOFF 2.0

/* The server answered every SYN, but its SYN-ACKs never reached the client
 * in time: it kept retrying, gave up, and its stack reset the late one. */
static bool synack_too_late(const struct rule *self, const struct conn *c, const char *srv,
                            struct finding_draft *f)
{
    const struct side_facts *cl = &c->side[SIDE_CLIENT];
    double gave_up = tstamp_ms_between(c->syn_ts, cl->rst_ts) / 1000.0;
    finding_init(f, self, CONF_HIGH);
    f->title = "the SYN was answered, but the SYN-ACK never reached the client";
    finding_evidence(f, cl->syn_frame, "client  SYN to %s, sent %u times", srv, cl->syn_count);
    finding_evidence(f, c->synack_frame, "server  SYN-ACK, never acknowledged");
    finding_evidence(f, cl->rst_frame, "client  RST to a SYN-ACK %.1f s after the first SYN: "
                                       "the attempt was over",
                     gave_up);
    finding_weigh(f, cl->rst_frame, SRC_PROTOCOL, 3, "RFC 9293 3.10.7.1",
                  "a client that still waited would acknowledge a SYN-ACK; a reset answers one "
                  "for a connection it no longer has");
    finding_explain(f, "The server answered the client's SYNs, but its SYN-ACKs are in the "
                       "capture only: the client kept sending its SYN (%u times), so none "
                       "reached it, and %.1f s after the first SYN it answered a SYN-ACK with "
                       "a reset, having given up. Packets from the server to the client are "
                       "lost or dropped after the capture point (a firewall in that direction, "
                       "an asymmetric route, a filter that passes only the client's side). "
                       "TLS never started.",
                    cl->syn_count, gave_up);
    finding_fix(f, "Check the path from %s back to the client: firewall rules and routes in "
                   "that direction (stateful firewalls that saw only one side drop the "
                   "SYN-ACK), and capture at the client to confirm what arrives.",
                srv);
    return true;
}

static bool match_no_syn_ack(const struct rule *self, const struct case_facts *in,
                             struct finding_draft *f)
{
    const struct conn *c = in->c;
    const struct side_facts *cl = &c->side[SIDE_CLIENT];
    /* a lone SYN the capture ends right after proves no silence (verdict.c) */
    bool late = synack_unanswered(c);
    if (!c->saw_syn || (c->saw_synack && !late) || c->side[SIDE_SERVER].rst_frame ||
        c->ch->present || c->verdict == VERDICT_INCOMPLETE)
        return false;
    char srv[64];
    server_str(c, srv, sizeof srv);
    if (late)
        return synack_too_late(self, c, srv, f);
    finding_init(f, self, CONF_HIGH);
    finding_evidence(f, cl->syn_frame, "client  SYN to %s%s", srv,
                     cl->syn_count > 1 ? ", sent again later" : "");
    finding_explain(f, "The SYN to %s was sent %u time%s and never answered in this capture: "
                       "a firewall drops it, the host is down or unreachable, or its listen "
                       "queue is full. TLS never started.",
                    srv, cl->syn_count, cl->syn_count == 1 ? "" : "s");
    if (c->open_at_end && cl->syn_count > 1) {
        double tried = tstamp_ms_between(c->syn_ts, c->syn_last_ts) / 1000.0;
        double step = tstamp_ms_between(c->syn_prev_ts, c->syn_last_ts) / 1000.0;
        double after = tstamp_ms_between(c->syn_last_ts, c->capture_end) / 1000.0;
        finding_explain(f, " The client tried for %.1f s, its last two SYNs %.1f s apart; the "
                           "capture ends %.1f s after the last one",
                        tried, step, after);
        if (after > SYN_BACKOFF * step)
            finding_explain(f, " with no other try, longer than the client's next retry "
                               "would have waited: it gave up.");
        else
            finding_explain(f, ", too soon to show whether the client gave up.");
    }
    finding_fix(f, "Check routing and firewalls between the client and %s (a rule that drops "
                   "port %u), and that the server is up and accepts connections.",
                srv, c->server_port);
    return true;
}
RULE(no_syn_ack, "the SYN was never answered", false);

/* The ClientHello went out over TCP and the server said nothing at all (over
 * QUIC an unanswered Initial is quic_blocked: no connection was accepted). */
/* Client timeouts are counted in seconds; a client that closes sooner
 * (a browser dropping the spare connections it raced) did not give up on
 * the server. */
#define CLIENT_PATIENCE_MIN_MS 1000.0

/* The server's first byte came only after the client had closed, having
 * waited long enough to be giving up: whatever the server sent later. */
static bool answered_after_client_left(const struct conn *c, const struct ending *e)
{
    const struct side_facts *sv = &c->side[SIDE_SERVER];
    return c->ch->present && e->closed && e->close_by == SIDE_CLIENT &&
           sv->first_data_frame > e->close_frame && e->close_frame > c->ch->frame &&
           ms_after_hello(c, e->close_ts) >= CLIENT_PATIENCE_MIN_MS;
}

/* The server answered, too late: the capture proves the timing. */
static bool late_answer(const struct rule *self, const struct case_facts *in,
                        struct finding_draft *f)
{
    const struct conn *c = in->c;
    const struct ending *e = &in->ending;
    const struct side_facts *sv = &c->side[SIDE_SERVER];
    double waited = ms_after_hello(c, e->close_ts) / 1000.0;
    double answer = ms_after_hello(c, sv->first_data_ts) / 1000.0;
    finding_init(f, self, CONF_HIGH);
    finding_evidence(f, c->ch->frame, "client  ClientHello (%u bytes)", c->ch->length);
    finding_evidence(f, e->close_frame, "client  %s %.1f s later, the server having sent nothing",
                     e->rst ? "RST" : "FIN", waited);
    finding_evidence(f, sv->first_data_frame, "server  first answer, %.1f s after the "
                                              "ClientHello: the client had left",
                     answer);
    finding_weigh(f, sv->first_data_frame, SRC_CONNECTION, 3, NULL,
                  "the server's first byte came %.1f s after the client gave up",
                  answer - waited);
    finding_explain(f, "The server took %.1f s to answer the ClientHello; the client waited "
                       "%.1f s and gave up (its own timeout: curl's --max-time or "
                       "--connect-timeout, a browser leaving the page, an app's request "
                       "timeout). TLS did not fail: the server is slower than the client's "
                       "patience. A TLS server answers a ClientHello at once unless it is "
                       "overloaded, blocked on something (a certificate or key store, a "
                       "hardware module, an OCSP fetch), or behind a proxy that waits.",
                    answer, waited);
    finding_fix(f, "Find what delays the server's first answer (its load, its log at that "
                   "time, a slow key or OCSP backend); as a stopgap, give the client a longer "
                   "timeout.");
    return true;
}

static bool match_server_no_response(const struct rule *self, const struct case_facts *in,
                                     struct finding_draft *f)
{
    const struct conn *c = in->c;
    const struct ending *e = &in->ending;
    if (answered_after_client_left(c, e))
        return late_answer(self, in, f);
    if (c->quic != NULL || e->stage != STAGE_HELLO_SENT ||
        (e->closed && e->close_by == SIDE_SERVER))
        return false;
    finding_init(f, self, CONF_MEDIUM);
    finding_evidence(f, c->ch->frame, "client  ClientHello (%u bytes)", c->ch->length);
    if (e->closed) {
        finding_evidence(f, e->close_frame, "client  %s %.0f ms later, the server having sent "
                                           "nothing",
                         e->rst ? "RST" : "FIN", ms_after_hello(c, e->close_ts));
        /* the server's TCP acknowledged the hello: it arrived, and an answer
         * lost on the way back looks the same from the client's side */
        bool acked = c->side[SIDE_CLIENT].unacked_bytes == 0 && c->side[SIDE_SERVER].bytes == 0;
        finding_explain(f, "The server accepted the TCP connection but never answered the "
                           "ClientHello; the client gave up after %.1f s. A TLS server answers "
                           "at once, with a ServerHello or an alert: silence points to a "
                           "service that is not TLS on this port (it waits for the client to "
                           "speak its protocol), a hung server, or a middlebox that holds the "
                           "packets.%s",
                        ms_after_hello(c, e->close_ts) / 1000.0,
                        acked ? " The server's TCP acknowledged the ClientHello, so it arrived; "
                                "an answer lost on the way back, with every retransmission of "
                                "it, would look the same here: a capture at the server shows "
                                "whether it sent one."
                              : "");
    } else {
        f->confidence = CONF_LOW;
        finding_explain(f, "No answer to the ClientHello before the capture ended. A TLS server "
                           "answers at once; if the capture went on long enough, the server is "
                           "not speaking TLS on this port or is hung.");
    }
    finding_fix(f, "Check that port %u on the server speaks TLS directly (not STARTTLS or a "
                   "plain protocol), that the service is healthy, and capture on the server "
                   "side to see whether the ClientHello arrives there.",
                c->server_port);
    return true;
}
RULE(server_no_response, "the server never answered the ClientHello", false);

/* The client reset many connections at one instant, this one mid-handshake:
 * one event on the client, which says nothing about this handshake. */
static bool match_connections_reset_at_once(const struct rule *self, const struct case_facts *in,
                                            struct finding_draft *f)
{
    const struct conn *c = in->c;
    const struct ending *e = &in->ending;
    if (c->reset_burst == 0 || !e->closed || e->close_by != SIDE_CLIENT || !e->rst ||
        e->alert != NULL || e->stage == STAGE_DONE)
        return false;
    double span = tstamp_ms_between(c->burst_first_ts, c->burst_last_ts);
    finding_init(f, self, CONF_HIGH);
    f->refs = "RFC 9293 3.10.5 (ABORT); docs/diagnoses/connections_reset_at_once.md";
    finding_evidence(f, e->close_frame, "client  RST mid-handshake, with no alert");
    finding_evidence(f, c->burst_first_frame, "client  first of %u resets within %.1f ms%s",
                     c->reset_burst, span,
                     c->burst_first_frame != e->close_frame ? " (on another connection)" : "");
    if (c->burst_last_frame != c->burst_first_frame)
        finding_evidence(f, c->burst_last_frame, "client  last of them%s",
                         c->burst_last_frame != e->close_frame ? " (on another connection)" : "");
    finding_weigh(f, c->burst_first_frame, SRC_CONNECTION, 3, NULL,
                  "the client reset %u connections within %.1f ms", c->reset_burst, span);
    finding_explain(f, "The client reset %u connections within %.1f ms (frames %llu to %llu), "
                       "this one in the middle of its handshake. That is one event on the "
                       "client, not a verdict on each handshake: an application shutting down "
                       "or cancelling its requests, a process killed, or a network change (Wi-Fi "
                       "to mobile) that drops every connection at once. What stage this "
                       "handshake had reached says nothing about the server or its certificate.",
                    c->reset_burst, span, (unsigned long long)c->burst_first_frame,
                    (unsigned long long)c->burst_last_frame);
    finding_fix(f, "Look at what happened on the client at that instant (the app closed, "
                   "crashed or was sent to the background, the network changed), and try the "
                   "handshake again on its own: it fails again only if something else is "
                   "wrong.");
    return true;
}
RULE(connections_reset_at_once, "the client reset its connections at once, this one mid-handshake",
     false);

/* The client walked away mid-handshake without saying why. */
static bool match_client_aborted(const struct rule *self, const struct case_facts *in,
                                 struct finding_draft *f)
{
    const struct conn *c = in->c;
    const struct ending *e = &in->ending;
    if (!e->closed || e->close_by != SIDE_CLIENT || e->alert != NULL ||
        e->stage < STAGE_SERVER_ANSWERED || answered_after_client_left(c, e))
        return false;
    finding_init(f, self, CONF_LOW);
    struct tstamp last = c->start;
    for (uint16_t i = 0; i < c->n_messages; i++)
        if (c->messages[i].frame < e->close_frame)
            last = c->messages[i].ts;
    finding_evidence(f, e->close_frame, "client  %s with no alert, %.0f ms after the last "
                                       "handshake message",
                     e->rst ? "RST" : "FIN", tstamp_ms_between(last, e->close_ts));
    if (retry_for_post_quantum_share(c) && !c->sh.present) {
        char group[24], asked_buf[24];
        const char *asked =
            reg_format_u16(reg_group_name, c->sh.hrr_group, asked_buf, sizeof asked_buf);
        finding_evidence(f, c->sh.hrr_frame, "server  HelloRetryRequest for %s", asked);
        finding_explain(f, "The client sent only a post-quantum key share (%s, %u bytes); the "
                           "server does not support that group and asked, with a "
                           "HelloRetryRequest, for %s, which the client also listed. The client "
                           "closed instead of sending a second ClientHello: it (or a middlebox "
                           "on the way) does not handle the retry RFC 8446 4.1.4 requires.",
                        reg_format_u16(reg_group_name, c->ch->key_shares.v[0], group,
                                       sizeof group),
                        c->ch->key_share_bytes, asked);
        finding_fix(f, "Send a classical share (x25519) beside the hybrid one, as Chrome and "
                       "OpenSSL 3.5 do, or enable X25519MLKEM768 on the server (OpenSSL 3.5, "
                       "BoringSSL); and fix the client's handling of HelloRetryRequest.");
        f->refs = "RFC 8446 4.1.4; draft-ietf-tls-ecdhe-mlkem; "
                  "docs/diagnoses/client_aborted.md";
        return true;
    }
    finding_explain(f, "The client closed the connection in the middle of the handshake "
                       "without a TLS alert, so the capture does not say what it disliked. "
                       "Clients that close silently are often applications that check the "
                       "certificate or the negotiated parameters themselves, or a user or "
                       "timeout that cancelled the request.");
    finding_fix(f, "Look at the client's own log or error (it names the reason), and compare "
                   "the server's choices above with what the client requires.");
    return true;
}
RULE(client_aborted, "the client closed mid-handshake without an alert", true);

/* Not a failure: the capture cannot decide. */
static bool match_capture_incomplete(const struct rule *self, const struct case_facts *in,
                                     struct finding_draft *f)
{
    const struct conn *c = in->c;
    if (c->verdict != VERDICT_INCOMPLETE)
        return false;
    const struct side_facts *cl = &c->side[SIDE_CLIENT], *sv = &c->side[SIDE_SERVER];
    finding_init(f, self, CONF_HIGH);
    if (cl->gap_frame)
        finding_evidence(f, cl->gap_frame, "client bytes missing before this frame (%llu)",
                         (unsigned long long)cl->gap_bytes);
    if (sv->gap_frame)
        finding_evidence(f, sv->gap_frame, "server bytes missing before this frame (%llu)",
                         (unsigned long long)sv->gap_bytes);
    finding_explain(f, "This connection cannot be judged: %s.", c->incomplete_why);
    /* bytes a close counts that never reached the capture nor the peer */
    for (int s = 0; s < 2; s++) {
        const struct side_facts *sf = &c->side[s];
        if (sf->unseen_sent == 0)
            continue;
        enum side from = (enum side)s, to = (enum side)(1 - s);
        finding_evidence(f, sf->unseen_frame, "%s %s: its sequence number counts %llu bytes "
                                              "this capture never saw",
                         side_name(from), sf->rst_frame == sf->unseen_frame ? "RST" : "FIN",
                         (unsigned long long)sf->unseen_sent);
        finding_explain(f, " The %s's %s in frame %llu comes %llu bytes after the last byte "
                           "seen from it, and the %s never acknowledged those bytes: they were "
                           "lost on the way, before the capture point, so the capture was "
                           "taken on the %s's side of the loss. A capture on the %s's side "
                           "shows what they were and how often they were sent.",
                        side_name(from), sf->rst_frame == sf->unseen_frame ? "RST" : "FIN",
                        (unsigned long long)sf->unseen_frame,
                        (unsigned long long)sf->unseen_sent, side_name(to), side_name(to),
                        side_name(from));
    }
    /* bytes sent again and never acknowledged, with no side giving up yet:
     * loss under way when the capture ended (network_loss once a side quits) */
    for (int s = 0; s < 2; s++) {
        const struct side_facts *sf = &c->side[s];
        if (sf->retransmits == 0 || sf->unacked_bytes == 0 || c->side[1 - s].acked_unseen)
            continue;
        finding_evidence(f, sf->retx_frames[0], "%s sends unacknowledged bytes again (%u times)",
                         side_name((enum side)s), sf->retransmits);
        finding_explain(f, " The %s sent %llu bytes %u more time%s and the %s never "
                           "acknowledged them: the network was losing them when the capture "
                           "ended, before either side gave up.",
                        side_name((enum side)s), (unsigned long long)sf->unacked_bytes,
                        sf->retransmits, sf->retransmits == 1 ? "" : "s",
                        side_name((enum side)(1 - s)));
    }
    if (cl->cut_segments || sv->cut_segments)
        finding_explain(f, " %u segments were cut by the capture's snap length, so handshake "
                           "messages are missing their bytes.",
                        cl->cut_segments + sv->cut_segments);
    finding_fix(f, "Capture again with the full packet length (tcpdump -s 0, the default in "
                   "current versions), start the capture before the connection opens, and "
                   "capture close to one endpoint so no packet is lost.");
    return true;
}
RULE(capture_incomplete, "the capture misses what is needed to decide", false);
