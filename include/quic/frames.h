/* frames.h: the frames of Initial and Handshake packets (RFC 9000 12.4:
 * PADDING, PING, ACK, CRYPTO, CONNECTION_CLOSE), walked in order. */
#ifndef TLSX_QUIC_FRAMES_H
#define TLSX_QUIC_FRAMES_H

#include <stdbool.h>
#include <stdint.h>
#include "util/cursor.h"

struct quic_close_frame {
    bool application;          /* 0x1d: an application error code */
    uint64_t code;
    uint64_t frame_type;       /* 0x1c only: the frame that caused it */
    struct slice reason;
};

struct quic_frame_sink {
    void *ud;
    void (*crypto)(void *ud, uint64_t offset, struct slice data);
    void (*close)(void *ud, const struct quic_close_frame *f);
};

/* Walks every frame of a packet's plaintext. ST_UNSUPPORTED at a frame type
 * that has no place in Initial and Handshake packets (the walk stops). */
MUST_USE enum status quic_frames_walk(struct cursor payload, const struct quic_frame_sink *sink);

/* RFC 9000 20.1: transport error code names; NULL for an unknown one.
 * CRYPTO_ERROR (0x0100-0x01ff) is not named here: it carries a TLS alert. */
const char *quic_transport_error_name(uint64_t code);
enum { QUIC_CRYPTO_ERROR_BASE = 0x0100, QUIC_CRYPTO_ERROR_LAST = 0x01ff };

#endif
