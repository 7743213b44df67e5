/* test_handshake.c: the record layer and the hello decoders on byte vectors. */
#include <stdlib.h>
#include <string.h>
#include "tls/handshake.h"
#include "testlib.h"
#include "tls/tls_stream.h"

struct buf {
    uint8_t b[2048];
    size_t n;
};

static void put(struct buf *x, const void *p, size_t n)
{
    memcpy(x->b + x->n, p, n);
    x->n += n;
}
static void u8(struct buf *x, unsigned v) { x->b[x->n++] = (uint8_t)v; }
static void u16(struct buf *x, unsigned v) { u8(x, v >> 8); u8(x, v & 0xff); }
static void u24(struct buf *x, unsigned v) { u8(x, v >> 16); u16(x, v & 0xffff); }

/* A TLS 1.3-style ClientHello body: SNI, groups, sigalgs, versions, ALPN, key_share. */
static void client_hello_body(struct buf *m)
{
    static const uint8_t random[32] = {1};
    struct buf e = {{0}, 0};
    m->n = 0;
    u16(m, 0x0303);
    put(m, random, 32);
    u8(m, 0);                                   /* session id */
    u16(m, 8);                                  /* suites */
    u16(m, 0x1a1a), u16(m, 0x1301), u16(m, 0xc02f), u16(m, 0x00ff);
    u8(m, 1), u8(m, 0);                         /* null compression */
    /* server_name: list<2> { host_name(0) name<2> } */
    u16(&e, 0), u16(&e, 16), u16(&e, 14), u8(&e, 0), u16(&e, 11), put(&e, "example.com", 11);
    u16(&e, 10), u16(&e, 6), u16(&e, 4), u16(&e, 0x001d), u16(&e, 0x0017);
    u16(&e, 13), u16(&e, 6), u16(&e, 4), u16(&e, 0x0804), u16(&e, 0x0403);
    u16(&e, 43), u16(&e, 5), u8(&e, 4), u16(&e, 0x0304), u16(&e, 0x0303);
    /* ALPN: list<2> of name<1>: h2, http/1.1 */
    u16(&e, 16), u16(&e, 14), u16(&e, 12), u8(&e, 2), put(&e, "h2", 2), u8(&e, 8),
        put(&e, "http/1.1", 8);
    /* key_share: list<2> { x25519, key<2> 32 bytes } */
    u16(&e, 51), u16(&e, 38), u16(&e, 36), u16(&e, 0x001d), u16(&e, 32);
    for (int i = 0; i < 32; i++)
        u8(&e, 0x42);
    u16(m, (unsigned)e.n);
    put(m, e.b, e.n);
}

static void as_record(struct buf *rec, uint8_t type, const struct buf *body)
{
    rec->n = 0;
    u8(rec, 22), u16(rec, 0x0301), u16(rec, (unsigned)body->n + 4);
    u8(rec, type), u24(rec, (unsigned)body->n);
    put(rec, body->b, body->n);
}

static const struct hs_where where = {
    .frame = 1, .first_frame = 1, .segments = 1, .ts = {0, 0}, .record_version = 0x0301};

TEST(client_hello_fields)
{
    struct buf m;
    struct conn *c = conn_new(1);
    client_hello_body(&m);
    struct cursor cur = cur_make(m.b, m.n);
    CHECK_EQ_INT(hs_client_hello(c, &cur, &where), ST_OK);
    CHECK(c->ch->present);
    CHECK_EQ_INT(c->ch->n_suites, 4);
    CHECK(c->ch->reneg_scsv);
    CHECK(c->ch->has_sni);
    CHECK_EQ_STR(c->ch->sni, "example.com");
    CHECK_EQ_INT(c->ch->groups.n, 2);
    CHECK_EQ_INT(c->ch->sigalgs.v[1], 0x0403);
    CHECK_EQ_INT(c->ch->versions.v[0], 0x0304);
    CHECK_EQ_INT(c->ch->n_alpn, 2);
    CHECK_EQ_STR(c->ch->alpn[1], "http/1.1");
    CHECK_EQ_INT(c->ch->key_shares.v[0], 0x001d);
    CHECK_EQ_INT(c->ch->key_share_bytes, 32);
    CHECK_EQ_INT(c->ch->n_exts, 6);
    /* JA4 (FoxIO technical_details/JA4.md) worked by hand: t13d, 3 suites (GREASE
     * out), 6 extensions, ALPN h2; then the first 12 hex digits of
     * sha256("00ff,1301,c02f") (sorted suites) and of
     * sha256("000a,000d,002b,0033_0804,0403") (sorted extensions without SNI and
     * ALPN, then the signature schemes in order), from python's hashlib */
    CHECK_EQ_STR(c->ch->ja4, "t13d0306h2_938715873a05_3cd5d6589845");
    conn_free(c);
}

/* A ClientHello as current browsers send it: an X25519MLKEM768 share
 * (draft-ietf-tls-ecdhe-mlkem 3: 1184-byte ML-KEM-768 encapsulation key then
 * the 32-byte X25519 key) beside an x25519 one, and an outer ECH offer
 * (RFC 9849 5). */
static void client_hello_pq_ech(struct buf *m)
{
    static const uint8_t random[32] = {2};
    struct buf e = {{0}, 0};
    m->n = 0;
    u16(m, 0x0303);
    put(m, random, 32);
    u8(m, 0);
    u16(m, 2), u16(m, 0x1301);
    u8(m, 1), u8(m, 0);
    u16(&e, 0), u16(&e, 16), u16(&e, 14), u8(&e, 0), u16(&e, 11), put(&e, "public.test", 11);
    u16(&e, 43), u16(&e, 3), u8(&e, 2), u16(&e, 0x0304);
    u16(&e, 51), u16(&e, 2 + 4 + 1216 + 4 + 32), u16(&e, 4 + 1216 + 4 + 32);
    u16(&e, 0x11ec), u16(&e, 1216);
    for (int i = 0; i < 1216; i++)
        u8(&e, (unsigned)i);
    u16(&e, 0x001d), u16(&e, 32);
    for (int i = 0; i < 32; i++)
        u8(&e, 0x42);
    /* encrypted_client_hello: outer, HKDF-SHA256, AES-128-GCM, config 42 */
    u16(&e, 0xfe0d), u16(&e, 1 + 4 + 1 + 2 + 32 + 2 + 100);
    u8(&e, 0), u16(&e, 1), u16(&e, 1), u8(&e, 42), u16(&e, 32);
    for (int i = 0; i < 32; i++)
        u8(&e, 0x33);
    u16(&e, 100);
    for (int i = 0; i < 100; i++)
        u8(&e, 0x44);
    u16(m, (unsigned)e.n);
    put(m, e.b, e.n);
}

TEST(post_quantum_share_and_ech_offer)
{
    struct buf m;
    struct conn *c = conn_new(1);
    client_hello_pq_ech(&m);
    struct cursor cur = cur_make(m.b, m.n);
    CHECK_EQ_INT(hs_client_hello(c, &cur, &where), ST_OK);
    CHECK_EQ_INT(c->ch->key_shares.n, 2);
    CHECK_EQ_INT(c->ch->key_shares.v[0], 0x11ec);
    CHECK_EQ_INT(c->ch->key_share_len[0], 1216);
    CHECK_EQ_INT(c->ch->key_share_len[1], 32);
    CHECK_EQ_INT(c->ch->key_share_bytes, 1248);
    CHECK(c->ch->ech.present);
    CHECK_EQ_INT(c->ch->ech.type, 0);
    CHECK_EQ_INT(c->ch->ech.kdf_id, 1);
    CHECK_EQ_INT(c->ch->ech.aead_id, 1);
    CHECK_EQ_INT(c->ch->ech.config_id, 42);
    CHECK_EQ_INT(c->ch->ech.enc_len, 32);
    CHECK_EQ_INT(c->ch->ech.payload_len, 100);
    /* every truncation of the ECH extension is refused, none read past it */
    for (size_t n = m.n - 1; n > m.n - 140; n--) {
        uint8_t *copy = malloc(n);
        memcpy(copy, m.b, n);
        struct conn *t = conn_new(1);
        struct cursor tc = cur_make(copy, n);
        CHECK(hs_client_hello(t, &tc, &where) != ST_OK);
        conn_free(t);
        free(copy);
    }
    conn_free(c);
}

/* EncryptedExtensions with retry_configs (RFC 9849 7.1): two ECHConfigs, the
 * first of version 0xfe0d with config_id 9. */
TEST(ech_retry_configs_in_encrypted_extensions)
{
    struct buf ee = {{0}, 0}, cfgs = {{0}, 0};
    u16(&cfgs, 0xfe0d), u16(&cfgs, 3), u8(&cfgs, 9), u16(&cfgs, 0x0020);
    u16(&cfgs, 0xfe0a), u16(&cfgs, 2), u16(&cfgs, 0);
    u16(&ee, 4 + 2 + cfgs.n);
    u16(&ee, 0xfe0d), u16(&ee, 2 + cfgs.n), u16(&ee, cfgs.n);
    put(&ee, cfgs.b, cfgs.n);
    /* EncryptedExtensions belong to TLS 1.3 (RFC 8446 4.3.1) */
    struct conn *c = conn_new(1);
    c->sh.present = true;
    c->sh.version = 0x0304;
    CHECK_EQ_INT(hs_decode(c, SIDE_SERVER, 8, cur_make(ee.b, ee.n), &where), ST_OK);
    CHECK(c->sh.ee_seen);
    CHECK(c->sh.ech_retry);
    CHECK_EQ_INT(c->sh.ech_retry_count, 2);
    CHECK(c->sh.ech_retry_has_id);
    CHECK_EQ_INT(c->sh.ech_retry_config_id, 9);
    conn_free(c);
    /* a config list whose length runs past the extension is malformed */
    ee.b[5] = 0xff;
    c = conn_new(1);
    c->sh.present = true;
    c->sh.version = 0x0304;
    CHECK(hs_decode(c, SIDE_SERVER, 8, cur_make(ee.b, ee.n), &where) != ST_OK);
    conn_free(c);
}

TEST(every_prefix_is_rejected)
{
    struct buf m;
    client_hello_body(&m);
    for (size_t n = 0; n < m.n; n++) {
        /* a copy of exactly n bytes on the heap, so ASan sees any over-read */
        uint8_t *copy = malloc(n ? n : 1);
        memcpy(copy, m.b, n);
        struct conn *c = conn_new(1);
        struct cursor cur = cur_make(copy, n);
        enum status st = hs_client_hello(c, &cur, &where);
        /* the extensions block may be absent as a whole (SSL 3.0), nothing else */
        CHECK(st != ST_OK || n == 47);
        conn_free(c);
        free(copy);
    }
}

/* The same handshake bytes fed in chunks of every size give the same facts. */
TEST(record_layer_any_split)
{
    struct buf m, rec;
    client_hello_body(&m);
    as_record(&rec, 1, &m);
    for (size_t chunk = 1; chunk <= rec.n; chunk += (chunk < 16 ? 1 : 37)) {
        struct conn *c = conn_new(1);
        struct tls_conn_state t;
        tls_init(&t);
        for (size_t off = 0; off < rec.n; off += chunk) {
            size_t k = rec.n - off < chunk ? rec.n - off : chunk;
            tls_feed(&t, c, SIDE_CLIENT, rec.b + off, k, 1 + off / chunk, (struct tstamp){0, 0});
        }
        CHECK(c->ch->present);
        CHECK_EQ_INT(c->n_messages, 1);
        CHECK_EQ_INT(c->side[SIDE_CLIENT].records, 1);
        /* the chunks that carried the message (the 5-byte record header aside) */
        CHECK_EQ_INT(c->ch->segments, (rec.n - 1) / chunk - 5 / chunk + 1);
        tls_free(&t);
        conn_free(c);
    }
}

/* A handshake message split over two records, two messages in one record,
 * an alert, a CCS and an encrypted Finished. */
TEST(records_and_messages)
{
    struct buf b = {{0}, 0};
    /* ServerHello (TLS 1.2, suite 0xc02f) split over two records */
    struct buf sh = {{0}, 0};
    static const uint8_t random[32] = {7};
    u16(&sh, 0x0303), put(&sh, random, 32), u8(&sh, 0), u16(&sh, 0xc02f), u8(&sh, 0);
    struct buf msg = {{0}, 0};
    u8(&msg, 2), u24(&msg, (unsigned)sh.n), put(&msg, sh.b, sh.n);
    size_t half = msg.n / 2;
    u8(&b, 22), u16(&b, 0x0303), u16(&b, (unsigned)half), put(&b, msg.b, half);
    /* rest of the ServerHello + ServerHelloDone in one record */
    u8(&b, 22), u16(&b, 0x0303), u16(&b, (unsigned)(msg.n - half + 4));
    put(&b, msg.b + half, msg.n - half);
    u8(&b, 14), u24(&b, 0);
    /* CCS, then an encrypted Finished, then a warning alert in clear size */
    u8(&b, 20), u16(&b, 0x0303), u16(&b, 1), u8(&b, 1);
    u8(&b, 22), u16(&b, 0x0303), u16(&b, 40);
    for (int i = 0; i < 40; i++)
        u8(&b, 0xee);
    u8(&b, 21), u16(&b, 0x0303), u16(&b, 26);
    for (int i = 0; i < 26; i++)
        u8(&b, 0x11);
    struct conn *c = conn_new(1);
    struct tls_conn_state t;
    tls_init(&t);
    tls_feed(&t, c, SIDE_SERVER, b.b, b.n, 5, (struct tstamp){0, 0});
    CHECK(c->sh.present);
    CHECK_EQ_INT(c->sh.suite, 0xc02f);
    CHECK(c->server_hello_done);
    CHECK_EQ_INT(c->side[SIDE_SERVER].ccs_frame, 5);
    CHECK_EQ_INT(c->side[SIDE_SERVER].encrypted_hs_frame, 5);
    CHECK_EQ_INT(c->n_alerts, 1);
    CHECK(c->alerts[0].encrypted);
    CHECK_EQ_INT(c->alerts[0].record_len, 26);
    CHECK(!c->side[SIDE_SERVER].malformed);
    tls_free(&t);
    conn_free(c);
}

TEST(hello_retry_request_is_told_apart)
{
    static const uint8_t hrr_random[32] = {
        0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65,
        0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2,
        0xc8, 0xa8, 0x33, 0x9c};
    struct buf m = {{0}, 0};
    u16(&m, 0x0303), put(&m, hrr_random, 32), u8(&m, 0), u16(&m, 0x1301), u8(&m, 0);
    u16(&m, 12), u16(&m, 43), u16(&m, 2), u16(&m, 0x0304), u16(&m, 51), u16(&m, 2),
        u16(&m, 0x0017);
    struct conn *c = conn_new(1);
    struct cursor cur = cur_make(m.b, m.n);
    CHECK_EQ_INT(hs_server_hello(c, &cur, &where), ST_OK);
    CHECK(c->sh.hello_retry);
    CHECK(!c->sh.present);
    CHECK_EQ_INT(c->sh.hrr_group, 0x0017);
    conn_free(c);
}

TEST(alert_in_clear_and_garbage)
{
    static const uint8_t alert[] = {21, 3, 3, 0, 2, 2, 40};
    static const uint8_t http[] = "GET / HTTP/1.1\r\n";
    struct conn *c = conn_new(1);
    struct tls_conn_state t;
    tls_init(&t);
    tls_feed(&t, c, SIDE_SERVER, alert, sizeof alert, 3, (struct tstamp){0, 0});
    tls_feed(&t, c, SIDE_CLIENT, http, sizeof http - 1, 2, (struct tstamp){0, 0});
    CHECK_EQ_INT(c->n_alerts, 1);
    CHECK(!c->alerts[0].encrypted);
    CHECK_EQ_INT(c->alerts[0].level, 2);
    CHECK_EQ_INT(c->alerts[0].description, 40);
    CHECK(c->side[SIDE_CLIENT].not_tls);
    CHECK(memcmp(c->side[SIDE_CLIENT].first_bytes, "GET ", 4) == 0);
    tls_free(&t);
    conn_free(c);
}

TEST(oversized_record_is_malformed)
{
    static const uint8_t hdr[] = {22, 3, 1, 0x48, 0x01}; /* 18433 > 2^14 + 2048 */
    struct conn *c = conn_new(1);
    struct tls_conn_state t;
    tls_init(&t);
    tls_feed(&t, c, SIDE_CLIENT, hdr, sizeof hdr, 1, (struct tstamp){0, 0});
    CHECK(c->side[SIDE_CLIENT].malformed);
    tls_free(&t);
    conn_free(c);
}

TEST_MAIN("handshake", TEST_ENTRY(client_hello_fields), TEST_ENTRY(every_prefix_is_rejected),
          TEST_ENTRY(record_layer_any_split), TEST_ENTRY(records_and_messages),
          TEST_ENTRY(hello_retry_request_is_told_apart), TEST_ENTRY(alert_in_clear_and_garbage),
          TEST_ENTRY(oversized_record_is_malformed),
          TEST_ENTRY(post_quantum_share_and_ech_offer),
          TEST_ENTRY(ech_retry_configs_in_encrypted_extensions))
