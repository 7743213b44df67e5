/* spill.c: reports of freed connections, kept in a temporary file (spill.h). */
#define _GNU_SOURCE /* fopencookie */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "report/spill.h"
#include "util/temp_file.h"
#include "util/window_reader.h"

struct spill_entry {
    uint64_t off;
    uint64_t len;
};

struct spill {
    FILE *file;                /* the temporary file: its descriptor */
    FILE *f;                   /* what reporters write to (spill_sink) */
    uint64_t written;          /* bytes that reached the file */
    struct spill_entry *at;    /* by connection id - 1; len 0: none */
    size_t n;
    uint64_t begun;            /* offset where the report being written starts */
    bool flushed;              /* written out, for spill_copy to read */
    size_t lost;               /* reports written that could not be read back */
    bool write_failed;         /* from then on where a report lies is not known */
    char *wbuf;                /* f's buffer: glibc takes a size only with one */
    struct window_reader rd;   /* spill_copy's reads, in id order */
};

/* Reports go through one large buffer to a stream that only appends and
 * counts: where a report starts is known without a system call (ftell of a
 * file seeks), and spill_copy reads the file back with pread. */
#define SPILL_BUFFER (256u * 1024u)

static ssize_t spill_write(void *cookie, const char *buf, size_t n)
{
    struct spill *s = cookie;
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fileno(s->file), buf + done, n - done);
        if (w <= 0) {
            s->write_failed = true;
            break;
        }
        done += (size_t)w;
    }
    s->written += done;
    return done > 0 || n == 0 ? (ssize_t)done : -1;
}

/* ftell only: the stream is never moved */
static int spill_seek(void *cookie, off64_t *pos, int whence)
{
    struct spill *s = cookie;
    if (whence != SEEK_CUR || *pos != 0)
        return -1;
    *pos = (off64_t)s->written;
    return 0;
}

static const cookie_io_functions_t spill_sink = {.write = spill_write, .seek = spill_seek};

enum status spill_open(struct spill **out)
{
    struct spill *s = calloc(1, sizeof *s);
    ENSURE(s != NULL, ST_NOMEM);
    s->file = temp_file();
    s->f = s->file != NULL ? fopencookie(s, "w", spill_sink) : NULL;
    if (s->f == NULL) {
        if (s->file != NULL)
            fclose(s->file);
        free(s);
        return ST_IO;
    }
    s->wbuf = malloc(SPILL_BUFFER);
    if (s->wbuf != NULL) /* else stdio's small one */
        (void)setvbuf(s->f, s->wbuf, _IOFBF, SPILL_BUFFER);
    *out = s;
    return ST_OK;
}

void spill_close(struct spill *s)
{
    if (s == NULL)
        return;
    fclose(s->f);
    fclose(s->file);
    free(s->wbuf);
    window_reader_free(&s->rd);
    free(s->at);
    free(s);
}

FILE *spill_begin(struct spill *s, uint32_t id)
{
    (void)id;
    if (s->flushed)
        return NULL; /* copying has begun: nothing more is written */
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
    if (s->write_failed) {
        s->lost++; /* written after a failed write: not to be found again */
        return ST_OK;
    }
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
    /* a full disk shows here too: a report the buffer took and the file
     * did not is missing when read, and counted */
    if (!s->flushed) {
        s->flushed = true;
        (void)fflush(s->f);
        window_reader_init(&s->rd, fileno(s->file), SPILL_BUFFER);
    }
    /* a report larger than the window is read in window-sized parts */
    uint64_t off = s->at[id - 1].off, left = s->at[id - 1].len;
    while (left > 0) {
        size_t want = left < SPILL_BUFFER ? (size_t)left : SPILL_BUFFER;
        const uint8_t *p;
        if (window_read(&s->rd, off, want, &p) != ST_OK) {
            s->lost++;
            return false;
        }
        fwrite(p, 1, want, out);
        off += want;
        left -= want;
    }
    return true;
}

size_t spill_lost(const struct spill *s)
{
    return s != NULL ? s->lost : 0;
}
