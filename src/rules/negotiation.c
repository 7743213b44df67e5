/* negotiation.c: the server turns the ClientHello down, with an alert or a
 * bare reset: suites, versions, groups, signature schemes, SNI, ALPN,
 * fallback. The capture-wide context tells a
 * server that rejects everything from one that rejects this offer. */
#include <stdio.h>
#include <string.h>
#include "util/names.h"
#include "util/escape.h"
#include "util/registry.h"
#include "rules/rules.h"

enum {
    ALERT_HANDSHAKE_FAILURE = 40,
    ALERT_ILLEGAL_PARAMETER = 47,
    ALERT_PROTOCOL_VERSION = 70,
    ALERT_INSUFFICIENT_SECURITY = 71,
    ALERT_INAPPROPRIATE_FALLBACK = 86,
    ALERT_UNRECOGNIZED_NAME = 112,
    ALERT_MISSING_EXTENSION = 109,
    ALERT_NO_APPLICATION_PROTOCOL = 120
};

/* Alerts about certificates or keys: a reason of their own, not the version. */
static bool about_certificate_or_keys(uint8_t d)
{
    return (d >= 41 && d <= 49) || d == 20 || d == 51 || d == 116;
}

/* The server refused the ClientHello itself: an alert before any ServerHello,
 * or a close right after it. */
static bool hello_refused(const struct conn *c, const struct ending *e)
{
    if (!c->ch->present || c->sh.present)
        return false;
    if (e->alert != NULL && e->alert->from == SIDE_SERVER)
        return true;
    return e->closed && e->close_by == SIDE_SERVER;
}

static bool server_alert_is(const struct ending *e, uint8_t desc)
{
    return e->alert != NULL && e->alert->from == SIDE_SERVER && e->alert->description == desc;
}

/* Evidence common to these rules: the offer and the refusal. */
static void offer_and_refusal(struct finding_draft *f, const struct conn *c, const struct ending *e)
{
    char sni[80] = "";
    if (c->ch->has_sni)
        text_safe_buf(sni, sizeof sni, c->ch->sni, c->ch->sni_len);
    /* suites beyond the kept ones count as real: signalling values come early */
    size_t suites = ch_real_suites(c->ch) + (size_t)(c->ch->total_suites - c->ch->n_suites);
    finding_evidence(f, c->ch->frame, "client  ClientHello up to %s, %zu suite%s%s%s%s",
                     name_version(ch_max_version(c->ch)).s, suites, suites == 1 ? "" : "s",
                     sni[0] ? ", SNI " : ", no SNI", sni,
                     ch_only_forward_secret(c->ch) ? ", all forward-secret" : "");
    if (e->alert != NULL && e->alert->from == SIDE_SERVER) {
        finding_evidence(f, e->alert->frame, "server  fatal alert %s, %.1f ms later; no "
                                             "ServerHello",
                         name_alert(e->alert->description).s,
                         ms_after_hello(c, e->alert->ts));
    } else if (e->closed) {
        finding_evidence(f, e->close_frame, "%s  TCP %s %.1f ms after the ClientHello; no "
                                            "ServerHello, no alert",
                         side_name(e->close_by), e->rst ? "RST" : "FIN",
                         ms_after_hello(c, e->close_ts));
    }
}

/* What the server chose elsewhere in the capture, as a phrase. */
static void chosen_elsewhere(const struct server_stats *s, char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    for (uint8_t i = 0; s != NULL && i < s->n_suites && i < 3; i++)
        used += (size_t)snprintf(out + used, len - used, "%s%s", i ? ", " : "",
                                 name_suite(s->suites[i]).s);
    if (s != NULL && s->n_suites > 3 && used < len)
        snprintf(out + used, len - used, " and %d more", (int)s->n_suites - 3);
}

static bool offers_any_of(const struct client_hello *ch, const struct server_stats *s)
{
    for (uint8_t i = 0; s != NULL && i < s->n_suites; i++)
        if (ch_offers_suite(ch, s->suites[i]))
            return true;
    return false;
}

static bool offers_ecdhe(const struct client_hello *ch)
{
    for (uint16_t i = 0; i < ch->n_suites; i++) {
        const struct reg_suite *r = reg_suite(ch->suites[i]);
        if (r != NULL && r->kx == REG_KX_ECDHE)
            return true;
    }
    return false;
}

/* The iOS ATS case: an ATS-style client offers only forward-secret suites and
 * the server accepts only RSA key exchange. */
static bool match_no_forward_secret_suite(const struct rule *self, const struct case_facts *in,
                                          struct finding_draft *f)
{
    const struct conn *c = in->c;
    const struct rule_ctx *ctx = in->ctx;
    const struct ending *e = &in->ending;
    if (!hello_refused(c, e) || !ch_only_forward_secret(c->ch))
        return false;
    if (e->alert != NULL && e->alert->description != ALERT_HANDSHAKE_FAILURE &&
        e->alert->description != ALERT_INSUFFICIENT_SECURITY)
        return false;
    const struct server_stats *s = ctx_server(ctx, c);
    if (s != NULL && s->ok_forward_secret > 0)
        return false; /* this server does forward secrecy */
    bool seen_rsa = s != NULL && s->ok_not_forward_secret > 0;
    /* the story is a server without ECDHE: without a handshake showing the
     * server's RSA suites, an offer without ECDHE does not tell it */
    if (!seen_rsa && !offers_ecdhe(c->ch))
        return false;
    finding_init(f, self, seen_rsa ? CONF_HIGH : CONF_MEDIUM);
    offer_and_refusal(f, c, e);
    finding_explain(f, "The client offers only forward-secret (ECDHE/DHE) suites, as iOS App "
                       "Transport Security and other strict clients do. ");
    if (seen_rsa) {
        char chosen[200];
        chosen_elsewhere(s, chosen, sizeof chosen);
        finding_explain(f, "This server completed %u other handshake%s in %s, all "
                           "with suites that are not forward-secret (%s): it has no ECDHE suite "
                           "enabled, so it has nothing to choose from this offer and ",
                        s->ok, s->ok == 1 ? "" : "s", ctx_captures(in->ctx, true), chosen);
    } else {
        finding_explain(f, "No other handshake with this server is in the capture to show "
                           "what it accepts, but a refusal right after such an offer is what a "
                           "server without any ECDHE suite does: it ");
    }
    finding_explain(f, "%s (Windows SChannel answers with a reset, OpenSSL with "
                       "handshake_failure).",
                    e->alert ? "sends a fatal alert" : "drops the connection");
    finding_fix(f, "Enable ECDHE suites on the server, e.g. "
                   "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 and "
                   "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (TLS 1.2, RSA certificate). IIS/"
                   "SChannel: add them in the \"SSL Cipher Suite Order\" group policy "
                   "(Computer Configuration > Administrative Templates > Network > SSL "
                   "Configuration Settings) and reboot; nginx: ssl_ciphers "
                   "ECDHE-RSA-AES128-GCM-SHA256:...; Apache: SSLCipherSuite. Only as a last "
                   "resort, relax the client (NSExceptionRequiresForwardSecrecy).");
    f->refs = "RFC 5246 7.4.1.3; docs/diagnoses/no_forward_secret_suite.md";
    return true;
}
RULE(no_forward_secret_suite, "no forward-secret cipher suite in common", false);

/* a version the server does not speak, or a refused fallback. */
static bool match_inappropriate_fallback(const struct rule *self, const struct case_facts *in,
                                         struct finding_draft *f)
{
    const struct conn *c = in->c;
    const struct ending *e = &in->ending;
    if (!server_alert_is(e, ALERT_INAPPROPRIATE_FALLBACK))
        return false;
    finding_init(f, self, c->ch->fallback_scsv ? CONF_HIGH : CONF_MEDIUM);
    offer_and_refusal(f, c, e);
    finding_explain(f, "The client retried with a lower version (up to %s) and marked the "
                       "retry with TLS_FALLBACK_SCSV%s. The server supports a higher version, "
                       "so it takes the retry for a downgrade attack and refuses it (RFC "
                       "7507). The real failure is the client's first attempt at the higher "
                       "version, which failed for another reason (often a middlebox or a "
                       "network error).",
                    name_version(ch_max_version(c->ch)).s,
                    c->ch->fallback_scsv ? "" : " (not visible in this ClientHello)");
    finding_fix(f, "Find why the first, higher-version attempt failed (look for the "
                   "connection just before this one). Update the client so it does not fall "
                   "back: modern clients never do.");
    f->refs = "RFC 7507; docs/diagnoses/inappropriate_fallback.md";
    return true;
}
RULE(inappropriate_fallback, "the server refused a downgraded retry (TLS_FALLBACK_SCSV)", false);

static bool match_protocol_version_mismatch(const struct rule *self, const struct case_facts *in,
                                            struct finding_draft *f)
{
    const struct conn *c = in->c;
    const struct rule_ctx *ctx = in->ctx;
    const struct ending *e = &in->ending;
    const struct server_stats *s = ctx_server(ctx, c);
    uint16_t offered = ch_max_version(c->ch);
    if (!c->ch->present) {
        /* the ClientHello was not captured, but the server's alert names the cause */
        if (!server_alert_is(e, ALERT_PROTOCOL_VERSION))
            return false;
        finding_init(f, self, CONF_MEDIUM);
        finding_evidence(f, e->alert->frame, "server  fatal alert protocol_version, in clear");
        finding_weigh(f, 0, SRC_CONNECTION, -5, NULL,
                      "the ClientHello is not in the capture: which versions the client offered, "
                      "and so which side to change, is not known");
        finding_explain(f, "The server refused the client's protocol version with the alert "
                           "protocol_version. The capture does not hold the ClientHello, so it "
                           "cannot show which versions the client offered.");
        finding_fix(f, "Enable a version both sides support (TLS 1.2 at least) on the server "
                       "(nginx ssl_protocols, Apache SSLProtocol, IIS SCHANNEL\\Protocols "
                       "registry keys) or on the client; capture from the start of the "
                       "connection to see the client's offer.");
        f->refs = "RFC 8446 6.2; RFC 5246 7.2.2; docs/diagnoses/protocol_version_mismatch.md";
        return true;
    }
    if (c->sh.present) {
        /* the client refuses the version the server chose; some clients
         * say so with protocol_version, others with another alert (internal_error,
         * handshake_failure) right after the ServerHello */
        if (e->alert == NULL || e->alert->from != SIDE_CLIENT || e->stage != STAGE_SERVER_FLIGHT)
            return false;
        bool alert70 = e->alert->description == ALERT_PROTOCOL_VERSION;
        bool old_version = c->sh.version < offered && c->sh.version <= 0x0302;
        if (!alert70 && !(old_version && !about_certificate_or_keys(e->alert->description)))
            return false;
        bool refused_elsewhere = false;
        for (uint8_t i = 0; s != NULL && i < s->n_refused_by_client; i++)
            refused_elsewhere = refused_elsewhere || s->refused_by_client[i] == c->sh.version;
        finding_init(f, self, alert70 ? CONF_HIGH : CONF_MEDIUM);
        finding_evidence(f, c->ch->frame, "client  ClientHello up to %s", name_version(offered).s);
        finding_evidence(f, c->sh.frame, "server  ServerHello choosing %s",
                         name_version(c->sh.version).s);
        finding_evidence(f, e->alert->frame, "client  fatal alert %s",
                         name_alert(e->alert->description).s);
        if (!alert70) {
            finding_weigh(f, c->sh.frame, SRC_STACK, 2, "RFC 8996",
                          "the server chose %s, below the client's %s; current clients refuse "
                          "TLS 1.0 and 1.1",
                          name_version(c->sh.version).s, name_version(offered).s);
            if (refused_elsewhere)
                finding_weigh(f, 0, SRC_SERVER, 4, NULL,
                              "another client refused this server's %s with protocol_version",
                              name_version(c->sh.version).s);
        }
        finding_explain(f, "The server chose %s and the client refuses it%s: its configuration "
                           "excludes that version (Java's jdk.tls.disabledAlgorithms, browsers "
                           "without TLS 1.0/1.1, iOS ATS requiring TLS 1.2).",
                        name_version(c->sh.version).s,
                        alert70 ? "" : ", with an alert that does not name the version");
        finding_fix(f, "Enable TLS 1.2 (and 1.3) on the server: IIS/SChannel on Windows Server "
                       "2008 R2/2012: registry SCHANNEL\\Protocols\\TLS 1.2\\Server Enabled=1, "
                       "DisabledByDefault=0, then reboot; nginx: ssl_protocols TLSv1.2 "
                       "TLSv1.3; Apache: SSLProtocol -all +TLSv1.2 +TLSv1.3.");
        f->refs = "RFC 8446 D.1; docs/diagnoses/protocol_version_mismatch.md";
        return true;
    }
    if (!hello_refused(c, e))
        return false;
    bool alert70 = server_alert_is(e, ALERT_PROTOCOL_VERSION);
    /* RFC 7568: no current server speaks SSL 3.0, whatever it answers */
    bool ssl3 = offered <= 0x0300;
    /* a reset, with other clients seen getting a version this one lacks */
    bool elsewhere_higher = false, elsewhere_lower = false;
    for (uint8_t i = 0; s != NULL && i < s->n_versions; i++) {
        elsewhere_higher = elsewhere_higher || s->versions[i] > offered;
        elsewhere_lower = elsewhere_lower || s->versions[i] < offered;
    }
    bool tls13_only = c->ch->versions.n > 0 && offered == 0x0304;
    for (uint16_t i = 0; tls13_only && i < c->ch->versions.n; i++)
        if (!reg_is_grease(c->ch->versions.v[i]) && c->ch->versions.v[i] != 0x0304)
            tls13_only = false;
    if (!alert70 && !ssl3 && !(e->closed && (elsewhere_higher || (tls13_only && elsewhere_lower))))
        return false;
    if (!alert70 && !ssl3 && e->alert != NULL)
        return false;
    finding_init(f, self, alert70 ? CONF_HIGH : CONF_MEDIUM);
    offer_and_refusal(f, c, e);
    char offer[96] = "";
    size_t used = 0;
    for (uint16_t i = 0; i < c->ch->versions.n && used < sizeof offer; i++)
        if (!reg_is_grease(c->ch->versions.v[i]))
            used += (size_t)snprintf(offer + used, sizeof offer - used, "%s%s",
                                     used ? ", " : "", name_version(c->ch->versions.v[i]).s);
    if (!offer[0])
        snprintf(offer, sizeof offer, "%s and below", name_version(offered).s);
    finding_explain(f, "The client offers %s; the server %s. ", offer,
                    alert70      ? "answers with protocol_version: it supports none of them"
                    : e->alert   ? "refuses it at once"
                                 : "closes the connection at once");
    if (ssl3)
        finding_explain(f, "SSL 3.0 is broken (POODLE) and prohibited (RFC 7568); current "
                           "servers refuse it, and since SSL 3.0 has no protocol_version alert "
                           "they answer handshake_failure. ");
    if (elsewhere_higher || elsewhere_lower) {
        finding_explain(f, "Other handshakes with this server in %s chose ",
                        ctx_captures(in->ctx, false));
        for (uint8_t i = 0; i < s->n_versions; i++)
            finding_explain(f, "%s%s", i ? ", " : "", name_version(s->versions[i]).s);
        finding_explain(f, ". ");
    }
    if (offered < 0x0303)
        finding_explain(f, "A client that cannot go above %s is an old stack (Windows 7 WinHTTP "
                           "without KB3140245, .NET before 4.6, Java 6/7, old Android).",
                        name_version(offered).s);
    finding_fix(f, offered < 0x0303
                       ? "Update or configure the client for TLS 1.2: Windows: KB3140245 and "
                         "DefaultSecureProtocols; .NET: SchUseStrongCrypto=1 or target 4.7+; "
                         "Java: -Djdk.tls.client.protocols=TLSv1.2. Re-enabling TLS 1.0/1.1 on "
                         "the server is a risk decision, not a fix."
                       : "Enable the version the client needs on the server: nginx ssl_protocols "
                         "TLSv1.2 TLSv1.3; Apache SSLProtocol; IIS: the SCHANNEL\\Protocols "
                         "registry keys (reboot), or allow TLS 1.2 on the client if the server "
                         "cannot do TLS 1.3.");
    f->refs = "RFC 8446 D.2 and 6.2; docs/diagnoses/protocol_version_mismatch.md";
    return true;
}
RULE(protocol_version_mismatch, "no protocol version in common", false);

static bool match_sni_required(const struct rule *self, const struct case_facts *in,
                               struct finding_draft *f)
{
    const struct conn *c = in->c;
    const struct rule_ctx *ctx = in->ctx;
    const struct ending *e = &in->ending;
    const struct server_stats *s = ctx_server(ctx, c);
    bool alert112 = e->alert != NULL && e->alert->from == SIDE_SERVER &&
                    e->alert->description == ALERT_UNRECOGNIZED_NAME;
    /* a server that insists on SNI may call it a missing extension */
    bool alert109 = !c->sh.present && !c->ch->has_sni && e->alert != NULL &&
                    e->alert->from == SIDE_SERVER && e->alert->description == ALERT_MISSING_EXTENSION;
    /* any refusal of a hello without SNI (handshake_failure, a reset) is a
     * candidate: CDNs and SNI callbacks answer so; the weighing decides */
    bool refused_no_sni = hello_refused(c, e) && !c->ch->has_sni;
    /* clients with SNI get through and none without */
    bool sni_helps = s != NULL && s->ok > 0 && s->saw_sni && !s->saw_no_sni_ok;
    /* a bare reset says too little on its own: it needs the contrast; an
     * alert other than handshake_failure names a cause of its own */
    if (refused_no_sni && e->alert == NULL && !sni_helps)
        refused_no_sni = false;
    if (refused_no_sni && e->alert != NULL && e->alert->description != ALERT_HANDSHAKE_FAILURE)
        refused_no_sni = false;
    if (!alert112 && !alert109 && !refused_no_sni)
        return false;
    finding_init(f, self, alert112 || (alert109 && sni_helps) ? CONF_HIGH
                          : alert109 || sni_helps             ? CONF_MEDIUM
                                                              : CONF_LOW);
    offer_and_refusal(f, c, e);
    if (!c->ch->has_sni && (alert112 || alert109 || sni_helps))
        finding_explain(f, "The client sent no server_name (SNI). The server hosts several "
                           "names on this address and needs SNI to choose the certificate; "
                           "without it, it refuses the handshake. ");
    else if (!c->ch->has_sni)
        finding_explain(f, "The client sent no server_name (SNI), and the server refused the "
                           "hello with %s. Servers that choose their certificate by name (CDNs, "
                           "virtual hosts, SNI callbacks) refuse a hello without SNI this way; "
                           "no other handshake in the capture confirms it. ",
                        name_alert(e->alert->description).s);
    else
        finding_explain(f, "The server does not know the name the client asked for, so it "
                           "has no certificate for it and refuses the handshake. ");
    if (alert109)
        finding_explain(f, "Its alert is missing_extension: the extension it misses is the "
                           "server_name this ClientHello lacks. ");
    if (!c->ch->has_sni && sni_helps)
        finding_explain(f, "In this capture, %u handshake%s with this server that carried SNI "
                           "succeeded and none without it did.",
                        s->ok, s->ok == 1 ? "" : "s");
    finding_fix(f, c->ch->has_sni
                       ? "Configure the server for this name (a virtual host with a certificate "
                         "that covers it), or have the client use a name the server serves."
                       : "Make the client send SNI (old clients: Java 6, Windows XP, Python 2 "
                         "before 2.7.9, scripts that connect by IP address), or give the server "
                         "a default certificate for clients without SNI (nginx: "
                         "default_server; IIS: a binding without \"Require Server Name "
                         "Indication\").");
    f->refs = "RFC 6066 3; docs/diagnoses/sni_required.md";
    return true;
}
RULE(sni_required, "the server needs SNI (or knows no such name)", false);

static bool match_alpn_mismatch(const struct rule *self, const struct case_facts *in,
                                struct finding_draft *f)
{
    const struct conn *c = in->c;
    const struct ending *e = &in->ending;
    if (e->alert == NULL || e->alert->description != ALERT_NO_APPLICATION_PROTOCOL)
        return false;
    finding_init(f, self, CONF_HIGH);
    offer_and_refusal(f, c, e);
    char names[160] = "";
    size_t used = 0;
    for (uint8_t i = 0; i < c->ch->n_alpn && used < sizeof names; i++) {
        char one[ALPN_MAX_LEN * 4];
        text_safe_buf(one, sizeof one, c->ch->alpn[i], c->ch->alpn_len[i]);
        used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "", one);
    }
    finding_explain(f, "The client offers the application protocols %s (ALPN) and the %s "
                       "supports none of them, so it ends the handshake with "
                       "no_application_protocol.",
                    names[0] ? names : "(none)", side_name(e->alert->from));
    finding_fix(f, "Enable a common protocol: on the server add the client's protocol (nginx: "
                   "http2 on the listen line for h2; gRPC needs h2), or configure the client "
                   "to offer what the server speaks (http/1.1).");
    f->refs = "RFC 7301 3.2; docs/diagnoses/alpn_mismatch.md";
    return true;
}
RULE(alpn_mismatch, "no application protocol (ALPN) in common", false);

/* How narrow is each part of the offer? A narrow part is the likely
 * reason for a bare handshake_failure when no other handshake tells. */
static size_t real_values(const struct u16_list *l)
{
    size_t n = 0;
    for (uint16_t i = 0; i < l->n; i++)
        n += !reg_is_grease(l->v[i]);
    return n;
}

/* Signature schemes of a single key type: 0x04xx/0x05xx/0x06xx/0x08xx RSA, 0x0403... */
static bool sigalgs_one_key_type(const struct u16_list *l, bool *ecdsa_only)
{
    bool rsa = false, ec = false, other = false;
    for (uint16_t i = 0; i < l->n; i++) {
        uint16_t v = l->v[i];
        uint8_t lo = v & 0xff, hi = v >> 8;
        if (reg_is_grease(v))
            continue;
        if ((hi >= 4 && hi <= 6 && lo == 3) || v == 0x0203)
            ec = true;
        else if ((hi >= 4 && hi <= 6 && lo == 1) || v == 0x0201 ||
                 (hi == 8 && (lo <= 6 || (lo >= 9 && lo <= 11))))
            rsa = true;
        else
            other = true;
    }
    *ecdsa_only = ec && !rsa && !other;
    return l->n > 0 && (rsa + ec + other) == 1;
}

enum narrow { NARROW_NONE, NARROW_SUITES, NARROW_GROUPS, NARROW_SIGALGS };

static enum narrow narrowest(const struct conn *c, const struct server_stats *s)
{
    bool ecdsa_only = false;
    if (s != NULL && s->n_suites > 0 && !offers_any_of(c->ch, s))
        return NARROW_SUITES;
    if (s != NULL && s->n_groups > 0) {
        bool any = false;
        for (uint8_t i = 0; i < s->n_groups; i++)
            for (uint16_t k = 0; k < c->ch->groups.n; k++)
                any = any || c->ch->groups.v[k] == s->groups[i];
        if (!any && c->ch->groups.n > 0)
            return NARROW_GROUPS;
    }
    if (ch_real_suites(c->ch) <= 2)
        return NARROW_SUITES;
    if (sigalgs_one_key_type(&c->ch->sigalgs, &ecdsa_only) && ecdsa_only)
        return NARROW_SIGALGS;
    if (c->ch->groups.total > 0 && real_values(&c->ch->groups) <= 1)
        return NARROW_GROUPS;
    if (ch_real_suites(c->ch) <= 4)
        return NARROW_SUITES;
    return NARROW_NONE;
}

static bool handshake_failure_after_hello(const struct conn *c, const struct ending *e)
{
    return hello_refused(c, e) && e->alert != NULL &&
           (e->alert->description == ALERT_HANDSHAKE_FAILURE ||
            e->alert->description == ALERT_INSUFFICIENT_SECURITY);
}

static void list_u16(struct finding_draft *f, const char *(*name)(uint16_t), const uint16_t *v,
                     size_t n)
{
    char buf[16];
    size_t shown = 0, more = 0;
    for (size_t i = 0; i < n; i++) {
        /* GREASE and the signalling suites are not part of the offer */
        if (reg_is_grease(v[i]) ||
            (name == reg_suite_name && (v[i] == 0x00ff || v[i] == 0x5600)))
            continue;
        if (shown == 6) {
            more++;
            continue;
        }
        finding_explain(f, "%s%s", shown ? ", " : "", reg_format_u16(name, v[i], buf, sizeof buf));
        shown++;
    }
    if (shown == 0)
        finding_explain(f, "(none)");
    else if (more > 0)
        finding_explain(f, " and %zu more", more);
}

/* A bare handshake_failure names no part of the offer: the parts that are
 * not the narrowest stay possible, as low-confidence alternatives. */
static bool low_alternative(const struct rule *self, const struct conn *c, const struct ending *e,
                            struct finding_draft *f, const char *what)
{
    finding_init(f, self, CONF_LOW);
    offer_and_refusal(f, c, e);
    finding_explain(f, "The alert does not say which part of the offer the server refused; "
                       "%s is possible too, though the offer is not narrow there.", what);
    finding_fix(f, "Compare the client's offer with the server's configuration, or capture a "
                   "client that works against the same server.");
    return true;
}

static bool match_no_shared_cipher_suite(const struct rule *self, const struct case_facts *in,
                                         struct finding_draft *f)
{
    const struct conn *c = in->c;
    const struct rule_ctx *ctx = in->ctx;
    const struct ending *e = &in->ending;
    const struct server_stats *s = ctx_server(ctx, c);
    bool alert = handshake_failure_after_hello(c, e);
    bool reset = hello_refused(c, e) && e->alert == NULL && s != NULL && s->n_suites > 0 &&
                 !offers_any_of(c->ch, s);
    if (!alert && !reset)
        return false;
    enum narrow n = narrowest(c, s);
    /* what the server chose for others is its preference, not its whole
     * list: none of it in this offer is evidence (weigh.c), not proof */
    bool none_chosen = s != NULL && s->n_suites > 0 && !offers_any_of(c->ch, s);
    if (!none_chosen && n != NARROW_SUITES && n != NARROW_NONE)
        return alert && low_alternative(self, c, e, f, "a missing common cipher suite");
    finding_init(f, self, CONF_MEDIUM);
    offer_and_refusal(f, c, e);
    finding_explain(f, "The client offers %zu cipher suite%s (", ch_real_suites(c->ch),
                    ch_real_suites(c->ch) == 1 ? "" : "s");
    list_u16(f, reg_suite_name, c->ch->suites, c->ch->n_suites);
    finding_explain(f, ") and the server refuses the handshake before choosing one. ");
    if (none_chosen) {
        char chosen[200];
        chosen_elsewhere(s, chosen, sizeof chosen);
        finding_explain(f, "In this capture the server chose %s for other clients, none of "
                           "which this client offers.",
                        chosen);
    } else if (ch_real_suites(c->ch) <= 4) {
        finding_explain(f, "No other handshake shows what the server accepts; a narrow suite "
                           "list answered with %s is the usual sign of no common suite.",
                        e->alert ? "handshake_failure" : "a reset");
    } else {
        finding_explain(f, "No other handshake shows what the server accepts; only a server "
                           "with an unusually narrow suite configuration would find nothing in "
                           "this offer.");
    }
    if (e->alert && e->alert->description == ALERT_INSUFFICIENT_SECURITY)
        finding_explain(f, " The alert is insufficient_security: the server requires "
                           "stronger suites than the client offers.");
    finding_fix(f, "Make the suite lists intersect, preferably on a modern AEAD suite such as "
                   "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256. nginx: ssl_ciphers; Apache: "
                   "SSLCipherSuite; OpenSSL-based servers also drop suites below their "
                   "@SECLEVEL; IIS/SChannel: the \"SSL Cipher Suite Order\" group policy; Java: "
                   "jdk.tls.disabledAlgorithms in java.security. On the client side, enable a "
                   "suite the server accepts.");
    f->refs = "RFC 5246 7.4.1.3 and 7.2.2; docs/diagnoses/no_shared_cipher_suite.md";
    return true;
}
RULE(no_shared_cipher_suite, "no cipher suite in common", false);

static bool match_no_shared_group(const struct rule *self, const struct case_facts *in,
                                  struct finding_draft *f)
{
    const struct conn *c = in->c;
    const struct rule_ctx *ctx = in->ctx;
    const struct ending *e = &in->ending;
    if (!handshake_failure_after_hello(c, e) || c->ch->groups.total == 0)
        return false;
    const struct server_stats *s = ctx_server(ctx, c);
    enum narrow n = narrowest(c, s);
    if (n != NARROW_GROUPS)
        return low_alternative(self, c, e, f, "a missing common key-exchange group");
    bool used_elsewhere = s != NULL && s->n_groups > 0;
    finding_init(f, self, CONF_MEDIUM);
    offer_and_refusal(f, c, e);
    bool one = real_values(&c->ch->groups) == 1;
    finding_explain(f, "The client offers %s ", one ? "only the key-exchange group"
                                                     : "the key-exchange groups");
    list_u16(f, reg_group_name, c->ch->groups.v, c->ch->groups.n);
    finding_explain(f, " and the server supports %s, so no ECDHE (or TLS 1.3) key exchange is "
                       "possible. ",
                    one ? "not that one" : "none of them");
    if (used_elsewhere) {
        finding_explain(f, "Other handshakes with this server used ");
        list_u16(f, reg_group_name, s->groups, s->n_groups);
        finding_explain(f, ".");
    } else {
        finding_explain(f, "Such a short group list is the likely part of the offer the "
                           "server refused.");
    }
    finding_fix(f, "Enable a common group on both sides, e.g. x25519 and secp256r1: OpenSSL "
                   "servers: ssl_ecdh_curve / Groups (nginx ssl_ecdh_curve X25519:prime256v1); "
                   "Java: jdk.tls.namedGroups; Windows: the ECC Curve Order group policy.");
    f->refs = "RFC 8446 4.2.7 and 4.1.1; RFC 8422 5.1; docs/diagnoses/no_shared_group.md";
    return true;
}
RULE(no_shared_group, "no key-exchange group in common", false);

static bool match_no_shared_signature_algorithm(const struct rule *self, const struct case_facts *in,
                                                struct finding_draft *f)
{
    const struct conn *c = in->c;
    const struct rule_ctx *ctx = in->ctx;
    const struct ending *e = &in->ending;
    if (!handshake_failure_after_hello(c, e) || c->ch->sigalgs.total == 0)
        return false;
    const struct server_stats *s = ctx_server(ctx, c);
    /* RFC 8446 4.2.3: a TLS 1.3 server with an RSA key signs with RSA-PSS only */
    bool no_pss = (hello_features(c->ch) & (1u << FEAT_NO_RSA_PSS)) != 0;
    if (narrowest(c, s) != NARROW_SIGALGS && !no_pss)
        return low_alternative(self, c, e, f, "a missing common signature scheme");
    finding_init(f, self, CONF_MEDIUM);
    offer_and_refusal(f, c, e);
    finding_explain(f, "The client accepts only these signature schemes: ");
    list_u16(f, reg_sigscheme_name, c->ch->sigalgs.v, c->ch->sigalgs.n);
    if (narrowest(c, s) == NARROW_SIGALGS)
        finding_explain(f, ". They all need an ECDSA key: a server whose certificate has an RSA "
                           "key cannot sign with any of them and refuses the handshake.");
    else
        finding_explain(f, ". None is RSA-PSS: in TLS 1.3 a server whose certificate has an RSA "
                           "key must sign its CertificateVerify with RSA-PSS (rsa_pkcs1_* "
                           "schemes are only for signatures inside certificates), so it has "
                           "nothing to sign with and refuses the handshake.");
    finding_fix(f, "Give the server a certificate whose key type the client accepts (an ECDSA "
                   "certificate, or both RSA and ECDSA: nginx and Apache take two "
                   "ssl_certificate lines), or let the client accept RSA signatures "
                   "(rsa_pss_rsae_sha256, rsa_pkcs1_sha256).");
    f->refs = "RFC 8446 4.2.3; RFC 5246 7.4.1.4.1; docs/diagnoses/no_shared_signature_algorithm.md";
    return true;
}
RULE(no_shared_signature_algorithm, "no signature scheme in common", false);

/* a ClientHello of a size some middleboxes choke on. */
static bool match_client_hello_size_intolerance(const struct rule *self, const struct case_facts *in,
                                                struct finding_draft *f)
{
    const struct conn *c = in->c;
    const struct rule_ctx *ctx = in->ctx;
    const struct ending *e = &in->ending;
    bool silent = e->stage == STAGE_HELLO_SENT && !(e->closed && e->close_by == SIDE_SERVER);
    /* the device may also reset or alert: then only the contrast with the
     * hellos of other sizes that got through tells it from other refusals */
    uint32_t sep = contrast_separating(in);
    bool by_size = (sep & (1u << FEAT_SIZE_256_511)) != 0;
    bool by_split = (sep & (1u << FEAT_SPLIT)) != 0;
    bool by_split_quic = (sep & (1u << FEAT_SPLIT_QUIC)) != 0;
    if (!silent &&
        !(hello_refused(c, e) && (e->alert == NULL || by_size || by_split || by_split_quic)))
        return false;
    /* the F5 bug (F5 BIG-IP): a ClientHello of 256 to 511 bytes hangs the box;
     * a TLS record over TCP only: QUIC pads every client Initial to 1200 bytes
     * (RFC 9000 14.1) */
    bool quic = c->quic != NULL;
    uint32_t record = c->ch->length;
    bool f5 = !quic && (silent || by_size) && record >= 256 && record <= 511;
    /* a ClientHello over several TCP segments, dropped or reset; over QUIC,
     * where an unanswered Initial is far more often UDP blocked on the way
     * (quic_blocked), only when single-datagram offers to the same server
     * were answered */
    bool split = c->ch->segments > 1 &&
                 (quic ? by_split_quic : c->ch->key_share_bytes >= 1000 || by_split);
    if (!f5 && !split)
        return false;
    const struct server_stats *s = ctx_server(ctx, c);
    finding_init(f, self, s != NULL && s->ok > 0 ? CONF_MEDIUM : CONF_LOW);
    offer_and_refusal(f, c, e);
    if (silent)
        finding_evidence(f, e->closed ? e->close_frame : c->last_frame,
                         "the server never answered");
    if (f5)
        finding_explain(f, "The ClientHello is %u bytes, in the 256-511 byte range that some "
                           "middleboxes and servers (F5 BIG-IP before 11.x fixes, some "
                           "IronPort and other appliances) cannot parse: they hang or drop the "
                           "connection. ",
                        record);
    if (split)
        finding_explain(f, "The ClientHello spans %u %s because of a %u-byte key "
                           "share (post-quantum hybrid). %s ",
                        c->ch->segments, quic ? "QUIC Initial datagrams" : "TCP segments",
                        c->ch->key_share_bytes,
                        quic ? "Servers and load balancers that route or answer on the first "
                               "Initial alone cannot read a ClientHello split over several "
                               "(RFC 9000 14.1 only guarantees 1200 bytes per datagram)."
                             : "Middleboxes that expect the whole ClientHello in one packet "
                               "fail on it.");
    if (s != NULL && s->ok > 0)
        finding_explain(f, "Other clients completed %u handshake%s with this server in the "
                           "capture.",
                        s->ok, s->ok == 1 ? "" : "s");
    finding_fix(f, f5 ? "Update the middlebox or server firmware; meanwhile a client can add "
                        "the padding extension (RFC 7685) so the ClientHello is at least 512 "
                        "bytes (OpenSSL and browsers do this)."
                      : "Update the middlebox; meanwhile disable the post-quantum key share "
                        "on the client (Chrome: the PostQuantumKeyAgreementEnabled policy).");
    f->refs = "RFC 7685; docs/diagnoses/client_hello_size_intolerance.md";
    return true;
}
RULE(client_hello_size_intolerance, "the ClientHello's size trips the server or a middlebox",
     false);

static bool match_server_reset_after_client_hello(const struct rule *self, const struct case_facts *in,
                                                  struct finding_draft *f)
{
    const struct conn *c = in->c;
    const struct ending *e = &in->ending;
    if (!hello_refused(c, e) || e->alert != NULL)
        return false;
    finding_init(f, self, CONF_LOW);
    offer_and_refusal(f, c, e);
    finding_explain(f, "The server (or a device in front of it) closed the connection right "
                       "after the ClientHello without an alert, and nothing else in the "
                       "capture tells which part of the offer it refused. Windows SChannel "
                       "does this for no common suite or version; firewalls and IPS devices "
                       "do it for names or fingerprints they block.");
    finding_fix(f, "Check the server's log (Windows: System log, Schannel events 36874 and "
                   "36888), compare the client's suites and versions with the server's "
                   "configuration, and capture a client that works against the same server "
                   "for comparison.");
    f->refs = "docs/diagnoses/server_reset_after_client_hello.md";
    return true;
}
RULE(server_reset_after_client_hello, "the server reset the connection after the ClientHello",
     true);
