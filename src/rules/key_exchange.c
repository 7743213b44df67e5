/* key_exchange.c: failures in the key exchange itself:
 * the 1-in-256 DHE leading-zero bug, other bad_record_mac, weak DH groups. */
#include <math.h>
#include <stdio.h>
#include "util/names.h"
#include "util/registry.h"
#include "rules/rules.h"

enum { ALERT_BAD_RECORD_MAC = 20, ALERT_DECRYPT_ERROR = 51, ALERT_HANDSHAKE_FAILURE = 40,
       ALERT_INSUFFICIENT_SECURITY = 71, ALERT_ILLEGAL_PARAMETER = 47, ALERT_DECODE_ERROR = 50 };

/* bad_record_mac (or decrypt_error) right after the client's Finished: the
 * two sides derived different keys. */
static bool keys_disagree(const struct conn *c, const struct ending *e)
{
    if (e->stage != STAGE_CLIENT_FINISHED)
        return false;
    if (e->alert != NULL)
        return e->alert->description == ALERT_BAD_RECORD_MAC ||
               e->alert->description == ALERT_DECRYPT_ERROR;
    /* SChannel resets instead of alerting */
    return e->closed && e->close_by == SIDE_SERVER && c->side[SIDE_SERVER].ccs_frame == 0;
}

/* Wilson score interval for k failures in n, 95 %. */
static void wilson(uint32_t k, uint32_t n, double *lo, double *hi)
{
    double z = 1.96, p = n ? (double)k / n : 0, d = 1 + z * z / n;
    double centre = (p + z * z / (2.0 * n)) / d;
    double half = z * sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / d;
    *lo = centre - half < 0 ? 0 : centre - half;
    *hi = centre + half;
}

/* A strict peer refuses a DH public value shorter than p right after it
 * arrives: the client after the ServerKeyExchange (Ys), or the server after
 * the ClientKeyExchange (Yc). Returns the side that refused, or -1. */
static int short_value_refused(const struct conn *c, const struct ending *e)
{
    if (!c->kx.ske_present || !c->kx.dhe)
        return -1;
    enum side by;
    if (e->alert != NULL)
        by = e->alert->from;
    else if (e->closed)
        by = e->close_by;
    else
        return -1;
    if (e->alert != NULL && e->alert->description != ALERT_ILLEGAL_PARAMETER &&
        e->alert->description != ALERT_DECODE_ERROR &&
        e->alert->description != ALERT_HANDSHAKE_FAILURE)
        return -1;
    if (by == SIDE_CLIENT && dh_ys_short(c) && !c->kx.cke_present &&
        e->stage == STAGE_SERVER_FLIGHT)
        return SIDE_CLIENT;
    if (by == SIDE_SERVER && dh_yc_short(c) && c->kx.cke_present &&
        c->side[SIDE_SERVER].ccs_frame == 0)
        return SIDE_SERVER;
    return -1;
}

static bool leading_zero_refused(const struct rule *self, const struct case_facts *in,
                                 struct finding_draft *f, enum side by)
{
    const struct conn *c = in->c;
    const struct ending *e = &in->ending;
    const struct server_stats *s = in->server;
    uint32_t short_failed = s ? s->dhe_short_failed : 1, short_ok = s ? s->dhe_short_ok : 0;
    uint32_t full_ok = s ? s->dhe_full_ok : 0, full_failed = s ? s->dhe_full_failed : 0;
    uint32_t total = short_failed + short_ok + full_ok + full_failed;
    /* the bug's signature: the short values fail, the full-length ones do not */
    bool pattern = short_ok == 0 && full_failed == 0 && full_ok >= 20;
    finding_init(f, self, pattern ? CONF_HIGH : CONF_MEDIUM);
    finding_evidence(f, c->sh.frame, "server  ServerHello choosing %s", name_suite(c->sh.suite).s);
    if (by == SIDE_CLIENT)
        finding_evidence(f, c->kx.ske_frame, "server  ServerKeyExchange: Ys %u bytes, p %u bytes",
                         c->kx.dh_ys_len, c->kx.dh_p_len);
    else
        finding_evidence(f, c->kx.cke_frame, "client  ClientKeyExchange: Yc %u bytes, p %u bytes",
                         c->kx.cke_len, c->kx.dh_p_len);
    if (e->alert != NULL)
        finding_evidence(f, e->alert->frame, "%s  fatal alert %s", side_name(by),
                         name_alert(e->alert->description).s);
    else
        finding_evidence(f, e->close_frame, "%s  %s without an alert", side_name(by),
                         e->rst ? "RST" : "FIN");
    finding_explain(f, "The %s's DH public value is shorter than the prime p: its value starts "
                       "with a zero byte, which the %s left out, as most stacks do (about 1 time "
                       "in 256). The %s requires a value as long as p and refused it. ",
                    by == SIDE_CLIENT ? "server" : "client", by == SIDE_CLIENT ? "server" : "client",
                    side_name(by));
    if (total > 1)
        finding_explain(f, "With this server, %u of %u DHE handshakes in %s had a "
                           "shorter value (1 in 256 is 0.39%%): %u of them failed; %u of the %u "
                           "full-length ones failed. ",
                        short_failed + short_ok, total, ctx_captures(in->ctx, false), short_failed,
                        full_failed,
                        full_ok + full_failed);
    if (pattern)
        finding_weigh(f, 0, SRC_SERVER, 4, NULL,
                      "every DHE handshake with a shorter public value failed and all %u "
                      "full-length ones succeeded",
                      full_ok);
    finding_explain(f, "This is the DHE leading-zero bug seen from the strict side: an "
                       "intermittent failure, not a wrong configuration of the DH group.");
    finding_fix(f, "Remove the TLS_DHE_* suites and use ECDHE, or update the strict side (old "
                   "Windows SChannel and Java versions refuse short values), or make the other "
                   "side send values padded to the length of p.");
    f->refs = "RFC 5246 7.4.7.2, 8.1.2; MS KB 4557473; JDK-8014618; docs/diagnoses/dhe_leading_zero.md";
    return true;
}

static bool match_dhe_leading_zero(const struct rule *self, const struct case_facts *in,
                                   struct finding_draft *f)
{
    const struct conn *c = in->c;
    const struct rule_ctx *ctx = in->ctx;
    const struct ending *e = &in->ending;
    const struct reg_suite *suite = reg_suite(c->sh.suite);
    if (suite == NULL || suite->kx != REG_KX_DHE)
        return false;
    int refused_by = short_value_refused(c, e);
    if (refused_by >= 0)
        return leading_zero_refused(self, in, f, (enum side)refused_by);
    if (!keys_disagree(c, e))
        return false;
    const struct server_stats *s = ctx_server(ctx, c);
    uint32_t failed = s ? s->dhe_failed_bad_record_mac : 1;
    uint32_t total = failed + (s ? s->dhe_ok : 0);
    double lo = 0, hi = 1;
    if (total > 0)
        wilson(failed, total, &lo, &hi);
    /* 1/256 inside the interval, several DHE handshakes that worked, and no
     * failure of another kind: the signature of the leading-zero bug */
    bool rate_fits = total >= 50 && lo <= 1.0 / 256 && hi >= 1.0 / 256 && failed * 20 < total;
    bool short_value = c->kx.dh_ys_leading_zero || c->kx.dh_yc_leading_zero;
    /* RFC 5246 7.4.9: with the client's key log, its Finished checked */
    const struct side_facts *cl = &c->side[SIDE_CLIENT];
    bool client_right = cl->finished_check == FINISHED_VERIFIED;
    bool client_wrong = cl->finished_check == FINISHED_MISMATCH;
    finding_init(f, self,
                 client_wrong ? CONF_LOW
                 : rate_fits || short_value || client_right ? CONF_HIGH : CONF_MEDIUM);
    finding_evidence(f, c->sh.frame, "server  ServerHello choosing %s", name_suite(c->sh.suite).s);
    if (c->kx.ske_present && c->kx.dhe)
        finding_evidence(f, c->kx.ske_frame, "server  ServerKeyExchange: %u-bit DH group, Ys %u "
                                             "bytes%s",
                         c->kx.dh_p_len * 8u, c->kx.dh_ys_len,
                         c->kx.dh_ys_leading_zero ? " (shorter than p: a leading zero)" : "");
    if (cl->finished_check != FINISHED_UNCHECKED)
        finding_evidence(f, cl->finished_frame,
                         "client  Finished, decrypted with the key log: its verify_data %s",
                         client_right ? "is right for the client's master secret"
                                      : "does not match the handshake messages");
    else if (cl->encrypted_hs_frame)
        finding_evidence(f, cl->encrypted_hs_frame, "client  ChangeCipherSpec and Finished");
    if (client_right)
        finding_weigh(f, cl->finished_frame, SRC_CONNECTION, 3, "RFC 5246 7.4.9",
                      "the client's Finished verifies under the client's master secret (key "
                      "log): it is intact, so the server that refuses it derived another secret");
    if (client_wrong)
        finding_weigh(f, cl->finished_frame, SRC_CONNECTION, -3, "RFC 5246 7.4.9",
                      "the client's Finished does not verify under the client's own master "
                      "secret: the client or the path is at fault, not the server's key "
                      "derivation");
    if (e->alert != NULL)
        finding_evidence(f, e->alert->frame, "server  fatal alert %s in clear",
                         e->alert->description == ALERT_BAD_RECORD_MAC ? "bad_record_mac"
                                                                      : "decrypt_error");
    else
        finding_evidence(f, e->close_frame, "server  %s without an alert",
                         e->rst ? "RST" : "FIN");
    finding_explain(f, "The handshake went through the DHE key exchange and the client's "
                       "Finished, then the server could not verify that Finished: the two "
                       "sides computed different keys. ");
    if (total > 1)
        finding_explain(f, "With this server, %u of %u DHE handshakes in %s failed "
                           "this way (%.2f%%, 95%% interval %.2f%%-%.2f%%; 1 in 256 is 0.39%%)%s. ",
                        failed, total, ctx_captures(in->ctx, false), 100.0 * failed / total,
                        100 * lo, 100 * hi,
                        s && s->ecdhe_ok ? ", while every ECDHE handshake succeeded" : "");
    finding_explain(f, "That rare, random failure is the DHE leading-zero bug: TLS 1.2 strips "
                       "leading zero bytes from the DH shared secret (RFC 5246 8.1.2); when "
                       "the secret starts with a zero byte (1 time in 256) a side that keeps "
                       "it derives another master secret.");
    if (short_value)
        finding_explain(f, " Here a public value is shorter than p, which some stacks also "
                           "mishandle.");
    if (client_right)
        finding_explain(f, " The client's Finished, decrypted with its key log, verifies under "
                           "the client's master secret and the handshake messages as captured: "
                           "it is intact and consistent, so the server, refusing it, derived "
                           "another master secret from the same key exchange, as this bug does "
                           "(which side keeps the zeros the key log cannot tell).");
    if (client_wrong)
        finding_explain(f, " But the client's Finished, decrypted with its key log, does not "
                           "verify even under the client's own master secret: the client "
                           "computed it wrongly or bytes of the handshake changed in the path, "
                           "which points away from the server.");
    finding_fix(f, "Either remove the TLS_DHE_* suites and use ECDHE (IIS/SChannel: the \"SSL "
                   "Cipher Suite Order\" group policy, or the Functions value under "
                   "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Cryptography\\Configuration\\"
                   "Local\\SSL\\00010002, then reboot; nginx/Apache: drop DHE from ssl_ciphers "
                   "/ SSLCipherSuite), or update the side that keeps the zeros: Windows before "
                   "Windows 10 1511 / Server 2016, Java before 7u67 / 8u20 (JDK-8014618).");
    f->refs = "RFC 5246 8.1.2; RFC 8446 7.4.1; MS KB 4557473; JDK-8014618; docs/diagnoses/dhe_leading_zero.md";
    return true;
}
RULE(dhe_leading_zero, "intermittent DHE failure: leading zero bytes of the shared secret",
     false);

/* The same, with the client's key log: the alert's description is known,
 * and whether the server's Finished opens under the keys of the client's
 * master secret tells where the bytes changed (RFC 5246 6.2.3, 7.4.9). */
static bool finished_refused_decrypted(const struct rule *self, const struct case_facts *in,
                                       struct finding_draft *f, const struct alert *a)
{
    const struct conn *c = in->c;
    const struct side_facts *sv = &c->side[SIDE_SERVER], *cl = &c->side[SIDE_CLIENT];
    bool server_opened = sv->decrypt == DECRYPT_OK && sv->decrypted_records > 0;
    bool server_failed = sv->decrypt == DECRYPT_FAILED && sv->decrypt_stop_frame != 0;
    bool client_opened = cl->decrypt == DECRYPT_OK && cl->decrypted_records > 0;
    finding_init(f, self, CONF_HIGH);
    if (server_failed)
        finding_evidence(f, sv->decrypt_stop_frame,
                         "server  Finished does not authenticate under the keys of the client's "
                         "master secret (key log)");
    else
        finding_evidence(f, sv->encrypted_hs_frame, "server  ChangeCipherSpec and Finished%s",
                         server_opened ? " (decrypted with the key log)" : "");
    finding_evidence(f, a->frame, "client  fatal alert %s (decrypted with the key log), no "
                                  "application data",
                     name_alert(a->description).s);
    if (in->ending.closed)
        finding_evidence(f, in->ending.close_frame, "%s  %s", side_name(in->ending.close_by),
                         in->ending.rst ? "RST" : "FIN");
    finding_weigh(f, a->frame, SRC_CONNECTION, 3, "RFC 5246 7.2.2",
                  "the client's alert, decrypted with its key log, is %s right after the "
                  "server's Finished",
                  name_alert(a->description).s);
    finding_explain(f, "Both sides sent ChangeCipherSpec and Finished; the client's first "
                       "protected record, decrypted with the client's key log, is the fatal "
                       "alert %s: the client refused the server's Finished. ",
                    name_alert(a->description).s);
    if (server_failed && client_opened)
        finding_explain(f, "The client's own records open under the keys of its master secret, "
                           "but the server's Finished as captured does not: the server encrypted "
                           "it under other keys (it derived another master secret) or the bytes "
                           "changed between the server and this capture point.");
    else if (server_opened)
        finding_explain(f, "The server's Finished as captured opens under the same keys, so the "
                           "server derived the client's master secret: the bytes the client "
                           "received differ from these, changed in the path between this "
                           "capture point and the client (a middlebox, a faulty NIC offload).");
    finding_fix(f, "Capture at both ends to see where bytes change in the path (a middlebox "
                   "rewriting TLS, a faulty NIC offload); update both TLS stacks; try another "
                   "key exchange (ECDHE instead of DHE) and extended master secret on both "
                   "sides.");
    f->refs = "RFC 5246 7.4.9; RFC 5246 7.2.2; RFC 5246 6.2.3; docs/diagnoses/bad_record_mac.md";
    return true;
}

/* The client's encrypted alert right after the server's Finished (TLS 1.2):
 * the description is encrypted, the moment and the size tell the story. */
static bool finished_not_verified(const struct rule *self, const struct case_facts *in,
                                  struct finding_draft *f, const struct alert *a)
{
    const struct conn *c = in->c;
    const struct side_facts *sv = &c->side[SIDE_SERVER];
    if (a->decrypted)
        return finished_refused_decrypted(self, in, f, a);
    finding_init(f, self, CONF_MEDIUM);
    finding_evidence(f, sv->encrypted_hs_frame, "server  ChangeCipherSpec and Finished");
    finding_evidence(f, a->frame, "client  encrypted alert (%u-byte record), no application data",
                     a->record_len);
    if (in->ending.closed)
        finding_evidence(f, in->ending.close_frame, "%s  %s", side_name(in->ending.close_by),
                         in->ending.rst ? "RST" : "FIN");
    finding_weigh(f, a->frame, SRC_PROTOCOL, 2, "RFC 5246 7.4.9, 7.2.2",
                  "a client that cannot verify the server's Finished answers with a fatal alert "
                  "(bad_record_mac or decrypt_error) in place of its first data");
    finding_explain(f, "Both sides sent ChangeCipherSpec and Finished, but the client's first "
                       "protected record is an alert, not application data, and the connection "
                       "closed without any data. The alert is encrypted; sent at this moment it "
                       "is the client refusing the server's Finished (bad_record_mac or "
                       "decrypt_error): the two sides derived different keys, or a device in "
                       "the path changed bytes of the handshake. A key log of the client "
                       "(--keylog) would show the alert's description.");
    finding_fix(f, "Capture at both ends to see whether bytes change in the path (a middlebox "
                   "rewriting TLS, a faulty NIC offload); update both TLS stacks; try another "
                   "key exchange (ECDHE instead of DHE) and extended master secret on both "
                   "sides.");
    f->refs = "RFC 5246 7.4.9; RFC 5246 7.2.2; docs/diagnoses/bad_record_mac.md";
    return true;
}

static bool match_bad_record_mac(const struct rule *self, const struct case_facts *in,
                                 struct finding_draft *f)
{
    const struct ending *e = &in->ending;
    const struct alert *late = tls12_alert_instead_of_data(in->c);
    if (late != NULL && (e->alert == NULL || late->decrypted) &&
        (!late->decrypted || late->description == ALERT_BAD_RECORD_MAC ||
         late->description == ALERT_DECRYPT_ERROR))
        return finished_not_verified(self, in, f, late);
    if (e->alert == NULL || e->alert->description != ALERT_BAD_RECORD_MAC)
        return false;
    finding_init(f, self, CONF_MEDIUM);
    finding_evidence(f, e->alert->frame, "%s  fatal alert bad_record_mac",
                     side_name(e->alert->from));
    finding_explain(f, "The %s could not authenticate a record from its peer: the two sides "
                       "derived different keys (a key-exchange bug such as extended master "
                       "secret or DH encoding differences), or the bytes were changed on the "
                       "way (a middlebox rewriting traffic, a faulty NIC offload).",
                    side_name(e->alert->from));
    finding_fix(f, "Update both TLS stacks; try another key exchange (ECDHE instead of DHE); "
                   "capture on both ends to see whether the bytes change in the path.");
    f->refs = "RFC 5246 7.2.2; docs/diagnoses/bad_record_mac.md";
    return true;
}
RULE(bad_record_mac, "a record failed its integrity check: the sides derived different keys",
     false);

/* the client refuses the server's DH group (OpenSSL "dh key too small"). */
static bool match_dh_parameters_rejected(const struct rule *self, const struct case_facts *in,
                                         struct finding_draft *f)
{
    const struct conn *c = in->c;
    const struct ending *e = &in->ending;
    if (!c->kx.ske_present || !c->kx.dhe || e->stage != STAGE_SERVER_FLIGHT || c->kx.cke_present)
        return false;
    bool client_alert = e->alert != NULL && e->alert->from == SIDE_CLIENT;
    bool client_close = e->alert == NULL && e->closed && e->close_by == SIDE_CLIENT;
    if (!client_alert && !client_close)
        return false;
    /* a group of 2048 bits or more is accepted by current clients: a refusal
     * of a shorter Ys there is the leading-zero bug (above), not the group */
    unsigned bits = c->kx.dh_p_len * 8u;
    if (bits >= 2048)
        return false;
    finding_init(f, self, CONF_HIGH);
    finding_evidence(f, c->sh.frame, "server  ServerHello choosing %s", name_suite(c->sh.suite).s);
    finding_evidence(f, c->kx.ske_frame, "server  ServerKeyExchange with a %u-bit DH group", bits);
    if (client_alert) {
        finding_evidence(f, e->alert->frame, "client  fatal alert %s",
                         name_alert(e->alert->description).s);
    } else {
        finding_evidence(f, e->close_frame, "client  %s without an alert", e->rst ? "RST" : "FIN");
    }
    finding_explain(f, "The server offers a %u-bit Diffie-Hellman group. Current clients "
                       "refuse groups below 2048 bits (Logjam): OpenSSL \"dh key too "
                       "small\", Java \"DH ServerKeyExchange does not comply to "
                       "algorithm constraints\", browsers since 2015-2016.",
                    bits);
    finding_fix(f, "Give the server a 2048-bit (or larger) DH group, e.g. RFC 7919 ffdhe2048: "
                   "nginx ssl_dhparam, Apache SSLOpenSSLConfCmd DHParameters, IIS: "
                   "ServerMinKeyBitLength under SCHANNEL\\KeyExchangeAlgorithms\\Diffie-Hellman; "
                   "better, prefer ECDHE suites and drop DHE.");
    f->refs = "RFC 7919; docs/diagnoses/dh_parameters_rejected.md";
    return true;
}
RULE(dh_parameters_rejected, "the client refused the server's DH group", false);
