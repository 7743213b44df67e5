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

void report_counts(const struct analysis *a, struct file_counts *out)
{
    struct file_counts k = {0};
    /* connections let go early all succeeded */
    k.connections = k.ok = (size_t)a->flows.let_go;
    for (size_t i = 0; i < a->flows.n_conns; i++) {
        const struct conn *c = a->flows.conns[i];
        if (c == NULL)
            continue;
        k.connections++;
        switch ((enum verdict)c->verdict) {
        case VERDICT_OK: k.ok++; break;
        case VERDICT_FAILED: k.failed++; break;
        case VERDICT_INCOMPLETE: k.incomplete++; break;
        case VERDICT_NOT_TLS: k.not_tls++; break;
        case VERDICT_TCP_ONLY: break;
        }
    }
    k.tls = k.ok + k.failed + k.incomplete;
    *out = k;
}

const char *report_cause(const struct conn *c)
{
    const struct diagnosis *d = c != NULL ? c->diagnosis : NULL;
    if (c == NULL || c->verdict != VERDICT_FAILED || d == NULL)
        return NULL;
    return d->main.id;
}
