/* plaintext.h: what the plain text on a connection says before TLS starts,
 * or instead of it: the protocol (HTTP, or one with its own TLS upgrade:
 * SMTP, IMAP, POP3, FTP, PostgreSQL), whether the client asked for the
 * upgrade and how the server answered, and whether the server's plain text
 * names HTTPS, SSL or TLS (a TLS port answering a plain request). Facts
 * only, in struct plain_text of the connection (facts/conn.h); the first
 * PLAIN_MAX_BYTES of each direction are read, a line at a time. */
#ifndef TLSX_PLAINTEXT_H
#define TLSX_PLAINTEXT_H

#include <stddef.h>
#include <stdint.h>
#include "facts/conn.h"

#define PLAIN_MAX_BYTES 8192
#define PLAIN_MAX_LINE 128

/* One direction's reader: the line being assembled across segments. */
struct plain_reader {
    uint8_t line[PLAIN_MAX_LINE];
    uint16_t line_len;
    bool line_cut;            /* the line was longer than the buffer */
    uint32_t seen;            /* bytes read so far, at most PLAIN_MAX_BYTES */
};

/* Bytes of a direction that is not TLS records (yet). */
void plain_feed(struct plain_reader *r, struct conn *c, enum side from, const uint8_t *p,
                size_t n, uint64_t frame);

#endif
