/* verdict.h: the plain verdict of a connection, from its facts alone:
 * did the handshake finish, fail, or can the capture not tell? */
#ifndef TLSX_VERDICT_H
#define TLSX_VERDICT_H

#include <stdbool.h>
#include "facts/conn.h"

/* TLS 1.3 hides alerts in application_data records; a 2-byte alert
 * with the inner type and a 16-byte tag makes 19. */
#define TLS13_ALERT_RECORD_LEN 19

const char *verdict_name(enum verdict v);

bool tls13_established(const struct conn *c);
bool tls12_established(const struct conn *c);
/* Sets c->verdict and, for incomplete, c->incomplete_why. */
void verdict_decide(struct conn *c);
/* A fatal alert in clear, or NULL. */
const struct alert *conn_fatal_alert(const struct conn *c);
/* The first TCP close (FIN or RST) by either side: side, frame and (ts not
 * NULL) time, or false. */
bool conn_first_close(const struct conn *c, enum side *by, bool *rst, uint64_t *frame,
                      struct tstamp *ts);

/* The side whose bytes the network lost before they reached its peer, as
 * the peer's own ACKs tell: a hole in the side's stream that the peer never
 * acknowledged while its SACK blocks hold bytes after it (RFC 2018 3);
 * SIDE_CLIENT, SIDE_SERVER, or -1. */
int conn_hole_never_filled(const struct conn *c);

/* The verdict of a QUIC connection (quic.c): from its packets, not TCP's. */
void quic_verdict(struct conn *c);
/* The client aborted a finished handshake with ech_required (quic.c). */
bool ech_required_sent(const struct conn *c);
/* What became of an ECH offer (quic.c): "accepted", "rejected", "grease" or
 * "unknown"; NULL when the ClientHello offered no ECH. */
const char *ech_outcome(const struct conn *c);

struct quic_facts;
/* After a Retry, the client's Initial with its token got another Retry or
 * INVALID_TOKEN (quic_validation.c). */
bool quic_retry_refused(const struct quic_facts *q);
/* With its last datagram the server left no room for another full one under
 * three times what the client had sent (RFC 9000 8.1), and two or more client
 * datagrams after it got no answer (quic_validation.c). */
bool quic_amplification_stalled(const struct quic_facts *q);
/* ... over a second or more: the client probed (RFC 9002 6.2), in vain. */
bool quic_amplification_gave_up(const struct quic_facts *q);

#endif
