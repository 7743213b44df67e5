/* facts_codec.h: a connection's facts, and a capture's context, as bytes
 * (--facts), so that --merge --context batch can judge them again exactly
 * as one run over every capture would. The bytes name the layout of the
 * build that wrote them; another layout is refused, never guessed at.
 * Decoding is hostile-safe: every count, length and enum is checked
 * against its bound before anything reads it. */
#ifndef TLSX_REPORT_FACTS_CODEC_H
#define TLSX_REPORT_FACTS_CODEC_H

#include <stddef.h>
#include <stdint.h>
#include "facts/conn.h"
#include "rules/rules.h"
#include "util/capbuf.h"
#include "util/status.h"

/* Encoded facts of one connection: a few hundred bytes for most. */
#define FACTS_MAX_BYTES (CONN_MAX_CERT_BYTES + (64u << 10))

/* The facts a rule or a reporter reads, not the diagnosis. */
MUST_USE enum status facts_encode_conn(const struct conn *c, struct capbuf *out);
/* A new connection from bytes facts_encode_conn wrote; ST_MALFORMED for
 * anything else (including another build's layout). */
MUST_USE enum status facts_decode_conn(const uint8_t *p, size_t n, struct conn **out);

/* Both connections are flat (conn_is_flat) and every fact the encoding
 * holds agrees: decoding either one's encoding gives the same connection. */
bool facts_same_flat(const struct conn *a, const struct conn *b);

/* A capture's own context (its servers, before any batch folding). */
MUST_USE enum status facts_encode_ctx(const struct rule_ctx *ctx, struct capbuf *out);
/* Into ctx, empty and not frozen. */
MUST_USE enum status facts_decode_ctx(const uint8_t *p, size_t n, struct rule_ctx *ctx);

#endif
