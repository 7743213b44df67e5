/* verdict.c: ok / failed / incomplete / not_tls from the facts (see verdict.h).
 * "Failed" needs evidence that an endpoint gave up: an alert or a close.
 * A capture that just stops, or misses packets, gives "incomplete". */
#include <stdio.h>
#include <string.h>
#include "tls/handshake.h"
#include "rules/verdict.h"

const char *verdict_name(enum verdict v)
{
    switch (v) {
    case VERDICT_OK: return "ok";
    case VERDICT_FAILED: return "failed";
    case VERDICT_INCOMPLETE: return "incomplete";
    case VERDICT_NOT_TLS: return "not_tls";
    case VERDICT_TCP_ONLY: return "tcp_only";
    }
    return "?";
}

const struct alert *conn_fatal_alert(const struct conn *c)
{
    for (uint16_t i = 0; i < c->n_alerts; i++)
        if (!c->alerts[i].encrypted && c->alerts[i].level == 2)
            return &c->alerts[i];
    return NULL;
}

bool conn_first_close(const struct conn *c, enum side *by, bool *rst, uint64_t *frame,
                      struct tstamp *ts)
{
    uint64_t best = 0;
    for (int s = 0; s < 2; s++) {
        const struct side_facts *sf = &c->side[s];
        uint64_t fr[2] = {sf->fin_frame, sf->rst_frame};
        const struct tstamp at[2] = {sf->fin_ts, sf->rst_ts};
        for (int k = 0; k < 2; k++) {
            if (fr[k] != 0 && (best == 0 || fr[k] < best)) {
                best = fr[k];
                *by = (enum side)s;
                *rst = k == 1;
                if (ts != NULL)
                    *ts = at[k];
            }
        }
    }
    *frame = best;
    return best != 0;
}

bool tls12_established(const struct conn *c)
{
    const struct side_facts *cl = &c->side[SIDE_CLIENT], *sv = &c->side[SIDE_SERVER];
    if (cl->ccs_frame && sv->ccs_frame && cl->encrypted_hs_frame && sv->encrypted_hs_frame)
        return true;
    /* application data both ways means both Finished were accepted */
    return cl->appdata_records > 0 && sv->appdata_records > 0 && sv->ccs_frame && cl->ccs_frame;
}

/* TLS 1.3: after the ServerHello every record is
 * application_data. The client's first is its Finished, unless it is an
 * alert-sized record. After it, a server record of another size (a ticket,
 * data) shows the server accepted the Finished; an alert-sized server record
 * followed by nothing but the server's close is its refusal, unless the
 * client had closed first (then it is the close_notify reply). */
/* A server that refuses a Finished does it at once; past this it is idle. */
#define IDLE_CLOSE_MS 1000.0

bool tls13_established(const struct conn *c)
{
    const struct side_facts *cl = &c->side[SIDE_CLIENT], *sv = &c->side[SIDE_SERVER];
    if (cl->appdata_records == 0)
        return false;
    uint64_t fin_frame = cl->appdata_frames[0];
    if (cl->appdata_len[0] == TLS13_ALERT_RECORD_LEN && cl->appdata_records == 1)
        return false;
    uint32_t nc = cl->appdata_records < 8 ? cl->appdata_records : 8;
    uint32_t ns = sv->appdata_records < 8 ? sv->appdata_records : 8;
    for (uint32_t i = 0; i < ns; i++) {
        if (sv->appdata_frames[i] <= fin_frame)
            continue;
        if (sv->appdata_len[i] != TLS13_ALERT_RECORD_LEN || sv->appdata_records > i + 1)
            return true;
        for (uint32_t j = 1; j < nc; j++)
            if (cl->appdata_len[j] == TLS13_ALERT_RECORD_LEN &&
                cl->appdata_frames[j] < sv->appdata_frames[i])
                return true;
        return !(sv->fin_frame || sv->rst_frame);
    }
    /* nothing from the server after the client's Finished: a refusal comes
     * at once; a close a second or more later is an idle timeout of a
     * connection the client no longer used (a browser that raced QUIC) */
    if (nc > 1 || !(sv->fin_frame || sv->rst_frame))
        return true;
    struct tstamp closed = sv->fin_frame && (!sv->rst_frame || sv->fin_frame < sv->rst_frame)
                               ? sv->fin_ts
                               : sv->rst_ts;
    return tstamp_ms_between(cl->appdata_ts, closed) >= IDLE_CLOSE_MS;
}

/* Both Finished messages prove the handshake whatever segments the capture
 * missed before them, the ServerHello's among them (RFC 5246 7.4.9, RFC
 * 8446 4.4.4: each side sends its Finished only after checking the peer's
 * messages). Without a ServerHello the version is unknown: a client that
 * follows its ChangeCipherSpec with application_data records, not an
 * encrypted handshake record, runs TLS 1.3 in middlebox compatibility mode
 * (RFC 8446 D.4); its first such record is its Finished, and data both ways
 * after it proves the server accepted it (RFC 8446 2: application data flows
 * only once the handshake is complete). */
static bool tls13_data_after_finished(const struct conn *c)
{
    const struct side_facts *cl = &c->side[SIDE_CLIENT], *sv = &c->side[SIDE_SERVER];
    if (cl->appdata_records < 2 || cl->appdata_frames[0] < cl->ccs_frame)
        return false;
    uint64_t fin_frame = cl->appdata_frames[0];
    uint32_t ns = sv->appdata_records < 8 ? sv->appdata_records : 8;
    for (uint32_t i = 0; i < ns; i++)
        if (sv->appdata_frames[i] > fin_frame && sv->appdata_len[i] != TLS13_ALERT_RECORD_LEN)
            return true;
    return false;
}

static bool established_unseen_hello(const struct conn *c)
{
    const struct side_facts *cl = &c->side[SIDE_CLIENT];
    if (tls12_established(c))
        return true;
    return cl->ccs_frame && cl->encrypted_hs_frame == 0 && tls13_data_after_finished(c);
}

static bool has_gap_before_end(const struct conn *c)
{
    return c->side[0].gaps > 0 || c->side[1].gaps > 0 || c->side[0].cut_segments > 0 ||
           c->side[1].cut_segments > 0;
}

static void set_incomplete(struct conn *c, const char *why)
{
    c->verdict = VERDICT_INCOMPLETE;
    snprintf(c->incomplete_why, sizeof c->incomplete_why, "%s", why);
}

/* RFC 6298 2.1 and 5.7: a SYN unanswered for 1 s is sent again. A lone SYN
 * the capture follows for less than that, with no retry, says nothing about
 * the server: the capture ended too soon. */
#define SYN_RETRY_MS 1000.0

static bool syn_without_time(struct conn *c)
{
    if (!c->saw_syn || c->saw_synack || c->side[SIDE_CLIENT].syn_count > 1 ||
        c->side[SIDE_SERVER].rst_frame || !c->open_at_end)
        return false;
    double had = tstamp_ms_between(c->syn_ts, c->capture_end);
    if (had >= SYN_RETRY_MS)
        return false;
    c->verdict = VERDICT_INCOMPLETE;
    snprintf(c->incomplete_why, sizeof c->incomplete_why,
             "the capture ends %.1f ms after the SYN, before a client would send it again", had);
    return true;
}

/* No payload seen, yet a side's FIN or RST says it had sent bytes the peer
 * never acknowledged: they were lost between that side and the capture
 * point, which sits on the receiver's side of the loss. What they were (a
 * ClientHello?) the capture cannot say. */
static bool lost_before_capture(struct conn *c)
{
    for (int s = 0; s < 2; s++) {
        const struct side_facts *sf = &c->side[s];
        if (sf->unseen_sent == 0 || sf->bytes > 0)
            continue;
        c->verdict = VERDICT_INCOMPLETE;
        snprintf(c->incomplete_why, sizeof c->incomplete_why,
                 "the %s's %s counts %llu bytes sent that never arrived here",
                 side_name((enum side)s), sf->rst_frame == sf->unseen_frame ? "RST" : "FIN",
                 (unsigned long long)sf->unseen_sent);
        return true;
    }
    return false;
}

int conn_hole_never_filled(const struct conn *c)
{
    for (int s = 0; s < 2; s++) {
        const struct side_facts *sf = &c->side[s], *peer = &c->side[1 - s];
        if (sf->gaps > 0 && sf->cut_segments == 0 && sf->acked_unseen == 0 &&
            sf->unacked_bytes >= sf->gap_bytes && peer->sacks > 0 && peer->sack_left > 0)
            return s;
    }
    return -1;
}

/* RFC 6298 2.4: a retransmission timeout is at least 1 s; a side that
 * waited that long past the hole gave the sender time to send it again. */
#define HOLE_WAIT_MIN_MS 1000.0

/* A hole the receiver's own ACKs say it never filled, and a close at least
 * one timeout after the handshake began: the network lost those bytes and
 * a side gave up. A hole the capture alone missed is acknowledged. */
static bool lost_before_receiver(const struct conn *c, struct tstamp close_ts)
{
    const struct side_facts *cl = &c->side[SIDE_CLIENT];
    return conn_hole_never_filled(c) >= 0 && cl->first_data_frame != 0 &&
           tstamp_ms_between(cl->first_data_ts, close_ts) >= HOLE_WAIT_MIN_MS;
}

void verdict_decide(struct conn *c)
{
    if (c->quic != NULL) {
        quic_verdict(c);
        return;
    }
    const struct side_facts *cl = &c->side[SIDE_CLIENT], *sv = &c->side[SIDE_SERVER];
    bool tls_seen = c->ch->present || c->sh.present || cl->records > 0 || sv->records > 0;
    enum side by;
    bool rst;
    uint64_t close_frame;
    struct tstamp close_ts = {0, 0};
    bool closed = conn_first_close(c, &by, &rst, &close_frame, &close_ts);

    if (!tls_seen) {
        if (syn_without_time(c) || lost_before_capture(c))
            return;
        if (cl->not_tls || sv->not_tls)
            c->verdict = VERDICT_NOT_TLS;
        else if (cl->bytes > 0 || sv->bytes > 0)
            c->verdict = VERDICT_NOT_TLS;
        else
            c->verdict = VERDICT_TCP_ONLY;
        return;
    }
    if (c->sh.present && c->sh.sslv2) {
        c->verdict = cl->bytes > c->ch->length ? VERDICT_OK : VERDICT_FAILED;
        return;
    }
    bool established = false;
    if (c->sh.present)
        established = version_is_tls13(c->sh.version) ? tls13_established(c)
                                                        : tls12_established(c);
    else if (c->ch->present || cl->gaps || sv->gaps)
        established = established_unseen_hello(c);
    if (established) {
        c->verdict = VERDICT_OK;
        return;
    }
    /* a fatal alert in clear proves the failure, whatever else is missing */
    if (conn_fatal_alert(c) != NULL) {
        c->verdict = VERDICT_FAILED;
        return;
    }
    if (!c->ch->present && !c->sh.present) {
        /* records, but no hello: the snap length cut it (tcpdump -s 96 keeps
         * record headers only), or the capture began after the handshake */
        if (cl->cut_segments || sv->cut_segments)
            set_incomplete(c, "the snap length cut handshake bytes");
        else
            set_incomplete(c, cl->gaps || sv->gaps ? "packets missing before the first record"
                                                   : "the capture starts after the handshake");
        return;
    }
    if (closed && lost_before_receiver(c, close_ts)) {
        c->verdict = VERDICT_FAILED;
        return;
    }
    if (has_gap_before_end(c)) {
        set_incomplete(c, c->side[0].cut_segments || c->side[1].cut_segments
                              ? "the snap length cut handshake bytes"
                              : "packets of the handshake are missing from the capture");
        return;
    }
    if (!c->ch->present) {
        set_incomplete(c, "the ClientHello is not in the capture");
        return;
    }
    /* bytes that break the record grammar: a damaged capture as often as a
     * broken stack, so the capture cannot decide */
    if (cl->malformed || sv->malformed) {
        set_incomplete(c, cl->malformed ? "a client record cannot be decoded"
                                        : "a server record cannot be decoded");
        return;
    }
    if (closed || c->n_alerts > 0) {
        c->verdict = VERDICT_FAILED;
        return;
    }
    if (c->open_at_end) {
        char why[128];
        snprintf(why, sizeof why,
                 "the capture ends %.0f ms after the connection's last packet, before the "
                 "handshake does",
                 tstamp_ms_between(c->end, c->capture_end));
        set_incomplete(c, why);
        return;
    }
    set_incomplete(c, "the capture ends before the handshake does");
}
