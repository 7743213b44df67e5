/* input_sniff.h: what a file holds, told from its first bytes (magic
 * numbers), never from its name. */
#ifndef TLSX_INPUT_SNIFF_H
#define TLSX_INPUT_SNIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Enough bytes to tell every kind: a tar header is one 512-byte block. */
#define INPUT_SNIFF_BYTES 512

enum input_kind {
    INPUT_UNKNOWN,
    INPUT_EMPTY,
    INPUT_PCAP,
    INPUT_PCAPNG,
    INPUT_GZIP,
    INPUT_BZIP2,
    INPUT_XZ,
    INPUT_ZSTD,
    INPUT_ZIP,
    INPUT_TAR
};

/* The kind of content that starts with these n bytes (up to INPUT_SNIFF_BYTES). */
enum input_kind input_sniff(const uint8_t *head, size_t n);
/* "pcap", "gzip", "tar", ... */
const char *input_kind_name(enum input_kind k);
/* A capture libpcap reads as it is. */
bool input_kind_is_capture(enum input_kind k);
/* A compressed stream or an archive, read through libarchive. */
bool input_kind_is_packed(enum input_kind k);

#endif
