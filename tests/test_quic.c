/* test_quic.c: QUIC Initial protection against RFC 9001 Appendix A (v1) and
 * RFC 9369 Appendix A (v2), copied verbatim; packet headers, frames, CRYPTO
 * reassembly and the whole path from a datagram to handshake facts. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "facts/conn.h"
#include "quic/crypto_stream.h"
#include "quic/frames.h"
#include "quic/keys.h"
#include "quic/packet.h"
#include "quic/session.h"
#include "quic/table.h"
#include "quic/version.h"
#include "rules/verdict.h"
#include "testlib.h"

/* ---- RFC 9001 Appendix A, verbatim ---- */
static const char dcid_hex[] = "8394c8f03e515708";
static const char v1_client_secret[] = "c00cf151ca5be075ed0ebfb5c80323c4 2d6b7db67881289af4008f1f6c357aea";
static const char v1_client_key[] = "1f369613dd76d5467730efcbe3b1a22d";
static const char v1_client_iv[] = "fa044b2f42a3fd3b46fb255c";
static const char v1_client_hp[] = "9f50449e04a0e810283a1e9933adedd2";
static const char v1_server_secret[] = "3c199828fd139efd216c155ad844cc81 fb82fa8d7446fa7d78be803acdda951b";
static const char v1_server_key[] = "cf3a5331653c364c88f0f379b6067e37";
static const char v1_server_iv[] = "0ac1493ca1905853b0bba03e";
static const char v1_server_hp[] = "c206b8d9b9f0f37644430b490eeaa314";
/* A.2: the CRYPTO frame of the client Initial (then PADDING to 1162 bytes) */
static const char client_crypto_frame[] =
    "060040f1010000ed0303ebf8fa56f129 39b9584a3896472ec40bb863cfd3e868"
    "04fe3a47f06a2b69484c000004130113 02010000c000000010000e00000b6578"
    "616d706c652e636f6dff01000100000a 00080006001d00170018001000070005"
    "04616c706e0005000501000000000033 00260024001d00209370b2c9caa47fba"
    "baf4559fedba753de171fa71f50f1ce1 5d43e994ec74d748002b000302030400"
    "0d0010000e0403050306030203080408 050806002d00020101001c0002400100"
    "3900320408ffffffffffffffff050480 00ffff07048000ffff08011001048000"
    "75300901100f088394c8f03e51570806 048000ffff";
static const char v1_client_sample[] = "d1b1c98dd7689fb8ec11d242b123dc9b";
static const char v1_client_mask[] = "437b9aec36";
static const char v1_client_packet[] =
    "c000000001088394c8f03e5157080000 449e7b9aec34d1b1c98dd7689fb8ec11"
    "d242b123dc9bd8bab936b47d92ec356c 0bab7df5976d27cd449f63300099f399"
    "1c260ec4c60d17b31f8429157bb35a12 82a643a8d2262cad67500cadb8e7378c"
    "8eb7539ec4d4905fed1bee1fc8aafba1 7c750e2c7ace01e6005f80fcb7df6212"
    "30c83711b39343fa028cea7f7fb5ff89 eac2308249a02252155e2347b63d58c5"
    "457afd84d05dfffdb20392844ae81215 4682e9cf012f9021a6f0be17ddd0c208"
    "4dce25ff9b06cde535d0f920a2db1bf3 62c23e596d11a4f5a6cf3948838a3aec"
    "4e15daf8500a6ef69ec4e3feb6b1d98e 610ac8b7ec3faf6ad760b7bad1db4ba3"
    "485e8a94dc250ae3fdb41ed15fb6a8e5 eba0fc3dd60bc8e30c5c4287e53805db"
    "059ae0648db2f64264ed5e39be2e20d8 2df566da8dd5998ccabdae053060ae6c"
    "7b4378e846d29f37ed7b4ea9ec5d82e7 961b7f25a9323851f681d582363aa5f8"
    "9937f5a67258bf63ad6f1a0b1d96dbd4 faddfcefc5266ba6611722395c906556"
    "be52afe3f565636ad1b17d508b73d874 3eeb524be22b3dcbc2c7468d54119c74"
    "68449a13d8e3b95811a198f3491de3e7 fe942b330407abf82a4ed7c1b311663a"
    "c69890f4157015853d91e923037c227a 33cdd5ec281ca3f79c44546b9d90ca00"
    "f064c99e3dd97911d39fe9c5d0b23a22 9a234cb36186c4819e8b9c5927726632"
    "291d6a418211cc2962e20fe47feb3edf 330f2c603a9d48c0fcb5699dbfe58964"
    "25c5bac4aee82e57a85aaf4e2513e4f0 5796b07ba2ee47d80506f8d2c25e50fd"
    "14de71e6c418559302f939b0e1abd576 f279c4b2e0feb85c1f28ff18f58891ff"
    "ef132eef2fa09346aee33c28eb130ff2 8f5b766953334113211996d20011a198"
    "e3fc433f9f2541010ae17c1bf202580f 6047472fb36857fe843b19f5984009dd"
    "c324044e847a4f4a0ab34f719595de37 252d6235365e9b84392b061085349d73"
    "203a4a13e96f5432ec0fd4a1ee65accd d5e3904df54c1da510b0ff20dcc0c77f"
    "cb2c0e0eb605cb0504db87632cf3d8b4 dae6e705769d1de354270123cb11450e"
    "fc60ac47683d7b8d0f811365565fd98c 4c8eb936bcab8d069fc33bd801b03ade"
    "a2e1fbc5aa463d08ca19896d2bf59a07 1b851e6c239052172f296bfb5e724047"
    "90a2181014f3b94a4e97d117b4381303 68cc39dbb2d198065ae3986547926cd2"
    "162f40a29f0c3c8745c0f50fba3852e5 66d44575c29d39a03f0cda721984b6f4"
    "40591f355e12d439ff150aab7613499d bd49adabc8676eef023b15b65bfc5ca0"
    "6948109f23f350db82123535eb8a7433 bdabcb909271a6ecbcb58b936a88cd4e"
    "8f2e6ff5800175f113253d8fa9ca8885 c2f552e657dc603f252e1a8e308f76f0"
    "be79e2fb8f5d5fbbe2e30ecadd220723 c8c0aea8078cdfcb3868263ff8f09400"
    "54da48781893a7e49ad5aff4af300cd8 04a6b6279ab3ff3afb64491c85194aab"
    "760d58a606654f9f4400e8b38591356f bf6425aca26dc85244259ff2b19c41b9"
    "f96f3ca9ec1dde434da7d2d392b905dd f3d1f9af93d1af5950bd493f5aa731b4"
    "056df31bd267b6b90a079831aaf579be 0a39013137aac6d404f518cfd4684064"
    "7e78bfe706ca4cf5e9c5453e9f7cfd2b 8b4c8d169a44e55c88d4a9a7f9474241"
    "e221af44860018ab0856972e194cd934";
/* A.3: the server Initial payload (ACK, CRYPTO with the ServerHello) */
static const char server_payload[] =
    "02000000000600405a020000560303ee fce7f7b37ba1d1632e96677825ddf739"
    "88cfc79825df566dc5430b9a045a1200 130100002e00330024001d00209d3c94"
    "0d89690b84d08a60993c144eca684d10 81287c834d5311bcf32bb9da1a002b00"
    "020304";
static const char v1_server_sample[] = "2cd0991cd25b0aac406a5816b6394100";
static const char v1_server_mask[] = "2ec0d8356a";
static const char v1_server_packet[] =
    "cf000000010008f067a5502a4262b500 4075c0d95a482cd0991cd25b0aac406a"
    "5816b6394100f37a1c69797554780bb3 8cc5a99f5ede4cf73c3ec2493a1839b3"
    "dbcba3f6ea46c5b7684df3548e7ddeb9 c3bf9c73cc3f3bded74b562bfb19fb84"
    "022f8ef4cdd93795d77d06edbb7aaf2f 58891850abbdca3d20398c276456cbc4"
    "2158407dd074ee";
/* A.4 */
static const char v1_retry[] = "ff000000010008f067a5502a4262b574 6f6b656e04a265ba2eff4d829058fb3f"
                               "0f2496ba";

/* ---- RFC 9369 Appendix A, verbatim ---- */
static const char v2_client_secret[] = "14ec9d6eb9fd7af83bf5a668bc17a7e2 83766aade7ecd0891f70f9ff7f4bf47b";
static const char v2_client_key[] = "8b1a0bc121284290a29e0971b5cd045d";
static const char v2_client_iv[] = "91f73e2351d8fa91660e909f";
static const char v2_client_hp[] = "45b95e15235d6f45a6b19cbcb0294ba9";
static const char v2_server_secret[] = "0263db1782731bf4588e7e4d93b74639 07cb8cd8200b5da55a8bd488eafc37c1";
static const char v2_server_key[] = "82db637861d55e1d011f19ea71d5d2a7";
static const char v2_server_iv[] = "dd13c276499c0249d3310652";
static const char v2_server_hp[] = "edf6d05c83121201b436e16877593c3a";
static const char v2_client_sample[] = "ffe67b6abcdb4298b485dd04de806071";
static const char v2_client_mask[] = "94a0c95e80";
static const char v2_client_packet[] =
    "d76b3343cf088394c8f03e5157080000 449ea0c95e82ffe67b6abcdb4298b485"
    "dd04de806071bf03dceebfa162e75d6c 96058bdbfb127cdfcbf903388e99ad04"
    "9f9a3dd4425ae4d0992cfff18ecf0fdb 5a842d09747052f17ac2053d21f57c5d"
    "250f2c4f0e0202b70785b7946e992e58 a59ac52dea6774d4f03b55545243cf1a"
    "12834e3f249a78d395e0d18f4d766004 f1a2674802a747eaa901c3f10cda5500"
    "cb9122faa9f1df66c392079a1b40f0de 1c6054196a11cbea40afb6ef5253cd68"
    "18f6625efce3b6def6ba7e4b37a40f77 32e093daa7d52190935b8da58976ff33"
    "12ae50b187c1433c0f028edcc4c2838b 6a9bfc226ca4b4530e7a4ccee1bfa2a3"
    "d396ae5a3fb512384b2fdd851f784a65 e03f2c4fbe11a53c7777c023462239dd"
    "6f7521a3f6c7d5dd3ec9b3f233773d4b 46d23cc375eb198c63301c21801f6520"
    "bcfb7966fc49b393f0061d974a2706df 8c4a9449f11d7f3d2dcbb90c6b877045"
    "636e7c0c0fe4eb0f697545460c806910 d2c355f1d253bc9d2452aaa549e27a1f"
    "ac7cf4ed77f322e8fa894b6a83810a34 b361901751a6f5eb65a0326e07de7c12"
    "16ccce2d0193f958bb3850a833f7ae43 2b65bc5a53975c155aa4bcb4f7b2c4e5"
    "4df16efaf6ddea94e2c50b4cd1dfe060 17e0e9d02900cffe1935e0491d77ffb4"
    "fdf85290fdd893d577b1131a610ef6a5 c32b2ee0293617a37cbb08b847741c3b"
    "8017c25ca9052ca1079d8b78aebd4787 6d330a30f6a8c6d61dd1ab5589329de7"
    "14d19d61370f8149748c72f132f0fc99 f34d766c6938597040d8f9e2bb522ff9"
    "9c63a344d6a2ae8aa8e51b7b90a4a806 105fcbca31506c446151adfeceb51b91"
    "abfe43960977c87471cf9ad4074d30e1 0d6a7f03c63bd5d4317f68ff325ba3bd"
    "80bf4dc8b52a0ba031758022eb025cdd 770b44d6d6cf0670f4e990b22347a7db"
    "848265e3e5eb72dfe8299ad7481a4083 22cac55786e52f633b2fb6b614eaed18"
    "d703dd84045a274ae8bfa73379661388 d6991fe39b0d93debb41700b41f90a15"
    "c4d526250235ddcd6776fc77bc97e7a4 17ebcb31600d01e57f32162a8560cacc"
    "7e27a096d37a1a86952ec71bd89a3e9a 30a2a26162984d7740f81193e8238e61"
    "f6b5b984d4d3dfa033c1bb7e4f0037fe bf406d91c0dccf32acf423cfa1e70710"
    "10d3f270121b493ce85054ef58bada42 310138fe081adb04e2bd901f2f13458b"
    "3d6758158197107c14ebb193230cd115 7380aa79cae1374a7c1e5bbcb80ee23e"
    "06ebfde206bfb0fcbc0edc4ebec30966 1bdd908d532eb0c6adc38b7ca7331dce"
    "8dfce39ab71e7c32d318d136b6100671 a1ae6a6600e3899f31f0eed19e3417d1"
    "34b90c9058f8632c798d4490da498730 7cba922d61c39805d072b589bd52fdf1"
    "e86215c2d54e6670e07383a27bbffb5a ddf47d66aa85a0c6f9f32e59d85a44dd"
    "5d3b22dc2be80919b490437ae4f36a0a e55edf1d0b5cb4e9a3ecabee93dfc6e3"
    "8d209d0fa6536d27a5d6fbb17641cde2 7525d61093f1b28072d111b2b4ae5f89"
    "d5974ee12e5cf7d5da4d6a31123041f3 3e61407e76cffcdcfd7e19ba58cf4b53"
    "6f4c4938ae79324dc402894b44faf8af bab35282ab659d13c93f70412e85cb19"
    "9a37ddec600545473cfb5a05e08d0b20 9973b2172b4d21fb69745a262ccde96b"
    "a18b2faa745b6fe189cf772a9f84cbfc";
static const char v2_server_sample[] = "6f05d8a4398c47089698baeea26b91eb";
static const char v2_server_mask[] = "4dd92e91ea";
static const char v2_server_packet[] =
    "dc6b3343cf0008f067a5502a4262b500 4075d92faaf16f05d8a4398c47089698"
    "baeea26b91eb761d9b89237bbf872630 17915358230035f7fd3945d88965cf17"
    "f9af6e16886c61bfc703106fbaf3cb4c fa52382dd16a393e42757507698075b2"
    "c984c707f0a0812d8cd5a6881eaf21ce da98f4bd23f6fe1a3e2c43edd9ce7ca8"
    "4bed8521e2e140";
static const char v2_retry[] = "cf6b3343cf0008f067a5502a4262b574 6f6b656ec8646ce8bfe33952d9555436"
                               "65dcc7b6";

/* A.5 of both RFCs: ChaCha20-Poly1305 short header packet */
static const char chacha_secret[] = "9ac312a7f877468ebe69422748ad00a1 5443f18203a07d6060f688f30f21632b";
struct chacha_vector {
    uint32_t version;
    const char *key, *iv, *hp, *sample, *mask, *ciphertext;
};
static const struct chacha_vector chacha_vectors[] = {
    {.version = 1,
     .key = "c6d98ff3441c3fe1b2182094f69caa2e d4b716b65488960a7a984979fb23e1c8",
     .iv = "e0459b3474bdd0e44a41c144",
     .hp = "25a282b9e82f06f21f488917a4fc8f1b 73573685608597d0efcb076b0ab7a7a4",
     .sample = "5e5cd55c41f69080575d7999c25a5bfb", .mask = "aefefe7d03",
     .ciphertext = "655e5cd55c41f69080575d7999c25a5bfb"},
    {.version = 0x6b3343cf,
     .key = "3bfcddd72bcf02541d7fa0dd1f5f9eee a817e09a6963a0e6c7df0f9a1bab90f2",
     .iv = "a6b5bc6ab7dafce30ffff5dd",
     .hp = "d659760d2ba434a226fd37b35c69e2da 8211d10c4f12538787d65645d5d1b8e2",
     .sample = "e7b6b932bc27d786f4bc2bb20f2162ba", .mask = "97580e32bf",
     .ciphertext = "0ae7b6b932bc27d786f4bc2bb20f2162ba"},
};

struct keys_vector {
    uint32_t version;
    const char *client_secret, *client_key, *client_iv, *client_hp;
    const char *server_secret, *server_key, *server_iv, *server_hp;
};

static const struct keys_vector key_vectors[] = {
    {.version = 0x00000001, .client_secret = v1_client_secret, .client_key = v1_client_key,
     .client_iv = v1_client_iv, .client_hp = v1_client_hp, .server_secret = v1_server_secret,
     .server_key = v1_server_key, .server_iv = v1_server_iv, .server_hp = v1_server_hp},
    {.version = 0x6b3343cf, .client_secret = v2_client_secret, .client_key = v2_client_key,
     .client_iv = v2_client_iv, .client_hp = v2_client_hp, .server_secret = v2_server_secret,
     .server_key = v2_server_key, .server_iv = v2_server_iv, .server_hp = v2_server_hp},
};

TEST(initial_keys_match_the_rfcs)
{
    uint8_t dcid[8];
    CHECK_EQ_INT(testlib_unhex(dcid_hex, dcid, sizeof dcid), 8);
    for (size_t i = 0; i < sizeof key_vectors / sizeof key_vectors[0]; i++) {
        const struct keys_vector *v = &key_vectors[i];
        const struct quic_version *ver = quic_version_find(v->version);
        uint8_t cs[32], ss[32];
        struct quic_keys ck, sk;
        CHECK(ver != NULL);
        if (ver == NULL)
            continue;
        CHECK_EQ_INT(quic_initial_secrets(ver, dcid, sizeof dcid, cs, ss), ST_OK);
        CHECK(testlib_same_hex(cs, 32, v->client_secret));
        CHECK(testlib_same_hex(ss, 32, v->server_secret));
        CHECK_EQ_INT(quic_initial_keys(ver, dcid, sizeof dcid, &ck, &sk), ST_OK);
        CHECK(testlib_same_hex(ck.key, 16, v->client_key));
        CHECK(testlib_same_hex(ck.iv, 12, v->client_iv));
        CHECK(testlib_same_hex(ck.hp, 16, v->client_hp));
        CHECK(testlib_same_hex(sk.key, 16, v->server_key));
        CHECK(testlib_same_hex(sk.iv, 12, v->server_iv));
        CHECK(testlib_same_hex(sk.hp, 16, v->server_hp));
    }
}

TEST(chacha20_keys_mask_and_payload_match_the_rfcs)
{
    for (size_t i = 0; i < sizeof chacha_vectors / sizeof chacha_vectors[0]; i++) {
        const struct chacha_vector *v = &chacha_vectors[i];
        uint8_t secret[32], sample[16], mask[5], ct[17], out[17];
        struct quic_keys k;
        testlib_unhex(chacha_secret, secret, sizeof secret);
        CHECK_EQ_INT(quic_keys_from_tls(quic_version_find(v->version), 0x1303, secret, 32, &k),
                     ST_OK);
        CHECK_EQ_INT(k.aead, QUIC_CHACHA20_POLY1305);
        CHECK(testlib_same_hex(k.key, 32, v->key));
        CHECK(testlib_same_hex(k.iv, 12, v->iv));
        CHECK(testlib_same_hex(k.hp, 32, v->hp));
        testlib_unhex(v->sample, sample, sizeof sample);
        CHECK_EQ_INT(quic_hp_mask(&k, sample, mask), ST_OK);
        CHECK(testlib_same_hex(mask, 5, v->mask));
        /* unprotected header 4200bff4, packet number 654360564, payload 01 (PING) */
        const uint8_t hdr[] = {0x42, 0x00, 0xbf, 0xf4};
        struct quic_aad aad = {.part = {hdr}, .len = {sizeof hdr}};
        size_t n = testlib_unhex(v->ciphertext, ct, sizeof ct);
        CHECK_EQ_INT(quic_aead_open(&k, 654360564, &aad, ct, n, out), ST_OK);
        CHECK_EQ_INT(out[0], 0x01);
        /* a 32-byte secret is not a SHA-384 one */
        CHECK_EQ_INT(quic_keys_from_tls(quic_version_find(1), 0x1302, secret, 32, &k),
                     ST_UNSUPPORTED);
        CHECK_EQ_INT(quic_keys_from_tls(quic_version_find(1), 0x1304, secret, 32, &k),
                     ST_UNSUPPORTED);
    }
}

TEST(header_protection_masks_match_the_rfcs)
{
    struct { const char *hp, *sample, *mask; } v[] = {
        {v1_client_hp, v1_client_sample, v1_client_mask},
        {v1_server_hp, v1_server_sample, v1_server_mask},
        {v2_client_hp, v2_client_sample, v2_client_mask},
        {v2_server_hp, v2_server_sample, v2_server_mask},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        struct quic_keys k = {.aead = QUIC_AES_128_GCM};
        uint8_t sample[16], mask[5];
        testlib_unhex(v[i].hp, k.hp, 16);
        testlib_unhex(v[i].sample, sample, sizeof sample);
        CHECK_EQ_INT(quic_hp_mask(&k, sample, mask), ST_OK);
        CHECK(testlib_same_hex(mask, 5, v[i].mask));
    }
}

/* Opens an RFC sample packet with the keys of the sample DCID. */
static enum status open_sample(const char *hex, uint32_t version, enum side from,
                               uint8_t *out, size_t *out_len, uint64_t *pn,
                               struct quic_long *p, uint8_t *wire, size_t wire_max)
{
    uint8_t dcid[8];
    testlib_unhex(dcid_hex, dcid, sizeof dcid);
    size_t n = testlib_unhex(hex, wire, wire_max);
    struct cursor d = cur_make(wire, n);
    struct quic_keys keys[2];
    TRY(quic_packet_parse(&d, p));
    ENSURE(p->known != NULL && p->version == version, ST_MALFORMED);
    TRY(quic_initial_keys(p->known, dcid, sizeof dcid, &keys[SIDE_CLIENT], &keys[SIDE_SERVER]));
    return quic_packet_open(p, &keys[from], UINT64_MAX, out, out_len, pn);
}

TEST(client_initials_open_to_the_rfc_payload)
{
    static uint8_t wire[1500], out[1500], want[1500];
    const char *packets[] = {v1_client_packet, v2_client_packet};
    const uint32_t versions[] = {1, 0x6b3343cf};
    for (int i = 0; i < 2; i++) {
        struct quic_long p;
        size_t len = 0;
        uint64_t pn = 0;
        CHECK_EQ_INT(open_sample(packets[i], versions[i], SIDE_CLIENT, out, &len, &pn, &p, wire,
                                 sizeof wire), ST_OK);
        CHECK_EQ_INT(p.type, QUIC_PT_INITIAL);
        CHECK_EQ_INT(p.packet.len, 1200);
        CHECK_EQ_INT(pn, 2);
        CHECK_EQ_INT(len, 1162);
        size_t m = testlib_unhex(client_crypto_frame, want, sizeof want);
        CHECK(len >= m && memcmp(out, want, m) == 0);
        bool padding = true;
        for (size_t k = m; k < len; k++)
            padding = padding && out[k] == 0;
        CHECK(padding);
    }
}

TEST(server_initials_open_to_the_rfc_payload)
{
    static uint8_t wire[1500], out[1500];
    const char *packets[] = {v1_server_packet, v2_server_packet};
    const uint32_t versions[] = {1, 0x6b3343cf};
    for (int i = 0; i < 2; i++) {
        struct quic_long p;
        size_t len = 0;
        uint64_t pn = 0;
        CHECK_EQ_INT(open_sample(packets[i], versions[i], SIDE_SERVER, out, &len, &pn, &p, wire,
                                 sizeof wire), ST_OK);
        CHECK_EQ_INT(p.type, QUIC_PT_INITIAL);
        CHECK_EQ_INT(p.dcid.len, 0);
        CHECK_EQ_INT(p.scid.len, 8);
        CHECK_EQ_INT(pn, 1);
        CHECK(testlib_same_hex(out, len, server_payload));
    }
}

TEST(a_wrong_key_or_a_flipped_bit_does_not_open)
{
    static uint8_t wire[1500], out[1500];
    struct quic_long p;
    size_t len = 0;
    uint64_t pn = 0;
    /* the client's packet under the server's keys */
    CHECK_EQ_INT(open_sample(v1_client_packet, 1, SIDE_SERVER, out, &len, &pn, &p, wire,
                             sizeof wire), ST_MALFORMED);
    /* one bit of the ciphertext flipped */
    size_t n = testlib_unhex(v1_server_packet, wire, sizeof wire);
    wire[n - 20] ^= 1;
    uint8_t dcid[8];
    testlib_unhex(dcid_hex, dcid, sizeof dcid);
    struct cursor d = cur_make(wire, n);
    struct quic_keys k[2];
    CHECK_EQ_INT(quic_packet_parse(&d, &p), ST_OK);
    CHECK_EQ_INT(quic_initial_keys(p.known, dcid, 8, &k[0], &k[1]), ST_OK);
    CHECK_EQ_INT(quic_packet_open(&p, &k[SIDE_SERVER], UINT64_MAX, out, &len, &pn), ST_MALFORMED);
}

TEST(retry_packets_of_both_versions)
{
    static uint8_t wire[128];
    const char *packets[] = {v1_retry, v2_retry};
    for (int i = 0; i < 2; i++) {
        size_t n = testlib_unhex(packets[i], wire, sizeof wire);
        struct cursor d = cur_make(wire, n);
        struct quic_long p;
        CHECK_EQ_INT(quic_packet_parse(&d, &p), ST_OK);
        CHECK_EQ_INT(p.form, QUIC_FORM_LONG);
        CHECK_EQ_INT(p.type, QUIC_PT_RETRY);
        CHECK_EQ_INT(p.scid.len, 8);
        CHECK(p.token.len == 5 && memcmp(p.token.ptr, "token", 5) == 0);
        CHECK_EQ_INT(cur_left(&d), 0);
    }
}

TEST(version_negotiation_lists_the_versions)
{
    /* RFC 9000 17.2.1: first byte with the form bit, version 0, DCID, SCID, versions */
    const uint8_t vn[] = {0x80, 0, 0, 0, 0, 4, 1, 2, 3, 4, 2, 5, 6,
                          0, 0, 0, 1, 0x6b, 0x33, 0x43, 0xcf, 0x1a, 0x2a, 0x3a, 0x4a};
    struct cursor d = cur_make(vn, sizeof vn);
    struct quic_long p;
    uint32_t v;
    CHECK_EQ_INT(quic_packet_parse(&d, &p), ST_OK);
    CHECK_EQ_INT(p.form, QUIC_FORM_VERSION_NEG);
    CHECK_EQ_INT(cur_left(&p.versions), 12);
    CHECK_EQ_INT(cur_u32(&p.versions, &v), ST_OK);
    CHECK_EQ_INT(v, 1);
    CHECK(quic_version_is_grease(0x1a2a3a4a));
    CHECK(!quic_version_is_grease(1));
    /* a version list cut mid-way */
    d = cur_make(vn, sizeof vn - 1);
    CHECK_EQ_INT(quic_packet_parse(&d, &p), ST_MALFORMED);
}

TEST(version_names_and_draft_salts)
{
    char name[16];
    quic_version_name(1, name, sizeof name);
    CHECK_EQ_STR(name, "1");
    quic_version_name(0xff00001d, name, sizeof name);
    CHECK_EQ_STR(name, "draft-29");
    quic_version_name(0xff000017, name, sizeof name);
    CHECK_EQ_STR(name, "draft-23");
    quic_version_name(0x1a2a3a4a, name, sizeof name);
    CHECK_EQ_STR(name, "0x1a2a3a4a");
    CHECK(quic_version_find(0xff000016) == NULL);
    /* the v2 type bits: 0b01 is Initial (RFC 9369 3.2), 0b00 Retry */
    CHECK_EQ_INT(quic_version_ptype(quic_version_find(0x6b3343cf), 0xd0), QUIC_PT_INITIAL);
    CHECK_EQ_INT(quic_version_ptype(quic_version_find(1), 0xc0), QUIC_PT_INITIAL);
    CHECK_EQ_INT(quic_version_ptype(quic_version_find(0x6b3343cf), 0xc0), QUIC_PT_RETRY);
}

TEST(every_prefix_of_a_packet_fails_cleanly)
{
    static uint8_t wire[1500];
    size_t n = testlib_unhex(v1_server_packet, wire, sizeof wire);
    for (size_t k = 0; k < n; k++) {
        uint8_t *cut = malloc(k ? k : 1);
        memcpy(cut, wire, k);
        struct cursor d = cur_make(cut, k);
        struct quic_long p;
        CHECK(quic_packet_parse(&d, &p) != ST_OK);
        free(cut);
    }
}

TEST(packet_numbers_decode_as_rfc9000_a3)
{
    /* RFC 9000 A.3's example */
    CHECK_EQ_INT(quic_pn_decode(0xa82f30ea, 0x9b32, 16), 0xa82f9b32);
    CHECK_EQ_INT(quic_pn_decode(UINT64_MAX, 2, 32), 2);
    CHECK_EQ_INT(quic_pn_decode(0xff, 0x01, 8), 0x101);
}

struct frames_seen {
    int crypto;
    uint64_t offset;
    size_t len;
    int close;
    struct quic_close_frame last;
};

static void seen_crypto(void *ud, uint64_t offset, struct slice data)
{
    struct frames_seen *f = ud;
    f->crypto++;
    f->offset = offset;
    f->len = data.len;
}

static void seen_close(void *ud, const struct quic_close_frame *c)
{
    struct frames_seen *f = ud;
    f->close++;
    f->last = *c;
}

TEST(frames_padding_ping_ack_crypto_close)
{
    /* PADDING, PING, ACK (1 range), ACK_ECN, CRYPTO off 0 len 3, CONNECTION_CLOSE
     * CRYPTO_ERROR 0x178 (no_application_protocol) for frame type 6, reason "x" */
    const uint8_t f[] = {0x00, 0x00, 0x01, 0x02, 0x05, 0x00, 0x01, 0x02, 0x01, 0x01,
                         0x03, 0x05, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03,
                         0x06, 0x00, 0x03, 'a', 'b', 'c',
                         0x1c, 0x41, 0x78, 0x06, 0x01, 'x'};
    struct frames_seen seen = {0};
    struct quic_frame_sink sink = {.ud = &seen, .crypto = seen_crypto, .close = seen_close};
    CHECK_EQ_INT(quic_frames_walk(cur_make(f, sizeof f), &sink), ST_OK);
    CHECK_EQ_INT(seen.crypto, 1);
    CHECK_EQ_INT(seen.len, 3);
    CHECK_EQ_INT(seen.close, 1);
    CHECK_EQ_INT(seen.last.code, 0x178);
    CHECK_EQ_INT(seen.last.frame_type, 6);
    CHECK(!seen.last.application);
    /* every prefix fails or stops cleanly, never reads past */
    for (size_t k = 0; k < sizeof f; k++) {
        uint8_t *cut = malloc(k ? k : 1);
        memcpy(cut, f, k);
        struct frames_seen s2 = {0};
        struct quic_frame_sink sk2 = {.ud = &s2, .crypto = seen_crypto, .close = seen_close};
        enum status st = quic_frames_walk(cur_make(cut, k), &sk2);
        CHECK(k == sizeof f || st != ST_OK || s2.close == 0);
        free(cut);
    }
    /* a STREAM frame has no place in an Initial packet */
    const uint8_t stream[] = {0x08, 0x00, 'a'};
    CHECK_EQ_INT(quic_frames_walk(cur_make(stream, sizeof stream), &sink), ST_UNSUPPORTED);
    /* an ACK claiming more ranges than bytes */
    const uint8_t ack[] = {0x02, 0x00, 0x00, 0x3f, 0x00, 0x00};
    CHECK_EQ_INT(quic_frames_walk(cur_make(ack, sizeof ack), &sink), ST_MALFORMED);
    CHECK_EQ_STR(quic_transport_error_name(0x0a), "PROTOCOL_VIOLATION");
    CHECK_EQ_STR(quic_transport_error_name(0x11), "VERSION_NEGOTIATION_ERROR");
    CHECK(quic_transport_error_name(0x178) == NULL);
}

TEST(crypto_reassembly_in_any_order)
{
    uint8_t data[300];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)i;
    /* pieces of 50 bytes given as 5, 3, 1, 0, 4, 2, with one duplicate */
    const int order[] = {5, 3, 1, 3, 0, 4, 2};
    struct quic_crypto s = {0};
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        struct slice piece = {data + order[k] * 50, 50};
        CHECK_EQ_INT(quic_crypto_add(&s, (uint64_t)order[k] * 50, piece), ST_OK);
        if (order[k] == 0)
            CHECK_EQ_INT(s.contiguous, 100);  /* 0 and 1 joined, 3 and 5 wait */
    }
    struct cursor r = quic_crypto_ready(&s);
    CHECK_EQ_INT(cur_left(&r), 300);
    CHECK(memcmp(r.buf, data, 300) == 0);
    quic_crypto_consume(&s, 120);
    r = quic_crypto_ready(&s);
    CHECK_EQ_INT(cur_left(&r), 180);
    /* an overlap that changes old bytes keeps what was delivered */
    uint8_t other[20];
    memset(other, 0xee, sizeof other);
    struct slice o = {other, sizeof other};
    CHECK_EQ_INT(quic_crypto_add(&s, 290, o), ST_OK);
    CHECK_EQ_INT(s.contiguous, 310);
    r = quic_crypto_ready(&s);
    CHECK(memcmp(r.buf, data + 120, 170) == 0);
    /* past the cap: noted, never written */
    struct slice far = {data, 10};
    CHECK_EQ_INT(quic_crypto_add(&s, QUIC_CRYPTO_MAX - 5, far), ST_OK);
    CHECK(s.overflow);
    CHECK_EQ_INT(quic_crypto_add(&s, UINT64_MAX - 2, far), ST_LIMIT);
    /* too many holes */
    struct quic_crypto t = {0};
    enum status last = ST_OK;
    for (int k = 0; k < QUIC_CRYPTO_RANGES + 2; k++) {
        struct slice one = {data, 1};
        last = quic_crypto_add(&t, 10 + (uint64_t)k * 3, one);
    }
    CHECK_EQ_INT(last, ST_LIMIT);
    CHECK(t.overflow);
    quic_crypto_free(&s);
    quic_crypto_free(&t);
}

/* The RFC sample datagrams through a session: the same facts as over TCP. */
TEST(session_decodes_the_hellos)
{
    static uint8_t wire[1500];
    const char *client[] = {v1_client_packet, v2_client_packet};
    const char *server[] = {v1_server_packet, v2_server_packet};
    for (int i = 0; i < 2; i++) {
        struct conn *c = conn_new(1);
        struct quic_session s;
        struct tstamp ts = {1, 0};
        CHECK(c != NULL);
        if (c == NULL)
            return;
        CHECK_EQ_INT(quic_session_init(&s, c), ST_OK);
        size_t n = testlib_unhex(client[i], wire, sizeof wire);
        struct slice d = {wire, n};
        CHECK(quic_sniff_initial(d));
        CHECK_EQ_INT(quic_session_datagram(&s, c, SIDE_CLIENT, d, 1, ts), ST_OK);
        n = testlib_unhex(server[i], wire, sizeof wire);
        d.len = n;
        CHECK(!quic_sniff_initial(d));
        CHECK_EQ_INT(quic_session_datagram(&s, c, SIDE_SERVER, d, 2, ts), ST_OK);
        CHECK(c->ch->present);
        CHECK_EQ_INT(c->ch->frame, 1);
        CHECK_EQ_INT(c->ch->segments, 1);
        CHECK(c->ch->has_sni && c->ch->sni_len == 11 && memcmp(c->ch->sni, "example.com", 11) == 0);
        CHECK_EQ_INT(c->ch->n_alpn, 1);
        CHECK(c->ch->alpn_len[0] == 4 && memcmp(c->ch->alpn[0], "alpn", 4) == 0);
        bool tp = false;
        for (uint16_t k = 0; k < c->ch->n_exts; k++)
            tp = tp || c->ch->exts[k] == 0x39;
        CHECK(tp);
        CHECK(c->sh.present);
        CHECK_EQ_INT(c->sh.frame, 2);
        CHECK_EQ_INT(c->sh.version, 0x0304);
        CHECK_EQ_INT(c->sh.suite, 0x1301);
        CHECK_EQ_INT(c->quic->opened[SIDE_CLIENT], 1);
        CHECK_EQ_INT(c->quic->opened[SIDE_SERVER], 1);
        CHECK_EQ_INT(c->quic->version, i == 0 ? 1u : 0x6b3343cfu);
        CHECK_EQ_INT(c->n_messages, 2);
        CHECK(!c->side[0].malformed && !c->side[1].malformed);
        quic_session_free(&s);
        conn_free(c);
    }
}

TEST(session_survives_every_truncation_and_bit_flip)
{
    static uint8_t wire[1500];
    size_t n = testlib_unhex(v1_client_packet, wire, sizeof wire);
    struct tstamp ts = {1, 0};
    for (size_t k = 0; k < n; k += 7) {
        struct conn *c = conn_new(1);
        struct quic_session s;
        CHECK_EQ_INT(quic_session_init(&s, c), ST_OK);
        uint8_t *cut = malloc(k ? k : 1);
        memcpy(cut, wire, k);
        struct slice d = {cut, k};
        CHECK_EQ_INT(quic_session_datagram(&s, c, SIDE_CLIENT, d, 1, ts), ST_OK);
        CHECK(!c->ch->present);
        free(cut);
        quic_session_free(&s);
        conn_free(c);
    }
    for (size_t k = 0; k < n; k += 13) {
        struct conn *c = conn_new(1);
        struct quic_session s;
        CHECK_EQ_INT(quic_session_init(&s, c), ST_OK);
        wire[k] ^= 0x10;
        struct slice d = {wire, n};
        CHECK_EQ_INT(quic_session_datagram(&s, c, SIDE_CLIENT, d, 1, ts), ST_OK);
        /* a flip anywhere breaks the tag or the header: nothing decoded */
        CHECK(!c->ch->present);
        wire[k] ^= 0x10;
        quic_session_free(&s);
        conn_free(c);
    }
}

/* Frames of opened packets, out of order, then the server's close: the
 * ClientHello is decoded once whole, the CRYPTO_ERROR becomes its alert. */
TEST(session_frames_out_of_order_and_close)
{
    static uint8_t frame[600], hello[600];
    size_t n = testlib_unhex(client_crypto_frame, frame, sizeof frame);
    size_t hlen = n - 4;  /* 06 00 40f1: type, offset 0, length 241 */
    memcpy(hello, frame + 4, hlen);
    CHECK_EQ_INT(hlen, 241);
    /* two CRYPTO frames: [100, 241) first, then [0, 100) */
    uint8_t second[300], first[120];
    size_t ls = 0, lf = 0;
    second[ls++] = 0x06;
    second[ls++] = 0x40;
    second[ls++] = 100;
    second[ls++] = 0x40;
    second[ls++] = (uint8_t)(hlen - 100);
    memcpy(second + ls, hello + 100, hlen - 100);
    ls += hlen - 100;
    first[lf++] = 0x06;
    first[lf++] = 0x00;
    first[lf++] = 0x40;
    first[lf++] = 100;
    memcpy(first + lf, hello, 100);
    lf += 100;
    const uint8_t close[] = {0x1c, 0x41, 0x78, 0x06, 0x02, 'n', 'o'};
    struct conn *c = conn_new(1);
    struct quic_session s;
    struct tstamp ts = {1, 0};
    CHECK_EQ_INT(quic_session_init(&s, c), ST_OK);
    struct slice a = {second, ls}, b = {first, lf}, z = {close, sizeof close};
    quic_session_frames(&s, c, SIDE_CLIENT, QUIC_SPACE_INITIAL, a, 1, ts);
    CHECK(!c->ch->present);
    quic_session_frames(&s, c, SIDE_CLIENT, QUIC_SPACE_INITIAL, b, 2, ts);
    CHECK(c->ch->present);
    CHECK_EQ_INT(c->ch->frame, 2);
    /* a ClientHello over two datagrams (as a post-quantum share makes it) */
    CHECK_EQ_INT(c->ch->segments, 2);
    /* the same bytes again (a retransmission) decode nothing twice */
    quic_session_frames(&s, c, SIDE_CLIENT, QUIC_SPACE_INITIAL, b, 3, ts);
    CHECK_EQ_INT(c->client_hellos, 1);
    quic_session_frames(&s, c, SIDE_SERVER, QUIC_SPACE_INITIAL, z, 4, ts);
    CHECK(c->quic->close.present);
    CHECK_EQ_INT(c->quic->close.from, SIDE_SERVER);
    CHECK_EQ_INT(c->quic->close.code, 0x178);
    CHECK_EQ_STR(c->quic->close.reason, "no");
    CHECK_EQ_INT(c->n_alerts, 1);
    CHECK_EQ_INT(c->alerts[0].description, 120);
    CHECK_EQ_INT(c->alerts[0].from, SIDE_SERVER);
    quic_session_free(&s);
    conn_free(c);
}

/* CRYPTO buffers come from a shared pool: streams the pool cannot pay for
 * drop their data (overflow) rather than allocate, and a stream whose bytes
 * were all read gives its buffer back. */
TEST(crypto_buffers_are_paid_from_a_pool)
{
    enum { STREAMS = 10, AFFORD = 3 };
    size_t budget = AFFORD * (size_t)QUIC_CRYPTO_MAX;
    struct quic_crypto s[STREAMS];
    const uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    memset(s, 0, sizeof s);
    for (int i = 0; i < STREAMS; i++) {
        s[i].budget = &budget;
        /* out of order: held until offset 0 comes */
        CHECK_EQ_INT(quic_crypto_add(&s[i], 100, (struct slice){data, sizeof data}), ST_OK);
        CHECK_EQ_INT(s[i].buf != NULL, i < AFFORD);
        CHECK_EQ_INT(s[i].overflow, i >= AFFORD);
    }
    CHECK_EQ_INT(budget, 0);
    quic_crypto_free(&s[0]);
    CHECK_EQ_INT(budget, QUIC_CRYPTO_MAX);
    CHECK(s[0].budget == &budget);
    /* filled and read to the end: idle, the buffer goes back */
    CHECK_EQ_INT(quic_crypto_add(&s[0], 0, (struct slice){data, sizeof data}), ST_OK);
    CHECK_EQ_INT(budget, 0);
    struct cursor ready = quic_crypto_ready(&s[0]);
    CHECK_EQ_INT(cur_left(&ready), sizeof data);
    quic_crypto_consume(&s[0], sizeof data);
    quic_crypto_release_idle(&s[0]);
    CHECK(s[0].buf == NULL);
    CHECK_EQ_INT(budget, QUIC_CRYPTO_MAX);
    /* what follows still lands at its offset in a new buffer */
    CHECK_EQ_INT(quic_crypto_add(&s[0], sizeof data, (struct slice){data, 4}), ST_OK);
    ready = quic_crypto_ready(&s[0]);
    CHECK_EQ_INT(cur_left(&ready), 4);
    /* a stream with bytes still waiting keeps its buffer */
    quic_crypto_release_idle(&s[1]);
    CHECK(s[1].buf != NULL);
    for (int i = 0; i < STREAMS; i++)
        quic_crypto_free(&s[i]);
    CHECK_EQ_INT(budget, AFFORD * (size_t)QUIC_CRYPTO_MAX);
}

/* RFC 9000 17.2.5.2: a client processes one Retry; a server that keeps
 * sending them (rejecting the token it issued) is counted, not just noted. */
TEST(retries_are_counted)
{
    static uint8_t initial[1500], retry[128];
    size_t ni = testlib_unhex(v1_client_packet, initial, sizeof initial);
    size_t nr = testlib_unhex(v1_retry, retry, sizeof retry);
    struct conn *c = conn_new(1);
    struct quic_session s;
    struct tstamp ts = {1, 0};
    CHECK_EQ_INT(quic_session_init(&s, c), ST_OK);
    CHECK_EQ_INT(quic_session_datagram(&s, c, SIDE_CLIENT, (struct slice){initial, ni}, 1, ts),
                 ST_OK);
    for (uint64_t k = 0; k < 3; k++)
        CHECK_EQ_INT(quic_session_datagram(&s, c, SIDE_SERVER, (struct slice){retry, nr}, 2 + k,
                                           ts),
                     ST_OK);
    CHECK(c->quic->retry);
    CHECK_EQ_INT(c->quic->retry_frame, 2);
    CHECK_EQ_INT(c->quic->retries, 3);
    quic_session_free(&s);
    conn_free(c);
}

/* RFC 9000 8.1: a server that has sent within a datagram of three times what
 * it received, before the client's address is validated, must wait; a
 * Handshake packet from the client validates it and lifts the limit. */
TEST(anti_amplification_limit_is_noted)
{
    static uint8_t initial[1500], junk[1200];
    size_t ni = testlib_unhex(v1_client_packet, initial, sizeof initial);
    /* a Handshake packet (RFC 9000 17.2.4): type 2, v1, DCID 8 bytes, no
     * SCID, length 32, a protected payload we cannot open */
    uint8_t hs[64] = {0xe0, 0, 0, 0, 1, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0x40, 32};
    memset(junk, 0x55, sizeof junk);
    struct conn *c = conn_new(1);
    struct quic_session s;
    struct tstamp ts = {1, 0};
    CHECK_EQ_INT(quic_session_init(&s, c), ST_OK);
    CHECK_EQ_INT(quic_session_datagram(&s, c, SIDE_CLIENT, (struct slice){initial, ni}, 1, ts),
                 ST_OK);
    CHECK_EQ_INT(quic_session_datagram(&s, c, SIDE_SERVER, (struct slice){junk, 1200}, 2, ts),
                 ST_OK);
    CHECK(!c->quic->amplification_limited);  /* 1200 of 3600 */
    CHECK_EQ_INT(quic_session_datagram(&s, c, SIDE_SERVER, (struct slice){junk, 1200}, 3, ts),
                 ST_OK);
    CHECK(c->quic->amplification_limited);   /* 2400: one more would reach 3600 */
    CHECK_EQ_INT(c->quic->amplification_frame, 3);
    CHECK_EQ_INT(c->quic->unvalidated_bytes[SIDE_CLIENT], ni);
    CHECK_EQ_INT(quic_session_datagram(&s, c, SIDE_CLIENT, (struct slice){hs, 17 + 32}, 4, ts),
                 ST_OK);
    CHECK_EQ_INT(c->quic->handshake[SIDE_CLIENT], 1);
    CHECK_EQ_INT(quic_session_datagram(&s, c, SIDE_SERVER, (struct slice){junk, 1200}, 5, ts),
                 ST_OK);
    CHECK(!c->quic->amplification_limited);  /* validated: no limit */
    quic_session_free(&s);
    conn_free(c);
}

/* One datagram into the session, at second sec (plus ms milliseconds). */
static enum status feed(struct quic_session *s, struct conn *c, enum side from,
                        const uint8_t *bytes, size_t len, uint64_t frame, int64_t sec, uint32_t ms)
{
    struct tstamp ts = {sec, ms * 1000000u};
    return quic_session_datagram(s, c, from, (struct slice){bytes, len}, frame, ts);
}

/* RFC 9000 17.2.5.2: the client's next Initial carries the Retry's token; a
 * Retry after that one says the token was not accepted (a Retry loop). */
TEST(retry_token_carried_back_then_refused)
{
    static uint8_t initial[1500], retry[128], again[1500];
    size_t ni = testlib_unhex(v1_client_packet, initial, sizeof initial);
    size_t nr = testlib_unhex(v1_retry, retry, sizeof retry);
    /* the same Initial sent to the Retry's SCID with its 5-byte token,
     * "token"; the length field and payload follow as they were */
    static const uint8_t head[] = {0xc0, 0, 0, 0, 1, 8, 0xf0, 0x67, 0xa5, 0x50, 0x2a,
                                   0x42, 0x62, 0xb5, 0, 5, 't', 'o', 'k', 'e', 'n'};
    enum { OLD_HEAD = 16 }; /* the original's header up to its length field */
    memcpy(again, head, sizeof head);
    memcpy(again + sizeof head, initial + OLD_HEAD, ni - OLD_HEAD);
    struct conn *c = conn_new(1);
    struct quic_session s;
    CHECK_EQ_INT(quic_session_init(&s, c), ST_OK);
    const struct quic_facts *q = c->quic;
    CHECK_EQ_INT(feed(&s, c, SIDE_CLIENT, initial, ni, 1, 1, 0), ST_OK);
    CHECK_EQ_INT(feed(&s, c, SIDE_SERVER, retry, nr, 2, 1, 0), ST_OK);
    CHECK_EQ_INT(q->retry_token_len, 5);
    CHECK_EQ_INT(q->token_frame, 0);
    CHECK(!quic_retry_refused(q));
    CHECK_EQ_INT(feed(&s, c, SIDE_CLIENT, again, sizeof head + ni - OLD_HEAD, 3, 1, 0), ST_OK);
    CHECK_EQ_INT(q->token_frame, 3);
    CHECK_EQ_INT(q->token_len, 5);
    CHECK(!quic_retry_refused(q));  /* the server has not answered it yet */
    CHECK_EQ_INT(feed(&s, c, SIDE_SERVER, retry, nr, 4, 1, 0), ST_OK);
    CHECK_EQ_INT(q->retries, 2);
    CHECK_EQ_INT(q->retry_frame, 2);
    CHECK_EQ_INT(q->retry_again_frame, 4);
    CHECK_EQ_INT(q->retry_again_token_len, 5);
    CHECK_EQ_INT(q->last_retry_frame, 4);
    CHECK(quic_retry_refused(q));
    quic_session_free(&s);
    conn_free(c);
}

/* RFC 9000 8.1: a server at three times the client's bytes that then stays
 * silent while the client sends on; its next datagram ends the count. The
 * server's datagrams are filler, the client's unopened Handshake packets. */
TEST(amplification_stall_counts_the_unanswered)
{
    static uint8_t hello[1500], filler[1200];
    size_t nh = testlib_unhex(v1_client_packet, hello, sizeof hello);
    const uint8_t ack[49] = {0xe0, 0, 0, 0, 1, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0x40, 32};
    memset(filler, 0xaa, sizeof filler);
    struct conn *c = conn_new(1);
    struct quic_session s;
    CHECK_EQ_INT(quic_session_init(&s, c), ST_OK);
    const struct quic_facts *q = c->quic;
    CHECK_EQ_INT(feed(&s, c, SIDE_CLIENT, hello, nh, 1, 1, 0), ST_OK);
    for (uint64_t k = 0; k < 3; k++)
        CHECK_EQ_INT(feed(&s, c, SIDE_SERVER, filler, sizeof filler, 2 + k, 1, 0), ST_OK);
    CHECK_EQ_INT(q->bytes_at_server_last[SIDE_CLIENT], nh);
    CHECK_EQ_INT(q->bytes_at_server_last[SIDE_SERVER], 3 * sizeof filler);
    CHECK_EQ_INT(q->unanswered, 0);
    CHECK(!quic_amplification_stalled(q));
    CHECK_EQ_INT(feed(&s, c, SIDE_CLIENT, ack, sizeof ack, 5, 1, 500), ST_OK);
    CHECK_EQ_INT(q->unanswered, 1);
    CHECK_EQ_INT(q->unanswered_frame, 5);
    CHECK(!quic_amplification_stalled(q));  /* one datagram: the capture may just end */
    CHECK_EQ_INT(feed(&s, c, SIDE_CLIENT, ack, sizeof ack, 6, 2, 600), ST_OK);
    CHECK_EQ_INT(q->unanswered, 2);
    CHECK_EQ_INT(q->unanswered_frame, 5);
    CHECK_EQ_INT(q->bytes[SIDE_CLIENT], nh + 2 * sizeof ack);
    CHECK(quic_amplification_stalled(q));
    CHECK(quic_amplification_gave_up(q));   /* 1.6 s after the server's last */
    CHECK_EQ_INT(feed(&s, c, SIDE_SERVER, filler, sizeof filler, 7, 2, 700), ST_OK);
    CHECK_EQ_INT(q->unanswered, 0);
    CHECK(!quic_amplification_stalled(q));
    quic_session_free(&s);
    conn_free(c);
}

struct flood_owner {
    struct conn *conns[2000];
    size_t n;
};

static struct conn *flood_conn(void *owner)
{
    struct flood_owner *o = owner;
    if (o->n >= sizeof o->conns / sizeof o->conns[0])
        return NULL;  /* the owner's cap (--max-connections) */
    o->conns[o->n] = conn_new((uint32_t)o->n + 1);
    return o->conns[o->n++];
}

/* A flood of client Initials (RFC 9001 A.2, which any sender can make: the
 * keys are public) from 5000 ports: connections stop at the owner's cap, the
 * rest are counted, every one of them decodes its ClientHello, and no CRYPTO
 * buffer stays held once the hellos are read. */
TEST(a_flood_of_initials_stays_bounded)
{
    static uint8_t wire[1500];
    size_t n = testlib_unhex(v1_client_packet, wire, sizeof wire);
    struct flood_owner *owner = calloc(1, sizeof *owner);
    struct quic_table t;
    CHECK_EQ_INT(quic_table_init(&t), ST_OK);
    t.new_conn = flood_conn;
    t.owner = owner;
    for (unsigned i = 0; i < 5000; i++) {
        struct packet p = {.frame = i + 1, .ts = {1, 0}, .udp = true,
                           .src = {.family = 4, .bytes = {10, 0, (uint8_t)(i >> 8), 1}},
                           .dst = {.family = 4, .bytes = {10, 0, 0, 2}},
                           .sport = (uint16_t)(1024 + i), .dport = 443,
                           .payload = {wire, n}, .payload_wire = (uint32_t)n};
        CHECK_EQ_INT(quic_table_packet(&t, &p), ST_OK);
    }
    CHECK_EQ_INT(t.n_flows, 2000);
    CHECK_EQ_INT(t.dropped, 3000);
    CHECK_EQ_INT(t.crypto_budget, QUIC_TABLE_CRYPTO_BUDGET);
    size_t hellos = 0;
    for (size_t i = 0; i < owner->n; i++)
        hellos += owner->conns[i]->ch->present;
    CHECK_EQ_INT(hellos, 2000);
    quic_table_free(&t);
    for (size_t i = 0; i < owner->n; i++)
        conn_free(owner->conns[i]);
    free(owner);
}

TEST_MAIN("quic", TEST_ENTRY(initial_keys_match_the_rfcs),
          TEST_ENTRY(crypto_buffers_are_paid_from_a_pool),
          TEST_ENTRY(a_flood_of_initials_stays_bounded),
          TEST_ENTRY(retries_are_counted),
          TEST_ENTRY(anti_amplification_limit_is_noted),
          TEST_ENTRY(retry_token_carried_back_then_refused),
          TEST_ENTRY(amplification_stall_counts_the_unanswered),
          TEST_ENTRY(header_protection_masks_match_the_rfcs),
          TEST_ENTRY(chacha20_keys_mask_and_payload_match_the_rfcs),
          TEST_ENTRY(client_initials_open_to_the_rfc_payload),
          TEST_ENTRY(server_initials_open_to_the_rfc_payload),
          TEST_ENTRY(a_wrong_key_or_a_flipped_bit_does_not_open),
          TEST_ENTRY(retry_packets_of_both_versions),
          TEST_ENTRY(version_negotiation_lists_the_versions),
          TEST_ENTRY(version_names_and_draft_salts),
          TEST_ENTRY(every_prefix_of_a_packet_fails_cleanly),
          TEST_ENTRY(packet_numbers_decode_as_rfc9000_a3),
          TEST_ENTRY(frames_padding_ping_ack_crypto_close),
          TEST_ENTRY(crypto_reassembly_in_any_order),
          TEST_ENTRY(session_decodes_the_hellos),
          TEST_ENTRY(session_survives_every_truncation_and_bit_flip),
          TEST_ENTRY(session_frames_out_of_order_and_close))
