/* common.c: names and numbers shared by the text and JSON reporters. */
#include <stdio.h>
#include <time.h>
#include "rules/diagnosis.h"
#include "tls/handshake.h"
#include "util/registry.h"
#include "report/report.h"
#include "rules/verdict.h"

const char *report_message_name(const struct conn *c, const struct message *m)
{
    switch (m->type) {
    case MSG_CHANGE_CIPHER_SPEC: return "ChangeCipherSpec";
    case MSG_ENCRYPTED_RECORDS: return "encrypted handshake records";
    case MSG_SSLV2_CLIENT_HELLO: return "ClientHello";
    case MSG_SSLV2_SERVER_HELLO: return "SSLv2 ServerHello";
    case MSG_SSLV2_CLIENT_MASTER_KEY: return "SSLv2 ClientMasterKey";
    default: break;
    }
    if (m->type == HS_SERVER_HELLO && c->sh.hello_retry && m->frame == c->sh.hrr_frame)
        return "HelloRetryRequest";
    if (m->encrypted)
        return "Finished";
    const char *name = m->type < 256 ? reg_handshake_name((uint8_t)m->type) : NULL;
    return name ? name : "unknown";
}

bool report_is_tls_attempt(const struct conn *c)
{
    return c != NULL && c->verdict != VERDICT_TCP_ONLY;
}

const char *report_cause(const struct conn *c)
{
    const struct diagnosis *d = c != NULL ? c->diagnosis : NULL;
    if (c == NULL || c->verdict != VERDICT_FAILED || d == NULL)
        return NULL;
    return d->main.id;
}
