/* test_plaintext.c: the plain-text dialogue before TLS (tls/plaintext.c),
 * fed with the example dialogues of the RFCs that define each upgrade, and
 * the PostgreSQL SSLRequest bytes of its protocol documentation. Each
 * dialogue is fed whole and then one byte at a time (lines across
 * segments). */
#include <stdlib.h>
#include <string.h>
#include "testlib.h"
#include "tls/plaintext.h"

struct line {
    enum side from;
    const char *text; /* with its CRLF */
};

/* Feeds a dialogue; frame i+1 for line i; chunk 0 is whole lines. */
static void feed(struct conn *c, const struct line *l, size_t n, size_t chunk)
{
    struct plain_reader r[2];
    memset(r, 0, sizeof r);
    for (size_t i = 0; i < n; i++) {
        const uint8_t *p = (const uint8_t *)l[i].text;
        size_t len = strlen(l[i].text);
        size_t step = chunk ? chunk : len;
        for (size_t at = 0; at < len; at += step)
            plain_feed(&r[l[i].from], c, l[i].from, p + at, at + step <= len ? step : len - at,
                       i + 1);
    }
}

static struct conn *run(const struct line *l, size_t n, size_t chunk)
{
    struct conn *c = conn_new(1);
    if (c != NULL)
        feed(c, l, n, chunk);
    return c;
}

/* RFC 3207 5: the example of a STARTTLS that works */
static const struct line smtp_ok[] = {
    {SIDE_SERVER, "220 mail.imc.org SMTP service ready\r\n"},
    {SIDE_CLIENT, "EHLO mail.example.com\r\n"},
    {SIDE_SERVER, "250-mail.imc.org offers a warm hug of welcome\r\n"},
    {SIDE_SERVER, "250-8BITMIME\r\n"},
    {SIDE_SERVER, "250-STARTTLS\r\n"},
    {SIDE_SERVER, "250 DSN\r\n"},
    {SIDE_CLIENT, "STARTTLS\r\n"},
    {SIDE_SERVER, "220 Go ahead\r\n"},
};

/* RFC 3207 4: "454 TLS not available due to temporary reason" */
static const struct line smtp_refused[] = {
    {SIDE_SERVER, "220 mail.imc.org SMTP service ready\r\n"},
    {SIDE_CLIENT, "EHLO mail.example.com\r\n"},
    {SIDE_SERVER, "250-mail.imc.org offers a warm hug of welcome\r\n"},
    {SIDE_SERVER, "250 DSN\r\n"},
    {SIDE_CLIENT, "STARTTLS\r\n"},
    {SIDE_SERVER, "454 TLS not available due to temporary reason\r\n"},
};

/* RFC 2595 3.1: IMAP */
static const struct line imap_ok[] = {
    {SIDE_SERVER, "* OK IMAP4rev1 Server\r\n"},
    {SIDE_CLIENT, "a001 CAPABILITY\r\n"},
    {SIDE_SERVER, "* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\n"},
    {SIDE_SERVER, "a001 OK CAPABILITY completed\r\n"},
    {SIDE_CLIENT, "a002 STARTTLS\r\n"},
    {SIDE_SERVER, "a002 OK Begin TLS negotiation now\r\n"},
};

/* RFC 2595 4: POP3, and a server that says no */
static const struct line pop3_refused[] = {
    {SIDE_SERVER, "+OK POP3 server ready\r\n"},
    {SIDE_CLIENT, "STLS\r\n"},
    {SIDE_SERVER, "-ERR Command not permitted when TLS active\r\n"},
};

/* RFC 4217 4: FTP AUTH TLS accepted with 234 */
static const struct line ftp_ok[] = {
    {SIDE_SERVER, "220 FTP server ready\r\n"},
    {SIDE_CLIENT, "AUTH TLS\r\n"},
    {SIDE_SERVER, "234 AUTH command OK\r\n"},
};

/* RFC 3207 with no STARTTLS offered, the client leaving at once */
static const struct line smtp_not_offered[] = {
    {SIDE_SERVER, "220 mail.imc.org SMTP service ready\r\n"},
    {SIDE_CLIENT, "EHLO mail.example.com\r\n"},
    {SIDE_SERVER, "250-mail.imc.org\r\n"},
    {SIDE_SERVER, "250 8BITMIME\r\n"},
    {SIDE_CLIENT, "QUIT\r\n"},
};

/* the same server, and a client that goes on without TLS (RFC 5321 3.3) */
static const struct line smtp_plain_mail[] = {
    {SIDE_SERVER, "220 mail.imc.org SMTP service ready\r\n"},
    {SIDE_CLIENT, "EHLO mail.example.com\r\n"},
    {SIDE_SERVER, "250 mail.imc.org\r\n"},
    {SIDE_CLIENT, "MAIL FROM:<Smith@bar.com>\r\n"},
};

/* nginx's answer to plain HTTP on a TLS port */
static const struct line http_to_tls[] = {
    {SIDE_CLIENT, "GET / HTTP/1.1\r\n"},
    {SIDE_CLIENT, "Host: localhost\r\n"},
    {SIDE_SERVER, "HTTP/1.1 400 Bad Request\r\n"},
    {SIDE_SERVER, "<center>The plain HTTP request was sent to HTTPS port</center>\r\n"},
};

/* a plain HTTP server answering plain HTTP, its page about TLS: no refusal */
static const struct line http_plain[] = {
    {SIDE_CLIENT, "GET / HTTP/1.1\r\n"},
    {SIDE_SERVER, "HTTP/1.1 200 OK\r\n"},
    {SIDE_SERVER, "Content-Type: text/html\r\n"},
    {SIDE_SERVER, "<h1>How to configure TLS and SSL for HTTPS</h1>\r\n"},
};

#define N(a) (sizeof a / sizeof a[0])

TEST(smtp_starttls_accepted)
{
    for (size_t chunk = 0; chunk <= 1; chunk++) {
        struct conn *c = run(smtp_ok, N(smtp_ok), chunk);
        CHECK(c != NULL);
        CHECK_EQ_INT(c->plain.protocol, PLAIN_SMTP);
        CHECK(c->plain.offered);
        CHECK_EQ_INT(c->plain.capabilities_frame, 6);
        CHECK_EQ_INT(c->plain.request_frame, 7);
        CHECK_EQ_INT(c->plain.reply_frame, 8);
        CHECK(!c->plain.refused);
        CHECK(!c->plain.client_went_on);
        conn_free(c);
    }
}

TEST(smtp_starttls_refused)
{
    for (size_t chunk = 0; chunk <= 1; chunk++) {
        struct conn *c = run(smtp_refused, N(smtp_refused), chunk);
        CHECK(c != NULL);
        CHECK(!c->plain.offered);
        CHECK_EQ_INT(c->plain.request_frame, 5);
        CHECK_EQ_INT(c->plain.reply_frame, 6);
        CHECK(c->plain.refused);
        CHECK(c->plain.reply_len > 3 && memcmp(c->plain.reply, "454 TLS", 7) == 0);
        conn_free(c);
    }
}

TEST(imap_and_pop3_and_ftp)
{
    struct conn *c = run(imap_ok, N(imap_ok), 1);
    CHECK(c != NULL);
    CHECK_EQ_INT(c->plain.protocol, PLAIN_IMAP);
    CHECK(c->plain.offered);
    CHECK_EQ_INT(c->plain.request_frame, 5);
    CHECK_EQ_INT(c->plain.reply_frame, 6);
    CHECK(!c->plain.refused);
    conn_free(c);
    c = run(pop3_refused, N(pop3_refused), 0);
    CHECK(c != NULL);
    CHECK_EQ_INT(c->plain.protocol, PLAIN_POP3);
    CHECK_EQ_INT(c->plain.request_frame, 2);
    CHECK(c->plain.refused);
    conn_free(c);
    c = run(ftp_ok, N(ftp_ok), 1);
    CHECK(c != NULL);
    CHECK_EQ_INT(c->plain.protocol, PLAIN_FTP);
    CHECK_EQ_INT(c->plain.reply_frame, 3);
    CHECK(!c->plain.refused);
    conn_free(c);
}

TEST(smtp_not_offered_or_plain_on_purpose)
{
    struct conn *c = run(smtp_not_offered, N(smtp_not_offered), 0);
    CHECK(c != NULL);
    CHECK_EQ_INT(c->plain.capabilities_frame, 4);
    CHECK(!c->plain.offered);
    CHECK_EQ_INT(c->plain.request_frame, 0);
    CHECK(!c->plain.client_went_on);
    conn_free(c);
    c = run(smtp_plain_mail, N(smtp_plain_mail), 0);
    CHECK(c != NULL);
    CHECK(c->plain.client_went_on);
    conn_free(c);
}

TEST(http_naming_tls)
{
    struct conn *c = run(http_to_tls, N(http_to_tls), 1);
    CHECK(c != NULL);
    CHECK_EQ_INT(c->plain.protocol, PLAIN_HTTP);
    CHECK_EQ_INT(c->plain.http_status, 400);
    CHECK_EQ_INT(c->plain.names_tls_frame, 4);
    conn_free(c);
    c = run(http_plain, N(http_plain), 0);
    CHECK(c != NULL);
    CHECK_EQ_INT(c->plain.protocol, PLAIN_HTTP);
    CHECK_EQ_INT(c->plain.http_status, 200);
    CHECK_EQ_INT(c->plain.names_tls_frame, 0);
    conn_free(c);
}

/* PostgreSQL protocol, "SSLRequest": Int32(8) Int32(80877103); the server
 * answers one byte, 'S' or 'N'. */
TEST(postgres_ssl_request)
{
    static const uint8_t request[] = {0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f};
    for (int answer = 0; answer < 2; answer++) {
        struct conn *c = conn_new(1);
        struct plain_reader r[2];
        memset(r, 0, sizeof r);
        CHECK(c != NULL);
        if (c == NULL)
            return;
        plain_feed(&r[SIDE_CLIENT], c, SIDE_CLIENT, request, sizeof request, 4);
        uint8_t b = answer ? 'N' : 'S';
        plain_feed(&r[SIDE_SERVER], c, SIDE_SERVER, &b, 1, 6);
        CHECK_EQ_INT(c->plain.protocol, PLAIN_POSTGRES);
        CHECK_EQ_INT(c->plain.request_frame, 4);
        CHECK_EQ_INT(c->plain.reply_frame, 6);
        CHECK_EQ_INT(c->plain.refused, answer);
        conn_free(c);
    }
    /* seven of the eight bytes are no request */
    struct conn *c = conn_new(1);
    struct plain_reader r;
    memset(&r, 0, sizeof r);
    CHECK(c != NULL);
    if (c != NULL) {
        plain_feed(&r, c, SIDE_CLIENT, request, sizeof request - 1, 4);
        CHECK_EQ_INT(c->plain.protocol, PLAIN_NONE);
        conn_free(c);
    }
}

/* Hostile input: long lines, NUL bytes, no line ends; what is read stops
 * at PLAIN_MAX_BYTES. */
TEST(bounded)
{
    size_t n = 3 * PLAIN_MAX_BYTES;
    uint8_t *junk = malloc(n);
    CHECK(junk != NULL);
    if (junk == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        junk[i] = (uint8_t)(i * 131);
    struct conn *c = conn_new(1);
    struct plain_reader r;
    memset(&r, 0, sizeof r);
    CHECK(c != NULL);
    if (c != NULL) {
        for (size_t at = 0; at < n; at += 1000)
            plain_feed(&r, c, SIDE_SERVER, junk + at, at + 1000 <= n ? 1000 : n - at, 1);
        CHECK_EQ_INT(r.seen, PLAIN_MAX_BYTES);
        CHECK(r.line_len <= PLAIN_MAX_LINE);
        conn_free(c);
    }
    free(junk);
}

int main(void)
{
    static const struct test_case tests[] = {
        TEST_ENTRY(smtp_starttls_accepted), TEST_ENTRY(smtp_starttls_refused),
        TEST_ENTRY(imap_and_pop3_and_ftp),  TEST_ENTRY(smtp_not_offered_or_plain_on_purpose),
        TEST_ENTRY(http_naming_tls),        TEST_ENTRY(postgres_ssl_request),
        TEST_ENTRY(bounded),
    };
    return testlib_main("plaintext", tests, sizeof tests / sizeof tests[0]);
}
