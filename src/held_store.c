/* held_store.c: facts of held connections in a temporary file (held_store.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "held_store.h"
#include "report/facts_codec.h"
#include "util/capbuf.h"
#include "util/cursor.h"
#include "util/hash.h"
#include "util/temp_file.h"
#include "util/window_reader.h"

struct held_entry {
    uint64_t off;
    uint32_t len;
    uint32_t id;
    uint8_t verdict;
    uint8_t shape;             /* 0: its facts; k: shape k-1 in its own place */
};

/* A storm of connections that tried one same thing, a SYN nobody answered
 * say, differ only in their place (struct conn_place). The first of each
 * kind is written in full and kept decoded as a shape; the others are
 * written as their place alone, 200 bytes, and read back as the
 * shape in their place: the connection decoding their facts would give
 * (facts_same_flat). Shapes are few and their number bounded; a
 * connection like none of them is written in full. */
#define HELD_MAX_SHAPES 16

struct held_shape {
    struct conn *c;            /* decoded from what was written */
    struct conn_place place;   /* its own */
    uint64_t digest;           /* of its bytes out of any place (place_digest) */
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
    struct held_shape shape[HELD_MAX_SHAPES];
    size_t n_shapes;
    size_t last_shape;         /* the one the last put matched: tried first */
    struct conn *probe;        /* a put's connection in a shape's place */
    size_t in_place;           /* connections written as their place */
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

/* The bytes of the probe (a copy of a connection) out of any place: a
 * connection and its shape have the same, unless their padding differs,
 * and then the shape is just missed. */
static uint64_t place_digest(struct conn *probe)
{
    static const struct conn_place nowhere;
    conn_place_give(probe, &nowhere);
    return hash_bytes(probe, sizeof *probe);
}

static bool probe_is(struct held_store *s, size_t i)
{
    conn_place_give(s->probe, &s->shape[i].place);
    return facts_same_flat(s->probe, s->shape[i].c);
}

/* The shape c has (its index + 1), or 0. The one the last put matched is
 * tried first (a storm is of one kind at a time); the others only when
 * their digest is c's, so a connection like none of them costs a copy and
 * a hash, not a comparison per shape. */
static size_t shape_of(struct held_store *s, const struct conn *c)
{
    if (s->n_shapes == 0 || !conn_is_flat(c) || s->probe == NULL)
        return 0;
    memcpy(s->probe, c, sizeof *c);
    if (probe_is(s, s->last_shape))
        return s->last_shape + 1;
    uint64_t d = place_digest(s->probe);
    for (size_t i = 0; i < s->n_shapes; i++)
        if (i != s->last_shape && s->shape[i].digest == d && probe_is(s, i)) {
            s->last_shape = i;
            return i + 1;
        }
    return 0;
}

/* c, just written in full, becomes a shape when it is flat and there is
 * room; without memory it just does not. */
static void shape_add(struct held_store *s, const struct conn *c)
{
    struct conn *d = NULL;
    if (s->n_shapes == HELD_MAX_SHAPES || !conn_is_flat(c))
        return;
    if (s->probe == NULL && (s->probe = malloc(sizeof *s->probe)) == NULL)
        return;
    if (facts_decode_conn(s->buf.p, s->buf.len, &d) != ST_OK)
        return;
    struct held_shape *h = &s->shape[s->n_shapes];
    h->c = d;
    conn_place_take(d, &h->place);
    memcpy(s->probe, d, sizeof *d);
    h->digest = place_digest(s->probe);
    s->last_shape = s->n_shapes++;
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
    size_t shape = shape_of(s, c);
    if (shape != 0) {
        struct conn_place place;
        conn_place_take(c, &place);
        TRY(capbuf_append(&s->buf, (const uint8_t *)&place, sizeof place));
        s->in_place++;
    } else {
        TRY(facts_encode_conn(c, &s->buf));
    }
    ENSURE(s->buf.len <= UINT32_MAX, ST_LIMIT);
    ENSURE(fwrite(s->buf.p, 1, s->buf.len, s->f) == s->buf.len, ST_IO);
    s->at[s->n++] = (struct held_entry){.off = s->end,
                                        .len = (uint32_t)s->buf.len,
                                        .id = c->id,
                                        .verdict = c->verdict,
                                        .shape = (uint8_t)shape};
    s->end += s->buf.len;
    if (shape == 0)
        shape_add(s, c);
    return ST_OK;
}

size_t held_store_in_place(const struct held_store *s)
{
    return s != NULL ? s->in_place : 0;
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

/* The shape's connection in the place the entry holds. */
static enum status get_in_place(const struct held_store *s, const struct held_entry *e,
                                const uint8_t *p, struct conn **out)
{
    ENSURE(e->shape <= s->n_shapes, ST_MALFORMED);
    struct cursor cur = cur_make(p, e->len);
    struct slice bytes;
    TRY(cur_take(&cur, sizeof(struct conn_place), &bytes));
    TRY(cur_end(&cur));
    struct conn_place place;
    memcpy(&place, bytes.ptr, sizeof place);
    struct conn *c = malloc(sizeof *c);
    ENSURE(c != NULL, ST_NOMEM);
    memcpy(c, s->shape[e->shape - 1].c, sizeof *c); /* flat: nothing shared */
    conn_place_give(c, &place);
    *out = c;
    return ST_OK;
}

enum status held_store_get(struct held_store *s, size_t i, struct conn **out)
{
    *out = NULL;
    ENSURE(s->sealed && i < s->n, ST_IO);
    const struct held_entry *e = &s->at[i];
    const uint8_t *p;
    TRY(window_read(&s->rd, e->off, e->len, &p));
    if (e->shape != 0)
        TRY(get_in_place(s, e, p, out));
    else
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
    for (size_t k = 0; k < s->n_shapes; k++)
        conn_free(s->shape[k].c);
    free(s->probe);
    free(s);
}
