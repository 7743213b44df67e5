/* test_facts_codec.c: the facts as bytes (--facts, report/facts_codec.c) and
 * base64 (util/base64.c). Real captures' connections written, read back and
 * written again give the same bytes; every cut and every flipped byte of
 * a real encoding is refused or read into facts that keep their bounds;
 * contexts come back whole; base64 follows RFC 4648's vectors. */
#include <stdlib.h>
#include "analyze.h"
#include "quic/facts.h"
#include "report/facts_codec.h"
#include "rules/verdict.h"
#include "util/base64.h"
#include "testlib.h"

/* Every connection of a capture, encoded, decoded and encoded again. */
static int round_trips(const char *path, int *failures_, struct capbuf *first_blob)
{
    struct analyze_opts ao = {.max_conns = 1000};
    struct analysis a;
    int conns = 0;
    CHECK(analyze_file(path, &ao, &a) == ST_OK);
    for (size_t i = 0; i < analysis_slots(&a); i++) {
        struct conn *c = analysis_conn(&a, i), *back = NULL;
        if (c == NULL)
            continue;
        verdict_decide(c);
        struct capbuf one, two;
        capbuf_init(&one, FACTS_MAX_BYTES);
        capbuf_init(&two, FACTS_MAX_BYTES);
        CHECK(facts_encode_conn(c, &one) == ST_OK);
        CHECK(facts_decode_conn(one.p, one.len, &back) == ST_OK);
        if (back != NULL) {
            CHECK(facts_encode_conn(back, &two) == ST_OK);
            CHECK(one.len == two.len && memcmp(one.p, two.p, one.len) == 0);
            CHECK_EQ_INT(back->id, c->id);
            CHECK_EQ_INT(back->verdict, c->verdict);
            CHECK_EQ_INT(back->ch->sni_len, c->ch->sni_len);
            CHECK(memcmp(back->ch->sni, c->ch->sni, c->ch->sni_len) == 0);
            CHECK_EQ_INT(back->n_messages, c->n_messages);
            CHECK_EQ_INT(back->cert_bytes_len, c->cert_bytes_len);
            CHECK((back->quic == NULL) == (c->quic == NULL));
            conn_free(back);
        }
        if (first_blob != NULL && first_blob->len == 0)
            CHECK(capbuf_append(first_blob, one.p, one.len) == ST_OK);
        capbuf_free(&one);
        capbuf_free(&two);
        conns++;
    }
    analysis_free(&a);
    return conns;
}

TEST(real_connections_come_back_the_same)
{
    CHECK(round_trips("test-captures/certs/expired-tls12.pcap", failures_, NULL) > 0);
    CHECK(round_trips("test-captures/tcp/flight-lost-client.pcap", failures_, NULL) == 1);
    CHECK(round_trips("test-captures/quic/h3-ok.pcap", failures_, NULL) > 0);
    CHECK(round_trips("test-captures/fail/no-fs-suite.pcap", failures_, NULL) > 1);
}

/* The encoding of a connection with a certificate chain. */
static struct capbuf sample(int *failures_)
{
    struct capbuf b;
    capbuf_init(&b, FACTS_MAX_BYTES);
    round_trips("test-captures/certs/expired-tls12.pcap", failures_, &b);
    CHECK(b.len > 100);
    return b;
}

TEST(every_cut_is_refused)
{
    struct capbuf b = sample(failures_);
    for (size_t n = 0; n < b.len; n++) {
        struct conn *c = NULL;
        enum status st = facts_decode_conn(b.p, n, &c);
        CHECK(st != ST_OK && c == NULL);
    }
    capbuf_free(&b);
}

TEST(a_flipped_byte_is_refused_or_keeps_every_bound)
{
    struct capbuf b = sample(failures_);
    uint8_t *copy = malloc(b.len);
    CHECK(copy != NULL);
    for (size_t i = 0; copy != NULL && i < b.len; i++) {
        static const uint8_t masks[] = {0x01, 0x80, 0xff};
        for (size_t m = 0; m < sizeof masks; m++) {
            memcpy(copy, b.p, b.len);
            copy[i] ^= masks[m];
            struct conn *c = NULL;
            if (facts_decode_conn(copy, b.len, &c) != ST_OK) {
                CHECK(c == NULL);
                continue;
            }
            /* read as the rules and reporters read them: bounds held */
            CHECK(c->n_messages <= CONN_MAX_MESSAGES && c->n_alerts <= CONN_MAX_ALERTS);
            CHECK(c->ch->n_suites <= CH_MAX_SUITES && c->ch->sni_len <= SNI_MAX_LEN);
            CHECK(c->server_certs.kept <= CONN_MAX_CERTS);
            for (uint16_t k = 0; k < c->server_certs.kept; k++)
                CHECK(c->server_certs.der[k].off + (uint64_t)c->server_certs.der[k].len <=
                      c->cert_bytes_len);
            CHECK(memchr(c->incomplete_why, 0, sizeof c->incomplete_why) != NULL);
            verdict_decide(c);
            conn_free(c);
        }
    }
    free(copy);
    capbuf_free(&b);
}

/* A kept certificate without bytes is no fact a run writes (conn_keep_cert
 * keeps none): refused, so that no reader takes its offset into NULL (the
 * fuzz target found it). */
TEST(an_empty_kept_certificate_is_refused)
{
    struct capbuf b = sample(failures_), again;
    struct conn *c = NULL, *back = NULL;
    capbuf_init(&again, FACTS_MAX_BYTES);
    CHECK(facts_decode_conn(b.p, b.len, &c) == ST_OK && c != NULL);
    if (c != NULL && c->server_certs.kept > 0) {
        free(c->cert_bytes);
        c->cert_bytes = NULL;
        c->cert_bytes_len = 0;
        for (uint16_t i = 0; i < c->server_certs.kept; i++)
            c->server_certs.der[i].off = c->server_certs.der[i].len = 0;
        CHECK(facts_encode_conn(c, &again) == ST_OK);
        CHECK(facts_decode_conn(again.p, again.len, &back) == ST_MALFORMED && back == NULL);
    } else {
        CHECK(!"the sample has a server certificate");
    }
    conn_free(c);
    capbuf_free(&again);
    capbuf_free(&b);
}

TEST(another_layout_is_refused)
{
    struct capbuf b = sample(failures_);
    struct conn *c = NULL;
    /* the fingerprint follows the 4-byte magic varint (5 bytes of LEB128) */
    if (b.len > 6) {
        b.p[6] ^= 0x01;
        CHECK(facts_decode_conn(b.p, b.len, &c) == ST_MALFORMED && c == NULL);
    }
    capbuf_free(&b);
}

TEST(times_before_1970_and_large_values_come_back)
{
    struct conn *c = conn_new(7), *back = NULL;
    CHECK(c != NULL);
    if (c == NULL)
        return;
    c->start = (struct tstamp){.sec = -5, .nsec = 999999999};
    c->end = (struct tstamp){.sec = INT64_MIN + 1, .nsec = 0};
    c->capture_end = (struct tstamp){.sec = INT64_MAX, .nsec = 1};
    c->last_frame = UINT64_MAX;
    c->side[1].bytes = UINT64_MAX - 1;
    struct capbuf b;
    capbuf_init(&b, FACTS_MAX_BYTES);
    CHECK(facts_encode_conn(c, &b) == ST_OK);
    CHECK(facts_decode_conn(b.p, b.len, &back) == ST_OK);
    if (back != NULL) {
        CHECK(back->start.sec == -5 && back->start.nsec == 999999999);
        CHECK(back->end.sec == INT64_MIN + 1 && back->capture_end.sec == INT64_MAX);
        CHECK(back->last_frame == UINT64_MAX && back->side[1].bytes == UINT64_MAX - 1);
        CHECK_EQ_INT(back->id, 7);
    }
    conn_free(back);
    conn_free(c);
    capbuf_free(&b);
}

/* facts_same_flat says two connections are the same exactly when
 * decoding their encodings would: a flat connection of a real capture and
 * its decoded copy are the same; a field deep in a side's arrays tells them
 * apart; a time's padding, which is not encoded, does not; a connection
 * with a ClientHello of its own is never flat. */
TEST(sameness_is_what_decoding_tells_apart)
{
    static const char *const caps[] = {"test-captures/tcp/syn-storm.pcap",
                                       "test-captures/tcp/mass-reset.pcap",
                                       "test-captures/fail/connection-refused.pcap"};
    size_t flat = 0;
    for (size_t k = 0; k < sizeof caps / sizeof caps[0]; k++) {
        struct analyze_opts ao = {.max_conns = 1000};
        struct analysis a;
        CHECK(analyze_file(caps[k], &ao, &a) == ST_OK);
        for (size_t i = 0; i < analysis_slots(&a); i++) {
            struct conn *c = analysis_conn(&a, i), *back = NULL;
            if (c == NULL || !conn_is_flat(c))
                continue;
            verdict_decide(c);
            struct capbuf b;
            capbuf_init(&b, FACTS_MAX_BYTES);
            CHECK(facts_encode_conn(c, &b) == ST_OK);
            CHECK(facts_decode_conn(b.p, b.len, &back) == ST_OK);
            capbuf_free(&b);
            if (back == NULL)
                continue;
            flat++;
            CHECK(facts_same_flat(c, back));
            unsigned char *pad = (unsigned char *)&back->start + 12;
            *pad ^= 0xff;
            CHECK(facts_same_flat(c, back));
            back->side[SIDE_SERVER].retx_ts[7].nsec ^= 1;
            CHECK(!facts_same_flat(c, back));
            conn_free(back);
        }
        analysis_free(&a);
    }
    CHECK(flat >= 250);
    struct conn *x = conn_new(1), *y = conn_new(1);
    CHECK(x != NULL && y != NULL);
    if (x != NULL && y != NULL) {
        CHECK(facts_same_flat(x, y));
        CHECK(conn_client_hello(y) != NULL);
        CHECK(!facts_same_flat(x, y));
    }
    conn_free(x);
    conn_free(y);
}

static const struct addr server_a = {.family = 4, .bytes = {10, 1, 1, 5}};
static const struct addr server_b = {.family = 6, .bytes = {0x20, 0x01, 0x0d, 0xb8}};

TEST(a_context_comes_back_whole)
{
    struct rule_ctx *ctx = rules_ctx_new(NULL), *back = rules_ctx_new(NULL);
    CHECK(ctx != NULL && back != NULL);
    struct server_stats *s = ctx ? ctx_server_add(ctx, &server_a, 443) : NULL;
    struct server_stats *t = ctx ? ctx_server_add(ctx, &server_b, 8443) : NULL;
    CHECK(s != NULL && t != NULL);
    if (s == NULL || t == NULL || back == NULL)
        return;
    ctx->saw_payload = true;
    s->ok = 3;
    CHECK(server_list_note(s, SERVER_SUITES, 0xc02f, 3, 6, 0) == ST_OK);
    CHECK(server_list_note(s, SERVER_SUITES, 0x1301, 1, 40, 0) == ST_OK);
    CHECK(server_list_note(s, SERVER_VERSIONS, 0x0303, 3, 6, 0) == ST_OK);
    CHECK(server_list_note(s, SERVER_GROUPS, 0x001d, 0, 7, 0) == ST_OK);
    s->saw_sni = true;
    memcpy(s->cert_key, "RSA", 4);
    t->refused = 1;
    t->refused_frame = 99;
    struct capbuf b;
    capbuf_init(&b, FACTS_MAX_BYTES);
    CHECK(facts_encode_ctx(ctx, &b) == ST_OK);
    CHECK(facts_decode_ctx(b.p, b.len, back) == ST_OK);
    CHECK_EQ_INT(back->n_servers, 2);
    CHECK(back->saw_payload);
    const struct server_stats *s2 = &back->servers[0], *t2 = &back->servers[1];
    CHECK_EQ_INT(s2->ok, 3);
    CHECK(s2->saw_sni);
    CHECK_EQ_STR(s2->cert_key, "RSA");
    CHECK_EQ_INT(s2->n_suites, 2);
    CHECK_EQ_INT(s2->suites[0], 0xc02f);
    CHECK_EQ_INT(s2->suite_count[0], 3);
    CHECK_EQ_INT(s2->suite_frame[0], 6);
    CHECK_EQ_INT(s2->suites[1], 0x1301);
    CHECK_EQ_INT(s2->suite_frame[1], 40);
    CHECK_EQ_INT(s2->n_versions, 1);
    CHECK_EQ_INT(s2->versions[0], 0x0303);
    CHECK_EQ_INT(s2->version_count[0], 3);
    CHECK_EQ_INT(s2->n_groups, 1);
    CHECK_EQ_INT(s2->groups[0], 0x001d);
    CHECK_EQ_INT(s2->group_frame[0], 7);
    CHECK_EQ_INT(t2->refused, 1);
    CHECK_EQ_INT(t2->refused_frame, 99);
    CHECK_EQ_INT(t2->n_suites, 0);
    /* a server listed twice is not a context a run writes: server b's
     * address and port (family, length, bytes, port as LEB128) made a's */
    static const uint8_t b_bytes[] = {6, 4, 0x20, 0x01, 0x0d, 0xb8, 0xfb, 0x41};
    static const uint8_t a_bytes[] = {4, 4, 10, 1, 1, 5, 0xbb, 0x03};
    struct rule_ctx *twice = rules_ctx_new(NULL);
    bool found = false;
    for (size_t i = 0; i + sizeof b_bytes <= b.len && !found; i++)
        if (memcmp(b.p + i, b_bytes, sizeof b_bytes) == 0) {
            memcpy(b.p + i, a_bytes, sizeof a_bytes);
            found = true;
        }
    CHECK(found && twice != NULL && facts_decode_ctx(b.p, b.len, twice) == ST_MALFORMED);
    for (size_t n = 0; n < b.len; n++) {
        struct rule_ctx *cut = rules_ctx_new(NULL);
        CHECK(cut != NULL && facts_decode_ctx(b.p, n, cut) != ST_OK);
        rules_ctx_free(cut);
    }
    capbuf_free(&b);
    rules_ctx_free(ctx);
    rules_ctx_free(back);
    rules_ctx_free(twice);
}

TEST(base64_as_rfc_4648_writes_it)
{
    static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const coded[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
                                        "Zm9vYmFy"};
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        char buf[32] = "";
        FILE *f = fmemopen(buf, sizeof buf, "w");
        CHECK(f != NULL);
        if (f == NULL)
            return;
        base64_write(f, (const uint8_t *)plain[i], strlen(plain[i]));
        fclose(f);
        CHECK_EQ_STR(buf, coded[i]);
        struct capbuf b;
        capbuf_init(&b, 64);
        CHECK(base64_decode(coded[i], strlen(coded[i]), &b) == ST_OK);
        CHECK(b.len == strlen(plain[i]) && (b.len == 0 || memcmp(b.p, plain[i], b.len) == 0));
        capbuf_free(&b);
    }
    static const char *const bad[] = {"Zg=", "Z===", "Zg==Zg==", "Zm9v!A==", "=Zg=", "Zm 9"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct capbuf b;
        capbuf_init(&b, 64);
        CHECK(base64_decode(bad[i], strlen(bad[i]), &b) == ST_MALFORMED);
        capbuf_free(&b);
    }
}

TEST_MAIN("facts_codec", {"real_connections_come_back_the_same", real_connections_come_back_the_same},
          {"every_cut_is_refused", every_cut_is_refused},
          {"a_flipped_byte_is_refused_or_keeps_every_bound",
           a_flipped_byte_is_refused_or_keeps_every_bound},
          {"an_empty_kept_certificate_is_refused", an_empty_kept_certificate_is_refused},
          {"another_layout_is_refused", another_layout_is_refused},
          {"times_before_1970_and_large_values_come_back",
           times_before_1970_and_large_values_come_back},
          {"sameness_is_what_decoding_tells_apart", sameness_is_what_decoding_tells_apart},
          {"a_context_comes_back_whole", a_context_comes_back_whole},
          {"base64_as_rfc_4648_writes_it", base64_as_rfc_4648_writes_it})
