/* keylog.h: an NSS key log (the SSLKEYLOGFILE format written by browsers,
 * curl, OpenSSL's -keylogfile, GnuTLS and others): TLS 1.3 traffic secrets
 * and TLS 1.0-1.2 master secrets by client random, so that tls_stream.c can
 * decrypt the handshake.
 *
 *     # comment
 *     CLIENT_HANDSHAKE_TRAFFIC_SECRET <client_random: 64 hex> <secret: hex>
 *     CLIENT_RANDOM <client_random: 64 hex> <master_secret: 96 hex>
 *
 * The file is the user's, but it is still input: a line that does not follow
 * the format is skipped and counted, and the lines and the table are capped. */
#ifndef TLSX_KEYLOG_H
#define TLSX_KEYLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "util/status.h"

/* The secrets kept; others (EXPORTER_SECRET, the early traffic secret, RSA
 * pre-master lines) are valid lines that are counted and ignored. */
enum keylog_secret {
    KEYLOG_CLIENT_HANDSHAKE = 0, /* CLIENT_HANDSHAKE_TRAFFIC_SECRET */
    KEYLOG_SERVER_HANDSHAKE,     /* SERVER_HANDSHAKE_TRAFFIC_SECRET */
    KEYLOG_CLIENT_TRAFFIC_0,     /* CLIENT_TRAFFIC_SECRET_0 */
    KEYLOG_SERVER_TRAFFIC_0,     /* SERVER_TRAFFIC_SECRET_0 */
    KEYLOG_MASTER_SECRET,        /* CLIENT_RANDOM: the TLS 1.0-1.2 master secret */
    KEYLOG_SECRETS
};

#define KEYLOG_RANDOM_LEN 32
#define KEYLOG_MAX_SECRET 48        /* SHA-384, the longest TLS 1.3 hash */
#define KEYLOG_MAX_LINE 1024        /* longer lines are skipped as malformed */
#define KEYLOG_MAX_ENTRIES (1u << 18) /* client randoms kept (about 60 MB) */

struct keylog_entry {
    uint8_t client_random[KEYLOG_RANDOM_LEN];
    uint8_t secret_len[KEYLOG_SECRETS]; /* 0: not in the log */
    uint8_t secret[KEYLOG_SECRETS][KEYLOG_MAX_SECRET];
};

struct keylog_counts {
    uint64_t lines;      /* every line, comments and blank ones included */
    uint64_t secrets;    /* lines whose secret was kept */
    uint64_t ignored;    /* well-formed lines with a label not used here */
    uint64_t malformed;  /* lines skipped: bad label, hex, length or too long */
    uint64_t dropped;    /* secrets not kept: the table was full */
    uint64_t randoms;    /* distinct client randoms in the table */
};

struct keylog;

struct keylog *keylog_new(void);
/* Bytes of a key log, split anywhere: complete lines are parsed as they come.
 * Only ST_NOMEM is an error; bad lines are counted. */
MUST_USE enum status keylog_feed(struct keylog *k, const uint8_t *p, size_t n);
/* The last line, when the file does not end with a newline. */
MUST_USE enum status keylog_finish(struct keylog *k);
/* Reads a whole file: ST_IO when it cannot be read, ST_NOMEM. */
MUST_USE enum status keylog_load(const char *path, struct keylog **out);
/* Reads a whole file into an existing log (several --keylog files make one
 * table): ST_IO when it cannot be read, ST_NOMEM. */
MUST_USE enum status keylog_load_into(struct keylog *k, const char *path);
/* A log searched after this one when it has no entry for a client random
 * (the secrets embedded in a capture, then the --keylog files); borrowed. */
void keylog_set_fallback(struct keylog *k, const struct keylog *next);

/* --key: a server's RSA private key (PEM), kept with the key log; at most
 * KEYLOG_MAX_SERVER_KEYS. ST_IO: unreadable; ST_UNSUPPORTED: not an RSA key. */
#define KEYLOG_MAX_SERVER_KEYS 16
MUST_USE enum status keylog_add_server_key(struct keylog *k, const char *path);
/* Whether this log or a fallback was given anything: key log bytes (a
 * --keylog file, even an empty one; a capture's embedded secrets, which may
 * arrive mid-capture) or a --key. A log not in use decrypts nothing and says
 * nothing of missing keys, as no log at all. NULL is not in use. */
bool keylog_in_use(const struct keylog *k);
/* Whether any --key was given (here or in a fallback). */
bool keylog_has_server_keys(const struct keylog *k);
/* What a server key did for an RSA key exchange. */
enum keylog_rsa_result {
    KEYLOG_RSA_NO_KEYS,        /* no --key at all */
    KEYLOG_RSA_NO_MATCH,       /* no key matches the certificate's public key */
    KEYLOG_RSA_FAILED,         /* it matches, but the pre-master does not decrypt */
    KEYLOG_RSA_OK
};
/* RFC 5246 7.4.7.1: the pre-master secret of an RSA key exchange, with the
 * key (of this log or its fallbacks) whose public key is the certificate's
 * (DER). */
enum keylog_rsa_result keylog_rsa_premaster(const struct keylog *k, const uint8_t *cert_der,
                                            size_t cert_len, const uint8_t *enc,
                                            size_t enc_len, uint8_t premaster[48]);
/* The secrets logged for a client random, or NULL. */
const struct keylog_entry *keylog_find(const struct keylog *k,
                                       const uint8_t random[KEYLOG_RANDOM_LEN]);
void keylog_get_counts(const struct keylog *k, struct keylog_counts *out);
void keylog_free(struct keylog *k);

#endif
