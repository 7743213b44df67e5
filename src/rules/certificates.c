/* certificates.c: the client refused the server's certificate. In TLS 1.2
 * and below the chain is in clear, so libcrypto's checks (cert_check.c) against the capture's own time say which problem the
 * client most likely saw; the client's alert narrows it down. In TLS 1.3
 * only an encrypted alert is visible. */
#include <string.h>
#include "util/names.h"
#include "x509/cert.h"
#include "util/escape.h"
#include "util/registry.h"
#include "rules/rules.h"

enum {
    ALERT_BAD_CERTIFICATE = 42,
    ALERT_UNSUPPORTED_CERTIFICATE = 43,
    ALERT_CERTIFICATE_REVOKED = 44,
    ALERT_CERTIFICATE_EXPIRED = 45,
    ALERT_CERTIFICATE_UNKNOWN = 46,
    ALERT_UNKNOWN_CA = 48,
    ALERT_ACCESS_DENIED = 49
};

static bool is_certificate_alert(uint8_t d)
{
    return (d >= ALERT_BAD_CERTIFICATE && d <= ALERT_CERTIFICATE_UNKNOWN) ||
           d == ALERT_UNKNOWN_CA || d == ALERT_ACCESS_DENIED;
}

/* A client that checks the certificate and refuses it closes within
 * milliseconds of the server's flight; one that waits a second or more was
 * doing something else (a timeout, a scanner that only wanted the hello). */
#define REFUSAL_MAX_MS 1000.0

static bool closed_at_once(const struct conn *c, const struct ending *e)
{
    struct tstamp flight = {0, 0};
    for (uint16_t i = 0; i < c->n_messages; i++)
        if (c->messages[i].from == SIDE_SERVER && c->messages[i].frame < e->close_frame)
            flight = c->messages[i].ts;
    return flight.sec != 0 && tstamp_ms_between(flight, e->close_ts) <= REFUSAL_MAX_MS;
}

/* The client turned the server's flight down: a certificate alert, or a
 * silent close right after the server's Certificate (TLS <= 1.2). */
static bool client_refused_flight(const struct conn *c, const struct ending *e)
{
    /* TLS 1.2: a client that checks the certificate after the handshake
     * (OpenSSL-based tools checking the host name once connected) sends its
     * alert encrypted, right after the server's Finished */
    if (c->server_certs.present && e->alert == NULL && tls12_alert_instead_of_data(c) != NULL)
        return true;
    if (!c->sh.present || e->stage != STAGE_SERVER_FLIGHT || !c->server_certs.present)
        return false;
    if (e->alert != NULL)
        return e->alert->from == SIDE_CLIENT && is_certificate_alert(e->alert->description);
    return e->closed && e->close_by == SIDE_CLIENT && !c->kx.cke_present &&
           closed_at_once(c, e);
}

struct cert_view {
    struct cert_chain_report rep;
    struct cert_info leaf;
    bool checked;
};

static bool check_chain(const struct conn *c, const struct rule_ctx *ctx, struct cert_view *v)
{
    const uint8_t *der[CONN_MAX_CERTS];
    size_t len[CONN_MAX_CERTS];
    const struct cert_msg *m = &c->server_certs;
    memset(v, 0, sizeof *v);
    if (m->kept == 0)
        return false;
    for (uint16_t i = 0; i < m->kept; i++) {
        der[i] = c->cert_bytes + m->der[i].off;
        len[i] = m->der[i].len;
    }
    if (cert_parse_cached(ctx->opts->certs, der[0], len[0], &v->leaf) != ST_OK)
        memset(&v->leaf, 0, sizeof v->leaf);
    const char *sni = c->ch->has_sni && memchr(c->ch->sni, 0, c->ch->sni_len) == NULL
                          ? c->ch->sni : NULL;
    if (cert_check_chain_cached(ctx->opts->certs, der, len, m->kept, c->sh.ts.sec, sni,
                                ctx->opts->store, &v->rep) !=
        ST_OK)
        return false;
    v->checked = true;
    return true;
}

/* Which problems a given client alert can stand for. */
static uint32_t consistent_with_alert(const struct ending *e)
{
    const uint32_t trust = CERT_P_SELF_SIGNED_LEAF | CERT_P_CHAIN_INCOMPLETE | CERT_P_UNTRUSTED |
                           CERT_P_INTERCEPTION;
    if (e->alert == NULL)
        return ~0u;
    switch (e->alert->description) {
    case ALERT_CERTIFICATE_EXPIRED: return CERT_P_EXPIRED | CERT_P_NOT_YET_VALID;
    case ALERT_UNKNOWN_CA: return trust;
    case ALERT_CERTIFICATE_REVOKED: return 0;
    default: return ~0u;
    }
}

/* The problems in the order a client most likely hits them. */
static const struct {
    uint32_t bits;
    const char *id;
} priority[] = {
    {CERT_P_EXPIRED, "certificate_expired"},
    {CERT_P_NOT_YET_VALID, "certificate_not_yet_valid"},
    {CERT_P_HOSTNAME_MISMATCH, "certificate_hostname_mismatch"},
    {CERT_P_CHAIN_INCOMPLETE, "certificate_chain_incomplete"},
    {CERT_P_SELF_SIGNED_LEAF | CERT_P_UNTRUSTED | CERT_P_INTERCEPTION, "certificate_untrusted"},
    {CERT_P_WEAK_SIGNATURE | CERT_P_WEAK_KEY, "certificate_weak"},
};

/* Rank of `id` among the problems found (0 = most likely), or -1. */
static int rank_of(const char *id, uint32_t problems)
{
    int rank = 0;
    for (size_t i = 0; i < sizeof priority / sizeof priority[0]; i++) {
        if (!(problems & priority[i].bits))
            continue;
        if (strcmp(priority[i].id, id) == 0)
            return rank;
        rank++;
    }
    return -1;
}

static void flight_evidence(struct finding_draft *f, const struct conn *c, const struct ending *e,
                            const struct cert_view *v)
{
    char subj[160];
    text_safe_buf(subj, sizeof subj, v->leaf.subject, strlen(v->leaf.subject));
    finding_evidence(f, c->server_certs.frame, "server  Certificate: %u certificate%s, leaf %s%s",
                     c->server_certs.count, c->server_certs.count == 1 ? "" : "s",
                     subj[0] ? subj : "(unreadable)",
                     conn_is_tls13(c) ? " (decrypted with the key log)" : "");
    const struct alert *late = e->alert == NULL ? tls12_alert_instead_of_data(c) : NULL;
    if (e->alert != NULL) {
        finding_evidence(f, e->alert->frame, "client  fatal alert %s%s",
                         name_alert(e->alert->description).s,
                         e->alert->decrypted ? ", decrypted with the key log" : "");
    } else if (late != NULL) {
        finding_evidence(f, c->side[SIDE_SERVER].encrypted_hs_frame,
                         "server  ChangeCipherSpec and Finished");
        finding_evidence(f, late->frame, "client  encrypted alert right after it, no application "
                                         "data");
        if (e->closed)
            finding_evidence(f, e->close_frame, "%s  %s", side_name(e->close_by),
                             e->rst ? "RST" : "FIN");
    } else {
        finding_evidence(f, e->close_frame, "client  %s right after the server's certificate, "
                                            "no alert",
                         e->rst ? "RST" : "FIN");
    }
}

/* "2517 days", "5 hours", "40 seconds" */
static void span_text(int64_t seconds, char *out, size_t len)
{
    if (seconds >= 2 * 86400)
        snprintf(out, len, "%lld days", (long long)(seconds / 86400));
    else if (seconds >= 2 * 3600)
        snprintf(out, len, "%lld hours", (long long)(seconds / 3600));
    else
        snprintf(out, len, "%lld seconds", (long long)seconds);
}

/* "2026-11-22" for a unix time */
static void date_text(int64_t t, char *out, size_t len)
{
    struct value_name iso_name = tstamp_iso((struct tstamp){t, 0});
    const char *iso = iso_name.s;
    snprintf(out, len, "%.10s", iso);
}

/* The facts of certificate i of the server's chain (the leaf when i < 0). */
static void chain_cert(const struct conn *c, const struct rule_ctx *ctx, int i,
                       struct cert_info *out)
{
    const struct cert_msg *m = &c->server_certs;
    if (i < 0 || i >= m->kept ||
        cert_parse_cached(ctx->opts->certs, c->cert_bytes + m->der[i].off, m->der[i].len, out) !=
            ST_OK)
        memset(out, 0, sizeof *out);
}

/* TLS 1.3: the certificate is encrypted, but OpenSSL clients send their
 * alert in clear (they have no handshake keys for sending yet). The alert
 * alone then names the problem, without the certificate to confirm it. */
static bool tls13_alert_only(const struct rule *self, const struct conn *c, struct finding_draft *f,
                             const struct ending *e, uint8_t wanted, const char *meaning)
{
    /* with a key log the certificate was decrypted: the chain checks decide */
    if (!conn_is_tls13(c) || e->alert == NULL || e->alert->from != SIDE_CLIENT ||
        e->alert->description != wanted || c->server_certs.kept > 0)
        return false;
    finding_init(f, self, CONF_MEDIUM);
    finding_evidence(f, c->sh.frame, "server  ServerHello (TLS 1.3), then its encrypted flight "
                                     "with the certificate");
    finding_evidence(f, e->alert->frame, "client  fatal alert %s, %s",
                     name_alert(e->alert->description).s,
                     e->alert->decrypted ? "decrypted with the key log" : "in clear");
    finding_explain(f, "The client refused the server's certificate with the alert %s: %s. In "
                       "TLS 1.3 the certificate is encrypted, so the capture cannot show which "
                       "certificate or confirm the reason; a key log (SSLKEYLOGFILE) of the "
                       "client would.",
                    name_alert(e->alert->description).s, meaning);
    return true;
}

/* The shared predicate: does problem `id` explain this refusal? */
static bool cert_problem_match(const struct rule *self, const struct conn *c,
                               const struct rule_ctx *ctx, struct finding_draft *f, struct cert_view *v,
                               const struct ending *e)
{
    if (!client_refused_flight(c, e) || !check_chain(c, ctx, v))
        return false;
    uint32_t problems = v->rep.problems & consistent_with_alert(e);
    /* Without a trust store, a leaf whose issuer was not sent may be signed
     * by a root the client has: only an alert about the chain makes the
     * missing intermediate the likely story. */
    if (ctx->opts->store == NULL && e->alert == NULL)
        problems &= ~(uint32_t)CERT_P_CHAIN_INCOMPLETE;
    int rank = rank_of(self->id, problems);
    if (rank < 0)
        return false;
    bool alert_names_it = e->alert != NULL && e->alert->description != ALERT_CERTIFICATE_UNKNOWN &&
                          e->alert->description != ALERT_BAD_CERTIFICATE;
    enum confidence conf = rank == 0 ? (alert_names_it || e->alert ? CONF_HIGH : CONF_MEDIUM)
                                     : CONF_LOW;
    finding_init(f, self, conf);
    flight_evidence(f, c, e, v);
    const struct alert *late = e->alert == NULL ? tls12_alert_instead_of_data(c) : NULL;
    if (late != NULL)
        finding_weigh(f, late->frame, SRC_STACK, 3, NULL,
                      "the client's encrypted alert right after the server's Finished, with a "
                      "certificate it would refuse: clients that check the certificate after "
                      "the handshake refuse it at this moment");
    return true;
}

static bool match_certificate_expired(const struct rule *self, const struct case_facts *in,
                                      struct finding_draft *f)
{
    const struct conn *c = in->c;
    const struct rule_ctx *ctx = in->ctx;
    struct cert_view v;
    const struct ending *e = &in->ending;
    if (tls13_alert_only(self, c, f, e, ALERT_CERTIFICATE_EXPIRED,
                         "its certificate, or one in its chain, has expired (or the client's "
                         "clock is wrong)")) {
        finding_fix(f, "Check the server certificate's dates (openssl s_client -connect "
                       "host:port | openssl x509 -noout -dates) and renew it; check the "
                       "client's clock.");
        f->refs = "RFC 8446 6.2; docs/diagnoses/certificate_expired.md";
        return true;
    }
    if (!cert_problem_match(self, c, ctx, f, &v, e))
        return false;
    struct cert_info ci;
    char name[160], until[16], now[16], span[32];
    chain_cert(c, ctx, v.rep.expired_index, &ci);
    text_safe_buf(name, sizeof name, ci.subject, strlen(ci.subject));
    date_text(ci.not_after, until, sizeof until);
    date_text(c->sh.ts.sec, now, sizeof now);
    span_text(v.rep.expired_by, span, sizeof span);
    finding_explain(f, "The server's %s (%s) expired on %s, %s before this capture was taken "
                       "(%s), and the client refuses an expired certificate. If the "
                       "certificate looks current to the server's admin, check the client's "
                       "clock too.",
                    v.rep.expired_index > 0 ? "intermediate certificate" : "certificate", name,
                    until, span, now);
    finding_fix(f, "Renew the certificate (and any expired intermediate) and install it with "
                   "its full chain; IIS: bind the new certificate in the site's HTTPS "
                   "binding; nginx/Apache: replace the files and reload.");
    f->refs = "RFC 5280 4.1.2.5; docs/diagnoses/certificate_expired.md";
    return true;
}
RULE(certificate_expired, "the server certificate had expired", false);

static bool match_certificate_not_yet_valid(const struct rule *self, const struct case_facts *in,
                                            struct finding_draft *f)
{
    const struct conn *c = in->c;
    const struct rule_ctx *ctx = in->ctx;
    struct cert_view v;
    const struct ending *e = &in->ending;
    if (!cert_problem_match(self, c, ctx, f, &v, e))
        return false;
    struct cert_info ci;
    char name[160], from[16], now[16], span[32];
    chain_cert(c, ctx, v.rep.not_yet_valid_index, &ci);
    text_safe_buf(name, sizeof name, ci.subject, strlen(ci.subject));
    date_text(ci.not_before, from, sizeof from);
    date_text(c->sh.ts.sec, now, sizeof now);
    span_text(v.rep.not_valid_for, span, sizeof span);
    finding_explain(f, "The certificate (%s) is valid only from %s, %s after this capture was "
                       "taken (%s). Either it was issued with a wrong start date, or a clock "
                       "is wrong: a client whose clock is behind (a dead CMOS battery, a VM "
                       "restored from a snapshot) sees every new certificate as not yet valid.",
                    name, from, span, now);
    finding_fix(f, "Check the client's date and time (enable NTP); if the clock is right, "
                   "reissue the certificate with a correct notBefore date.");
    f->refs = "RFC 5280 4.1.2.5; docs/diagnoses/certificate_not_yet_valid.md";
    return true;
}
RULE(certificate_not_yet_valid, "the certificate is not valid yet (often a wrong clock)", false);

static bool match_certificate_hostname_mismatch(const struct rule *self, const struct case_facts *in,
                                                struct finding_draft *f)
{
    const struct conn *c = in->c;
    const struct rule_ctx *ctx = in->ctx;
    struct cert_view v;
    const struct ending *e = &in->ending;
    if (!cert_problem_match(self, c, ctx, f, &v, e))
        return false;
    char sni[80] = "", names[300] = "";
    text_safe_buf(sni, sizeof sni, c->ch->sni, c->ch->sni_len);
    size_t used = 0;
    for (size_t i = 0; i < v.leaf.n_san && i < 6 && used < sizeof names; i++) {
        char one[80];
        text_safe_buf(one, sizeof one, v.leaf.san[i], strlen(v.leaf.san[i]));
        used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "", one);
    }
    finding_explain(f, "The client asked for \"%s\" but the certificate covers %s%s. ", sni,
                    names[0] ? names : "no DNS name (subject alternative name)",
                    v.rep.hostname_cn_only ? " (the name is only in the subject CN, which "
                                             "current clients ignore)"
                                           : "");
    finding_explain(f, "The client refuses a certificate for another name (RFC 6125).");
    finding_fix(f, "Install a certificate whose subjectAltName includes %s (a wildcard covers "
                   "one label only), or have the client use a name the certificate covers; on "
                   "a server with several sites, check that SNI selects the right one.",
                sni[0] ? sni : "the name the client uses");
    f->refs = "RFC 6125 6.4; RFC 2818 3.1; docs/diagnoses/certificate_hostname_mismatch.md";
    return true;
}
RULE(certificate_hostname_mismatch, "the certificate does not cover the name asked for", false);

static bool match_certificate_chain_incomplete(const struct rule *self, const struct case_facts *in,
                                               struct finding_draft *f)
{
    const struct conn *c = in->c;
    const struct rule_ctx *ctx = in->ctx;
    struct cert_view v;
    const struct ending *e = &in->ending;
    if (!cert_problem_match(self, c, ctx, f, &v, e))
        return false;
    char issuer[200];
    text_safe_buf(issuer, sizeof issuer, v.rep.missing_issuer, strlen(v.rep.missing_issuer));
    finding_explain(f, "The server sends %u certificate%s and not the one that issued the last "
                       "of them (%s). Clients that do not fetch missing intermediates "
                       "(most non-browser clients: Java, OpenSSL, curl, Android) cannot build "
                       "a chain to a root they trust.",
                    c->server_certs.count, c->server_certs.count == 1 ? "" : "s",
                    issuer[0] ? issuer : "unknown issuer");
    finding_fix(f, "Configure the server to send the intermediate certificate(s): nginx: put "
                   "the leaf then the intermediates in ssl_certificate; Apache 2.4.8+: "
                   "SSLCertificateFile with the chain; IIS: import the intermediate into the "
                   "Intermediate Certification Authorities store of the computer.");
    f->refs = "RFC 5246 7.4.2; RFC 8446 4.4.2; docs/diagnoses/certificate_chain_incomplete.md";
    return true;
}
RULE(certificate_chain_incomplete, "the server sends no intermediate needed to reach a root",
     false);

/* RFC 8446 6.2: unknown_ca means the chain was received but no trust anchor
 * of the client's could be found or matched. When the chain the server sent
 * is complete, the alert names the cause: the root is not one the client
 * trusts. The root is the last certificate if it is self-signed, else the
 * issuer the last certificate names. */
static bool unknown_ca_on_complete_chain(const struct rule *self, const struct conn *c,
                                         const struct rule_ctx *ctx, const struct ending *e,
                                         struct finding_draft *f)
{
    struct cert_view v;
    const uint32_t other = CERT_P_CHAIN_INCOMPLETE | CERT_P_SELF_SIGNED_LEAF |
                           CERT_P_INTERCEPTION | CERT_P_UNTRUSTED;
    if (!client_refused_flight(c, e) || e->alert == NULL || !check_chain(c, ctx, &v) ||
        (v.rep.problems & other))
        return false;
    /* GnuTLS and others say bad_certificate (or certificate_unknown) for an
     * issuer they do not trust; another client's unknown_ca for the same
     * server's chain tells which problem it is */
    const struct server_stats *s = ctx_server(ctx, c);
    bool named = e->alert->description == ALERT_UNKNOWN_CA;
    bool told_elsewhere = !named && s != NULL && s->unknown_ca_frame != 0 &&
                          (e->alert->description == ALERT_BAD_CERTIFICATE ||
                           e->alert->description == ALERT_CERTIFICATE_UNKNOWN);
    if (!named && !told_elsewhere)
        return false;
    struct cert_info top;
    chain_cert(c, ctx, c->server_certs.kept - 1, &top);
    const char *root = top.self_signed ? top.subject : top.issuer;
    char name[200];
    text_safe_buf(name, sizeof name, root, strlen(root));
    finding_init(f, self, named ? CONF_HIGH : CONF_MEDIUM);
    flight_evidence(f, c, e, &v);
    if (named)
        finding_weigh(f, e->alert->frame, SRC_PROTOCOL, 5, "RFC 8446 6.2",
                      "unknown_ca after a chain that is complete up to %s: the client has no "
                      "trust anchor for it",
                      top.self_signed ? "a self-signed root" : "the root's name");
    else {
        char at[160];
        ctx_frame_words(ctx, s->unknown_ca_file, s->unknown_ca_frame, at, sizeof at);
        finding_weigh(f, ctx_frame_here(ctx, s->unknown_ca_file, s->unknown_ca_frame), SRC_SERVER,
                      3, NULL,
                      "another client answered this server's chain with unknown_ca (%s); "
                      "GnuTLS and other clients say %s for an issuer they do not trust",
                      at, name_alert(e->alert->description).s);
    }
    finding_explain(f, "The server sends a complete chain (%u certificate%s) whose root is %s, "
                       "and the client answers %s: it does not trust that root. A "
                       "private or corporate CA, a test CA, or a client with an old or "
                       "custom trust store (Java cacerts, a container image without "
                       "ca-certificates) gives this. ",
                    c->server_certs.kept, c->server_certs.kept == 1 ? "" : "s",
                    name[0] ? name : "not named", name_alert(e->alert->description).s);
    finding_fix(f, "Add the root (%s) to the client's trust store (Java: keytool -importcert "
                   "into cacerts; Windows: Trusted Root Certification Authorities; Debian: "
                   "/usr/local/share/ca-certificates and update-ca-certificates; Python: "
                   "certifi or SSL_CERT_FILE), or give the server a certificate from a CA the "
                   "clients trust.",
                name[0] ? name : "the issuing root");
    f->refs = "RFC 8446 6.2; RFC 5280 6.1; docs/diagnoses/certificate_untrusted.md";
    return true;
}

static bool match_certificate_untrusted(const struct rule *self, const struct case_facts *in,
                                        struct finding_draft *f)
{
    const struct conn *c = in->c;
    const struct rule_ctx *ctx = in->ctx;
    struct cert_view v;
    const struct ending *e = &in->ending;
    if (tls13_alert_only(self, c, f, e, ALERT_UNKNOWN_CA,
                         "it cannot build a chain to a CA it trusts (a self-signed or private-CA "
                         "certificate, a missing intermediate, or a TLS-inspection proxy)")) {
        finding_fix(f, "Check the chain the server sends (openssl s_client -connect host:port "
                       "-showcerts): send the intermediates, or use a certificate from a CA the "
                       "client trusts, or add the CA to the client's trust store.");
        f->refs = "RFC 8446 6.2; docs/diagnoses/certificate_untrusted.md";
        return true;
    }
    if (unknown_ca_on_complete_chain(self, c, ctx, e, f))
        return true;
    if (!cert_problem_match(self, c, ctx, f, &v, e))
        return false;
    char issuer[200];
    text_safe_buf(issuer, sizeof issuer, v.leaf.issuer, strlen(v.leaf.issuer));
    if (v.rep.problems & CERT_P_INTERCEPTION) {
        finding_explain(f, "The certificate was issued by %s, a TLS-inspection product (\"%s\"): "
                           "a middlebox in the path decrypts the traffic and re-signs it with "
                           "its own CA, which this client does not trust. ",
                        v.rep.interception_product, issuer);
        finding_fix(f, "Either install the inspection product's CA in the client's trust store "
                       "(the usual corporate setup), or exempt this destination from TLS "
                       "inspection on the middlebox.");
    } else if (v.rep.problems & CERT_P_SELF_SIGNED_LEAF) {
        finding_explain(f, "The server's certificate is self-signed (issuer = subject, %s): no "
                           "client trusts it unless it was added to its trust store. ",
                        issuer);
        finding_fix(f, "Install a certificate from a CA the clients trust (a public CA, or "
                       "your internal CA distributed to the clients), or add this certificate "
                       "to the client's trust store for a test setup.");
    } else {
        finding_explain(f, "The client does not trust the CA that issued the certificate (%s). ",
                        issuer);
        finding_fix(f, "Use a certificate from a CA the client trusts, or add the issuing root "
                       "to the client's trust store (Java: cacerts/keytool; Windows: Trusted "
                       "Root Certification Authorities; Linux: update-ca-certificates).");
    }
    f->refs = "RFC 5280 6; docs/diagnoses/certificate_untrusted.md";
    return true;
}
RULE(certificate_untrusted, "self-signed or issued by a CA the client does not trust", false);

static bool match_certificate_weak(const struct rule *self, const struct case_facts *in,
                                   struct finding_draft *f)
{
    const struct conn *c = in->c;
    const struct rule_ctx *ctx = in->ctx;
    struct cert_view v;
    const struct ending *e = &in->ending;
    if (!cert_problem_match(self, c, ctx, f, &v, e))
        return false;
    if (v.rep.problems & CERT_P_WEAK_SIGNATURE)
        finding_explain(f, "A certificate in the chain is signed with %s. ",
                        v.leaf.signature_hash[0] ? v.leaf.signature_hash : "a weak hash");
    if (v.rep.problems & CERT_P_WEAK_KEY)
        finding_explain(f, "The leaf key is %s %d bits. ", v.leaf.key_type, v.leaf.key_bits);
    finding_explain(f, "Current clients refuse SHA-1 or MD5 signatures and RSA keys below "
                       "2048 bits (EC below 256): OpenSSL at security level 1 or higher, "
                       "browsers, Java, iOS ATS.");
    finding_fix(f, "Reissue the certificate with an RSA 2048+ (or EC P-256+) key and a "
                   "SHA-256 signature, and make sure the intermediates are SHA-256 too.");
    f->refs = "RFC 9155; docs/diagnoses/certificate_weak.md";
    return true;
}
RULE(certificate_weak, "weak certificate (SHA-1 signature or short key)", false);

static bool match_certificate_revoked(const struct rule *self, const struct case_facts *in,
                                      struct finding_draft *f)
{
    const struct conn *c = in->c;
    const struct ending *e = &in->ending;
    if (e->alert == NULL || e->alert->from != SIDE_CLIENT ||
        e->alert->description != ALERT_CERTIFICATE_REVOKED)
        return false;
    finding_init(f, self, CONF_HIGH);
    finding_evidence(f, c->server_certs.frame, "server  Certificate");
    finding_evidence(f, e->alert->frame, "client  fatal alert certificate_revoked");
    finding_explain(f, "The client checked the certificate's revocation status (CRL or OCSP) "
                       "and found it revoked. The capture cannot show the CRL or OCSP answer "
                       "itself.");
    finding_fix(f, "Install a new certificate (a revoked one cannot be reinstated); if the "
                   "revocation was a mistake, ask the CA.");
    f->refs = "RFC 5280 5; RFC 6960; docs/diagnoses/certificate_revoked.md";
    return true;
}
RULE(certificate_revoked, "the client says the certificate is revoked", false);

/* The catch-all: a certificate refusal the checks cannot explain, and the
 * TLS 1.3 case where only an encrypted alert is visible. */
static bool match_certificate_rejected(const struct rule *self, const struct case_facts *in,
                                       struct finding_draft *f)
{
    const struct conn *c = in->c;
    const struct ending *e = &in->ending;
    const struct side_facts *cl = &c->side[SIDE_CLIENT];
    static const uint8_t generic[] = {ALERT_BAD_CERTIFICATE, ALERT_UNSUPPORTED_CERTIFICATE,
                                      ALERT_CERTIFICATE_UNKNOWN, ALERT_ACCESS_DENIED};
    for (size_t i = 0; i < sizeof generic; i++)
        if (tls13_alert_only(self, c, f, e, generic[i],
                             "it found the certificate unacceptable without saying why (OpenSSL "
                             "sends bad_certificate for a wrong name, a date not yet valid, a "
                             "weak key or signature)")) {
            finding_fix(f, "Check the server's certificate from the client machine (openssl "
                           "s_client -connect host:port -servername name): its names, dates, "
                           "key size and signature; look at the client's error message.");
            f->refs = "RFC 8446 6.2; docs/diagnoses/certificate_rejected.md";
            return true;
        }
    if (conn_is_tls13(c)) {
        /* the client's only protected record is alert-sized, or it sends
         * nothing at all, and closes after the server's encrypted flight */
        bool alert_sized = cl->appdata_records == 1 && cl->appdata_len[0] == 19;
        bool silent = cl->appdata_records == 0 && c->side[SIDE_SERVER].appdata_records > 0 &&
                      e->alert == NULL && e->closed && e->close_by == SIDE_CLIENT &&
                      closed_at_once(c, e);
        if (!(alert_sized && e->closed) && !silent)
            return false;
        finding_init(f, self, alert_sized ? CONF_MEDIUM : CONF_LOW);
        finding_evidence(f, c->sh.frame, "server  ServerHello (TLS 1.3), then its encrypted "
                                         "flight with the certificate");
        if (alert_sized)
            finding_evidence(f, cl->appdata_frames[0], "client  one encrypted record of 19 "
                                                       "bytes: an alert, not a Finished");
        finding_evidence(f, e->close_frame, "%s  %s", side_name(e->close_by), e->rst ? "RST" : "FIN");
        finding_explain(f, "In TLS 1.3 the server's certificate is encrypted, so the capture "
                           "cannot show it. The client answered the server's flight %s instead "
                           "of its Finished and closed: it refused something in that flight, "
                           "almost always the certificate (untrusted, expired, wrong name). A "
                           "key log (SSLKEYLOGFILE) of the client would let the certificate and "
                           "the alert be read.",
                        alert_sized ? "with an encrypted alert" : "with nothing at all");
        finding_fix(f, "Check the server's certificate from the client machine (openssl s_client "
                       "-connect host:port -servername name), look at the client's error, or "
                       "capture again with the client's key log.");
        f->refs = "RFC 8446 4.4.2, 6; docs/diagnoses/certificate_rejected.md";
        return true;
    }
    if (!client_refused_flight(c, e))
        return false;
    finding_init(f, self, e->alert ? CONF_MEDIUM : CONF_LOW);
    finding_evidence(f, c->server_certs.frame, "server  Certificate (%u certificates)",
                     c->server_certs.count);
    if (e->alert) {
        finding_evidence(f, e->alert->frame, "client  fatal alert %s",
                         name_alert(e->alert->description).s);
    } else {
        finding_evidence(f, e->close_frame, "client  %s right after the server's flight",
                         e->rst ? "RST" : "FIN");
    }
    finding_explain(f, "The client refused the server's certificate, and the checks the "
                       "capture allows (dates, name, chain, key and signature) found nothing "
                       "wrong with it: the client probably does not trust its CA (give "
                       "--ca-file to check against a trust store) or applies a policy of "
                       "its own (pinning, revocation).");
    finding_fix(f, "Check the client's trust store and error message; verify the chain with "
                   "openssl verify against the client's CA bundle.");
    f->refs = "docs/diagnoses/certificate_rejected.md";
    return true;
}
RULE(certificate_rejected, "the client refused the certificate (reason not visible)", true);
