/* warn.c: risks on handshakes that succeeded (shown with --all): a strict
 * client such as iOS ATS would fail here, or the certificate has a problem
 * the client did not check. Never a failure. */
#include <stdio.h>
#include <string.h>
#include "util/names.h"
#include "x509/cert.h"
#include "util/registry.h"
#include "rules/rules.h"

static void warn(struct diagnosis *d, const char *text)
{
    if (d->n_warnings >= DIAGNOSIS_MAX_WARNINGS)
        return;
    d->warnings[d->n_warnings] = strdup(text);
    if (d->warnings[d->n_warnings] != NULL)
        d->n_warnings++;
}

void rules_warnings(const struct conn *c, const struct rule_ctx *ctx, struct diagnosis *d)
{
    if (!c->sh.present || c->sh.sslv2)
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
