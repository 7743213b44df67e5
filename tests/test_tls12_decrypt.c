/* test_tls12_decrypt.c: the TLS 1.0-1.2 PRFs against values computed by
 * `openssl kdf ... TLS1-PRF` and by an independent HMAC implementation
 * (Python's hmac module, P_hash of RFC 5246 5 written out), and record
 * opening on real client Finished records written by OpenSSL 3 (recorded
 * by one run of test-captures/gen/decrypt.sh, with the master secrets its
 * s_client logged): AES-GCM,
 * ChaCha20-Poly1305 and TLS 1.0 AES-CBC with encrypt-then-MAC. Every
 * truncation, bit flip, wrong direction and wrong sequence number fails
 * cleanly, and so does garbage. */
#include <stdlib.h>
#include <string.h>
#include "tls/tls12_decrypt.h"
#include "tls/tls12_prf.h"
#include "testlib.h"

/* PRF(secret, "test label", seed), 100 bytes */
static const char prf_secret[] = "9bbe436ba940f017b17652849a71db35";
static const char prf_seed[] = "a0ba9f936cda311827a6f796ffd5198c";
static const char prf_sha256[] =
    "E3F229BA727BE17B8D122620557CD453C2AAB21D07C3D495329B52D4E61EDB5A6B301791E90D35C9C9A46B4E14BA"
    "F9AF0FA022F7077DEF17ABFD3797C0564BAB4FBC91666E9DEF9B97FCE34F796789BAA48082D122EE42C5A72E5A51"
    "10FFF70187347B66";
static const char prf_sha384[] =
    "DD88775CD827187B67A3F7652B5C13F715791CC46E0274A6D3FB16651103DEFC544CD8AFB68369A219BB918B8B21"
    "DDB1764AF0A70339E6DEC085E574F655851BA692513203536BDFC3675E53768210F0A2389DD324311A440C7C30EF"
    "44B391D914C3B0C7";
static const char prf_md5_sha1[] =
    "661740E6F98BC901EFD2738502A71C03F76DD2F86298549B1148EFF06714CF0F6B7C532CD8C69F1530E0BB680EEC"
    "34C495FA75A8BFCC9C335484C0D3D194AB6E32975903C50EBCDBE9D67C0591BDBD80DDDCC36D33CCD58ADF96CAAE"
    "173F48DC40F983E2";

TEST(prf_matches_two_other_implementations)
{
    uint8_t secret[16], seed[16], out[100];
    size_t sl = testlib_unhex(prf_secret, secret, sizeof secret);
    size_t dl = testlib_unhex(prf_seed, seed, sizeof seed);
    const struct {
        enum tls12_prf_hash h;
        const char *want;
    } cases[] = {{.h = PRF_SHA256, .want = prf_sha256},
                 {.h = PRF_SHA384, .want = prf_sha384},
                 {.h = PRF_MD5_SHA1, .want = prf_md5_sha1}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CHECK_EQ_INT(tls12_prf(cases[i].h, secret, sl, "test label", seed, dl, NULL, 0, out,
                               sizeof out),
                     ST_OK);
        CHECK(testlib_same_hex(out, sizeof out, cases[i].want));
        /* the seed split in two is the same seed */
        CHECK_EQ_INT(tls12_prf(cases[i].h, secret, sl, "test label", seed, 5, seed + 5, dl - 5,
                               out, sizeof out),
                     ST_OK);
        CHECK(testlib_same_hex(out, sizeof out, cases[i].want));
    }
    /* a seed longer than any TLS uses is refused, not overrun */
    uint8_t big[300] = {0};
    CHECK_EQ_INT(tls12_prf(PRF_SHA256, secret, sl, "x", big, sizeof big, NULL, 0, out, 16),
                 ST_LIMIT);
    CHECK_EQ_INT(tls12_prf(PRF_SHA256, secret, 0, "x", seed, dl, NULL, 0, out, 16), ST_MALFORMED);
}

/* A client Finished record from a capture: suite, version, the key log's
 * master secret, the hello randoms, the record header and body. */
struct real_record {
    const char *what;
    uint16_t suite, version;
    bool etm;
    const char *master, *client_random, *server_random, *record;
};

static const struct real_record records[] = {
    {.what = "tls12-gcm: ECDHE-RSA-AES128-GCM-SHA256",
     .suite = 0xC02F, .version = 0x0303, .etm = false,
     .master = "a63761492e6c182a8562c7ff57f6557a3dffc41460c28efbcdfd0ce148e0d8f3d2bf2ce29b7290bbd691"
               "3fdf1589aa1a",
     .client_random = "13eb6fae54cba73854812229b542fb51d832882df83efaeaeef24ce617ea741c",
     .server_random = "b77712067fcaf13cbed6d65fd0921b39729f48eff95cb365444f574e47524401",
     .record = "1603030028307dd8521ed9c18bc317bfc8f377490e550e005cb9a2c41956f883a22e27be46053bb770"
               "dfe35f21"},
    {.what = "tls12-chacha: ECDHE-RSA-CHACHA20-POLY1305",
     .suite = 0xCCA8, .version = 0x0303, .etm = false,
     .master = "95b7495cafb463607b27cb93be3ccd7d141e06b13c85e7e4b3de7ede4df923c57748e9cb70169c020f51"
               "a1f4e7d81160",
     .client_random = "6baae4ed45b05a592742e413b7f883a26e2885a7b477fbc9f3152550bead687f",
     .server_random = "9a53a1d6552521d6b66abd182dc019acdd918f5a0861b327444f574e47524401",
     .record = "1603030020d7856f93e0dcf927e820613da750104f6aff8bf7256abd7dd85bd1be1635243"
               "8"},
    {.what = "tls10-cbc: ECDHE-RSA-AES128-SHA, TLS 1.0, encrypt-then-MAC",
     .suite = 0xC013, .version = 0x0301, .etm = true,
     .master = "287cd44befd46baebb1c5ace190863b7e928c4130648e6af4f1756ddfe439c78f38932d1f3e3ed68e7fa"
               "2398f1907c1c",
     .client_random = "f8d1fe21071d25b0313637498f526fc3d92aa21268e839cc057858e0dd7e1651",
     .server_random = "ced36441cf69989a144ea043bf225dd3f59e7ba0babde5b3444f574e47524400",
     .record = "160301003436c2edcedcff9bc1bd60d237a8201b62468859f056a00e79259fd3115612962be2b4592c"
               "4ec76387484dfd0ca6aa52b92e9f17e8"},
};

static bool keys_for(const struct real_record *r, bool client, struct tls12_keys *k)
{
    uint8_t master[48], cr[32], sr[32];
    if (testlib_unhex(r->master, master, 48) != 48 ||
        testlib_unhex(r->client_random, cr, 32) != 32 ||
        testlib_unhex(r->server_random, sr, 32) != 32)
        return false;
    return tls12_keys_from_master(r->version, r->suite, r->etm, master, cr, sr, client, k) ==
           ST_OK;
}

/* Opens the body of `rec` (5-byte header first) under a copy of k. */
static enum status open_copy(const struct tls12_keys *k, const uint8_t *rec, size_t n,
                             uint8_t *out, size_t *out_len)
{
    struct tls12_keys copy = *k;
    uint16_t version = (uint16_t)(rec[1] << 8 | rec[2]);
    return tls12_open(&copy, rec[0], version, rec + 5, n - 5, out, out_len);
}

TEST(real_finished_records_open)
{
    for (size_t i = 0; i < sizeof records / sizeof records[0]; i++) {
        const struct real_record *r = &records[i];
        struct tls12_keys k;
        uint8_t rec[128], out[128];
        size_t n = testlib_unhex(r->record, rec, sizeof rec), len = 0;
        CHECK(keys_for(r, true, &k));
        CHECK_EQ_INT(tls12_open(&k, rec[0], (uint16_t)(rec[1] << 8 | rec[2]), rec + 5, n - 5, out,
                                &len),
                     ST_OK);
        /* RFC 5246 7.4.9: Finished, 12 bytes of verify_data */
        CHECK_EQ_INT(len, 16);
        CHECK(out[0] == 20 && out[1] == 0 && out[2] == 0 && out[3] == 12);
        CHECK_EQ_INT(k.seq, 1);
        if (len != 16 || out[0] != 20)
            fprintf(stderr, "  %s\n", r->what);
    }
}

TEST(tampered_records_fail)
{
    for (size_t i = 0; i < sizeof records / sizeof records[0]; i++) {
        const struct real_record *r = &records[i];
        struct tls12_keys k, server_k;
        uint8_t rec[128], bad[128], out[128];
        size_t n = testlib_unhex(r->record, rec, sizeof rec), len = 0;
        CHECK(keys_for(r, true, &k) && keys_for(r, false, &server_k));
        /* every truncation */
        for (size_t cut = 5; cut < n; cut++)
            CHECK(open_copy(&k, rec, cut, out, &len) != ST_OK);
        /* every bit of the header (the additional data or MAC input) and body */
        for (size_t b = 0; b < n * 8; b++) {
            if (b < 8) /* the type: the same bytes under another type fail too */
                continue;
            memcpy(bad, rec, n);
            bad[b / 8] ^= (uint8_t)(1u << (b % 8));
            if (b / 8 == 3 || b / 8 == 4) /* a length byte: the body length is n - 5 */
                continue;
            CHECK(open_copy(&k, bad, n, out, &len) != ST_OK);
        }
        memcpy(bad, rec, n);
        bad[0] = 23;
        CHECK(open_copy(&k, bad, n, out, &len) != ST_OK);
        /* the server's keys, or the next sequence number */
        CHECK(open_copy(&server_k, rec, n, out, &len) != ST_OK);
        struct tls12_keys later = k;
        later.seq = 1;
        CHECK(open_copy(&later, rec, n, out, &len) != ST_OK);
    }
}

TEST(garbage_fails_cleanly)
{
    struct tls12_keys k;
    uint8_t junk[TLS12_MAX_CIPHERTEXT + 8], *out = malloc(sizeof junk);
    size_t len;
    srand(12);
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (uint8_t)rand();
    CHECK(out != NULL);
    for (size_t i = 0; out != NULL && i < sizeof records / sizeof records[0]; i++) {
        CHECK(keys_for(&records[i], true, &k));
        for (size_t n = 0; n < 200; n++)
            CHECK(tls12_open(&k, 23, 0x0303, junk, n, out, &len) != ST_OK);
        CHECK_EQ_INT(tls12_open(&k, 23, 0x0303, junk, sizeof junk, out, &len), ST_LIMIT);
        CHECK_EQ_INT(k.seq, 0);
    }
    free(out);
}

TEST(unsupported_suites_and_versions)
{
    uint8_t master[48] = {0}, r[32] = {0};
    struct tls12_keys k;
    CHECK(!tls12_suite_supported(0x0004)); /* RC4 */
    CHECK(tls12_suite_supported(0xC02F));
    CHECK_EQ_INT(tls12_keys_from_master(0x0303, 0x0004, false, master, r, r, true, &k),
                 ST_UNSUPPORTED);
    /* AEAD suites exist from TLS 1.2 on (RFC 5288 4) */
    CHECK_EQ_INT(tls12_keys_from_master(0x0301, 0xC02F, false, master, r, r, true, &k),
                 ST_UNSUPPORTED);
    /* SSL 3.0 MACs are MD5 or SHA-1 (test_ssl3.c opens its SHA-1 suites) */
    CHECK_EQ_INT(tls12_keys_from_master(0x0300, 0xC027, false, master, r, r, true, &k),
                 ST_UNSUPPORTED);
    CHECK_EQ_INT(tls12_keys_from_master(0x0200, 0x000A, false, master, r, r, true, &k),
                 ST_UNSUPPORTED);
    CHECK_EQ_INT(tls12_suite_prf(0xC030, 0x0303), PRF_SHA384);
    CHECK_EQ_INT(tls12_suite_prf(0xC02F, 0x0303), PRF_SHA256);
    CHECK_EQ_INT(tls12_suite_prf(0xC013, 0x0302), PRF_MD5_SHA1);
}

TEST_MAIN("tls12decrypt", TEST_ENTRY(prf_matches_two_other_implementations),
          TEST_ENTRY(real_finished_records_open), TEST_ENTRY(tampered_records_fail),
          TEST_ENTRY(garbage_fails_cleanly), TEST_ENTRY(unsupported_suites_and_versions))
