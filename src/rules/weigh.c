/* weigh.c: evidence for and against a candidate cause, from protocol
 * knowledge and from the contrast with the server's other handshakes.
 * Each entry of the knowledge table is one fact an expert would check, with
 * its source; when it holds for a connection it adds a weighed reason to
 * the cause it speaks about, or rules that cause out. */
#include <stdio.h>
#include <string.h>
#include "util/names.h"
#include "util/registry.h"
#include "rules/rules.h"

enum { ALERT_HANDSHAKE_FAILURE = 40, ALERT_PROTOCOL_VERSION = 70,
       ALERT_UNRECOGNIZED_NAME = 112 };

#define REFUTES 100  /* weight of an entry that rules its cause out */

/* One fact: when holds() is true it wrote the fact's words and the frame
 * they rest on (0: the capture as a whole). */
struct knowledge {
    const char *cause;
    int weight;                 /* > 0 for, < 0 against, REFUTES */
    enum evidence_source source;
    const char *ref;            /* RFC or vendor source, NULL for facts of the capture */
    bool (*holds)(const struct case_facts *in, char *fact, size_t len, uint64_t *frame);
};

/* --- facts about the offer and the server ------------------------------ */

static bool refused_before_server_hello(const struct case_facts *in)
{
    return in->c->ch->present && !in->c->sh.present;
}

static bool server_alert(const struct case_facts *in, uint8_t desc)
{
    const struct alert *a = in->ending.alert;
    return a != NULL && a->from == SIDE_SERVER && a->description == desc;
}

static bool offers_tls12_or_below(const struct client_hello *ch)
{
    for (uint16_t v = 0x0300; v <= 0x0303; v++)
        if (ch_offers_version(ch, v))
            return true;
    return false;
}

static bool server_did_tls13(const struct server_stats *s)
{
    for (uint8_t i = 0; s != NULL && i < s->n_versions; i++)
        if (version_is_tls13(s->versions[i]))
            return true;
    return false;
}

/* A fact resting on a frame of the server's other handshakes: the frame to
 * cite, and, when it is in another capture of a batch, the words that name
 * it appended to the fact. */
static void cite(const struct case_facts *in, uint32_t file, uint64_t frame, char *fact,
                 size_t len, uint64_t *out)
{
    *out = ctx_frame_here(in->ctx, file, frame);
    if (*out != 0 || frame == 0)
        return;
    size_t used = strlen(fact);
    char at[160];
    ctx_frame_words(in->ctx, file, frame, at, sizeof at);
    snprintf(fact + used, len - used, " (%s)", at);
}

static bool offer_has_chosen_suite(const struct case_facts *in, char *fact, size_t len,
                                   uint64_t *frame)
{
    const struct server_stats *s = in->server;
    if (!refused_before_server_hello(in) || s == NULL)
        return false;
    for (uint8_t i = 0; i < s->n_suites; i++)
        if (ch_could_use_suite(in->c->ch, s->suites[i])) {
            char at[160];
            ctx_frame_words(in->ctx, s->suite_file[i], s->suite_frame[i], at, sizeof at);
            snprintf(fact, len, "the server chose %s for another client (%s) and this "
                                "offer holds it",
                     name_suite(s->suites[i]).s, at);
            *frame = ctx_frame_here(in->ctx, s->suite_file[i], s->suite_frame[i]);
            return true;
        }
    return false;
}

static bool offer_has_none_of_chosen(const struct case_facts *in, char *fact, size_t len,
                                     uint64_t *frame)
{
    const struct server_stats *s = in->server;
    if (!refused_before_server_hello(in) || s == NULL || s->n_suites == 0)
        return false;
    for (uint8_t i = 0; i < s->n_suites; i++)
        if (ch_offers_suite(in->c->ch, s->suites[i]))
            return false;
    snprintf(fact, len, "the server chose %s%s for other clients; this offer holds none of them",
             name_suite(s->suites[0]).s, s->n_suites > 1 ? " and others" : "");
    cite(in, s->suite_file[0], s->suite_frame[0], fact, len, frame);
    return true;
}

/* RFC 8446 9.1: a TLS 1.3 server must implement TLS_AES_128_GCM_SHA256. */
static bool tls13_mandatory_suite_offered(const struct case_facts *in, char *fact, size_t len,
                                          uint64_t *frame)
{
    const struct client_hello *ch = in->c->ch;
    if (!refused_before_server_hello(in) || !ch_offers_version(ch, 0x0304) ||
        !ch_offers_suite(ch, 0x1301))
        return false;
    bool only13 = !offers_tls12_or_below(ch);
    if (!only13 && !server_did_tls13(in->server))
        return false;
    snprintf(fact, len, "the offer holds TLS_AES_128_GCM_SHA256 for TLS 1.3, which every TLS 1.3 "
                        "server must implement%s",
             only13 ? "" : ", and the server completed TLS 1.3 with other clients");
    *frame = ch->frame;
    return true;
}

static bool narrow_suites(const struct case_facts *in, char *fact, size_t len, uint64_t *frame)
{
    size_t n = ch_real_suites(in->c->ch);
    if (!refused_before_server_hello(in) || n == 0 || n > 2)
        return false;
    snprintf(fact, len, "the offer is narrow: %zu cipher suite%s", n, n == 1 ? "" : "s");
    *frame = in->c->ch->frame;
    return true;
}

/* An offer that holds ECDHE with AES-GCM, which nearly every TLS 1.2 server
 * enables, and many other suites. */
static bool broad_suites(const struct case_facts *in, char *fact, size_t len, uint64_t *frame)
{
    const struct client_hello *ch = in->c->ch;
    size_t n = ch_real_suites(ch);
    if (!refused_before_server_hello(in) || n < 10)
        return false;
    bool common = ch_offers_suite(ch, 0xc02f) || ch_offers_suite(ch, 0xc030) ||
                  ch_offers_suite(ch, 0xc02b) || ch_offers_suite(ch, 0xc02c) ||
                  ch_offers_suite(ch, 0x1301);
    if (!common)
        return false;
    snprintf(fact, len, "the offer is broad: %zu cipher suites, including ones nearly every "
                        "server enables",
             n);
    *frame = ch->frame;
    return true;
}

static bool server_did_forward_secrecy(const struct case_facts *in, char *fact, size_t len,
                                       uint64_t *frame)
{
    const struct server_stats *s = in->server;
    if (!refused_before_server_hello(in) || s == NULL || s->ok_forward_secret == 0)
        return false;
    for (uint8_t i = 0; i < s->n_suites; i++) {
        const struct reg_suite *r = reg_suite(s->suites[i]);
        if (r != NULL && r->forward_secret) {
            char at[160];
            ctx_frame_words(in->ctx, s->suite_file[i], s->suite_frame[i], at, sizeof at);
            snprintf(fact, len, "the server completed %u handshake%s with forward-secret suites "
                                "(%s, %s)",
                     s->ok_forward_secret, s->ok_forward_secret == 1 ? "" : "s",
                     name_suite(s->suites[i]).s, at);
            *frame = ctx_frame_here(in->ctx, s->suite_file[i], s->suite_frame[i]);
            return true;
        }
    }
    return false;
}

static bool server_only_rsa_kx(const struct case_facts *in, char *fact, size_t len,
                               uint64_t *frame)
{
    const struct server_stats *s = in->server;
    if (!refused_before_server_hello(in) || s == NULL || s->ok_not_forward_secret == 0 ||
        s->ok_forward_secret > 0 || s->n_suites == 0)
        return false;
    snprintf(fact, len, "the server completed %u handshake%s, all without forward secrecy (%s)",
             s->ok, s->ok == 1 ? "" : "s", name_suite(s->suites[0]).s);
    cite(in, s->suite_file[0], s->suite_frame[0], fact, len, frame);
    return true;
}

static bool narrow_without_context(const struct case_facts *in, char *fact, size_t len,
                                   uint64_t *frame)
{
    const struct server_stats *s = in->server;
    if (s != NULL && s->ok > 0)
        return false;
    if (!narrow_suites(in, fact, len, frame))
        return false;
    snprintf(fact + strlen(fact), len - strlen(fact),
             ", and no other handshake shows what the server accepts: no common suite is the "
             "simpler explanation (DHE and ECDHE are both forward-secret)");
    return true;
}

/* Versions this offer holds that the server completed with others. */
static bool server_completed_offered_version(const struct case_facts *in, char *fact, size_t len,
                                             uint64_t *frame)
{
    const struct server_stats *s = in->server;
    if (!refused_before_server_hello(in) || s == NULL || server_alert(in, ALERT_PROTOCOL_VERSION))
        return false;
    for (uint8_t i = 0; i < s->n_versions; i++)
        if (ch_offers_version(in->c->ch, s->versions[i])) {
            char at[160];
            ctx_frame_words(in->ctx, s->version_file[i], s->version_frame[i], at, sizeof at);
            snprintf(fact, len, "the server completed %s with other clients (%s), a "
                                "version this offer holds",
                     name_version(s->versions[i]).s, at);
            *frame = ctx_frame_here(in->ctx, s->version_file[i], s->version_frame[i]);
            return true;
        }
    return false;
}

static bool alert_protocol_version(const struct case_facts *in, char *fact, size_t len,
                                   uint64_t *frame)
{
    if (!server_alert(in, ALERT_PROTOCOL_VERSION))
        return false;
    snprintf(fact, len, "the server's alert is protocol_version: it supports no version the "
                        "client offers");
    *frame = in->ending.alert->frame;
    return true;
}

/* RFC 7568: SSL 3.0 must not be used; current servers refuse it whatever alert
 * they send (OpenSSL answers handshake_failure in an SSL 3.0 record). */
static bool ssl3_only_offer(const struct case_facts *in, char *fact, size_t len,
                            uint64_t *frame)
{
    const struct client_hello *ch = in->c->ch;
    if (!refused_before_server_hello(in) || ch_max_version(ch) > 0x0300)
        return false;
    snprintf(fact, len, "the client offers nothing above SSL 3.0, which current servers refuse");
    *frame = ch->frame;
    return true;
}

static bool server_completed_only_higher(const struct case_facts *in, char *fact, size_t len,
                                         uint64_t *frame)
{
    const struct server_stats *s = in->server;
    uint16_t max = ch_max_version(in->c->ch);
    if (!refused_before_server_hello(in) || s == NULL || s->n_versions == 0)
        return false;
    for (uint8_t i = 0; i < s->n_versions; i++)
        if (s->versions[i] <= max)
            return false;
    snprintf(fact, len, "the server completed only %s%s with other clients, above this offer's "
                        "%s",
             name_version(s->versions[0]).s, s->n_versions > 1 ? " and higher" : "",
             name_version(max).s);
    cite(in, s->version_file[0], s->version_frame[0], fact, len, frame);
    return true;
}

static bool tls13_only_to_tls12_server(const struct case_facts *in, char *fact, size_t len,
                                       uint64_t *frame)
{
    const struct server_stats *s = in->server;
    const struct client_hello *ch = in->c->ch;
    if (!refused_before_server_hello(in) || s == NULL || s->n_versions == 0 ||
        offers_tls12_or_below(ch) || !ch_offers_version(ch, 0x0304) || server_did_tls13(s))
        return false;
    snprintf(fact, len, "the client offers only TLS 1.3 and the server completed only %s with "
                        "other clients",
             name_version(s->versions[0]).s);
    cite(in, s->version_file[0], s->version_frame[0], fact, len, frame);
    return true;
}

static bool offer_has_used_group(const struct case_facts *in, char *fact, size_t len,
                                 uint64_t *frame)
{
    const struct server_stats *s = in->server;
    if (!refused_before_server_hello(in) || s == NULL)
        return false;
    for (uint8_t i = 0; i < s->n_groups; i++)
        if (ch_offers_group(in->c->ch, s->groups[i])) {
            char buf[16], at[160];
            ctx_frame_words(in->ctx, s->group_file[i], s->group_frame[i], at, sizeof at);
            snprintf(fact, len, "the server used %s with another client (%s) and this "
                                "offer holds it",
                     reg_format_u16(reg_group_name, s->groups[i], buf, sizeof buf), at);
            *frame = ctx_frame_here(in->ctx, s->group_file[i], s->group_frame[i]);
            return true;
        }
    return false;
}

static bool offer_lacks_used_groups(const struct case_facts *in, char *fact, size_t len,
                                    uint64_t *frame)
{
    const struct server_stats *s = in->server;
    if (!refused_before_server_hello(in) || s == NULL || s->n_groups == 0 ||
        in->c->ch->groups.total == 0)
        return false;
    for (uint8_t i = 0; i < s->n_groups; i++)
        if (ch_offers_group(in->c->ch, s->groups[i]))
            return false;
    char buf[16], at[160];
    ctx_frame_words(in->ctx, s->group_file[0], s->group_frame[0], at, sizeof at);
    snprintf(fact, len, "the server used %s%s with other clients (%s); this offer holds "
                        "none of them",
             reg_format_u16(reg_group_name, s->groups[0], buf, sizeof buf),
             s->n_groups > 1 ? " and others" : "", at);
    *frame = ctx_frame_here(in->ctx, s->group_file[0], s->group_frame[0]);
    return true;
}

/* Groups matter only to ECDHE suites and TLS 1.3 (RFC 8422 5.1, RFC 8446
 * 4.2.7), and to DHE with RFC 7919 groups. */
static bool groups_unused(const struct case_facts *in, char *fact, size_t len, uint64_t *frame)
{
    const struct client_hello *ch = in->c->ch;
    if (!refused_before_server_hello(in) || ch_offers_version(ch, 0x0304))
        return false;
    for (uint16_t i = 0; i < ch->n_suites; i++) {
        const struct reg_suite *r = reg_suite(ch->suites[i]);
        if (r != NULL && (r->kx == REG_KX_ECDHE || r->kx == REG_KX_ECDHE_PSK ||
                          r->kx == REG_KX_ECDH || r->kx == REG_KX_DHE))
            return false;
    }
    snprintf(fact, len, "the offer has no ECDHE or DHE suite and no TLS 1.3, so no group is "
                        "negotiated");
    *frame = ch->frame;
    return true;
}

static bool tls13_offer_lacks_p256(const struct case_facts *in, char *fact, size_t len,
                                   uint64_t *frame)
{
    const struct client_hello *ch = in->c->ch;
    if (!refused_before_server_hello(in) || !ch_offers_version(ch, 0x0304) ||
        ch->groups.total == 0 || ch_offers_group(ch, 0x0017))
        return false;
    snprintf(fact, len, "the offer lacks secp256r1, the one group every TLS 1.3 server must "
                        "support");
    *frame = ch->frame;
    return true;
}

static bool single_group(const struct case_facts *in, char *fact, size_t len, uint64_t *frame)
{
    const struct client_hello *ch = in->c->ch;
    size_t n = 0;
    for (uint16_t i = 0; i < ch->groups.n; i++)
        n += !reg_is_grease(ch->groups.v[i]);
    if (!refused_before_server_hello(in) || n != 1)
        return false;
    snprintf(fact, len, "the offer names a single key-exchange group");
    *frame = ch->frame;
    return true;
}

static bool rsa_certificate_seen(const struct server_stats *s)
{
    return s != NULL && strncmp(s->cert_key, "RSA", 3) == 0;
}

/* RFC 8446 4.2.3 and 4.4.3: in TLS 1.3 an RSA key signs CertificateVerify
 * with RSA-PSS only; rsa_pkcs1_* are for signatures in certificates. */
static bool tls13_rsa_without_pss(const struct case_facts *in, char *fact, size_t len,
                                  uint64_t *frame)
{
    const struct client_hello *ch = in->c->ch;
    if (!refused_before_server_hello(in) ||
        !(hello_features(ch) & (1u << FEAT_NO_RSA_PSS)))
        return false;
    if (offers_tls12_or_below(ch) && !server_did_tls13(in->server))
        return false;
    if (!rsa_certificate_seen(in->server))
        return false;
    char at[160];
    ctx_frame_words(in->ctx, in->server->cert_file, in->server->cert_frame, at, sizeof at);
    snprintf(fact, len, "the server's certificate has an RSA key (%s), which signs in "
                        "TLS 1.3 only with RSA-PSS, and this offer has no rsa_pss_* scheme",
             at);
    *frame = ctx_frame_here(in->ctx, in->server->cert_file, in->server->cert_frame);
    return true;
}

static bool tls13_without_pss(const struct case_facts *in, char *fact, size_t len,
                              uint64_t *frame)
{
    const struct client_hello *ch = in->c->ch;
    if (!refused_before_server_hello(in) || rsa_certificate_seen(in->server) ||
        !(hello_features(ch) & (1u << FEAT_NO_RSA_PSS)) ||
        (offers_tls12_or_below(ch) && !server_did_tls13(in->server)))
        return false;
    snprintf(fact, len, "a TLS 1.3 offer without any rsa_pss_* scheme: a server with an RSA key "
                        "cannot sign its CertificateVerify");
    *frame = ch->frame;
    return true;
}

static bool ecdsa_only_vs_rsa_certificate(const struct case_facts *in, char *fact, size_t len,
                                          uint64_t *frame)
{
    const struct client_hello *ch = in->c->ch;
    if (!refused_before_server_hello(in) || !rsa_certificate_seen(in->server) ||
        ch->sigalgs.n == 0)
        return false;
    for (uint16_t i = 0; i < ch->sigalgs.n; i++) {
        uint16_t v = ch->sigalgs.v[i];
        if (!reg_is_grease(v) && (v & 0xff) != 3) /* 0x0403, 0x0503, 0x0603: ECDSA */
            return false;
    }
    char at[160];
    ctx_frame_words(in->ctx, in->server->cert_file, in->server->cert_frame, at, sizeof at);
    snprintf(fact, len, "the offer accepts only ECDSA signatures and the server's certificate has "
                        "an RSA key (%s)",
             at);
    *frame = ctx_frame_here(in->ctx, in->server->cert_file, in->server->cert_frame);
    return true;
}

static bool server_signed_with_offered_scheme(const struct case_facts *in, char *fact,
                                              size_t len, uint64_t *frame)
{
    const struct server_stats *s = in->server;
    const struct client_hello *ch = in->c->ch;
    if (!refused_before_server_hello(in) || s == NULL || !ch_offers_version(ch, 0x0303) ||
        ch_offers_version(ch, 0x0304))
        return false;
    for (uint8_t i = 0; i < s->n_ske_sigalgs; i++)
        if (ch_offers_sigalg(ch, s->ske_sigalgs[i])) {
            char buf[16];
            snprintf(fact, len, "the server signed with %s for another client, and this offer "
                                "accepts it",
                     reg_format_u16(reg_sigscheme_name, s->ske_sigalgs[i], buf, sizeof buf));
            *frame = 0;
            return true;
        }
    return false;
}

static bool no_sni_but_sniless_success(const struct case_facts *in, char *fact, size_t len,
                                       uint64_t *frame)
{
    const struct server_stats *s = in->server;
    if (in->c->ch->has_sni || s == NULL || !s->saw_no_sni_ok)
        return false;
    snprintf(fact, len, "a handshake without SNI succeeded with this server in the capture");
    *frame = 0;
    return true;
}

static bool alert_unrecognized_name(const struct case_facts *in, char *fact, size_t len,
                                    uint64_t *frame)
{
    if (!server_alert(in, ALERT_UNRECOGNIZED_NAME))
        return false;
    snprintf(fact, len, "the server's alert is unrecognized_name");
    *frame = in->ending.alert->frame;
    return true;
}

/* CDNs and servers that choose a certificate by name refuse a hello without
 * SNI with handshake_failure, unrecognized_name or a reset. */
static bool sniless_broad_offer(const struct case_facts *in, char *fact, size_t len,
                                uint64_t *frame)
{
    const struct client_hello *ch = in->c->ch;
    if (ch->has_sni || !refused_before_server_hello(in) || !broad_suites(in, fact, len, frame))
        return false;
    snprintf(fact, len, "a broad offer (%zu suites) without SNI: servers that choose their "
                        "certificate by name (CDNs, virtual hosts) refuse such hellos",
             ch_real_suites(ch));
    *frame = ch->frame;
    return true;
}

static bool size_range_succeeded(const struct case_facts *in, char *fact, size_t len,
                                 uint64_t *frame)
{
    const struct server_stats *s = in->server;
    uint32_t mine = hello_features(in->c->ch);
    if (s == NULL || !(mine & (1u << FEAT_SIZE_256_511)) || (mine & (1u << FEAT_SPLIT)) ||
        s->ok_with[FEAT_SIZE_256_511] == 0)
        return false;
    snprintf(fact, len, "%u ClientHello%s of 256 to 511 bytes succeeded with this server",
             s->ok_with[FEAT_SIZE_256_511], s->ok_with[FEAT_SIZE_256_511] == 1 ? "" : "s");
    *frame = 0;
    return true;
}

/* The leading-zero bug fails about 1 handshake in 256 (RFC 5246 8.1.2): a
 * server where most DHE handshakes fail has a systematic fault. */
static bool dhe_failures_too_many(const struct case_facts *in, char *fact, size_t len,
                                  uint64_t *frame)
{
    const struct server_stats *s = in->server;
    if (s == NULL)
        return false;
    uint32_t failed = s->dhe_failed_bad_record_mac + s->dhe_short_failed;
    uint32_t total = s->dhe_ok + s->dhe_failed_bad_record_mac + s->dhe_short_failed;
    if (total < 3 || failed * 2 < total)
        return false;
    snprintf(fact, len, "%u of %u DHE handshakes with this server failed: a systematic fault, "
                        "not the 1-in-256 leading zero",
             failed, total);
    *frame = 0;
    return true;
}

static bool dh_group_large_enough(const struct case_facts *in, char *fact, size_t len,
                                  uint64_t *frame)
{
    const struct conn *c = in->c;
    if (!c->kx.ske_present || !c->kx.dhe || c->kx.dh_p_len * 8u < 2048)
        return false;
    snprintf(fact, len, "the server's DH group is %u bits, a size current clients accept",
             c->kx.dh_p_len * 8u);
    *frame = c->kx.ske_frame;
    return true;
}

static const struct knowledge knowledge[] = {
    {.cause = "no_shared_cipher_suite", .weight = REFUTES, .source = SRC_SERVER,
     .holds = offer_has_chosen_suite},
    {.cause = "no_shared_cipher_suite", .weight = REFUTES, .source = SRC_PROTOCOL,
     .ref = "RFC 8446 9.1", .holds = tls13_mandatory_suite_offered},
    {.cause = "no_shared_cipher_suite", .weight = 4, .source = SRC_SERVER,
     .holds = offer_has_none_of_chosen},
    {.cause = "no_shared_cipher_suite", .weight = 2, .source = SRC_CONNECTION,
     .holds = narrow_suites},
    {.cause = "no_shared_cipher_suite", .weight = -3, .source = SRC_STACK,
     .ref = "RFC 9325 4.2", .holds = broad_suites},
    {.cause = "no_shared_cipher_suite", .weight = -3, .source = SRC_PROTOCOL,
     .ref = "RFC 7568", .holds = ssl3_only_offer},
    {.cause = "no_forward_secret_suite", .weight = REFUTES, .source = SRC_SERVER,
     .holds = server_did_forward_secrecy},
    {.cause = "no_forward_secret_suite", .weight = 4, .source = SRC_SERVER,
     .holds = server_only_rsa_kx},
    {.cause = "no_forward_secret_suite", .weight = -4, .source = SRC_CONNECTION,
     .holds = narrow_without_context},
    {.cause = "protocol_version_mismatch", .weight = REFUTES, .source = SRC_SERVER,
     .holds = server_completed_offered_version},
    {.cause = "protocol_version_mismatch", .weight = 5, .source = SRC_CONNECTION,
     .ref = "RFC 8446 6.2; RFC 5246 7.2.2", .holds = alert_protocol_version},
    {.cause = "protocol_version_mismatch", .weight = 5, .source = SRC_PROTOCOL,
     .ref = "RFC 7568", .holds = ssl3_only_offer},
    {.cause = "protocol_version_mismatch", .weight = 4, .source = SRC_SERVER,
     .holds = server_completed_only_higher},
    {.cause = "protocol_version_mismatch", .weight = 4, .source = SRC_SERVER,
     .holds = tls13_only_to_tls12_server},
    {.cause = "no_shared_group", .weight = REFUTES, .source = SRC_SERVER,
     .holds = offer_has_used_group},
    {.cause = "no_shared_group", .weight = REFUTES, .source = SRC_PROTOCOL,
     .ref = "RFC 8422 5.1; RFC 8446 4.2.7", .holds = groups_unused},
    {.cause = "no_shared_group", .weight = 4, .source = SRC_SERVER,
     .holds = offer_lacks_used_groups},
    {.cause = "no_shared_group", .weight = 2, .source = SRC_PROTOCOL, .ref = "RFC 8446 9.1",
     .holds = tls13_offer_lacks_p256},
    {.cause = "no_shared_group", .weight = 2, .source = SRC_PROTOCOL, .ref = "RFC 8446 9.1",
     .holds = tls13_mandatory_suite_offered},
    {.cause = "no_shared_group", .weight = 1, .source = SRC_CONNECTION, .holds = single_group},
    {.cause = "no_shared_signature_algorithm", .weight = 5, .source = SRC_PROTOCOL,
     .ref = "RFC 8446 4.2.3, 4.4.3", .holds = tls13_rsa_without_pss},
    {.cause = "no_shared_signature_algorithm", .weight = 3, .source = SRC_PROTOCOL,
     .ref = "RFC 8446 4.2.3, 4.4.3", .holds = tls13_without_pss},
    {.cause = "no_shared_signature_algorithm", .weight = 4, .source = SRC_SERVER,
     .holds = ecdsa_only_vs_rsa_certificate},
    {.cause = "no_shared_signature_algorithm", .weight = REFUTES, .source = SRC_SERVER,
     .holds = server_signed_with_offered_scheme},
    {.cause = "sni_required", .weight = REFUTES, .source = SRC_SERVER,
     .holds = no_sni_but_sniless_success},
    {.cause = "sni_required", .weight = 5, .source = SRC_CONNECTION, .ref = "RFC 6066 3",
     .holds = alert_unrecognized_name},
    {.cause = "sni_required", .weight = 2, .source = SRC_STACK, .ref = "RFC 6066 3",
     .holds = sniless_broad_offer},
    {.cause = "client_hello_size_intolerance", .weight = REFUTES, .source = SRC_SERVER,
     .holds = size_range_succeeded},
    {.cause = "dhe_leading_zero", .weight = REFUTES, .source = SRC_SERVER,
     .ref = "RFC 5246 8.1.2", .holds = dhe_failures_too_many},
    {.cause = "dh_parameters_rejected", .weight = -6, .source = SRC_PROTOCOL,
     .ref = "RFC 7919 3; RFC 9325 4.1", .holds = dh_group_large_enough},
};

/* Causes a refused ClientHello can have: the ones the contrast weighs. */
static bool refusal_cause(const char *id)
{
    static const char *const ids[] = {
        "no_shared_cipher_suite", "no_forward_secret_suite", "protocol_version_mismatch",
        "no_shared_group", "no_shared_signature_algorithm", "sni_required",
        "client_hello_size_intolerance", "inappropriate_fallback", "alpn_mismatch",
    };
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        if (strcmp(ids[i], id) == 0)
            return true;
    return false;
}

/* Alerts whose description is itself the cause (RFC 8446 6.2): a refusal
 * with one of them rules out the other causes of a refused hello. */
static const struct {
    uint8_t alert;
    const char *cause;
} naming_alerts[] = {
    {.alert = 70, .cause = "protocol_version_mismatch"},
    {.alert = 86, .cause = "inappropriate_fallback"},
    {.alert = 112, .cause = "sni_required"},
    {.alert = 120, .cause = "alpn_mismatch"},
};

/* Does a fact of the table rule this cause out for this connection? */
static bool cause_refuted(const struct case_facts *in, const char *cause)
{
    char fact[200];
    uint64_t frame;
    const struct alert *a = in->ending.alert;
    if (a != NULL && a->from == SIDE_SERVER && refused_before_server_hello(in))
        for (size_t i = 0; i < sizeof naming_alerts / sizeof naming_alerts[0]; i++)
            if (naming_alerts[i].alert == a->description &&
                strcmp(naming_alerts[i].cause, cause) != 0)
                return true;
    for (size_t i = 0; i < sizeof knowledge / sizeof knowledge[0]; i++)
        if (knowledge[i].weight == REFUTES && strcmp(knowledge[i].cause, cause) == 0 &&
            knowledge[i].holds(in, fact, sizeof fact, &frame))
            return true;
    return false;
}

/* The features that separate this server's refused offers from its answered
 * ones and point to a cause nothing rules out. One such feature is strong
 * evidence for its cause; several share the evidence. */
static void weigh_contrast(const struct case_facts *in, struct finding_draft *f)
{
    uint32_t sep = contrast_separating(in);
    if (sep == 0 || !refusal_cause(f->id))
        return;
    const struct server_stats *s = in->server;
    int n = 0, mine = -1, other = -1;
    for (int ft = 0; ft < HELLO_FEATURES; ft++) {
        if (!(sep & (1u << ft)) || cause_refuted(in, feature_cause((enum hello_feature)ft)))
            continue;
        n++;
        if (strcmp(feature_cause((enum hello_feature)ft), f->id) == 0) {
            if (mine < 0)
                mine = ft;
        } else if (other < 0) {
            other = ft;
        }
    }
    if (mine >= 0) {
        uint32_t ok = feature_ok_count(s, (enum hello_feature)mine);
        int weight = n == 1 ? (ok >= 2 ? 6 : 4) : 3;
        /* what worked with this server is the fix the capture itself shows */
        char at[160];
        ctx_frame_words(in->ctx, s->ok_file, s->ok_frame, at, sizeof at);
        if (f->fix[0] != '\0')
            finding_fix(f, " In %s, the ClientHellos %s succeeded with this server (%s).",
                        ctx_captures(in->ctx, true),
                        feature_words((enum hello_feature)mine, false), at);
        finding_weigh(f, ctx_frame_here(in->ctx, s->refused_file, s->refused_frame), SRC_SERVER,
                      weight, NULL,
                      "the %u ClientHello%s %s to this server %s refused, the %u %s succeeded",
                      s->refused, s->refused == 1 ? "" : "s",
                      feature_words((enum hello_feature)mine, true),
                      s->refused == 1 ? "was" : "were", ok,
                      feature_words((enum hello_feature)mine, false));
    } else if (n == 1 && other >= 0) {
        finding_weigh(f, ctx_frame_here(in->ctx, s->refused_file, s->refused_frame), SRC_SERVER,
                      -2, NULL,
                      "what separates the refused offers from the answered ones is that they are "
                      "%s",
                      feature_words((enum hello_feature)other, true));
    }
}

static void weigh_naming_alert(const struct case_facts *in, struct finding_draft *f)
{
    const struct alert *a = in->ending.alert;
    if (a == NULL || a->from != SIDE_SERVER || !refused_before_server_hello(in) ||
        !refusal_cause(f->id))
        return;
    for (size_t i = 0; i < sizeof naming_alerts / sizeof naming_alerts[0]; i++)
        if (naming_alerts[i].alert == a->description &&
            strcmp(naming_alerts[i].cause, f->id) != 0)
            finding_refute(f, a->frame, SRC_CONNECTION, "RFC 8446 6.2",
                           "the server's alert %s names another cause",
                           name_alert(a->description).s);
}

/* A cause that rests on a feature of the offer does not explain a server
 * that refused offers without that feature too, the same way. */
static void weigh_refused_without(const struct case_facts *in, struct finding_draft *f)
{
    const struct server_stats *s = in->server;
    if (s == NULL || s->refused < 2 || !refused_before_server_hello(in))
        return;
    uint32_t mine = hello_features(in->c->ch);
    for (int ft = 0; ft < HELLO_FEATURES; ft++) {
        if (!(mine & (1u << ft)) || strcmp(feature_cause((enum hello_feature)ft), f->id) != 0)
            continue;
        uint32_t without = s->refused - s->refused_with[ft];
        if (without == 0)
            continue;
        finding_weigh(f, 0, SRC_SERVER, -4, NULL,
                      "the server also refused %u ClientHello%s %s", without,
                      without == 1 ? "" : "s", feature_words((enum hello_feature)ft, false));
        return;
    }
}

void weigh_draft(const struct case_facts *in, struct finding_draft *f)
{
    char fact[200];
    weigh_naming_alert(in, f);
    weigh_refused_without(in, f);
    for (size_t i = 0; i < sizeof knowledge / sizeof knowledge[0]; i++) {
        const struct knowledge *k = &knowledge[i];
        uint64_t frame = 0;
        if (strcmp(k->cause, f->id) != 0 || !k->holds(in, fact, sizeof fact, &frame))
            continue;
        if (k->weight == REFUTES)
            finding_refute(f, frame, k->source, k->ref, "%s", fact);
        else
            finding_weigh(f, frame, k->source, k->weight, k->ref, "%s", fact);
    }
    weigh_contrast(in, f);
}
