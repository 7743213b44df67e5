/* version.h: the QUIC versions whose Initial packets an observer can open:
 * each has its own Initial salt, key labels and long-header type numbers. */
#ifndef TLSX_QUIC_VERSION_H
#define TLSX_QUIC_VERSION_H

#include <stdbool.h>
#include <stdint.h>

enum quic_ptype {
    QUIC_PT_INITIAL,
    QUIC_PT_0RTT,
    QUIC_PT_HANDSHAKE,
    QUIC_PT_RETRY
};

struct quic_version {
    uint32_t version;
    const char *name;          /* "1", "2", "draft-29", ... */
    uint8_t salt[20];          /* initial_salt (RFC 9001 5.2, RFC 9369 3.3.1) */
    const char *label_prefix;  /* "quic" or "quicv2": "quic key", "quicv2 key"... */
    bool v2_types;             /* RFC 9369 3.2: long header types renumbered */
    /* draft-ietf-quic-transport-24 17.2.5: a Retry carries the Original
     * Destination Connection ID (ODCID Len (8), ODCID) before its token and
     * no integrity tag; draft-25 moved both into the tag's pseudo-packet */
    bool retry_odcid;
};

enum { QUIC_VERSION_NEGOTIATION = 0 };

/* The version's parameters, or NULL for a version we cannot open. */
const struct quic_version *quic_version_find(uint32_t version);
/* Long header type bits (first byte, bits 4-5) to the packet type. */
enum quic_ptype quic_version_ptype(const struct quic_version *v, uint8_t first_byte);
/* A version's name for people: "1", "2", "draft-29", "0x1a2a3a4a". */
void quic_version_name(uint32_t version, char *out, size_t outlen);
/* RFC 9000 15: versions 0x?a?a?a?a are reserved to exercise negotiation. */
static inline bool quic_version_is_grease(uint32_t v)
{
    return (v & 0x0f0f0f0f) == 0x0a0a0a0a;
}

#endif
