/* held_store.c: facts of held connections in a temporary file (held_store.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "held_store.h"
#include "report/facts_codec.h"
#include "util/capbuf.h"
#include "util/temp_file.h"
#include "util/window_reader.h"

struct held_entry {
    uint64_t off;
    uint32_t len;
    uint32_t id;
    uint8_t verdict;
};

struct held_store {
    FILE *f;
    uint64_t end;              /* bytes written */
    struct held_entry *at;
    size_t n, cap;
    struct capbuf buf;         /* one connection's facts, as written */
    char *wbuf;                /* f's buffer: glibc takes a size only with one */
    struct window_reader rd;   /* ... and as read back, in id order */
    bool sealed;
};

/* The largest facts a connection can have, with every array full, well
 * inside: a bound for the buffer, not a size it takes. */
#define HELD_MAX_FACTS ((size_t)64 << 20)

/* Facts go out in large writes; they come back in id order, which is not
 * the order they were stowed in, so a read that misses fetches a few
 * neighbours, not a large window. */
#define HELD_WRITE_BUFFER ((size_t)256 * 1024)
#define HELD_READ_WINDOW ((size_t)16 * 1024)

static enum status open_store(struct held_store **out)
{
    struct held_store *s = calloc(1, sizeof *s);
    ENSURE(s != NULL, ST_NOMEM);
    s->f = temp_file();
    if (s->f == NULL) {
        free(s);
        return ST_IO;
    }
    s->wbuf = malloc(HELD_WRITE_BUFFER);
    if (s->wbuf != NULL) /* else stdio's small one */
        (void)setvbuf(s->f, s->wbuf, _IOFBF, HELD_WRITE_BUFFER);
    capbuf_init(&s->buf, HELD_MAX_FACTS);
    *out = s;
    return ST_OK;
}

enum status held_store_put(struct held_store **sp, const struct conn *c)
{
    if (*sp == NULL)
        TRY(open_store(sp));
    struct held_store *s = *sp;
    ENSURE(!s->sealed, ST_IO);
    if (s->n == s->cap) {
        size_t n = s->cap ? s->cap * 2 : 256;
        struct held_entry *grown = realloc(s->at, n * sizeof *grown);
        ENSURE(grown != NULL, ST_NOMEM);
        s->at = grown;
        s->cap = n;
    }
    /* after a failed write the file's end is not known: nothing more */
    ENSURE(!ferror(s->f), ST_IO);
    s->buf.len = 0;
    TRY(facts_encode_conn(c, &s->buf));
    ENSURE(s->buf.len <= UINT32_MAX, ST_LIMIT);
    ENSURE(fwrite(s->buf.p, 1, s->buf.len, s->f) == s->buf.len, ST_IO);
    s->at[s->n++] = (struct held_entry){
        .off = s->end, .len = (uint32_t)s->buf.len, .id = c->id, .verdict = c->verdict};
    s->end += s->buf.len;
    return ST_OK;
}

size_t held_store_count(const struct held_store *s)
{
    return s != NULL ? s->n : 0;
}

static int by_id(const void *a, const void *b)
{
    const struct held_entry *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

enum status held_store_seal(struct held_store *s)
{
    if (s == NULL || s->sealed)
        return ST_OK;
    s->sealed = true;
    ENSURE(fflush(s->f) == 0 && !ferror(s->f), ST_IO);
    window_reader_init(&s->rd, fileno(s->f), HELD_READ_WINDOW);
    qsort(s->at, s->n, sizeof *s->at, by_id);
    return ST_OK;
}

uint32_t held_store_id(const struct held_store *s, size_t i)
{
    return s->at[i].id;
}

uint8_t held_store_verdict(const struct held_store *s, size_t i)
{
    return s->at[i].verdict;
}

void held_store_set_verdict(struct held_store *s, size_t i, uint8_t verdict)
{
    s->at[i].verdict = verdict;
}

enum status held_store_get(struct held_store *s, size_t i, struct conn **out)
{
    *out = NULL;
    ENSURE(s->sealed && i < s->n, ST_IO);
    const struct held_entry *e = &s->at[i];
    const uint8_t *p;
    TRY(window_read(&s->rd, e->off, e->len, &p));
    TRY(facts_decode_conn(p, e->len, out));
    (*out)->verdict = e->verdict;
    return ST_OK;
}

void held_store_close(struct held_store *s)
{
    if (s == NULL)
        return;
    fclose(s->f);
    free(s->wbuf);
    free(s->at);
    capbuf_free(&s->buf);
    window_reader_free(&s->rd);
    free(s);
}
