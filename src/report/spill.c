/* spill.c: reports of freed connections, kept in a temporary file (spill.h). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "report/spill.h"

struct spill_entry {
    uint64_t off;
    uint64_t len;
};

struct spill {
    FILE *f;
    struct spill_entry *at;    /* by connection id - 1; len 0: none */
    size_t n;
    uint64_t begun;            /* offset where the report being written starts */
};

enum status spill_open(struct spill **out)
{
    struct spill *s = calloc(1, sizeof *s);
    ENSURE(s != NULL, ST_NOMEM);
    s->f = tmpfile();
    if (s->f == NULL) {
        free(s);
        return ST_IO;
    }
    *out = s;
    return ST_OK;
}

void spill_close(struct spill *s)
{
    if (s == NULL)
        return;
    if (s->f)
        fclose(s->f);
    free(s->at);
    free(s);
}

FILE *spill_begin(struct spill *s, uint32_t id)
{
    (void)id;
    if (fseek(s->f, 0, SEEK_END) != 0)
        return NULL;
    long pos = ftell(s->f);
    if (pos < 0)
        return NULL;
    s->begun = (uint64_t)pos;
    return s->f;
}

enum status spill_end(struct spill *s, uint32_t id)
{
    long pos = ftell(s->f);
    ENSURE(pos >= 0 && id > 0, ST_IO);
    if ((uint64_t)pos == s->begun)
        return ST_OK; /* nothing written: no entry, so the index does not grow */
    if (id > s->n) {
        size_t n = s->n ? s->n : 1024;
        while (n < id)
            n *= 2;
        struct spill_entry *grown = realloc(s->at, n * sizeof *grown);
        ENSURE(grown != NULL, ST_NOMEM);
        memset(grown + s->n, 0, (n - s->n) * sizeof *grown);
        s->at = grown;
        s->n = n;
    }
    s->at[id - 1].off = s->begun;
    s->at[id - 1].len = (uint64_t)pos - s->begun;
    return ST_OK;
}

bool spill_copy(struct spill *s, uint32_t id, FILE *out)
{
    if (s == NULL || id == 0 || id > s->n || s->at[id - 1].len == 0)
        return false;
    if (fseek(s->f, (long)s->at[id - 1].off, SEEK_SET) != 0)
        return false;
    char buf[8192];
    uint64_t left = s->at[id - 1].len;
    while (left > 0) {
        size_t want = left < sizeof buf ? (size_t)left : sizeof buf;
        size_t got = fread(buf, 1, want, s->f);
        if (got == 0)
            return false;
        fwrite(buf, 1, got, out);
        left -= got;
    }
    return true;
}
