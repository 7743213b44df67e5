/* cursor.c: the bounded reader (see cursor.h). */
#include <string.h>
#include "util/cursor.h"

enum status cur_u16(struct cursor *c, uint16_t *out)
{
    ENSURE(cur_left(c) >= 2, ST_TRUNCATED);
    const uint8_t *p = c->buf + c->pos;
    *out = (uint16_t)((p[0] << 8) | p[1]);
    c->pos += 2;
    return ST_OK;
}

enum status cur_u24(struct cursor *c, uint32_t *out)
{
    ENSURE(cur_left(c) >= 3, ST_TRUNCATED);
    const uint8_t *p = c->buf + c->pos;
    *out = ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2];
    c->pos += 3;
    return ST_OK;
}

enum status cur_u32(struct cursor *c, uint32_t *out)
{
    ENSURE(cur_left(c) >= 4, ST_TRUNCATED);
    const uint8_t *p = c->buf + c->pos;
    *out = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | p[3];
    c->pos += 4;
    return ST_OK;
}

size_t cur_span_to(const struct cursor *c, uint8_t byte)
{
    if (cur_left(c) == 0)
        return 0;
    const uint8_t *at = memchr(c->buf + c->pos, byte, cur_left(c));
    return at != NULL ? (size_t)(at - (c->buf + c->pos)) : cur_left(c);
}

enum status cur_skip(struct cursor *c, size_t n)
{
    ENSURE(n <= cur_left(c), ST_TRUNCATED);
    c->pos += n;
    return ST_OK;
}

enum status cur_take(struct cursor *c, size_t n, struct slice *out)
{
    ENSURE(n <= cur_left(c), ST_TRUNCATED);
    out->ptr = c->buf + c->pos;
    out->len = n;
    c->pos += n;
    return ST_OK;
}

enum status cur_vec(struct cursor *c, unsigned prefix, struct cursor *child)
{
    uint32_t n = 0;
    switch (prefix) {
    case 1: {
        uint8_t v;
        TRY(cur_u8(c, &v));
        n = v;
        break;
    }
    case 2: {
        uint16_t v;
        TRY(cur_u16(c, &v));
        n = v;
        break;
    }
    case 3:
        TRY(cur_u24(c, &n));
        break;
    default:
        return ST_MALFORMED;
    }
    struct slice s;
    TRY(cur_take(c, n, &s));
    *child = cur_make(s.ptr, s.len);
    return ST_OK;
}

enum status cur_end(const struct cursor *c)
{
    return cur_left(c) == 0 ? ST_OK : ST_MALFORMED;
}

enum status cur_peek_u8(const struct cursor *c, size_t at, uint8_t *out)
{
    ENSURE(at < cur_left(c), ST_TRUNCATED);
    *out = c->buf[c->pos + at];
    return ST_OK;
}

struct cursor cur_rest(struct cursor *c)
{
    struct cursor child = cur_make(c->buf + c->pos, cur_left(c));
    c->pos = c->len;
    return child;
}
