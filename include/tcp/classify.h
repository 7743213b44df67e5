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

MUST_USE enum status classifier_new(struct classifier **out);
void classifier_free(struct classifier *c);

/* Feeds one IP packet of the flow (*flow is created on the first call).
 * Returns the protocol's name once nDPI knows it, else NULL. */
const char *classify_packet(struct classifier *c, struct classify_flow **flow,
                            const uint8_t *ip, size_t len, uint64_t time_ms);
/* No more packets: nDPI's best guess (or NULL), and the flow is freed. */
const char *classify_finish(struct classifier *c, struct classify_flow **flow);

#endif
