/* report_cert.c: the certificates a connection carried, as JSON. */
#include "cert.h"
#include "json_out.h"
#include "report.h"

static void one_list(FILE *f, const struct conn *c, const struct cert_msg *m, enum side from,
                     bool *any)
{
    char when[40];
    for (uint16_t i = 0; i < m->kept; i++) {
        struct cert_info ci;
        fprintf(f, "%s{\"frame\":%llu,\"from\":\"%s\",\"index\":%u", *any ? "," : "",
                (unsigned long long)m->frame, side_name(from), i);
        *any = true;
        if (cert_parse(c->cert_bytes + m->der[i].off, m->der[i].len, &ci) != ST_OK) {
            fputs(",\"malformed\":true}", f);
            continue;
        }
        fputs(",\"subject\":", f);
        json_cstr(f, ci.subject);
        fputs(",\"issuer\":", f);
        json_cstr(f, ci.issuer);
        fputs(",\"san\":[", f);
        for (size_t k = 0; k < ci.n_san; k++) {
            if (k)
                fputc(',', f);
            json_cstr(f, ci.san[k]);
        }
        fputs("],\"not_before\":", f);
        report_iso_time((struct tstamp){ci.not_before, 0}, when, sizeof when);
        json_cstr(f, when);
        fputs(",\"not_after\":", f);
        report_iso_time((struct tstamp){ci.not_after, 0}, when, sizeof when);
        json_cstr(f, when);
        fputs(",\"signature_algorithm\":", f);
        json_cstr(f, ci.signature_algorithm);
        fprintf(f, ",\"key\":\"%s %d\",\"self_signed\":%s,\"ca\":%s,\"sha256\":\"%s\"}",
                ci.key_type, ci.key_bits, ci.self_signed ? "true" : "false",
                ci.is_ca ? "true" : "false", ci.sha256);
    }
}

void report_json_certificates(FILE *f, const struct conn *c)
{
    bool any = false;
    fputc('[', f);
    one_list(f, c, &c->server_certs, SIDE_SERVER, &any);
    one_list(f, c, &c->client_certs, SIDE_CLIENT, &any);
    fputc(']', f);
}
