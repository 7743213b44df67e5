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
    bool kept_for_reuse; /* the process's one reusable module */
};

struct classify_flow {
    struct ndpi_flow_struct *f;
};

/* Building nDPI's module (IP prefix trees, string automata) takes about
 * 8 ms, tearing it down 2.5 ms: over a directory of small captures that
 * was 70% of the run. So a process keeps one module
 * from one capture to the next, but only while it is as built: nDPI 4.2
 * writes to its module after the build in one way only, by allocating a
 * cache (BitTorrent, STUN, Zoom, Teams, Ookla, mining, TLS certificates,
 * tinc) the first time a dissector wants one, and then filling it. Those
 * caches would carry what one capture taught nDPI into the next, so the
 * answer for a capture would depend on the captures read before it in the
 * same process, and with --jobs on timing. Every allocation nDPI makes
 * goes through the hooks below; once every flow is freed, a module holding
 * more blocks than when it was built has grown a cache and is dropped. */
static size_t ndpi_live_blocks;

static void *counted_malloc(size_t n)
{
    void *p = malloc(n);
    if (p != NULL)
        ndpi_live_blocks++;
    return p;
}

static void counted_free(void *p)
{
    if (p != NULL)
        ndpi_live_blocks--;
    free(p);
}

static struct {
    struct classifier *c;  /* NULL: none kept */
    bool lent;             /* a flow table has it */
    size_t blocks_built;   /* ndpi_live_blocks when it was built */
} reuse;

static size_t modules_built;

static enum status build(struct classifier **out)
{
    set_ndpi_malloc(counted_malloc); /* before nDPI's first allocation */
    set_ndpi_free(counted_free);
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
    modules_built++;
    *out = c;
    return ST_OK;
}

static void destroy(struct classifier *c)
{
    ndpi_exit_detection_module(c->ndpi);
    free(c);
}

enum status classifier_new(struct classifier **out)
{
    if (reuse.lent) /* a second table at once: it gets a module of its own */
        return build(out);
    if (reuse.c != NULL && ndpi_live_blocks != reuse.blocks_built) {
        destroy(reuse.c); /* something of the last capture stayed in it */
        reuse.c = NULL;
    }
    if (reuse.c == NULL) {
        TRY(build(&reuse.c));
        reuse.c->kept_for_reuse = true;
        reuse.blocks_built = ndpi_live_blocks;
    }
    reuse.lent = true;
    *out = reuse.c;
    return ST_OK;
}

void classifier_free(struct classifier *c)
{
    if (c == NULL)
        return;
    if (!c->kept_for_reuse) {
        destroy(c);
        return;
    }
    reuse.lent = false; /* judged at the next classifier_new, when flows are gone */
}

void classifier_release_all(void)
{
    if (reuse.c != NULL && !reuse.lent) {
        destroy(reuse.c);
        reuse.c = NULL;
    }
}

size_t classifier_modules_built(void)
{
    return modules_built;
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
