/* pcapng_secrets.h: the TLS key logs a pcapng file carries in Decryption
 * Secrets Blocks (pcapng draft, section 4.7; secrets type 0x544c534b "TLSK",
 * the NSS key log format, as `editcap --inject-secrets tls,FILE` writes).
 * libpcap does not expose these blocks, so the file's blocks are read here,
 * through the cursor, before libpcap opens it. Only the blocks before the
 * first packet are read (where editcap puts them), so the cost does not
 * grow with the capture. */
#ifndef TLSX_PCAPNG_SECRETS_H
#define TLSX_PCAPNG_SECRETS_H

#include <stddef.h>
#include <stdint.h>
#include "util/capbuf.h"
#include "util/status.h"

#define PCAPNG_SECRETS_TLS 0x544c534bu
#define PCAPNG_MAX_SECRETS (16u << 20)  /* key log bytes kept from one file */
#define PCAPNG_MAX_BLOCK (64u << 20)    /* a longer block ends the scan */
#define PCAPNG_MAX_BLOCKS 4096          /* blocks read before giving up */

/* Appends to `out` (capped at PCAPNG_MAX_SECRETS) the TLS key log bytes of
 * every Decryption Secrets Block before the first packet of the pcapng
 * bytes p[0..n) (the file's start). Sets *found to the number of such
 * blocks. Damaged blocks end the scan quietly; only ST_NOMEM is an error. */
MUST_USE enum status pcapng_tls_secrets_bytes(const uint8_t *p, size_t n, struct capbuf *out,
                                              unsigned *found);
/* The same for a file; a file that is not pcapng (or cannot be opened:
 * libpcap will say so) yields nothing. */
MUST_USE enum status pcapng_tls_secrets(const char *path, struct capbuf *out, unsigned *found);

#endif
