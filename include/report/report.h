/* report.h: the reporters. They print facts and findings; they decide nothing. */
#ifndef TLSX_REPORT_H
#define TLSX_REPORT_H

#include <stdbool.h>
#include <stdio.h>
#include "facts/conn.h"

struct cert_cache;

struct report_opts {
    bool all;         /* successful connections too */
    bool verbose;     /* the ladder of messages */
    bool color;
    int width;        /* terminal columns */
    /* decoded certificates by their bytes, shared with the rules (NULL: none) */
    struct cert_cache *certs;
    /* --facts: JSON carries each connection's facts and each capture's
     * context, for --merge --context batch to judge again */
    bool facts;
};

struct file_counts {
    size_t connections, tls, ok, failed, incomplete, not_tls;
};

/* Should this connection be printed at all (TLS, or a failed TCP attempt)? */
bool report_is_tls_attempt(const struct conn *c);
/* The diagnosis id of a failed connection, or NULL (also for a slot let go). */
const char *report_cause(const struct conn *c);

void report_json_connection(FILE *f, const char *file, const struct conn *c,
                            struct cert_cache *certs);
void report_json_error(FILE *f, const char *file, const char *message);
void report_json_certificates(FILE *f, const struct conn *c, struct cert_cache *certs);
void report_json_skipped(FILE *f, const char *file, const char *reason);
void report_json_chain_checks(FILE *f, const struct conn *c);

/* One connection as the text reporter prints it (nothing for an ok one
 * without --all). */
void report_text_connection(FILE *f, const struct conn *c, const struct report_opts *o);
void report_text_error(FILE *f, const char *file, const char *message, bool color);
/* The ladder of one connection (-v). */
void report_ladder(FILE *f, const struct conn *c, const struct report_opts *o);

const char *report_message_name(const struct conn *c, const struct message *m);

/* The first decrypted application data side s sent, for a person: its
 * first line, escaped (text_safe_buf), at most REPORT_FIRST_DATA_TEXT
 * characters, "..." when the bytes kept end before the line does or the
 * escapes are longer. False (out "") when there is none. */
#define REPORT_FIRST_DATA_TEXT 64
#define REPORT_FIRST_DATA_MAX (REPORT_FIRST_DATA_TEXT + 4)
bool report_first_data(const struct conn *c, enum side s, char *out, size_t len);

#endif
