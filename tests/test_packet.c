/* test_packet.c: the link layers added for issue 11 (NFLOG, PPP, Cisco HDLC)
 * and the TCP SACK option, on hand-built frames: whole, every prefix, and
 * with broken lengths; addresses as addr_format writes them. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "capture/packet.h"
#include "testlib.h"

enum { DLT_PPP_NUM = 9, DLT_C_HDLC_NUM = 104, DLT_NFLOG_NUM = 239, DLT_RAW_NUM = 12 };

/* IPv4 127.0.0.1 -> 127.0.0.2, TCP 4807 -> 56834, ACK, with NOP NOP and a
 * SACK option of one block (RFC 2018 3: kind 5, length 10), 4 payload bytes. */
static const uint8_t ip_sack[] = {
    0x45, 0x00, 0x00, 0x34 + 4, 0x00, 0x01, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00,
    127, 0, 0, 1, 127, 0, 0, 2,
    0x12, 0xc7, 0xde, 0x02,             /* ports 4807 -> 56834 */
    0x00, 0x00, 0x00, 0x01,             /* seq 1 */
    0x00, 0x00, 0x02, 0x06,             /* ack 518 */
    0x80, 0x10, 0x00, 0x40,             /* 32-byte header, ACK, window 64 */
    0x00, 0x00, 0x00, 0x00,             /* checksum, urgent */
    0x01, 0x01, 0x05, 0x0a,             /* NOP NOP SACK len 10 */
    0x00, 0x00, 0x05, 0xa9,             /* left 1449 */
    0x00, 0x00, 0x07, 0xd4,             /* right 2004 */
    'd', 'a', 't', 'a',
};

static void put_host16(uint8_t *p, uint16_t v)
{
    memcpy(p, &v, 2);
}

/* NFLOG: header, a prefix TLV (padded), then the payload TLV. */
static size_t make_nflog(uint8_t *out)
{
    size_t n = 0;
    out[n++] = 2; /* AF_INET */
    out[n++] = 0; /* version */
    out[n++] = 0;
    out[n++] = 5; /* resource id (group 5) */
    put_host16(out + n, 4 + 3);
    put_host16(out + n + 2, 10); /* NFULA_PREFIX "ab\0", padded to 4 */
    memcpy(out + n + 4, "ab\0\0", 4);
    n += 8;
    put_host16(out + n, (uint16_t)(4 + sizeof ip_sack));
    put_host16(out + n + 2, 9); /* NFULA_PAYLOAD */
    memcpy(out + n + 4, ip_sack, sizeof ip_sack);
    return n + 4 + sizeof ip_sack;
}

static void check_tcp(int *failures_, const struct packet *p)
{
    CHECK_EQ_INT(p->sport, 4807);
    CHECK_EQ_INT(p->dport, 56834);
    CHECK_EQ_INT(p->ack, 518);
    CHECK_EQ_INT(p->n_sack, 1);
    CHECK_EQ_INT(p->sack[0].left, 1449);
    CHECK_EQ_INT(p->sack[0].right, 2004);
    CHECK_EQ_INT(p->payload.len, 4);
}

/* Every prefix of a frame decodes cleanly: a skip reason, never a crash. */
static void check_prefixes(int *failures_, int dlt, const uint8_t *frame, size_t len)
{
    for (size_t cut = 0; cut < len; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1); /* exact size: ASan sees any overread */
        CHECK(copy != NULL);
        if (copy == NULL)
            return;
        memcpy(copy, frame, cut);
        struct packet p;
        enum skip_reason skip;
        memset(&p, 0, sizeof p);
        CHECK(packet_decode(dlt, copy, cut, len, &p, &skip) == ST_OK);
        free(copy);
    }
}

TEST(sack_block)
{
    struct packet p;
    enum skip_reason skip;
    memset(&p, 0, sizeof p);
    CHECK(packet_decode(DLT_RAW_NUM, ip_sack, sizeof ip_sack, sizeof ip_sack, &p, &skip) ==
          ST_OK);
    CHECK_EQ_INT(skip, SKIP_NONE);
    check_tcp(failures_, &p);
    check_prefixes(failures_, DLT_RAW_NUM, ip_sack, sizeof ip_sack);
}

TEST(sack_broken_lengths)
{
    /* an option length past the header, a SACK length not a multiple of 8,
     * a zero length: the walk stops, the segment stays good */
    static const uint8_t bad[][4] = {
        {0x05, 0x30, 0x00, 0x00}, {0x05, 0x07, 0x00, 0x00}, {0x08, 0x00, 0x00, 0x00}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t frame[sizeof ip_sack];
        memcpy(frame, ip_sack, sizeof frame);
        memcpy(frame + 20 + 20 + 2, bad[i], 2);
        struct packet p;
        enum skip_reason skip;
        memset(&p, 0, sizeof p);
        CHECK(packet_decode(DLT_RAW_NUM, frame, sizeof frame, sizeof frame, &p, &skip) ==
              ST_OK);
        CHECK_EQ_INT(skip, SKIP_NONE);
        CHECK_EQ_INT(p.n_sack, 0);
        CHECK_EQ_INT(p.payload.len, 4);
    }
}

TEST(nflog)
{
    uint8_t frame[128];
    size_t len = make_nflog(frame);
    CHECK(packet_link_supported(DLT_NFLOG_NUM));
    struct packet p;
    enum skip_reason skip;
    memset(&p, 0, sizeof p);
    CHECK(packet_decode(DLT_NFLOG_NUM, frame, len, len, &p, &skip) == ST_OK);
    CHECK_EQ_INT(skip, SKIP_NONE);
    check_tcp(failures_, &p);
    check_prefixes(failures_, DLT_NFLOG_NUM, frame, len);
}

TEST(nflog_hostile)
{
    uint8_t frame[128];
    size_t len = make_nflog(frame);
    /* a TLV length below its own header, then one far past the frame */
    uint8_t broken[128];
    memcpy(broken, frame, len);
    put_host16(broken + 4, 2);
    struct packet p;
    enum skip_reason skip;
    memset(&p, 0, sizeof p);
    CHECK(packet_decode(DLT_NFLOG_NUM, broken, len, len, &p, &skip) == ST_OK);
    CHECK_EQ_INT(skip, SKIP_MALFORMED);
    memcpy(broken, frame, len);
    put_host16(broken + 4, 0xfff0);
    memset(&p, 0, sizeof p);
    CHECK(packet_decode(DLT_NFLOG_NUM, broken, len, len, &p, &skip) == ST_OK);
    CHECK(skip != SKIP_NONE);
    /* a log entry without the packet: not IP */
    memset(&p, 0, sizeof p);
    CHECK(packet_decode(DLT_NFLOG_NUM, frame, 12, 12, &p, &skip) == ST_OK);
    CHECK_EQ_INT(skip, SKIP_NOT_IP);
}

TEST(ppp_and_hdlc)
{
    uint8_t frame[128];
    struct packet p;
    enum skip_reason skip;
    /* RFC 1662 framing: ff 03, protocol 0x0021 (IPv4) */
    static const uint8_t ppp_hdr[] = {0xff, 0x03, 0x00, 0x21};
    memcpy(frame, ppp_hdr, 4);
    memcpy(frame + 4, ip_sack, sizeof ip_sack);
    memset(&p, 0, sizeof p);
    CHECK(packet_decode(DLT_PPP_NUM, frame, 4 + sizeof ip_sack, 4 + sizeof ip_sack, &p, &skip) ==
          ST_OK);
    CHECK_EQ_INT(skip, SKIP_NONE);
    check_tcp(failures_, &p);
    check_prefixes(failures_, DLT_PPP_NUM, frame, 4 + sizeof ip_sack);
    /* address and control omitted (RFC 1662 3.2, negotiated away) */
    memcpy(frame, ppp_hdr + 2, 2);
    memcpy(frame + 2, ip_sack, sizeof ip_sack);
    memset(&p, 0, sizeof p);
    CHECK(packet_decode(DLT_PPP_NUM, frame, 2 + sizeof ip_sack, 2 + sizeof ip_sack, &p, &skip) ==
          ST_OK);
    CHECK_EQ_INT(skip, SKIP_NONE);
    /* Cisco HDLC: address 0x0f, control 0, ethertype 0x0800 */
    static const uint8_t hdlc_hdr[] = {0x0f, 0x00, 0x08, 0x00};
    memcpy(frame, hdlc_hdr, 4);
    memcpy(frame + 4, ip_sack, sizeof ip_sack);
    memset(&p, 0, sizeof p);
    CHECK(packet_decode(DLT_C_HDLC_NUM, frame, 4 + sizeof ip_sack, 4 + sizeof ip_sack, &p,
                        &skip) == ST_OK);
    CHECK_EQ_INT(skip, SKIP_NONE);
    check_tcp(failures_, &p);
    check_prefixes(failures_, DLT_C_HDLC_NUM, frame, 4 + sizeof ip_sack);
}

/* addr_format writes what inet_ntop and "%s:%u" (IPv6: "[%s]:%u") wrote,
 * cut as snprintf cuts. */
TEST(addresses_formatted_as_inet_ntop_does)
{
    static const struct {
        struct addr a;
        uint16_t port;
    } v[] = {
        {{.family = 4, .bytes = {0, 0, 0, 0}}, 0},
        {{.family = 4, .bytes = {255, 255, 255, 255}}, 65535},
        {{.family = 4, .bytes = {10, 0, 100, 9}}, 443},
        {{.family = 6, .bytes = {0}}, 1},
        {{.family = 6, .bytes = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}}, 8443},
        {{.family = 6, .bytes = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1}}, 80},
        {{.family = 6, .bytes = {0xfe, 0x80, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}}, 65535},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char ip[INET6_ADDRSTRLEN], want[80], got[80];
        inet_ntop(v[i].a.family == 4 ? AF_INET : AF_INET6, v[i].a.bytes, ip, sizeof ip);
        snprintf(want, sizeof want, v[i].a.family == 4 ? "%s:%u" : "[%s]:%u", ip, v[i].port);
        addr_format(&v[i].a, v[i].port, got, sizeof got);
        CHECK_EQ_STR(got, want);
        for (size_t cut = 1; cut < 12; cut++) {
            char short_want[12], short_got[12];
            size_t n = strlen(want) < cut - 1 ? strlen(want) : cut - 1; /* as snprintf cuts */
            memcpy(short_want, want, n);
            short_want[n] = '\0';
            addr_format(&v[i].a, v[i].port, short_got, cut);
            CHECK_EQ_STR(short_got, short_want);
        }
    }
}

TEST_MAIN("packet", TEST_ENTRY(addresses_formatted_as_inet_ntop_does), TEST_ENTRY(sack_block), TEST_ENTRY(sack_broken_lengths), TEST_ENTRY(nflog),
          TEST_ENTRY(nflog_hostile), TEST_ENTRY(ppp_and_hdlc))
