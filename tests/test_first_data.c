/* test_first_data.c: the first decrypted application data as the text,
 * ladder and HTML reports show it (report/first_data.c): the first line of
 * an HTTP status or request, the HTTP/2 preface, bytes a terminal would act
 * on escaped, a line cut by the 24 bytes kept marked, and nothing for a
 * side without any. */
#include <string.h>
#include "report/report.h"
#include "testlib.h"

/* What the reports show for these bytes sent by the server; "(none)" when
 * report_first_data has nothing. */
static const char *shown(struct conn *c, const char *bytes, size_t n)
{
    static char out[REPORT_FIRST_DATA_MAX];
    struct side_facts *sf = &c->side[SIDE_SERVER];
    memcpy(sf->app_plain, bytes, n);
    sf->app_plain_len = (uint8_t)n;
    sf->app_plain_frame = 10;
    return report_first_data(c, SIDE_SERVER, out, sizeof out) ? out : "(none)";
}

TEST(shown_as_one_escaped_line)
{
    struct conn *c = conn_new(1);
    char out[REPORT_FIRST_DATA_MAX];
    CHECK(c != NULL);
    if (c == NULL)
        return;
    CHECK(!report_first_data(c, SIDE_CLIENT, out, sizeof out));
    CHECK_EQ_STR(out, "");
    CHECK_EQ_STR(shown(c, "", 0), "(none)");
    CHECK_EQ_STR(shown(c, "HTTP/1.1 200 OK\r\nContent", 24), "HTTP/1.1 200 OK");
    CHECK_EQ_STR(shown(c, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24), "PRI * HTTP/2.0");
    /* an escape sequence and a NUL: shown, never acted on */
    CHECK_EQ_STR(shown(c, "\x1b[2Jhi\x00\x07", 8), "\\x1b[2Jhi\\x00\\x07");
    /* 24 bytes with no line end: the line goes on past what is kept */
    CHECK_EQ_STR(shown(c, "ABCDEFGHIJKLMNOPQRSTUVWX", 24), "ABCDEFGHIJKLMNOPQRSTUVWX...");
    /* a line end first: the bytes after it are shown, escaped */
    CHECK_EQ_STR(shown(c, "\r\nok", 4), "\\x0d\\x0aok");
    /* bytes that all need escaping: cut between escapes, at 64 characters */
    CHECK_EQ_STR(shown(c, "\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01"
                          "\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01", 24),
                 "\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01"
                 "\\x01\\x01\\x01\\x01...");
    /* 16 escapes are exactly 64 characters: nothing is cut */
    CHECK_EQ_STR(shown(c, "\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01"
                          "\x01\x01\x01\x01", 16),
                 "\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01"
                 "\\x01\\x01\\x01\\x01");
    conn_free(c);
}

TEST_MAIN("first_data", TEST_ENTRY(shown_as_one_escaped_line))
