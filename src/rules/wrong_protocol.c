/* wrong_protocol.c: the two ends do not speak the same protocol: plain text
 * to a TLS port, or TLS to a plain-text port. */
#include <string.h>
#include "util/escape.h"
#include "rules/rules.h"
#include "rules/verdict.h"

/* What the first bytes of a plain-text stream say. */
static const char *plaintext_protocol(const struct side_facts *sf)
{
    static const struct {
        const char *prefix;
        const char *name;
    } known[] = {{"GET ", "HTTP"},   {"POST ", "HTTP"}, {"HEAD ", "HTTP"}, {"PUT ", "HTTP"},
                 {"OPTIONS ", "HTTP"}, {"CONNECT ", "HTTP"}, {"HTTP/1.", "HTTP"},
                 {"SSH-", "SSH"},    {"220 ", "SMTP or FTP"}, {"220-", "SMTP or FTP"},
                 {"EHLO", "SMTP"},   {"HELO", "SMTP"},  {"* OK", "IMAP"},  {"+OK", "POP3"},
                 {"PRI * HTTP/2", "HTTP/2 without TLS"}};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        size_t n = strlen(known[i].prefix);
        if (sf->first_bytes_len >= n && memcmp(sf->first_bytes, known[i].prefix, n) == 0)
            return known[i].name;
    }
    return NULL;
}

/* Text a person could have typed: printable ASCII and line ends. */
static bool printable(const struct side_facts *sf)
{
    for (uint8_t i = 0; i < sf->first_bytes_len; i++) {
        uint8_t ch = sf->first_bytes[i];
        if (!((ch >= 0x20 && ch < 0x7f) || ch == '\r' || ch == '\n' || ch == '\t'))
            return false;
    }
    return sf->first_bytes_len > 0;
}

static void first_bytes_text(const struct side_facts *sf, char *out, size_t len)
{
    char raw[sizeof sf->first_bytes + 1];
    size_t n = sf->first_bytes_len;
    memcpy(raw, sf->first_bytes, n);
    /* stop at the line end: the first line is what a person recognises */
    for (size_t i = 0; i < n; i++)
        if (raw[i] == '\r' || raw[i] == '\n') {
            n = i;
            break;
        }
    text_safe_buf(out, len, raw, n);
}

/* Protocols with their own TLS upgrade: their plain text is never "plain
 * text to a TLS port" (RFC 3207, RFC 2595, RFC 4217, PostgreSQL SSLRequest). */
static bool upgrade_protocol(const struct conn *c)
{
    switch ((enum plain_protocol)c->plain.protocol) {
    case PLAIN_SMTP:
    case PLAIN_IMAP:
    case PLAIN_POP3:
    case PLAIN_FTP:
    case PLAIN_POSTGRES:
        return true;
    case PLAIN_NONE:
    case PLAIN_HTTP:
        break;
    }
    return false;
}

static const char *upgrade_name(const struct conn *c)
{
    switch ((enum plain_protocol)c->plain.protocol) {
    case PLAIN_SMTP: return "SMTP STARTTLS";
    case PLAIN_IMAP: return "IMAP STARTTLS";
    case PLAIN_POP3: return "POP3 STLS";
    case PLAIN_FTP: return "FTP AUTH TLS";
    case PLAIN_POSTGRES: return "PostgreSQL SSLRequest";
    case PLAIN_NONE:
    case PLAIN_HTTP: break;
    }
    return "the TLS upgrade";
}

/* The server refused the upgrade the client asked for, or its capability
 * list does not offer it and the client left without going on in plain
 * text. Shared with the verdict (rules_rejudge). */
bool upgrade_refused(const struct conn *c)
{
    const struct plain_text *pt = &c->plain;
    if (!upgrade_protocol(c) || c->sh.present)
        return false;
    if (pt->request_frame != 0 && pt->refused)
        return true;
    return pt->capabilities_frame != 0 && !pt->offered && !pt->client_went_on &&
           !c->ch->present;
}

static bool match_starttls_refused(const struct rule *self, const struct case_facts *in,
                                   struct finding_draft *f)
{
    const struct conn *c = in->c;
    const struct plain_text *pt = &c->plain;
    if (!upgrade_refused(c))
        return false;
    bool explicit = pt->request_frame != 0 && pt->refused;
    finding_init(f, self, explicit ? CONF_HIGH : CONF_MEDIUM);
    char reply[80];
    text_safe_buf(reply, sizeof reply, pt->reply, pt->reply_len);
    if (pt->capabilities_frame != 0)
        finding_evidence(f, pt->capabilities_frame, "server  capabilities %s the upgrade",
                         pt->offered ? "list" : "do not list");
    if (pt->request_frame != 0)
        finding_evidence(f, pt->request_frame, "client  asks for %s", upgrade_name(c));
    if (explicit)
        finding_evidence(f, pt->reply_frame, "server  \"%s\": refused", reply);
    if (c->ch->present)
        finding_evidence(f, c->ch->frame, "client  ClientHello sent anyway, into plain text");
    if (explicit)
        finding_explain(f, "The client asked to start TLS with %s and the server refused "
                           "(\"%s\"): it has no TLS configured for this service, or it is "
                           "switched off. No TLS handshake could start%s.",
                        upgrade_name(c), reply,
                        c->ch->present ? "; the ClientHello the client sent anyway landed in "
                                         "the plain-text session"
                                       : "");
    else
        finding_explain(f, "The server's capability list does not offer %s, and the client "
                           "gave up without going on in plain text: it requires TLS and the "
                           "server has none to offer on this service.",
                        upgrade_name(c));
    finding_fix(f, "Configure TLS on the server for this service (Postfix: smtpd_tls_cert_file "
                   "and smtpd_tls_security_level = may; Dovecot: ssl = yes with ssl_cert; "
                   "PostgreSQL: ssl = on with ssl_cert_file and ssl_key_file; vsftpd: "
                   "ssl_enable=YES), or check that a middlebox does not strip STARTTLS from the "
                   "capability list (some firewalls do).");
    f->refs = "RFC 3207 4; RFC 2595 3-4; RFC 4217 4; docs/diagnoses/starttls_refused.md";
    return true;
}
RULE(starttls_refused, "the server refused or does not offer the TLS upgrade (STARTTLS)", false);

static bool match_plaintext_to_tls_port(const struct rule *self, const struct case_facts *in,
                                        struct finding_draft *f)
{
    const struct conn *c = in->c;
    const struct rule_ctx *ctx = in->ctx;
    const struct side_facts *cl = &c->side[SIDE_CLIENT], *sv = &c->side[SIDE_SERVER];
    if (!cl->not_tls || c->ch->present || upgrade_protocol(c))
        return false;
    bool server_tls = sv->records > 0;
    /* without help from other connections: an HTTP request answered by a
     * close without a byte, or by plain text naming HTTPS, SSL or TLS */
    bool says_tls = c->plain.protocol == PLAIN_HTTP && c->plain.names_tls_frame != 0;
    bool closed_silent = c->plain.protocol == PLAIN_HTTP && sv->bytes == 0 &&
                         (sv->fin_frame || sv->rst_frame);
    if (!server_tls && !says_tls && !closed_silent && !conn_is_tls_port(c, ctx))
        return false;
    const char *proto = plaintext_protocol(cl);
    if (proto == NULL && c->app_protocol[0])
        proto = c->app_protocol; /* nDPI's name for it */
    char first[80];
    first_bytes_text(cl, first, sizeof first);
    finding_init(f, self, server_tls || proto ? CONF_HIGH : CONF_MEDIUM);
    finding_evidence(f, cl->not_tls_frame, "client  \"%s\": %s, not a TLS record", first,
                     proto ? proto : "plain bytes");
    for (uint16_t i = 0; i < c->n_alerts; i++)
        if (c->alerts[i].from == SIDE_SERVER) {
            finding_evidence(f, c->alerts[i].frame, "server  TLS alert in reply");
            break;
        }
    if (sv->not_tls && sv->first_bytes_len) {
        char reply[80];
        first_bytes_text(sv, reply, sizeof reply);
        finding_evidence(f, sv->not_tls_frame, "server  \"%s\"", reply);
    }
    if (says_tls)
        finding_weigh(f, c->plain.names_tls_frame, SRC_CONNECTION, 4, NULL,
                      "the server's plain-text answer names HTTPS, SSL or TLS");
    if (closed_silent) {
        finding_evidence(f, sv->fin_frame ? sv->fin_frame : sv->rst_frame,
                         "server  %s without sending a byte", sv->fin_frame ? "FIN" : "RST");
        finding_weigh(f, sv->fin_frame ? sv->fin_frame : sv->rst_frame, SRC_STACK, 2, NULL,
                      "a TLS server closes on bytes that are no ClientHello; an HTTP server "
                      "would have answered");
    }
    finding_explain(f, "The client sent %s in plain text to port %u, where the server expects "
                       "a TLS ClientHello, so no handshake could start. The client is using "
                       "the wrong scheme (http:// instead of https://) or port.",
                    proto ? proto : "data", c->server_port);
    finding_fix(f, "Use https:// (or the TLS option of the client) for this port, or connect "
                   "to the server's plain-text port instead.");
    f->refs = "docs/diagnoses/plaintext_to_tls_port.md";
    return true;
}
RULE(plaintext_to_tls_port, "plain text sent to a TLS port", false);

static bool match_tls_to_plaintext_port(const struct rule *self, const struct case_facts *in,
                                        struct finding_draft *f)
{
    const struct conn *c = in->c;
    const struct side_facts *sv = &c->side[SIDE_SERVER];
    if (!c->ch->present || !sv->not_tls || c->sh.present)
        return false;
    /* a ClientHello sent after the server refused STARTTLS is a consequence */
    if (c->plain.request_frame != 0 && c->plain.refused)
        return false;
    const char *proto = plaintext_protocol(sv);
    if (proto == NULL && c->app_protocol[0])
        proto = c->app_protocol;
    char first[80];
    first_bytes_text(sv, first, sizeof first);
    /* binary bytes that are neither TLS nor a known protocol: a broken
     * server or middlebox as likely as a plain-text service */
    bool text = proto != NULL || printable(sv);
    finding_init(f, self, text ? CONF_HIGH : CONF_LOW);
    finding_evidence(f, c->ch->frame, "client  ClientHello");
    finding_evidence(f, sv->not_tls_frame, "server  \"%s\": %s, not TLS", first,
                     proto ? proto : text ? "plain text" : "bytes of no known protocol");
    finding_explain(f, "The client started TLS on port %u, but the server there speaks %s in "
                       "plain text and answered with that. The client uses https:// (or TLS) "
                       "against a plain-text port, or the server's TLS is on another port "
                       "(or needs STARTTLS first).",
                    c->server_port, proto ? proto : "another protocol");
    finding_fix(f, "Point the client at the server's TLS port (443 for HTTPS), or enable TLS "
                   "on this port of the server; for SMTP, IMAP and POP3 use STARTTLS on the "
                   "plain port or the implicit-TLS port (465, 993, 995).");
    f->refs = "docs/diagnoses/tls_to_plaintext_port.md";
    return true;
}
RULE(tls_to_plaintext_port, "a ClientHello sent to a plain-text port", false);
