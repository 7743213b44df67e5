/* cursor.h: the bounded reader. Every byte taken from the capture is read
 * through a cursor; no function here can move past the end, and each length
 * check compares integers, never pointers (see tcpdump's ND_TTEST_LEN). */
#ifndef TLSX_CURSOR_H
#define TLSX_CURSOR_H

#include <stddef.h>
#include <stdint.h>
#include "util/status.h"

struct cursor {
    const uint8_t *buf;
    size_t len;
    size_t pos; /* invariant: pos <= len */
};

/* A borrowed run of bytes; valid as long as the bytes it points into. */
struct slice {
    const uint8_t *ptr;
    size_t len;
};

static inline struct cursor cur_make(const uint8_t *buf, size_t len)
{
    struct cursor c = {.buf = buf, .len = len, .pos = 0};
    return c;
}

static inline size_t cur_left(const struct cursor *c) { return c->len - c->pos; }

/* Inline: the parsers and the facts reader take most bytes one at a time. */
MUST_USE static inline enum status cur_u8(struct cursor *c, uint8_t *out)
{
    ENSURE(cur_left(c) >= 1, ST_TRUNCATED);
    *out = c->buf[c->pos];
    c->pos += 1;
    return ST_OK;
}
MUST_USE enum status cur_u16(struct cursor *c, uint16_t *out);
MUST_USE enum status cur_u24(struct cursor *c, uint32_t *out);
MUST_USE enum status cur_u32(struct cursor *c, uint32_t *out);
MUST_USE enum status cur_skip(struct cursor *c, size_t n);
MUST_USE enum status cur_take(struct cursor *c, size_t n, struct slice *out);
/* Reads a length prefix of `prefix` bytes (1, 2 or 3) and opens a child
 * cursor over exactly that many bytes; the parent moves past them. */
MUST_USE enum status cur_vec(struct cursor *c, unsigned prefix, struct cursor *child);
/* ST_OK only when every byte was consumed. */
MUST_USE enum status cur_end(const struct cursor *c);
/* Looks at byte `at` ahead of pos without moving. */
MUST_USE enum status cur_peek_u8(const struct cursor *c, size_t at, uint8_t *out);
/* How many bytes from pos come before the first `byte`; cur_left when
 * none does. Nothing moves. */
size_t cur_span_to(const struct cursor *c, uint8_t byte);
/* Copies the bytes that remain into a child cursor and moves to the end. */
struct cursor cur_rest(struct cursor *c);

#endif
