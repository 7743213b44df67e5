/* packet.h: one captured frame decoded down to TCP. */
#ifndef TLSX_PACKET_H
#define TLSX_PACKET_H

#include <stdbool.h>
#include <stdint.h>
#include "util/cursor.h"
#include "util/status.h"
#include "util/tstamp.h"

struct addr {
    uint8_t family; /* 4 or 6 */
    uint8_t bytes[16];
};

enum tcp_flag {
    TCP_FIN = 0x01,
    TCP_SYN = 0x02,
    TCP_RST = 0x04,
    TCP_PSH = 0x08,
    TCP_ACK = 0x10
};

/* RFC 2018 3: at most 4 SACK blocks fit in the 40 bytes of TCP options. */
#define PACKET_MAX_SACK 4

struct packet {
    uint64_t frame; /* counts from 1, as in Wireshark */
    struct tstamp ts;
    struct addr src, dst;
    uint16_t sport, dport;
    uint8_t flags;
    uint32_t seq, ack;
    uint16_t window;
    uint8_t ttl;
    uint8_t n_sack;         /* SACK blocks in the TCP options (RFC 2018) */
    struct {
        uint32_t left, right; /* the receiver holds [left, right) */
    } sack[PACKET_MAX_SACK];
    struct slice ip;        /* the IP packet as captured, headers first (for nDPI) */
    struct slice payload;   /* the TCP payload bytes that were captured */
    uint32_t payload_wire;  /* payload length on the wire (from the IP header) */
    bool cut;               /* snap length cut the payload: payload.len < payload_wire */
    bool udp;               /* a UDP datagram (skip SKIP_NOT_TCP): ports and payload set */
    /* ICMP or ICMPv6 destination unreachable about a UDP datagram (skip
     * SKIP_NOT_TCP): src, dst and the ports are the quoted datagram's,
     * icmp_from the address that sent the ICMP message */
    bool icmp_unreachable;
    uint8_t icmp_type, icmp_code;
    struct addr icmp_from;
};

/* Why a frame was not decoded to TCP; not an error, a fact to count. */
enum skip_reason {
    SKIP_NONE = 0,
    SKIP_NOT_IP,
    SKIP_NOT_TCP,
    SKIP_FRAGMENT,
    SKIP_TRUNCATED,  /* cut before the TCP header ended */
    SKIP_MALFORMED,
    SKIP_COUNT
};

/* Decodes one frame of the given DLT link type. Returns ST_OK with *skip set
 * to SKIP_NONE for a TCP packet, ST_OK with another skip reason for frames
 * that are not TCP, and ST_UNSUPPORTED for an unknown link type. */
MUST_USE enum status packet_decode(int dlt, const uint8_t *data, size_t caplen,
                                   size_t wirelen, struct packet *out,
                                   enum skip_reason *skip);
bool packet_link_supported(int dlt);
const char *skip_reason_name(enum skip_reason r);

void addr_format(const struct addr *a, uint16_t port, char *out, size_t outlen);
bool addr_equal(const struct addr *a, const struct addr *b);

#endif
