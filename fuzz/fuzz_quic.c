/* fuzz_quic.c: one QUIC connection fed hostile datagrams. The first input
 * byte picks how the rest is cut into datagrams and who sends each; the
 * first datagram is also offered to the sniffer. */
#include <stddef.h>
#include <stdint.h>
#include "facts/conn.h"
#include "quic/session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    struct conn *c = conn_new(1);
    if (c == NULL)
        return 0;
    struct quic_session s;
    if (quic_session_init(&s, c) != ST_OK) {
        conn_free(c);
        return 0;
    }
    uint8_t plan = data[0];
    size_t pos = 1, chunk = 64 + (size_t)(plan & 0x0f) * 100;
    uint64_t frame = 1;
    struct tstamp ts = {1, 0};
    while (pos < size) {
        size_t n = size - pos < chunk ? size - pos : chunk;
        struct slice d = {data + pos, n};
        if (frame == 1)
            (void)quic_sniff_initial(d);
        enum side from = ((plan >> 4) >> (frame % 4)) & 1 ? SIDE_SERVER : SIDE_CLIENT;
        if (quic_session_datagram(&s, c, from, d, frame, ts) != ST_OK)
            break;
        pos += n;
        frame++;
    }
    quic_session_free(&s);
    conn_free(c);
    return 0;
}
