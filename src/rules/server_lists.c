/* server_lists.c: the suites, versions and groups a server chose, kept in
 * blocks that grow with what the capture shows (see rules.h). A capture of
 * a scan has one handshake with each of 100,000 servers: room for 32 suites
 * and 8 versions and groups in each would be 83 MB, nearly all zeros. */
#include <stdlib.h>
#include <string.h>
#include "rules/rules.h"

/* One list's arrays, wherever it lives in the struct. count is NULL for the
 * groups, which are not counted. */
struct list_ref {
    uint16_t **val;
    uint32_t **count;
    uint64_t **frame;
    uint32_t **file;
    uint8_t *n, *cap;
    uint8_t max;
};

static struct list_ref list_of(struct server_stats *s, enum server_list which)
{
    switch (which) {
    case SERVER_SUITES:
        return (struct list_ref){&s->suites, &s->suite_count, &s->suite_frame, &s->suite_file,
                                 &s->n_suites, &s->cap_suites, SERVER_MAX_SUITES};
    case SERVER_VERSIONS:
        return (struct list_ref){&s->versions, &s->version_count, &s->version_frame,
                                 &s->version_file, &s->n_versions, &s->cap_versions,
                                 SERVER_MAX_VERSIONS};
    case SERVER_GROUPS:
        break;
    }
    return (struct list_ref){&s->groups, NULL, &s->group_frame, &s->group_file, &s->n_groups,
                             &s->cap_groups, SERVER_MAX_GROUPS};
}

/* The block: frames, then counts, files and values, cap of each (the
 * frames first, so that the block is the frames' pointer and aligned). */
static size_t block_size(size_t cap, bool counted)
{
    return cap * (sizeof(uint64_t) + (counted ? sizeof(uint32_t) : 0) + sizeof(uint32_t) +
                  sizeof(uint16_t));
}

/* Room for one more entry in the list: ST_LIMIT when it holds its most. */
static enum status server_list_room(struct server_stats *s, enum server_list which)
{
    struct list_ref l = list_of(s, which);
    if (*l.n < *l.cap)
        return ST_OK;
    if (*l.cap >= l.max)
        return ST_LIMIT;
    size_t cap = *l.cap == 0 ? 1 : (size_t)*l.cap * 2;
    if (cap > l.max)
        cap = l.max;
    uint8_t *block = malloc(block_size(cap, l.count != NULL));
    ENSURE(block != NULL, ST_NOMEM);
    uint64_t *frame = (uint64_t *)block;
    uint32_t *count = l.count != NULL ? (uint32_t *)(frame + cap) : NULL;
    uint32_t *file = count != NULL ? count + cap : (uint32_t *)(frame + cap);
    uint16_t *val = (uint16_t *)(file + cap);
    size_t n = *l.n;
    if (n > 0) {
        memcpy(frame, *l.frame, n * sizeof *frame);
        if (count != NULL)
            memcpy(count, *l.count, n * sizeof *count);
        memcpy(file, *l.file, n * sizeof *file);
        memcpy(val, *l.val, n * sizeof *val);
    }
    free(*l.frame);
    *l.frame = frame, *l.file = file, *l.val = val;
    if (l.count != NULL)
        *l.count = count;
    *l.cap = (uint8_t)cap;
    return ST_OK;
}

enum status server_list_note(struct server_stats *s, enum server_list which, uint16_t v,
                             uint32_t count, uint64_t frame, uint32_t file)
{
    struct list_ref l = list_of(s, which);
    for (uint8_t i = 0; i < *l.n; i++)
        if ((*l.val)[i] == v) {
            if (l.count != NULL)
                (*l.count)[i] += count;
            return ST_OK;
        }
    enum status st = server_list_room(s, which);
    if (st == ST_LIMIT)
        return ST_OK; /* a full list keeps its first values, as the rules expect */
    TRY(st);
    uint8_t i = (*l.n)++;
    (*l.val)[i] = v;
    if (l.count != NULL)
        (*l.count)[i] = count;
    (*l.frame)[i] = frame;
    (*l.file)[i] = file;
    return ST_OK;
}

void server_lists_free(struct server_stats *s)
{
    for (int w = SERVER_SUITES; w <= SERVER_GROUPS; w++) {
        struct list_ref l = list_of(s, (enum server_list)w);
        free(*l.frame);
        *l.val = NULL, *l.frame = NULL, *l.file = NULL;
        if (l.count != NULL)
            *l.count = NULL;
        *l.n = *l.cap = 0;
    }
}
