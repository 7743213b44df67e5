/* classify.h: names the protocol of a stream that is not TLS (HTTP, SSH,
 * SMTP, ...) with nDPI. Classification only: nDPI never parses TLS here. */
#ifndef TLSX_CLASSIFY_H
#define TLSX_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>
#include "util/status.h"

struct classifier;
struct classify_flow;

/* Packets of one flow given to nDPI at most: it decides on the first few. */
#define CLASSIFY_MAX_PACKETS 10

/* A module for one flow table. The process keeps one module from one
 * capture to the next while nDPI has learnt nothing in it (see classify.c),
 * so each capture is classified as by a module of its own. */
MUST_USE enum status classifier_new(struct classifier **out);
/* The table is done with it: flows given to it must be finished first. */
void classifier_free(struct classifier *c);
/* Frees the module kept for reuse (at the end of the run). */
void classifier_release_all(void);
/* Modules built by this process so far. */
size_t classifier_modules_built(void);

/* Feeds one IP packet of the flow (*flow is created on the first call).
 * Returns the protocol's name once nDPI knows it, else NULL. */
const char *classify_packet(struct classifier *c, struct classify_flow **flow,
                            const uint8_t *ip, size_t len, uint64_t time_ms);
/* No more packets: nDPI's best guess (or NULL), and the flow is freed. */
const char *classify_finish(struct classifier *c, struct classify_flow **flow);

#endif
