/* fuzz_keylog.c: an NSS key log (--keylog FILE) through keylog_feed, split
 * at places the input chooses, then keylog_finish and lookups. The file is
 * the user's, but it travels with the capture and is read the same way.
 *
 * Input: split(1) then the key log text; the text is fed in pieces of
 * 1 + (split % 64) bytes, or whole when split is 0. Every client random
 * that appears in a line is looked up afterwards, as are two that do not. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "tls/keylog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int hexval(uint8_t ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* The first 64 hex digits after the first space of each line, as a random. */
static void lookups(const struct keylog *k, const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t end = i;
        while (end < n && p[end] != '\n')
            end++;
        const uint8_t *sp = memchr(p + i, ' ', end - i);
        if (sp != NULL && (size_t)(p + end - sp) > 64) {
            uint8_t random[KEYLOG_RANDOM_LEN];
            bool ok = true;
            for (size_t b = 0; b < KEYLOG_RANDOM_LEN && ok; b++) {
                int hi = hexval(sp[1 + 2 * b]), lo = hexval(sp[2 + 2 * b]);
                ok = hi >= 0 && lo >= 0;
                if (ok)
                    random[b] = (uint8_t)(hi << 4 | lo);
            }
            if (ok) {
                const struct keylog_entry *e = keylog_find(k, random);
                if (e != NULL)
                    for (int s = 0; s < KEYLOG_SECRETS; s++)
                        if (e->secret_len[s] > KEYLOG_MAX_SECRET)
                            __builtin_trap();
            }
        }
        i = end + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t piece = data[0] == 0 ? SIZE_MAX : 1 + (size_t)(data[0] % 64);
    data++;
    size--;
    struct keylog *k = keylog_new();
    if (k == NULL)
        return 0;
    bool ok = true;
    for (size_t pos = 0; pos < size && ok;) {
        size_t n = size - pos < piece ? size - pos : piece;
        ok = keylog_feed(k, data + pos, n) == ST_OK;
        pos += n;
    }
    if (ok && keylog_finish(k) == ST_OK) {
        static const uint8_t zero[KEYLOG_RANDOM_LEN], ones[KEYLOG_RANDOM_LEN] = {1, 1, 1, 1};
        lookups(k, data, size);
        (void)keylog_find(k, zero);
        (void)keylog_find(k, ones);
        struct keylog_counts kc;
        keylog_get_counts(k, &kc);
        if (kc.secrets + kc.ignored + kc.malformed > kc.lines)
            __builtin_trap();
    }
    keylog_free(k);
    return 0;
}
