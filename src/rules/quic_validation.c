/* quic_validation.c: QUIC address validation gone wrong: a Retry token the
 * server does not accept (RFC 9000 8.1.2, 17.2.5), and a server stopped at
 * the anti-amplification limit whose client never got through (RFC 9000 8.1). */
#include <stdio.h>
#include "quic/facts.h"
#include "quic/frames.h"
#include "rules/rules.h"
#include "rules/verdict.h"

enum {
    QUIC_INVALID_TOKEN = 0x0b, /* RFC 9000 20.1 */
    FULL_DATAGRAM = 1200,      /* RFC 9000 14.1: the smallest full datagram */
    PROBE_SPAN_MS = 1000       /* RFC 9002 6.2: probes a second apart and more */
};

static bool established(const struct quic_facts *q)
{
    return q->short_packets[SIDE_CLIENT] > 0 && q->short_packets[SIDE_SERVER] > 0;
}

static bool closed_invalid_token(const struct quic_facts *q)
{
    return q->close.present && q->close.from == SIDE_SERVER && !q->close.application &&
           q->close.code == QUIC_INVALID_TOKEN;
}

bool quic_retry_refused(const struct quic_facts *q)
{
    if (q == NULL || !q->retry || q->token_len == 0 || established(q))
        return false;
    return q->retry_again_frame != 0 || closed_invalid_token(q);
}

bool quic_amplification_stalled(const struct quic_facts *q)
{
    /* a Retry token validates the address: no limit after it */
    if (q == NULL || q->retry || q->datagrams[SIDE_SERVER] == 0 || established(q) ||
        q->unanswered < 2 || (q->close.present && q->close.from == SIDE_SERVER))
        return false;
    /* no room left for one more full datagram */
    const uint64_t *b = q->bytes_at_server_last;
    return b[SIDE_SERVER] + FULL_DATAGRAM > 3 * b[SIDE_CLIENT];
}

bool quic_amplification_gave_up(const struct quic_facts *q)
{
    return quic_amplification_stalled(q) &&
           tstamp_ms_between(q->last_ts[SIDE_SERVER], q->last_ts[SIDE_CLIENT]) >= PROBE_SPAN_MS;
}

static void client_hello_evidence(struct finding_draft *f, const struct conn *c)
{
    const struct quic_facts *q = c->quic;
    finding_evidence(f, q->first_frame[SIDE_CLIENT], "client  QUIC Initial (ClientHello%s%.*s)",
                     c->ch->has_sni ? ", SNI " : "", c->ch->has_sni ? (int)c->ch->sni_len : 0,
                     c->ch->sni);
}

/* The client's close, named: how it gave up, when the capture shows it. */
static void client_close_text(const struct quic_facts *q, char *out, size_t n)
{
    const char *name = q->close.application ? NULL : quic_transport_error_name(q->close.code);
    if (q->close.present && q->close.from == SIDE_CLIENT)
        snprintf(out, n, ", then closed the connection (%s)", name != NULL ? name : "an error");
    else
        snprintf(out, n, "%s", "");
}

/* The server answered the client's Initial with Retry; the client's Initial
 * with that token got another Retry (which the client must discard) or a
 * CONNECTION_CLOSE with INVALID_TOKEN: the token was not accepted. */
static bool match_quic_retry_loop(const struct rule *self, const struct case_facts *in,
                                  struct finding_draft *f)
{
    const struct conn *c = in->c;
    const struct quic_facts *q = c->quic;
    if (!quic_retry_refused(q))
        return false;
    finding_init(f, self, CONF_HIGH);
    client_hello_evidence(f, c);
    finding_evidence(f, q->retry_frame, "server  Retry with a %u-byte token", q->retry_token_len);
    finding_evidence(f, q->token_frame, "client  Initial again, with the %u-byte token",
                     q->token_len);
    double tried = tstamp_ms_between(q->first_ts[SIDE_CLIENT], q->last_ts[SIDE_CLIENT]);
    char gave_up[80];
    client_close_text(q, gave_up, sizeof gave_up);
    if (q->retry_again_frame == 0) {
        finding_evidence(f, q->close.frame, "server  CONNECTION_CLOSE INVALID_TOKEN");
        finding_explain(f, "The server answered the client's Initial with a Retry carrying a "
                           "%u-byte token (RFC 9000 8.1.2). The client sent its Initial again "
                           "with that token, as it must, and the server closed the connection "
                           "with INVALID_TOKEN instead of going on with the handshake: the "
                           "server that received the token could not validate it. A Retry "
                           "token is good only at a server that has the key it was made with "
                           "and for the client address it was made for: server instances "
                           "behind a load balancer with token keys of their own (the client's "
                           "second Initial went to another instance than the one that sent "
                           "the Retry), or a client address that changed between the two "
                           "Initials (a NAT rebinding).",
                        q->retry_token_len);
    } else {
        bool two_minters = q->retry_again_token_len != q->retry_token_len;
        finding_evidence(f, q->retry_again_frame,
                         "server  Retry again (a %u-byte token): the token was not accepted",
                         q->retry_again_token_len);
        /* in frame order: the last Retry may answer the client's last Initial */
        bool retries_first = q->last_retry_frame < q->last_frame[SIDE_CLIENT];
        if (q->retries > 2 && retries_first)
            finding_evidence(f, q->last_retry_frame, "server  %u Retry packets in all",
                             q->retries);
        finding_evidence(f, q->last_frame[SIDE_CLIENT],
                         "client  %u Initial packets over %.1f s%s", q->initials[SIDE_CLIENT],
                         tried / 1000.0, gave_up);
        if (q->retries > 2 && !retries_first)
            finding_evidence(f, q->last_retry_frame, "server  %u Retry packets in all",
                             q->retries);
        finding_explain(f, "The server answered the client's Initial with a Retry carrying a "
                           "%u-byte token. The client sent its Initial again with that token, "
                           "as it must (RFC 9000 17.2.5.2), and got another Retry instead of "
                           "the handshake: the token was not accepted. A client takes one "
                           "Retry per connection and discards the others, so it kept sending "
                           "the first token, and %u Retry packets came back in all; it sent "
                           "%u Initial packets over %.1f s%s. %s",
                        q->retry_token_len, q->retries, q->initials[SIDE_CLIENT],
                        tried / 1000.0, gave_up,
                        two_minters
                            ? "The Retry tokens differ in length, so two different parties "
                              "made them: typically a load balancer that does Retry itself "
                              "in front of servers that do it too, and do not know its "
                              "tokens."
                            : "Instances behind a load balancer with token keys of their "
                              "own are the usual cause: each sends a new Retry for a token "
                              "another one made.");
    }
    finding_fix(f, "Do Retry in one place only (at the load balancer or at the servers, not "
                   "both), and give every server instance that can receive a client's "
                   "Initial the same token key (or route all of a client's datagrams to the "
                   "instance that sent the Retry, by connection ID as QUIC-LB does).");
    f->refs = "RFC 9000 8.1.2, 17.2.5; docs/diagnoses/quic_retry_loop.md";
    return true;
}
RULE(quic_retry_loop, "the server did not accept its Retry token", false);

/* The server sent what the anti-amplification limit allowed and then nothing:
 * the client's packets that would have lifted it never reached the server. */
static bool match_quic_amplification_stall(const struct rule *self, const struct case_facts *in,
                                           struct finding_draft *f)
{
    const struct conn *c = in->c;
    const struct quic_facts *q = c->quic;
    if (!quic_amplification_stalled(q))
        return false;
    const uint64_t *b = q->bytes_at_server_last;
    double quiet = tstamp_ms_between(q->last_ts[SIDE_SERVER], q->last_ts[SIDE_CLIENT]);
    bool gave_up = quic_amplification_gave_up(q);
    finding_init(f, self, gave_up ? CONF_HIGH : CONF_MEDIUM);
    client_hello_evidence(f, c);
    double ratio = b[SIDE_CLIENT] > 0 ? (double)b[SIDE_SERVER] / (double)b[SIDE_CLIENT] : 0;
    finding_evidence(f, q->last_frame[SIDE_SERVER],
                     "server  %llu bytes in %u datagram%s for the client's %llu (%.1fx), then "
                     "nothing",
                     (unsigned long long)b[SIDE_SERVER], q->datagrams[SIDE_SERVER],
                     q->datagrams[SIDE_SERVER] == 1 ? "" : "s",
                     (unsigned long long)b[SIDE_CLIENT], ratio);
    char gave[80];
    client_close_text(q, gave, sizeof gave);
    finding_evidence(f, q->unanswered_frame, "client  %u datagrams after it over %.1f s%s, "
                     "none answered",
                     q->unanswered, quiet / 1000.0,
                     q->handshake[SIDE_CLIENT] > 0 ? " (Handshake packets among them)" : "");
    finding_evidence(f, q->last_frame[SIDE_CLIENT], "client  its last datagram%s", gave);
    finding_explain(f, "Until the client's address is validated a server may send at most "
                       "three times what it received from it (RFC 9000 8.1). This server sent "
                       "%llu bytes for the client's %llu (%.1f times) and then went quiet: "
                       "its first flight did not fit (a large certificate chain is the usual "
                       "reason), so it waited for the client. Any datagram from the client "
                       "raises the limit and a Handshake packet (the client's ACK) lifts it, "
                       "so a server that stays silent never received them. The capture shows "
                       "%u datagrams of the client over %.1f s after the server's last%s, "
                       "and no answer to any%s. Where they were lost this capture cannot tell: "
                       "taken at the client or on the way, after the capture point; taken at "
                       "the server, on its host before the QUIC stack (a firewall).",
                    (unsigned long long)b[SIDE_SERVER], (unsigned long long)b[SIDE_CLIENT],
                    ratio, q->unanswered, quiet / 1000.0,
                    q->handshake[SIDE_CLIENT] > 0 ? ", Handshake packets among them" : "",
                    gave_up ? " (it probed again and again, RFC 9002 6.2)" : "");
    finding_fix(f, "Check the path from the client to the server for UDP loss: the client's "
                   "ACKs (its Handshake packets) must reach the server. Make the server's "
                   "first flight fit within three times the client's Initial (about 3.6 KB "
                   "for a 1200-byte one): a shorter certificate chain (no root, fewer "
                   "intermediates), ECDSA rather than RSA keys, certificate compression "
                   "(RFC 8879).");
    f->refs = "RFC 9000 8.1; RFC 9002 6.2.2.1; RFC 8879; docs/diagnoses/quic_amplification_stall.md";
    return true;
}
RULE(quic_amplification_stall, "the server stopped at the anti-amplification limit and the "
     "client's packets never reached it", false);
