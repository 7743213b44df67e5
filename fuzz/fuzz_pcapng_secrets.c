/* fuzz_pcapng_secrets.c: the Decryption Secrets Blocks of a pcapng file's
 * start (capture/pcapng_secrets.h), then the key log they carry, as the
 * driver reads them before libpcap opens the file.
 *
 * Input: the pcapng bytes. */
#include <stdint.h>
#include "capture/pcapng_secrets.h"
#include "tls/keylog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct capbuf out;
    unsigned found = 0;
    capbuf_init(&out, PCAPNG_MAX_SECRETS);
    if (pcapng_tls_secrets_bytes(data, size, &out, &found) == ST_OK && found > 0) {
        if (out.len > PCAPNG_MAX_SECRETS)
            __builtin_trap();
        struct keylog *k = keylog_new();
        if (k != NULL && keylog_feed(k, out.p, out.len) == ST_OK &&
            keylog_finish(k) == ST_OK) {
            struct keylog_counts n;
            keylog_get_counts(k, &n);
            if (n.secrets + n.ignored + n.malformed > n.lines)
                __builtin_trap();
        }
        keylog_free(k);
    }
    capbuf_free(&out);
    return 0;
}
