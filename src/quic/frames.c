/* frames.c: the frames Initial and Handshake packets carry (RFC 9000 19). */
#include "quic/frames.h"
#include "quic/packet.h"

enum {
    FT_PADDING = 0x00,
    FT_PING = 0x01,
    FT_ACK = 0x02,
    FT_ACK_ECN = 0x03,
    FT_CRYPTO = 0x06,
    FT_CLOSE = 0x1c,
    FT_CLOSE_APP = 0x1d
};

/* RFC 9000 19.3: Largest Acknowledged, ACK Delay, ACK Range Count, First ACK
 * Range, ACK Range (..) of Gap and Length, then ECN Counts for 0x03. */
static enum status ack(struct cursor *c, bool ecn)
{
    uint64_t v, ranges;
    TRY(quic_varint(c, &v));
    TRY(quic_varint(c, &v));
    TRY(quic_varint(c, &ranges));
    TRY(quic_varint(c, &v));
    /* each range takes at least 2 bytes: a count past that is malformed */
    ENSURE(ranges <= cur_left(c) / 2, ST_MALFORMED);
    for (uint64_t i = 0; i < ranges; i++) {
        TRY(quic_varint(c, &v));
        TRY(quic_varint(c, &v));
    }
    for (int i = 0; ecn && i < 3; i++)
        TRY(quic_varint(c, &v));
    return ST_OK;
}

enum status quic_frames_walk(struct cursor payload, const struct quic_frame_sink *sink)
{
    while (cur_left(&payload) > 0) {
        uint64_t type;
        TRY(quic_varint(&payload, &type));
        switch (type) {
        case FT_PADDING:
        case FT_PING:
            break;
        case FT_ACK:
        case FT_ACK_ECN:
            TRY(ack(&payload, type == FT_ACK_ECN));
            break;
        case FT_CRYPTO: {
            /* RFC 9000 19.6: Offset, Length, Crypto Data */
            uint64_t off, len;
            struct slice data;
            TRY(quic_varint(&payload, &off));
            TRY(quic_varint(&payload, &len));
            ENSURE(len <= cur_left(&payload), ST_TRUNCATED);
            TRY(cur_take(&payload, (size_t)len, &data));
            if (sink->crypto != NULL)
                sink->crypto(sink->ud, off, data);
            break;
        }
        case FT_CLOSE:
        case FT_CLOSE_APP: {
            /* RFC 9000 19.19: Error Code, [Frame Type], Reason Phrase Length, Reason */
            struct quic_close_frame f = {.application = type == FT_CLOSE_APP};
            uint64_t len;
            TRY(quic_varint(&payload, &f.code));
            if (!f.application)
                TRY(quic_varint(&payload, &f.frame_type));
            TRY(quic_varint(&payload, &len));
            ENSURE(len <= cur_left(&payload), ST_TRUNCATED);
            TRY(cur_take(&payload, (size_t)len, &f.reason));
            if (sink->close != NULL)
                sink->close(sink->ud, &f);
            break;
        }
        default:
            return ST_UNSUPPORTED;
        }
    }
    return ST_OK;
}

const char *quic_transport_error_name(uint64_t code)
{
    /* RFC 9000 20.1, RFC 9368 (VERSION_NEGOTIATION_ERROR) */
    static const char *const names[] = {
        [0x00] = "NO_ERROR",
        [0x01] = "INTERNAL_ERROR",
        [0x02] = "CONNECTION_REFUSED",
        [0x03] = "FLOW_CONTROL_ERROR",
        [0x04] = "STREAM_LIMIT_ERROR",
        [0x05] = "STREAM_STATE_ERROR",
        [0x06] = "FINAL_SIZE_ERROR",
        [0x07] = "FRAME_ENCODING_ERROR",
        [0x08] = "TRANSPORT_PARAMETER_ERROR",
        [0x09] = "CONNECTION_ID_LIMIT_ERROR",
        [0x0a] = "PROTOCOL_VIOLATION",
        [0x0b] = "INVALID_TOKEN",
        [0x0c] = "APPLICATION_ERROR",
        [0x0d] = "CRYPTO_BUFFER_EXCEEDED",
        [0x0e] = "KEY_UPDATE_ERROR",
        [0x0f] = "AEAD_LIMIT_REACHED",
        [0x10] = "NO_VIABLE_PATH",
        [0x11] = "VERSION_NEGOTIATION_ERROR",
    };
    if (code < sizeof names / sizeof names[0])
        return names[code];
    return NULL;
}
