/* hello.c: ClientHello and ServerHello with their extensions
 * (RFC 5246 7.4.1, RFC 8446 4.1-4.2, RFC 6066 3, RFC 7301 3.1). */
#include <string.h>
#include "tls/handshake.h"
#include "util/registry.h"

enum {
    EXT_SERVER_NAME = 0,
    EXT_SUPPORTED_GROUPS = 10,
    EXT_SIGNATURE_ALGORITHMS = 13,
    EXT_ALPN = 16,
    EXT_SESSION_TICKET = 35,
    EXT_PRE_SHARED_KEY = 41,
    EXT_EARLY_DATA = 42,
    EXT_SUPPORTED_VERSIONS = 43,
    EXT_KEY_SHARE = 51,
    EXT_ENCRYPTED_CLIENT_HELLO = 0xfe0d, /* RFC 9849 11.1 */
    ECH_OUTER = 0,
    SUITE_FALLBACK_SCSV = 0x5600,
    SUITE_RENEGOTIATION_SCSV = 0x00ff
};

/* RFC 8446 4.1.3: the random of a HelloRetryRequest */
static const uint8_t hrr_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};
static const uint8_t downgrade_sentinel[7] = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44};

static void list_add(struct u16_list *l, uint16_t v)
{
    l->total++;
    if (l->n < CH_MAX_LIST)
        l->v[l->n++] = v;
}

/* One offered suite; the signalling values are facts of their own. */
static void add_suite(struct client_hello *ch, uint16_t s)
{
    if (s == SUITE_FALLBACK_SCSV)
        ch->fallback_scsv = true;
    if (s == SUITE_RENEGOTIATION_SCSV)
        ch->reneg_scsv = true;
    ch->total_suites++;
    if (ch->n_suites < CH_MAX_SUITES)
        ch->suites[ch->n_suites++] = s;
}

/* A list of 16-bit values behind a length prefix of `prefix` bytes. */
static enum status u16_vector(struct cursor *c, unsigned prefix, struct u16_list *out)
{
    struct cursor v;
    TRY(cur_vec(c, prefix, &v));
    ENSURE(cur_left(&v) % 2 == 0, ST_MALFORMED);
    while (cur_left(&v) > 0) {
        uint16_t x;
        TRY(cur_u16(&v, &x));
        list_add(out, x);
    }
    return ST_OK;
}

/* RFC 6066 3: server_name_list; only host_name (0) is defined. */
static enum status ext_server_name(struct client_hello *ch, struct cursor *e)
{
    struct cursor list;
    if (cur_left(e) == 0)
        return ST_OK; /* a server's empty acknowledgement */
    TRY(cur_vec(e, 2, &list));
    while (cur_left(&list) > 0) {
        uint8_t type;
        struct cursor name;
        TRY(cur_u8(&list, &type));
        TRY(cur_vec(&list, 2, &name));
        if (type != 0 || ch->has_sni)
            continue;
        size_t n = cur_left(&name);
        if (n > SNI_MAX_LEN - 1)
            n = SNI_MAX_LEN - 1;
        memcpy(ch->sni, name.buf + name.pos, n);
        ch->sni[n] = '\0';
        ch->sni_len = (uint16_t)n;
        ch->has_sni = true;
    }
    return ST_OK;
}

/* RFC 7301 3.1: ProtocolNameList */
static enum status ext_alpn(struct cursor *e, char names[][ALPN_MAX_LEN], uint8_t *lens,
                            uint8_t *count, uint8_t max)
{
    struct cursor list;
    TRY(cur_vec(e, 2, &list));
    while (cur_left(&list) > 0) {
        struct cursor name;
        TRY(cur_vec(&list, 1, &name));
        if (*count >= max)
            continue;
        size_t n = cur_left(&name);
        if (n > ALPN_MAX_LEN - 1)
            n = ALPN_MAX_LEN - 1;
        memcpy(names[*count], name.buf + name.pos, n);
        names[*count][n] = '\0';
        lens[*count] = (uint8_t)n;
        (*count)++;
    }
    return ST_OK;
}

/* RFC 8446 4.2.8: KeyShareClientHello */
static enum status ext_key_share_client(struct client_hello *ch, struct cursor *e)
{
    struct cursor list;
    TRY(cur_vec(e, 2, &list));
    while (cur_left(&list) > 0) {
        uint16_t group;
        struct cursor key;
        TRY(cur_u16(&list, &group));
        TRY(cur_vec(&list, 2, &key));
        if (ch->key_shares.n < CH_MAX_LIST)
            ch->key_share_len[ch->key_shares.n] = (uint16_t)cur_left(&key);
        list_add(&ch->key_shares, group);
        size_t sum = (size_t)ch->key_share_bytes + cur_left(&key);
        ch->key_share_bytes = sum > 0xffff ? 0xffff : (uint16_t)sum;
    }
    return ST_OK;
}

/* RFC 9849 5: ECHClientHello { ECHClientHelloType type; outer:
 *   HpkeSymmetricCipherSuite cipher_suite (kdf_id, aead_id); uint8 config_id;
 *   opaque enc<0..2^16-1>; opaque payload<1..2^16-1>; inner: nothing } */
static enum status ext_ech_client(struct ech_offer *o, struct cursor *e)
{
    struct cursor enc, payload;
    o->present = true;
    TRY(cur_u8(e, &o->type));
    if (o->type != ECH_OUTER)
        return ST_OK;
    TRY(cur_u16(e, &o->kdf_id));
    TRY(cur_u16(e, &o->aead_id));
    TRY(cur_u8(e, &o->config_id));
    TRY(cur_vec(e, 2, &enc));
    TRY(cur_vec(e, 2, &payload));
    o->enc_len = (uint16_t)cur_left(&enc);
    o->payload_len = (uint16_t)cur_left(&payload);
    return ST_OK;
}

static enum status client_extension(struct client_hello *ch, uint16_t type, struct cursor *e)
{
    switch (type) {
    case EXT_SERVER_NAME:
        return ext_server_name(ch, e);
    case EXT_SUPPORTED_GROUPS:
        return u16_vector(e, 2, &ch->groups);
    case EXT_SIGNATURE_ALGORITHMS:
        return u16_vector(e, 2, &ch->sigalgs);
    case EXT_SUPPORTED_VERSIONS:
        return u16_vector(e, 1, &ch->versions);
    case EXT_ALPN:
        return ext_alpn(e, ch->alpn, ch->alpn_len, &ch->n_alpn, CH_MAX_ALPN);
    case EXT_KEY_SHARE:
        return ext_key_share_client(ch, e);
    case EXT_ENCRYPTED_CLIENT_HELLO:
        return ext_ech_client(&ch->ech, e);
    case EXT_PRE_SHARED_KEY:
        ch->has_psk = true;
        return ST_OK;
    case EXT_EARLY_DATA:
        ch->has_early_data = true;
        return ST_OK;
    case EXT_SESSION_TICKET:
        ch->has_session_ticket = cur_left(e) > 0;
        return ST_OK;
    default:
        return ST_OK;
    }
}

/* RFC 8446 4.1.2:
 *   legacy_version, random[32], legacy_session_id<0..32>, cipher_suites<2..2^16-2>,
 *   legacy_compression_methods<1..2^8-1>, extensions<8..2^16-1> (absent in SSL 3.0) */
static enum status parse_client_hello(struct client_hello *ch, struct cursor *m,
                                      const struct hs_where *w)
{
    struct cursor sid, suites, comp, exts;
    struct slice random;

    ch->present = true;
    ch->frame = w->frame;
    ch->first_frame = w->first_frame;
    ch->segments = w->segments;
    ch->quic = w->quic;
    ch->ts = w->ts;
    ch->length = (uint32_t)(4 + m->len);
    ch->record_version = w->record_version;
    TRY(cur_u16(m, &ch->legacy_version));
    TRY(cur_take(m, 32, &random));
    memcpy(ch->random, random.ptr, sizeof ch->random);
    TRY(cur_vec(m, 1, &sid));
    ENSURE(cur_left(&sid) <= 32, ST_MALFORMED);
    ch->session_id_len = (uint8_t)cur_left(&sid);
    memcpy(ch->session_id, sid.buf + sid.pos, ch->session_id_len);
    TRY(cur_vec(m, 2, &suites));
    ENSURE(cur_left(&suites) % 2 == 0, ST_MALFORMED);
    while (cur_left(&suites) > 0) {
        uint16_t s;
        TRY(cur_u16(&suites, &s));
        add_suite(ch, s);
    }
    TRY(cur_vec(m, 1, &comp));
    /* Only the first ClientHello is kept whole: the second one after a
     * HelloRetryRequest changes the key shares, nothing a rule needs. */
    if (cur_left(m) > 0) {
        TRY(cur_vec(m, 2, &exts));
        while (cur_left(&exts) > 0) {
            uint16_t type;
            struct cursor e;
            TRY(cur_u16(&exts, &type));
            TRY(cur_vec(&exts, 2, &e));
            ch->total_exts++;
            if (ch->n_exts < CH_MAX_EXTS)
                ch->exts[ch->n_exts++] = type;
            TRY(client_extension(ch, type, &e));
        }
    }
    return ST_OK;
}

/* A malformed ClientHello still tells what it got to before breaking
 * (tshark shows the same): what was read is kept, marked malformed. */
enum status hs_client_hello(struct conn *c, struct cursor *m, const struct hs_where *w)
{
    struct client_hello ch = {0};
    c->client_hellos++;
    enum status st = parse_client_hello(&ch, m, w);
    ch.malformed = st != ST_OK;
    ja4_compute(&ch, ch.ja4);
    if (!c->ch->present) {
        struct client_hello *mine = conn_client_hello(c);
        if (mine == NULL)
            return ST_NOMEM;
        *mine = ch;
    }
    return st;
}

/* RFC 5246 E.2: the SSLv2-compatible CLIENT-HELLO. The type byte is read. */
enum status hs_sslv2_client_hello(struct conn *c, struct cursor *m, const struct hs_where *w)
{
    uint16_t spec_len, sid_len, challenge_len;
    c->client_hellos++;
    if (c->ch->present)
        return ST_OK;
    struct client_hello *ch = conn_client_hello(c);
    if (ch == NULL)
        return ST_NOMEM;
    ch->present = true;
    ch->sslv2_format = true;
    ch->frame = w->frame;
    ch->first_frame = w->first_frame;
    ch->segments = w->segments;
    ch->ts = w->ts;
    ch->length = (uint32_t)m->len;
    ch->record_version = 0x0002;
    TRY(cur_u16(m, &ch->legacy_version));
    TRY(cur_u16(m, &spec_len));
    TRY(cur_u16(m, &sid_len));
    TRY(cur_u16(m, &challenge_len));
    ENSURE(spec_len % 3 == 0, ST_MALFORMED);
    struct slice specs;
    TRY(cur_take(m, spec_len, &specs));
    struct cursor sc = cur_make(specs.ptr, specs.len);
    while (cur_left(&sc) > 0) {
        uint8_t kind;
        uint16_t s;
        TRY(cur_u8(&sc, &kind));
        TRY(cur_u16(&sc, &s));
        if (kind == 0) { /* a TLS suite in a 3-byte spec */
            add_suite(ch, s);
            continue;
        }
        /* an SSLv2-only cipher kind (draft-hickman-netscape-ssl-00, C) */
        if (ch->total_sslv2_kinds < UINT8_MAX)
            ch->total_sslv2_kinds++;
        if (ch->n_sslv2_kinds < sizeof ch->sslv2_kinds / sizeof ch->sslv2_kinds[0])
            ch->sslv2_kinds[ch->n_sslv2_kinds++] = ((uint32_t)kind << 16) | s;
    }
    TRY(cur_skip(m, sid_len));
    TRY(cur_skip(m, challenge_len));
    ja4_compute(ch, ch->ja4);
    return ST_OK;
}

static enum status server_extension(struct server_hello *sh, uint16_t type, struct cursor *e)
{
    switch (type) {
    case EXT_SUPPORTED_VERSIONS:
        return cur_u16(e, &sh->version);
    case EXT_KEY_SHARE:
        /* ServerHello: group and key; HelloRetryRequest: the group alone */
        if (sh->hello_retry && cur_left(e) == 2)
            return cur_u16(e, &sh->hrr_group);
        return cur_u16(e, &sh->key_share_group);
    case EXT_ENCRYPTED_CLIENT_HELLO:
        /* only a HelloRetryRequest carries it: 8 bytes confirming that the
         * server accepted ECH (RFC 9849 7.2.1) */
        sh->hrr_ech = sh->hello_retry && cur_left(e) == 8;
        return ST_OK;
    case EXT_ALPN: {
        char name[1][ALPN_MAX_LEN];
        uint8_t len[1], count = 0;
        TRY(ext_alpn(e, name, len, &count, 1));
        if (count == 1) {
            sh->has_alpn = true;
            memcpy(sh->alpn, name[0], sizeof sh->alpn);
            sh->alpn_len = len[0];
        }
        return ST_OK;
    }
    default:
        return ST_OK;
    }
}

static bool has_ext(const struct server_hello *sh, uint16_t type)
{
    for (uint16_t i = 0; i < sh->n_exts; i++)
        if (sh->exts[i] == type)
            return true;
    return false;
}

/* RFC 8446 4.1.3: legacy_version, random[32], legacy_session_id_echo<0..32>,
 *   cipher_suite, legacy_compression_method, extensions<6..2^16-1> */
enum status hs_server_hello(struct conn *c, struct cursor *m, const struct hs_where *w)
{
    struct server_hello sh0 = {0};
    struct server_hello *sh = &sh0;
    struct slice random;
    struct cursor sid, exts;

    TRY(cur_u16(m, &sh->legacy_version));
    TRY(cur_take(m, 32, &random));
    /* TLS 1.3 drafts before 22 (0x7f00 | n) had no session id echo and no
     * compression method */
    bool old_draft = (sh->legacy_version >> 8) == 0x7f && (sh->legacy_version & 0xff) < 22;
    if (old_draft) {
        sid = cur_make(random.ptr, 0);
    } else {
        TRY(cur_vec(m, 1, &sid));
        ENSURE(cur_left(&sid) <= 32, ST_MALFORMED);
    }
    TRY(cur_u16(m, &sh->suite));
    if (!old_draft)
        TRY(cur_u8(m, &sh->compression));
    sh->present = true;
    sh->frame = w->frame;
    sh->ts = w->ts;
    sh->version = sh->legacy_version;
    sh->session_id_len = (uint8_t)cur_left(&sid);
    memcpy(sh->random, random.ptr, sizeof sh->random);
    sh->hello_retry = memcmp(random.ptr, hrr_random, 32) == 0;
    sh->downgrade_sentinel = memcmp(random.ptr + 24, downgrade_sentinel, 7) == 0 &&
                             (random.ptr[31] == 0 || random.ptr[31] == 1);
    if (cur_left(m) > 0) {
        TRY(cur_vec(m, 2, &exts));
        while (cur_left(&exts) > 0) {
            uint16_t type;
            struct cursor e;
            TRY(cur_u16(&exts, &type));
            TRY(cur_vec(&exts, 2, &e));
            if (sh->n_exts < CH_MAX_EXTS)
                sh->exts[sh->n_exts++] = type;
            TRY(server_extension(sh, type, &e));
        }
    }
    if (sh->version == TLS_VERSION_13)
        sh->resumed = has_ext(sh, EXT_PRE_SHARED_KEY);
    else
        sh->resumed = sh->session_id_len > 0 && c->ch->present &&
                      sh->session_id_len == c->ch->session_id_len &&
                      memcmp(sid.buf + sid.pos, c->ch->session_id, sh->session_id_len) == 0;
    if (sh->hello_retry) {
        /* keep the retry's facts apart: the real ServerHello follows */
        c->sh.hello_retry = true;
        c->sh.hrr_frame = w->frame;
        c->sh.hrr_group = sh->hrr_group ? sh->hrr_group : sh->key_share_group;
        c->sh.hrr_ech = sh->hrr_ech;
        return ST_OK;
    }
    bool retried = c->sh.hello_retry, hrr_ech = c->sh.hrr_ech;
    uint64_t hrr_frame = c->sh.hrr_frame;
    uint16_t hrr_group = c->sh.hrr_group;
    c->sh = *sh;
    c->sh.hello_retry = retried;
    c->sh.hrr_frame = hrr_frame;
    c->sh.hrr_group = hrr_group;
    c->sh.hrr_ech = hrr_ech;
    return ST_OK;
}
