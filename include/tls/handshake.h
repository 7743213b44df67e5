/* handshake.h: decoders for handshake messages. Each reads one message body
 * through a cursor and records what it finds in the connection facts. */
#ifndef TLSX_HANDSHAKE_H
#define TLSX_HANDSHAKE_H

#include "facts/conn.h"
#include "util/cursor.h"

enum hs_type {
    HS_HELLO_REQUEST = 0,
    HS_CLIENT_HELLO = 1,
    HS_SERVER_HELLO = 2,
    HS_HELLO_VERIFY_REQUEST = 3,
    HS_NEW_SESSION_TICKET = 4,
    HS_END_OF_EARLY_DATA = 5,
    HS_ENCRYPTED_EXTENSIONS = 8,
    HS_CERTIFICATE = 11,
    HS_SERVER_KEY_EXCHANGE = 12,
    HS_CERTIFICATE_REQUEST = 13,
    HS_SERVER_HELLO_DONE = 14,
    HS_CERTIFICATE_VERIFY = 15,
    HS_CLIENT_KEY_EXCHANGE = 16,
    HS_FINISHED = 20,
    HS_CERTIFICATE_STATUS = 22,
    HS_KEY_UPDATE = 24
};

enum {
    TLS_VERSION_SSL3 = 0x0300,
    TLS_VERSION_10 = 0x0301,
    TLS_VERSION_11 = 0x0302,
    TLS_VERSION_12 = 0x0303,
    TLS_VERSION_13 = 0x0304
};

struct hs_where {
    uint64_t frame;
    uint64_t first_frame;
    uint32_t segments;         /* TCP segments, or QUIC datagrams when quic */
    struct tstamp ts;
    uint16_t record_version;
    bool quic;                 /* from QUIC CRYPTO frames, not TLS records */
};

/* Decodes one handshake message; a malformed body is recorded on the
 * connection (it is data, not an error) and ST_MALFORMED returned. */
MUST_USE enum status hs_decode(struct conn *c, enum side from, uint8_t type,
                               struct cursor body, const struct hs_where *w);
MUST_USE enum status hs_client_hello(struct conn *c, struct cursor *m, const struct hs_where *w);
MUST_USE enum status hs_sslv2_client_hello(struct conn *c, struct cursor *m,
                                           const struct hs_where *w);
MUST_USE enum status hs_server_hello(struct conn *c, struct cursor *m, const struct hs_where *w);
void ja4_compute(const struct client_hello *ch, char out[40]);

#endif
