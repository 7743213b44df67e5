/* proxy_header.h: a load balancer's PROXY protocol header before the
 * ClientHello (HAProxy proxy-protocol.txt): "PROXY ...\r\n" (v1, at most 107
 * bytes) or the 12-byte v2 signature, 4 more bytes and a length. */
#ifndef TLSX_PROXY_HEADER_H
#define TLSX_PROXY_HEADER_H

#include <stddef.h>
#include <stdint.h>

/* The length of the header p starts with, or 0: none, or not all here. */
size_t proxy_header_len(const uint8_t *p, size_t n);

#endif
