/* tls_sink.c: the TLS record layer behind the flow table's stream sink. */
#include "tls/tls_sink.h"
#include "tls/tls_stream.h"

static void sink_init(void *state, const void *cfg)
{
    struct tls_conn_state *t = state;
    tls_init(t);
    tls_use_keylog(t, cfg);
}

static void sink_data(void *state, struct conn *c, enum side from, const uint8_t *p, size_t n,
                      uint64_t frame, struct tstamp ts)
{
    tls_feed(state, c, from, p, n, frame, ts);
}

static void sink_gap(void *state, struct conn *c, enum side from, uint64_t missing,
                     uint64_t frame)
{
    tls_gap(state, c, from, missing, frame);
}

static void sink_swap_sides(void *state)
{
    struct tls_conn_state *t = state;
    struct tls_stream s = t->dir[SIDE_CLIENT];
    t->dir[SIDE_CLIENT] = t->dir[SIDE_SERVER];
    t->dir[SIDE_SERVER] = s;
}

static void sink_release(void *state)
{
    tls_free(state);
}

static enum stream_opener sink_opener(const uint8_t *p, size_t n, bool loose)
{
    switch (tls_sniff_hello(p, n, loose)) {
    case TLS_HELLO_CLIENT:
        return STREAM_OPENER_CLIENT;
    case TLS_HELLO_SERVER:
        return STREAM_OPENER_SERVER;
    case TLS_HELLO_NONE:
        break;
    }
    return STREAM_OPENER_UNKNOWN;
}

struct stream_sink tls_stream_sink(const struct keylog *keylog)
{
    return (struct stream_sink){
        .state_size = sizeof(struct tls_conn_state),
        .cfg = keylog,
        .init = sink_init,
        .data = sink_data,
        .gap = sink_gap,
        .swap_sides = sink_swap_sides,
        .release = sink_release,
        .opener = sink_opener,
    };
}
