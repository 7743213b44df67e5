/* loss.c: network_loss, handshake bytes the network lost until a side gave
 * up. The capture shows it when a side sends the same bytes again and
 * again (RFC 6298 5: each retransmission waits twice as long) and its peer
 * never acknowledges them (RFC 9293 3.10.7.4), while the peer's duplicate
 * ACKs and SACK blocks (RFC 2018 3) say what it holds instead. Bytes the
 * peer acknowledges that the capture never showed are the capture's loss,
 * not the network's: capture_incomplete. */
#include <stdio.h>
#include "rules/rules.h"
#include "rules/verdict.h"

/* Two sendings at least, the RTO doubling between them: loss, not a
 * reordering or a single spurious retransmission. */
#define LOSS_MIN_RETRANSMITS 2

/* The side whose handshake bytes were lost: it retransmitted them and the
 * peer never acknowledged them; SIDE_CLIENT or SIDE_SERVER, or -1. */
static int lossy_side(const struct conn *c)
{
    for (int s = 0; s < 2; s++) {
        const struct side_facts *sf = &c->side[s];
        if (sf->retransmits >= LOSS_MIN_RETRANSMITS && sf->unacked_bytes > 0 &&
            c->side[1 - s].acked_unseen == 0 && sf->gaps == 0)
            return s;
    }
    return -1;
}

/* Hops a packet has come: its TTL below the usual initial values (64 on
 * Linux and macOS, 128 on Windows, 255 on network gear; RFC 791 3.1). */
static int hops_from(uint8_t ttl)
{
    static const uint8_t initial[] = {32, 64, 128, 255};
    for (size_t i = 0; i < sizeof initial / sizeof initial[0]; i++)
        if (ttl <= initial[i])
            return initial[i] - ttl;
    return 0;
}

/* Where the capture sat, from the TTLs of each side's packets: a side whose
 * packets are seen with an unreduced TTL was captured at its own host. */
static void say_vantage(const struct conn *c, char *out, size_t len)
{
    const struct side_facts *cl = &c->side[SIDE_CLIENT], *sv = &c->side[SIDE_SERVER];
    out[0] = '\0';
    if (cl->ttl_max == 0 || sv->ttl_max == 0 || cl->ttl_min != cl->ttl_max ||
        sv->ttl_min != sv->ttl_max)
        return;
    int hc = hops_from(cl->ttl_max), hs = hops_from(sv->ttl_max);
    if (hc == 0 && hs > 0)
        snprintf(out, len, " The TTLs place it at the client: the client's packets are seen "
                           "with TTL %u as sent, the server's with %u, %d hop%s away.",
                 cl->ttl_max, sv->ttl_max, hs, hs == 1 ? "" : "s");
    else if (hs == 0 && hc > 0)
        snprintf(out, len, " The TTLs place it at the server: the server's packets are seen "
                           "with TTL %u as sent, the client's with %u, %d hop%s away.",
                 sv->ttl_max, cl->ttl_max, hc, hc == 1 ? "" : "s");
    else if (hs > 0 && hc > 0)
        snprintf(out, len, " The TTLs place it in between: the client's packets have come %d "
                           "hop%s, the server's %d.",
                 hc, hc == 1 ? "" : "s", hs);
}

static const char LOSS_FIX[] =
    "Look for what drops packets between the server and the client: a firewall or IPS that "
    "drops TLS handshake records (often the ClientHello or a large certificate flight), an MTU "
    "black hole (large segments lost, small ones passing: check that ICMP \"fragmentation "
    "needed\" gets through, or clamp the MSS), or a lossy link. A capture on the other side "
    "shows which packets arrive.";

/* Seen from the receiver's side: no sending of the lost bytes reached the
 * capture, but the receiver's SACK blocks say it holds later bytes and not
 * these, and it waited a timeout or more before the connection closed. */
static bool receiver_side_loss(const struct rule *self, const struct case_facts *in,
                               struct finding_draft *f, enum side from)
{
    const struct conn *c = in->c;
    const struct ending *e = &in->ending;
    enum side to = (enum side)(1 - from);
    const struct side_facts *sf = &c->side[from], *peer = &c->side[to];
    double waited = ms_after_hello(c, e->close_ts) / 1000.0;
    finding_init(f, self, CONF_HIGH);
    f->refs = "RFC 2018 3; RFC 6298 2.4; RFC 9293 3.10.7.4; docs/diagnoses/network_loss.md";
    if (from == SIDE_SERVER && c->side[SIDE_CLIENT].unacked_bytes == 0)
        finding_evidence(f, c->ch->frame, "client  ClientHello (%u bytes), acknowledged by the "
                                          "server",
                         c->ch->length);
    finding_evidence(f, peer->sack_frame,
                     "%s  SACK: holds bytes %u-%u of the %s's stream, not the %u before them",
                     side_name(to), peer->sack_left, peer->sack_right, side_name(from),
                     peer->sack_left);
    finding_evidence(f, e->close_frame, "%s  %s %.1f s after the ClientHello: gives up; the "
                                        "missing bytes never arrived",
                     side_name(e->close_by), e->rst ? "RST" : "FIN", waited);
    finding_weigh(f, peer->sack_frame, SRC_PROTOCOL, 3, "RFC 2018 3",
                  "the %s's SACK blocks (%u) and duplicate ACKs (%u) say it received later "
                  "bytes but not these, and its ACKs never covered them",
                  side_name(to), peer->sacks, peer->dup_acks);
    char ttls[200];
    say_vantage(c, ttls, sizeof ttls);
    finding_explain(f, "The network lost the %s's first %llu handshake bytes before they "
                       "reached the %s: later bytes arrived, and the %s's SACK says it holds "
                       "bytes %u-%u and lacks the %u before them. No copy of the missing bytes "
                       "reached this capture point in the %.1f s before the %s gave up, so the "
                       "capture sits on the %s's side of the loss: any retransmissions were "
                       "lost before it too.%s TLS itself did not fail: the packets never "
                       "arrived.",
                    side_name(from), (unsigned long long)sf->gap_bytes, side_name(to),
                    side_name(to), peer->sack_left, peer->sack_right, peer->sack_left, waited,
                    side_name(e->close_by), side_name(to), ttls);
    finding_fix(f, "%s", LOSS_FIX);
    return true;
}

static bool match_network_loss(const struct rule *self, const struct case_facts *in,
                               struct finding_draft *f)
{
    const struct conn *c = in->c;
    const struct ending *e = &in->ending;
    if (c->verdict != VERDICT_FAILED || e->stage == STAGE_DONE || !e->closed)
        return false;
    int s = lossy_side(c);
    if (s < 0) {
        int hole = conn_hole_never_filled(c);
        return hole >= 0 && receiver_side_loss(self, in, f, (enum side)hole);
    }
    enum side from = (enum side)s, to = (enum side)(1 - s);
    const struct side_facts *sf = &c->side[from], *peer = &c->side[to];
    /* the side quit after waiting through the retransmissions: a close sent
     * with the lost bytes, or before they were sent again, is no giving up */
    uint32_t shown = sf->retransmits < 8 ? sf->retransmits : 8;
    if (shown == 0 || tstamp_ms_between(sf->retx_ts[0], e->close_ts) <= 0)
        return false;
    finding_init(f, self, CONF_HIGH);
    f->refs = "RFC 6298 5; RFC 9293 3.10.7.4; RFC 2018 3; RFC 5681 2; "
              "docs/diagnoses/network_loss.md";
    struct tstamp first = sf->lost_first_frame ? sf->lost_first_ts : sf->retx_ts[0];
    if (sf->lost_first_frame)
        finding_evidence(f, sf->lost_first_frame, "%s  sends bytes the %s never acknowledges",
                         side_name(from), side_name(to));
    char times[160];
    size_t used = 0;
    times[0] = '\0';
    for (uint32_t i = 0; i < shown && used < sizeof times; i++) {
        int n = snprintf(times + used, sizeof times - used, "%s%.2f s", i ? ", " : "",
                         tstamp_ms_between(first, sf->retx_ts[i]) / 1000.0);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    finding_evidence(f, sf->retx_frames[0], "%s  sends them again: %u retransmission%s, at %s",
                     side_name(from), sf->retransmits, sf->retransmits == 1 ? "" : "s", times);
    if (peer->sack_frame && peer->sack_left > 0 && peer->sack_right > peer->sack_left)
        finding_evidence(f, peer->sack_frame,
                         "%s  SACK: holds bytes %u-%u of the %s's stream, not those before",
                         side_name(to), peer->sack_left, peer->sack_right, side_name(from));
    finding_evidence(f, e->close_frame, "%s  %s %.1f s after the first sending: gives up",
                     side_name(e->close_by), e->rst ? "RST" : "FIN",
                     tstamp_ms_between(first, e->close_ts) / 1000.0);
    finding_weigh(f, sf->retx_frames[0], SRC_PROTOCOL, 3, "RFC 6298 5",
                  "the %s retransmitted its bytes %u times and the %s never acknowledged them",
                  side_name(from), sf->retransmits, side_name(to));
    if (peer->sacks > 0 || peer->dup_acks > 0)
        finding_weigh(f, peer->sack_frame, SRC_PROTOCOL, 2, "RFC 2018 3",
                      "the %s's duplicate ACKs (%u) and SACK blocks (%u) show it received "
                      "later bytes but not these",
                      side_name(to), peer->dup_acks, peer->sacks);
    char vantage[200];
    snprintf(vantage, sizeof vantage,
             "The capture saw every sending of the lost bytes, so it was taken on the %s's "
             "side of the loss (on the %s or between it and the point where the packets were "
             "dropped)",
             side_name(from), side_name(from));
    char ttls[200];
    say_vantage(c, ttls, sizeof ttls);
    finding_explain(f, "The network lost the %s's handshake bytes: the %s sent them %u more "
                       "time%s over %.1f s and the %s never acknowledged them%s. %s.%s The %s "
                       "gave up after %.1f s. TLS itself did not fail: the packets never "
                       "arrived.",
                    side_name(from), side_name(from), sf->retransmits,
                    sf->retransmits == 1 ? "" : "s",
                    tstamp_ms_between(first, sf->retx_ts[shown - 1]) / 1000.0, side_name(to),
                    peer->sacks ? ", while its SACK blocks show later bytes arriving" : "",
                    vantage, ttls, side_name(e->close_by),
                    tstamp_ms_between(first, e->close_ts) / 1000.0);
    finding_fix(f, "%s", LOSS_FIX);
    return true;
}
RULE(network_loss, "the network lost handshake packets and a side gave up", false);
