/* stream_sink.h: where the flow table sends each connection's reassembled
 * bytes. tcp/ knows TCP only; the driver plugs in the parser of what runs
 * over it (the TLS record layer: tls/tls_sink.h), so that nothing in tcp/
 * includes a stage above it. A zeroed sink parses nothing: the flow table
 * then records TCP facts alone. */
#ifndef TLSX_STREAM_SINK_H
#define TLSX_STREAM_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "facts/conn.h"

/* Which side would send a stream that starts with these bytes. */
enum stream_opener { STREAM_OPENER_UNKNOWN, STREAM_OPENER_CLIENT, STREAM_OPENER_SERVER };

struct stream_sink {
    /* Bytes of per-connection state the flow keeps for the parser (aligned
     * for any type); the parser alone reads them. */
    size_t state_size;
    const void *cfg;  /* the parser's settings for the run, borrowed; given to init */
    void (*init)(void *state, const void *cfg);
    void (*data)(void *state, struct conn *c, enum side from, const uint8_t *p, size_t n,
                 uint64_t frame, struct tstamp ts);
    /* missing bytes the capture did not hold, before frame */
    void (*gap)(void *state, struct conn *c, enum side from, uint64_t missing,
                uint64_t frame);
    /* The roles guessed from port numbers were wrong: what was kept for one
     * side belongs to the other. */
    void (*swap_sides)(void *state);
    /* No more bytes will come: buffers go, the facts stay on the conn. */
    void (*release)(void *state);
    /* Who sends a stream that starts with p: it tells the roles when no SYN
     * did. loose: rarer forms count too (an SSLv2 hello), for a first guess. */
    enum stream_opener (*opener)(const uint8_t *p, size_t n, bool loose);
};

#endif
