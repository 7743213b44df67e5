/* record_decrypt.h: records opened with a key log (--keylog), for the
 * record layer: which secret opens which record, when the keys change, and
 * what the plaintext holds: TLS 1.3 (RFC 8446 5.2, 7.1-7.3) with
 * tls13_decrypt.h, TLS 1.0-1.2 after each side's ChangeCipherSpec (RFC 5246
 * 6.2.3, 7.1) with tls12_decrypt.h. A direction's state lives in tls_stream.dec, allocated
 * only while decrypting; tls_stream.dec_phase says how far it got. */
#ifndef TLSX_RECORD_DECRYPT_H
#define TLSX_RECORD_DECRYPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "facts/conn.h"
#include "tls/tls_stream.h"

/* A TLS <= 1.2 ChangeCipherSpec from `from`: its later records are
 * protected under the keys from the key log's master secret. */
void tls_dec_ccs(struct tls_conn_state *t, struct tls_stream *s, struct conn *c, enum side from,
                 uint64_t frame);
/* A protected record's header (s->rlen set; type 23, or after a TLS <= 1.2
 * ChangeCipherSpec any type): keep its body for opening, or count it past. */
void tls_dec_record_start(struct tls_conn_state *t, struct tls_stream *s, struct conn *c,
                          enum side from, uint64_t frame);
/* The current record's body is being kept for opening. */
bool tls_dec_buffering(const struct tls_stream *s);
/* Body bytes of the current record (kept when tls_dec_buffering). */
void tls_dec_record_bytes(struct tls_stream *s, struct conn *c, enum side from,
                          const uint8_t *p, size_t n, uint64_t frame);
/* The end of a record: open it when kept and pass on its content. True
 * when it was opened (its content is a fact already). */
bool tls_dec_record_done(struct tls_conn_state *t, struct tls_stream *s, struct conn *c,
                         enum side from, uint64_t frame, struct tstamp ts);
/* A decrypted handshake message of this type (its body) went by: in TLS
 * 1.3 a Finished or a KeyUpdate changes the keys at the record's end; in
 * TLS <= 1.2 a ClientHello starts a renegotiation. */
void tls_dec_saw_message(struct tls_stream *s, uint8_t type, struct cursor body, uint64_t frame);
/* Stops decrypting this direction; why says so on the conn (DECRYPT_OK when
 * the secrets simply end). */
void tls_dec_stop(struct tls_stream *s, struct conn *c, enum side from,
                  enum decrypt_status why, uint64_t frame);
/* Frees and wipes the direction's decryption state, if any. */
void tls_dec_free(struct tls_stream *s);

#endif
