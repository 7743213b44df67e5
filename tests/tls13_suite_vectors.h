/* tls13_suite_vectors.h: written by test-captures/gen/tls13_suites.sh from
 * test-captures/tls13-suites/ (openssl s_client -> s_server, TLS 1.3, one suite
 * each): the client's secrets from OpenSSL's key log and its first two protected
 * records from the capture. Do not edit. */
struct suite_vector {
    const char *name;
    uint16_t suite;
    const char *hs_secret, *ap_secret;   /* hex */
    const char *finished_record, *app_record;   /* hex, 5-byte header included */
    const char *plaintext;
};
static const struct suite_vector suite_vectors[] = {
    {"TLS_AES_256_GCM_SHA384", 0x1302,
    /* CLIENT_HANDSHAKE_TRAFFIC_SECRET */
    "c0e9601cfb44b7165b58de517d3f81aec37f72c086b4c8293904204d8c01e21a81cf7317"
    "9c1693071d7dbe5599bade74",
    /* CLIENT_TRAFFIC_SECRET_0 */
    "e1c36182723b855e9bbabc3dc1ba0be953f2629402643bb407e63a8d04209305d1c7b7b7"
    "f0f8397fb914b058955efd7c",
    /* the client's Finished, protected */
    "170303004590838e0f36fa24d785a1bd59db123213f2123517020dbde75c9cdfd30fab6c"
    "8d9a0f45fe8fc7bd90c13548147762c0b4ed5c98d312baf3057ac897d758cb127a21c2c8"
    "cd53",
    /* the client's first application data, protected */
    "1703030047e8d1e372ae18db33f6e226e00b36279dae70639f16220a9dc71041e6ecc57d"
    "ac48d5dbc601bb7a9d4b53e07d6124ce5c058c5b407e6ee3554062a3e08b81a5178830f5"
    "1596aefc",
    "tlsexplain known plaintext for TLS_AES_256_GCM_SHA384\n"},
    {"TLS_CHACHA20_POLY1305_SHA256", 0x1303,
    /* CLIENT_HANDSHAKE_TRAFFIC_SECRET */
    "452a636e196413c5d0f2038dd3c7fc4833165fdcecdaeec2a2693a371e2738f2",
    /* CLIENT_TRAFFIC_SECRET_0 */
    "b71533e2e0a051869519401a0d62590f9c7a586fda0064b3680f170991b3deaf",
    /* the client's Finished, protected */
    "17030300355a66bfe338ddd5a97fa9ab979324e9815c79e9398d68368a1c24c9285f2dec"
    "99ace9bcda0b2ca19e2271771d7b916cf0a915e6262e",
    /* the client's first application data, protected */
    "170303004d03506c9ebd12f7978c3b46eaddd4fcdf69f5be3e892604fc6ca383706c03e2"
    "59d3e099b43e2405ca6d665082e40893317c27416c5552d1aeb1aae7cb4e03946ac01926"
    "6bde61c905462ee10b37",
    "tlsexplain known plaintext for TLS_CHACHA20_POLY1305_SHA256\n"},
    {"TLS_AES_128_CCM_SHA256", 0x1304,
    /* CLIENT_HANDSHAKE_TRAFFIC_SECRET */
    "62c5c946b6d9c829b91538795a8a3cd55fce60cd3052a2290652b4bbf1200845",
    /* CLIENT_TRAFFIC_SECRET_0 */
    "d673df103f3d79e2d891bb96c23016622bb18ea3ca7a93975506ddf51b12b3b6",
    /* the client's Finished, protected */
    "170303003592d646d8904ed57ee4cee267eaedeb6123e6467752e33dc884e931a9a45d02"
    "1f71555e21380da8cc8104a8ff2dbb97b6d022c779f8",
    /* the client's first application data, protected */
    "17030300471fea7c193c1f76121de06f590d9d75c3a92928534a0db4b0b3f9c2433ccde4"
    "f808a98900c202ad894776718cede1714cc6f6b489a78e4beb96515e7e6ebd83f4ccc622"
    "7c6303f2",
    "tlsexplain known plaintext for TLS_AES_128_CCM_SHA256\n"},
    {"TLS_AES_128_CCM_8_SHA256", 0x1305,
    /* CLIENT_HANDSHAKE_TRAFFIC_SECRET */
    "4c6bf0ca12e017d66a393e54b12834088a471c55b7abb4322e9e2ba366db9f39",
    /* CLIENT_TRAFFIC_SECRET_0 */
    "53c62d14f7b7fb7a9af467a40b91ac8a961906d3bbed05f663b2b2207eaaaf63",
    /* the client's Finished, protected */
    "170303002de1f5862ec91458990649a1f368cb9c42b3d6efff63e92fcbe3c5407878b116"
    "9d86bb65a9a48e40e3c60f4a2e0e",
    /* the client's first application data, protected */
    "1703030041686ee49a204f6b5fb4c764452395e96fd5172f41a904a5a1478ad523f611e5"
    "06ec8258a9d36b5969fbf3bfc7d918e106fa96c24ad73834493b9df8e8f1c90e4f39",
    "tlsexplain known plaintext for TLS_AES_128_CCM_8_SHA256\n"},
};
