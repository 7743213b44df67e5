/* cert_json.c: the certificates a connection carried, as JSON. */
#include "util/names.h"
#include "x509/cert.h"
#include "util/escape.h"
#include "report/report.h"

/* X509v3 key usage bits as libcrypto reports them (RFC 5280 4.2.1.3). */
static const struct {
    uint32_t bit;
    const char *name;
} key_usages[] = {
    {0x80, "digitalSignature"}, {0x40, "nonRepudiation"}, {0x20, "keyEncipherment"},
    {0x10, "dataEncipherment"}, {0x08, "keyAgreement"},   {0x04, "keyCertSign"},
    {0x02, "cRLSign"},          {0x01, "encipherOnly"},   {0x8000, "decipherOnly"},
};

static void usages(FILE *f, const struct cert_info *ci)
{
    fputs(",\"key_usage\":", f);
    if (!ci->has_key_usage) {
        fputs("null", f);
    } else {
        bool any = false;
        fputc('[', f);
        for (size_t i = 0; i < sizeof key_usages / sizeof key_usages[0]; i++)
            if (ci->key_usage & key_usages[i].bit) {
                fprintf(f, "%s\"%s\"", any ? "," : "", key_usages[i].name);
                any = true;
            }
        fputc(']', f);
    }
    fputs(",\"extended_key_usage\":", f);
    if (!ci->has_eku) {
        fputs("null", f);
        return;
    }
    fprintf(f, "[%s%s%s%s%s]", ci->eku_server_auth ? "\"serverAuth\"" : "",
            ci->eku_server_auth && (ci->eku_client_auth || ci->eku_any) ? "," : "",
            ci->eku_client_auth ? "\"clientAuth\"" : "",
            ci->eku_client_auth && ci->eku_any ? "," : "", ci->eku_any ? "\"anyExtendedKeyUsage\"" : "");
}

static void one_list(FILE *f, const struct conn *c, const struct cert_msg *m, enum side from,
                     bool *any, struct cert_cache *certs)
{
    for (uint16_t i = 0; i < m->kept; i++) {
        struct cert_info ci;
        fprintf(f, "%s{\"frame\":%llu,\"from\":\"%s\",\"index\":%u", *any ? "," : "",
                (unsigned long long)m->frame, side_name(from), i);
        *any = true;
        if (cert_parse_cached(certs, c->cert_bytes + m->der[i].off, m->der[i].len, &ci) != ST_OK) {
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
        fputs("],\"san_ip\":[", f);
        bool first_ip = true;
        for (size_t k = 0; k < ci.n_san; k++)
            if (ci.san_ip[k]) {
                fputs(first_ip ? "" : ",", f);
                json_cstr(f, ci.san[k]);
                first_ip = false;
            }
        fputs("],\"not_before\":", f);
        json_cstr(f, tstamp_iso((struct tstamp){ci.not_before, 0}).s);
        fputs(",\"not_after\":", f);
        json_cstr(f, tstamp_iso((struct tstamp){ci.not_after, 0}).s);
        fputs(",\"signature_algorithm\":", f);
        json_cstr(f, ci.signature_algorithm);
        fprintf(f, ",\"key\":\"%s %d\",\"self_signed\":%s,\"ca\":%s", ci.key_type, ci.key_bits,
                ci.self_signed ? "true" : "false", ci.is_ca ? "true" : "false");
        usages(f, &ci);
        fprintf(f, ",\"sha256\":\"%s\"}", ci.sha256);
    }
}

/* The checks of the server's chain at capture time (set by the rule engine). */
void report_json_chain_checks(FILE *f, const struct conn *c)
{
    if (!c->chain_checked) {
        fputs("null", f);
        return;
    }
    fputs("{\"problems\":[", f);
    bool any = false;
    for (uint32_t bit = 1; bit != 0 && bit <= CERT_P_MALFORMED; bit <<= 1)
        if (c->chain_problems & bit) {
            fprintf(f, "%s\"%s\"", any ? "," : "", cert_problem_name((enum cert_problem)bit));
            any = true;
        }
    fputs("]}", f);
}

void report_json_certificates(FILE *f, const struct conn *c, struct cert_cache *certs)
{
    bool any = false;
    fputc('[', f);
    one_list(f, c, &c->server_certs, SIDE_SERVER, &any, certs);
    one_list(f, c, &c->client_certs, SIDE_CLIENT, &any, certs);
    fputc(']', f);
}
