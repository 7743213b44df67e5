/* handshake.c: handshake messages after the hellos (RFC 5246 7.4, RFC 8446 4),
 * and the dispatch over every message type. */
#include <stdlib.h>
#include <string.h>
#include "tls/handshake.h"
#include "util/registry.h"

/* RFC 5246 7.4.2 / RFC 8446 4.4.2: a list of DER certificates. */
static enum status certificate(struct conn *c, enum side from, struct cursor *m,
                               const struct hs_where *w)
{
    struct cert_msg *cm = from == SIDE_SERVER ? &c->server_certs : &c->client_certs;
    bool tls13 = conn_is_tls13(c);
    struct cursor list;
    cm->present = true;
    cm->frame = w->frame;
    if (tls13) {
        struct cursor context;
        TRY(cur_vec(m, 1, &context));
    }
    TRY(cur_vec(m, 3, &list));
    TRY(cur_end(m));
    while (cur_left(&list) > 0) {
        struct cursor der, exts;
        TRY(cur_vec(&list, 3, &der));
        if (tls13)
            TRY(cur_vec(&list, 2, &exts));
        cm->count++;
        if (cur_left(&der) > 0)
            (void)conn_keep_cert(c, cm, der.buf + der.pos, cur_left(&der));
    }
    return ST_OK;
}

/* RFC 9849 4, 7.1: retry_configs, an ECHConfigList { ECHConfig
 * configs<4..2^16-1> }, ECHConfig { uint16 version; uint16 length; contents },
 * the contents of version 0xfe0d starting with uint8 config_id. */
static enum status ech_retry_configs(struct server_hello *sh, struct cursor *e)
{
    enum { ECH_VERSION = 0xfe0d };
    struct cursor list;
    TRY(cur_vec(e, 2, &list));
    TRY(cur_end(e));
    sh->ech_retry = true;
    while (cur_left(&list) > 0) {
        uint16_t version;
        struct cursor contents;
        TRY(cur_u16(&list, &version));
        TRY(cur_vec(&list, 2, &contents));
        if (version == ECH_VERSION && !sh->ech_retry_has_id &&
            cur_u8(&contents, &sh->ech_retry_config_id) == ST_OK)
            sh->ech_retry_has_id = true;
        if (sh->ech_retry_count < UINT8_MAX)
            sh->ech_retry_count++;
    }
    return ST_OK;
}

/* RFC 8446 4.3.1: EncryptedExtensions { Extension extensions<0..2^16-1>; }.
 * Only seen when decrypted. TLS 1.3 puts the server's ALPN choice here: a
 * ProtocolNameList with exactly one name (RFC 7301 3.1); and a server that
 * did not use the client's ECH its retry configurations (RFC 9849 7.1). */
static enum status encrypted_extensions(struct conn *c, struct cursor *m)
{
    enum { EXT_ALPN = 16, EXT_ENCRYPTED_CLIENT_HELLO = 0xfe0d };
    struct cursor exts;
    TRY(cur_vec(m, 2, &exts));
    TRY(cur_end(m));
    c->sh.ee_seen = true;
    while (cur_left(&exts) > 0) {
        uint16_t type;
        struct cursor e, list, name;
        TRY(cur_u16(&exts, &type));
        TRY(cur_vec(&exts, 2, &e));
        if (type == EXT_ENCRYPTED_CLIENT_HELLO)
            TRY(ech_retry_configs(&c->sh, &e));
        if (type != EXT_ALPN)
            continue;
        TRY(cur_vec(&e, 2, &list));
        TRY(cur_vec(&list, 1, &name));
        ENSURE(cur_left(&list) == 0 && cur_left(&e) == 0, ST_MALFORMED);
        size_t n = cur_left(&name);
        struct slice bytes;
        if (n > ALPN_MAX_LEN - 1)
            n = ALPN_MAX_LEN - 1;
        TRY(cur_take(&name, n, &bytes));
        memcpy(c->sh.alpn, bytes.ptr, n);
        c->sh.alpn[n] = '\0';
        c->sh.alpn_len = (uint8_t)n;
        c->sh.has_alpn = true;
    }
    return ST_OK;
}

static bool has_leading_zero(const struct cursor *v, uint16_t p_len)
{
    uint8_t first = 0;
    return cur_left(v) < p_len || (cur_peek_u8(v, 0, &first) == ST_OK && first == 0);
}

/* RFC 5246 7.4.3 (DHE), RFC 8422 5.4 (ECDHE); the PSK variants of RFC 4279
 * and RFC 5489 put an identity hint first. */
static enum status server_key_exchange(struct conn *c, struct cursor *m, const struct hs_where *w)
{
    const struct reg_suite *suite = reg_suite(c->sh.suite);
    struct key_exchange *kx = &c->kx;
    kx->ske_present = true;
    kx->ske_frame = w->frame;
    if (suite == NULL)
        return ST_OK;
    if (suite->kx == REG_KX_DHE_PSK || suite->kx == REG_KX_ECDHE_PSK) {
        struct cursor hint;
        TRY(cur_vec(m, 2, &hint));
    }
    switch (suite->kx) {
    case REG_KX_DHE:
    case REG_KX_DHE_PSK: {
        struct cursor p, g, ys;
        TRY(cur_vec(m, 2, &p));
        TRY(cur_vec(m, 2, &g));
        TRY(cur_vec(m, 2, &ys));
        kx->dhe = true;
        kx->dh_p_len = (uint16_t)cur_left(&p);
        kx->dh_g_len = (uint16_t)cur_left(&g);
        kx->dh_ys_len = (uint16_t)cur_left(&ys);
        kx->dh_ys_leading_zero = has_leading_zero(&ys, kx->dh_p_len);
        break;
    }
    case REG_KX_ECDHE:
    case REG_KX_ECDHE_PSK: {
        uint8_t curve_type;
        struct cursor point;
        TRY(cur_u8(m, &curve_type));
        ENSURE(curve_type == 3, ST_UNSUPPORTED); /* named_curve */
        TRY(cur_u16(m, &kx->ec_group));
        TRY(cur_vec(m, 1, &point));
        kx->ecdhe = true;
        break;
    }
    case REG_KX_UNKNOWN: case REG_KX_NULL: case REG_KX_RSA: case REG_KX_DH:
    case REG_KX_ECDH: case REG_KX_PSK: case REG_KX_RSA_PSK: case REG_KX_SRP:
    case REG_KX_KRB5: case REG_KX_TLS13: case REG_KX_OTHER:
        return ST_OK;
    }
    /* TLS 1.2 signs with an explicit scheme (RFC 5246 7.4.1.4.1) */
    if (c->sh.version == TLS_VERSION_12 && suite->kx != REG_KX_DHE_PSK &&
        suite->kx != REG_KX_ECDHE_PSK && cur_left(m) >= 2)
        TRY(cur_u16(m, &kx->ske_sigalg));
    return ST_OK;
}

/* RFC 5246 7.4.7: the client's half of the key exchange. */
static enum status client_key_exchange(struct conn *c, struct cursor *m, const struct hs_where *w)
{
    const struct reg_suite *suite = reg_suite(c->sh.suite);
    struct key_exchange *kx = &c->kx;
    struct cursor v;
    kx->cke_present = true;
    kx->cke_frame = w->frame;
    if (suite == NULL)
        return ST_OK;
    if (suite->kx == REG_KX_DHE_PSK || suite->kx == REG_KX_ECDHE_PSK ||
        suite->kx == REG_KX_PSK || suite->kx == REG_KX_RSA_PSK) {
        struct cursor identity;
        TRY(cur_vec(m, 2, &identity));
    }
    switch (suite->kx) {
    case REG_KX_DHE:
    case REG_KX_DHE_PSK:
    case REG_KX_DH:
        TRY(cur_vec(m, 2, &v));
        kx->cke_len = (uint16_t)cur_left(&v);
        kx->dh_yc_leading_zero = kx->dh_p_len > 0 && has_leading_zero(&v, kx->dh_p_len);
        return ST_OK;
    case REG_KX_ECDHE:
    case REG_KX_ECDHE_PSK:
    case REG_KX_ECDH:
        TRY(cur_vec(m, 1, &v));
        kx->cke_len = (uint16_t)cur_left(&v);
        return ST_OK;
    case REG_KX_RSA:
    case REG_KX_RSA_PSK:
        /* SSL 3.0 sends the encrypted premaster without a length (RFC 6101
         * 5.6.7.1 has no vector there; TLS 1.0 added the length) */
        if (c->sh.version == TLS_VERSION_SSL3)
            v = cur_rest(m);
        else
            TRY(cur_vec(m, 2, &v));
        kx->cke_len = (uint16_t)cur_left(&v);
        /* RFC 5246 7.4.7.1: EncryptedPreMasterSecret, kept for --key */
        if (suite->kx == REG_KX_RSA && kx->cke_len <= RSA_PREMASTER_MAX) {
            struct slice enc;
            TRY(cur_take(&v, kx->cke_len, &enc));
            uint8_t *copy = realloc(kx->rsa_premaster, enc.len > 0 ? enc.len : 1);
            if (copy == NULL)
                return ST_NOMEM;
            memcpy(copy, enc.ptr, enc.len);
            kx->rsa_premaster = copy;
            kx->rsa_kx = true;
        }
        return ST_OK;
    case REG_KX_UNKNOWN: case REG_KX_NULL: case REG_KX_PSK: case REG_KX_SRP:
    case REG_KX_KRB5: case REG_KX_TLS13: case REG_KX_OTHER:
        return ST_OK;
    }
    return ST_OK;
}

enum status hs_decode(struct conn *c, enum side from, uint8_t type, struct cursor body,
                      const struct hs_where *w)
{
    switch (type) {
    case HS_CLIENT_HELLO:
        if (from != SIDE_CLIENT)
            return ST_MALFORMED;
        return hs_client_hello(c, &body, w);
    case HS_SERVER_HELLO:
        if (from != SIDE_SERVER)
            return ST_MALFORMED;
        return hs_server_hello(c, &body, w);
    case HS_ENCRYPTED_EXTENSIONS:
        /* TLS 1.3 only, and only the server sends it (RFC 8446 4.3.1) */
        if (from != SIDE_SERVER || !conn_is_tls13(c))
            return ST_OK;
        return encrypted_extensions(c, &body);
    case HS_CERTIFICATE:
        return certificate(c, from, &body, w);
    case HS_SERVER_KEY_EXCHANGE:
        return server_key_exchange(c, &body, w);
    case HS_CLIENT_KEY_EXCHANGE:
        return client_key_exchange(c, &body, w);
    case HS_CERTIFICATE_REQUEST:
        c->cert_request = true;
        c->cert_request_frame = w->frame;
        return ST_OK;
    case HS_SERVER_HELLO_DONE:
        c->server_hello_done = true;
        c->server_hello_done_frame = w->frame;
        return ST_OK;
    case HS_NEW_SESSION_TICKET:
        c->new_session_ticket = true;
        return ST_OK;
    default:
        return ST_OK;
    }
}
