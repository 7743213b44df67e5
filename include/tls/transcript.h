/* transcript.h: the running hashes of a connection's handshake messages
 * (RFC 5246 7.4.9 handshake_messages), kept only with a key log, so that a
 * decrypted SSL 3.0 to TLS 1.2 Finished can be checked: MD5 and SHA-1 for
 * SSL 3.0, TLS 1.0 and 1.1, SHA-256 or SHA-384 for TLS 1.2; the suite
 * decides later which. */
#ifndef TLSX_TRANSCRIPT_H
#define TLSX_TRANSCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tls/ssl3.h"
#include "tls/tls12_prf.h"

#define TRANSCRIPT_MAX_HASH 48 /* SHA-384; MD5 + SHA-1 is 36 */

struct tls_transcript;

struct tls_transcript *transcript_new(void);
/* One whole handshake message: type, 24-bit length and body. */
void transcript_add(struct tls_transcript *t, const uint8_t *msg, size_t n);
/* Hash(handshake_messages so far) for the PRF `h`: MD5 || SHA-1 for
 * PRF_MD5_SHA1 (RFC 2246 7.4.9). False when the hash failed. */
bool transcript_hash(const struct tls_transcript *t, enum tls12_prf_hash h,
                     uint8_t out[TRANSCRIPT_MAX_HASH], size_t *len);
/* SSL 3.0 (RFC 6101 5.6.9): the Finished the client (or the server) must
 * send after the messages so far, under `master`. False when a hash failed. */
bool transcript_ssl3_finished(const struct tls_transcript *t,
                              const uint8_t master[SSL3_MASTER_LEN], bool client,
                              uint8_t out[SSL3_FINISHED_LEN]);
/* RFC 7627 3: the session hash is the hash of the messages up to and
 * including the ClientKeyExchange: marked when it has been added. */
void transcript_mark_session(struct tls_transcript *t);
bool transcript_session_hash(const struct tls_transcript *t, enum tls12_prf_hash h,
                             uint8_t out[TRANSCRIPT_MAX_HASH], size_t *len);
/* Bytes of the handshake were lost (a gap, an oversized message): no hash
 * from now on, so no Finished is judged against a partial transcript. */
void transcript_break(struct tls_transcript *t);
void transcript_free(struct tls_transcript *t);

#endif
