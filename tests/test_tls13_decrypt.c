/* test_tls13_decrypt.c: TLS 1.3 traffic keys and record decryption against
 * the "Simple 1-RTT Handshake" of RFC 8448 section 3 (0x1301), the other four
 * suites against records OpenSSL made (tls13_suite_vectors.h, from the
 * captures in test-captures/tls13-suites/: OpenSSL's key log and a known
 * plaintext, decrypted by tshark too when they were made), padding and
 * hostile records, and the whole path through tls_stream.c with a key log:
 * decrypted messages, certificates and alerts become facts. */
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include "facts/conn.h"
#include "tls/handshake.h"
#include "tls/keylog.h"
#include "testlib.h"
#include "tls/tls13_decrypt.h"
#include "tls/tls_stream.h"
#include "tls13_suite_vectors.h"

/* ---- RFC 8448 section 3, verbatim ---- */
static const char client_random[] =
    "cb 34 ec b1 e7 81 63 ba 1c 38 c6 da cb 19 6a 6d ff a2 1a 8d 99 12 ec 18 a2 ef 62 83 02 4d"
    "ec e7";
static const char client_hello[] =
    "01 00 00 c0 03 03 cb 34 ec b1 e7 81 63 ba 1c 38 c6 da cb 19 6a 6d ff a2 1a 8d 99 12 ec 18"
    "a2 ef 62 83 02 4d ec e7 00 00 06 13 01 13 03 13 02 01 00 00 91 00 00 00 0b 00 09 00 00 06"
    "73 65 72 76 65 72 ff 01 00 01 00 00 0a 00 14 00 12 00 1d 00 17 00 18 00 19 01 00 01 01 01"
    "02 01 03 01 04 00 23 00 00 00 33 00 26 00 24 00 1d 00 20 99 38 1d e5 60 e4 bd 43 d2 3d 8e"
    "43 5a 7d ba fe b3 c0 6e 51 c1 3c ae 4d 54 13 69 1e 52 9a af 2c 00 2b 00 03 02 03 04 00 0d"
    "00 20 00 1e 04 03 05 03 06 03 02 03 08 04 08 05 08 06 04 01 05 01 06 01 02 01 04 02 05 02"
    "06 02 02 02 00 2d 00 02 01 01 00 1c 00 02 40 01";
static const char server_hello[] =
    "02 00 00 56 03 03 a6 af 06 a4 12 18 60 dc 5e 6e 60 24 9c d3 4c 95 93 0c 8a c5 cb 14 34 da"
    "c1 55 77 2e d3 e2 69 28 00 13 01 00 00 2e 00 33 00 24 00 1d 00 20 c9 82 88 76 11 20 95 fe"
    "66 76 2b db f7 c6 72 e1 56 d6 cc 25 3b 83 3d f1 dd 69 b1 b0 4e 75 1f 0f 00 2b 00 02 03 04";
static const char client_hs_secret[] =
    "b3 ed db 12 6e 06 7f 35 a7 80 b3 ab f4 5e 2d 8f 3b 1a 95 07 38 f5 2e 96 00 74 6a 0e 27 a5"
    "5a 21";
static const char server_hs_secret[] =
    "b6 7b 7d 69 0c c1 6c 4e 75 e5 42 13 cb 2d 37 b4 e9 c9 12 bc de d9 10 5d 42 be fd 59 d3 91"
    "ad 38";
static const char client_ap_secret[] =
    "9e 40 64 6c e7 9a 7f 9d c0 5a f8 88 9b ce 65 52 87 5a fa 0b 06 df 00 87 f7 92 eb b7 c1 75"
    "04 a5";
static const char server_ap_secret[] =
    "a1 1a f9 f0 55 31 f8 56 ad 47 11 6b 45 a9 50 32 82 04 b4 f4 4b fb 6b 3a 4b 4f 1f 3f cb 63"
    "16 43";
static const char server_hs_key[] = "3f ce 51 60 09 c2 17 27 d0 f2 e4 e8 6e e4 03 bc";
static const char server_hs_iv[] = "5d 31 3e b2 67 12 76 ee 13 00 0b 30";
static const char client_hs_key[] = "db fa a6 93 d1 76 2c 5b 66 6a f5 d9 50 25 8d 01";
static const char client_hs_iv[] = "5b d3 c7 1b 83 6e 0b 76 bb 73 26 5f";
static const char server_ap_key[] = "9f 02 28 3b 6c 9c 07 ef c2 6b b9 f2 ac 92 e3 56";
static const char server_ap_iv[] = "cf 78 2b 88 dd 83 54 9a ad f1 e9 84";
static const char client_ap_key[] = "17 42 2d da 59 6e d5 d9 ac d8 90 e3 c6 3f 50 51";
static const char client_ap_iv[] = "5b 78 92 3d ee 08 57 90 33 e5 23 d9";
/* {server} send handshake record: EncryptedExtensions, Certificate,
 * CertificateVerify, Finished (679 octets) */
static const char server_flight_record[] =
    "17 03 03 02 a2 d1 ff 33 4a 56 f5 bf f6 59 4a 07 cc 87 b5 80 23 3f 50 0f 45 e4 89 e7 f3 3a"
    "f3 5e df 78 69 fc f4 0a a4 0a a2 b8 ea 73 f8 48 a7 ca 07 61 2e f9 f9 45 cb 96 0b 40 68 90"
    "51 23 ea 78 b1 11 b4 29 ba 91 91 cd 05 d2 a3 89 28 0f 52 61 34 aa dc 7f c7 8c 4b 72 9d f8"
    "28 b5 ec f7 b1 3b d9 ae fb 0e 57 f2 71 58 5b 8e a9 bb 35 5c 7c 79 02 07 16 cf b9 b1 18 3e"
    "f3 ab 20 e3 7d 57 a6 b9 d7 47 76 09 ae e6 e1 22 a4 cf 51 42 73 25 25 0c 7d 0e 50 92 89 44"
    "4c 9b 3a 64 8f 1d 71 03 5d 2e d6 5b 0e 3c dd 0c ba e8 bf 2d 0b 22 78 12 cb b3 60 98 72 55"
    "cc 74 41 10 c4 53 ba a4 fc d6 10 92 8d 80 98 10 e4 b7 ed 1a 8f d9 91 f0 6a a6 24 82 04 79"
    "7e 36 a6 a7 3b 70 a2 55 9c 09 ea d6 86 94 5b a2 46 ab 66 e5 ed d8 04 4b 4c 6d e3 fc f2 a8"
    "94 41 ac 66 27 2f d8 fb 33 0e f8 19 05 79 b3 68 45 96 c9 60 bd 59 6e ea 52 0a 56 a8 d6 50"
    "f5 63 aa d2 74 09 96 0d ca 63 d3 e6 88 61 1e a5 e2 2f 44 15 cf 95 38 d5 1a 20 0c 27 03 42"
    "72 96 8a 26 4e d6 54 0c 84 83 8d 89 f7 2c 24 46 1a ad 6d 26 f5 9e ca ba 9a cb bb 31 7b 66"
    "d9 02 f4 f2 92 a3 6a c1 b6 39 c6 37 ce 34 31 17 b6 59 62 22 45 31 7b 49 ee da 0c 62 58 f1"
    "00 d7 d9 61 ff b1 38 64 7e 92 ea 33 0f ae ea 6d fa 31 c7 a8 4d c3 bd 7e 1b 7a 6c 71 78 af"
    "36 87 90 18 e3 f2 52 10 7f 24 3d 24 3d c7 33 9d 56 84 c8 b0 37 8b f3 02 44 da 8c 87 c8 43"
    "f5 e5 6e b4 c5 e8 28 0a 2b 48 05 2c f9 3b 16 49 9a 66 db 7c ca 71 e4 59 94 26 f7 d4 61 e6"
    "6f 99 88 2b d8 9f c5 08 00 be cc a6 2d 6c 74 11 6d bd 29 72 fd a1 fa 80 f8 5d f8 81 ed be"
    "5a 37 66 89 36 b3 35 58 3b 59 91 86 dc 5c 69 18 a3 96 fa 48 a1 81 d6 b6 fa 4f 9d 62 d5 13"
    "af bb 99 2f 2b 99 2f 67 f8 af e6 7f 76 91 3f a3 88 cb 56 30 c8 ca 01 e0 c6 5d 11 c6 6a 1e"
    "2a c4 c8 59 77 b7 c7 a6 99 9b bf 10 dc 35 ae 69 f5 51 56 14 63 6c 0b 9b 68 c1 9e d2 e3 1c"
    "0b 3b 66 76 30 38 eb ba 42 f3 b3 8e dc 03 99 f3 a9 f2 3f aa 63 97 8c 31 7f c9 fa 66 a7 3f"
    "60 f0 50 4d e9 3b 5b 84 5e 27 55 92 c1 23 35 ee 34 0b bc 4f dd d5 02 78 40 16 e4 b3 be 7e"
    "f0 4d da 49 f4 b4 40 a3 0c b5 d2 af 93 98 28 fd 4a e3 79 4e 44 f9 4d f5 a6 31 ed e4 2c 17"
    "19 bf da bf 02 53 fe 51 75 be 89 8e 75 0e dc 53 37 0d 2b";
/* {client} send handshake record: Finished */
static const char client_finished_record[] =
    "17 03 03 00 35 75 ec 4d c2 38 cc e6 0b 29 80 44 a7 1e 21 9c 56 cc 77 b0 51 7f e9 b9 3c 7a"
    "4b fc 44 d8 7f 38 f8 03 38 ac 98 fc 46 de b3 84 bd 1c ae ac ab 68 67 d7 26 c4 05 46";
/* {client} send application_data record, sequence 0 */
static const char client_app_record[] =
    "17 03 03 00 43 a2 3f 70 54 b6 2c 94 d0 af fa fe 82 28 ba 55 cb ef ac ea 42 f9 14 aa 66 bc"
    "ab 3f 2b 98 19 a8 a5 b4 6b 39 5b d5 4a 9a 20 44 1e 2b 62 97 4e 1f 5a 62 92 a2 97 70 14 bd"
    "1e 3d ea e6 3a ee bb 21 69 49 15 e4";
/* {server} send application_data record, sequence 1 (a ticket went first) */
static const char server_app_record[] =
    "17 03 03 00 43 2e 93 7e 11 ef 4a c7 40 e5 38 ad 36 00 5f c4 a4 69 32 fc 32 25 d0 5f 82 aa"
    "1b 36 e3 0e fa f9 7d 90 e6 df fc 60 2d cb 50 1a 59 a8 fc c4 9c 4b f2 e5 f0 a2 1c 00 47 c2"
    "ab f3 32 54 0d d0 32 e1 67 c2 95 5d";
static const char encrypted_extensions[] =
    "08 00 00 24 00 22 00 0a 00 14 00 12 00 1d 00 17 00 18 00 19 01 00 01 01 01 02 01 03 01 04"
    "00 1c 00 02 40 01 00 00 00 00";
static const char server_finished[] =
    "14 00 00 20 9b 9b 14 1d 90 63 37 fb d2 cb dc e7 1d f4 de da 4a b4 2c 30 95 72 cb 7f ff ee"
    "54 54 b7 8f 07 18";
static const char client_finished[] =
    "14 00 00 20 a8 ec 43 6d 67 76 34 ae 52 5a c1 fc eb e1 1a 03 9e c1 76 94 fa c6 e9 85 27 b6"
    "42 f2 ed d5 ce 61";

enum { SUITE_AES_128_GCM = 0x1301 };

/* Opens a whole record (header included) under `k`. */
static enum status open_record(struct tls13_keys *k, const uint8_t *rec, size_t n, uint8_t *out,
                               size_t *out_len, uint8_t *type)
{
    return tls13_open(k, rec, rec + 5, n - 5, out, out_len, type);
}

TEST(rfc8448_handshake_keys)
{
    uint8_t secret[48];
    struct tls13_keys k;
    size_t n = testlib_unhex(server_hs_secret, secret, sizeof secret);
    CHECK_EQ_INT(n, 32);
    CHECK_EQ_INT(tls13_traffic_keys(SUITE_AES_128_GCM, secret, n, &k), ST_OK);
    CHECK_EQ_INT(k.key_len, 16);
    CHECK_EQ_INT(k.tag_len, 16);
    CHECK(testlib_same_hex(k.key, k.key_len, server_hs_key));
    CHECK(testlib_same_hex(k.iv, TLS13_IV_LEN, server_hs_iv));
    CHECK_EQ_INT(k.seq, 0);
    n = testlib_unhex(client_hs_secret, secret, sizeof secret);
    CHECK_EQ_INT(tls13_traffic_keys(SUITE_AES_128_GCM, secret, n, &k), ST_OK);
    CHECK(testlib_same_hex(k.key, k.key_len, client_hs_key));
    CHECK(testlib_same_hex(k.iv, TLS13_IV_LEN, client_hs_iv));
}

TEST(rfc8448_application_keys)
{
    uint8_t secret[48];
    struct tls13_keys k;
    size_t n = testlib_unhex(server_ap_secret, secret, sizeof secret);
    CHECK_EQ_INT(tls13_traffic_keys(SUITE_AES_128_GCM, secret, n, &k), ST_OK);
    CHECK(testlib_same_hex(k.key, k.key_len, server_ap_key));
    CHECK(testlib_same_hex(k.iv, TLS13_IV_LEN, server_ap_iv));
    n = testlib_unhex(client_ap_secret, secret, sizeof secret);
    CHECK_EQ_INT(tls13_traffic_keys(SUITE_AES_128_GCM, secret, n, &k), ST_OK);
    CHECK(testlib_same_hex(k.key, k.key_len, client_ap_key));
    CHECK(testlib_same_hex(k.iv, TLS13_IV_LEN, client_ap_iv));
}

TEST(rfc8448_server_flight_decrypts)
{
    uint8_t secret[48], rec[1024], out[1024];
    struct tls13_keys k;
    size_t n = testlib_unhex(server_hs_secret, secret, sizeof secret), len = 0;
    uint8_t type = 0;
    CHECK_EQ_INT(tls13_traffic_keys(SUITE_AES_128_GCM, secret, n, &k), ST_OK);
    size_t rn = testlib_unhex(server_flight_record, rec, sizeof rec);
    CHECK_EQ_INT(rn, 679);
    CHECK_EQ_INT(open_record(&k, rec, rn, out, &len, &type), ST_OK);
    CHECK_EQ_INT(type, 22);
    /* EncryptedExtensions 40 + Certificate 445 + CertificateVerify 136 + Finished 36 */
    CHECK_EQ_INT(len, 657);
    CHECK(testlib_same_hex(out, 40, encrypted_extensions));
    CHECK_EQ_INT(out[40], HS_CERTIFICATE);
    CHECK_EQ_INT(out[40 + 445], HS_CERTIFICATE_VERIFY);
    CHECK(testlib_same_hex(out + 657 - 36, 36, server_finished));
    CHECK_EQ_INT(k.seq, 1);
}

TEST(rfc8448_client_records_decrypt)
{
    uint8_t secret[48], rec[256], out[256];
    struct tls13_keys k;
    size_t n = testlib_unhex(client_hs_secret, secret, sizeof secret), len = 0;
    uint8_t type = 0;
    CHECK_EQ_INT(tls13_traffic_keys(SUITE_AES_128_GCM, secret, n, &k), ST_OK);
    size_t rn = testlib_unhex(client_finished_record, rec, sizeof rec);
    CHECK_EQ_INT(open_record(&k, rec, rn, out, &len, &type), ST_OK);
    CHECK_EQ_INT(type, 22);
    CHECK(testlib_same_hex(out, len, client_finished));
    /* application data: 50 bytes 00..31 */
    n = testlib_unhex(client_ap_secret, secret, sizeof secret);
    CHECK_EQ_INT(tls13_traffic_keys(SUITE_AES_128_GCM, secret, n, &k), ST_OK);
    rn = testlib_unhex(client_app_record, rec, sizeof rec);
    /* in place, as tls_stream.c does it */
    CHECK_EQ_INT(open_record(&k, rec, rn, rec + 5, &len, &type), ST_OK);
    CHECK_EQ_INT(type, 23);
    CHECK_EQ_INT(len, 50);
    for (size_t i = 0; i < len && i < 50; i++)
        CHECK_EQ_INT(rec[5 + i], i);
}

/* RFC 8446 5.3: the nonce is the iv XOR the sequence number, so a record
 * opens only at its own sequence number. */
TEST(sequence_number_is_in_the_nonce)
{
    uint8_t secret[48], rec[256], out[256];
    struct tls13_keys k;
    size_t n = testlib_unhex(server_ap_secret, secret, sizeof secret), len = 0;
    uint8_t type = 0;
    size_t rn = testlib_unhex(server_app_record, rec, sizeof rec);
    CHECK_EQ_INT(tls13_traffic_keys(SUITE_AES_128_GCM, secret, n, &k), ST_OK);
    CHECK_EQ_INT(open_record(&k, rec, rn, out, &len, &type), ST_MALFORMED);
    CHECK_EQ_INT(k.seq, 0); /* unchanged on failure */
    k.seq = 1;
    CHECK_EQ_INT(open_record(&k, rec, rn, out, &len, &type), ST_OK);
    CHECK_EQ_INT(type, 23);
    CHECK_EQ_INT(len, 50);
    CHECK_EQ_INT(k.seq, 2);
}

TEST(tampered_records_fail)
{
    uint8_t secret[48], rec[256], out[256];
    struct tls13_keys k;
    size_t n = testlib_unhex(client_hs_secret, secret, sizeof secret), len = 0;
    uint8_t type = 0;
    size_t rn = testlib_unhex(client_finished_record, rec, sizeof rec);
    CHECK_EQ_INT(tls13_traffic_keys(SUITE_AES_128_GCM, secret, n, &k), ST_OK);
    /* each byte: header (additional data), ciphertext, tag */
    static const size_t at[] = {0, 2, 4, 5, 20, 40, 57};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        rec[at[i]] ^= 0x01;
        CHECK_EQ_INT(open_record(&k, rec, rn, out, &len, &type), ST_MALFORMED);
        rec[at[i]] ^= 0x01;
    }
    /* every truncation fails cleanly */
    for (size_t cut = 5; cut < rn; cut++)
        CHECK(open_record(&k, rec, cut, out, &len, &type) != ST_OK);
    /* the server's keys do not open the client's record */
    n = testlib_unhex(server_hs_secret, secret, sizeof secret);
    CHECK_EQ_INT(tls13_traffic_keys(SUITE_AES_128_GCM, secret, n, &k), ST_OK);
    CHECK_EQ_INT(open_record(&k, rec, rn, out, &len, &type), ST_MALFORMED);
    CHECK_EQ_INT(open_record(&k, rec, rn, out, &len, &type), ST_MALFORMED);
    CHECK_EQ_INT(k.seq, 0);
}

TEST(bad_parameters)
{
    uint8_t secret[48] = {0}, out[64];
    struct tls13_keys k;
    CHECK(!tls13_suite_supported(0x1306));
    CHECK(!tls13_suite_supported(0xc02f));
    CHECK_EQ_INT(tls13_hash_len(0x1302), 48);
    CHECK_EQ_INT(tls13_hash_len(0x1305), 32);
    CHECK_EQ_INT(tls13_traffic_keys(0xc02f, secret, 32, &k), ST_UNSUPPORTED);
    /* the secret must be Hash.length long */
    CHECK_EQ_INT(tls13_traffic_keys(0x1301, secret, 48, &k), ST_MALFORMED);
    CHECK_EQ_INT(tls13_traffic_keys(0x1302, secret, 32, &k), ST_MALFORMED);
    CHECK_EQ_INT(tls13_expand_label(0x1301, secret, 32, "key", NULL, 0, out, 0), ST_MALFORMED);
    /* a record longer than 2^14 + 256 */
    CHECK_EQ_INT(tls13_traffic_keys(0x1301, secret, 32, &k), ST_OK);
    static uint8_t big[TLS13_MAX_CIPHERTEXT + 1];
    uint8_t hdr[5] = {23, 3, 3, 0x41, 0x01};
    size_t len;
    uint8_t type;
    CHECK_EQ_INT(tls13_open(&k, hdr, big, sizeof big, big, &len, &type), ST_LIMIT);
    /* shorter than the tag plus the content type */
    CHECK_EQ_INT(tls13_open(&k, hdr, big, 16, big, &len, &type), ST_MALFORMED);
    CHECK_EQ_INT(tls13_open(&k, hdr, NULL, 0, NULL, &len, &type), ST_MALFORMED);
}

/* ---- the other suites, by sealing a record here and opening it ---- */

/* AEAD-Encrypt of RFC 8446 5.2 with libcrypto: inner plaintext = content,
 * type, `pad` zeros. Returns the record length (header included). */
static size_t seal(const struct tls13_keys *k, uint8_t type, const uint8_t *content, size_t n,
                   size_t pad, uint8_t *rec)
{
    const EVP_CIPHER *cipher = k->suite == 0x1302 ? EVP_aes_256_gcm()
                               : k->suite == 0x1303 ? EVP_chacha20_poly1305()
                               : k->suite >= 0x1304 ? EVP_aes_128_ccm()
                                                    : EVP_aes_128_gcm();
    bool ccm = k->suite >= 0x1304;
    uint8_t inner[512], nonce[TLS13_IV_LEN];
    size_t in_len = n + 1 + pad;
    memcpy(inner, content, n);
    inner[n] = type;
    memset(inner + n + 1, 0, pad);
    memcpy(nonce, k->iv, TLS13_IV_LEN);
    for (int i = 0; i < 8; i++)
        nonce[TLS13_IV_LEN - 1 - i] ^= (uint8_t)(k->seq >> (8 * i));
    size_t body = in_len + k->tag_len;
    rec[0] = 23;
    rec[1] = 3;
    rec[2] = 3;
    rec[3] = (uint8_t)(body >> 8);
    rec[4] = (uint8_t)body;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int outl = 0;
    EVP_EncryptInit_ex(ctx, cipher, NULL, NULL, NULL);
    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, TLS13_IV_LEN, NULL);
    if (ccm)
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, k->tag_len, NULL);
    EVP_EncryptInit_ex(ctx, NULL, NULL, k->key, nonce);
    if (ccm)
        EVP_EncryptUpdate(ctx, NULL, &outl, NULL, (int)in_len);
    EVP_EncryptUpdate(ctx, NULL, &outl, rec, 5);
    EVP_EncryptUpdate(ctx, rec + 5, &outl, inner, (int)in_len);
    EVP_EncryptFinal_ex(ctx, rec + 5 + outl, &outl);
    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, k->tag_len, rec + 5 + in_len);
    EVP_CIPHER_CTX_free(ctx);
    return 5 + body;
}

/* 0x1302-0x1305: records sealed by OpenSSL, opened with the secrets OpenSSL
 * logged; the plaintext is what the client was given to send. */
TEST(openssl_records_decrypt)
{
    for (size_t i = 0; i < sizeof suite_vectors / sizeof suite_vectors[0]; i++) {
        const struct suite_vector *v = &suite_vectors[i];
        uint8_t secret[48], rec[512], out[512];
        size_t hl = tls13_hash_len(v->suite), sn, rn, len = 0;
        uint8_t type = 0;
        struct tls13_keys k;
        /* RFC 8446 B.4: SHA-384 for 0x1302 only */
        CHECK_EQ_INT(hl, v->suite == 0x1302 ? 48 : 32);
        sn = testlib_unhex(v->hs_secret, secret, sizeof secret);
        CHECK_EQ_INT(sn, hl);
        CHECK_EQ_INT(tls13_traffic_keys(v->suite, secret, sn, &k), ST_OK);
        /* RFC 8446 4.4.4: the client's Finished, verify_data of Hash.length */
        rn = testlib_unhex(v->finished_record, rec, sizeof rec);
        CHECK_EQ_INT(open_record(&k, rec, rn, out, &len, &type), ST_OK);
        CHECK_EQ_INT(type, 22);
        CHECK_EQ_INT(len, 4 + hl);
        CHECK(len == 4 + hl && out[0] == 20 && out[1] == 0 && out[2] == 0 && out[3] == hl);
        /* the first application data under CLIENT_TRAFFIC_SECRET_0, sequence 0 */
        sn = testlib_unhex(v->ap_secret, secret, sizeof secret);
        CHECK_EQ_INT(tls13_traffic_keys(v->suite, secret, sn, &k), ST_OK);
        rn = testlib_unhex(v->app_record, rec, sizeof rec);
        CHECK_EQ_INT(open_record(&k, rec, rn, out, &len, &type), ST_OK);
        CHECK_EQ_INT(type, 23);
        CHECK_EQ_INT(len, strlen(v->plaintext));
        CHECK(len == strlen(v->plaintext) && memcmp(out, v->plaintext, len) == 0);
        /* one bit off in the tag: it must not authenticate */
        rn = testlib_unhex(v->app_record, rec, sizeof rec);
        rec[rn - 1] ^= 1;
        k.seq = 0;
        CHECK_EQ_INT(open_record(&k, rec, rn, out, &len, &type), ST_MALFORMED);
    }
}

/* Padding and the missing content type on every suite (RFC 8446 5.4): records
 * sealed here with libcrypto under keys from tls13_traffic_keys, whose own
 * values the tests above check against RFC 8448 and OpenSSL. */
TEST(every_suite_round_trips)
{
    static const uint16_t ids[] = {0x1301, 0x1302, 0x1303, 0x1304, 0x1305};
    static const uint8_t tags[] = {16, 16, 16, 16, 8};
    static const uint8_t alert[2] = {2, 42};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        uint8_t secret[48], next[48], rec[600], out[600];
        size_t hl = tls13_hash_len(ids[i]), len = 0;
        uint8_t type = 0;
        struct tls13_keys w, r;
        for (size_t j = 0; j < hl; j++)
            secret[j] = (uint8_t)(j * 7 + i);
        CHECK_EQ_INT(tls13_traffic_keys(ids[i], secret, hl, &w), ST_OK);
        CHECK_EQ_INT(w.tag_len, tags[i]);
        r = w;
        /* a 19-byte alert record (11 with CCM_8), then one padded with zeros */
        size_t rn = seal(&w, 21, alert, 2, 0, rec);
        w.seq++;
        CHECK_EQ_INT(rn, 5 + 3 + tags[i]);
        CHECK_EQ_INT(open_record(&r, rec, rn, out, &len, &type), ST_OK);
        CHECK_EQ_INT(type, 21);
        CHECK_EQ_INT(len, 2);
        CHECK(memcmp(out, alert, 2) == 0);
        rn = seal(&w, 22, alert, 2, 300, rec);
        w.seq++;
        CHECK_EQ_INT(open_record(&r, rec, rn, out, &len, &type), ST_OK);
        CHECK_EQ_INT(type, 22);
        CHECK_EQ_INT(len, 2);
        /* RFC 8446 5.4: all zeros, no content type */
        rn = seal(&w, 0, alert, 0, 5, rec);
        CHECK_EQ_INT(open_record(&r, rec, rn, out, &len, &type), ST_MALFORMED);
        /* RFC 8446 7.2: the next generation of keys differs */
        CHECK_EQ_INT(tls13_next_secret(ids[i], secret, hl, next), ST_OK);
        CHECK(memcmp(next, secret, hl) != 0);
    }
}

/* ---- through tls_stream.c: the facts a key log makes visible ---- */

struct run {
    struct keylog *keys;
    struct conn *c;
    struct tls_conn_state t;
    uint64_t frame;
};

static void keylog_line(struct keylog *k, const char *label, const char *secret_hex)
{
    char line[400];
    uint8_t r[32], s[48];
    size_t rn = testlib_unhex(client_random, r, sizeof r), sn = testlib_unhex(secret_hex, s, sizeof s);
    size_t at = (size_t)snprintf(line, sizeof line, "%s ", label);
    for (size_t i = 0; i < rn; i++)
        at += (size_t)snprintf(line + at, sizeof line - at, "%02x", r[i]);
    at += (size_t)snprintf(line + at, sizeof line - at, " ");
    for (size_t i = 0; i < sn; i++)
        at += (size_t)snprintf(line + at, sizeof line - at, "%02x", s[i]);
    at += (size_t)snprintf(line + at, sizeof line - at, "\n");
    if (keylog_feed(k, (const uint8_t *)line, at) != ST_OK)
        abort();
}

static void feed_hex(struct run *r, enum side from, const char *hex, size_t split)
{
    static uint8_t buf[1024];
    size_t n = testlib_unhex(hex, buf, sizeof buf);
    struct tstamp ts = {1000, 0};
    if (split == 0 || split >= n) {
        tls_feed(&r->t, r->c, from, buf, n, ++r->frame, ts);
        return;
    }
    tls_feed(&r->t, r->c, from, buf, split, ++r->frame, ts);
    tls_feed(&r->t, r->c, from, buf + split, n - split, ++r->frame, ts);
}

/* A record header in hex before a handshake message. */
static void feed_handshake(struct run *r, enum side from, const char *msg)
{
    uint8_t buf[512];
    char hex[1600];
    size_t n = testlib_unhex(msg, buf, sizeof buf), at = 0;
    at += (size_t)snprintf(hex, sizeof hex, "16 03 %02x %02x %02x ", from == SIDE_CLIENT ? 1 : 3,
                           (unsigned)(n >> 8), (unsigned)(n & 0xff));
    for (size_t i = 0; i < n; i++)
        at += (size_t)snprintf(hex + at, sizeof hex - at, "%02x ", buf[i]);
    feed_hex(r, from, hex, 0);
}

static void run_start(struct run *r, bool right_server_key)
{
    memset(r, 0, sizeof *r);
    r->keys = keylog_new();
    r->c = conn_new(1);
    if (r->keys == NULL || r->c == NULL)
        abort();
    if (right_server_key) {
        keylog_line(r->keys, "SERVER_HANDSHAKE_TRAFFIC_SECRET", server_hs_secret);
    } else {
        /* the client's secret where the server's belongs */
        keylog_line(r->keys, "SERVER_HANDSHAKE_TRAFFIC_SECRET", client_hs_secret);
    }
    keylog_line(r->keys, "CLIENT_HANDSHAKE_TRAFFIC_SECRET", client_hs_secret);
    keylog_line(r->keys, "CLIENT_TRAFFIC_SECRET_0", client_ap_secret);
    tls_init(&r->t);
    r->t.keylog = r->keys;
    feed_handshake(r, SIDE_CLIENT, client_hello);
    feed_handshake(r, SIDE_SERVER, server_hello);
}

static void run_end(struct run *r)
{
    tls_free(&r->t);
    conn_free(r->c);
    keylog_free(r->keys);
}

static int find_message(const struct conn *c, enum side from, uint16_t type)
{
    for (uint16_t i = 0; i < c->n_messages; i++)
        if (c->messages[i].from == from && c->messages[i].type == type)
            return i;
    return -1;
}

TEST(stream_decrypts_the_handshake)
{
    struct run r;
    run_start(&r, true);
    struct conn *c = r.c;
    CHECK(c->ch->present);
    CHECK(conn_is_tls13(c));
    uint8_t random[32];
    testlib_unhex(client_random, random, sizeof random);
    CHECK(memcmp(c->ch->random, random, 32) == 0);
    /* the server's flight, split across two segments */
    feed_hex(&r, SIDE_SERVER, server_flight_record, 300);
    static const uint16_t flight[] = {HS_ENCRYPTED_EXTENSIONS, HS_CERTIFICATE,
                                      HS_CERTIFICATE_VERIFY, HS_FINISHED};
    for (size_t i = 0; i < 4; i++) {
        int m = find_message(c, SIDE_SERVER, flight[i]);
        CHECK(m >= 0);
        CHECK(m >= 0 && c->messages[m].decrypted);
        CHECK(m >= 0 && !c->messages[m].encrypted);
    }
    CHECK(c->server_certs.present);
    CHECK_EQ_INT(c->server_certs.count, 1);
    CHECK_EQ_INT(c->server_certs.kept, 1);
    CHECK_EQ_INT(c->side[SIDE_SERVER].decrypt, DECRYPT_OK);
    CHECK_EQ_INT(c->side[SIDE_SERVER].decrypted_records, 1);
    CHECK(!c->side[SIDE_SERVER].malformed);
    /* the record is still counted as the wire shows it */
    CHECK_EQ_INT(c->side[SIDE_SERVER].appdata_records, 1);
    CHECK_EQ_INT(c->side[SIDE_SERVER].appdata_len[0], 674);
    /* no SERVER_TRAFFIC_SECRET_0: decryption ends after the Finished */
    CHECK(r.t.dir[SIDE_SERVER].dec == NULL);
    feed_hex(&r, SIDE_SERVER, server_app_record, 0);
    CHECK_EQ_INT(c->side[SIDE_SERVER].decrypted_records, 1);

    /* the client: Finished under the handshake keys, then data and an alert
     * under the application keys */
    feed_hex(&r, SIDE_CLIENT, client_finished_record, 0);
    int fin = find_message(c, SIDE_CLIENT, HS_FINISHED);
    CHECK(fin >= 0 && c->messages[fin].decrypted);
    feed_hex(&r, SIDE_CLIENT, client_app_record, 7);
    CHECK_EQ_INT(c->side[SIDE_CLIENT].decrypted_records, 2);
    struct tls13_keys w;
    uint8_t secret[32], rec[64];
    static const uint8_t close_notify[2] = {1, 0};
    testlib_unhex(client_ap_secret, secret, sizeof secret);
    CHECK_EQ_INT(tls13_traffic_keys(SUITE_AES_128_GCM, secret, 32, &w), ST_OK);
    w.seq = 1;
    size_t rn = seal(&w, 21, close_notify, 2, 0, rec);
    struct tstamp ts = {1001, 0};
    tls_feed(&r.t, c, SIDE_CLIENT, rec, rn, ++r.frame, ts);
    CHECK_EQ_INT(c->n_alerts, 1);
    CHECK(c->n_alerts == 1 && c->alerts[0].decrypted && !c->alerts[0].encrypted);
    CHECK(c->n_alerts == 1 && c->alerts[0].level == 1 && c->alerts[0].description == 0);
    CHECK(c->n_alerts == 1 && c->alerts[0].from == SIDE_CLIENT && c->alerts[0].record_len == 19);
    CHECK_EQ_INT(c->side[SIDE_CLIENT].decrypt, DECRYPT_OK);
    run_end(&r);
}

TEST(wrong_keys_are_a_fact)
{
    struct run r;
    run_start(&r, false);
    struct conn *c = r.c;
    feed_hex(&r, SIDE_SERVER, server_flight_record, 0);
    CHECK_EQ_INT(c->side[SIDE_SERVER].decrypt, DECRYPT_FAILED);
    CHECK(c->side[SIDE_SERVER].decrypt_stop_frame == r.frame);
    CHECK_EQ_INT(c->side[SIDE_SERVER].decrypted_records, 0);
    CHECK(find_message(c, SIDE_SERVER, HS_ENCRYPTED_EXTENSIONS) < 0);
    CHECK(!c->server_certs.present);
    CHECK(!c->side[SIDE_SERVER].malformed);
    /* the other direction is not affected */
    feed_hex(&r, SIDE_CLIENT, client_finished_record, 0);
    CHECK_EQ_INT(c->side[SIDE_CLIENT].decrypt, DECRYPT_OK);
    CHECK(find_message(c, SIDE_CLIENT, HS_FINISHED) >= 0);
    run_end(&r);
}

TEST(no_keys_for_this_connection)
{
    struct run r;
    memset(&r, 0, sizeof r);
    r.keys = keylog_new();
    r.c = conn_new(1);
    static const char other[] = "SERVER_HANDSHAKE_TRAFFIC_SECRET "
                                "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff "
                                "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n";
    CHECK_EQ_INT(keylog_feed(r.keys, (const uint8_t *)other, sizeof other - 1), ST_OK);
    tls_init(&r.t);
    r.t.keylog = r.keys;
    feed_handshake(&r, SIDE_CLIENT, client_hello);
    feed_handshake(&r, SIDE_SERVER, server_hello);
    feed_hex(&r, SIDE_SERVER, server_flight_record, 0);
    CHECK_EQ_INT(r.c->side[SIDE_SERVER].decrypt, DECRYPT_NO_KEYS);
    CHECK(find_message(r.c, SIDE_SERVER, HS_CERTIFICATE) < 0);
    /* the encrypted flight is still seen as before */
    CHECK(find_message(r.c, SIDE_SERVER, MSG_ENCRYPTED_RECORDS) >= 0);
    run_end(&r);
}

TEST(a_gap_interrupts_decryption)
{
    struct run r;
    run_start(&r, true);
    uint8_t rec[1024];
    size_t n = testlib_unhex(server_flight_record, rec, sizeof rec);
    struct tstamp ts = {1000, 0};
    tls_feed(&r.t, r.c, SIDE_SERVER, rec, 100, ++r.frame, ts);
    tls_gap(&r.t, r.c, SIDE_SERVER, 50, ++r.frame);
    tls_feed(&r.t, r.c, SIDE_SERVER, rec + 150, n - 150, ++r.frame, ts);
    CHECK_EQ_INT(r.c->side[SIDE_SERVER].decrypt, DECRYPT_INTERRUPTED);
    CHECK(find_message(r.c, SIDE_SERVER, HS_CERTIFICATE) < 0);
    CHECK(r.t.dir[SIDE_SERVER].dec == NULL);
    run_end(&r);
}

TEST_MAIN("tls13decrypt", TEST_ENTRY(rfc8448_handshake_keys), TEST_ENTRY(rfc8448_application_keys),
          TEST_ENTRY(rfc8448_server_flight_decrypts), TEST_ENTRY(rfc8448_client_records_decrypt),
          TEST_ENTRY(sequence_number_is_in_the_nonce), TEST_ENTRY(tampered_records_fail),
          TEST_ENTRY(bad_parameters), TEST_ENTRY(openssl_records_decrypt),
          TEST_ENTRY(every_suite_round_trips),
          TEST_ENTRY(stream_decrypts_the_handshake), TEST_ENTRY(wrong_keys_are_a_fact),
          TEST_ENTRY(no_keys_for_this_connection), TEST_ENTRY(a_gap_interrupts_decryption))
