/* test_registry.c: the generated tables and the lookups over them, and the
 * suites against OpenSSL's own table (names, key exchange, AEAD). */
#include <openssl/ssl.h>
#include "util/registry.h"
#include "testlib.h"

TEST(tables_sorted_and_unique)
{
    CHECK(reg_selfcheck());
    CHECK(reg_suite_table_len == 352);
}

TEST(suite_names_both_ways)
{
    CHECK_EQ_STR(reg_suite_name(0x002F), "TLS_RSA_WITH_AES_128_CBC_SHA");
    CHECK_EQ_STR(reg_suite_name(0xC02F), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    CHECK_EQ_STR(reg_suite_name(0x1301), "TLS_AES_128_GCM_SHA256");
    CHECK_EQ_STR(reg_suite_name(0xCCA8), "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
    CHECK_EQ_STR(reg_suite_name(0x0000), "TLS_NULL_WITH_NULL_NULL");
    CHECK_EQ_STR(reg_suite_name(0x5600), "TLS_FALLBACK_SCSV");
    /* The other way: every name maps back to its own code. */
    for (size_t i = 0; i < reg_suite_table_len; i++) {
        const struct reg_suite *s = reg_suite(reg_suite_table[i].code);
        CHECK(s == &reg_suite_table[i]);
    }
}

TEST(unknown_values_are_null)
{
    CHECK(reg_suite(0x1300) == NULL);
    CHECK(reg_suite(0xC000) == NULL);
    CHECK(reg_suite(0xFFFF) == NULL);
    CHECK(reg_suite_name(0x0A0A) == NULL);      /* GREASE is not a suite */
    CHECK(reg_group_name(0x0000) == NULL);
    CHECK(reg_group_name(0x0A0A) == NULL);
    CHECK(reg_sigscheme_name(0x0000) == NULL);
    CHECK(reg_sigscheme_name(0x0402) == NULL);  /* TLS 1.2 (sha256,dsa): reserved in IANA */
    CHECK(reg_extension_name(0x0028) == NULL);  /* 40: Reserved */
    CHECK(reg_extension_name(0x1234) == NULL);
    CHECK(reg_alert_name(1) == NULL);
    CHECK(reg_alert_name(255) == NULL);
    CHECK(reg_handshake_name(7) == NULL);
    CHECK(reg_handshake_name(255) == NULL);
    CHECK(reg_content_type_name(0) == NULL);
    CHECK(reg_version_name(0x0305) == NULL);
    CHECK(reg_version_name(0x0000) == NULL);
    CHECK(reg_version_name(0x7f1d) == NULL);    /* no draft 29 was ever sent */
}

TEST(group_names)
{
    CHECK_EQ_STR(reg_group_name(0x001d), "x25519");
    CHECK_EQ_STR(reg_group_name(0x0017), "secp256r1");
    CHECK_EQ_STR(reg_group_name(0x0018), "secp384r1");
    CHECK_EQ_STR(reg_group_name(0x11ec), "X25519MLKEM768");
    CHECK_EQ_STR(reg_group_name(4588), "X25519MLKEM768");
    CHECK_EQ_STR(reg_group_name(0x0100), "ffdhe2048");
    CHECK_EQ_STR(reg_group_name(0x0104), "ffdhe8192");
    CHECK_EQ_STR(reg_group_name(0x6399), "X25519Kyber768Draft00");  /* "(OBSOLETE)" dropped */
    CHECK(reg_group_is_ffdhe(0x0100));
    CHECK(reg_group_is_ffdhe(0x0104));
    CHECK(reg_group_is_ffdhe(0x01fc));          /* ffdhe private use */
    CHECK(!reg_group_is_ffdhe(0x001d));
    CHECK(!reg_group_is_ffdhe(0x0200));
}

TEST(sigscheme_extension_alert_handshake_names)
{
    CHECK_EQ_STR(reg_sigscheme_name(0x0804), "rsa_pss_rsae_sha256");
    CHECK_EQ_STR(reg_sigscheme_name(0x0403), "ecdsa_secp256r1_sha256");
    CHECK_EQ_STR(reg_sigscheme_name(0x0807), "ed25519");
    CHECK_EQ_STR(reg_sigscheme_name(0x0201), "rsa_pkcs1_sha1");

    CHECK_EQ_STR(reg_extension_name(0x0000), "server_name");
    CHECK_EQ_STR(reg_extension_name(0x0010), "application_layer_protocol_negotiation");
    CHECK_EQ_STR(reg_extension_name(0x002b), "supported_versions");
    CHECK_EQ_STR(reg_extension_name(0x0033), "key_share");
    CHECK_EQ_STR(reg_extension_name(0x001c), "record_size_limit");
    CHECK_EQ_STR(reg_extension_name(0x001b), "compress_certificate");
    CHECK_EQ_STR(reg_extension_name(0xff01), "renegotiation_info");
    CHECK_EQ_STR(reg_extension_name(0xfe0d), "encrypted_client_hello");
    CHECK_EQ_STR(reg_extension_name(0x3374), "next_protocol_negotiation");
    CHECK_EQ_STR(reg_extension_name(17513), "application_settings");

    CHECK_EQ_STR(reg_alert_name(0), "close_notify");
    CHECK_EQ_STR(reg_alert_name(40), "handshake_failure");
    CHECK_EQ_STR(reg_alert_name(70), "protocol_version");
    CHECK_EQ_STR(reg_alert_name(112), "unrecognized_name");
    CHECK_EQ_STR(reg_alert_name(120), "no_application_protocol");
    CHECK_EQ_STR(reg_alert_name(121), "ech_required");

    CHECK_EQ_STR(reg_handshake_name(0), "HelloRequest");
    CHECK_EQ_STR(reg_handshake_name(1), "ClientHello");
    CHECK_EQ_STR(reg_handshake_name(2), "ServerHello");
    CHECK_EQ_STR(reg_handshake_name(3), "HelloVerifyRequest");
    CHECK_EQ_STR(reg_handshake_name(8), "EncryptedExtensions");
    CHECK_EQ_STR(reg_handshake_name(14), "ServerHelloDone");
    CHECK_EQ_STR(reg_handshake_name(21), "CertificateURL");
    CHECK_EQ_STR(reg_handshake_name(25), "CompressedCertificate");
    CHECK_EQ_STR(reg_handshake_name(254), "MessageHash");

    CHECK_EQ_STR(reg_content_type_name(22), "handshake");
    CHECK_EQ_STR(reg_content_type_name(21), "alert");
}

TEST(grease)
{
    unsigned n = 0;
    for (unsigned v = 0; v <= 0xffff; v++)
        n += reg_is_grease((uint16_t)v);
    CHECK_EQ_INT(n, 16);
    CHECK(reg_is_grease(0x0a0a));
    CHECK(reg_is_grease(0x1a1a));
    CHECK(reg_is_grease(0xfafa));
    CHECK(!reg_is_grease(0x0a1a));
    CHECK(!reg_is_grease(0x0b0b));
    CHECK(!reg_is_grease(0x0303));
}

TEST(versions)
{
    CHECK_EQ_STR(reg_version_name(0x0002), "SSL 2.0");
    CHECK_EQ_STR(reg_version_name(0x0300), "SSL 3.0");
    CHECK_EQ_STR(reg_version_name(0x0301), "TLS 1.0");
    CHECK_EQ_STR(reg_version_name(0x0303), "TLS 1.2");
    CHECK_EQ_STR(reg_version_name(0x0304), "TLS 1.3");
    CHECK_EQ_STR(reg_version_name(0x7f17), "TLS 1.3 draft 23");
    CHECK_EQ_STR(reg_version_name(0x7f1c), "TLS 1.3 draft 28");
    CHECK_EQ_STR(reg_version_name(0xfeff), "DTLS 1.0");
    CHECK_EQ_STR(reg_version_name(0xfefd), "DTLS 1.2");
}

TEST(format_u16)
{
    char buf[64];
    CHECK_EQ_STR(reg_format_u16(reg_suite_name, 0xC02F, buf, sizeof buf),
                 "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    CHECK_EQ_STR(reg_format_u16(reg_extension_name, 0x3a3a, buf, sizeof buf), "GREASE");
    CHECK_EQ_STR(reg_format_u16(reg_group_name, 0x1234, buf, sizeof buf), "0x1234");
    CHECK_EQ_STR(reg_format_u16(NULL, 0x00ab, buf, sizeof buf), "0x00ab");
    char small[8];
    CHECK_EQ_STR(reg_format_u16(reg_group_name, 0xbeef, small, sizeof small), "0xbeef");
    CHECK_EQ_STR(reg_format_u16(reg_group_name, 0xfafa, small, sizeof small), "GREASE");
    CHECK_EQ_STR(reg_format_u16(reg_group_name, 0x001d, small, sizeof small), "x25519");
    /* a known name is returned whole, whatever the buffer */
    CHECK_EQ_STR(reg_format_u16(reg_suite_name, 0x002F, small, sizeof small),
                 "TLS_RSA_WITH_AES_128_CBC_SHA");
}

TEST(ats_suites)
{
    /* KB C2: the 11 iOS ATS suites, plus the TLS 1.3 suites. */
    static const uint16_t ats[] = {0xC02C, 0xC02B, 0xC024, 0xC00A, 0xC023, 0xC009,
                                   0xC030, 0xC02F, 0xC028, 0xC027, 0xC013,
                                   0x1301, 0x1302, 0x1303};
    for (size_t i = 0; i < sizeof ats / sizeof ats[0]; i++) {
        const struct reg_suite *s = reg_suite(ats[i]);
        CHECK(s != NULL && s->ats);
    }
    size_t n = 0;
    for (size_t i = 0; i < reg_suite_table_len; i++)
        n += reg_suite_table[i].ats;
    CHECK_EQ_INT(n, sizeof ats / sizeof ats[0]);
    CHECK(!reg_suite(0xC014)->ats);             /* ECDHE_RSA AES_256_CBC_SHA is not listed */
    CHECK(!reg_suite(0xCCA8)->ats);
    CHECK(!reg_suite(0x009C)->ats);
}

TEST(h2_blocklist)
{
    CHECK(reg_suite(0x002F)->h2_blocklisted);
    CHECK(!reg_suite(0xC02F)->h2_blocklisted);
    CHECK(reg_suite(0x009C)->h2_blocklisted);   /* AEAD but RSA kx */
    CHECK(reg_suite(0xC013)->h2_blocklisted);   /* ECDHE but CBC */
    CHECK(!reg_suite(0x009E)->h2_blocklisted);
    CHECK(!reg_suite(0x1301)->h2_blocklisted);
    CHECK(!reg_suite(0xCCAB)->h2_blocklisted);  /* registered after RFC 7540: not listed */
    CHECK(reg_suite(0x00FF)->h2_blocklisted);
    size_t n = 0;
    for (size_t i = 0; i < reg_suite_table_len; i++)
        n += reg_suite_table[i].h2_blocklisted;
    CHECK_EQ_INT(n, 276);
}

TEST(kx_forward_secrecy_mode)
{
    const struct reg_suite *s = reg_suite(0x002F);
    CHECK(s->kx == REG_KX_RSA && !s->forward_secret && s->mode == REG_MODE_CBC);
    s = reg_suite(0xC02F);
    CHECK(s->kx == REG_KX_ECDHE && s->forward_secret && s->mode == REG_MODE_AEAD);
    s = reg_suite(0x009E);
    CHECK(s->kx == REG_KX_DHE && s->forward_secret && s->mode == REG_MODE_AEAD);
    s = reg_suite(0x0005);
    CHECK(s->kx == REG_KX_RSA && s->mode == REG_MODE_STREAM);
    for (uint16_t c = 0x1301; c <= 0x1305; c++) {
        s = reg_suite(c);
        CHECK(s != NULL && s->kx == REG_KX_TLS13 && s->forward_secret
              && s->mode == REG_MODE_AEAD);
    }
    CHECK(reg_suite(0xC0B4)->mode == REG_MODE_NULL);   /* RFC 9150 integrity only */
    CHECK(reg_suite(0x00FF)->kx == REG_KX_UNKNOWN);    /* SCSV */
    CHECK_EQ_STR(reg_kx_name(reg_suite(0xC02F)->kx), "ECDHE");
    CHECK_EQ_STR(reg_cipher_mode_name(reg_suite(0x002F)->mode), "CBC");
}

TEST(export_grade)
{
    CHECK(reg_suite(0x0003)->export_grade);     /* TLS_RSA_EXPORT_WITH_RC4_40_MD5 */
    CHECK(reg_suite(0x0014)->export_grade);     /* TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA */
    CHECK(reg_suite(0x0029)->export_grade);     /* TLS_KRB5_EXPORT_WITH_DES_CBC_40_MD5 */
    CHECK(!reg_suite(0x002F)->export_grade);
    size_t n = 0;
    for (size_t i = 0; i < reg_suite_table_len; i++)
        n += reg_suite_table[i].export_grade;
    CHECK_EQ_INT(n, 15);                        /* 9 RSA/DH/DHE/anon + 6 KRB5 */
}

/* Every suite OpenSSL knows, as OpenSSL names and classes it: IANA name
 * (SSL_CIPHER_standard_name), forward secrecy from its key exchange and AEAD. */
TEST(openssl_agrees)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    CHECK(ctx != NULL);
    if (ctx == NULL)
        return;
    SSL_CTX_set_security_level(ctx, 0);
    CHECK(SSL_CTX_set_cipher_list(ctx, "ALL:COMPLEMENTOFALL:@SECLEVEL=0") == 1);
    CHECK(SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:"
                                        "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_CCM_SHA256:"
                                        "TLS_AES_128_CCM_8_SHA256") == 1);
    STACK_OF(SSL_CIPHER) *all = SSL_CTX_get_ciphers(ctx);
    int n = sk_SSL_CIPHER_num(all), seen = 0;
    for (int i = 0; i < n; i++) {
        const SSL_CIPHER *c = sk_SSL_CIPHER_value(all, i);
        uint16_t code = (uint16_t)SSL_CIPHER_get_protocol_id(c);
        const char *want = SSL_CIPHER_standard_name(c);
        const struct reg_suite *s = reg_suite(code);
        if (want == NULL || strncmp(want, "TLS_", 4) != 0)
            continue;   /* not an IANA-registered suite */
        seen++;
        CHECK_EQ_STR(reg_suite_name(code), want);
        if (s == NULL)
            continue;
        int kx = SSL_CIPHER_get_kx_nid(c);
        bool ephemeral = kx == NID_kx_ecdhe || kx == NID_kx_dhe || kx == NID_kx_ecdhe_psk ||
                         kx == NID_kx_dhe_psk || kx == NID_kx_any;
        if (s->forward_secret != ephemeral)
            fprintf(stderr, "  %s: forward_secret %d, OpenSSL kx %s\n", want, s->forward_secret,
                    OBJ_nid2sn(kx));
        CHECK(s->forward_secret == ephemeral);
        if ((s->mode == REG_MODE_AEAD) != (SSL_CIPHER_is_aead(c) == 1))
            fprintf(stderr, "  %s: mode %s, OpenSSL aead %d\n", want,
                    reg_cipher_mode_name(s->mode), SSL_CIPHER_is_aead(c));
        CHECK((s->mode == REG_MODE_AEAD) == (SSL_CIPHER_is_aead(c) == 1));
    }
    /* OpenSSL 3.0 knows about 150 suites: a short list means the query failed */
    CHECK(seen >= 100);
    SSL_CTX_free(ctx);
}

TEST_MAIN("registry",
          TEST_ENTRY(openssl_agrees),
          TEST_ENTRY(tables_sorted_and_unique),
          TEST_ENTRY(suite_names_both_ways),
          TEST_ENTRY(unknown_values_are_null),
          TEST_ENTRY(group_names),
          TEST_ENTRY(sigscheme_extension_alert_handshake_names),
          TEST_ENTRY(grease),
          TEST_ENTRY(versions),
          TEST_ENTRY(format_u16),
          TEST_ENTRY(ats_suites),
          TEST_ENTRY(h2_blocklist),
          TEST_ENTRY(kx_forward_secrecy_mode),
          TEST_ENTRY(export_grade))
