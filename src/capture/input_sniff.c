/* input_sniff.c: magic numbers of captures, compressed streams and archives. */
#include <string.h>
#include "capture/input_sniff.h"
#include "util/cursor.h"

struct magic {
    enum input_kind kind;
    uint8_t len;
    uint8_t bytes[6];
};

/* Each at offset 0. pcap: the four byte orders of the microsecond and the
 * nanosecond magic (pcap-savefile(5)), and the patched format libpcap
 * also reads; pcapng: the Section Header Block type
 * (RFC draft-ietf-opsawg-pcapng 4.1); gzip RFC 1952 2.3.1; bzip2 "BZh"; xz
 * (.xz file format 2.1.1.1); zstd RFC 8878 3.1.1; zip local file header, and
 * the end-of-central-directory record of an empty zip (APPNOTE 4.3.7, 4.3.16). */
static const struct magic magics[] = {
    {.kind = INPUT_PCAP, .len = 4, .bytes = {0xd4, 0xc3, 0xb2, 0xa1}},
    {.kind = INPUT_PCAP, .len = 4, .bytes = {0xa1, 0xb2, 0xc3, 0xd4}},
    {.kind = INPUT_PCAP, .len = 4, .bytes = {0x4d, 0x3c, 0xb2, 0xa1}},
    {.kind = INPUT_PCAP, .len = 4, .bytes = {0xa1, 0xb2, 0x3c, 0x4d}},
    {.kind = INPUT_PCAP, .len = 4, .bytes = {0x34, 0xcd, 0xb2, 0xa1}}, /* Kuznetzov's */
    {.kind = INPUT_PCAP, .len = 4, .bytes = {0xa1, 0xb2, 0xcd, 0x34}}, /* patched pcap */
    {.kind = INPUT_PCAPNG, .len = 4, .bytes = {0x0a, 0x0d, 0x0d, 0x0a}},
    {.kind = INPUT_GZIP, .len = 2, .bytes = {0x1f, 0x8b}},
    {.kind = INPUT_BZIP2, .len = 3, .bytes = {'B', 'Z', 'h'}},
    {.kind = INPUT_XZ, .len = 6, .bytes = {0xfd, '7', 'z', 'X', 'Z', 0x00}},
    {.kind = INPUT_ZSTD, .len = 4, .bytes = {0x28, 0xb5, 0x2f, 0xfd}},
    {.kind = INPUT_ZIP, .len = 4, .bytes = {'P', 'K', 0x03, 0x04}},
    {.kind = INPUT_ZIP, .len = 4, .bytes = {'P', 'K', 0x05, 0x06}},
};

/* A tar header block (POSIX.1-2001 ustar, or the older v7 layout that has no
 * magic): its checksum at offset 148, eight octal digits, is the sum of the
 * 512 bytes with the checksum field counted as spaces. */
static bool tar_header(const uint8_t *head, size_t n)
{
    struct cursor c = cur_make(head, n);
    struct slice block;
    if (cur_take(&c, 512, &block) != ST_OK)
        return false;
    struct cursor b = cur_make(block.ptr, block.len);
    uint8_t first = 0;
    /* the first byte is the member's name: a zero block ends the archive */
    if (cur_peek_u8(&b, 0, &first) != ST_OK || first == '\0')
        return false;
    uint32_t sum = 0, stored = 0;
    bool digits = false;
    for (size_t i = 0; i < 512; i++) {
        uint8_t v = 0;
        if (cur_u8(&b, &v) != ST_OK)
            return false;
        if (i >= 148 && i < 156) {
            if (v >= '0' && v <= '7' && stored < (1u << 24)) {
                stored = stored * 8 + (uint32_t)(v - '0');
                digits = true;
            } else if (v != ' ' && v != '\0') {
                return false;
            }
            v = ' ';
        }
        sum += v;
    }
    return digits && stored == sum;
}

enum input_kind input_sniff(const uint8_t *head, size_t n)
{
    if (n == 0)
        return INPUT_EMPTY;
    for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++)
        if (n >= magics[i].len && memcmp(head, magics[i].bytes, magics[i].len) == 0)
            return magics[i].kind;
    if (tar_header(head, n))
        return INPUT_TAR;
    return INPUT_UNKNOWN;
}

const char *input_kind_name(enum input_kind k)
{
    switch (k) {
    case INPUT_UNKNOWN: return "unknown";
    case INPUT_EMPTY: return "empty";
    case INPUT_PCAP: return "pcap";
    case INPUT_PCAPNG: return "pcapng";
    case INPUT_GZIP: return "gzip";
    case INPUT_BZIP2: return "bzip2";
    case INPUT_XZ: return "xz";
    case INPUT_ZSTD: return "zstd";
    case INPUT_ZIP: return "zip";
    case INPUT_TAR: return "tar";
    }
    return "unknown";
}

bool input_kind_is_capture(enum input_kind k)
{
    return k == INPUT_PCAP || k == INPUT_PCAPNG;
}

bool input_kind_is_packed(enum input_kind k)
{
    switch (k) {
    case INPUT_GZIP:
    case INPUT_BZIP2:
    case INPUT_XZ:
    case INPUT_ZSTD:
    case INPUT_ZIP:
    case INPUT_TAR:
        return true;
    case INPUT_UNKNOWN:
    case INPUT_EMPTY:
    case INPUT_PCAP:
    case INPUT_PCAPNG:
        return false;
    }
    return false;
}
