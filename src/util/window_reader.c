/* window_reader.c: one buffer over a file read at mostly rising offsets
 * (window_reader.h). */
#include <stdlib.h>
#include <unistd.h>
#include "util/window_reader.h"

void window_reader_init(struct window_reader *w, int fd, size_t window)
{
    *w = (struct window_reader){.fd = fd, .window = window};
}

enum status window_read(struct window_reader *w, uint64_t off, size_t n, const uint8_t **p)
{
    if (off >= w->start && off - w->start <= w->len && n <= w->len - (off - w->start)) {
        *p = w->buf + (off - w->start);
        return ST_OK;
    }
    size_t want = n > w->window ? n : w->window;
    if (w->cap < want) {
        uint8_t *grown = realloc(w->buf, want);
        ENSURE(grown != NULL, ST_NOMEM);
        w->buf = grown;
        w->cap = want;
    }
    w->start = off;
    w->len = 0;
    /* fill what the file has, up to the buffer: at least the n asked for */
    while (w->len < w->cap) {
        ssize_t r = pread(w->fd, w->buf + w->len, w->cap - w->len, (off_t)(off + w->len));
        if (r <= 0)
            break;
        w->len += (size_t)r;
    }
    ENSURE(w->len >= n, ST_IO);
    *p = w->buf;
    return ST_OK;
}

void window_reader_free(struct window_reader *w)
{
    free(w->buf);
    *w = (struct window_reader){.fd = -1};
}
