/* fuzz_cert.c: certificates as the server sent them, through cert_parse one
 * by one and cert_check_chain as a chain of up to three.
 *
 * Input: flags(1) len(2, big-endian) per certificate but the last, then the
 * DER bytes one after the other (the last takes the rest).
 *   flags bits 0-1  certificates: 1 + (bits % 3)
 *   flags bit 2     check against the test trust store (root-ca.pem)
 *   flags bits 4-5  capture time: 2023-11-14, 0, INT64_MIN, INT64_MAX
 *   flags bits 6-7  SNI: none, "good.test", "*.test", 255 bytes of 'a'
 * The store is loaded once from $FUZZ_CA_FILE, else the test PKI's root. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "x509/cert.h"

static struct cert_store *store;
static char long_sni[256];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *ca = getenv("FUZZ_CA_FILE");
    if (ca == NULL)
        ca = "test-captures/certs/pki/root-ca.pem";
    if (cert_store_load(ca, NULL, &store) != ST_OK)
        store = NULL;
    memset(long_sni, 'a', sizeof long_sni - 1);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int64_t times[4] = {1700000000, 0, INT64_MIN, INT64_MAX};
    const char *snis[4] = {NULL, "good.test", "*.test", long_sni};
    const uint8_t *der[3];
    size_t der_len[3];
    if (size < 1)
        return 0;
    uint8_t flags = data[0];
    size_t n = 1 + (size_t)(flags & 3) % 3;
    size_t pos = 1;
    for (size_t i = 0; i + 1 < n; i++) {
        size_t len = 0;
        if (size - pos >= 2) {
            len = (size_t)((data[pos] << 8) | data[pos + 1]);
            pos += 2;
        }
        der_len[i] = len;
    }
    for (size_t i = 0; i < n; i++) {
        size_t len = i + 1 < n ? der_len[i] : size - pos;
        if (len > size - pos)
            len = size - pos;
        der[i] = data + pos;
        der_len[i] = len;
        pos += len;
    }
    struct cert_info *info = malloc(sizeof *info);
    if (info == NULL)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (cert_parse(der[i], der_len[i], info) == ST_OK) {
            /* every string handed out must be terminated within its buffer */
            if (memchr(info->subject, 0, sizeof info->subject) == NULL ||
                memchr(info->issuer, 0, sizeof info->issuer) == NULL ||
                info->n_san > CERT_MAX_SAN)
                abort();
        }
    free(info);
    struct cert_chain_report rep;
    /* any status will do for such bytes: the check must return, in bounds */
    enum status st = cert_check_chain(der, der_len, n, times[(flags >> 4) & 3], snis[flags >> 6],
                                      (flags & 4) ? store : NULL, &rep);
    (void)st;
    return 0;
}
