/* keylog.c: the NSS key log format (see keylog.h). A line is
 *     LABEL SP client_random(64 hex) SP secret(hex)
 * (NSS "Key Log Format", also draft-ietf-tls-keylogfile). Entries sit in
 * a growable array, found through an open-addressing table of indices keyed
 * by the client random. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include "util/cursor.h"
#include "tls/keylog.h"

struct keylog {
    struct keylog_entry *entries;
    uint32_t n_entries, cap_entries;
    uint32_t *slots;     /* entry index + 1; 0 is an empty slot */
    size_t n_slots;      /* a power of two, at least twice n_entries */
    uint8_t line[KEYLOG_MAX_LINE];
    size_t line_len;
    bool line_too_long;  /* the current line passed the cap: skip to its end */
    struct keylog_counts counts;
    const struct keylog *fallback; /* searched next, or NULL: borrowed */
    EVP_PKEY *server_keys[KEYLOG_MAX_SERVER_KEYS]; /* --key */
    size_t n_server_keys;
    bool given;          /* key log bytes were fed (the file may hold none) */
};

/* The labels of the format; `secret` is the slot kept, or -1 for a valid
 * label whose secret is not used here. */
static const struct {
    const char *label;
    int secret;
} labels[] = {
    {.label = "CLIENT_HANDSHAKE_TRAFFIC_SECRET", .secret = KEYLOG_CLIENT_HANDSHAKE},
    {.label = "SERVER_HANDSHAKE_TRAFFIC_SECRET", .secret = KEYLOG_SERVER_HANDSHAKE},
    {.label = "CLIENT_TRAFFIC_SECRET_0", .secret = KEYLOG_CLIENT_TRAFFIC_0},
    {.label = "SERVER_TRAFFIC_SECRET_0", .secret = KEYLOG_SERVER_TRAFFIC_0},
    {.label = "CLIENT_RANDOM", .secret = KEYLOG_MASTER_SECRET}, /* TLS 1.0-1.2 */
    {.label = "CLIENT_EARLY_TRAFFIC_SECRET", .secret = -1}, /* 0-RTT data */
    {.label = "EARLY_EXPORTER_SECRET", .secret = -1},
    {.label = "EARLY_EXPORTER_MASTER_SECRET", .secret = -1},
    {.label = "EXPORTER_SECRET", .secret = -1},
    {.label = "RSA", .secret = -1},                         /* RSA premaster by encrypted prefix */
    {.label = "ECH_SECRET", .secret = -1},
    {.label = "ECH_CONFIG", .secret = -1},
};

static uint64_t hash_random(const uint8_t r[KEYLOG_RANDOM_LEN])
{
    /* FNV-1a over all 32 bytes: a crafted log cannot pile up on a prefix */
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < KEYLOG_RANDOM_LEN; i++)
        h = (h ^ r[i]) * 1099511628211ull;
    return h;
}

struct keylog *keylog_new(void)
{
    struct keylog *k = calloc(1, sizeof *k);
    if (k == NULL)
        return NULL;
    k->n_slots = 64;
    k->slots = calloc(k->n_slots, sizeof *k->slots);
    if (k->slots == NULL) {
        free(k);
        return NULL;
    }
    return k;
}

void keylog_free(struct keylog *k)
{
    if (k == NULL)
        return;
    free(k->entries);
    free(k->slots);
    for (size_t i = 0; i < k->n_server_keys; i++)
        EVP_PKEY_free(k->server_keys[i]);
    free(k);
}

/* The slot that holds `random`, or the empty slot where it would go. */
static size_t find_slot(const struct keylog *k, const uint8_t random[KEYLOG_RANDOM_LEN])
{
    size_t mask = k->n_slots - 1;
    size_t i = (size_t)hash_random(random) & mask;
    while (k->slots[i] != 0 &&
           memcmp(k->entries[k->slots[i] - 1].client_random, random, KEYLOG_RANDOM_LEN) != 0)
        i = (i + 1) & mask;
    return i;
}

static enum status grow_slots(struct keylog *k)
{
    size_t n = k->n_slots * 2;
    uint32_t *old = k->slots;
    size_t old_n = k->n_slots;
    k->slots = calloc(n, sizeof *k->slots);
    if (k->slots == NULL) {
        k->slots = old;
        return ST_NOMEM;
    }
    k->n_slots = n;
    for (size_t i = 0; i < old_n; i++)
        if (old[i] != 0)
            k->slots[find_slot(k, k->entries[old[i] - 1].client_random)] = old[i];
    free(old);
    return ST_OK;
}

/* The entry for `random`, made when new; NULL with *st == ST_OK when the
 * table is full. */
static struct keylog_entry *entry_for(struct keylog *k, const uint8_t random[KEYLOG_RANDOM_LEN],
                                      enum status *st)
{
    *st = ST_OK;
    size_t i = find_slot(k, random);
    if (k->slots[i] != 0)
        return &k->entries[k->slots[i] - 1];
    if (k->n_entries >= KEYLOG_MAX_ENTRIES)
        return NULL;
    if (k->n_entries == k->cap_entries) {
        uint32_t cap = k->cap_entries ? k->cap_entries * 2 : 16;
        struct keylog_entry *grown = realloc(k->entries, (size_t)cap * sizeof *grown);
        if (grown == NULL) {
            *st = ST_NOMEM;
            return NULL;
        }
        k->entries = grown;
        k->cap_entries = cap;
    }
    /* keep the load at most one half, so probes stay short */
    if (2 * ((size_t)k->n_entries + 1) > k->n_slots) {
        *st = grow_slots(k);
        if (*st != ST_OK)
            return NULL;
        i = find_slot(k, random);
    }
    struct keylog_entry *e = &k->entries[k->n_entries];
    memset(e, 0, sizeof *e);
    memcpy(e->client_random, random, KEYLOG_RANDOM_LEN);
    k->slots[i] = ++k->n_entries;
    k->counts.randoms = k->n_entries;
    return e;
}

static int hex_value(uint8_t ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

static bool is_blank(uint8_t ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r';
}

static void skip_blanks(struct cursor *c)
{
    uint8_t ch;
    while (cur_peek_u8(c, 0, &ch) == ST_OK && is_blank(ch))
        if (cur_u8(c, &ch) != ST_OK)
            break;
}

/* The next run of non-blank bytes. */
static struct slice next_field(struct cursor *c)
{
    struct slice s = {.ptr = c->buf + c->pos, .len = 0};
    uint8_t ch;
    skip_blanks(c);
    s.ptr = c->buf + c->pos;
    size_t start = c->pos;
    while (cur_peek_u8(c, 0, &ch) == ST_OK && !is_blank(ch))
        if (cur_u8(c, &ch) != ST_OK)
            break;
    s.len = c->pos - start;
    return s;
}

/* Hex digits to bytes; false unless every digit is hex and they fit. */
static bool decode_hex(struct slice hex, uint8_t *out, size_t max, size_t *out_len)
{
    struct cursor c = cur_make(hex.ptr, hex.len);
    size_t n = 0;
    if (hex.len == 0 || hex.len % 2 != 0 || hex.len / 2 > max)
        return false;
    while (cur_left(&c) > 0) {
        uint8_t hi, lo;
        if (cur_u8(&c, &hi) != ST_OK || cur_u8(&c, &lo) != ST_OK)
            return false;
        int h = hex_value(hi), l = hex_value(lo);
        if (h < 0 || l < 0)
            return false;
        out[n++] = (uint8_t)(h << 4 | l);
    }
    *out_len = n;
    return true;
}

static int label_index(struct slice label)
{
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (strlen(labels[i].label) == label.len &&
            memcmp(labels[i].label, label.ptr, label.len) == 0)
            return (int)i;
    return -1;
}

/* Labels are upper-case words (the format reserves the rest). */
static bool plausible_label(struct slice label)
{
    struct cursor c = cur_make(label.ptr, label.len);
    uint8_t ch;
    if (label.len == 0)
        return false;
    while (cur_u8(&c, &ch) == ST_OK)
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_'))
            return false;
    return true;
}

static enum status parse_line(struct keylog *k, const uint8_t *p, size_t n)
{
    struct cursor c = cur_make(p, n);
    uint8_t first;
    k->counts.lines++;
    skip_blanks(&c);
    if (cur_peek_u8(&c, 0, &first) != ST_OK || first == '#')
        return ST_OK; /* blank line or comment */
    struct slice label = next_field(&c);
    struct slice random_hex = next_field(&c);
    struct slice secret_hex = next_field(&c);
    skip_blanks(&c);
    /* "RSA <first 8 bytes of the encrypted pre-master> <pre-master>" has no
     * client random: a valid line, not used here */
    static const char rsa[] = "RSA";
    if (cur_left(&c) == 0 && label.len == sizeof rsa - 1 && memcmp(label.ptr, rsa, label.len) == 0 &&
        random_hex.len == 16 && secret_hex.len == 96) {
        k->counts.ignored++;
        return ST_OK;
    }
    uint8_t random[KEYLOG_RANDOM_LEN], secret[KEYLOG_MAX_SECRET * 2];
    size_t random_len = 0, secret_len = 0;
    if (cur_left(&c) != 0 || !plausible_label(label) ||
        !decode_hex(random_hex, random, sizeof random, &random_len) ||
        random_len != KEYLOG_RANDOM_LEN) {
        k->counts.malformed++;
        return ST_OK;
    }
    int li = label_index(label);
    if (li < 0 || labels[li].secret < 0) {
        /* unknown labels are skipped by every reader of the format */
        k->counts.ignored++;
        return ST_OK;
    }
    /* RFC 8446 7.1: a traffic secret is Hash.length bytes: 32 or 48;
     * RFC 5246 8.1: a master secret is 48 */
    int which = labels[li].secret;
    if (!decode_hex(secret_hex, secret, sizeof secret, &secret_len) ||
        (secret_len != 32 && secret_len != 48) ||
        (which == KEYLOG_MASTER_SECRET && secret_len != 48)) {
        k->counts.malformed++;
        return ST_OK;
    }
    enum status st;
    struct keylog_entry *e = entry_for(k, random, &st);
    if (e == NULL) {
        if (st == ST_OK)
            k->counts.dropped++;
        return st;
    }
    memcpy(e->secret[which], secret, secret_len);
    e->secret_len[which] = (uint8_t)secret_len;
    k->counts.secrets++;
    return ST_OK;
}

enum status keylog_feed(struct keylog *k, const uint8_t *p, size_t n)
{
    struct cursor c = cur_make(p, n);
    uint8_t ch;
    k->given = true;
    while (cur_u8(&c, &ch) == ST_OK) {
        if (ch == '\n') {
            if (k->line_too_long) {
                k->counts.lines++;
                k->counts.malformed++;
            } else {
                TRY(parse_line(k, k->line, k->line_len));
            }
            k->line_len = 0;
            k->line_too_long = false;
            continue;
        }
        if (k->line_too_long)
            continue;
        if (k->line_len == sizeof k->line) {
            k->line_too_long = true;
            continue;
        }
        k->line[k->line_len++] = ch;
    }
    return ST_OK;
}

enum status keylog_finish(struct keylog *k)
{
    if (k->line_len == 0 && !k->line_too_long)
        return ST_OK;
    return keylog_feed(k, (const uint8_t *)"\n", 1);
}

void keylog_set_fallback(struct keylog *k, const struct keylog *next)
{
    k->fallback = next;
}

enum status keylog_load(const char *path, struct keylog **out)
{
    *out = NULL;
    struct keylog *k = keylog_new();
    ENSURE(k != NULL, ST_NOMEM);
    enum status st = keylog_load_into(k, path);
    if (st != ST_OK) {
        keylog_free(k);
        return st;
    }
    *out = k;
    return ST_OK;
}

enum status keylog_load_into(struct keylog *k, const char *path)
{
    FILE *f = fopen(path, "rb");
    ENSURE(f != NULL, ST_IO);
    k->given = true; /* an empty --keylog is still a key log: "no keys" */
    uint8_t buf[8192];
    size_t got;
    enum status st = ST_OK;
    while (st == ST_OK && (got = fread(buf, 1, sizeof buf, f)) > 0)
        st = keylog_feed(k, buf, got);
    if (st == ST_OK && ferror(f))
        st = ST_IO;
    fclose(f);
    if (st == ST_OK)
        st = keylog_finish(k);
    return st;
}

const struct keylog_entry *keylog_find(const struct keylog *k,
                                       const uint8_t random[KEYLOG_RANDOM_LEN])
{
    /* a chain of at most a few logs: the capture's own, then --keylog */
    for (; k != NULL; k = k->fallback) {
        if (k->n_entries == 0)
            continue;
        size_t i = find_slot(k, random);
        if (k->slots[i] != 0)
            return &k->entries[k->slots[i] - 1];
    }
    return NULL;
}

void keylog_get_counts(const struct keylog *k, struct keylog_counts *out)
{
    *out = k->counts;
}

enum status keylog_add_server_key(struct keylog *k, const char *path)
{
    ENSURE(k->n_server_keys < KEYLOG_MAX_SERVER_KEYS, ST_LIMIT);
    FILE *f = fopen(path, "r");
    ENSURE(f != NULL, ST_IO);
    EVP_PKEY *key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    ENSURE(key != NULL, ST_IO);
    if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
        EVP_PKEY_free(key);
        return ST_UNSUPPORTED;
    }
    k->server_keys[k->n_server_keys++] = key;
    return ST_OK;
}

/* PKCS #1 v1.5 decryption that says when it fails: implicit rejection
 * (OpenSSL 3.2) would hand back random bytes instead. */
static bool rsa_decrypt(EVP_PKEY *key, const uint8_t *enc, size_t enc_len, uint8_t pms[48])
{
    uint8_t out[512];
    size_t out_len = sizeof out;
    unsigned int no_implicit = 0;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);
    /* "implicit-rejection" (OSSL_ASYM_CIPHER_PARAM_IMPLICIT_REJECTION, 3.2):
     * older libcrypto ignores the name, and fails as asked anyway */
    OSSL_PARAM params[] = {OSSL_PARAM_construct_uint("implicit-rejection", &no_implicit),
                           OSSL_PARAM_construct_end()};
    bool ok = ctx != NULL && EVP_PKEY_decrypt_init(ctx) == 1 &&
              EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1;
    if (ok)
        (void)EVP_PKEY_CTX_set_params(ctx, params);
    ok = ok && enc_len <= sizeof out &&
              EVP_PKEY_decrypt(ctx, out, &out_len, enc, enc_len) == 1 && out_len == 48;
    if (ok)
        memcpy(pms, out, 48);
    OPENSSL_cleanse(out, sizeof out);
    EVP_PKEY_CTX_free(ctx);
    return ok;
}

enum keylog_rsa_result keylog_rsa_premaster(const struct keylog *k, const uint8_t *cert_der,
                                            size_t cert_len, const uint8_t *enc,
                                            size_t enc_len, uint8_t premaster[48])
{
    size_t total = 0;
    for (const struct keylog *l = k; l != NULL; l = l->fallback)
        total += l->n_server_keys;
    if (total == 0)
        return KEYLOG_RSA_NO_KEYS;
    const unsigned char *p = cert_der;
    X509 *cert = d2i_X509(NULL, &p, (long)cert_len);
    EVP_PKEY *pub = cert != NULL ? X509_get0_pubkey(cert) : NULL;
    enum keylog_rsa_result r = KEYLOG_RSA_NO_MATCH;
    for (const struct keylog *l = k; pub != NULL && l != NULL && r == KEYLOG_RSA_NO_MATCH;
         l = l->fallback)
        for (size_t i = 0; i < l->n_server_keys && r == KEYLOG_RSA_NO_MATCH; i++)
            if (EVP_PKEY_eq(l->server_keys[i], pub) == 1)
                r = rsa_decrypt(l->server_keys[i], enc, enc_len, premaster) ? KEYLOG_RSA_OK
                                                                           : KEYLOG_RSA_FAILED;
    X509_free(cert);
    return r;
}

bool keylog_in_use(const struct keylog *k)
{
    for (; k != NULL; k = k->fallback)
        if (k->given || k->n_server_keys > 0)
            return true;
    return false;
}

bool keylog_has_server_keys(const struct keylog *k)
{
    for (; k != NULL; k = k->fallback)
        if (k->n_server_keys > 0)
            return true;
    return false;
}
