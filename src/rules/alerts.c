/* alerts.c: a fatal alert that no specific rule explains, read with the
 * meaning its RFC gives; and the TLS 1.3 server
 * that answers the client's flight with an encrypted alert. */
#include "util/names.h"
#include "util/registry.h"
#include "rules/rules.h"

static const struct {
    uint8_t code;
    const char *meaning;
    const char *fix;
} alert_meanings[] = {
    {10, "a message arrived where the protocol does not allow it: the two stacks disagree "
         "on the handshake's order (a bug, a middlebox injecting bytes, or a renegotiation "
         "one side refuses)",
     "Update the stack that sent the unexpected message; capture on both ends if a "
     "middlebox may rewrite traffic."},
    {22, "a record was longer than TLS allows (2^14 bytes of plaintext, plus 2048 of "
         "expansion): a broken stack or a max_fragment_length the peer ignored",
     "Update the stack that sends oversized records."},
    {40, "the sender could not agree on a set of security parameters with this offer",
     "Compare the client's offer (suites, versions, groups, signature schemes) with the "
     "server's configuration."},
    {47, "a field in the peer's message had a value that is not allowed (a key share of the "
         "wrong size, a suite that was not offered, a bad extension value)",
     "Update the stack that sent the bad value; this is an implementation bug, not a "
     "configuration."},
    {50, "a message could not be decoded: a length or field is malformed",
     "Update the stack that sent the malformed message, or look for a middlebox that "
     "alters it."},
    {51, "a signature or the Finished check failed: the handshake transcript or the keys "
         "differ between the sides (a middlebox that changes handshake bytes, or a signing "
         "bug)",
     "Capture on both ends to see whether the handshake bytes change in transit; update "
     "the signing side."},
    {80, "the sender hit an internal error unrelated to the peer (memory, a bug, a hardware "
         "security module)",
     "Look at the log of the side that sent it."},
    {90, "the user or application cancelled the handshake", "Look at the client application."},
    {109, "the peer's message lacks an extension that is required (TLS 1.3: "
          "supported_versions, key_share, supported_groups or signature_algorithms)",
     "Update the client: a TLS 1.3 ClientHello must carry the mandatory extensions."},
    {110, "the peer sent an extension the sender did not offer or does not allow there",
     "Update the stack that sent the unsolicited extension."},
};

static bool match_handshake_alert(const struct rule *self, const struct case_facts *in,
                                  struct finding_draft *f)
{
    const struct conn *c = in->c;
    const struct ending *e = &in->ending;
    if (e->alert == NULL)
        return false;
    struct value_name alert_name = name_alert(e->alert->description);
    const char *name = alert_name.s;
    finding_init(f, self, CONF_MEDIUM);
    if (c->ch->present)
        finding_evidence(f, c->ch->frame, "client  ClientHello");
    if (c->sh.present)
        finding_evidence(f, c->sh.frame, "server  ServerHello");
    finding_evidence(f, e->alert->frame, "%s  fatal alert %s", side_name(e->alert->from), name);
    const char *meaning = NULL, *fix = NULL;
    for (size_t i = 0; i < sizeof alert_meanings / sizeof alert_meanings[0]; i++)
        if (alert_meanings[i].code == e->alert->description) {
            meaning = alert_meanings[i].meaning;
            fix = alert_meanings[i].fix;
        }
    finding_explain(f, "The %s ended the handshake with the fatal alert %s%s%s.",
                    side_name(e->alert->from), name, meaning ? ": " : "", meaning ? meaning : "");
    if (e->alert->description == 109 && c->ch->present && ch_max_version(c->ch) == 0x0304)
        finding_explain(f, " The ClientHello offers TLS 1.3 with %s key_share and %s "
                           "supported_groups.",
                        c->ch->key_shares.total ? "a" : "no", c->ch->groups.total ? "a" : "no");
    finding_fix(f, "%s", fix ? fix : "Look at the log of the side that sent the alert: it names "
                                     "the reason.");
    f->refs = "RFC 8446 6.2; RFC 5246 7.2.2; docs/diagnoses/handshake_alert.md";
    return true;
}
RULE(handshake_alert, "the handshake ended with a fatal alert", true);
