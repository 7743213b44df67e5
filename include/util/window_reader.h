/* window_reader.h: reads of a file at offsets that mostly go forward (the
 * spill's reports, the held store's facts), served from one buffer that is
 * refilled with a large pread when a read falls outside it: one system
 * call for many small reads. */
#ifndef TLSX_WINDOW_READER_H
#define TLSX_WINDOW_READER_H

#include <stddef.h>
#include <stdint.h>
#include "util/status.h"

struct window_reader {
    int fd;
    uint8_t *buf;
    size_t cap;                /* bytes the buffer holds */
    uint64_t start;            /* file offset of buf[0] */
    size_t len;                /* valid bytes in buf */
    size_t window;             /* bytes read at a time, at least */
};

/* window: large for reads that follow each other, small for reads that
 * jump about (each miss reads that much) */
void window_reader_init(struct window_reader *w, int fd, size_t window);
/* Points *p at the n bytes at offset off; they stay valid until the next
 * read. ST_IO when the file ends before them. */
MUST_USE enum status window_read(struct window_reader *w, uint64_t off, size_t n,
                                 const uint8_t **p);
void window_reader_free(struct window_reader *w);

#endif
