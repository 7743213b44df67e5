/* handshake_buffer.h: handshake messages assembled from the records that
 * carry them: a message may span records and a record hold several (RFC 8446
 * 5.1, RFC 5246 6.2.1). Each complete message goes to the decoders
 * (handshake.h); the bytes waiting are capped (TLS_MAX_HANDSHAKE_BYTES). */
#ifndef TLSX_HANDSHAKE_BUFFER_H
#define TLSX_HANDSHAKE_BUFFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "facts/conn.h"
#include "tls/tls_stream.h"

/* n bytes of handshake records from one side; decrypted: opened with a key
 * log (TLS 1.3), which the messages they hold are marked with. */
void tls_handshake_bytes(struct tls_stream *s, struct conn *c, enum side from,
                         const uint8_t *p, size_t n, uint64_t frame, struct tstamp ts,
                         bool decrypted);

#endif
