/* fuzz_quic.c: one QUIC connection fed hostile datagrams: the input is a
 * list of { uint16 length, uint8 side, bytes } records (fuzz/seeds.py quic
 * makes them from the UDP of the captures). The first datagram is also
 * offered to the sniffer that decides whether a flow is QUIC. A record whose
 * side byte has bit 1 set is the plaintext of an opened packet instead (bit 2:
 * of the Handshake space), so that mutations reach the frames, the CRYPTO
 * reassembly and the handshake decoders behind the AEAD. */
#include <stddef.h>
#include <stdint.h>
#include "facts/conn.h"
#include "quic/session.h"
#include "util/cursor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct conn *c = conn_new(1);
    if (c == NULL)
        return 0;
    struct quic_session s;
    if (quic_session_init(&s, c) != ST_OK) {
        conn_free(c);
        return 0;
    }
    struct cursor in = cur_make(data, size);
    struct tstamp ts = {1, 0};
    uint64_t frame = 1;
    for (;;) {
        uint16_t len;
        uint8_t side;
        struct slice d;
        if (cur_u16(&in, &len) != ST_OK || cur_u8(&in, &side) != ST_OK)
            break;
        if (cur_take(&in, len <= cur_left(&in) ? len : cur_left(&in), &d) != ST_OK)
            break;
        enum side from = side & 1 ? SIDE_SERVER : SIDE_CLIENT;
        if (side & 2) {
            quic_session_frames(&s, c, from, side & 4 ? QUIC_SPACE_HANDSHAKE : QUIC_SPACE_INITIAL,
                                d, frame++, ts);
            continue;
        }
        if (frame == 1)
            (void)quic_sniff_initial(d);
        if (quic_session_datagram(&s, c, from, d, frame++, ts) != ST_OK)
            break;
        ts.nsec += 1000;
    }
    quic_session_free(&s);
    conn_free(c);
    return 0;
}
