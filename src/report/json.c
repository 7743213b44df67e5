/* json.c: JSON Lines, schema version 1 (docs/schema). One object per
 * line; every string from the capture goes through json_string. */
#include <string.h>
#include <stdlib.h>
#include "util/names.h"
#include "rules/diagnosis.h"
#include "util/escape.h"
#include "util/registry.h"
#include "report/report.h"
#include "report/reporter.h"
#include "rules/verdict.h"
#include "quic/facts.h"
#include "quic/frames.h"
#include "quic/version.h"
#include "report/facts_codec.h"
#include "util/base64.h"

static void key(FILE *f, const char *k, bool *first)
{
    if (!*first)
        fputc(',', f);
    *first = false;
    fputc('"', f);
    fputs(k, f);
    fputs("\":", f);
}

/* An unsigned number, without a format string parsed per call (this runs
 * several times per connection). */
static void unum(FILE *f, unsigned long long v)
{
    char buf[20];
    size_t n = sizeof buf;
    do
        buf[--n] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    fwrite(buf + n, 1, sizeof buf - n, f);
}

static void u16_names(FILE *f, const uint16_t *v, size_t n, const char *(*name)(uint16_t))
{
    char buf[16];
    fputc('[', f);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputc(',', f);
        json_cstr(f, reg_format_u16(name, v[i], buf, sizeof buf));
    }
    fputc(']', f);
}

static const char *version_name_u16(uint16_t v) { return reg_version_name(v); }

static void endpoint(FILE *f, const struct addr *a, uint16_t port)
{
    char buf[64];
    addr_format(a, port, buf, sizeof buf);
    json_cstr(f, buf);
}

/* HPKE KDF and AEAD ids (RFC 9180 7.2, 7.3) */
static const char *const hpke_kdf_names[] = {
    [1] = "HKDF-SHA256", [2] = "HKDF-SHA384", [3] = "HKDF-SHA512"};
static const char *const hpke_aead_names[] = {
    [1] = "AES-128-GCM", [2] = "AES-256-GCM", [3] = "ChaCha20Poly1305"};

static void hpke_name(FILE *f, const char *const *names, size_t n, uint16_t id)
{
    char hex[8];
    if (id < n && names[id] != NULL) {
        json_cstr(f, names[id]);
        return;
    }
    snprintf(hex, sizeof hex, "0x%04x", id);
    json_cstr(f, hex);
}

/* "ech": the encrypted_client_hello offer and what became of it */
static void ech_fields(FILE *f, const struct conn *c)
{
    const struct ech_offer *o = &c->ch->ech;
    const struct server_hello *sh = &c->sh;
    if (!o->present) {
        fputs("null", f);
        return;
    }
    fprintf(f, "{\"type\":\"%s\"", o->type == 0 ? "outer" : o->type == 1 ? "inner" : "unknown");
    if (o->type == 0) {
        fputs(",\"kdf\":", f);
        hpke_name(f, hpke_kdf_names, sizeof hpke_kdf_names / sizeof hpke_kdf_names[0], o->kdf_id);
        fputs(",\"aead\":", f);
        hpke_name(f, hpke_aead_names, sizeof hpke_aead_names / sizeof hpke_aead_names[0],
                  o->aead_id);
        fprintf(f, ",\"config_id\":%u,\"enc_length\":%u,\"payload_length\":%u", o->config_id,
                o->enc_len, o->payload_len);
    }
    fputs(",\"outer_sni\":", f);
    if (c->ch->has_sni)
        json_string(f, c->ch->sni, c->ch->sni_len);
    else
        fputs("null", f);
    fputs(",\"outcome\":", f);
    json_cstr(f, ech_outcome(c));
    fputs(",\"retry_configs\":", f);
    if (sh->ech_retry) {
        fprintf(f, "{\"count\":%u,\"config_id\":", sh->ech_retry_count);
        if (sh->ech_retry_has_id)
            fprintf(f, "%u}", sh->ech_retry_config_id);
        else
            fputs("null}", f);
    } else {
        fputs("null", f);
    }
    fputc('}', f);
}

static void client_hello(FILE *f, const struct conn *c)
{
    const struct client_hello *ch = c->ch;
    bool first = true;
    if (!ch->present) {
        fputs("null", f);
        return;
    }
    fputc('{', f);
    key(f, "frame", &first);
    unum(f, (unsigned long long)ch->frame);
    key(f, "length", &first);
    unum(f, ch->length);
    key(f, "segments", &first);
    unum(f, ch->segments);
    key(f, "record_version", &first);
    json_cstr(f, name_version(ch->record_version).s);
    key(f, "sslv2_format", &first);
    fputs(ch->sslv2_format ? "true" : "false", f);
    key(f, "versions", &first);
    if (ch->versions.n > 0)
        u16_names(f, ch->versions.v, ch->versions.n, version_name_u16);
    else
        u16_names(f, &ch->legacy_version, 1, version_name_u16);
    key(f, "cipher_suites", &first);
    u16_names(f, ch->suites, ch->n_suites, reg_suite_name);
    if (ch->sslv2_format) {
        /* SSLv2-only cipher kinds of an SSLv2-format hello, by name */
        key(f, "sslv2_cipher_kinds", &first);
        fputc('[', f);
        for (uint8_t i = 0; i < ch->n_sslv2_kinds; i++) {
            const char *name = name_sslv2_cipher(ch->sslv2_kinds[i]);
            char hex[12];
            snprintf(hex, sizeof hex, "0x%06x", ch->sslv2_kinds[i]);
            if (i)
                fputc(',', f);
            json_cstr(f, name != NULL ? name : hex);
        }
        fputc(']', f);
    }
    key(f, "extensions", &first);
    u16_names(f, ch->exts, ch->n_exts, reg_extension_name);
    key(f, "sni", &first);
    if (ch->has_sni)
        json_string(f, ch->sni, ch->sni_len);
    else
        fputs("null", f);
    key(f, "alpn", &first);
    fputc('[', f);
    for (uint8_t i = 0; i < ch->n_alpn; i++) {
        if (i)
            fputc(',', f);
        json_string(f, ch->alpn[i], ch->alpn_len[i]);
    }
    fputc(']', f);
    key(f, "groups", &first);
    u16_names(f, ch->groups.v, ch->groups.n, reg_group_name);
    key(f, "signature_algorithms", &first);
    u16_names(f, ch->sigalgs.v, ch->sigalgs.n, reg_sigscheme_name);
    key(f, "key_share", &first);
    u16_names(f, ch->key_shares.v, ch->key_shares.n, reg_group_name);
    /* post-quantum hybrids are large: X25519MLKEM768 1216 bytes against 32 */
    key(f, "key_share_lengths", &first);
    fputc('[', f);
    for (uint16_t i = 0; i < ch->key_shares.n; i++)
        fprintf(f, "%s%u", i ? "," : "", ch->key_share_len[i]);
    fputc(']', f);
    key(f, "ech", &first);
    ech_fields(f, c);
    key(f, "fallback_scsv", &first);
    fputs(ch->fallback_scsv ? "true" : "false", f);
    key(f, "ja4", &first);
    json_cstr(f, ch->ja4);
    fputc('}', f);
}

static void server_hello(FILE *f, const struct conn *c)
{
    const struct server_hello *sh = &c->sh;
    bool first = true;
    char buf[16];
    if (!sh->present) {
        fputs(sh->hello_retry ? "{\"hello_retry\":true}" : "null", f);
        return;
    }
    fputc('{', f);
    key(f, "frame", &first);
    unum(f, (unsigned long long)sh->frame);
    key(f, "version", &first);
    json_cstr(f, name_version(sh->version).s);
    key(f, "cipher_suite", &first);
    if (sh->sslv2)
        fputs("null", f); /* an SSLv2 SERVER-HELLO offers a list, it does not choose */
    else
        json_cstr(f, name_suite(sh->suite).s);
    key(f, "extensions", &first);
    u16_names(f, sh->exts, sh->n_exts, reg_extension_name);
    key(f, "hello_retry", &first);
    fputs(sh->hello_retry ? "true" : "false", f);
    if (sh->hello_retry) {
        key(f, "hello_retry_frame", &first);
        unum(f, (unsigned long long)sh->hrr_frame);
    }
    if (sh->key_share_group) {
        key(f, "key_share", &first);
        json_cstr(f, reg_format_u16(reg_group_name, sh->key_share_group, buf, sizeof buf));
    }
    key(f, "resumed", &first);
    fputs(sh->resumed ? "true" : "false", f);
    fputc('}', f);
}

static void key_exchange(FILE *f, const struct key_exchange *kx)
{
    bool first = true;
    char buf[16];
    if (!kx->ske_present && !kx->cke_present) {
        fputs("null", f);
        return;
    }
    fputc('{', f);
    if (kx->dhe) {
        key(f, "dh_p_bits", &first);
        unum(f, kx->dh_p_len * 8u);
        key(f, "dh_ys_length", &first);
        unum(f, kx->dh_ys_len);
        key(f, "dh_ys_leading_zero", &first);
        fputs(kx->dh_ys_leading_zero ? "true" : "false", f);
    }
    if (kx->ecdhe) {
        key(f, "group", &first);
        json_cstr(f, reg_format_u16(reg_group_name, kx->ec_group, buf, sizeof buf));
    }
    if (kx->cke_present) {
        key(f, "client_public_length", &first);
        unum(f, kx->cke_len);
        if (kx->dhe) {
            key(f, "dh_yc_leading_zero", &first);
            fputs(kx->dh_yc_leading_zero ? "true" : "false", f);
        }
    }
    fputc('}', f);
}

static void messages(FILE *f, const struct conn *c)
{
    bool any = false;
    fputc('[', f);
    for (uint16_t i = 0; i < c->n_messages; i++) {
        const struct message *m = &c->messages[i];
        /* the schema lists handshake messages seen in clear */
        if (m->encrypted || (m->type >= 256 && m->type != MSG_SSLV2_CLIENT_HELLO &&
                             m->type != MSG_SSLV2_SERVER_HELLO &&
                             m->type != MSG_SSLV2_CLIENT_MASTER_KEY))
            continue;
        fputs(any ? ",{\"frame\":" : "{\"frame\":", f);
        unum(f, m->frame);
        fputs(",\"from\":\"", f);
        fputs(side_name(m->from), f);
        fputs("\",\"type\":", f);
        json_cstr(f, report_message_name(c, m));
        fputs(m->decrypted ? ",\"decrypted\":true}" : "}", f);
        any = true;
    }
    fputc(']', f);
}

static void alerts(FILE *f, const struct conn *c)
{
    fputc('[', f);
    for (uint16_t i = 0; i < c->n_alerts; i++) {
        const struct alert *a = &c->alerts[i];
        fprintf(f, "%s{\"frame\":%llu,\"from\":\"%s\",", i ? "," : "",
                (unsigned long long)a->frame, side_name(a->from));
        if (a->encrypted) {
            fprintf(f, "\"level\":\"encrypted\",\"description\":null,\"record_length\":%u}",
                    a->record_len);
            continue;
        }
        const char *level = a->level == 1 ? "warning" : a->level == 2 ? "fatal" : NULL;
        char buf[16];
        fputs("\"level\":", f);
        if (level)
            fprintf(f, "\"%s\"", level);
        else
            fprintf(f, "\"%u\"", a->level);
        fputs(",\"description\":", f);
        const char *d = reg_alert_name(a->description);
        if (d == NULL) {
            snprintf(buf, sizeof buf, "%u", a->description);
            d = buf;
        }
        json_cstr(f, d);
        fputs(a->decrypted ? ",\"decrypted\":true}" : "}", f);
    }
    fputc(']', f);
}

/* --keylog: how decryption went each way; only when it was tried. */
static void decryption(FILE *f, const struct conn *c)
{
    static const char *const names[] = {"none", "no_keys", "unsupported_suite", "ok", "failed",
                                        "interrupted", "forward_secret"};
    const struct side_facts *cl = &c->side[SIDE_CLIENT], *sv = &c->side[SIDE_SERVER];
    if (cl->decrypt == DECRYPT_NONE && sv->decrypt == DECRYPT_NONE)
        return;
    fputs(",\"decryption\":{", f);
    for (int s = 0; s < 2; s++) {
        const struct side_facts *sf = &c->side[s];
        uint8_t st = sf->decrypt < sizeof names / sizeof names[0] ? sf->decrypt : 0;
        fprintf(f, "%s\"%s\":{\"status\":\"%s\",\"records\":%u", s ? "," : "",
                side_name((enum side)s), names[st], sf->decrypted_records);
        if (sf->decrypt_stop_frame != 0)
            fprintf(f, ",\"stop_frame\":%llu", (unsigned long long)sf->decrypt_stop_frame);
        /* RFC 5246 7.4.9: the decrypted Finished checked with the key log */
        if (sf->finished_check != FINISHED_UNCHECKED)
            fprintf(f, ",\"finished\":{\"frame\":%llu,\"verify_data\":\"%s\"}",
                    (unsigned long long)sf->finished_frame,
                    sf->finished_check == FINISHED_VERIFIED ? "verified" : "mismatch");
        /* the first bytes of decrypted application data (an HTTP status line,
         * the HTTP/2 preface), escaped: they are the peer's bytes */
        if (sf->app_plain_frame != 0) {
            fprintf(f, ",\"first_data\":{\"frame\":%llu,\"bytes\":",
                    (unsigned long long)sf->app_plain_frame);
            json_string(f, (const char *)sf->app_plain, sf->app_plain_len);
            fputc('}', f);
        }
        fputc('}', f);
    }
    fputc('}', f);
}

/* The last message (or record) each close came after. */
static const char *close_after(const struct conn *c, uint64_t frame)
{
    const char *after = c->saw_synack ? "SYN-ACK" : c->saw_syn ? "SYN" : NULL;
    for (uint16_t i = 0; i < c->n_messages; i++)
        if (c->messages[i].frame <= frame)
            after = report_message_name(c, &c->messages[i]);
    return after;
}

static void close_info(FILE *f, const struct conn *c)
{
    enum side by;
    bool rst;
    uint64_t frame;
    if (!conn_first_close(c, &by, &rst, &frame, NULL)) {
        fputs("null", f);
        return;
    }
    fprintf(f, "{\"by\":\"%s\",\"how\":\"%s\",\"frame\":%llu,\"after\":", side_name(by),
            rst ? "rst" : "fin", (unsigned long long)frame);
    json_cstr(f, close_after(c, frame));
    fputc('}', f);
}

/* One weighed fact: {"frame":12,"weight":-9,"refutes":true,"source":"server",
 * "fact":"...","reference":"RFC 8446 9.1"}. */
static void reason(FILE *f, const struct reason *r)
{
    fprintf(f, "{\"frame\":%llu,\"weight\":%d,\"refutes\":%s,\"source\":\"%s\",\"fact\":",
            (unsigned long long)r->frame, r->weight, r->refutes ? "true" : "false",
            evidence_source_name(r->source));
    json_cstr(f, r->fact);
    fputs(",\"reference\":", f);
    if (r->ref != NULL)
        json_cstr(f, r->ref);
    else
        fputs("null", f);
    fputc('}', f);
}

static void finding(FILE *f, const struct finding *x)
{
    fputs("{\"id\":", f);
    json_cstr(f, x->id);
    fputs(",\"title\":", f);
    json_cstr(f, x->title);
    fprintf(f, ",\"confidence\":\"%s\",\"explanation\":", confidence_name(x->confidence));
    json_cstr(f, x->explanation);
    fputs(",\"evidence\":[", f);
    for (size_t i = 0; i < x->n_evidence; i++) {
        fprintf(f, "%s{\"frame\":%llu,\"text\":", i ? "," : "",
                (unsigned long long)x->evidence[i].frame);
        json_cstr(f, x->evidence[i].text);
        fputc('}', f);
    }
    fputs("],\"reasoning\":[", f);
    for (size_t i = 0; i < x->n_reasons; i++) {
        if (i)
            fputc(',', f);
        reason(f, &x->reasons[i]);
    }
    fputs("],\"fix\":", f);
    json_cstr(f, x->fix);
    if (x->refs) {
        fputs(",\"references\":", f);
        json_cstr(f, x->refs);
    }
    fputc('}', f);
}

static void tcp_facts(FILE *f, const struct conn *c)
{
    const struct side_facts *cl = &c->side[SIDE_CLIENT], *sv = &c->side[SIDE_SERVER];
    /* one number per field: no format string parsed per connection */
    const struct {
        const char *key;
        unsigned long long v;
    } nums[] = {
        {"{\"syn_frame\":", cl->syn_frame},
        {",\"syn_count\":", cl->syn_count},
        {",\"synack_frame\":", c->synack_frame},
    };
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        fputs(nums[i].key, f);
        unum(f, nums[i].v);
    }
    fputs(c->mid_stream ? ",\"mid_stream\":true" : ",\"mid_stream\":false", f);
    const struct {
        const char *key;
        unsigned long long v;
    } more[] = {
        {",\"gaps\":", (unsigned)(cl->gaps + sv->gaps)},
        {",\"gap_bytes\":", (unsigned long long)(cl->gap_bytes + sv->gap_bytes)},
        {",\"cut_segments\":", (unsigned)(cl->cut_segments + sv->cut_segments)},
        {",\"client_bytes\":", cl->bytes},
        {",\"server_bytes\":", sv->bytes},
    };
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++) {
        fputs(more[i].key, f);
        unum(f, more[i].v);
    }
    fputc('}', f);
}

/* Bytes that broke the grammar, per side: where each side stopped being parsed. */
static void malformed(FILE *f, const struct conn *c)
{
    fputc('{', f);
    for (int s = 0; s < 2; s++) {
        const struct side_facts *sf = &c->side[s];
        fprintf(f, "%s\"%s\":", s ? "," : "", side_name((enum side)s));
        if (sf->malformed)
            json_cstr(f, sf->malformed_what);
        else
            fputs("null", f);
    }
    fputc('}', f);
}

/* A frame number, or null for none (0). */
static void frame_or_null(FILE *f, uint64_t frame)
{
    if (frame != 0)
        fprintf(f, "%llu", (unsigned long long)frame);
    else
        fputs("null", f);
}

/* The first Retry's token, the client's Initial that carried it back, and a
 * Retry after that (the token not accepted). */
static void retry_token_fields(FILE *f, const struct quic_facts *q)
{
    fprintf(f, ",\"retry_token\":{\"retry_frame\":%llu,\"length\":%u,\"client_frame\":",
            (unsigned long long)q->retry_frame, q->retry_token_len);
    frame_or_null(f, q->token_frame);
    fprintf(f, ",\"client_length\":%u,\"again_frame\":", q->token_len);
    frame_or_null(f, q->retry_again_frame);
    fputc('}', f);
}

/* What the QUIC packets showed (schema: "quic":{...}, beside "transport":"quic"). */
static void quic_fields(FILE *f, const struct quic_facts *q)
{
    char v[24];
    fputs(",\"quic\":{\"version\":", f);
    quic_version_name(q->version, v, sizeof v);
    json_cstr(f, v);
    fputs(",\"server_version\":", f);
    quic_version_name(q->server_version, v, sizeof v);
    if (q->server_version != 0)
        json_cstr(f, v);
    else
        fputs("null", f);
    fprintf(f, ",\"initials\":{\"client\":%u,\"server\":%u},\"retry\":%s,\"retries\":%u",
            q->initials[SIDE_CLIENT], q->initials[SIDE_SERVER], q->retry ? "true" : "false",
            q->retries);
    if (q->amplification_limited && q->handshake[SIDE_CLIENT] == 0 && !q->retry)
        fprintf(f, ",\"amplification_limit\":{\"frame\":%llu,\"client_bytes\":%llu,"
                   "\"server_bytes\":%llu}",
                (unsigned long long)q->amplification_frame,
                (unsigned long long)q->unvalidated_bytes[SIDE_CLIENT],
                (unsigned long long)q->unvalidated_bytes[SIDE_SERVER]);
    if (q->retry)
        retry_token_fields(f, q);
    if (quic_amplification_stalled(q))
        fprintf(f, ",\"amplification_stall\":{\"server_frame\":%llu,\"client_bytes\":%llu,"
                   "\"server_bytes\":%llu,\"unanswered\":%u,\"unanswered_frame\":%llu,"
                   "\"quiet_ms\":%.3f}",
                (unsigned long long)q->last_frame[SIDE_SERVER],
                (unsigned long long)q->bytes_at_server_last[SIDE_CLIENT],
                (unsigned long long)q->bytes_at_server_last[SIDE_SERVER], q->unanswered,
                (unsigned long long)q->unanswered_frame,
                tstamp_ms_between(q->last_ts[SIDE_SERVER], q->last_ts[SIDE_CLIENT]));
    if (q->icmp_unreachable != 0)
        fprintf(f, ",\"icmp_unreachable\":{\"frame\":%llu,\"count\":%u,\"type\":%u,\"code\":%u,"
                   "\"from_server\":%s}",
                (unsigned long long)q->icmp_frame, q->icmp_unreachable, q->icmp_type,
                q->icmp_code, q->icmp_from_server ? "true" : "false");
    if (q->fallback_conn != 0)
        fprintf(f, ",\"tcp_fallback\":{\"conn\":%u,\"frame\":%llu,\"after_ms\":%.3f,\"tls_ok\":%s}",
                q->fallback_conn, (unsigned long long)q->fallback_frame,
                tstamp_ms_between(q->first_ts[SIDE_CLIENT], q->fallback_ts),
                q->fallback_ok ? "true" : "false");
    fputs(",\"version_negotiation\":", f);
    if (q->version_negotiation) {
        fprintf(f, "{\"frame\":%llu,\"versions\":[", (unsigned long long)q->vn_frame);
        for (uint8_t i = 0; i < q->n_vn_versions; i++) {
            quic_version_name(q->vn_versions[i], v, sizeof v);
            if (i)
                fputc(',', f);
            json_cstr(f, v);
        }
        fputc(']', f);
        if (q->vn_retry_conn != 0) {
            quic_version_name(q->vn_retry_version, v, sizeof v);
            fprintf(f, ",\"client_retried\":{\"conn\":%u,\"version\":", q->vn_retry_conn);
            json_cstr(f, v);
            fputc('}', f);
        }
        fputc('}', f);
    } else {
        fputs("null", f);
    }
    fputs(",\"connection_close\":", f);
    const struct quic_close_facts *cf = &q->close;
    if (cf->present) {
        const char *name = cf->application ? NULL : quic_transport_error_name(cf->code);
        fprintf(f, "{\"frame\":%llu,\"from\":\"%s\",\"application\":%s,\"code\":%llu,\"name\":",
                (unsigned long long)cf->frame, side_name(cf->from),
                cf->application ? "true" : "false", (unsigned long long)cf->code);
        if (!cf->application && cf->code >= QUIC_CRYPTO_ERROR_BASE &&
            cf->code <= QUIC_CRYPTO_ERROR_LAST)
            json_cstr(f, "CRYPTO_ERROR");
        else if (name != NULL)
            json_cstr(f, name);
        else
            fputs("null", f);
        fputs(",\"reason\":", f);
        json_string(f, cf->reason, cf->reason_len);
        fputc('}', f);
    } else {
        fputs("null", f);
    }
    fputc('}', f);
}

void report_json_connection(FILE *f, const char *file, const struct conn *c,
                            struct cert_cache *certs)
{
    char buf[64];
    const struct diagnosis *d = c->diagnosis;
    fputs("{\"type\":\"connection\",\"file\":", f);
    json_cstr(f, file);
    fprintf(f, ",\"conn\":%u,\"client\":", c->id);
    endpoint(f, &c->client, c->client_port);
    fputs(",\"server\":", f);
    endpoint(f, &c->server, c->server_port);
    fprintf(f, ",\"first_frame\":%llu,\"last_frame\":%llu,\"start\":",
            (unsigned long long)c->first_frame, (unsigned long long)c->last_frame);
    json_cstr(f, tstamp_iso(c->start).s);
    /* every connection says what carried it: a QUIC one also gets its "quic" block below */
    fprintf(f, ",\"duration_ms\":%.3f,\"transport\":\"%s\",\"verdict\":\"%s\"",
            tstamp_ms_between(c->start, c->end), c->quic != NULL ? "quic" : "tcp",
            verdict_name((enum verdict)c->verdict));
    if (c->verdict == VERDICT_INCOMPLETE) {
        fputs(",\"incomplete_reason\":", f);
        json_cstr(f, c->incomplete_why);
    }
    if (c->quic != NULL)
        quic_fields(f, c->quic);
    fputs(",\"version\":", f);
    if (c->sh.present)
        json_cstr(f, name_version(c->sh.version).s);
    else
        fputs("null", f);
    fputs(",\"cipher_suite\":", f);
    if (c->sh.present && !c->sh.sslv2) {
        json_cstr(f, name_suite(c->sh.suite).s);
    } else if (c->sh.sslv2 && c->sh.sslv2_cipher) {
        /* an SSLv2 cipher kind has no IANA name: its 3-byte code */
        snprintf(buf, sizeof buf, "0x%06x", c->sh.sslv2_cipher);
        json_cstr(f, buf);
    } else {
        fputs("null", f);
    }
    fputs(",\"sni\":", f);
    if (c->ch->has_sni)
        json_string(f, c->ch->sni, c->ch->sni_len);
    else
        fputs("null", f);
    fputs(",\"alpn\":", f);
    if (c->sh.has_alpn)
        json_string(f, c->sh.alpn, c->sh.alpn_len);
    else
        fputs("null", f);
    fputs(",\"application_protocol\":", f);
    if (c->app_protocol[0])
        json_cstr(f, c->app_protocol);
    else
        fputs("null", f);
    fputs(",\"client_hello\":", f);
    client_hello(f, c);
    fputs(",\"server_hello\":", f);
    server_hello(f, c);
    fputs(",\"key_exchange\":", f);
    key_exchange(f, &c->kx);
    fputs(",\"messages\":", f);
    messages(f, c);
    fputs(",\"certificates\":", f);
    report_json_certificates(f, c, certs);
    fputs(",\"certificate_checks\":", f);
    report_json_chain_checks(f, c);
    fputs(",\"alerts\":", f);
    alerts(f, c);
    decryption(f, c);
    fputs(",\"close\":", f);
    close_info(f, c);
    fputs(",\"tcp\":", f);
    tcp_facts(f, c);
    fputs(",\"malformed\":", f);
    malformed(f, c);
    fputs(",\"diagnosis\":", f);
    if (d != NULL && d->main.id != NULL)
        finding(f, &d->main);
    else
        fputs("null", f);
    fputs(",\"alternatives\":[", f);
    for (size_t i = 0; d != NULL && i < d->n_alternatives; i++) {
        if (i)
            fputc(',', f);
        finding(f, &d->alternatives[i]);
    }
    fputs("],\"ruled_out\":[", f);
    for (size_t i = 0; d != NULL && i < d->n_ruled_out; i++) {
        fprintf(f, "%s{\"id\":", i ? "," : "");
        json_cstr(f, d->ruled_out[i].id);
        fputs(",\"because\":", f);
        reason(f, &d->ruled_out[i].why);
        fputc('}', f);
    }
    fputs("],\"warnings\":[", f);
    for (size_t i = 0; d != NULL && i < d->n_warnings; i++) {
        if (i)
            fputc(',', f);
        json_cstr(f, d->warnings[i]);
    }
    fputs("]}\n", f);
}

void report_json_summary_line(FILE *f, const struct file_facts *ff)
{
    const struct file_counts *k = &ff->k;
    fputs("{\"type\":\"summary\",\"file\":", f);
    json_cstr(f, ff->path);
    fprintf(f,
            ",\"frames\":%llu,\"connections\":%zu,\"tls\":%zu,\"ok\":%zu,\"failed\":%zu,"
            "\"incomplete\":%zu,\"not_tls\":%zu,\"causes\":{",
            (unsigned long long)ff->frames, k->connections, k->tls, k->ok, k->failed,
            k->incomplete, k->not_tls);
    /* causes, in order of first appearance */
    for (size_t j = 0; j < ff->n_causes; j++)
        fprintf(f, "%s\"%s\":%zu", j ? "," : "", ff->causes[j].id, ff->causes[j].count);
    fputc('}', f);
    if (ff->error[0]) {
        fputs(",\"error\":", f);
        json_cstr(f, ff->error);
    }
    if (ff->dropped_conns)
        fprintf(f, ",\"dropped_connections\":%llu,\"max_connections\":%zu,"
                   "\"limit_option\":\"--max-connections\"",
                (unsigned long long)ff->dropped_conns, ff->max_conns);
    if (ff->keys.given)
        fprintf(f, ",\"keylog\":{\"tls\":%zu,\"covered\":%zu,\"verified\":%zu,"
                   "\"wrong_keys\":%zu,\"no_keys\":%zu,\"forward_secret\":%zu,"
                   "\"unsupported_suite\":%zu}",
                ff->keys.tls, ff->keys.covered, ff->keys.verified, ff->keys.wrong,
                ff->keys.missing, ff->keys.forward_secret, ff->keys.unsupported);
    /* beside it, only when some of the capture's secrets came too late */
    if (ff->keys.given && ff->keys.late > 0)
        fprintf(f, ",\"keylog_late\":%zu", ff->keys.late);
    fputs("}\n", f);
}

void report_json_error(FILE *f, const char *file, const char *message)
{
    fputs("{\"type\":\"error\",\"file\":", f);
    json_cstr(f, file);
    fputs(",\"error\":", f);
    json_cstr(f, message);
    fputs("}\n", f);
}

/* An input, or a member of an archive, that was not read, and why. */
void report_json_skipped(FILE *f, const char *file, const char *reason)
{
    fputs("{\"type\":\"skipped\",\"file\":", f);
    json_cstr(f, file);
    fputs(",\"reason\":", f);
    json_cstr(f, reason);
    fputs("}\n", f);
}

/* ---- the reporter (reporter.h): one line per TLS connection, then the
 * file's summary line, or an error line for a file that cannot be read */

/* JSON keeps only its copy of the options between calls. */
static void *json_open(const struct report_opts *o, const char *dest)
{
    (void)dest;
    struct report_opts *self = malloc(sizeof *self);
    if (self != NULL)
        *self = *o;
    return self;
}

static void json_begin_file(void *self, FILE *out, const struct file_facts *f)
{
    (void)self;
    (void)out;
    (void)f;
}

/* --facts: bytes for --merge --context batch, as records of their own. A
 * record without data tells --merge the facts are missing, and why. */
static void facts_data(FILE *out, enum status st, const struct capbuf *b)
{
    if (st == ST_OK) {
        fputs(",\"data\":\"", out);
        base64_write(out, b->p, b->len);
        fputs("\"}\n", out);
    } else {
        fprintf(out, ",\"error\":\"%s\"}\n", status_name(st));
    }
}

/* Every connection has one, printed or not. */
static void facts_of_connection(FILE *out, const char *file, const struct conn *c)
{
    struct capbuf b;
    capbuf_init(&b, FACTS_MAX_BYTES);
    enum status st = facts_encode_conn(c, &b);
    fputs("{\"type\":\"facts\",\"file\":", out);
    json_cstr(out, file);
    fprintf(out, ",\"conn\":%u", c->id);
    facts_data(out, st, &b);
    capbuf_free(&b);
}

static void facts_of_capture(FILE *out, const struct file_facts *ff)
{
    struct capbuf b;
    capbuf_init(&b, FACTS_MAX_BYTES);
    enum status st = facts_encode_ctx(ff->ctx, &b);
    fputs("{\"type\":\"context\",\"file\":", out);
    json_cstr(out, ff->path);
    fprintf(out, ",\"cut_frames\":%llu,\"snaplen\":%u", (unsigned long long)ff->cut_frames,
            ff->snaplen);
    facts_data(out, st, &b);
    capbuf_free(&b);
}

static void json_connection(void *self, FILE *out, const char *file, const struct conn *c)
{
    const struct report_opts *o = self;
    if (report_is_tls_attempt(c))
        report_json_connection(out, file, c, o->certs);
    if (o->facts)
        facts_of_connection(out, file, c);
}

static void json_end_file(void *self, FILE *out, const struct file_facts *f)
{
    const struct report_opts *o = self;
    if (f->read_ok) {
        if (o->facts && f->ctx != NULL)
            facts_of_capture(out, f);
        report_json_summary_line(out, f);
        return;
    }
    /* a capture opened but not readable: a row of the summary table, which
     * --merge tells from an input that could not be opened at all */
    fputs("{\"type\":\"error\",\"file\":", out);
    json_cstr(out, f->path);
    fputs(",\"error\":", out);
    json_cstr(out, f->error);
    fputs(",\"unreadable_capture\":true}\n", out);
}

static int json_finish(void *self, FILE *out)
{
    (void)self;
    (void)out;
    return 0;
}

static void json_close(void *self)
{
    free(self);
}

const struct reporter_ops reporter_json = {
    .name = "json",
    .open = json_open,
    .begin_file = json_begin_file,
    .connection = json_connection,
    .end_file = json_end_file,
    .finish = json_finish,
    .close = json_close,
};
