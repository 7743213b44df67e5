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

struct keylog;

/* RFC 9000 12.3: packet number spaces an observer can open (Application
 * data is not read: the handshake is over by then). */
enum quic_space { QUIC_SPACE_INITIAL = 0, QUIC_SPACE_HANDSHAKE = 1, QUIC_SPACES = 2 };

enum quic_keys_state { QUIC_KEYS_UNTRIED = 0, QUIC_KEYS_READY, QUIC_KEYS_NONE };

struct quic_session {
    const struct keylog *keylog;        /* TLS secrets (--keylog), or NULL: borrowed */
    const struct quic_version *version; /* whose Initial keys are held, or NULL */
    struct quic_keys keys[QUIC_SPACES][2];     /* by space and enum side */
    uint8_t keys_state[QUIC_SPACES][2];        /* enum quic_keys_state (Handshake) */
    uint64_t largest_pn[QUIC_SPACES][2];       /* UINT64_MAX before the first */
    struct quic_crypto crypto[QUIC_SPACES][2]; /* CRYPTO streams */
    uint64_t hs_first_frame[QUIC_SPACES][2];   /* frame of a pending message's first byte */
    uint32_t hs_datagrams[QUIC_SPACES][2];     /* datagrams that carried a pending message */
    uint64_t hs_last_frame[QUIC_SPACES][2];    /* the last of them */
    bool stopped[QUIC_SPACES][2];              /* the handshake bytes broke the grammar */
    uint8_t retry_scid[QUIC_MAX_CID];   /* a Retry's SCID: the next Initial keys' source */
    uint8_t retry_scid_len;
    bool retry_pending;
    uint8_t *scratch;                   /* one packet's plaintext (QUIC_MAX_DATAGRAM) */
    bool scratch_borrowed;              /* the table's, shared by its sessions */
};

/* Does this datagram start a QUIC connection? A long-header client Initial
 * (RFC 9000 17.2.2) of a version we know that opens with the keys of its own
 * DCID, or, for a version we cannot open, one padded to 1200 bytes
 * (RFC 9000 14.1) with a DCID of at least 8 bytes (RFC 9000 7.2). */
bool quic_sniff_initial(struct slice dgram);

/* Sets up a session; the connection's quic facts are allocated here. With a
 * key log (set s->keylog after), Handshake packets are opened too. */
MUST_USE enum status quic_session_init(struct quic_session *s, struct conn *c);
/* One UDP payload from `from`. Bad bytes are facts, never errors; only
 * out of memory is returned. */
MUST_USE enum status quic_session_datagram(struct quic_session *s, struct conn *c,
                                           enum side from, struct slice dgram, uint64_t frame,
                                           struct tstamp ts);
/* The frames of a packet already opened (what quic_session_datagram does
 * after removing the protection); for tests and the fuzz harness, which
 * reach the frames without sealing packets. */
void quic_session_frames(struct quic_session *s, struct conn *c, enum side from,
                         enum quic_space space, struct slice plaintext, uint64_t frame,
                         struct tstamp ts);
void quic_session_free(struct quic_session *s);

#endif
