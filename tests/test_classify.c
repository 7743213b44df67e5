/* test_classify.c: nDPI's module is kept from one capture to the next only
 * while nDPI has learnt nothing in it, so that a capture's streams are
 * named as they would be by a module of their own. */
#include <string.h>
#include "tcp/classify.h"
#include "testlib.h"

enum { SYN = 0x02, ACK = 0x10, PSH = 0x08 };

/* An IPv4 TCP packet from 10.0.0.<from>:<sport> to 10.0.0.<to>:<dport>. */
static size_t tcp_packet(uint8_t *out, uint8_t from, uint16_t sport, uint8_t to, uint16_t dport,
                         uint8_t flags, const void *payload, size_t n)
{
    size_t total = 40 + n;
    memset(out, 0, 40);
    out[0] = 0x45;
    out[2] = (uint8_t)(total >> 8), out[3] = (uint8_t)total;
    out[8] = 64, out[9] = 6;
    out[12] = 10, out[15] = from;
    out[16] = 10, out[19] = to;
    uint8_t *t = out + 20;
    t[0] = (uint8_t)(sport >> 8), t[1] = (uint8_t)sport;
    t[2] = (uint8_t)(dport >> 8), t[3] = (uint8_t)dport;
    t[7] = 1, t[11] = (flags & ACK) ? 1 : 0;
    t[12] = 5 << 4, t[13] = flags, t[14] = 0xff;
    if (n > 0)
        memcpy(out + 40, payload, n);
    return total;
}

/* A handshake and one packet of data from the client: nDPI's name for
 * it, or its guess when it gives up on that one packet. */
static const char *name_stream(struct classifier *c, uint8_t client, uint16_t sport,
                               uint8_t server, uint16_t dport, const void *data, size_t n)
{
    uint8_t pkt[1600];
    struct classify_flow *f = NULL;
    const char *name = NULL;
    size_t len = tcp_packet(pkt, client, sport, server, dport, SYN, NULL, 0);
    name = classify_packet(c, &f, pkt, len, 1000);
    len = tcp_packet(pkt, server, dport, client, sport, SYN | ACK, NULL, 0);
    if (name == NULL)
        name = classify_packet(c, &f, pkt, len, 1001);
    len = tcp_packet(pkt, client, sport, server, dport, ACK, NULL, 0);
    if (name == NULL)
        name = classify_packet(c, &f, pkt, len, 1002);
    len = tcp_packet(pkt, client, sport, server, dport, ACK | PSH, data, n);
    if (name == NULL)
        name = classify_packet(c, &f, pkt, len, 1003);
    const char *guess = classify_finish(c, &f);
    return name != NULL ? name : guess;
}

static const char http_get[] = "GET /index.html HTTP/1.1\r\nHost: example.test\r\n"
                               "User-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n";

/* The BitTorrent handshake (BEP 3): nDPI keeps both hosts in a cache. */
static size_t bittorrent_handshake(uint8_t *out)
{
    static const char proto[] = "\x13" "BitTorrent protocol";
    memset(out, 0, 68);
    memcpy(out, proto, 20);
    memset(out + 28, 0xab, 20); /* info hash */
    memcpy(out + 48, "-TR3000-123456789012", 20);
    return 68;
}

static const char opaque[] = "\x8f\x02\x7e\x11\x93\xc4\x05\x6d\x20\x71\xfe\x3a\x5b\x09\xd2";

TEST(pristine_module_is_kept)
{
    size_t built = classifier_modules_built();
    struct classifier *c = NULL;
    CHECK(classifier_new(&c) == ST_OK);
    CHECK_EQ_STR(name_stream(c, 1, 40000, 2, 80, http_get, sizeof http_get - 1), "HTTP");
    classifier_free(c);
    CHECK(classifier_new(&c) == ST_OK);
    CHECK_EQ_INT(classifier_modules_built(), built + 1); /* the same module again */
    CHECK_EQ_STR(name_stream(c, 3, 40001, 4, 80, http_get, sizeof http_get - 1), "HTTP");
    classifier_free(c);
    classifier_release_all();
}

TEST(module_that_learnt_is_dropped)
{
    uint8_t bt[68];
    size_t n = bittorrent_handshake(bt);
    struct classifier *c = NULL;
    CHECK(classifier_new(&c) == ST_OK);
    size_t built = classifier_modules_built();
    CHECK_EQ_STR(name_stream(c, 1, 40000, 2, 6881, bt, n), "BitTorrent");
    /* within one capture nDPI uses what it learnt: the same two hosts are
     * BitTorrent again, whatever they send */
    CHECK_EQ_STR(name_stream(c, 1, 40100, 2, 9000, opaque, sizeof opaque - 1), "BitTorrent");
    classifier_free(c);
    /* the next capture gets a module of its own */
    CHECK(classifier_new(&c) == ST_OK);
    CHECK_EQ_INT(classifier_modules_built(), built + 1);
    const char *name = name_stream(c, 1, 40100, 2, 9000, opaque, sizeof opaque - 1);
    CHECK(name == NULL || strcmp(name, "BitTorrent") != 0);
    classifier_free(c);
    classifier_release_all();
}

TEST(two_tables_at_once)
{
    struct classifier *a = NULL, *b = NULL;
    CHECK(classifier_new(&a) == ST_OK);
    size_t built = classifier_modules_built();
    CHECK(classifier_new(&b) == ST_OK);
    CHECK(a != b);
    CHECK_EQ_INT(classifier_modules_built(), built + 1);
    CHECK_EQ_STR(name_stream(b, 5, 40000, 6, 80, http_get, sizeof http_get - 1), "HTTP");
    classifier_free(b);
    classifier_free(a);
    classifier_release_all();
}

TEST_MAIN("classify", TEST_ENTRY(pristine_module_is_kept), TEST_ENTRY(module_that_learnt_is_dropped),
          TEST_ENTRY(two_tables_at_once))
