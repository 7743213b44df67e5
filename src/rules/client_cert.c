/* client_cert.c: mutual TLS: the server asked for a
 * client certificate and got none, or refused the one it got. */
#include "tls/handshake.h"
#include "util/names.h"
#include "rules/rules.h"

enum { ALERT_HANDSHAKE_FAILURE = 40, ALERT_BAD_CERTIFICATE = 42, ALERT_UNKNOWN_CA = 48,
       ALERT_CERTIFICATE_REQUIRED = 116 };

static bool is_certificate_alert(uint8_t d)
{
    return (d >= 42 && d <= 46) || d == 48 || d == 49;
}

/* TLS 1.3: the client sent its Finished, and the server's only answer is an
 * alert-sized encrypted record before it closes: it refused the client's
 * flight. The CertificateRequest and the alert are encrypted, so the size of
 * the client's flight tells whether it carried a certificate. Returns the
 * index of the server's alert record, or -1. */
static int tls13_flight_refused(const struct conn *c, const struct ending *e,
                                uint32_t *client_flight)
{
    const struct side_facts *cl = &c->side[SIDE_CLIENT], *sv = &c->side[SIDE_SERVER];
    if (!conn_is_tls13(c) || e->stage != STAGE_CLIENT_FINISHED)
        return -1;
    int k = -1;
    for (uint32_t i = 0; i < sv->appdata_records && i < 8; i++)
        if (sv->appdata_frames[i] > cl->appdata_frames[0]) {
            k = (int)i;
            break;
        }
    if (k < 0 || sv->appdata_len[k] != 19 || !(sv->fin_frame || sv->rst_frame))
        return -1;
    *client_flight = 0;
    for (uint32_t i = 0; i < cl->appdata_records && i < 8; i++)
        if (cl->appdata_frames[i] <= sv->appdata_frames[k])
            *client_flight += cl->appdata_len[i];
    return k;
}

/* A Certificate with one certificate does not fit in fewer bytes. */
#define TLS13_FLIGHT_WITH_CERT 300

static void tls13_evidence(struct finding_draft *f, const struct conn *c, int k, uint32_t flight)
{
    const struct side_facts *cl = &c->side[SIDE_CLIENT], *sv = &c->side[SIDE_SERVER];
    finding_evidence(f, cl->appdata_frames[0], "client  encrypted flight of %u bytes "
                                               "(Certificate?, Finished)", flight);
    finding_evidence(f, sv->appdata_frames[k], "server  one encrypted record of 19 bytes: an "
                                               "alert");
    finding_evidence(f, sv->fin_frame ? sv->fin_frame : sv->rst_frame, "server  closes");
    finding_explain(f, "TLS 1.3 hides the rest of the handshake: the server's "
                       "CertificateRequest and its alert are encrypted. The server answered "
                       "the client's last flight with an alert-sized record and closed. The "
                       "client's flight is %s to hold a certificate. A key log "
                       "(SSLKEYLOGFILE) would show the alert. ",
                    flight > TLS13_FLIGHT_WITH_CERT ? "large enough" : "too small");
}

/* " (decrypted)" after what a key log opened: TLS 1.3 hides the
 * CertificateRequest, both Certificate messages and the alerts. */
static const char *opened(bool decrypted)
{
    return decrypted ? " (decrypted with the key log)" : "";
}

/* Whether a message of this type and side was read by decrypting it. */
static bool message_decrypted(const struct conn *c, enum side from, uint16_t type)
{
    for (uint16_t i = 0; i < c->n_messages; i++)
        if (c->messages[i].from == from && c->messages[i].type == type)
            return c->messages[i].decrypted;
    return false;
}

static bool match_client_certificate_required(const struct rule *self, const struct case_facts *in,
                                              struct finding_draft *f)
{
    const struct conn *c = in->c;
    const struct ending *e = &in->ending;
    bool empty = c->cert_request && c->client_certs.present && c->client_certs.count == 0;
    bool alert116 = e->alert != NULL && e->alert->description == ALERT_CERTIFICATE_REQUIRED;
    bool server_refusal = e->alert != NULL && e->alert->from == SIDE_SERVER;
    /* the messages themselves, in clear or decrypted, before any guess from sizes */
    bool exact = alert116 || (empty && (server_refusal || (e->closed && e->close_by == SIDE_SERVER)));
    uint32_t flight = 0;
    int k = exact ? -1 : tls13_flight_refused(c, e, &flight);
    if (k >= 0 && flight <= TLS13_FLIGHT_WITH_CERT) {
        finding_init(f, self, CONF_MEDIUM);
        tls13_evidence(f, c, k, flight);
        finding_explain(f, "That is what a server requiring a client certificate does when "
                           "the client sends none (alert certificate_required).");
        finding_fix(f, "Configure the client with a certificate and key the server accepts, "
                       "or make client certificates optional on the server.");
        f->refs = "RFC 8446 4.4.2.4, 6.2; docs/diagnoses/client_certificate_required.md";
        return true;
    }
    if (!exact)
        return false;
    finding_init(f, self, CONF_HIGH);
    if (c->cert_request)
        finding_evidence(f, c->cert_request_frame, "server  CertificateRequest%s",
                         opened(message_decrypted(c, SIDE_SERVER, HS_CERTIFICATE_REQUEST)));
    if (c->client_certs.present)
        finding_evidence(f, c->client_certs.frame, "client  Certificate with %u certificates%s",
                         c->client_certs.count,
                         opened(message_decrypted(c, SIDE_CLIENT, HS_CERTIFICATE)));
    if (e->alert != NULL) {
        finding_evidence(f, e->alert->frame, "server  fatal alert %s%s",
                         name_alert(e->alert->description).s, opened(e->alert->decrypted));
    } else {
        finding_evidence(f, e->close_frame, "server  %s", e->rst ? "RST" : "FIN");
    }
    finding_explain(f, "The server requires a client certificate (mutual TLS). The client "
                       "had none to send%s, so the server ended the handshake.",
                    empty ? " (its Certificate message is empty)" : "");
    finding_fix(f, "Configure the client with its certificate and key (curl --cert/--key, "
                   "Java keystore via javax.net.ssl.keyStore, the Windows certificate store for "
                   "SChannel clients). The client only sends a certificate issued by one of the "
                   "CAs the server names in its CertificateRequest. If client certificates "
                   "should be optional, set the server so (nginx ssl_verify_client optional; "
                   "Apache SSLVerifyClient optional; IIS: SSL Settings, Client certificates: "
                   "Accept).");
    f->refs = "RFC 5246 7.4.6; RFC 8446 4.4.2.4; docs/diagnoses/client_certificate_required.md";
    return true;
}
RULE(client_certificate_required, "the server requires a client certificate", false);

static bool match_client_certificate_rejected(const struct rule *self, const struct case_facts *in,
                                              struct finding_draft *f)
{
    const struct conn *c = in->c;
    const struct ending *e = &in->ending;
    uint32_t flight = 0;
    /* a server alert in clear or decrypted says itself what it is */
    bool exact = e->alert != NULL && e->alert->from == SIDE_SERVER;
    int k = exact ? -1 : tls13_flight_refused(c, e, &flight);
    if (k >= 0 && flight > TLS13_FLIGHT_WITH_CERT) {
        finding_init(f, self, CONF_MEDIUM);
        tls13_evidence(f, c, k, flight);
        finding_explain(f, "That is what a server does when it refuses the client certificate "
                           "it got (unknown_ca, bad_certificate).");
        finding_fix(f, "Check that the client certificate is issued by a CA the server trusts "
                       "for client authentication, is valid, and has the clientAuth usage.");
        f->refs = "RFC 8446 4.4.2.4, 6.2; docs/diagnoses/client_certificate_rejected.md";
        return true;
    }
    if (!c->client_certs.present || c->client_certs.count == 0 || e->alert == NULL ||
        e->alert->from != SIDE_SERVER ||
        !(is_certificate_alert(e->alert->description) ||
          e->alert->description == ALERT_HANDSHAKE_FAILURE || e->alert->description == 51))
        return false;
    finding_init(f, self, is_certificate_alert(e->alert->description) ? CONF_HIGH : CONF_MEDIUM);
    finding_evidence(f, c->client_certs.frame, "client  Certificate with %u certificate%s%s",
                     c->client_certs.count, c->client_certs.count == 1 ? "" : "s",
                     opened(message_decrypted(c, SIDE_CLIENT, HS_CERTIFICATE)));
    finding_evidence(f, e->alert->frame, "server  fatal alert %s%s",
                     name_alert(e->alert->description).s, opened(e->alert->decrypted));
    finding_explain(f, "The client sent a certificate and the server refused it (%s). ",
                    name_alert(e->alert->description).s);
    if (e->alert->description == ALERT_UNKNOWN_CA)
        finding_explain(f, "unknown_ca: the server does not trust the CA that issued it.");
    else if (e->alert->description == ALERT_BAD_CERTIFICATE)
        finding_explain(f, "bad_certificate: it failed the server's checks (signature, "
                           "purpose, or the CertificateVerify).");
    else
        finding_explain(f, "The alert names the reason as far as the server tells it.");
    finding_fix(f, "Add the client certificate's issuing CA to the server's client-CA list "
                   "(nginx ssl_client_certificate, Apache SSLCACertificateFile, IIS: the "
                   "Trusted Root / client authentication issuers store), or issue the client "
                   "a certificate from a CA the server trusts, with the clientAuth extended "
                   "key usage and a valid date.");
    f->refs = "RFC 5246 7.4.6, 7.2.2; docs/diagnoses/client_certificate_rejected.md";
    return true;
}
RULE(client_certificate_rejected, "the server refused the client's certificate", false);
