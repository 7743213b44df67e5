/* plaintext.c: the plain-text dialogue before TLS, or instead of it (see
 * plaintext.h). Protocols with their own TLS upgrade: SMTP STARTTLS (RFC
 * 3207), IMAP STARTTLS and POP3 STLS (RFC 2595), FTP AUTH TLS (RFC 4217),
 * PostgreSQL's SSLRequest (PostgreSQL protocol, "SSL Session Encryption").
 * Every byte is read through the cursor; lines are cut at PLAIN_MAX_LINE. */
#include <string.h>
#include "tls/plaintext.h"
#include "util/cursor.h"

/* PostgreSQL SSLRequest: length 8, code 80877103 (0x04d2162f). */
static const uint8_t pg_ssl_request[8] = {0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f};

static bool starts_with(const uint8_t *line, size_t len, const char *word)
{
    size_t n = strlen(word);
    if (len < n)
        return false;
    for (size_t i = 0; i < n; i++) {
        uint8_t ch = line[i];
        if (ch >= 'a' && ch <= 'z')
            ch = (uint8_t)(ch - 'a' + 'A');
        if (ch != (uint8_t)word[i])
            return false;
    }
    return true;
}

/* A word anywhere in the line, upper case as protocols write it. */
static bool contains(const uint8_t *line, size_t len, const char *word)
{
    size_t n = strlen(word);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(line + i, word, n) == 0)
            return true;
    return false;
}

/* The line after an IMAP tag ("a001 STARTTLS" -> "STARTTLS"). */
static const uint8_t *after_tag(const uint8_t *line, size_t len, size_t *rest)
{
    for (size_t i = 0; i < len; i++)
        if (line[i] == ' ') {
            *rest = len - i - 1;
            return line + i + 1;
        }
    *rest = 0;
    return line + len;
}

static void keep_reply(struct plain_text *pt, const uint8_t *line, size_t len, uint64_t frame,
                       bool refused)
{
    pt->reply_frame = frame;
    pt->refused = refused;
    size_t k = len < sizeof pt->reply ? len : sizeof pt->reply;
    memcpy(pt->reply, line, k);
    pt->reply_len = (uint8_t)k;
}

static void client_line(struct plain_text *pt, const uint8_t *line, size_t len, uint64_t frame)
{
    static const char *const http_methods[] = {"GET ", "POST ", "HEAD ", "PUT ", "DELETE ",
                                               "OPTIONS ", "CONNECT ", "PATCH ", "TRACE "};
    for (size_t i = 0; pt->protocol == PLAIN_NONE && i < sizeof http_methods / sizeof http_methods[0];
         i++) {
        size_t m = strlen(http_methods[i]);
        if (len >= m && memcmp(line, http_methods[i], m) == 0)
            pt->protocol = PLAIN_HTTP;
    }
    if (pt->protocol == PLAIN_HTTP)
        return;
    size_t rest_len;
    const uint8_t *rest = after_tag(line, len, &rest_len);
    if (starts_with(line, len, "EHLO") || starts_with(line, len, "HELO")) {
        pt->protocol = PLAIN_SMTP;
    } else if (starts_with(line, len, "STARTTLS")) {
        if (pt->protocol == PLAIN_NONE)
            pt->protocol = PLAIN_SMTP;
        pt->request_frame = frame;
    } else if (starts_with(line, len, "STLS")) {
        pt->protocol = PLAIN_POP3;
        pt->request_frame = frame;
    } else if (starts_with(line, len, "AUTH TLS") || starts_with(line, len, "AUTH SSL")) {
        pt->protocol = PLAIN_FTP;
        pt->request_frame = frame;
    } else if (starts_with(rest, rest_len, "STARTTLS")) {
        pt->protocol = PLAIN_IMAP;
        pt->request_frame = frame;
    } else if (!starts_with(line, len, "QUIT") && !starts_with(line, len, "NOOP") &&
               !starts_with(line, len, "RSET") && !starts_with(line, len, "CAPA") &&
               !starts_with(line, len, "FEAT") && !starts_with(rest, rest_len, "CAPABILITY") &&
               !starts_with(rest, rest_len, "LOGOUT") && len > 0) {
        pt->client_went_on = true;
    }
}

static void server_line(struct plain_text *pt, const uint8_t *line, size_t len, uint64_t frame)
{
    if (pt->protocol == PLAIN_NONE && starts_with(line, len, "HTTP/"))
        pt->protocol = PLAIN_HTTP;
    if (pt->protocol == PLAIN_HTTP && pt->http_status == 0 && starts_with(line, len, "HTTP/")) {
        /* "HTTP/1.1 400 Bad Request": the three digits after the first space */
        size_t rest_len;
        const uint8_t *code = after_tag(line, len, &rest_len);
        if (rest_len >= 3 && code[0] >= '1' && code[0] <= '5' && code[1] >= '0' &&
            code[1] <= '9' && code[2] >= '0' && code[2] <= '9')
            pt->http_status = (uint16_t)((code[0] - '0') * 100 + (code[1] - '0') * 10 +
                                         (code[2] - '0'));
        return;
    }
    if (pt->protocol == PLAIN_NONE) {
        if (starts_with(line, len, "HTTP/"))
            pt->protocol = PLAIN_HTTP;
        else if (starts_with(line, len, "* OK"))
            pt->protocol = PLAIN_IMAP;
        else if (starts_with(line, len, "+OK"))
            pt->protocol = PLAIN_POP3;
        else if (starts_with(line, len, "220") && contains(line, len, "FTP"))
            pt->protocol = PLAIN_FTP;
        else if (starts_with(line, len, "220"))
            pt->protocol = PLAIN_SMTP;
    }
    if (pt->protocol == PLAIN_HTTP) {
        /* nginx: "The plain HTTP request was sent to HTTPS port"; Apache:
         * "You're speaking plain HTTP to an SSL-enabled server port" */
        if (pt->names_tls_frame == 0 && pt->http_status >= 400 && pt->http_status < 500 &&
            (contains(line, len, "HTTPS") || contains(line, len, "SSL") ||
             contains(line, len, "TLS")))
            pt->names_tls_frame = frame;
        return;
    }
    /* the capability lists: SMTP EHLO (250-STARTTLS), POP3 CAPA (STLS),
     * IMAP CAPABILITY (STARTTLS), FTP FEAT (AUTH TLS) */
    bool capability = (starts_with(line, len, "250") && len > 3) ||
                      starts_with(line, len, "* CAPABILITY") ||
                      (pt->protocol == PLAIN_POP3 && len > 0 && line[0] != '+' && line[0] != '-') ||
                      (pt->protocol == PLAIN_FTP && len > 0 && line[0] == ' ');
    if (capability && (contains(line, len, "STARTTLS") || starts_with(line, len, "STLS") ||
                       contains(line, len, "AUTH TLS")))
        pt->offered = true;
    /* the end of an EHLO answer: "250 " after "250-" lines */
    if (starts_with(line, len, "250 ") || (pt->protocol == PLAIN_POP3 && len == 1 && line[0] == '.') ||
        (pt->protocol == PLAIN_IMAP && starts_with(line, len, "* CAPABILITY")))
        pt->capabilities_frame = frame;
    if (pt->request_frame == 0 || pt->reply_frame != 0)
        return;
    /* the answer to the upgrade request */
    switch ((enum plain_protocol)pt->protocol) {
    case PLAIN_SMTP:
    case PLAIN_FTP:
        if (len >= 3 && line[0] >= '2' && line[0] <= '5')
            keep_reply(pt, line, len, frame, line[0] == '4' || line[0] == '5');
        break;
    case PLAIN_POP3:
        if (starts_with(line, len, "+OK") || starts_with(line, len, "-ERR"))
            keep_reply(pt, line, len, frame, line[0] == '-');
        break;
    case PLAIN_IMAP: {
        size_t rest_len;
        const uint8_t *rest = after_tag(line, len, &rest_len);
        if (len > 0 && line[0] != '*' &&
            (starts_with(rest, rest_len, "OK") || starts_with(rest, rest_len, "NO") ||
             starts_with(rest, rest_len, "BAD")))
            keep_reply(pt, line, len, frame, !starts_with(rest, rest_len, "OK"));
        break;
    }
    case PLAIN_NONE:
    case PLAIN_HTTP:
    case PLAIN_POSTGRES:
        break;
    }
}

static void end_line(struct plain_reader *r, struct conn *c, enum side from, uint64_t frame)
{
    size_t len = r->line_len;
    if (len > 0 && r->line[len - 1] == '\r')
        len--;
    if (from == SIDE_CLIENT)
        client_line(&c->plain, r->line, len, frame);
    else
        server_line(&c->plain, r->line, len, frame);
    r->line_len = 0;
    r->line_cut = false;
}

/* PostgreSQL's upgrade is binary: an 8-byte request and a one-byte answer. */
static bool postgres(struct plain_reader *r, struct conn *c, enum side from,
                     struct cursor *cur, uint64_t frame)
{
    struct plain_text *pt = &c->plain;
    struct slice head;
    struct cursor probe = *cur;
    if (from == SIDE_CLIENT && r->seen == 0 && pt->protocol == PLAIN_NONE &&
        cur_take(&probe, sizeof pg_ssl_request, &head) == ST_OK &&
        memcmp(head.ptr, pg_ssl_request, sizeof pg_ssl_request) == 0) {
        pt->protocol = PLAIN_POSTGRES;
        pt->request_frame = frame;
        return true;
    }
    uint8_t answer;
    if (from == SIDE_SERVER && pt->protocol == PLAIN_POSTGRES && pt->reply_frame == 0 &&
        cur_peek_u8(cur, 0, &answer) == ST_OK && (answer == 'N' || answer == 'S')) {
        keep_reply(pt, &answer, 1, frame, answer == 'N');
        return true;
    }
    return pt->protocol == PLAIN_POSTGRES;
}

void plain_feed(struct plain_reader *r, struct conn *c, enum side from, const uint8_t *p,
                size_t n, uint64_t frame)
{
    if (r->seen >= PLAIN_MAX_BYTES)
        return;
    size_t take = n < PLAIN_MAX_BYTES - r->seen ? n : PLAIN_MAX_BYTES - r->seen;
    struct cursor cur = cur_make(p, take);
    bool binary = postgres(r, c, from, &cur, frame);
    r->seen += (uint32_t)take;
    if (binary)
        return;
    /* a line at a time: its bytes up to the newline in one copy */
    struct slice part;
    while (cur_take(&cur, cur_span_to(&cur, '\n'), &part) == ST_OK) {
        size_t room = sizeof r->line - r->line_len;
        size_t keep = part.len < room ? part.len : room;
        memcpy(r->line + r->line_len, part.ptr, keep);
        r->line_len = (uint16_t)(r->line_len + keep);
        if (keep < part.len)
            r->line_cut = true;
        if (cur_skip(&cur, 1) != ST_OK)
            break; /* no newline yet: the line goes on in the next segment */
        end_line(r, c, from, frame);
    }
}
