/* test_proxy_header.c: PROXY protocol headers (HAProxy proxy-protocol.txt
 * 2.1 and 2.2) before a ClientHello: their length, or 0. */
#include <string.h>
#include "testlib.h"
#include "tls/proxy_header.h"

/* proxy-protocol.txt 2.1, its own example line */
static const char v1[] = "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n";

/* proxy-protocol.txt 2.2: signature, v2 PROXY (0x21), TCP over IPv4 (0x11),
 * 12 bytes of addresses and ports */
static const uint8_t v2[] = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49,
                             0x54, 0x0a, 0x21, 0x11, 0x00, 0x0c, 192,  168,  0,    1,
                             192,  168,  0,    11,   0xdc, 0x04, 0x01, 0xbb};

TEST(v1_line)
{
    uint8_t buf[200];
    size_t n = strlen(v1);
    memcpy(buf, v1, n);
    memcpy(buf + n, "\x16\x03\x01", 3); /* the ClientHello follows */
    CHECK_EQ_INT(proxy_header_len(buf, n + 3), n);
    CHECK_EQ_INT(proxy_header_len(buf, n), n);
    /* every shorter prefix lacks the CRLF: not all here */
    for (size_t k = 0; k < n; k++)
        CHECK_EQ_INT(proxy_header_len(buf, k), 0);
}

TEST(v1_longest)
{
    /* 107 bytes with the CRLF is the longest the format allows */
    uint8_t buf[130];
    memset(buf, 'x', sizeof buf);
    memcpy(buf, "PROXY ", 6);
    buf[105] = '\r';
    buf[106] = '\n';
    CHECK_EQ_INT(proxy_header_len(buf, sizeof buf), 107);
    buf[105] = buf[106] = 'x';
    buf[107] = '\r';
    buf[108] = '\n';
    CHECK_EQ_INT(proxy_header_len(buf, sizeof buf), 0); /* 109: too long */
}

TEST(v2_header)
{
    uint8_t buf[64];
    memcpy(buf, v2, sizeof v2);
    memcpy(buf + sizeof v2, "\x16\x03\x01", 3);
    CHECK_EQ_INT(proxy_header_len(buf, sizeof v2 + 3), 28);
    CHECK_EQ_INT(proxy_header_len(buf, sizeof v2), 28);
    for (size_t k = 0; k < sizeof v2; k++)
        CHECK_EQ_INT(proxy_header_len(buf, k), 0);
    buf[7] ^= 1; /* not the signature */
    CHECK_EQ_INT(proxy_header_len(buf, sizeof v2), 0);
}

TEST(not_a_header)
{
    static const char *const other[] = {"GET / HTTP/1.1\r\n", "PROXY", "PROXYX TCP4\r\n",
                                        "proxy TCP4 a b 1 2\r\n", ""};
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++)
        CHECK_EQ_INT(proxy_header_len((const uint8_t *)other[i], strlen(other[i])), 0);
    CHECK_EQ_INT(proxy_header_len(NULL, 0), 0);
}

TEST_MAIN("proxy_header", TEST_ENTRY(v1_line), TEST_ENTRY(v1_longest), TEST_ENTRY(v2_header),
          TEST_ENTRY(not_a_header))
