/* pcapng_secrets.h: the TLS key logs a pcapng capture carries in Decryption
 * Secrets Blocks (pcapng draft, section 4.7; secrets type 0x544c534b "TLSK",
 * the NSS key log format, as `editcap --inject-secrets tls,FILE` writes).
 * libpcap does not expose these blocks, so a walker follows the block
 * boundaries of the same bytes libpcap reads, fed as they are read (from a
 * file, standard input or a decompressed archive member), and keeps each
 * block's secrets with the number of packets before it: as in Wireshark, a
 * block's secrets serve the packets after it. The walk costs a few bytes of
 * state per block; only secrets are kept, capped. */
#ifndef TLSX_PCAPNG_SECRETS_H
#define TLSX_PCAPNG_SECRETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "util/capbuf.h"
#include "util/status.h"

#define PCAPNG_SECRETS_TLS 0x544c534bu
#define PCAPNG_MAX_SECRETS (16u << 20)  /* key log bytes kept from one capture */
#define PCAPNG_MAX_SECRET_BLOCKS 65536u /* blocks kept from one capture */
#define PCAPNG_MAX_BLOCK (64u << 20)    /* a longer block ends the walk */

struct pcapng_secrets;

/* What the walk found. */
struct pcapng_secrets_counts {
    bool pcapng;              /* a Section Header Block was read */
    unsigned blocks;          /* TLS secrets blocks read */
    unsigned late;            /* ... of them after the first packet */
    unsigned over_cap;        /* ... not kept: past PCAPNG_MAX_SECRETS or
                               * PCAPNG_MAX_SECRET_BLOCKS */
    uint64_t bytes;           /* key log bytes kept */
    bool lost;                /* a block broke the format: no block after it read */
    bool nomem;               /* out of memory: no block after it read */
};

/* NULL when out of memory. */
struct pcapng_secrets *pcapng_secrets_new(void);
void pcapng_secrets_free(struct pcapng_secrets *w);
/* The capture's bytes in order, split anywhere. Bytes that are no pcapng
 * (a classic pcap) end the walk at once; damage ends it quietly (lost), as
 * it ends libpcap's read. */
void pcapng_secrets_feed(struct pcapng_secrets *w, const uint8_t *p, size_t n);
/* Receives released key log bytes; an error stops the release. */
typedef enum status pcapng_secrets_fn(void *ud, const uint8_t *p, size_t n);
/* Hands to fn, once each and in file order, the key log of every block
 * walked so far with at most `packets` packets before it (UINT64_MAX: all),
 * each block's bytes followed by a newline. */
MUST_USE enum status pcapng_secrets_release(struct pcapng_secrets *w, uint64_t packets,
                                            pcapng_secrets_fn *fn, void *ud);
/* Whether a block walked waits to be released: a test cheap for every packet. */
bool pcapng_secrets_waiting(const struct pcapng_secrets *w);
void pcapng_secrets_get_counts(const struct pcapng_secrets *w, struct pcapng_secrets_counts *out);

/* The whole of p[0..n) walked and released into `out` (which caps it);
 * *found: the TLS secrets blocks read. Only ST_NOMEM is an error. */
MUST_USE enum status pcapng_tls_secrets_bytes(const uint8_t *p, size_t n, struct capbuf *out,
                                              unsigned *found);

#endif
