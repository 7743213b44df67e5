/* packet_decode.c: link layer, IPv4/IPv6 and TCP headers. Every field is read
 * through the cursor; a frame cut by the snap length is marked, never read past. */
#include <arpa/inet.h>
#include <pcap/dlt.h>
#include <stdio.h>
#include <string.h>
#include "capture/packet.h"

enum {
    ETHERTYPE_IPV4 = 0x0800,
    ETHERTYPE_IPV6 = 0x86dd,
    ETHERTYPE_VLAN = 0x8100,
    ETHERTYPE_QINQ = 0x88a8,
    ETHERTYPE_QINQ_OLD = 0x9100,
    ETHERTYPE_CISCO_METADATA = 0x8909,
    ETHERTYPE_PPPOE_SESSION = 0x8864,
    ETHERTYPE_MPLS = 0x8847,
    ETHERTYPE_TEB = 0x6558,     /* transparent Ethernet bridging (GRE, Geneve) */
    IPPROTO_ICMP_NUM = 1,
    IPPROTO_ICMPV6_NUM = 58,
    IPPROTO_IPIP_NUM = 4,
    IPPROTO_TCP_NUM = 6,
    IPPROTO_UDP_NUM = 17,
    IPPROTO_IPV6_IN_IP = 41,
    IPPROTO_GRE_NUM = 47,
    UDP_PORT_GTPU = 2152,
    UDP_PORT_VXLAN = 4789,
    UDP_PORT_GENEVE = 6081,
    MAX_ENCAPSULATION = 4       /* tunnels inside tunnels, at most */
};

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif
#ifndef DLT_NFLOG
#define DLT_NFLOG 239
#endif
#ifndef DLT_PPP_SERIAL
#define DLT_PPP_SERIAL 50
#endif
#ifndef DLT_C_HDLC
#define DLT_C_HDLC 104
#endif

/* Linux NFLOG (libpcap pcap/nflog.h): TLV type of the packet itself. */
enum { NFULA_PAYLOAD = 9 };

bool packet_link_supported(int dlt)
{
    switch (dlt) {
    case DLT_EN10MB: case DLT_LINUX_SLL: case DLT_LINUX_SLL2: case DLT_RAW:
    case DLT_IPV4: case DLT_IPV6: case DLT_NULL: case DLT_LOOP: case DLT_NFLOG:
    case DLT_PPP: case DLT_PPP_SERIAL: case DLT_C_HDLC:
        return true;
    default:
        return false;
    }
}

const char *skip_reason_name(enum skip_reason r)
{
    switch (r) {
    case SKIP_NONE: return "tcp";
    case SKIP_NOT_IP: return "not IP";
    case SKIP_NOT_TCP: return "not TCP";
    case SKIP_FRAGMENT: return "IP fragment";
    case SKIP_TRUNCATED: return "cut before the TCP header";
    case SKIP_MALFORMED: return "malformed header";
    case SKIP_COUNT: break;
    }
    return "?";
}

/* Ethernet, then any number of 802.1Q / 802.1ad tags (QinQ) and Cisco
 * MetaData (SGT) headers, to the ethertype of the payload. */
static enum status skip_ethernet(struct cursor *c, uint16_t *ethertype)
{
    TRY(cur_skip(c, 12));
    TRY(cur_u16(c, ethertype));
    for (int tags = 0; tags < 8; tags++) {
        switch (*ethertype) {
        case ETHERTYPE_VLAN:
        case ETHERTYPE_QINQ:
        case ETHERTYPE_QINQ_OLD:
            TRY(cur_skip(c, 2));
            break;
        case ETHERTYPE_CISCO_METADATA: {
            /* version, length (in 4-byte options), the options */
            uint8_t version, len;
            TRY(cur_u8(c, &version));
            TRY(cur_u8(c, &len));
            TRY(cur_skip(c, (size_t)len * 4));
            break;
        }
        default:
            return ST_OK;
        }
        TRY(cur_u16(c, ethertype));
    }
    return ST_MALFORMED;
}

/* PPPoE session (RFC 2516) and MPLS (RFC 3032) carry IP after a short
 * header; *ethertype becomes that of the IP inside, 0 to read the nibble. */
static enum status skip_shim(struct cursor *c, uint16_t *ethertype)
{
    if (*ethertype == ETHERTYPE_PPPOE_SESSION) {
        uint16_t ppp;
        TRY(cur_skip(c, 6));
        TRY(cur_u16(c, &ppp));
        *ethertype = ppp == 0x0021 ? ETHERTYPE_IPV4 : ppp == 0x0057 ? ETHERTYPE_IPV6 : 1;
        return ST_OK;
    }
    if (*ethertype == ETHERTYPE_MPLS) {
        uint32_t label = 0;
        for (int n = 0; n < 16 && !(label & 0x100); n++)
            TRY(cur_u32(c, &label)); /* bit 8: bottom of stack */
        ENSURE(label & 0x100, ST_MALFORMED);
        *ethertype = 0;
    }
    return ST_OK;
}

/* A 16-bit field in the byte order of the host that reads the file: NFLOG's
 * TLV lengths and types are host-ordered, and libpcap swaps them when the
 * file was written on a host of the other order. */
static enum status cur_u16_host(struct cursor *c, uint16_t *out)
{
    struct slice b;
    TRY(cur_take(c, 2, &b));
    memcpy(out, b.ptr, 2);
    return ST_OK;
}

/* NFLOG (libpcap pcap/nflog.h): family, version, resource id, then TLVs
 * (length includes its 4-byte header, values padded to 4 bytes); the
 * NFULA_PAYLOAD TLV holds the IP packet, which *c becomes. */
static enum status skip_nflog(struct cursor *c, uint16_t *ethertype)
{
    uint8_t family, version;
    TRY(cur_u8(c, &family));
    TRY(cur_u8(c, &version));
    TRY(cur_skip(c, 2));
    ENSURE(version == 0, ST_MALFORMED);
    *ethertype = family == 2 ? ETHERTYPE_IPV4 : family == 10 ? ETHERTYPE_IPV6 : 1;
    /* each TLV takes 4 bytes at least: the loop ends within the frame */
    while (cur_left(c) > 0) {
        uint16_t len, type;
        TRY(cur_u16_host(c, &len));
        TRY(cur_u16_host(c, &type));
        ENSURE(len >= 4, ST_MALFORMED);
        size_t value = (size_t)len - 4;
        if (type == NFULA_PAYLOAD) {
            /* the value may be cut by the snap length: keep what is there */
            size_t have = value < cur_left(c) ? value : cur_left(c);
            struct slice v;
            TRY(cur_take(c, have, &v));
            *c = cur_make(v.ptr, v.len);
            return ST_OK;
        }
        size_t padded = (value + 3) & ~(size_t)3;
        TRY(cur_skip(c, padded < cur_left(c) ? padded : cur_left(c)));
    }
    *ethertype = 1; /* a log entry without the packet */
    return ST_OK;
}

/* PPP in HDLC-like framing (RFC 1662: address 0xff, control 0x03, both
 * optional on DLT_PPP) and Cisco HDLC (address, control, an ethertype). */
static enum status skip_ppp(int dlt, struct cursor *c, uint16_t *ethertype)
{
    uint8_t first;
    TRY(cur_peek_u8(c, 0, &first));
    if (dlt == DLT_C_HDLC || first == 0xff || first == 0x0f || first == 0x8f)
        TRY(cur_skip(c, 2));
    uint16_t proto;
    TRY(cur_u16(c, &proto));
    if (dlt == DLT_C_HDLC)
        *ethertype = proto;
    else
        *ethertype = proto == 0x0021 ? ETHERTYPE_IPV4 : proto == 0x0057 ? ETHERTYPE_IPV6 : 1;
    return ST_OK;
}

/* Finds the network protocol behind the link header; *ethertype is 0 when
 * the IP version must be read from the first nibble. */
static enum status skip_link(int dlt, struct cursor *c, uint16_t *ethertype)
{
    *ethertype = 0;
    switch (dlt) {
    case DLT_EN10MB:
        return skip_ethernet(c, ethertype);
    case DLT_LINUX_SLL: /* 16-byte cooked header, protocol last */
        TRY(cur_skip(c, 14));
        return cur_u16(c, ethertype);
    case DLT_LINUX_SLL2: /* 20-byte header, protocol first */
        TRY(cur_u16(c, ethertype));
        return cur_skip(c, 18);
    case DLT_NULL:
    case DLT_LOOP: {
        /* 4-byte address family in the writer's byte order (DLT_LOOP: network order) */
        struct slice fam;
        TRY(cur_take(c, 4, &fam));
        uint32_t le = (uint32_t)fam.ptr[0] | ((uint32_t)fam.ptr[1] << 8) |
                      ((uint32_t)fam.ptr[2] << 16) | ((uint32_t)fam.ptr[3] << 24);
        uint32_t be = ((uint32_t)fam.ptr[0] << 24) | ((uint32_t)fam.ptr[1] << 16) |
                      ((uint32_t)fam.ptr[2] << 8) | fam.ptr[3];
        uint32_t af = (dlt == DLT_LOOP) ? be : (le < 256 ? le : be);
        if (af == 2)
            *ethertype = ETHERTYPE_IPV4;
        else if (af == 10 || af == 24 || af == 28 || af == 30)
            *ethertype = ETHERTYPE_IPV6;
        else
            *ethertype = 1; /* not IP */
        return ST_OK;
    }
    case DLT_NFLOG:
        return skip_nflog(c, ethertype);
    case DLT_PPP:
    case DLT_PPP_SERIAL:
    case DLT_C_HDLC:
        return skip_ppp(dlt, c, ethertype);
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
        return ST_OK;
    default:
        return ST_UNSUPPORTED;
    }
}

/* IPv4 (RFC 791): leaves *c over the TCP segment as far as it was captured. */
static enum status decode_ipv4(struct cursor *c, struct packet *p, uint32_t *ip_payload_len,
                               bool *fragment, uint8_t *proto)
{
    uint8_t vihl, ttl;
    uint16_t total, frag;
    struct slice a;
    TRY(cur_u8(c, &vihl));
    ENSURE((vihl >> 4) == 4, ST_MALFORMED);
    size_t ihl = (size_t)(vihl & 0x0f) * 4;
    ENSURE(ihl >= 20, ST_MALFORMED);
    TRY(cur_skip(c, 1));
    TRY(cur_u16(c, &total));
    TRY(cur_skip(c, 2));
    TRY(cur_u16(c, &frag));
    TRY(cur_u8(c, &ttl));
    TRY(cur_u8(c, proto));
    TRY(cur_skip(c, 2));
    p->src.family = 4;
    TRY(cur_take(c, 4, &a));
    memcpy(p->src.bytes, a.ptr, 4);
    p->dst.family = 4;
    TRY(cur_take(c, 4, &a));
    memcpy(p->dst.bytes, a.ptr, 4);
    TRY(cur_skip(c, ihl - 20));
    p->ttl = ttl;
    /* more-fragments set, or a non-zero offset */
    *fragment = (frag & 0x2000) != 0 || (frag & 0x1fff) != 0;
    /* TSO captures carry total length 0: trust what was captured then */
    if (total == 0)
        *ip_payload_len = (uint32_t)cur_left(c);
    else {
        ENSURE(total >= ihl, ST_MALFORMED);
        *ip_payload_len = (uint32_t)(total - ihl);
    }
    return ST_OK;
}

/* One extension header: next header, length, the rest. The length counts
 * 8-byte units beyond the first (RFC 8200 4.3), for AH 4-byte units minus 2
 * (RFC 4302 2.2). */
static enum status skip_extension(struct cursor *c, uint8_t *next, uint32_t *remaining, bool ah)
{
    uint8_t nh, hlen;
    TRY(cur_u8(c, &nh));
    TRY(cur_u8(c, &hlen));
    size_t n = ah ? ((size_t)hlen + 2) * 4 : ((size_t)hlen + 1) * 8;
    TRY(cur_skip(c, n - 2));
    ENSURE(*remaining >= n, ST_MALFORMED);
    *remaining -= (uint32_t)n;
    *next = nh;
    return ST_OK;
}

/* IPv6 (RFC 8200): walks the extension header chain to TCP. */
static enum status decode_ipv6(struct cursor *c, struct packet *p, uint32_t *ip_payload_len,
                               bool *fragment, uint8_t *proto)
{
    uint8_t v, next, hop;
    uint16_t plen;
    struct slice a;
    TRY(cur_peek_u8(c, 0, &v));
    ENSURE((v >> 4) == 6, ST_MALFORMED);
    TRY(cur_skip(c, 4));
    TRY(cur_u16(c, &plen));
    TRY(cur_u8(c, &next));
    TRY(cur_u8(c, &hop));
    p->ttl = hop;
    p->src.family = 6;
    TRY(cur_take(c, 16, &a));
    memcpy(p->src.bytes, a.ptr, 16);
    p->dst.family = 6;
    TRY(cur_take(c, 16, &a));
    memcpy(p->dst.bytes, a.ptr, 16);
    uint32_t remaining = plen;
    for (int hdrs = 0; hdrs < 16; hdrs++) {
        switch (next) {
        case 0:   /* hop-by-hop */
        case 43:  /* routing */
        case 60:  /* destination options */
        case 135: /* mobility */
            TRY(skip_extension(c, &next, &remaining, false));
            break;
        case 44: { /* fragment: only the first fragment with offset 0 and M=0 is whole */
            uint8_t nh;
            uint16_t off;
            TRY(cur_u8(c, &nh));
            TRY(cur_skip(c, 1));
            TRY(cur_u16(c, &off));
            TRY(cur_skip(c, 4));
            ENSURE(remaining >= 8, ST_MALFORMED);
            remaining -= 8;
            if ((off & 0xfff9) != 0)
                *fragment = true;
            next = nh;
            break;
        }
        case 51: /* AH */
            TRY(skip_extension(c, &next, &remaining, true));
            break;
        default:
            *proto = next;
            *ip_payload_len = plen == 0 ? (uint32_t)cur_left(c) : remaining;
            return ST_OK;
        }
    }
    return ST_MALFORMED;
}

/* A bounded child cursor over the next n bytes. */
static enum status cur_take_cursor(struct cursor *c, size_t n, struct cursor *child)
{
    struct slice s;
    TRY(cur_take(c, n, &s));
    *child = cur_make(s.ptr, s.len);
    return ST_OK;
}

/* TCP options (RFC 9293 3.1): only SACK blocks (RFC 2018 3: kind 5, then
 * 8 bytes a block, at most 4) are kept. Options that break their grammar
 * end the walk; the segment itself stays good. */
static void tcp_options(struct cursor *o, struct packet *p)
{
    while (cur_left(o) > 0) {
        uint8_t kind, len;
        if (cur_u8(o, &kind) != ST_OK || kind == 0) /* end of option list */
            return;
        if (kind == 1) /* no-operation */
            continue;
        struct cursor v;
        if (cur_u8(o, &len) != ST_OK || len < 2 || cur_take_cursor(o, (size_t)len - 2, &v) != ST_OK)
            return;
        if (kind != 5 || (len - 2) % 8 != 0)
            continue;
        p->n_sack = 0;
        while (cur_left(&v) >= 8 && p->n_sack < PACKET_MAX_SACK) {
            if (cur_u32(&v, &p->sack[p->n_sack].left) != ST_OK ||
                cur_u32(&v, &p->sack[p->n_sack].right) != ST_OK)
                return;
            p->n_sack++;
        }
    }
}

static enum status decode_tcp(struct cursor *c, struct packet *p, uint32_t seg_len)
{
    uint8_t off_byte, flags;
    TRY(cur_u16(c, &p->sport));
    TRY(cur_u16(c, &p->dport));
    TRY(cur_u32(c, &p->seq));
    TRY(cur_u32(c, &p->ack));
    TRY(cur_u8(c, &off_byte));
    TRY(cur_u8(c, &flags));
    TRY(cur_u16(c, &p->window));
    TRY(cur_skip(c, 4)); /* checksum, urgent pointer */
    size_t hlen = (size_t)(off_byte >> 4) * 4;
    ENSURE(hlen >= 20 && hlen <= seg_len, ST_MALFORMED);
    struct cursor opts;
    TRY(cur_take_cursor(c, hlen - 20, &opts));
    tcp_options(&opts, p);
    p->flags = flags;
    p->payload_wire = seg_len - (uint32_t)hlen;
    size_t have = cur_left(c);
    if (have > p->payload_wire)
        have = p->payload_wire; /* Ethernet padding after a short segment */
    TRY(cur_take(c, have, &p->payload));
    p->cut = p->payload.len < p->payload_wire;
    return ST_OK;
}

static enum status decode_network(struct cursor *c, uint16_t ethertype, size_t cut,
                                  int depth, struct packet *out, enum skip_reason *skip);

/* The payload of a tunnel: an Ethernet frame (VXLAN, Geneve, GRE bridging)
 * or an IP packet (GRE, GTP-U, IP in IP); decoded like the outer one. */
static enum status decode_tunnel_ethernet(struct cursor *c, size_t cut, int depth,
                                          struct packet *out, enum skip_reason *skip)
{
    uint16_t ethertype;
    TRY(skip_ethernet(c, &ethertype));
    return decode_network(c, ethertype, cut, depth + 1, out, skip);
}

/* UDP (RFC 768) carrying VXLAN (RFC 7348), Geneve (RFC 8926) or GTP-U
 * (3GPP TS 29.281); anything else is not ours. */
static enum status decode_udp_tunnel(struct cursor *c, size_t cut, int depth,
                                     struct packet *out, enum skip_reason *skip)
{
    uint16_t sport, dport, len, checksum;
    TRY(cur_u16(c, &sport));
    TRY(cur_u16(c, &dport));
    TRY(cur_u16(c, &len));
    TRY(cur_u16(c, &checksum));
    if (dport == UDP_PORT_VXLAN) {
        TRY(cur_skip(c, 8));
        return decode_tunnel_ethernet(c, cut, depth, out, skip);
    }
    if (dport == UDP_PORT_GENEVE) {
        uint8_t ver_optlen, flags;
        uint16_t proto;
        TRY(cur_u8(c, &ver_optlen));
        TRY(cur_u8(c, &flags));
        TRY(cur_u16(c, &proto));
        TRY(cur_skip(c, 4 + (size_t)(ver_optlen & 0x3f) * 4));
        if (proto == ETHERTYPE_TEB)
            return decode_tunnel_ethernet(c, cut, depth, out, skip);
        return decode_network(c, proto, cut, depth + 1, out, skip);
    }
    if (dport == UDP_PORT_GTPU || sport == UDP_PORT_GTPU) {
        uint8_t flags, type;
        TRY(cur_u8(c, &flags));
        TRY(cur_u8(c, &type));
        TRY(cur_skip(c, 6)); /* length, TEID */
        if (type != 0xff) {  /* G-PDU carries user packets; others are signalling */
            *skip = SKIP_NOT_TCP;
            return ST_OK;
        }
        if (flags & 0x07) {  /* sequence number, N-PDU number, next extension type */
            uint8_t next;
            TRY(cur_skip(c, 3));
            TRY(cur_u8(c, &next));
            for (int n = 0; next != 0 && n < 8; n++) {
                uint8_t units;
                TRY(cur_u8(c, &units));
                ENSURE(units > 0, ST_MALFORMED);
                TRY(cur_skip(c, (size_t)units * 4 - 2));
                TRY(cur_u8(c, &next));
            }
        }
        return decode_network(c, 0, cut, depth + 1, out, skip);
    }
    /* any other datagram: QUIC is recognised by content, on any port */
    *skip = SKIP_NOT_TCP;
    if (len < 8)
        return ST_OK;
    out->sport = sport;
    out->dport = dport;
    out->payload_wire = len - 8u;
    TRY(cur_take(c, cur_left(c) < len - 8u ? cur_left(c) : len - 8u, &out->payload));
    out->cut = out->payload.len < out->payload_wire;
    out->udp = true;
    return ST_OK;
}

/* ICMP destination unreachable (RFC 792, type 3) or ICMPv6 (RFC 4443 3.1,
 * type 1) quoting a UDP datagram: who could not deliver it and why. The
 * quoted IP header is read like any other; only its first 8 payload bytes
 * (the UDP header) are needed. Anything else is not ours. */
static enum status icmp_unreachable(struct cursor *c, bool v6, struct packet *out)
{
    uint8_t type, code, proto = 0;
    uint16_t sport, dport;
    uint32_t quoted_len = 0;
    bool fragment = false;
    struct packet quoted;
    TRY(cur_u8(c, &type));
    TRY(cur_u8(c, &code));
    TRY(cur_skip(c, 6)); /* checksum, unused (or MTU) */
    if (type != (v6 ? 1 : 3))
        return ST_OK;
    memset(&quoted, 0, sizeof quoted);
    TRY(v6 ? decode_ipv6(c, &quoted, &quoted_len, &fragment, &proto)
           : decode_ipv4(c, &quoted, &quoted_len, &fragment, &proto));
    if (proto != IPPROTO_UDP_NUM || fragment)
        return ST_OK;
    TRY(cur_u16(c, &sport));
    TRY(cur_u16(c, &dport));
    out->icmp_from = out->src;
    out->src = quoted.src;
    out->dst = quoted.dst;
    out->sport = sport;
    out->dport = dport;
    out->icmp_type = type;
    out->icmp_code = code;
    out->icmp_unreachable = true;
    return ST_OK;
}

/* A short or odd ICMP message stays what it was before: a frame that is not TCP. */
static enum status decode_icmp_unreachable(struct cursor *c, bool v6, struct packet *out,
                                           enum skip_reason *skip)
{
    struct addr src = out->src, dst = out->dst;
    *skip = SKIP_NOT_TCP;
    if (icmp_unreachable(c, v6, out) != ST_OK) {
        out->src = src;
        out->dst = dst;
        out->icmp_unreachable = false;
    }
    return ST_OK;
}

/* GRE (RFC 2784, 2890): optional checksum, key and sequence words. */
static enum status decode_gre(struct cursor *c, size_t cut, int depth, struct packet *out,
                              enum skip_reason *skip)
{
    uint16_t flags, proto;
    TRY(cur_u16(c, &flags));
    TRY(cur_u16(c, &proto));
    if (flags & 0x8000)
        TRY(cur_skip(c, 4));
    if (flags & 0x2000)
        TRY(cur_skip(c, 4));
    if (flags & 0x1000)
        TRY(cur_skip(c, 4));
    if (proto == ETHERTYPE_TEB)
        return decode_tunnel_ethernet(c, cut, depth, out, skip);
    return decode_network(c, proto, cut, depth + 1, out, skip);
}

/* IP and what it carries. `cut` is how many bytes of the frame the snap
 * length dropped: an IP length beyond what was captured plus what was cut
 * is a bogus header, not a cut, and is not believed. */
static enum status decode_network(struct cursor *c, uint16_t ethertype, size_t cut,
                                  int depth, struct packet *out, enum skip_reason *skip)
{
    uint8_t version = 0, proto = 0;
    uint32_t ip_payload_len = 0;
    bool fragment = false;

    ENSURE(depth <= MAX_ENCAPSULATION, ST_MALFORMED);
    TRY(skip_shim(c, &ethertype));
    if (ethertype == ETHERTYPE_IPV4)
        version = 4;
    else if (ethertype == ETHERTYPE_IPV6)
        version = 6;
    else if (ethertype == 0 && cur_peek_u8(c, 0, &version) == ST_OK)
        version >>= 4;
    if (version != 4 && version != 6) {
        *skip = SKIP_NOT_IP;
        return ST_OK;
    }
    out->ip.ptr = c->buf + c->pos;
    out->ip.len = cur_left(c);
    TRY(version == 4 ? decode_ipv4(c, out, &ip_payload_len, &fragment, &proto)
                     : decode_ipv6(c, out, &ip_payload_len, &fragment, &proto));
    if (fragment) {
        *skip = SKIP_FRAGMENT;
        return ST_OK;
    }
    size_t on_wire = cur_left(c) + cut;
    if (ip_payload_len > on_wire)
        ip_payload_len = (uint32_t)on_wire;
    /* The payload ends where IP says, or where the capture does. */
    struct cursor inner = *c;
    if (ip_payload_len < cur_left(&inner))
        inner.len = inner.pos + ip_payload_len;
    switch (proto) {
    case IPPROTO_TCP_NUM:
        return decode_tcp(&inner, out, ip_payload_len);
    case IPPROTO_IPIP_NUM:
        return decode_network(&inner, ETHERTYPE_IPV4, cut, depth + 1, out, skip);
    case IPPROTO_IPV6_IN_IP:
        return decode_network(&inner, ETHERTYPE_IPV6, cut, depth + 1, out, skip);
    case IPPROTO_UDP_NUM:
        return decode_udp_tunnel(&inner, cut, depth, out, skip);
    case IPPROTO_GRE_NUM:
        return decode_gre(&inner, cut, depth, out, skip);
    case IPPROTO_ICMP_NUM:
    case IPPROTO_ICMPV6_NUM:
        return decode_icmp_unreachable(&inner, proto == IPPROTO_ICMPV6_NUM, out, skip);
    default:
        *skip = SKIP_NOT_TCP;
        return ST_OK;
    }
}

enum status packet_decode(int dlt, const uint8_t *data, size_t caplen, size_t wirelen,
                          struct packet *out, enum skip_reason *skip)
{
    struct cursor c = cur_make(data, caplen);
    uint16_t ethertype;
    size_t cut = wirelen > caplen ? wirelen - caplen : 0;

    *skip = SKIP_NONE;
    enum status st = skip_link(dlt, &c, &ethertype);
    if (st == ST_UNSUPPORTED)
        return st;
    if (st == ST_OK)
        st = decode_network(&c, ethertype, cut, 0, out, skip);
    /* a frame that breaks a header is a fact to count, not an error */
    if (st != ST_OK)
        *skip = st == ST_TRUNCATED ? SKIP_TRUNCATED : SKIP_MALFORMED;
    return ST_OK;
}

/* v in decimal at p; the end. */
static char *put_decimal(char *p, unsigned v)
{
    char digits[10];
    size_t n = 0;
    do
        digits[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    while (n > 0)
        *p++ = digits[--n];
    return p;
}

/* Written out by hand, not with inet_ntop and a format string: every
 * connection's endpoints are formatted for its report, and in a storm of a
 * million attempts that was 9% of the run. IPv6 keeps inet_ntop (RFC 5952's
 * zero compression). */
void addr_format(const struct addr *a, uint16_t port, char *out, size_t outlen)
{
    char text[INET6_ADDRSTRLEN + 8], *p = text;
    if (a->family == 4) {
        for (int i = 0; i < 4; i++) {
            if (i > 0)
                *p++ = '.';
            p = put_decimal(p, a->bytes[i]);
        }
    } else {
        char ip[INET6_ADDRSTRLEN] = "?";
        inet_ntop(AF_INET6, a->bytes, ip, sizeof ip);
        size_t n = strlen(ip);
        *p++ = '[';
        memcpy(p, ip, n);
        p += n;
        *p++ = ']';
    }
    *p++ = ':';
    p = put_decimal(p, port);
    if (outlen == 0)
        return;
    size_t n = (size_t)(p - text) < outlen ? (size_t)(p - text) : outlen - 1; /* as snprintf cuts */
    memcpy(out, text, n);
    out[n] = '\0';
}

bool addr_equal(const struct addr *a, const struct addr *b)
{
    size_t n = a->family == 4 ? 4 : 16;
    return a->family == b->family && memcmp(a->bytes, b->bytes, n) == 0;
}
