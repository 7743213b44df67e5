/* proxy_header.c: the PROXY protocol header a load balancer puts before the client's bytes. */
#include <string.h>
#include "tls/proxy_header.h"
#include "util/cursor.h"

/* HAProxy proxy-protocol.txt 2.1: "PROXY ...\r\n", at most 107 bytes. */
#define PROXY_V1_MAX 107

size_t proxy_header_len(const uint8_t *p, size_t n)
{
    /* proxy-protocol.txt 2.2: the v2 signature */
    static const uint8_t v2[12] = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
                                   0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a};
    struct cursor c = cur_make(p, n);
    struct slice sig;
    if (n >= 8 && cur_take(&c, 6, &sig) == ST_OK && memcmp(sig.ptr, "PROXY ", 6) == 0) {
        struct cursor line = cur_make(p, n);
        uint8_t cr, lf;
        for (size_t i = 6; i + 1 < n && i < PROXY_V1_MAX; i++)
            if (cur_peek_u8(&line, i, &cr) == ST_OK && cr == '\r' &&
                cur_peek_u8(&line, i + 1, &lf) == ST_OK && lf == '\n')
                return i + 2;
        return 0;
    }
    /* signature (12), version and command (1), family (1), length (2) */
    c = cur_make(p, n);
    uint16_t len;
    if (n >= 16 && cur_take(&c, sizeof v2, &sig) == ST_OK && memcmp(sig.ptr, v2, sizeof v2) == 0 &&
        cur_skip(&c, 2) == ST_OK && cur_u16(&c, &len) == ST_OK)
        return cur_left(&c) >= len ? 16 + (size_t)len : 0;
    return 0;
}
