/* fuzz_pcapng_secrets.c: the block walker of capture/pcapng_secrets.h as the
 * driver runs it: the capture's bytes fed in pieces as libpcap's reads
 * bring them, the secrets of the blocks before each packet released into a
 * key log between the pieces, the rest at the end. The pieces must not
 * change what is found: the whole input walked at once must give the same
 * key log bytes.
 *
 * Input: one byte that sets the piece size (1 to 256), then the pcapng bytes. */
#include <stdint.h>
#include <string.h>
#include "capture/pcapng_secrets.h"
#include "tls/keylog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static enum status to_buf(void *ud, const uint8_t *p, size_t n)
{
    return capbuf_append(ud, p, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t piece = (size_t)data[0] + 1;
    data++;
    size--;
    struct capbuf whole, pieces;
    unsigned found = 0;
    capbuf_init(&whole, PCAPNG_MAX_SECRETS + PCAPNG_MAX_SECRET_BLOCKS);
    capbuf_init(&pieces, PCAPNG_MAX_SECRETS + PCAPNG_MAX_SECRET_BLOCKS);
    struct pcapng_secrets *w = pcapng_secrets_new();
    struct keylog *k = keylog_new();
    if (w == NULL || k == NULL ||
        pcapng_tls_secrets_bytes(data, size, &whole, &found) != ST_OK)
        goto done;
    uint64_t packets = 0;
    for (size_t at = 0; at < size; at += piece) {
        pcapng_secrets_feed(w, data + at, size - at < piece ? size - at : piece);
        /* libpcap reads ahead: the packets it gave so far lag the bytes */
        if (pcapng_secrets_waiting(w) &&
            pcapng_secrets_release(w, packets++, to_buf, &pieces) != ST_OK)
            goto done;
    }
    if (pcapng_secrets_release(w, UINT64_MAX, to_buf, &pieces) != ST_OK)
        goto done;
    struct pcapng_secrets_counts n;
    pcapng_secrets_get_counts(w, &n);
    if (n.bytes > PCAPNG_MAX_SECRETS || n.over_cap > n.blocks || n.late > n.blocks ||
        n.blocks != found)
        __builtin_trap();
    if (pieces.len != whole.len || (whole.len > 0 && memcmp(pieces.p, whole.p, whole.len) != 0))
        __builtin_trap();
    if (keylog_feed(k, pieces.p, pieces.len) == ST_OK && keylog_finish(k) == ST_OK) {
        struct keylog_counts kc;
        keylog_get_counts(k, &kc);
        if (kc.secrets + kc.ignored + kc.malformed > kc.lines)
            __builtin_trap();
    }
done:
    keylog_free(k);
    pcapng_secrets_free(w);
    capbuf_free(&whole);
    capbuf_free(&pieces);
    return 0;
}
