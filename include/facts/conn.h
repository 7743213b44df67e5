/* conn.h: the facts about one TCP connection and the TLS inside it.
 * Parsing fills these in; rules read them; reporters print them. Nothing in
 * here decides anything. Lists are capped; a count past the cap is kept. */
#ifndef TLSX_CONN_H
#define TLSX_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "capture/packet.h"

enum side { SIDE_CLIENT = 0, SIDE_SERVER = 1 };

struct quic_facts;

#define CH_MAX_SUITES 256
#define CH_MAX_EXTS 64
#define CH_MAX_LIST 64
#define CH_MAX_VERSIONS 16
/* QUIC interop clients offer every draft version of h3 and hq: 18 in one corpus trace */
#define CH_MAX_ALPN 32
#define ALPN_MAX_LEN 64
#define SNI_MAX_LEN 256
#define CONN_MAX_MESSAGES 48
#define CONN_MAX_ALERTS 8
#define CONN_MAX_CERTS 10
#define CONN_MAX_CERT_BYTES (64 * 1024)

struct u16_list {
    uint16_t v[CH_MAX_LIST];
    uint16_t n;      /* kept */
    uint16_t total;  /* seen */
};

/* encrypted_client_hello in a ClientHello (RFC 9849 5): what an observer
 * reads of the outer hello. A GREASE offer (RFC 9849 6.2) has the same shape:
 * only the server's answer tells them apart. */
struct ech_offer {
    bool present;
    uint8_t type;              /* 0 outer, 1 inner (RFC 9849 5) */
    uint16_t kdf_id, aead_id;  /* HPKE (RFC 9180 7.2, 7.3) */
    uint8_t config_id;
    uint16_t enc_len, payload_len;
};

struct client_hello {
    bool present;
    bool sslv2_format;         /* SSLv2-compatible record (RFC 5246 E.2) */
    uint32_t sslv2_kinds[16];  /* SSLv2-only cipher kinds offered (kept) */
    uint8_t n_sslv2_kinds, total_sslv2_kinds;
    uint64_t frame;            /* frame holding its last byte */
    uint64_t first_frame;      /* frame holding its first byte */
    uint32_t segments;         /* TCP segments it spanned (QUIC: datagrams) */
    bool quic;                 /* carried in QUIC Initial packets (RFC 9001 4) */
    struct tstamp ts;
    uint32_t length;           /* handshake message length, header included */
    uint16_t record_version;
    uint16_t legacy_version;
    uint8_t random[32];        /* finds the TLS 1.3 secrets in a key log */
    uint8_t session_id_len;
    uint8_t session_id[32];
    uint16_t suites[CH_MAX_SUITES];
    uint16_t n_suites, total_suites;
    uint16_t exts[CH_MAX_EXTS];
    uint16_t n_exts, total_exts;
    struct u16_list versions;  /* supported_versions */
    struct u16_list groups;    /* supported_groups */
    struct u16_list sigalgs;   /* signature_algorithms */
    struct u16_list key_shares;
    uint16_t key_share_bytes;  /* sum of key_exchange lengths: post-quantum shares are large */
    uint16_t key_share_len[CH_MAX_LIST]; /* each share's key_exchange length, as key_shares */
    struct ech_offer ech;
    bool has_sni;
    char sni[SNI_MAX_LEN];     /* raw bytes, NUL-free; the reporter escapes */
    uint16_t sni_len;
    uint8_t n_alpn;
    char alpn[CH_MAX_ALPN][ALPN_MAX_LEN];
    uint8_t alpn_len[CH_MAX_ALPN];
    bool fallback_scsv;        /* TLS_FALLBACK_SCSV 0x5600 offered */
    bool reneg_scsv;
    bool has_psk, has_early_data, has_session_ticket;
    bool malformed;            /* the decoder gave up part way */
    char ja4[40];
};

struct server_hello {
    bool present;
    bool hello_retry;          /* a HelloRetryRequest was seen (first) */
    uint64_t frame, hrr_frame;
    struct tstamp ts;
    uint16_t legacy_version;
    uint8_t random[32];        /* with the client's: the TLS <= 1.2 key block */
    uint16_t version;          /* negotiated: supported_versions when present */
    uint16_t suite;
    uint8_t compression;
    uint8_t session_id_len;
    bool resumed;              /* TLS <= 1.2 echoed session id, or TLS 1.3 pre_shared_key */
    uint16_t exts[CH_MAX_EXTS];
    uint16_t n_exts;
    uint16_t key_share_group;  /* TLS 1.3 */
    uint16_t hrr_group;
    bool has_alpn;
    char alpn[ALPN_MAX_LEN];
    uint8_t alpn_len;
    bool downgrade_sentinel;   /* RFC 8446 4.1.3 DOWNGRD */
    bool hrr_ech;              /* the HelloRetryRequest confirmed ECH (RFC 9849 7.2.1) */
    bool ee_seen;              /* EncryptedExtensions read (decrypted) */
    bool ech_retry;            /* ... with retry_configs: ECH not used (RFC 9849 7.1) */
    uint8_t ech_retry_count;   /* ECHConfigs in them */
    bool ech_retry_has_id;
    uint8_t ech_retry_config_id;  /* of the first version 0xfe0d config */
    bool sslv2;                /* an SSLv2 SERVER-HELLO */
    uint32_t sslv2_cipher;     /* cipher kind of the CLIENT-MASTER-KEY, 0 if unseen */
};

/* ServerKeyExchange and ClientKeyExchange, as far as they are visible. */
struct key_exchange {
    bool ske_present;
    uint64_t ske_frame;
    bool dhe;                  /* finite-field DH parameters */
    uint16_t dh_p_len, dh_g_len, dh_ys_len;
    bool dh_ys_leading_zero;   /* Ys shorter than p, or starting with 0x00 */
    bool ecdhe;
    uint16_t ec_group;
    uint16_t ske_sigalg;       /* TLS 1.2 signature scheme in the SKE; 0 if none */
    bool cke_present;
    uint64_t cke_frame;
    uint16_t cke_len;          /* public value or encrypted premaster length */
    bool rsa_kx;               /* an RSA key exchange: the server's key opens it */
    /* the encrypted pre-master (RSA up to 4096 bits): on the heap, as few
     * connections have one and every tracked connection carries this struct */
    uint8_t *rsa_premaster;
    bool dh_yc_leading_zero;
};

#define RSA_PREMASTER_MAX 512 /* bytes: a 4096-bit RSA key's ciphertext */

struct cert_der {
    uint32_t off, len;         /* into conn->cert_bytes */
};

struct cert_msg {
    bool present;
    uint64_t frame;
    uint16_t count;            /* certificates in the message (may exceed kept) */
    uint16_t kept;
    struct cert_der der[CONN_MAX_CERTS];
};

struct alert {
    uint64_t frame;
    struct tstamp ts;
    enum side from;
    bool encrypted;            /* description not visible */
    bool decrypted;            /* read by decrypting with a key log */
    uint8_t level, description;
    uint16_t record_len;       /* for size heuristics on encrypted alerts */
};

struct message {
    uint64_t frame;
    struct tstamp ts;
    enum side from;
    uint16_t type;             /* handshake type (0-255) or a MSG_* pseudo type */
    bool encrypted;            /* "Encrypted Handshake Message": type unknown */
    bool decrypted;            /* read by decrypting with a key log */
};

/* Pseudo message types, for the ladder: records that are not handshake messages. */
enum {
    MSG_CHANGE_CIPHER_SPEC = 0x100,
    MSG_ENCRYPTED_RECORDS = 0x101,  /* TLS 1.3: encrypted flight (type 23 records) */
    MSG_SSLV2_CLIENT_HELLO = 0x102,
    MSG_SSLV2_SERVER_HELLO = 0x103,
    MSG_SSLV2_CLIENT_MASTER_KEY = 0x104
};

/* Decryption with a key log (--keylog), per direction: TLS 1.3 from its
 * traffic secrets, TLS 1.0-1.2 from the master secret. */
enum decrypt_status {
    DECRYPT_NONE = 0,          /* not tried: no key log, nothing encrypted */
    DECRYPT_NO_KEYS,           /* the key log has no secret for this side (or no ClientHello) */
    DECRYPT_UNSUPPORTED,       /* a cipher suite that cannot be decrypted */
    DECRYPT_OK,                /* every record tried opened */
    DECRYPT_FAILED,            /* a record did not authenticate: wrong keys */
    DECRYPT_INTERRUPTED,       /* a gap or an oversized record: stopped there */
    DECRYPT_FORWARD_SECRET     /* --key given, but the key exchange is (EC)DHE: the
                                * server's key cannot recover its secret (RFC 5246 F.1.1.3) */
};

/* A decrypted TLS <= 1.2 Finished checked against the handshake messages
 * and the key log's master secret (RFC 5246 7.4.9). */
enum finished_check {
    FINISHED_UNCHECKED = 0,
    FINISHED_VERIFIED,         /* verify_data matches: this side had that master secret */
    FINISHED_MISMATCH          /* it opened but verify_data differs: another transcript */
};

/* The plain verdict on a connection, decided from its facts alone (rules/verdict.c):
 * did the handshake finish, fail, or can the capture not tell? */
enum verdict {
    VERDICT_OK = 0,
    VERDICT_FAILED,
    VERDICT_INCOMPLETE,
    VERDICT_NOT_TLS,
    VERDICT_TCP_ONLY  /* no payload at all: TLS or not, the capture cannot say */
};

struct diagnosis; /* what the rule engine concludes (rules/diagnosis.h) */

/* Protocols seen in plain text on a connection (tls/plaintext.c). */
enum plain_protocol {
    PLAIN_NONE = 0,
    PLAIN_HTTP,
    PLAIN_SMTP,
    PLAIN_IMAP,
    PLAIN_POP3,
    PLAIN_FTP,
    PLAIN_POSTGRES
};

/* What the plain text before TLS, or instead of it, says. */
struct plain_text {
    uint8_t protocol;           /* enum plain_protocol */
    uint64_t request_frame;     /* the client asked to start TLS: STARTTLS, STLS,
                                 * AUTH TLS, a PostgreSQL SSLRequest */
    uint64_t reply_frame;       /* the server's answer to that request */
    bool refused;               /* ... a refusal: SMTP/FTP 4xx-5xx, IMAP NO/BAD,
                                 * POP3 -ERR, PostgreSQL 'N' */
    char reply[64];             /* its first line, raw bytes: the reporter escapes */
    uint8_t reply_len;
    uint64_t capabilities_frame; /* an EHLO, CAPA or CAPABILITY answer ended */
    bool offered;               /* ... and it listed the upgrade */
    bool client_went_on;        /* the client sent commands beyond greeting,
                                 * capabilities and QUIT: it meant plain text */
    uint16_t http_status;       /* the status of the server's first HTTP answer */
    uint64_t names_tls_frame;   /* ... a 4xx whose text names HTTPS, SSL or TLS */
};

/* Per-direction transport and record facts. */
struct side_facts {
    uint64_t syn_frame;
    uint32_t syn_count;        /* retransmitted SYNs show as >1 */
    uint64_t fin_frame, rst_frame;
    struct tstamp fin_ts, rst_ts;
    uint64_t bytes;            /* payload bytes delivered in order */
    uint64_t first_data_frame;
    struct tstamp first_data_ts;
    uint64_t last_frame;
    uint32_t gaps;             /* holes the capture missed */
    uint64_t gap_frame;        /* first frame after the first hole */
    uint64_t gap_bytes;
    uint32_t cut_segments;     /* payloads cut by the snap length */
    /* What TCP shows of loss (RFC 9293 3.10, RFC 2018, RFC 5681 2): */
    uint32_t retransmits;      /* segments carrying only bytes this side had sent */
    uint64_t retx_frames[8];   /* the first of them, in order */
    struct tstamp retx_ts[8];
    uint64_t lost_first_frame; /* the first sending of the bytes retransmitted first */
    struct tstamp lost_first_ts;
    uint64_t unacked_bytes;    /* sent, never acknowledged by the peer in the capture */
    uint64_t acked_unseen;     /* the peer acknowledged bytes of this side the capture missed */
    uint64_t unseen_sent;      /* bytes its FIN or RST's sequence number says it had sent,
                                * which neither the capture nor the peer's ACKs show:
                                * lost before the capture point */
    uint64_t unseen_frame;     /* that FIN or RST */
    uint32_t dup_acks;         /* this side's duplicate ACKs (RFC 5681 2) */
    uint32_t sacks;            /* this side's segments with SACK blocks (RFC 2018) */
    uint64_t sack_frame;       /* the first of them */
    uint32_t sack_left, sack_right; /* its first block, relative to the peer's first byte */
    uint8_t ttl_min, ttl_max;  /* IP TTL / hop limit of this side's packets */
    uint64_t ccs_frame;
    uint64_t encrypted_hs_frame;   /* first encrypted handshake record (Finished) */
    uint64_t appdata_frame;        /* first application_data record */
    struct tstamp appdata_ts;
    uint32_t appdata_records;
    /* the first application_data records: in TLS 1.3 their sizes tell a
     * Finished (53+) from an alert (19) and a ticket from data */
    uint16_t appdata_len[8];
    uint64_t appdata_frames[8];
    uint32_t records;
    bool not_tls;                  /* bytes that are no TLS record */
    uint8_t first_bytes[16];       /* what a non-TLS stream starts with */
    uint8_t first_bytes_len;
    uint64_t not_tls_frame;
    uint64_t starttls_frame;       /* TLS began after plain text (STARTTLS) */
    bool proxy_header;             /* a PROXY protocol header came first */
    bool malformed;                /* a record or message broke the grammar */
    char malformed_what[64];
    bool handshake_overflow;       /* handshake bytes beyond the cap were dropped */
    uint8_t decrypt;               /* enum decrypt_status */
    uint32_t decrypted_records;
    uint64_t decrypt_stop_frame;   /* where DECRYPT_FAILED or _INTERRUPTED happened */
    uint8_t finished_check;        /* enum finished_check: a decrypted TLS <= 1.2 Finished */
    uint64_t finished_frame;
    uint8_t app_plain[24];         /* first bytes of the first decrypted application data */
    uint8_t app_plain_len;
    uint64_t app_plain_frame;
};

struct conn {
    uint32_t id;               /* 1-based, in order of first frame */
    struct addr client, server;
    uint16_t client_port, server_port;
    uint64_t first_frame, last_frame;
    struct tstamp start, end;
    bool saw_syn, saw_synack;
    uint64_t synack_frame;
    struct tstamp syn_ts, synack_ts;
    struct tstamp syn_prev_ts, syn_last_ts; /* the client's last two SYNs */
    bool mid_stream;           /* the capture starts after the SYN */
    bool open_at_end;          /* still open when the capture ended */
    /* the client reset this and other connections at one instant (tcp/flow.c):
     * how many, this one included (0: not part of such a burst), and the
     * first and last of those resets */
    uint32_t reset_burst;
    uint64_t burst_first_frame, burst_last_frame;
    struct tstamp burst_first_ts, burst_last_ts;
    struct tstamp capture_end; /* ... the time of the capture's last TCP packet then */
    char app_protocol[24];     /* nDPI's name for a stream that is not TLS */
    bool roles_from_hello;     /* client/server decided by who sent the ClientHello */
    struct side_facts side[2];
    struct plain_text plain;

    /* The first ClientHello, to read; until one is seen an empty one shared
     * by every connection (read-only), so that connections without one cost
     * 2.6 KB less. Writers go through conn_client_hello. */
    const struct client_hello *ch;
    struct client_hello *ch_owned;  /* the same, once allocated: NULL before */
    uint32_t client_hellos;    /* 2 after a HelloRetryRequest */
    struct server_hello sh;
    struct key_exchange kx;
    struct cert_msg server_certs, client_certs;
    bool cert_request;
    uint64_t cert_request_frame;
    bool server_hello_done;
    uint64_t server_hello_done_frame;
    bool new_session_ticket;

    struct message *messages;  /* grown as messages come, up to CONN_MAX_MESSAGES */
    uint16_t n_messages, cap_messages, total_messages;
    struct alert alerts[CONN_MAX_ALERTS];
    uint16_t n_alerts, total_alerts;

    uint8_t *cert_bytes;       /* DER copies, at most CONN_MAX_CERT_BYTES */
    uint32_t cert_bytes_len;

    /* set by verdict.c, the rule engine and the reporters */
    bool chain_checked;        /* the server's chain was checked at capture time */
    uint32_t chain_problems;   /* enum cert_problem bits */
    enum verdict verdict;
    char incomplete_why[128];
    /* The rule engine's conclusion, with the function that frees it: the
     * connection owns it once attached (conn_attach_diagnosis), and its
     * shape is the engine's business, not the facts'. */
    struct diagnosis *diagnosis;
    void (*diagnosis_free)(struct diagnosis *d);
    struct quic_facts *quic;   /* QUIC (quic/facts.h): NULL for TCP; one block, freed here */
};

/* TLS 1.3 and its drafts (0x7fxx) and experiments (0x7exx, 0xfbxx). */
static inline bool version_is_tls13(uint16_t v)
{
    return v == 0x0304 || (v >> 8) == 0x7f || (v >> 8) == 0x7e || (v >> 8) == 0xfb;
}

/* The ServerHello chose TLS 1.3: the rest of the handshake is encrypted. */
static inline bool conn_is_tls13(const struct conn *c)
{
    return c->sh.present && version_is_tls13(c->sh.version);
}

/* Version a connection runs: the ServerHello's choice, else 0. */
static inline uint16_t conn_version(const struct conn *c)
{
    return c->sh.present ? c->sh.version : 0;
}

/* A file's connections in order of first frame, as the driver hands them to
 * the rules and the reporters; a NULL slot is a connection already let go. */
struct conn_slots {
    struct conn *const *v;
    size_t n;
};

struct conn *conn_new(uint32_t id);
/* The connection's own ClientHello, to fill in: allocated on first use (then
 * c->ch is it too); NULL without memory. */
struct client_hello *conn_client_hello(struct conn *c);
/* Hands d to the connection, which frees it with free_fn when it goes or
 * when another diagnosis replaces it. */
void conn_attach_diagnosis(struct conn *c, struct diagnosis *d,
                           void (*free_fn)(struct diagnosis *d));
/* Frees the connection with what it owns, its diagnosis included. */
void conn_free(struct conn *c);
void conn_add_message(struct conn *c, uint64_t frame, struct tstamp ts, enum side from,
                      uint16_t type,
                      bool encrypted);
void conn_add_alert(struct conn *c, const struct alert *a);
/* A record or message from this side broke the grammar: the first such
 * finding is kept (what: a short phrase, cut to fit). */
void conn_mark_malformed(struct conn *c, enum side from, const char *what);
/* Copies a certificate's DER bytes; false when the cap is reached. */
bool conn_keep_cert(struct conn *c, struct cert_msg *m, const uint8_t *der, size_t len);
/* Where and when a connection is, apart from what happened on it: its
 * number, endpoints, frames and times, and the TTLs its packets came with
 * (clients of a storm are as many hops away as they are). Connections that
 * tried the same thing (a storm of SYNs nobody answered) differ only in
 * these, so the held store writes such a connection as its place alone
 * (held_store.c). */
struct conn_place {
    uint32_t id;
    struct addr client, server;
    uint16_t client_port, server_port;
    uint64_t first_frame, last_frame;
    struct tstamp start, end, syn_ts, syn_prev_ts, syn_last_ts, capture_end;
    uint64_t syn_frame[2], side_last_frame[2];
    uint8_t ttl_min[2], ttl_max[2];
};

/* Owns nothing but itself: no ClientHello, messages, certificates, QUIC
 * facts nor diagnosis of its own. */
bool conn_is_flat(const struct conn *c);
/* *out is cleared first: its padding is written out as it is. */
void conn_place_take(const struct conn *c, struct conn_place *out);
void conn_place_give(struct conn *c, const struct conn_place *in);
static inline const char *side_name(enum side s) { return s == SIDE_CLIENT ? "client" : "server"; }

#endif
