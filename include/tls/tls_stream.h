/* tls_stream.h: the TLS record layer over one direction's reassembled bytes.
 * Records are followed by their headers; only handshake bytes are buffered
 * (capped), alerts and ChangeCipherSpec are read, everything else is skipped
 * as it streams past, so the cost does not grow with the payload. Around it:
 * handshake_buffer.h assembles messages, record_decrypt.h opens TLS 1.3
 * records with a key log, sslv2.h reads SSLv2-format records and
 * proxy_header.h skips a load balancer's PROXY header. */
#ifndef TLSX_TLS_STREAM_H
#define TLSX_TLS_STREAM_H

#include <stdbool.h>
#include <stdint.h>
#include "util/capbuf.h"
#include "facts/conn.h"
#include "tls/plaintext.h"

#define TLS_MAX_HANDSHAKE_BYTES (256 * 1024)
/* RFC 5246 6.2.3: ciphertext may exceed 2^14 by up to 2048 bytes */
#define TLS_MAX_RECORD_LEN (16384 + 2048)

struct keylog;
struct tls_transcript;
struct tls_decrypt; /* decryption state of one direction (record_decrypt.c) */

/* ContentType of a record (RFC 8446 5.1; heartbeat: RFC 6520) */
enum tls_content_type {
    CT_CHANGE_CIPHER_SPEC = 20,
    CT_ALERT = 21,
    CT_HANDSHAKE = 22,
    CT_APPLICATION_DATA = 23,
    CT_HEARTBEAT = 24
};

/* How far TLS 1.3 decryption of a direction got (record_decrypt.h). */
enum dec_phase {
    DEC_UNTRIED = 0, /* no type 23 record yet */
    DEC_HANDSHAKE,   /* opening with the handshake traffic keys */
    DEC_APPLICATION, /* after the sender's Finished: traffic secret 0, then updates */
    DEC_TLS12,       /* TLS <= 1.2, after the sender's ChangeCipherSpec: every record */
    DEC_OFF          /* not decrypting (no keys, or stopped) */
};

enum tls_state {
    TLS_START,      /* nothing seen yet */
    TLS_RECORDS,    /* following TLS records */
    TLS_SSLV2,      /* an SSLv2 session: records are not followed */
    TLS_NOT_TLS,    /* the stream is something else */
    TLS_LOST        /* a gap or bad header: waiting for a record boundary */
};

struct tls_stream {
    enum tls_state state;
    uint8_t hdr[5];
    uint8_t hdr_have;
    uint8_t rtype;
    uint16_t rversion, rlen, rleft;
    uint8_t body[2];          /* alert or ChangeCipherSpec body */
    uint8_t body_have;
    bool encrypted;           /* this side sent ChangeCipherSpec */
    bool ccs_maybe_dummy;     /* a CCS that may be TLS 1.3's: decided by what follows */
    struct capbuf hs;         /* handshake message bytes waiting to complete */
    uint64_t hs_first_frame;  /* frame of the first byte waiting in hs */
    uint64_t hs_last_frame;
    uint32_t hs_segments;
    uint32_t hs_skip;         /* bytes of an oversized message still to pass */
    struct capbuf v2;         /* an SSLv2-format hello record */
    uint16_t v2_len;
    enum dec_phase dec_phase; /* decryption with a key log */
    struct tls_decrypt *dec;  /* allocated only while decrypting */
    struct plain_reader plain; /* plain text before TLS, or instead of it */
    struct tls_transcript *transcript; /* the connection's, or NULL: borrowed */
    /* the client's: a ClientHello decrypted under the first keys starts a
     * renegotiation (RFC 5246 7.4.1.2); the next ChangeCipherSpecs switch
     * to keys from its random */
    uint8_t reneg_random[32];
    uint64_t reneg_frame;     /* 0: none */
};

struct tls_conn_state {
    struct tls_stream dir[2]; /* indexed by enum side */
    const struct keylog *keylog; /* --keylog, or NULL: borrowed */
    struct tls_transcript *transcript; /* handshake hashes, only with a key log */
};

/* What a stream's first bytes are, read through the cursor: a ClientHello
 * or ServerHello record (TLS or SSLv2 format), or something else. Used to
 * tell the roles when no SYN did, and to find TLS after STARTTLS. */
enum tls_hello { TLS_HELLO_NONE, TLS_HELLO_CLIENT, TLS_HELLO_SERVER };
enum tls_hello tls_sniff_hello(const uint8_t *p, size_t n, bool sslv2_too);

void tls_init(struct tls_conn_state *t);
/* The key log to decrypt with (NULL: none); when it is in use at the
 * connection's first bytes, the handshake messages are hashed so that
 * decrypted Finished messages can be checked. */
void tls_use_keylog(struct tls_conn_state *t, const struct keylog *k);
void tls_feed(struct tls_conn_state *t, struct conn *c, enum side from, const uint8_t *p,
              size_t n, uint64_t frame, struct tstamp ts);
void tls_gap(struct tls_conn_state *t, struct conn *c, enum side from, uint64_t missing,
             uint64_t frame);
void tls_free(struct tls_conn_state *t);

#endif
