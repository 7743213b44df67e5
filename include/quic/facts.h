/* facts.h: what the packets of one QUIC connection show, beside the TLS
 * facts of struct conn (which the same handshake decoders fill in).
 * Parsing fills these in; rules read them. Nothing here decides. */
#ifndef TLSX_QUIC_FACTS_H
#define TLSX_QUIC_FACTS_H

#include <stdbool.h>
#include <stdint.h>
#include "facts/conn.h"
#include "quic/keys.h"

#define QUIC_MAX_VN_VERSIONS 16
#define QUIC_REASON_MAX 64

/* A CONNECTION_CLOSE frame (RFC 9000 19.19) read from a packet we opened. */
struct quic_close_facts {
    bool present;
    enum side from;
    uint64_t frame;
    struct tstamp ts;
    bool application;          /* 0x1d: the application's code */
    uint64_t code;             /* 0x0100 + alert: CRYPTO_ERROR (RFC 9001 4.8) */
    uint64_t frame_type;
    char reason[QUIC_REASON_MAX]; /* raw bytes, NUL-free; the reporter escapes */
    uint8_t reason_len;
};

struct quic_facts {
    uint32_t version;          /* of the client's first Initial */
    uint32_t client_version;   /* of the client's last Initial: differs after negotiation */
    uint32_t server_version;   /* of the server's first long-header packet, 0 if none */
    uint8_t dcid[QUIC_MAX_CID];/* the client's first Destination Connection ID */
    uint8_t dcid_len;
    uint32_t datagrams[2];
    uint32_t initials[2];      /* Initial packets */
    uint32_t opened[2];        /* of which opened with the Initial keys */
    uint32_t unopened[2];      /* Initial packets that did not open */
    uint32_t handshake[2];     /* Handshake packets (their keys come from TLS) */
    uint32_t zero_rtt;
    uint32_t short_packets[2]; /* 1-RTT packets: the handshake got that far */
    uint64_t first_frame[2];   /* first datagram of each side */
    struct tstamp first_ts[2];
    uint64_t last_frame[2];
    struct tstamp last_ts[2];
    uint64_t handshake_frame[2];  /* first Handshake packet */
    uint64_t short_frame[2];      /* first 1-RTT packet */
    bool version_negotiation;  /* the server sent Version Negotiation */
    uint64_t vn_frame;
    struct tstamp vn_ts;
    uint32_t vn_versions[QUIC_MAX_VN_VERSIONS];
    uint8_t n_vn_versions;
    uint32_t vn_retry_conn;    /* the client's next attempt (RFC 9000 6.2), a listed version */
    uint32_t vn_retry_version;
    uint32_t icmp_unreachable; /* ICMP destination unreachable about client datagrams */
    uint64_t icmp_frame;
    uint8_t icmp_type, icmp_code; /* of the first: ICMP 3/3 or ICMPv6 1/4 is "port unreachable" */
    bool icmp_from_server;     /* sent by the server's address, not a router on the way */
    uint32_t fallback_conn;    /* no answer: the client's next TCP connection to the server */
    uint64_t fallback_frame;
    struct tstamp fallback_ts;
    bool fallback_ok;          /* and its TLS handshake succeeded */
    bool retry;                /* the server sent Retry (address validation) */
    uint32_t retries;          /* Retry packets it sent: more than one is a loop */
    /* RFC 9000 8.1: until the client's address is validated (a Handshake
     * packet from it, or a Retry token) the server sends at most three times
     * what it received. UDP payload bytes each side sent until then: */
    uint64_t unvalidated_bytes[2];
    bool amplification_limited; /* the server's last datagram before validation
                                   came within one datagram of the limit, and no
                                   validation followed: it waits for the client */
    uint64_t amplification_frame;
    uint64_t retry_frame;
    uint16_t retry_token_len;  /* the first Retry's token */
    uint64_t token_frame;      /* the client's first Initial after that Retry */
    uint16_t token_len;        /* the token it carried (RFC 9000 17.2.5.2), 0 if none */
    uint64_t retry_again_frame;/* the first Retry after the client's token: not accepted */
    uint16_t retry_again_token_len;
    uint64_t last_retry_frame;
    struct tstamp last_retry_ts;
    uint64_t bytes[2];         /* UDP payload bytes each side sent */
    uint64_t bytes_at_server_last[2]; /* both sides' bytes up to the server's last datagram */
    /* the client's datagrams after the server's last one: nothing answered them */
    uint32_t unanswered;
    uint64_t unanswered_frame; /* the first of them */
    struct tstamp unanswered_ts;
    struct quic_close_facts close; /* the first CONNECTION_CLOSE seen */
    bool encrypted_noted[2];   /* an encrypted flight is in the message list */
    bool crypto_overflow;      /* CRYPTO bytes past the cap were dropped */
    bool malformed;            /* a packet or frame broke the grammar */
};

#endif
