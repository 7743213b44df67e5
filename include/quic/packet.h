/* packet.h: QUIC long-header packets (RFC 9000 17.2, RFC 8999 5.1) read
 * through the cursor, and the removal of their protection (RFC 9001 5.4). */
#ifndef TLSX_QUIC_PACKET_H
#define TLSX_QUIC_PACKET_H

#include <stdbool.h>
#include <stdint.h>
#include "quic/keys.h"
#include "quic/version.h"
#include "util/cursor.h"

/* RFC 9000 14: the largest UDP payload; one packet's plaintext fits in it. */
#define QUIC_MAX_DATAGRAM 65527
/* RFC 9000 14.1: a client's Initial datagram is at least this large. */
#define QUIC_MIN_INITIAL_DATAGRAM 1200

/* RFC 9000 16: variable-length integer of 1, 2, 4 or 8 bytes. */
MUST_USE enum status quic_varint(struct cursor *c, uint64_t *out);

enum quic_form {
    QUIC_FORM_SHORT,           /* 1-RTT: its DCID length is not on the wire */
    QUIC_FORM_LONG,            /* Initial, 0-RTT, Handshake, Retry */
    QUIC_FORM_VERSION_NEG      /* version 0 (RFC 9000 17.2.1) */
};

struct quic_long {
    enum quic_form form;
    uint8_t first;             /* as on the wire (still protected) */
    uint32_t version;
    const struct quic_version *known; /* NULL: a version we cannot open */
    enum quic_ptype type;      /* meaningful when known != NULL */
    struct slice dcid, scid;
    struct slice token;        /* Initial: RFC 9000 17.2.2; Retry: the new token */
    struct slice packet;       /* the whole packet, header first */
    size_t pn_offset;          /* Initial, 0-RTT, Handshake: where the packet number starts */
    struct cursor versions;    /* Version Negotiation: the supported versions (4 bytes each) */
};

/* Reads the packet at the cursor and moves past it; a datagram holds
 * several long-header packets one after the other (RFC 9000 12.2). A
 * short header, a Retry and a Version Negotiation packet take the rest. */
MUST_USE enum status quic_packet_parse(struct cursor *dgram, struct quic_long *out);

/* RFC 9000 A.3: the full packet number nearest to the next one expected. */
uint64_t quic_pn_decode(uint64_t largest, uint64_t truncated, unsigned bits);

/* Removes header protection and opens the payload of an Initial, 0-RTT or
 * Handshake packet. `largest` is the largest packet number opened so far in
 * that space (or UINT64_MAX for none). out must hold packet.len bytes.
 * ST_MALFORMED when the packet does not open with these keys. */
MUST_USE enum status quic_packet_open(const struct quic_long *p, const struct quic_keys *k,
                                      uint64_t largest, uint8_t *out, size_t *out_len,
                                      uint64_t *pn);

#endif
