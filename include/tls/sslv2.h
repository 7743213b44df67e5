/* sslv2.h: SSLv2-format records (RFC 5246 E.2; SSL 2.0, RFC 6176): a
 * CLIENT-HELLO in the compatibility format some TLS clients still send, or a
 * genuine SSLv2 SERVER-HELLO and CLIENT-MASTER-KEY. What follows a genuine
 * SSLv2 hello is encrypted and not followed. */
#ifndef TLSX_SSLV2_H
#define TLSX_SSLV2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "facts/conn.h"
#include "tls/tls_stream.h"

/* A stream that starts with an SSLv2 record this side may send: s now
 * collects it (TLS_SSLV2). False, and s untouched, for anything else. */
bool tls_sslv2_start(struct tls_stream *s, const struct conn *c, enum side from,
                     const uint8_t *p, size_t n);
/* Bytes of the SSLv2 record being collected; returns how many it took. */
size_t tls_sslv2_bytes(struct tls_stream *s, struct conn *c, enum side from,
                       const uint8_t *p, size_t n, uint64_t frame, struct tstamp ts);

#endif
