/* session.h: one QUIC connection's datagrams to facts. Initial packets are
 * opened with the keys any observer derives from the client's first
 * Destination Connection ID (RFC 9001 5.2); their CRYPTO frames are put in
 * order and read by the same handshake decoders as TLS over TCP. */
#ifndef TLSX_QUIC_SESSION_H
#define TLSX_QUIC_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include "facts/conn.h"
#include "quic/crypto_stream.h"
#include "quic/facts.h"
#include "quic/keys.h"
#include "util/cursor.h"

struct quic_session {
    const struct quic_version *version; /* whose Initial keys are held, or NULL */
    struct quic_keys keys[2];           /* Initial keys, by enum side */
    uint64_t largest_pn[2];             /* Initial space; UINT64_MAX before the first */
    struct quic_crypto crypto[2];       /* Initial space CRYPTO streams */
    uint64_t hs_first_frame[2];         /* frame of the first byte of a pending message */
    bool stopped[2];                    /* the handshake bytes broke the grammar */
    uint8_t *scratch;                   /* one packet's plaintext (QUIC_MAX_DATAGRAM) */
};

/* Does this datagram start a QUIC connection? A long-header client Initial
 * (RFC 9000 17.2.2) of a version we know that opens with the keys of its own
 * DCID, or, for a version we cannot open, one padded to 1200 bytes
 * (RFC 9000 14.1) with a DCID of at least 8 bytes (RFC 9000 7.2). */
bool quic_sniff_initial(struct slice dgram);

/* Sets up a session; the connection's quic facts are allocated here. */
MUST_USE enum status quic_session_init(struct quic_session *s, struct conn *c);
/* One UDP payload from `from`. Bad bytes are facts, never errors; only
 * out of memory is returned. */
MUST_USE enum status quic_session_datagram(struct quic_session *s, struct conn *c,
                                           enum side from, struct slice dgram, uint64_t frame,
                                           struct tstamp ts);
void quic_session_free(struct quic_session *s);

#endif
