/* crypto_stream.h: the bytes of CRYPTO frames of one direction and one
 * packet number space, put back in order whatever order they arrive in
 * (RFC 9000 19.6, 7.5), in a buffer with a cap. */
#ifndef TLSX_QUIC_CRYPTO_STREAM_H
#define TLSX_QUIC_CRYPTO_STREAM_H

#include <stdbool.h>
#include <stdint.h>
#include "util/cursor.h"
#include "util/status.h"

/* RFC 9000 7.5: an endpoint must buffer at least 4096 bytes out of order;
 * a ClientHello with a post-quantum key share and a long certificate chain
 * stay well under this. */
#define QUIC_CRYPTO_MAX (64 * 1024)
#define QUIC_CRYPTO_RANGES 32

struct quic_crypto {
    uint8_t *buf;              /* QUIC_CRYPTO_MAX bytes, allocated on first data */
    uint64_t contiguous;       /* bytes from offset 0 all received */
    uint64_t consumed;         /* bytes the reader has taken */
    struct { uint64_t start, end; } ranges[QUIC_CRYPTO_RANGES]; /* beyond contiguous */
    unsigned n_ranges;
    bool overflow;             /* data past the cap (or too scattered) was dropped */
    /* bytes a shared pool still lends to buffers (the connection table's, so
     * that a flood of connections cannot take memory without bound), or NULL:
     * no pool; a buffer the pool cannot pay for is not made (overflow) */
    size_t *budget;
};

/* Stores data at its offset; what repeats bytes already held is harmless. */
MUST_USE enum status quic_crypto_add(struct quic_crypto *s, uint64_t offset, struct slice data);
/* The in-order bytes not yet consumed. */
struct cursor quic_crypto_ready(const struct quic_crypto *s);
void quic_crypto_consume(struct quic_crypto *s, size_t n);
/* Frees the buffer when every byte received was consumed and nothing waits
 * out of order: a finished ClientHello holds no memory (more data later gets
 * a new buffer). */
void quic_crypto_release_idle(struct quic_crypto *s);
/* Frees the buffer and starts over (the budget pointer stays). */
void quic_crypto_free(struct quic_crypto *s);

#endif
