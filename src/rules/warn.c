/* warn.c: risks on handshakes that succeeded (shown with --all): a strict
 * client such as iOS ATS would fail here, or the certificate has a problem
 * the client did not check. Never a failure. */
#include <stdio.h>
#include <string.h>
#include "util/names.h"
#include "x509/cert.h"
#include "util/registry.h"
#include "rules/rules.h"
#include "rules/verdict.h"

static void warn(struct diagnosis *d, const char *text)
{
    if (d->n_warnings >= DIAGNOSIS_MAX_WARNINGS)
        return;
    d->warnings[d->n_warnings] = strdup(text);
    if (d->warnings[d->n_warnings] != NULL)
        d->n_warnings++;
}

/* Broken cryptography, by the words in the IANA suite name: a table of what
 * each weakness is and who says so. */
static const struct {
    const char *marker;       /* part of the suite name */
    const char *words;
} broken_ciphers[] = {
    {.marker = "_EXPORT", .words = "an EXPORT suite: 40/56-bit keys, broken (FREAK, Logjam)"},
    {.marker = "_anon_", .words = "anonymous key exchange: the server is not authenticated, "
                                  "any man in the middle can read the traffic"},
    {.marker = "_WITH_NULL_", .words = "no encryption at all (NULL cipher)"},
    {.marker = "_RC4_", .words = "RC4: broken, prohibited by RFC 7465"},
    {.marker = "_3DES_EDE_", .words = "3DES: 64-bit blocks, broken for long connections "
                                      "(Sweet32, RFC 9325 4.2)"},
    {.marker = "_DES_CBC_", .words = "single DES: a 56-bit key, broken (RFC 5469)"},
    {.marker = "_DES40_", .words = "DES40: a 40-bit key, broken"},
    {.marker = "_IDEA_", .words = "IDEA: removed from TLS 1.2 (RFC 5469)"},
};

/* What the negotiated protocol and cipher make readable to an attacker: for
 * every connection with a ServerHello, failed or not (RFC 9325, RFC 7568,
 * RFC 6176). */
static void warn_broken_crypto(const struct conn *c, struct diagnosis *d)
{
    char buf[300];
    if (c->sh.sslv2) {
        const char *kind = name_sslv2_cipher(c->sh.sslv2_cipher);
        snprintf(buf, sizeof buf, "SSL 2.0%s%s: broken (DROWN), prohibited by RFC 6176",
                 kind ? " with " : "", kind ? kind : "");
        warn(d, buf);
        return;
    }
    if (c->sh.version == 0x0300)
        warn(d, "SSL 3.0: broken (POODLE), prohibited by RFC 7568");
    const struct reg_suite *s = reg_suite(c->sh.suite);
    if (s == NULL || s->name == NULL)
        return;
    for (size_t i = 0; i < sizeof broken_ciphers / sizeof broken_ciphers[0]; i++)
        if (strstr(s->name, broken_ciphers[i].marker) != NULL) {
            snprintf(buf, sizeof buf, "%s: %s", s->name, broken_ciphers[i].words);
            warn(d, buf);
            return;
        }
}

/* A HelloRetryRequest because the client's shares were all post-quantum
 * groups the server lacks (RFC 8446 4.1.4): the handshake costs a round trip
 * more, and a client or middlebox that mishandles the retry fails. */
static void warn_hybrid_retry(const struct conn *c, struct diagnosis *d)
{
    const struct client_hello *ch = c->ch;
    if (!retry_for_post_quantum_share(c))
        return;
    uint16_t asked = c->sh.hrr_group;
    uint32_t pq_bytes = 0;
    for (uint16_t i = 0; i < ch->key_shares.n; i++)
        pq_bytes += ch->key_share_len[i];
    char buf[400], want[24], first[24];
    snprintf(buf, sizeof buf,
             "HelloRetryRequest (frame %llu): the client sent only post-quantum key shares "
             "(%s, %u bytes) and the server, lacking them, asked for %s instead: a round trip "
             "more on every connection (RFC 8446 4.1.4); send a classical share too, as "
             "Chrome and OpenSSL 3.5 do, or enable the hybrid on the server",
             (unsigned long long)c->sh.hrr_frame,
             reg_format_u16(reg_group_name, ch->key_shares.v[0], first, sizeof first),
             pq_bytes, asked ? reg_format_u16(reg_group_name, asked, want, sizeof want)
                            : "another group");
    warn(d, buf);
}

void rules_warnings(const struct conn *c, const struct rule_ctx *ctx, struct diagnosis *d)
{
    warn_hybrid_retry(c, d);
    if (!c->sh.present)
        return;
    warn_broken_crypto(c, d);
    if (c->sh.sslv2 || c->verdict != VERDICT_OK)
        return;
    const struct reg_suite *s = reg_suite(c->sh.suite);
    char buf[300];
    if (c->sh.version < 0x0303 && !conn_is_tls13(c)) {
        snprintf(buf, sizeof buf, "%s: clients that require TLS 1.2 (iOS ATS, current "
                                  "browsers, Java 8u291+) fail against this server",
                 name_version(c->sh.version).s);
        warn(d, buf);
    }
    if (s != NULL && !s->forward_secret) {
        snprintf(buf, sizeof buf, "%s is not forward-secret: clients offering only ECDHE "
                                  "suites (iOS ATS) fail against this server",
                 s->name);
        warn(d, buf);
    }
    if (c->sh.has_alpn && c->sh.alpn_len == 2 && memcmp(c->sh.alpn, "h2", 2) == 0 && s != NULL &&
        s->h2_blocklisted && !conn_is_tls13(c))
        warn(d, "HTTP/2 with a suite on the RFC 7540 block list: browsers refuse it");
    if (s != NULL && c->sh.version == 0x0303 && s->forward_secret && !s->ats) {
        snprintf(buf, sizeof buf, "%s is not on the iOS App Transport Security list: ATS "
                                  "clients offer none like it",
                 s->name);
        warn(d, buf);
    }
    if (c->chain_checked && (c->chain_problems & CERT_P_ATS))
        warn(d, "certificate: fails the App Transport Security rules (SHA-256 or better, "
                "RSA 2048+ or EC 256+): iOS and macOS apps refuse it");
    if (c->chain_checked) {
        static const enum cert_problem shown[] = {
            CERT_P_EXPIRED, CERT_P_NOT_YET_VALID, CERT_P_HOSTNAME_MISMATCH,
            CERT_P_SELF_SIGNED_LEAF, CERT_P_CHAIN_INCOMPLETE, CERT_P_WEAK_SIGNATURE,
            CERT_P_WEAK_KEY, CERT_P_UNTRUSTED, CERT_P_INTERCEPTION};
        for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++) {
            /* without a trust store a missing issuer may be a root the client has */
            if (shown[i] == CERT_P_CHAIN_INCOMPLETE && ctx->opts->store == NULL)
                continue;
            if (c->chain_problems & shown[i]) {
                snprintf(buf, sizeof buf, "certificate: %s (the client accepted it anyway)",
                         cert_problem_name(shown[i]));
                warn(d, buf);
            }
        }
    }
}
