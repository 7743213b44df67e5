/* facts_codec.c: the facts as bytes (see facts_codec.h). Each struct is
 * described once, field by field, in a table; one walker writes and reads
 * every table. Integers are LEB128 (most facts are small or zero), arrays
 * and byte fields drop their trailing zeros, and a fingerprint of the
 * tables leads the bytes, so a build with another layout refuses them.
 * Reading checks each bool, enum and string as it stores it, then every
 * count against its array (facts_sane) before anything else may read it. */
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "quic/facts.h"
#include "report/facts_codec.h"
#include "util/cursor.h"

enum kind {
    K_UINT,   /* unsigned integer of 1, 2, 4 or 8 bytes */
    K_BOOL,
    K_ENUM,   /* an enum or a byte holding one: 0 to max */
    K_TS,     /* struct tstamp */
    K_BYTES,  /* raw bytes, any value */
    K_STR,    /* a NUL-terminated string in its array */
    K_SUB     /* a struct with a table of its own */
};

struct layout;
struct field {
    size_t off;
    enum kind kind;
    size_t count;              /* elements: 1 for a scalar */
    size_t size;               /* bytes of one element */
    uint32_t max;              /* K_ENUM */
    const struct layout *sub;  /* K_SUB */
};

struct layout {
    const struct field *f;
    size_t n;
};

/* The most fields a struct's table may have: its bitmap's bits. */
#define LAYOUT_MAX_FIELDS 256

#define MEMB(T, m) (((T *)0)->m)
#define ELEMS(T, m) (sizeof MEMB(T, m) / sizeof MEMB(T, m)[0])
#define UINT(T, m) {offsetof(T, m), K_UINT, 1, sizeof MEMB(T, m), 0, NULL}
#define UINTS(T, m) {offsetof(T, m), K_UINT, ELEMS(T, m), sizeof MEMB(T, m)[0], 0, NULL}
#define BOOL(T, m) {offsetof(T, m), K_BOOL, 1, sizeof MEMB(T, m), 0, NULL}
#define BOOLS(T, m) {offsetof(T, m), K_BOOL, ELEMS(T, m), sizeof MEMB(T, m)[0], 0, NULL}
#define ENUM(T, m, mx) {offsetof(T, m), K_ENUM, 1, sizeof MEMB(T, m), mx, NULL}
#define TS(T, m) {offsetof(T, m), K_TS, 1, sizeof MEMB(T, m), 0, NULL}
#define TSS(T, m) {offsetof(T, m), K_TS, ELEMS(T, m), sizeof MEMB(T, m)[0], 0, NULL}
#define BYTES(T, m) {offsetof(T, m), K_BYTES, 1, sizeof MEMB(T, m), 0, NULL}
#define STR(T, m) {offsetof(T, m), K_STR, 1, sizeof MEMB(T, m), 0, NULL}
#define SUB(T, m, L) {offsetof(T, m), K_SUB, 1, sizeof MEMB(T, m), 0, &L}
#define SUBS(T, m, L) {offsetof(T, m), K_SUB, ELEMS(T, m), sizeof MEMB(T, m)[0], 0, &L}
#define LAYOUT(name, ...)                                                        \
    static const struct field name##_fields[] = {__VA_ARGS__};                  \
    static const struct layout name = {name##_fields,                           \
                                       sizeof name##_fields / sizeof name##_fields[0]}

/* A struct that gains a field must gain it in its table too: these sizes
 * stop the build until it has (and the fingerprint then changes). */
_Static_assert(sizeof(struct conn) == 2992, "struct conn changed: update facts_codec.c");
_Static_assert(sizeof(struct client_hello) == 3896, "client_hello changed: update facts_codec.c");
_Static_assert(sizeof(struct server_hello) == 296, "server_hello changed: update facts_codec.c");
_Static_assert(sizeof(struct key_exchange) == 64, "key_exchange changed: update facts_codec.c");
_Static_assert(sizeof(struct side_facts) == 720, "side_facts changed: update facts_codec.c");
_Static_assert(sizeof(struct plain_text) == 120, "plain_text changed: update facts_codec.c");
_Static_assert(sizeof(struct message) == 32, "message changed: update facts_codec.c");
_Static_assert(sizeof(struct alert) == 40, "alert changed: update facts_codec.c");
_Static_assert(sizeof(struct cert_msg) == 104, "cert_msg changed: update facts_codec.c");
_Static_assert(sizeof(struct quic_facts) == 680, "quic_facts changed: update facts_codec.c");
_Static_assert(sizeof(struct server_stats) == 376, "server_stats changed: update facts_codec.c");

LAYOUT(addr_layout, UINT(struct addr, family), BYTES(struct addr, bytes));

LAYOUT(u16_list_layout, UINTS(struct u16_list, v), UINT(struct u16_list, n),
       UINT(struct u16_list, total));

LAYOUT(ech_layout, BOOL(struct ech_offer, present), UINT(struct ech_offer, type),
       UINT(struct ech_offer, kdf_id), UINT(struct ech_offer, aead_id),
       UINT(struct ech_offer, config_id), UINT(struct ech_offer, enc_len),
       UINT(struct ech_offer, payload_len));

#define CH struct client_hello
LAYOUT(ch_layout, BOOL(CH, present), BOOL(CH, sslv2_format), UINTS(CH, sslv2_kinds),
       UINT(CH, n_sslv2_kinds), UINT(CH, total_sslv2_kinds), UINT(CH, frame),
       UINT(CH, first_frame), UINT(CH, segments), BOOL(CH, quic), TS(CH, ts), UINT(CH, length),
       UINT(CH, record_version), UINT(CH, legacy_version), BYTES(CH, random),
       UINT(CH, session_id_len), BYTES(CH, session_id), UINTS(CH, suites), UINT(CH, n_suites),
       UINT(CH, total_suites), UINTS(CH, exts), UINT(CH, n_exts), UINT(CH, total_exts),
       SUB(CH, versions, u16_list_layout), SUB(CH, groups, u16_list_layout),
       SUB(CH, sigalgs, u16_list_layout), SUB(CH, key_shares, u16_list_layout),
       UINT(CH, key_share_bytes), UINTS(CH, key_share_len), SUB(CH, ech, ech_layout),
       BOOL(CH, has_sni), BYTES(CH, sni), UINT(CH, sni_len), UINT(CH, n_alpn), BYTES(CH, alpn),
       UINTS(CH, alpn_len), BOOL(CH, fallback_scsv), BOOL(CH, reneg_scsv), BOOL(CH, has_psk),
       BOOL(CH, has_early_data), BOOL(CH, has_session_ticket), BOOL(CH, malformed),
       STR(CH, ja4));
#undef CH

#define SH struct server_hello
LAYOUT(sh_layout, BOOL(SH, present), BOOL(SH, hello_retry), UINT(SH, frame), UINT(SH, hrr_frame),
       TS(SH, ts), UINT(SH, legacy_version), BYTES(SH, random), UINT(SH, version),
       UINT(SH, suite), UINT(SH, compression), UINT(SH, session_id_len), BOOL(SH, resumed),
       UINTS(SH, exts), UINT(SH, n_exts), UINT(SH, key_share_group), UINT(SH, hrr_group),
       BOOL(SH, has_alpn), BYTES(SH, alpn), UINT(SH, alpn_len), BOOL(SH, downgrade_sentinel),
       BOOL(SH, hrr_ech), BOOL(SH, ee_seen), BOOL(SH, ech_retry), UINT(SH, ech_retry_count),
       BOOL(SH, ech_retry_has_id), UINT(SH, ech_retry_config_id), BOOL(SH, sslv2),
       UINT(SH, sslv2_cipher));
#undef SH

/* rsa_premaster is decryption's, done by the time facts are written */
#define KX struct key_exchange
LAYOUT(kx_layout, BOOL(KX, ske_present), UINT(KX, ske_frame), BOOL(KX, dhe), UINT(KX, dh_p_len),
       UINT(KX, dh_g_len), UINT(KX, dh_ys_len), BOOL(KX, dh_ys_leading_zero), BOOL(KX, ecdhe),
       UINT(KX, ec_group), UINT(KX, ske_sigalg), BOOL(KX, cke_present), UINT(KX, cke_frame),
       UINT(KX, cke_len), BOOL(KX, rsa_kx), BOOL(KX, dh_yc_leading_zero));
#undef KX

LAYOUT(der_layout, UINT(struct cert_der, off), UINT(struct cert_der, len));

LAYOUT(cert_msg_layout, BOOL(struct cert_msg, present), UINT(struct cert_msg, frame),
       UINT(struct cert_msg, count), UINT(struct cert_msg, kept),
       SUBS(struct cert_msg, der, der_layout));

#define AL struct alert
LAYOUT(alert_layout, UINT(AL, frame), TS(AL, ts), ENUM(AL, from, SIDE_SERVER),
       BOOL(AL, encrypted), BOOL(AL, decrypted), UINT(AL, level), UINT(AL, description),
       UINT(AL, record_len));
#undef AL

#define MS struct message
LAYOUT(message_layout, UINT(MS, frame), TS(MS, ts), ENUM(MS, from, SIDE_SERVER), UINT(MS, type),
       BOOL(MS, encrypted), BOOL(MS, decrypted));
#undef MS

#define PT struct plain_text
LAYOUT(plain_layout, ENUM(PT, protocol, PLAIN_POSTGRES), UINT(PT, request_frame),
       UINT(PT, reply_frame), BOOL(PT, refused), BYTES(PT, reply), UINT(PT, reply_len),
       UINT(PT, capabilities_frame), BOOL(PT, offered), BOOL(PT, client_went_on),
       UINT(PT, http_status), UINT(PT, names_tls_frame));
#undef PT

#define SF struct side_facts
LAYOUT(side_layout, UINT(SF, syn_frame), UINT(SF, syn_count), UINT(SF, fin_frame),
       UINT(SF, rst_frame), TS(SF, fin_ts), TS(SF, rst_ts), UINT(SF, bytes),
       UINT(SF, first_data_frame), TS(SF, first_data_ts), UINT(SF, last_frame), UINT(SF, gaps),
       UINT(SF, gap_frame), UINT(SF, gap_bytes), UINT(SF, cut_segments), UINT(SF, retransmits),
       UINTS(SF, retx_frames), TSS(SF, retx_ts), UINT(SF, lost_first_frame),
       TS(SF, lost_first_ts), UINT(SF, unacked_bytes), UINT(SF, acked_unseen),
       UINT(SF, unseen_sent), UINT(SF, unseen_frame), UINT(SF, dup_acks), UINT(SF, sacks),
       UINT(SF, sack_frame), UINT(SF, sack_left), UINT(SF, sack_right), UINT(SF, ttl_min),
       UINT(SF, ttl_max), UINT(SF, ccs_frame), UINT(SF, encrypted_hs_frame),
       UINT(SF, appdata_frame), TS(SF, appdata_ts), UINT(SF, appdata_records),
       UINTS(SF, appdata_len), UINTS(SF, appdata_frames), UINT(SF, records), BOOL(SF, not_tls),
       BYTES(SF, first_bytes), UINT(SF, first_bytes_len), UINT(SF, not_tls_frame),
       UINT(SF, starttls_frame), BOOL(SF, proxy_header), BOOL(SF, malformed),
       STR(SF, malformed_what), BOOL(SF, handshake_overflow),
       ENUM(SF, decrypt, DECRYPT_FORWARD_SECRET), UINT(SF, decrypted_records),
       UINT(SF, decrypt_stop_frame), ENUM(SF, finished_check, FINISHED_MISMATCH),
       UINT(SF, finished_frame), BYTES(SF, app_plain), UINT(SF, app_plain_len),
       UINT(SF, app_plain_frame));
#undef SF

/* ch, messages, cert_bytes and quic follow the table; the diagnosis is the
 * rules' to make again */
#define CO struct conn
LAYOUT(conn_layout, UINT(CO, id), SUB(CO, client, addr_layout), SUB(CO, server, addr_layout),
       UINT(CO, client_port), UINT(CO, server_port), UINT(CO, first_frame),
       UINT(CO, last_frame), TS(CO, start), TS(CO, end), BOOL(CO, saw_syn), BOOL(CO, saw_synack),
       UINT(CO, synack_frame), TS(CO, syn_ts), TS(CO, synack_ts), TS(CO, syn_prev_ts),
       TS(CO, syn_last_ts), BOOL(CO, mid_stream), BOOL(CO, open_at_end), UINT(CO, reset_burst),
       UINT(CO, burst_first_frame), UINT(CO, burst_last_frame), TS(CO, burst_first_ts),
       TS(CO, burst_last_ts), TS(CO, capture_end), STR(CO, app_protocol),
       BOOL(CO, roles_from_hello), SUBS(CO, side, side_layout), SUB(CO, plain, plain_layout),
       UINT(CO, client_hellos), SUB(CO, sh, sh_layout), SUB(CO, kx, kx_layout),
       SUB(CO, server_certs, cert_msg_layout), SUB(CO, client_certs, cert_msg_layout),
       BOOL(CO, cert_request), UINT(CO, cert_request_frame), BOOL(CO, server_hello_done),
       UINT(CO, server_hello_done_frame), BOOL(CO, new_session_ticket),
       UINT(CO, total_messages), SUBS(CO, alerts, alert_layout), UINT(CO, n_alerts),
       UINT(CO, total_alerts), BOOL(CO, chain_checked), UINT(CO, chain_problems),
       ENUM(CO, verdict, VERDICT_TCP_ONLY), STR(CO, incomplete_why));
#undef CO

#define QC struct quic_close_facts
LAYOUT(quic_close_layout, BOOL(QC, present), ENUM(QC, from, SIDE_SERVER), UINT(QC, frame),
       TS(QC, ts), BOOL(QC, application), UINT(QC, code), UINT(QC, frame_type),
       BYTES(QC, reason), UINT(QC, reason_len));
#undef QC

#define QF struct quic_facts
LAYOUT(quic_layout, UINT(QF, version), UINT(QF, client_version), UINT(QF, server_version),
       BYTES(QF, dcid), UINT(QF, dcid_len), UINTS(QF, datagrams), UINTS(QF, initials),
       UINTS(QF, opened), UINTS(QF, unopened), UINTS(QF, handshake), UINT(QF, zero_rtt),
       UINTS(QF, short_packets), UINTS(QF, first_frame), TSS(QF, first_ts),
       UINTS(QF, last_frame), TSS(QF, last_ts), UINTS(QF, handshake_frame),
       UINTS(QF, short_frame), BOOL(QF, version_negotiation), UINT(QF, vn_frame), TS(QF, vn_ts),
       UINTS(QF, vn_versions), UINT(QF, n_vn_versions), UINT(QF, vn_retry_conn),
       UINT(QF, vn_retry_version), UINT(QF, icmp_unreachable), UINT(QF, icmp_frame),
       UINT(QF, icmp_type), UINT(QF, icmp_code), BOOL(QF, icmp_from_server),
       UINT(QF, fallback_conn), UINT(QF, fallback_frame), TS(QF, fallback_ts),
       BOOL(QF, fallback_ok), BOOL(QF, retry), UINT(QF, retries), UINTS(QF, unvalidated_bytes),
       BOOL(QF, amplification_limited), UINT(QF, amplification_frame), UINT(QF, retry_frame),
       UINT(QF, retry_token_len), UINT(QF, token_frame), UINT(QF, token_len),
       UINT(QF, retry_again_frame), UINT(QF, retry_again_token_len), UINT(QF, last_retry_frame),
       TS(QF, last_retry_ts), UINTS(QF, bytes), UINTS(QF, bytes_at_server_last),
       UINT(QF, unanswered), UINT(QF, unanswered_frame), TS(QF, unanswered_ts),
       SUB(QF, close, quic_close_layout), BOOLS(QF, encrypted_noted), BOOL(QF, crypto_overflow),
       BOOL(QF, malformed));
#undef QF

#define SS struct server_stats
LAYOUT(server_layout, SUB(SS, addr, addr_layout), UINT(SS, port), UINT(SS, ok), UINT(SS, failed),
       UINT(SS, ok_forward_secret), UINT(SS, ok_not_forward_secret), UINT(SS, dhe_ok),
       UINT(SS, dhe_failed_bad_record_mac), UINT(SS, ecdhe_ok), UINT(SS, dhe_short_ok),
       UINT(SS, dhe_short_failed), UINT(SS, dhe_full_ok), UINT(SS, dhe_full_failed),
       BOOL(SS, saw_sni), BOOL(SS, saw_no_sni_ok), UINT(SS, tls_seen), UINT(SS, refused),
       UINT(SS, ok_quic), UINTS(SS, ok_with), UINTS(SS, refused_with), UINT(SS, refused_frame),
       UINT(SS, ok_frame), UINT(SS, refused_file), UINT(SS, ok_file), STR(SS, cert_key),
       UINT(SS, cert_frame), UINT(SS, cert_file), UINTS(SS, ske_sigalgs),
       UINT(SS, n_ske_sigalgs), UINT(SS, unknown_ca_frame), UINT(SS, unknown_ca_file),
       UINTS(SS, refused_by_client), UINT(SS, n_refused_by_client));
#undef SS
/* The lists of struct server_stats (suites, versions, groups) live in
 * blocks of their own: each follows the server's fields as its length,
 * then value, count, frame and file of each entry (server_lists_put). */

/* ---- the walker ---- */

#define MAGIC_CONN 0x54584632u /* "TXF2": fields behind a bitmap of the ones set */
#define MAGIC_CTX 0x54584333u  /* "TXC3": the server lists after each server */

static const struct layout *const all_layouts[] = {
    &addr_layout, &u16_list_layout, &ech_layout, &ch_layout, &sh_layout, &kx_layout,
    &der_layout, &cert_msg_layout, &alert_layout, &message_layout, &plain_layout,
    &side_layout, &conn_layout, &quic_close_layout, &quic_layout, &server_layout};

/* FNV-1a over every table: a change of layout changes it. Computed once
 * (every connection stowed for the final pass is encoded and read back). */
static uint32_t the_fingerprint;

static void compute_fingerprint(void)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < sizeof all_layouts / sizeof all_layouts[0]; i++)
        for (size_t k = 0; k < all_layouts[i]->n; k++) {
            const struct field *f = &all_layouts[i]->f[k];
            uint64_t words[5] = {f->off, (uint64_t)f->kind, f->count, f->size, f->max};
            for (size_t w = 0; w < 5; w++)
                for (int b = 0; b < 8; b++) {
                    h ^= (uint8_t)(words[w] >> (8 * b));
                    h *= 16777619u;
                }
        }
    the_fingerprint = h;
}

static uint32_t fingerprint(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, compute_fingerprint);
    return the_fingerprint;
}

static enum status put_uint(struct capbuf *out, uint64_t v)
{
    uint8_t b[10];
    size_t n = 0;
    do {
        b[n] = (uint8_t)(v & 0x7f);
        v >>= 7;
        if (v != 0)
            b[n] |= 0x80;
        n++;
    } while (v != 0);
    return capbuf_append(out, b, n);
}

static enum status get_uint(struct cursor *c, uint64_t *v)
{
    *v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        uint8_t b;
        TRY(cur_u8(c, &b));
        /* the tenth byte holds one bit */
        ENSURE(shift < 63 || b <= 1, ST_MALFORMED);
        *v |= (uint64_t)(b & 0x7f) << shift;
        if ((b & 0x80) == 0)
            return ST_OK;
    }
    return ST_MALFORMED;
}

static uint64_t load(const uint8_t *p, size_t size)
{
    switch (size) {
    case 1: return *p;
    case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
    default: { uint64_t v; memcpy(&v, p, 8); return v; }
    }
}

/* ST_MALFORMED when v does not fit in size bytes. */
static enum status store(uint8_t *p, size_t size, uint64_t v)
{
    switch (size) {
    case 1: ENSURE(v <= UINT8_MAX, ST_MALFORMED); *p = (uint8_t)v; return ST_OK;
    case 2: { ENSURE(v <= UINT16_MAX, ST_MALFORMED); uint16_t x = (uint16_t)v; memcpy(p, &x, 2); return ST_OK; }
    case 4: { ENSURE(v <= UINT32_MAX, ST_MALFORMED); uint32_t x = (uint32_t)v; memcpy(p, &x, 4); return ST_OK; }
    case 8: memcpy(p, &v, 8); return ST_OK;
    default: return ST_MALFORMED;
    }
}

static bool all_zero(const uint8_t *p, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        if (w != 0)
            return false;
    }
    for (; i < n; i++)
        if (p[i] != 0)
            return false;
    return true;
}

/* Elements up to the last one that is not all zero. */
static size_t used_elems(const uint8_t *p, size_t count, size_t size)
{
    while (count > 0 && all_zero(p + (count - 1) * size, size))
        count--;
    return count;
}

static enum status put_struct(const struct layout *l, const uint8_t *base, struct capbuf *out);

static enum status put_elem(const struct field *f, const uint8_t *p, struct capbuf *out)
{
    switch (f->kind) {
    case K_UINT:
        return put_uint(out, load(p, f->size));
    case K_BOOL: {
        bool v;
        memcpy(&v, p, sizeof v);
        return put_uint(out, v ? 1 : 0);
    }
    case K_ENUM:
        if (f->size == 1)
            return put_uint(out, *p);
        {
            int v;
            memcpy(&v, p, sizeof v);
            return put_uint(out, (uint64_t)(unsigned)v);
        }
    case K_TS: {
        struct tstamp t;
        memcpy(&t, p, sizeof t);
        /* zigzag: small negative seconds stay short */
        uint64_t z = t.sec < 0 ? ((uint64_t)(-(t.sec + 1)) << 1) | 1 : (uint64_t)t.sec << 1;
        TRY(put_uint(out, z));
        return put_uint(out, t.nsec);
    }
    case K_BYTES:
    case K_STR: {
        size_t n = used_elems(p, f->size, 1);
        TRY(put_uint(out, n));
        return capbuf_append(out, p, n);
    }
    case K_SUB:
        return put_struct(f->sub, p, out);
    }
    return ST_MALFORMED;
}

/* Is the field all zero (an array: no element used)? */
static bool field_empty(const struct field *f, const uint8_t *p)
{
    return f->count > 1 ? used_elems(p, f->count, f->size) == 0 : all_zero(p, f->size);
}

/* A struct is a bitmap of its fields that are not all zero, then those
 * fields: most facts of most connections are zero (a connection of one SYN
 * has a dozen set of several hundred). */
static enum status put_struct(const struct layout *l, const uint8_t *base, struct capbuf *out)
{
    uint8_t map[LAYOUT_MAX_FIELDS / 8] = {0};
    size_t map_len = (l->n + 7) / 8;
    ENSURE(l->n <= LAYOUT_MAX_FIELDS, ST_LIMIT);
    for (size_t i = 0; i < l->n; i++)
        if (!field_empty(&l->f[i], base + l->f[i].off))
            map[i / 8] |= (uint8_t)(1u << (i % 8));
    TRY(capbuf_append(out, map, map_len));
    for (size_t i = 0; i < l->n; i++) {
        const struct field *f = &l->f[i];
        const uint8_t *p = base + f->off;
        size_t n = f->count;
        if ((map[i / 8] & (1u << (i % 8))) == 0)
            continue;
        if (n > 1) {
            n = used_elems(p, f->count, f->size);
            TRY(put_uint(out, n));
        }
        for (size_t k = 0; k < n; k++)
            TRY(put_elem(f, p + k * f->size, out));
    }
    return ST_OK;
}

static enum status get_struct(const struct layout *l, uint8_t *base, struct cursor *c,
                              unsigned depth);

static enum status get_elem(const struct field *f, uint8_t *p, struct cursor *c, unsigned depth)
{
    uint64_t v;
    switch (f->kind) {
    case K_UINT:
        TRY(get_uint(c, &v));
        return store(p, f->size, v);
    case K_BOOL: {
        TRY(get_uint(c, &v));
        ENSURE(v <= 1, ST_MALFORMED);
        bool b = v == 1;
        memcpy(p, &b, sizeof b);
        return ST_OK;
    }
    case K_ENUM:
        TRY(get_uint(c, &v));
        ENSURE(v <= f->max, ST_MALFORMED);
        if (f->size == 1)
            return store(p, 1, v);
        {
            int e = (int)v;
            memcpy(p, &e, sizeof e);
            return ST_OK;
        }
    case K_TS: {
        uint64_t z, ns;
        TRY(get_uint(c, &z));
        TRY(get_uint(c, &ns));
        ENSURE(ns < 1000000000u, ST_MALFORMED);
        struct tstamp t = {.sec = (z & 1) ? -(int64_t)(z >> 1) - 1 : (int64_t)(z >> 1),
                           .nsec = (uint32_t)ns};
        memcpy(p, &t, sizeof t);
        return ST_OK;
    }
    case K_BYTES:
    case K_STR: {
        struct slice s;
        TRY(get_uint(c, &v));
        /* a string keeps a NUL inside its array */
        ENSURE(v <= f->size - (f->kind == K_STR ? 1 : 0), ST_MALFORMED);
        TRY(cur_take(c, (size_t)v, &s));
        memcpy(p, s.ptr, s.len);
        return ST_OK;
    }
    case K_SUB:
        return get_struct(f->sub, p, c, depth + 1);
    }
    return ST_MALFORMED;
}

/* Reads into base, which is zeroed memory (calloc, or a struct cleared
 * by the caller): a field the bitmap leaves out stays zero. */
static enum status get_struct(const struct layout *l, uint8_t *base, struct cursor *c,
                              unsigned depth)
{
    struct slice map;
    ENSURE(depth < 8 && l->n <= LAYOUT_MAX_FIELDS, ST_MALFORMED);
    TRY(cur_take(c, (l->n + 7) / 8, &map));
    for (size_t i = 0; i < l->n; i++) {
        const struct field *f = &l->f[i];
        uint8_t *p = base + f->off;
        if ((map.ptr[i / 8] & (1u << (i % 8))) == 0)
            continue; /* all zero, as the memory it is read into already is */
        uint64_t n = 1;
        if (f->count > 1) {
            TRY(get_uint(c, &n));
            ENSURE(n <= f->count, ST_MALFORMED);
        }
        for (uint64_t k = 0; k < n; k++)
            TRY(get_elem(f, p + k * f->size, c, depth));
    }
    return ST_OK;
}

/* ---- sameness: what decoding two encodings would tell apart ---- */

static bool same_struct(const struct layout *l, const uint8_t *a, const uint8_t *b);

static bool same_elem(const struct field *f, const uint8_t *a, const uint8_t *b)
{
    switch (f->kind) {
    case K_SUB:
        return same_struct(f->sub, a, b);
    case K_TS: { /* its padding is not encoded */
        struct tstamp x, y;
        memcpy(&x, a, sizeof x);
        memcpy(&y, b, sizeof y);
        return x.sec == y.sec && x.nsec == y.nsec;
    }
    case K_UINT:
    case K_BOOL:
    case K_ENUM:
    case K_BYTES:
    case K_STR:
        break;
    }
    return memcmp(a, b, f->size) == 0;
}

static bool same_struct(const struct layout *l, const uint8_t *a, const uint8_t *b)
{
    for (size_t i = 0; i < l->n; i++) {
        const struct field *f = &l->f[i];
        for (size_t k = 0; k < f->count; k++)
            if (!same_elem(f, a + f->off + k * f->size, b + f->off + k * f->size))
                return false;
    }
    return true;
}

bool facts_same_flat(const struct conn *a, const struct conn *b)
{
    if (!conn_is_flat(a) || !conn_is_flat(b))
        return false;
    return memcmp(a, b, sizeof *a) == 0 ||
           same_struct(&conn_layout, (const uint8_t *)a, (const uint8_t *)b);
}

/* ---- the invariants the readers of a connection rely on ---- */

static bool ders_fit(const struct cert_msg *m, uint32_t cert_bytes_len)
{
    if (m->kept > CONN_MAX_CERTS)
        return false;
    /* conn_keep_cert keeps no empty certificate: a kept one has bytes */
    for (uint16_t i = 0; i < m->kept; i++)
        if (m->der[i].len == 0 || m->der[i].off > cert_bytes_len ||
            m->der[i].len > cert_bytes_len - m->der[i].off)
            return false;
    return true;
}

static bool list_fits(const struct u16_list *l)
{
    return l->n <= CH_MAX_LIST;
}

static bool hello_sane(const struct client_hello *ch)
{
    if (ch->n_sslv2_kinds > 16 || ch->session_id_len > 32 || ch->n_suites > CH_MAX_SUITES ||
        ch->n_exts > CH_MAX_EXTS || !list_fits(&ch->versions) || !list_fits(&ch->groups) ||
        !list_fits(&ch->sigalgs) || !list_fits(&ch->key_shares) || ch->sni_len > SNI_MAX_LEN ||
        ch->n_alpn > CH_MAX_ALPN)
        return false;
    for (uint8_t i = 0; i < ch->n_alpn; i++)
        if (ch->alpn_len[i] > ALPN_MAX_LEN)
            return false;
    return true;
}

static bool facts_sane(const struct conn *c)
{
    const struct server_hello *sh = &c->sh;
    if (sh->n_exts > CH_MAX_EXTS || sh->alpn_len > ALPN_MAX_LEN || sh->session_id_len > 32)
        return false;
    if (c->n_alerts > CONN_MAX_ALERTS || c->n_messages > CONN_MAX_MESSAGES ||
        c->cert_bytes_len > CONN_MAX_CERT_BYTES || c->plain.reply_len > sizeof c->plain.reply)
        return false;
    if (!ders_fit(&c->server_certs, c->cert_bytes_len) ||
        !ders_fit(&c->client_certs, c->cert_bytes_len))
        return false;
    for (int s = 0; s < 2; s++) {
        const struct side_facts *sf = &c->side[s];
        if (sf->first_bytes_len > sizeof sf->first_bytes ||
            sf->app_plain_len > sizeof sf->app_plain)
            return false;
    }
    if (c->ch_owned != NULL && !hello_sane(c->ch_owned))
        return false;
    const struct quic_facts *q = c->quic;
    if (q != NULL && (q->dcid_len > QUIC_MAX_CID || q->n_vn_versions > QUIC_MAX_VN_VERSIONS ||
                      q->close.reason_len > QUIC_REASON_MAX))
        return false;
    return true;
}

/* ---- connections ---- */

enum {
    PART_HELLO = 1,   /* the connection's own ClientHello follows */
    PART_QUIC = 2     /* its QUIC facts follow */
};

enum status facts_encode_conn(const struct conn *c, struct capbuf *out)
{
    TRY(put_uint(out, MAGIC_CONN));
    TRY(put_uint(out, fingerprint()));
    TRY(put_struct(&conn_layout, (const uint8_t *)c, out));
    unsigned parts = (c->ch_owned != NULL ? PART_HELLO : 0) | (c->quic != NULL ? PART_QUIC : 0);
    TRY(put_uint(out, parts));
    if (c->ch_owned != NULL)
        TRY(put_struct(&ch_layout, (const uint8_t *)c->ch_owned, out));
    TRY(put_uint(out, c->n_messages));
    for (uint16_t i = 0; i < c->n_messages; i++)
        TRY(put_struct(&message_layout, (const uint8_t *)&c->messages[i], out));
    TRY(put_uint(out, c->cert_bytes_len));
    if (c->cert_bytes_len > 0)
        TRY(capbuf_append(out, c->cert_bytes, c->cert_bytes_len));
    if (c->quic != NULL)
        TRY(put_struct(&quic_layout, (const uint8_t *)c->quic, out));
    return ST_OK;
}

static enum status decode_parts(struct conn *c, struct cursor *cur)
{
    uint64_t parts, n;
    TRY(get_struct(&conn_layout, (uint8_t *)c, cur, 0));
    TRY(get_uint(cur, &parts));
    ENSURE(parts <= (PART_HELLO | PART_QUIC), ST_MALFORMED);
    if (parts & PART_HELLO) {
        struct client_hello *ch = conn_client_hello(c);
        ENSURE(ch != NULL, ST_NOMEM);
        TRY(get_struct(&ch_layout, (uint8_t *)ch, cur, 0));
    }
    TRY(get_uint(cur, &n));
    ENSURE(n <= CONN_MAX_MESSAGES, ST_MALFORMED);
    if (n > 0) {
        c->messages = calloc((size_t)n, sizeof *c->messages);
        ENSURE(c->messages != NULL, ST_NOMEM);
        c->cap_messages = c->n_messages = (uint16_t)n;
        for (uint64_t i = 0; i < n; i++)
            TRY(get_struct(&message_layout, (uint8_t *)&c->messages[i], cur, 0));
    }
    TRY(get_uint(cur, &n));
    ENSURE(n <= CONN_MAX_CERT_BYTES, ST_MALFORMED);
    if (n > 0) {
        struct slice s;
        TRY(cur_take(cur, (size_t)n, &s));
        c->cert_bytes = malloc((size_t)n);
        ENSURE(c->cert_bytes != NULL, ST_NOMEM);
        memcpy(c->cert_bytes, s.ptr, s.len);
        c->cert_bytes_len = (uint32_t)n;
    }
    if (parts & PART_QUIC) {
        c->quic = calloc(1, sizeof *c->quic);
        ENSURE(c->quic != NULL, ST_NOMEM);
        TRY(get_struct(&quic_layout, (uint8_t *)c->quic, cur, 0));
    }
    TRY(cur_end(cur));
    return facts_sane(c) ? ST_OK : ST_MALFORMED;
}

enum status facts_decode_conn(const uint8_t *p, size_t n, struct conn **out)
{
    struct cursor cur = cur_make(p, n);
    uint64_t magic, print;
    *out = NULL;
    TRY(get_uint(&cur, &magic));
    TRY(get_uint(&cur, &print));
    ENSURE(magic == MAGIC_CONN && print == fingerprint(), ST_MALFORMED);
    struct conn *c = conn_new(0);
    ENSURE(c != NULL, ST_NOMEM);
    /* the table fills the fixed part; what it points to comes after */
    enum status st = decode_parts(c, &cur);
    if (st != ST_OK) {
        conn_free(c);
        return st;
    }
    *out = c;
    return ST_OK;
}

/* ---- contexts ---- */

static enum status list_put(struct capbuf *out, uint8_t n, const uint16_t *val,
                            const uint32_t *count, const uint64_t *frame, const uint32_t *file)
{
    TRY(put_uint(out, n));
    for (uint8_t i = 0; i < n; i++) {
        TRY(put_uint(out, val[i]));
        TRY(put_uint(out, count != NULL ? count[i] : 0));
        TRY(put_uint(out, frame[i]));
        TRY(put_uint(out, file[i]));
    }
    return ST_OK;
}

static enum status server_lists_put(const struct server_stats *s, struct capbuf *out)
{
    TRY(list_put(out, s->n_suites, s->suites, s->suite_count, s->suite_frame, s->suite_file));
    TRY(list_put(out, s->n_versions, s->versions, s->version_count, s->version_frame,
                 s->version_file));
    return list_put(out, s->n_groups, s->groups, NULL, s->group_frame, s->group_file);
}

/* Each list as server_lists_put wrote it; a value listed twice is malformed. */
static enum status server_lists_get(struct cursor *cur, struct server_stats *s)
{
    static const uint8_t max[] = {SERVER_MAX_SUITES, SERVER_MAX_VERSIONS, SERVER_MAX_GROUPS};
    const uint8_t *n[] = {&s->n_suites, &s->n_versions, &s->n_groups};
    for (int w = SERVER_SUITES; w <= SERVER_GROUPS; w++) {
        uint64_t len;
        TRY(get_uint(cur, &len));
        ENSURE(len <= max[w], ST_MALFORMED);
        for (uint64_t i = 0; i < len; i++) {
            uint64_t val, count, frame, file;
            TRY(get_uint(cur, &val));
            TRY(get_uint(cur, &count));
            TRY(get_uint(cur, &frame));
            TRY(get_uint(cur, &file));
            ENSURE(val <= UINT16_MAX && count <= UINT32_MAX && file <= UINT32_MAX, ST_MALFORMED);
            uint8_t before = *n[w];
            TRY(server_list_note(s, (enum server_list)w, (uint16_t)val, (uint32_t)count, frame,
                                 (uint32_t)file));
            ENSURE(*n[w] == before + 1, ST_MALFORMED);
        }
    }
    return ST_OK;
}

enum status facts_encode_ctx(const struct rule_ctx *ctx, struct capbuf *out)
{
    TRY(put_uint(out, MAGIC_CTX));
    TRY(put_uint(out, fingerprint()));
    TRY(put_uint(out, ctx->saw_payload ? 1 : 0));
    TRY(put_uint(out, ctx->n_servers));
    for (size_t i = 0; i < ctx->n_servers; i++) {
        TRY(put_struct(&server_layout, (const uint8_t *)&ctx->servers[i], out));
        TRY(server_lists_put(&ctx->servers[i], out));
    }
    return ST_OK;
}

static bool server_sane(const struct server_stats *s)
{
    return s->n_ske_sigalgs <= ELEMS(struct server_stats, ske_sigalgs) &&
           s->n_refused_by_client <= ELEMS(struct server_stats, refused_by_client);
}

enum status facts_decode_ctx(const uint8_t *p, size_t n, struct rule_ctx *ctx)
{
    struct cursor cur = cur_make(p, n);
    uint64_t magic, print, payload, servers;
    TRY(get_uint(&cur, &magic));
    TRY(get_uint(&cur, &print));
    ENSURE(magic == MAGIC_CTX && print == fingerprint(), ST_MALFORMED);
    TRY(get_uint(&cur, &payload));
    TRY(get_uint(&cur, &servers));
    /* each server takes dozens of bytes: the count cannot exceed the bytes */
    ENSURE(payload <= 1 && servers <= cur_left(&cur), ST_MALFORMED);
    ctx->saw_payload = payload == 1;
    for (uint64_t i = 0; i < servers; i++) {
        struct server_stats o;
        memset(&o, 0, sizeof o);
        enum status st = get_struct(&server_layout, (uint8_t *)&o, &cur, 0);
        if (st == ST_OK)
            st = server_lists_get(&cur, &o);
        if (st == ST_OK && !server_sane(&o))
            st = ST_MALFORMED;
        struct server_stats *s = st == ST_OK ? ctx_server_add(ctx, &o.addr, o.port) : NULL;
        if (st == ST_OK && s == NULL)
            st = ST_NOMEM;
        /* a server listed twice is malformed: the first stays */
        if (st == ST_OK && (s->tls_seen != 0 || s->ok != 0 || s->failed != 0 || s->refused != 0))
            st = ST_MALFORMED;
        if (st != ST_OK) {
            server_lists_free(&o);
            return st;
        }
        server_lists_free(s);
        *s = o;
    }
    return cur_end(&cur);
}
