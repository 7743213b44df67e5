/* classify.c: nDPI behind a small interface (see classify.h). */
#include <stdlib.h>
#include <string.h>
#include "tcp/classify.h"

/* nDPI's headers are not written for -Wall -Wextra -Werror */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wshadow"
#include <ndpi/ndpi_api.h>
#pragma GCC diagnostic pop

struct classifier {
    struct ndpi_detection_module_struct *ndpi;
};

struct classify_flow {
    struct ndpi_flow_struct *f;
};

enum status classifier_new(struct classifier **out)
{
    struct classifier *c = calloc(1, sizeof *c);
    ENSURE(c != NULL, ST_NOMEM);
    c->ndpi = ndpi_init_detection_module(ndpi_no_prefs);
    if (c->ndpi == NULL) {
        free(c);
        return ST_NOMEM;
    }
    NDPI_PROTOCOL_BITMASK all;
    NDPI_BITMASK_SET_ALL(all);
    ndpi_set_protocol_detection_bitmask2(c->ndpi, &all);
    ndpi_finalize_initialization(c->ndpi);
    *out = c;
    return ST_OK;
}

void classifier_free(struct classifier *c)
{
    if (c == NULL)
        return;
    ndpi_exit_detection_module(c->ndpi);
    free(c);
}

static const char *name_of(struct classifier *c, ndpi_protocol p)
{
    uint16_t id = p.app_protocol != NDPI_PROTOCOL_UNKNOWN ? p.app_protocol : p.master_protocol;
    if (id == NDPI_PROTOCOL_UNKNOWN)
        return NULL;
    return ndpi_get_proto_name(c->ndpi, id);
}

const char *classify_packet(struct classifier *c, struct classify_flow **flow,
                            const uint8_t *ip, size_t len, uint64_t time_ms)
{
    if (*flow == NULL) {
        struct classify_flow *cf = calloc(1, sizeof *cf);
        if (cf == NULL)
            return NULL;
        cf->f = ndpi_flow_malloc(SIZEOF_FLOW_STRUCT);
        if (cf->f == NULL) {
            free(cf);
            return NULL;
        }
        memset(cf->f, 0, SIZEOF_FLOW_STRUCT);
        *flow = cf;
    }
    /* nDPI takes a 16-bit length: a longer packet is cut, its header stays whole */
    unsigned short n = len > 65535 ? 65535 : (unsigned short)len;
    return name_of(c, ndpi_detection_process_packet(c->ndpi, (*flow)->f, ip, n, time_ms));
}

const char *classify_finish(struct classifier *c, struct classify_flow **flow)
{
    const char *name = NULL;
    if (*flow == NULL)
        return NULL;
    uint8_t guessed = 0;
    name = name_of(c, ndpi_detection_giveup(c->ndpi, (*flow)->f, 1, &guessed));
    ndpi_free_flow((*flow)->f);
    free(*flow);
    *flow = NULL;
    return name;
}
