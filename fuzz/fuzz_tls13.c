/* fuzz_tls13.c: TLS 1.3 decryption with a key log (--keylog), past the AEAD.
 *
 * Random bytes never authenticate, so this harness holds the keys: a fixed
 * client random and four traffic secrets are in a key log, a ClientHello
 * with that random and a ServerHello choosing the suite open the streams,
 * and then every record the input describes is sealed by the harness with
 * the keys it picks (RFC 8446 5.2-5.3) before tls_feed sees it. What is
 * fuzzed is the plaintext and the key schedule as the decoder follows it:
 * handshake messages split over records, Finished and the switch to the
 * application secrets, KeyUpdate, alerts, padding, wrong keys and tags.
 *
 * Input: ctl(1), then records: hdr(1) len(2, big-endian) content[len]
 *   ctl bit 0     suite TLS_CHACHA20_POLY1305_SHA256, else TLS_AES_128_GCM_SHA256
 *   ctl bit 1     the server sends a dummy ChangeCipherSpec (RFC 8446 D.4)
 *   ctl bit 2     each sealed record is fed in two pieces
 *   hdr bit 0     from the server, else from the client
 *   hdr bits 1-2  keys: 0 handshake, 1 application, 2 the peer's handshake
 *                 keys (wrong), 3 none: the content is sent as it is
 *   hdr bits 3-4  inner type: handshake, alert, application data, the
 *                 content's last byte (none when 0)
 *   hdr bit 5     16 bytes of zero padding (RFC 8446 5.4)
 *   hdr bit 6     the tag is damaged
 * A KeyUpdate sealed under the application keys moves the harness to the
 * next secret too (RFC 8446 7.2). */
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analyze.h"
#include "file_report.h"
#include "facts/conn.h"
#include "tls/keylog.h"
#include "report/report.h"
#include "rules/rules.h"
#include "tls/tls13_decrypt.h"
#include "tls/tls_stream.h"
#include "rules/verdict.h"

#define MAX_PLAIN 16384

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { K_HANDSHAKE, K_APPLICATION };

static struct keylog *keys;
static FILE *devnull;
static const uint8_t client_random[32] = {
    0x5a, 0x5a, 0x5a, 0x5a, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c,
    0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c};
/* [side][K_*]: the four secrets in the key log */
static uint8_t secrets[2][2][32];
static const char *const labels[2][2] = {
    {"CLIENT_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0"},
    {"SERVER_HANDSHAKE_TRAFFIC_SECRET", "SERVER_TRAFFIC_SECRET_0"}};

static void hex(char *out, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", p[i]);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    devnull = fopen("/dev/null", "w");
    keys = keylog_new();
    if (keys == NULL)
        return 0;
    for (int s = 0; s < 2; s++)
        for (int k = 0; k < 2; k++) {
            char line[256], r[65], sec[65];
            for (int i = 0; i < 32; i++)
                secrets[s][k][i] = (uint8_t)(0x10 * (2 * s + k + 1) + i);
            hex(r, client_random, 32);
            hex(sec, secrets[s][k], 32);
            int n = snprintf(line, sizeof line, "%s %s %s\n", labels[s][k], r, sec);
            if (keylog_feed(keys, (const uint8_t *)line, (size_t)n) != ST_OK)
                return 0;
        }
    if (keylog_finish(keys) != ST_OK)
        return 0;
    return 0;
}

/* ClientHello: TLS 1.3 only, x25519 share, both suites; the fixed random. */
static size_t client_hello(uint8_t *out)
{
    static const uint8_t tail[] = {
        0x00,                                    /* session id */
        0x00, 0x04, 0x13, 0x01, 0x13, 0x03,      /* suites */
        0x01, 0x00,                              /* compression */
        0x00, 0x41,                              /* extensions: 65 bytes */
        0x00, 0x2b, 0x00, 0x03, 0x02, 0x03, 0x04, /* supported_versions */
        0x00, 0x0a, 0x00, 0x04, 0x00, 0x02, 0x00, 0x1d, /* supported_groups */
        0x00, 0x0d, 0x00, 0x04, 0x00, 0x02, 0x08, 0x04, /* signature_algorithms */
        0x00, 0x33, 0x00, 0x26, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20, /* key_share */
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    size_t body = 2 + 32 + sizeof tail;
    size_t n = 0;
    out[n++] = 0x16, out[n++] = 0x03, out[n++] = 0x01;
    out[n++] = (uint8_t)((body + 4) >> 8), out[n++] = (uint8_t)(body + 4);
    out[n++] = 0x01, out[n++] = 0, out[n++] = (uint8_t)(body >> 8), out[n++] = (uint8_t)body;
    out[n++] = 0x03, out[n++] = 0x03;
    memcpy(out + n, client_random, 32);
    n += 32;
    memcpy(out + n, tail, sizeof tail);
    return n + sizeof tail;
}

static size_t server_hello(uint8_t *out, uint16_t suite)
{
    const uint8_t tail[] = {
        0x00,                                    /* session id echo */
        (uint8_t)(suite >> 8), (uint8_t)suite, 0x00,
        0x00, 0x2e,                              /* extensions: 46 bytes */
        0x00, 0x2b, 0x00, 0x02, 0x03, 0x04,      /* supported_versions */
        0x00, 0x33, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20, /* key_share */
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    size_t body = 2 + 32 + sizeof tail;
    size_t n = 0;
    out[n++] = 0x16, out[n++] = 0x03, out[n++] = 0x03;
    out[n++] = (uint8_t)((body + 4) >> 8), out[n++] = (uint8_t)(body + 4);
    out[n++] = 0x02, out[n++] = 0, out[n++] = (uint8_t)(body >> 8), out[n++] = (uint8_t)body;
    out[n++] = 0x03, out[n++] = 0x03;
    memset(out + n, 0x77, 32);
    n += 32;
    memcpy(out + n, tail, sizeof tail);
    return n + sizeof tail;
}

/* RFC 8446 5.2: seals content || type || zeros into out (a whole record). */
static size_t seal(struct tls13_keys *k, const EVP_CIPHER *cipher, const uint8_t *content,
                   size_t len, int type, size_t pad, bool bad_tag, uint8_t *out)
{
    static uint8_t plain[MAX_PLAIN + 1 + 16];
    size_t n = len;
    memcpy(plain, content, len);
    if (type >= 0)
        plain[n++] = (uint8_t)type;
    memset(plain + n, 0, pad);
    n += pad;
    size_t total = n + k->tag_len;
    out[0] = 0x17, out[1] = 0x03, out[2] = 0x03;
    out[3] = (uint8_t)(total >> 8), out[4] = (uint8_t)total;
    uint8_t nonce[TLS13_IV_LEN];
    memcpy(nonce, k->iv, sizeof nonce);
    for (int i = 0; i < 8; i++)
        nonce[TLS13_IV_LEN - 1 - i] ^= (uint8_t)(k->seq >> (8 * i));
    k->seq++;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int outl = 0, fin = 0;
    if (ctx == NULL || EVP_EncryptInit_ex(ctx, cipher, NULL, NULL, NULL) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, TLS13_IV_LEN, NULL) != 1 ||
        EVP_EncryptInit_ex(ctx, NULL, NULL, k->key, nonce) != 1 ||
        EVP_EncryptUpdate(ctx, NULL, &outl, out, 5) != 1 ||
        EVP_EncryptUpdate(ctx, out + 5, &outl, plain, (int)n) != 1 ||
        EVP_EncryptFinal_ex(ctx, out + 5 + outl, &fin) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, k->tag_len, out + 5 + n) != 1) {
        EVP_CIPHER_CTX_free(ctx);
        return 0;
    }
    EVP_CIPHER_CTX_free(ctx);
    if (bad_tag)
        out[5 + n] ^= 0x01;
    return 5 + total;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t rec[5 + MAX_PLAIN + 1 + 16 + 32];
    if (keys == NULL || size < 1)
        return 0;
    uint8_t ctl = data[0];
    data++;
    size--;
    uint16_t suite = (ctl & 1) ? 0x1303 : 0x1301;
    const EVP_CIPHER *cipher = (ctl & 1) ? EVP_chacha20_poly1305() : EVP_aes_128_gcm();
    uint8_t secret[2][2][32];
    struct tls13_keys k[2][2];
    memcpy(secret, secrets, sizeof secret);
    for (int s = 0; s < 2; s++)
        for (int j = 0; j < 2; j++)
            if (tls13_traffic_keys(suite, secret[s][j], 32, &k[s][j]) != ST_OK)
                return 0;

    struct conn *c = conn_new(1);
    if (c == NULL)
        return 0;
    c->client.family = c->server.family = 4;
    c->client_port = 50000;
    c->server_port = 443;
    struct tls_conn_state t;
    tls_init(&t);
    t.keylog = keys;
    uint64_t frame = 1;
    struct tstamp ts = {1700000000, 0};
    size_t n = client_hello(rec);
    tls_feed(&t, c, SIDE_CLIENT, rec, n, frame++, ts);
    n = server_hello(rec, suite);
    tls_feed(&t, c, SIDE_SERVER, rec, n, frame++, ts);
    if (ctl & 2) {
        static const uint8_t ccs[6] = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01};
        tls_feed(&t, c, SIDE_SERVER, ccs, sizeof ccs, frame++, ts);
    }
    size_t pos = 0;
    while (size - pos >= 3) {
        uint8_t hdr = data[pos];
        size_t len = (size_t)((data[pos + 1] << 8) | data[pos + 2]);
        pos += 3;
        if (len > size - pos)
            len = size - pos;
        if (len > MAX_PLAIN)
            len = MAX_PLAIN;
        const uint8_t *content = data + pos;
        pos += len;
        enum side from = (hdr & 1) ? SIDE_SERVER : SIDE_CLIENT;
        int which = (hdr >> 1) & 3;
        static const int types[4] = {22, 21, 23, -1};
        int type = types[(hdr >> 3) & 3];
        if (type < 0 && len > 0)
            type = content[--len] == 0 ? -1 : content[len];
        if (which == 3) {
            n = len;
            memcpy(rec, content, len);
        } else {
            struct tls13_keys *key = which == 2 ? &k[1 - from][K_HANDSHAKE]
                                                : &k[from][which];
            n = seal(key, cipher, content, len, type, (hdr & 0x20) ? 16 : 0, (hdr & 0x40) != 0,
                     rec);
            /* RFC 8446 4.6.3: a KeyUpdate moves the sender to the next secret */
            if (which == K_APPLICATION && type == 22 && len == 5 && content[0] == 24 &&
                content[3] == 1) {
                uint8_t next[32];
                if (tls13_next_secret(suite, secret[from][1], 32, next) == ST_OK &&
                    tls13_traffic_keys(suite, next, 32, &k[from][1]) == ST_OK)
                    memcpy(secret[from][1], next, 32);
            }
        }
        if (n == 0)
            continue;
        size_t first = (ctl & 4) ? n / 2 : n;
        tls_feed(&t, c, from, rec, first, frame, ts);
        if (first < n)
            tls_feed(&t, c, from, rec + first, n - first, frame + 1, ts);
        frame += 2;
        ts.nsec += 1000;
    }
    tls_free(&t);
    c->last_frame = frame;
    c->end = ts;
    verdict_decide(c);
    struct analysis a;
    struct conn *conns[1] = {c};
    memset(&a, 0, sizeof a);
    a.path = "fuzz";
    a.flows.conns = conns;
    a.flows.n_conns = 1;
    static const uint16_t ports[] = {443};
    struct rule_opts ro = {.tls_ports = ports, .n_tls_ports = 1};
    a.ctx = rules_ctx_new(&ro);
    if (a.ctx != NULL && rules_diagnose(a.ctx, analysis_connections(&a)) == ST_OK && devnull != NULL) {
        struct report_opts o = {.all = true, .verbose = true, .width = 100};
        /* FUZZ_TLS13_SHOW=1: the facts on stderr, to check a seed decrypts */
        report_json_connection(getenv("FUZZ_TLS13_SHOW") ? stderr : devnull, "fuzz", c, NULL);
        file_report_text(devnull, &a, &o);
    }
    rules_ctx_free(a.ctx);
    conn_free(c);
    return 0;
}
