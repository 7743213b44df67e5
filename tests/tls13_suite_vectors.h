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
    const char *keylog;   /* path from the repository root */
    const char *client_random;   /* hex, from the capture's ClientHello */
};
static const struct suite_vector suite_vectors[] = {
    {"TLS_AES_256_GCM_SHA384", 0x1302,
    /* CLIENT_HANDSHAKE_TRAFFIC_SECRET */
    "39f74ff534740cc43de58f2289dfee3906e1402526eb0b32d8ae6e686f93876d657fdbd7"
    "5cfa75312c6c59f770c0347f",
    /* CLIENT_TRAFFIC_SECRET_0 */
    "963f4a51b744d94fcfd445229a4895c401d8acaf93128eb47956ffac530a257292941b6f"
    "2e61773a7cabc34f7229a68a",
    /* the client's Finished, protected */
    "170303004593a9200ac689e8357f1a049e5fc7f3b90f0a9cc1e40c75e7a5da69d31b7e04"
    "81b7d379b58892bc2b85c465544976f28d7863bebd195fc322a2f922c731719fcd327a85"
    "bc43",
    /* the client's first application data, protected */
    "170303004748fad3187d2bcb1fb0b06cd67a11a73bdc806eb4a9e56637cc92423ab4d5a9"
    "1b866f91c746294b3febd7df739e463ef4bf916c8eb75898fd9a1ccd38630bf989bba020"
    "e7dda64a",
    "tlsexplain known plaintext for TLS_AES_256_GCM_SHA384\n",
    "test-captures/tls13-suites/TLS_AES_256_GCM_SHA384.keylog",
    "dfb50f1a50096d17eae36d512db552d9869ba73cc3ebc61147f8ad376e4e0944"},
    {"TLS_CHACHA20_POLY1305_SHA256", 0x1303,
    /* CLIENT_HANDSHAKE_TRAFFIC_SECRET */
    "a92f8de6eb22a70e6660182a95e373ec80363bd9d4fbaebec389ea4c7b0983fd",
    /* CLIENT_TRAFFIC_SECRET_0 */
    "5fc487cf22f237b79b4c45f9ce32e91a071b3447f4ee67e5d6edda12336b0102",
    /* the client's Finished, protected */
    "170303003536bd37ea8dd336f6242e47496a87b01bc32228f44adedf22494c1fe9728750"
    "a5e37bc503e4cc668ad63bc678efa853cb5894382ea9",
    /* the client's first application data, protected */
    "170303004d4cffca97f384f037b2492f48f04bf2779fdebd4b9c0787154c70fcc2acd930"
    "80632795bbaa84ab563620b00bdbb2582686d566a6f098cee6252494df9487e459016324"
    "0a8a4f483e4609731234",
    "tlsexplain known plaintext for TLS_CHACHA20_POLY1305_SHA256\n",
    "test-captures/tls13-suites/TLS_CHACHA20_POLY1305_SHA256.keylog",
    "628455dfaec0063571af6dab74559ec6e4a7afbeea2c8af1e2cc744ae550be6d"},
    {"TLS_AES_128_CCM_SHA256", 0x1304,
    /* CLIENT_HANDSHAKE_TRAFFIC_SECRET */
    "6a81785e960d921cae09c27e40b0e1151f10e559c807a307553647abb2d201f8",
    /* CLIENT_TRAFFIC_SECRET_0 */
    "2cef2709718bd0631e885af33ee677b95860db382b14e46568bfe51fcbaa26f2",
    /* the client's Finished, protected */
    "17030300356551470dbfc88b2af429c5d0f9339026b56c6f17469bc16545c0c187c534ec"
    "b0285b65cc068a93a220fde3fbe62082a13aa9ceb890",
    /* the client's first application data, protected */
    "1703030047d7c466a066a9070c59ab3129436570e60931ecb524fdb96720dcd72804e296"
    "88051c6666ee9be12df7e20511e5d90364df2fe00d213777f606c8e9e8a11f869015c4d5"
    "6d18ef44",
    "tlsexplain known plaintext for TLS_AES_128_CCM_SHA256\n",
    "test-captures/tls13-suites/TLS_AES_128_CCM_SHA256.keylog",
    "7868b48e66b2c5b13e1e837e088f8f321179f2d0431a7037a93259886989e641"},
    {"TLS_AES_128_CCM_8_SHA256", 0x1305,
    /* CLIENT_HANDSHAKE_TRAFFIC_SECRET */
    "35162dd4fe56ddc8550e2d30e55a8814e74fcf13b72661de107afa4be8091b6c",
    /* CLIENT_TRAFFIC_SECRET_0 */
    "0dfd8363844b4cf43a41e6c770ffcb32858664bd15e355ba027b7351b41276db",
    /* the client's Finished, protected */
    "170303002d40dbebe25e26be68c1b688591f62ad28df74bb5d77c858a432165859b5f3d7"
    "37f0d1493e7d4f5be0321b64b3dc",
    /* the client's first application data, protected */
    "1703030041e96325a85a165d66440daff7d99448f67b5c3b0d8aa5f7fccd41428516423f"
    "f15752ff0d9cd0818cd925f2d3dee84ae37d385afb9534d66dc72ae45808aef9d72f",
    "tlsexplain known plaintext for TLS_AES_128_CCM_8_SHA256\n",
    "test-captures/tls13-suites/TLS_AES_128_CCM_8_SHA256.keylog",
    "add0ed93bfa9463e830ebaf3b11b269311b61d4ba9cc33eae9685c25f1d6f134"},
};
