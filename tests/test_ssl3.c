/* test_ssl3.c: SSL 3.0 (RFC 6101) against tests/ssl3_vectors.py, which
 * writes the formulas out with Python's hashlib: the master secret and key
 * block (MD5/SHA-1 with the salts 'A', 'BB', 'CCC'), the record MAC with
 * pad_1/pad_2 (MD5 and SHA-1) and Finished (through the running handshake
 * hashes of transcript.c). Then the client Finished record of the 3DES
 * connection of test-captures/decrypt/ssl3-rsa-cbc.pcap (OpenJDK 17), with
 * the master secret the script derived from the server's key: it opens to
 * the Finished the script computed, and any change to it, the wrong side's
 * keys, a wrong master secret or the wrong sequence number fail cleanly. */
#include <string.h>
#include "tls/ssl3.h"
#include "tls/tls12_decrypt.h"
#include "tls/transcript.h"
#include "testlib.h"

/* python3 tests/ssl3_vectors.py */
static const char v_master[] =
    "497608d1bb0f3f82fe73ff6145c9f0773c6a3eb2c4b6fc6b31a596c59e6ccf67d760685b0a841c7cdb8e74e5"
    "8b87834a";
static const char v_key_block[] =
    "873900f125d5d8fb1fe0b77abda9d994a00a3afa33ad0e10c7c35ce2c74a34491a05d2f93e7b16bcc85474cd"
    "e9504d6e8e8f24008d2b71a518fca9876a5ee00d3606563321acc12bc547ab35c19d398a3d885b1a0d152a02"
    "21dffc9d46516ee257219fc54f39635e";
static const char v_mac_sha1[] =
    "7d359a3692e3cce632dd5dc91da420f912e9fdbf";
static const char v_mac_md5[] =
    "08ce1806a645a785506e11dc1c46544b";
static const char v_finished_client[] =
    "dd36dd7f8d85a701970d1e19e8d506ef3b06d1d55ff05a0fb0ba74167405d2012de43fb0";
static const char v_finished_server[] =
    "6bde211ccb3a6e2b71d0d59fbae7fef5d828a164ae161ae565d67b7f25c878c4dd33428e";
static const char real_master[] =
    "4ceefb90b653b69c3fc35bd9c677247d84c93f1743d55b3acbf6b8306688cf468a08c680a7ab0c320984cde9"
    "8b196776";
static const char real_client_random[] =
    "43235bd5a4a6dcd53ebd3db9f9023c481f4026e25d19ce66e5aa55004f6fc72c";
static const char real_server_random[] =
    "a6902b6970312a9d5865e2a0bf4a008db0dcf4b6693bf97e1f2fe7f76df647c5";
static const char real_finished_record[] =
    "ab8361e1d5bb25b99b6f129dff5c907e0b7f537b7fe8e2dfd319777b50def68c8f6347f019b322f667d3664c"
    "24fcb72b7ab6d5bb69d6400509f6dc6c807233df";
static const char real_finished_plain[] =
    "1400002410e06a2d513808bac3c242912b93882343584246c4f35c24e20eb73998f8c2485de9a543";

/* the inputs of the synthetic vectors (as in ssl3_vectors.py) */
static void inputs(uint8_t pms[48], uint8_t cr[32], uint8_t sr[32])
{
    pms[0] = 3;
    pms[1] = 0;
    for (int i = 2; i < 48; i++)
        pms[i] = (uint8_t)i;
    for (int i = 0; i < 32; i++) {
        cr[i] = (uint8_t)(0x10 + i);
        sr[i] = (uint8_t)(0x40 + i);
    }
}

TEST(master_secret_and_key_block)
{
    uint8_t pms[48], cr[32], sr[32], master[48], block[104];
    inputs(pms, cr, sr);
    CHECK_EQ_INT(ssl3_master_secret(pms, sizeof pms, cr, sr, master), ST_OK);
    CHECK(testlib_same_hex(master, sizeof master, v_master));
    CHECK_EQ_INT(ssl3_key_block(master, cr, sr, block, sizeof block), ST_OK);
    CHECK(testlib_same_hex(block, sizeof block, v_key_block));
    /* a shorter key block is a prefix of the longer one */
    uint8_t part[37];
    CHECK_EQ_INT(ssl3_key_block(master, cr, sr, part, sizeof part), ST_OK);
    CHECK(memcmp(part, block, sizeof part) == 0);
    /* past 'Z' there are no salts left: refused, not overrun */
    static uint8_t big[SSL3_MAX_KEY_BLOCK + 1];
    CHECK_EQ_INT(ssl3_key_block(master, cr, sr, big, sizeof big), ST_LIMIT);
    CHECK_EQ_INT(ssl3_master_secret(pms, 0, cr, sr, master), ST_MALFORMED);
}

TEST(record_mac)
{
    uint8_t secret[20], out[SSL3_MAX_MAC];
    size_t len = 0;
    for (int i = 0; i < 20; i++)
        secret[i] = (uint8_t)i;
    const char *msg = "hello, SSL 3.0";
    CHECK_EQ_INT(ssl3_mac(SSL3_MAC_SHA1, secret, 1, 23, (const uint8_t *)msg, strlen(msg), out,
                          &len),
                 ST_OK);
    CHECK_EQ_INT(len, 20);
    CHECK(testlib_same_hex(out, len, v_mac_sha1));
    CHECK_EQ_INT(ssl3_mac(SSL3_MAC_MD5, secret, 0x0102030405060708ULL, 22, NULL, 0, out, &len),
                 ST_OK);
    CHECK_EQ_INT(len, 16);
    CHECK(testlib_same_hex(out, len, v_mac_md5));
}

TEST(finished_from_the_transcript)
{
    uint8_t pms[48], cr[32], sr[32], master[48], out[SSL3_FINISHED_LEN];
    inputs(pms, cr, sr);
    CHECK_EQ_INT(ssl3_master_secret(pms, sizeof pms, cr, sr, master), ST_OK);
    struct tls_transcript *t = transcript_new();
    CHECK(t != NULL);
    /* the same bytes in uneven pieces */
    const char *piece = "ssl3 handshake messages ";
    for (int i = 0; i < 5; i++) {
        transcript_add(t, (const uint8_t *)piece, 7);
        transcript_add(t, (const uint8_t *)piece + 7, strlen(piece) - 7);
    }
    CHECK(transcript_ssl3_finished(t, master, true, out));
    CHECK(testlib_same_hex(out, sizeof out, v_finished_client));
    /* asking does not disturb the running hashes */
    CHECK(transcript_ssl3_finished(t, master, false, out));
    CHECK(testlib_same_hex(out, sizeof out, v_finished_server));
    /* a lost byte of the handshake: no Finished is judged */
    transcript_break(t);
    CHECK(!transcript_ssl3_finished(t, master, true, out));
    CHECK(!transcript_ssl3_finished(NULL, master, true, out));
    transcript_free(t);
}

/* The capture's keys; flip: one bit of the master secret wrong (a wrong
 * pre-master gives another master secret). */
static bool real_keys(bool client, bool flip, struct tls12_keys *k)
{
    uint8_t master[48], cr[32], sr[32];
    if (testlib_unhex(real_master, master, 48) != 48 ||
        testlib_unhex(real_client_random, cr, 32) != 32 ||
        testlib_unhex(real_server_random, sr, 32) != 32)
        return false;
    if (flip)
        master[47] ^= 1;
    return tls12_keys_from_master(0x0300, 0x000A, false, master, cr, sr, client, k) == ST_OK;
}

static enum status open_copy(const struct tls12_keys *k, uint8_t type, const uint8_t *rec,
                             size_t n, uint8_t *out, size_t *len)
{
    struct tls12_keys copy = *k;
    return tls12_open(&copy, type, 0x0300, rec, n, out, len);
}

TEST(real_record_opens)
{
    struct tls12_keys k, server_k, wrong_k;
    uint8_t rec[64], bad[64], out[64];
    size_t n = testlib_unhex(real_finished_record, rec, sizeof rec), len = 0;
    CHECK_EQ_INT(n, 64);
    CHECK(real_keys(true, false, &k) && real_keys(false, false, &server_k) &&
          real_keys(true, true, &wrong_k));
    /* 3DES: the chained IV of SSL 3.0 comes from the key block */
    CHECK(tls12_chained_iv(&k));
    CHECK_EQ_INT(open_copy(&k, 22, rec, n, out, &len), ST_OK);
    CHECK_EQ_INT(len, 40);
    CHECK(testlib_same_hex(out, len, real_finished_plain));
    /* every truncation and every bit flipped */
    for (size_t cut = 0; cut < n; cut++)
        CHECK(open_copy(&k, 22, rec, cut, out, &len) != ST_OK);
    for (size_t b = 0; b < n * 8; b++) {
        memcpy(bad, rec, n);
        bad[b / 8] ^= (uint8_t)(1u << (b % 8));
        CHECK(open_copy(&k, 22, bad, n, out, &len) != ST_OK);
    }
    /* another content type (in the MAC), the server's keys, the next sequence number */
    CHECK(open_copy(&k, 23, rec, n, out, &len) != ST_OK);
    CHECK(open_copy(&server_k, 22, rec, n, out, &len) != ST_OK);
    CHECK_EQ_INT(open_copy(&wrong_k, 22, rec, n, out, &len), ST_MALFORMED);
    struct tls12_keys later = k;
    later.seq = 1;
    CHECK(open_copy(&later, 22, rec, n, out, &len) != ST_OK);
    /* the record opened moves the sequence number and the chained IV on */
    CHECK_EQ_INT(tls12_open(&k, 22, 0x0300, rec, n, out, &len), ST_OK);
    CHECK_EQ_INT(k.seq, 1);
    CHECK(memcmp(k.iv, rec + n - 8, 8) == 0);
}

TEST(ssl3_suites)
{
    uint8_t master[48] = {0}, r[32] = {0};
    struct tls12_keys k;
    /* SHA-1 CBC suites: the AES suites too, as OpenJDK and OpenSSL 1.0 used them in SSL 3.0 */
    CHECK_EQ_INT(tls12_keys_from_master(0x0300, 0x002F, false, master, r, r, true, &k), ST_OK);
    CHECK(!k.etm);
    CHECK_EQ_INT(tls12_keys_from_master(0x0300, 0x002F, true, master, r, r, true, &k), ST_OK);
    CHECK(!k.etm); /* encrypt-then-MAC is TLS's (RFC 7366), whatever is asked */
    /* RC4 (SSL_RSA_WITH_RC4_128_MD5, _SHA): not decrypted here */
    CHECK_EQ_INT(tls12_keys_from_master(0x0300, 0x0004, false, master, r, r, true, &k),
                 ST_UNSUPPORTED);
    CHECK_EQ_INT(tls12_keys_from_master(0x0300, 0x0005, false, master, r, r, true, &k),
                 ST_UNSUPPORTED);
    CHECK_EQ_INT(tls12_keys_from_master(0x0300, 0x009C, false, master, r, r, true, &k),
                 ST_UNSUPPORTED);
}

TEST_MAIN("ssl3", TEST_ENTRY(master_secret_and_key_block), TEST_ENTRY(record_mac),
          TEST_ENTRY(finished_from_the_transcript), TEST_ENTRY(real_record_opens),
          TEST_ENTRY(ssl3_suites))
