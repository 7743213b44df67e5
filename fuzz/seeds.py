#!/usr/bin/env python3
"""seeds.py: seed corpus for one fuzz target, made at run time from the
captures in the repository and in ../shared/corpus (nothing is checked in).

    python3 fuzz/seeds.py TARGET OUTDIR DIR...

capture     the capture files, cut at a record boundary to at most 64 KB, and
            small synthetic ones for each link type and encapsulation the
            decoder knows (VLAN, MPLS, PPPoE, GRE, VXLAN, Geneve, GTP-U, ...)
tls_stream  per TCP connection: clen(2) ctl(1) seed(1) client-bytes server-bytes
quic        per UDP flow: { len(2) side(1) datagram } per datagram
cert        DER certificates (files and ones found in the streams), alone and
            as chains: flags(1) [len(2)]... der der...
tls13       whole TLS 1.3 handshakes for fuzz_tls13.c to seal
keylog      the NSS key logs (*.keylog, keylogs/*), whole and fed in pieces
tls12       protected SSL 3.0 and TLS 1.0-1.2 records of the captures, for fuzz_tls12.c
pcapng_secrets  each pcapng file, after a byte that sets the size of the
            pieces it is fed in (Decryption Secrets Blocks anywhere)
facts       what tlsexplain --json --facts writes of the test captures'
            connections and contexts (base64 decoded), behind ctl(1)
reassembly  the real segment sequences of a few connections, in the format
            fuzz_reassembly.c reads

Standard library only; any file it cannot read is skipped."""

import base64
import hashlib
import json
import os
import struct
import subprocess
import sys

MAX_CAPTURE = 64 * 1024
MAX_STREAM = 12 * 1024


def files_under(dirs):
    for d in dirs:
        if os.path.isfile(d):
            yield d
            continue
        for root, subdirs, names in os.walk(d):
            subdirs.sort()
            for n in sorted(names):
                yield os.path.join(root, n)


def write_seed(outdir, data):
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(outdir, "seed-" + name), "wb") as f:
        f.write(data)


# ---- capture files -------------------------------------------------------

def pcap_records(data):
    """(endian, linktype, header, [(ts, caplen, wirelen, frame-bytes)]) of a
    classic pcap, or None."""
    if len(data) < 24:
        return None
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return None
    linktype = struct.unpack(e + "I", data[20:24])[0] & 0x0FFFFFFF
    recs, pos = [], 24
    while pos + 16 <= len(data):
        caplen = struct.unpack(e + "I", data[pos + 8:pos + 12])[0]
        if caplen > len(data) - pos - 16:
            break
        recs.append((data[pos:pos + 16], data[pos + 16:pos + 16 + caplen]))
        pos += 16 + caplen
    return e, linktype, data[:24], recs


def pcapng_blocks(data):
    """(endian, [(type, block-bytes)]) of a pcapng, or None."""
    if len(data) < 12 or data[:4] != b"\x0a\x0d\x0d\x0a":
        return None
    bom = data[8:12]
    e = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
    blocks, pos = [], 0
    while pos + 12 <= len(data):
        btype, blen = struct.unpack(e + "II", data[pos:pos + 8])
        if blen < 12 or blen % 4 or blen > len(data) - pos:
            break
        blocks.append((btype, data[pos:pos + blen]))
        pos += blen
    return e, blocks


def cut_capture(data):
    """The capture cut at a record boundary to at most MAX_CAPTURE bytes."""
    if len(data) <= MAX_CAPTURE:
        return data
    p = pcap_records(data)
    if p is not None:
        out = bytearray(p[2])
        for hdr, body in p[3]:
            if len(out) + len(hdr) + len(body) > MAX_CAPTURE:
                break
            out += hdr + body
        return bytes(out)
    n = pcapng_blocks(data)
    if n is not None:
        out = bytearray()
        for _, block in n[1]:
            if len(out) + len(block) > MAX_CAPTURE:
                break
            out += block
        return bytes(out)
    return data[:MAX_CAPTURE]


def is_capture(data):
    return data[:4] in (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1",
                        b"\xa1\xb2\x3c\x4d", b"\x0a\x0d\x0d\x0a")


# ---- TCP segments out of a capture ----------------------------------------

def frames(data):
    """(linktype, frame-bytes) for every packet of a pcap or pcapng."""
    p = pcap_records(data)
    if p is not None:
        for _, body in p[3]:
            yield p[1], body
        return
    n = pcapng_blocks(data)
    if n is None:
        return
    e, blocks = n
    links = []
    for btype, b in blocks:
        if btype == 0x0A0D0D0A:
            links = []
        elif btype == 1 and len(b) >= 16:
            links.append(struct.unpack(e + "H", b[8:10])[0])
        elif btype == 6 and len(b) >= 32:
            ifc, _, _, caplen = struct.unpack(e + "IIII", b[8:24])
            if ifc < len(links) and caplen <= len(b) - 32:
                yield links[ifc], b[28:28 + caplen]
        elif btype == 3 and len(b) >= 16 and links:
            yield links[0], b[12:len(b) - 4]


def ip_of(link, f):
    """The IP packet inside a frame, or None."""
    if link == 1:  # Ethernet, VLAN tags
        pos = 12
        while pos + 2 <= len(f):
            et = struct.unpack(">H", f[pos:pos + 2])[0]
            if et in (0x8100, 0x88A8, 0x9100):
                pos += 4
                continue
            return f[pos + 2:] if et in (0x0800, 0x86DD) else None
        return None
    if link == 113:
        return f[16:]
    if link == 276:
        return f[20:]
    if link in (0, 108):
        return f[4:]
    if link in (101, 12, 14, 228, 229):
        return f
    return None


def tcp_of(ip):
    """(src, dst, sport, dport, seq, flags, payload) or None."""
    if len(ip) < 20:
        return None
    v = ip[0] >> 4
    if v == 4:
        ihl = (ip[0] & 15) * 4
        total = struct.unpack(">H", ip[2:4])[0] or len(ip)
        if ip[9] != 6 or ihl < 20 or struct.unpack(">H", ip[6:8])[0] & 0x3FFF:
            return None
        src, dst, seg = ip[12:16], ip[16:20], ip[ihl:total]
    elif v == 6 and len(ip) >= 40:
        if ip[6] != 6:
            return None
        plen = struct.unpack(">H", ip[4:6])[0] or len(ip) - 40
        src, dst, seg = ip[8:24], ip[24:40], ip[40:40 + plen]
    else:
        return None
    if len(seg) < 20:
        return None
    sport, dport, seq = struct.unpack(">HHI", seg[:8])
    off = (seg[12] >> 4) * 4
    if off < 20:
        return None
    return src, dst, sport, dport, seq, seg[13], seg[off:]


def connections(data):
    """Per connection: list of (dir, seq, flags, payload) in capture order."""
    conns = {}
    for link, f in frames(data):
        ip = ip_of(link, f)
        t = tcp_of(ip) if ip is not None else None
        if not t:
            continue
        src, dst, sp, dp, seq, flags, payload = t
        a, b = (src, sp), (dst, dp)
        key = (a, b) if (a, b) in conns or (b, a) not in conns else (b, a)
        d = 0 if key[0] == a else 1
        conns.setdefault(key, []).append((d, seq, flags, payload))
    return list(conns.values())


def streams(segs):
    """The two byte streams of a connection, reassembled naively by seq."""
    out = []
    for d in (0, 1):
        mine = sorted((s for s in segs if s[0] == d and s[3]), key=lambda s: s[1])
        buf, nxt = bytearray(), None
        for _, seq, _, payload in mine:
            if nxt is None:
                nxt = seq
            if seq > nxt or seq + len(payload) <= nxt:
                continue
            buf += payload[nxt - seq:]
            nxt = seq + len(payload)
            if len(buf) >= MAX_STREAM:
                break
        out.append(bytes(buf[:MAX_STREAM]))
    return out


def captures(dirs):
    for path in files_under(dirs):
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError:
            continue
        if is_capture(data):
            yield path, data


# ---- synthetic captures: one TCP handshake and ClientHello per encapsulation

def _csum(b):
    if len(b) % 2:
        b += b"\0"
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while t >> 16:
        t = (t & 0xFFFF) + (t >> 16)
    return ~t & 0xFFFF


def _ipv4(proto, payload, src=b"\x0a\x00\x00\x01", dst=b"\x0a\x00\x00\x02"):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0x4000, 64, proto, 0,
                    src, dst)
    return h[:10] + struct.pack("!H", _csum(h)) + h[12:] + payload


def _ipv6(proto, payload, ext=b""):
    src, dst = b"\x20\x01\x0d\xb8" + bytes(11) + b"\x01", b"\x20\x01\x0d\xb8" + bytes(11) + b"\x02"
    return struct.pack("!IHBB", 0x60000000, len(ext) + len(payload), proto, 64) + src + dst + ext + payload


def _tcp(sport, dport, seq, ack, flags, payload=b""):
    return struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload


def _hello():
    sni = b"fuzz.test"
    ext = struct.pack("!HHHBH", 0, len(sni) + 5, len(sni) + 3, 0, len(sni)) + sni
    ext += struct.pack("!HHB2H", 43, 5, 4, 0x0304, 0x0303)            # supported_versions
    ext += struct.pack("!HHH2H", 10, 6, 4, 0x001D, 0x0017)             # supported_groups
    ext += struct.pack("!HHH", 16, 5, 3) + b"\x02h2"                   # ALPN
    ext += struct.pack("!HHHHH", 51, 38, 36, 0x001D, 32) + bytes(32)   # key_share
    ext += struct.pack("!HHH2H", 13, 6, 4, 0x0804, 0x0403)             # signature_algorithms
    suites = struct.pack("!4H", 0x1301, 0x1302, 0xC02F, 0x00FF)
    body = (b"\x03\x03" + bytes(32) + b"\x20" + bytes(32) + struct.pack("!H", len(suites)) +
            suites + b"\x01\x00" + struct.pack("!H", len(ext)) + ext)
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


def _flow(ip):
    """The packets of a connection: SYN, SYN-ACK, ACK, ClientHello, alert, FIN."""
    hello = _hello()
    alert = b"\x15\x03\x03\x00\x02\x02\x28"
    return [ip(True, _tcp(40000, 443, 100, 0, 0x02)),
            ip(False, _tcp(443, 40000, 900, 101, 0x12)),
            ip(True, _tcp(40000, 443, 101, 901, 0x10)),
            ip(True, _tcp(40000, 443, 101, 901, 0x18, hello)),
            ip(False, _tcp(443, 40000, 901, 101 + len(hello), 0x18, alert)),
            ip(False, _tcp(443, 40000, 908, 101 + len(hello), 0x11))]


def _v4(c2s, seg):
    a, b = b"\x0a\x00\x00\x01", b"\x0a\x00\x00\x02"
    return _ipv4(6, seg, a if c2s else b, b if c2s else a)


def _v6(c2s, seg):
    v = _ipv6(6, seg)
    if not c2s:  # swap the addresses
        v = v[:8] + v[24:40] + v[8:24] + v[40:]
    return v


def _eth(ethertype, payload, tags=b""):
    return b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01" + tags + struct.pack("!H", ethertype) + payload


def _pcap(linktype, frames):
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, linktype)
    for i, f in enumerate(frames):
        out += struct.pack("<IIII", 1700000000, i * 1000, len(f), len(f)) + f
    return out


def synthetic_captures():
    v4 = lambda c2s, seg: _v4(c2s, seg)
    v6 = lambda c2s, seg: _v6(c2s, seg)
    # IPv6 with hop-by-hop, destination options, a whole fragment and AH
    def v6ext(c2s, seg):
        ext = (bytes([60, 0]) + bytes(6) + bytes([44, 0]) + bytes(6) +
               bytes([51, 0, 0, 0]) + bytes(4) + bytes([6, 1]) + bytes(10))
        v = _ipv6(0, seg, ext)
        return v if c2s else v[:8] + v[24:40] + v[8:24] + v[40:]
    links = {
        "ethernet": (1, lambda c, s: _eth(0x0800, v4(c, s))),
        "ethernet-v6": (1, lambda c, s: _eth(0x86DD, v6(c, s))),
        "ethernet-v6-ext": (1, lambda c, s: _eth(0x86DD, v6ext(c, s))),
        "vlan": (1, lambda c, s: _eth(0x0800, v4(c, s), b"\x81\x00\x00\x64")),
        "qinq": (1, lambda c, s: _eth(0x0800, v4(c, s), b"\x88\xa8\x00\x0a\x81\x00\x00\x64")),
        "cisco-metadata": (1, lambda c, s: _eth(0x0800, v4(c, s), b"\x89\x09\x01\x01\x00\x01\x00\x02")),
        "pppoe": (1, lambda c, s: _eth(0x8864, b"\x11\x00\x00\x01" + struct.pack("!H", 2 + len(v4(c, s))) + b"\x00\x21" + v4(c, s))),
        "mpls": (1, lambda c, s: _eth(0x8847, b"\x00\x01\x00\x40" + b"\x00\x02\x01\x40" + v4(c, s))),
        "gre": (1, lambda c, s: _eth(0x0800, _ipv4(47, b"\x20\x00\x08\x00" + b"\x00\x00\x00\x07" + v4(c, s), b"\xc0\xa8\x00\x01", b"\xc0\xa8\x00\x02"))),
        "gre-teb": (1, lambda c, s: _eth(0x0800, _ipv4(47, b"\x00\x00\x65\x58" + _eth(0x0800, v4(c, s)), b"\xc0\xa8\x00\x01", b"\xc0\xa8\x00\x02"))),
        "vxlan": (1, lambda c, s: _eth(0x0800, _ipv4(17, struct.pack("!HHHH", 50000, 4789, 16 + 14 + len(v4(c, s)), 0) + b"\x08\x00\x00\x00\x00\x00\x01\x00" + _eth(0x0800, v4(c, s)), b"\xc0\xa8\x00\x01", b"\xc0\xa8\x00\x02"))),
        "geneve": (1, lambda c, s: _eth(0x0800, _ipv4(17, struct.pack("!HHHH", 50000, 6081, 0, 0) + b"\x01\x00\x65\x58\x00\x00\x01\x00" + bytes(4) + _eth(0x0800, v4(c, s)), b"\xc0\xa8\x00\x01", b"\xc0\xa8\x00\x02"))),
        "gtpu": (1, lambda c, s: _eth(0x0800, _ipv4(17, struct.pack("!HHHH", 2152, 2152, 0, 0) + b"\x34\xff" + struct.pack("!HI", len(v4(c, s)) + 8, 1) + b"\x00\x00\x00\x85\x01\x10\x09\x00" + v4(c, s), b"\xc0\xa8\x00\x01", b"\xc0\xa8\x00\x02"))),
        "ipip": (1, lambda c, s: _eth(0x0800, _ipv4(4, v4(c, s), b"\xc0\xa8\x00\x01", b"\xc0\xa8\x00\x02"))),
        "6in4": (1, lambda c, s: _eth(0x0800, _ipv4(41, v6(c, s), b"\xc0\xa8\x00\x01", b"\xc0\xa8\x00\x02"))),
        "sll": (113, lambda c, s: b"\x00\x00\x00\x01\x00\x06" + bytes(8) + b"\x08\x00" + v4(c, s)),
        "sll2": (276, lambda c, s: b"\x08\x00\x00\x00" + bytes(16) + v4(c, s)),
        "null": (0, lambda c, s: b"\x02\x00\x00\x00" + v4(c, s)),
        "loop": (108, lambda c, s: b"\x00\x00\x00\x1e" + v6(c, s)),
        "raw": (101, lambda c, s: v4(c, s)),
        "ipv4": (228, lambda c, s: v4(c, s)),
    }
    for name, (link, wrap) in links.items():
        yield _pcap(link, _flow(wrap))


# ---- one generator per target ---------------------------------------------

def seeds_capture(dirs):
    for _, data in captures(dirs):
        yield cut_capture(data)
    for data in synthetic_captures():
        yield data


def seeds_tls_stream(dirs):
    for _, data in captures(dirs):
        try:
            conns = connections(data)
        except (struct.error, IndexError):
            continue
        for segs in conns[:20]:
            c, s = streams(segs)
            if not c and not s:
                continue
            if c and c[0] != 0x16 and s and s[0] == 0x16 and s[5:6] == b"\x01":
                c, s = s, c
            for ctl in (0x00, 0x0A):
                yield struct.pack(">HBB", len(c), ctl, len(c) & 0xFF) + c + s
    for seed in synthetic_streams():
        yield seed


def synthetic_streams():
    """SSLv2-format hellos (RFC 5246 E.2 and a genuine SSLv2 SERVER-HELLO)."""
    specs = b"\x00\xc0\x2f\x00\x00\x2f\x01\x00\x80\x00\x56\x00"
    body = b"\x01\x03\x01" + struct.pack("!HHH", len(specs), 0, 16) + specs + bytes(16)
    client = struct.pack("!H", 0x8000 | len(body)) + body
    sbody = b"\x04\x00\x01\x00\x02" + struct.pack("!HHH", 0, 3, 16) + b"\x01\x00\x80" + bytes(16)
    server = struct.pack("!H", 0x8000 | len(sbody)) + sbody
    for ctl in (0x00, 0x02, 0x04):
        yield struct.pack(">HBB", len(client), ctl, 7) + client + server


def ders_in(blob):
    """DER certificates inside a byte string: SEQUENCE { SEQUENCE ... }."""
    pos = 0
    while True:
        pos = blob.find(b"\x30\x82", pos)
        if pos < 0 or pos + 8 > len(blob):
            return
        n = struct.unpack(">H", blob[pos + 2:pos + 4])[0]
        if blob[pos + 4:pos + 6] == b"\x30\x82" and 200 < n <= len(blob) - pos - 4:
            yield blob[pos:pos + 4 + n]
            pos += 4 + n
        else:
            pos += 2


def cert_seed(ders, flags):
    ders = ders[:3]
    head = bytes([((len(ders) - 1) & 3) | flags])
    for d in ders[:-1]:
        head += struct.pack(">H", len(d))
    return head + b"".join(ders)


def seeds_cert(dirs):
    found = []
    for path in files_under(dirs):
        if path.endswith(".der") and "crl" not in path:
            with open(path, "rb") as f:
                found.append(f.read())
    for _, data in captures(dirs):
        try:
            for segs in connections(data)[:5]:
                for s in streams(segs):
                    found.extend(ders_in(s))
        except (struct.error, IndexError):
            continue
    uniq = list(dict.fromkeys(d for d in found if len(d) < 8192))[:200]
    for i, d in enumerate(uniq):
        yield cert_seed([d], 0x04 * (i & 1))
    for i in range(0, len(uniq) - 2, 2):
        yield cert_seed(uniq[i:i + 3], 0x04 | (i & 0x30))


def reasm_seed(segs, d):
    """fuzz_reassembly.c format: isn-flag byte, isn(4), then 8-byte records
    op(1) seq(4) wire_len(2) cut(1)."""
    out = bytearray(b"\x00\x00\x00\x00\x00")
    mine = [s for s in segs if s[0] == d][:200]
    for _, seq, flags, payload in mine:
        if flags & 0x02:
            out[0:5] = b"\x01" + struct.pack(">I", seq)
            continue
        if payload:
            out += struct.pack(">BIHB", 0, seq, min(len(payload), 0xFFFF), 0)
    return bytes(out)


def seeds_reassembly(dirs):
    for _, data in captures(dirs):
        try:
            conns = connections(data)
        except (struct.error, IndexError):
            continue
        for segs in conns[:4]:
            for d in (0, 1):
                s = reasm_seed(segs, d)
                if len(s) > 5:
                    yield s


def seeds_keylog(dirs):
    for path in files_under(dirs):
        if not (path.endswith(".keylog") or "/keylogs/" in path or path.endswith(".keys")):
            continue
        with open(path, "rb") as f:
            data = f.read()[:MAX_CAPTURE]
        for split in (0, 7, 63):
            yield bytes([split]) + data


def tls13_records(cert):
    """fuzz_tls13.c input: a whole TLS 1.3 handshake, application data, a
    KeyUpdate and a close_notify, each record sealed by the harness."""
    def rec(hdr, content):
        return bytes([hdr]) + struct.pack(">H", len(content)) + content
    def msg(t, body):
        return bytes([t]) + struct.pack(">I", len(body))[1:] + body
    cert_body = b"\x00" + struct.pack(">I", len(cert) + 5)[1:] + struct.pack(">I", len(cert))[1:] + cert + b"\x00\x00"
    flight = (msg(8, b"\x00\x00") + msg(11, cert_body) + msg(15, b"\x08\x04\x00\x00") +
              msg(20, bytes(32)))
    out = rec(0x01, flight[:40]) + rec(0x01, flight[40:])         # split over two records
    out += rec(0x00, msg(20, bytes(32)))                         # client Finished
    out += rec(0x13, b"HTTP/1.1 200 OK\r\n\r\n")                # server application data
    out += rec(0x03, msg(4, bytes(13)))                          # NewSessionTicket
    out += rec(0x02, msg(24, b"\x00"))                           # client KeyUpdate
    out += rec(0x12, b"GET / HTTP/1.1\r\n\r\n")                  # client data, next keys
    out += rec(0x0a, b"\x01\x00")                                # close_notify
    out += rec(0x29, b"\x02\x28")                                # padded alert, handshake keys
    return out


def seeds_tls13(dirs):
    certs = []
    for path in files_under(dirs):
        if path.endswith(".der") and "crl" not in path:
            with open(path, "rb") as f:
                certs.append(f.read())
    for cert in (certs[:4] or [bytes(64)]):
        body = tls13_records(cert)
        for ctl in (0x00, 0x01, 0x02, 0x04):
            yield bytes([ctl]) + body


def udp_of(ip):
    """(src, dst, sport, dport, payload) of an unfragmented UDP packet, or None."""
    if len(ip) < 20:
        return None
    v = ip[0] >> 4
    if v == 4:
        ihl = (ip[0] & 15) * 4
        total = struct.unpack(">H", ip[2:4])[0] or len(ip)
        if ip[9] != 17 or ihl < 20 or struct.unpack(">H", ip[6:8])[0] & 0x3FFF:
            return None
        src, dst, dgram = ip[12:16], ip[16:20], ip[ihl:total]
    elif v == 6 and len(ip) >= 40:
        if ip[6] != 17:
            return None
        src, dst, dgram = ip[8:24], ip[24:40], ip[40:]
    else:
        return None
    if len(dgram) < 8:
        return None
    sport, dport = struct.unpack(">HH", dgram[:4])
    return src, dst, sport, dport, dgram[8:]


def seeds_quic(dirs):
    """fuzz_quic: per UDP flow that starts with a long header, its datagrams
    as { uint16 length, uint8 side (0 client, 1 server), bytes }."""
    for _, data in captures(dirs):
        flows = {}
        try:
            for link, f in frames(data):
                ip = ip_of(link, f)
                u = udp_of(ip) if ip is not None else None
                if not u or not u[4]:
                    continue
                src, dst, sp, dp, payload = u
                key, back = (src, sp, dst, dp), (dst, dp, src, sp)
                if back in flows:
                    flows[back].append((1, payload))
                elif key in flows:
                    flows[key].append((0, payload))
                elif payload[0] & 0x80:
                    flows[key] = [(0, payload)]
        except (struct.error, IndexError):
            continue
        for dgrams in list(flows.values())[:20]:
            yield b"".join(struct.pack(">HB", len(p), side) + p for side, p in dgrams[:40])
    # plaintext records (side bit 1): the RFC 9001 A.2 CRYPTO frame, in two
    # pieces given out of order, then a CONNECTION_CLOSE with CRYPTO_ERROR
    hello = bytes.fromhex(
        "010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e86804fe3a47f06a2b69484c"
        "00000413011302010000c000000010000e00000b6578616d706c652e636f6dff01000100000a"
        "00080006001d0017001800100007000504616c706e000500050100000000003300260024001d"
        "00209370b2c9caa47fbabaf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b0003"
        "020304000d0010000e0403050306030203080408050806002d00020101001c00024001003900"
        "320408ffffffffffffffff05048000ffff07048000ffff0801100104800075300901100f0883"
        "94c8f03e51570806048000ffff")
    def crypto(off, data):
        return bytes([0x06, 0x40 | off >> 8, off & 0xFF, 0x40 | len(data) >> 8, len(data) & 0xFF]) + data
    first, second = crypto(0, hello[:100]), crypto(100, hello[100:])
    close = bytes([0x1C, 0x41, 0x78, 0x06, 0x00])
    rec = lambda side, p: struct.pack(">HB", len(p), side) + p
    yield rec(2, second) + rec(2, first) + rec(3, close)


def seeds_tls12(dirs):
    """fuzz_tls12.c input: ctl(1) then hdr(1) len(2) body records. The keys
    are the harness's, so real records do not open; the bodies are the
    protected records of the captures (explicit nonces, CBC blocks, MACs of
    real lengths) under every suite case, opened and skipped."""
    bodies = []
    for _name, data in captures(dirs):
        try:
            conns = connections(data)
        except (struct.error, IndexError):
            continue
        for segs in conns[:10]:
            for side, stream in enumerate(streams(segs)):
                i = 0
                while i + 5 <= len(stream) and len(bodies) < 400:
                    t, n = stream[i], struct.unpack(">H", stream[i + 3:i + 5])[0]
                    if t in (21, 22, 23) and stream[i + 1] == 3 and n <= 2048:
                        bodies.append((t - 20) & 3 | side << 3)
                        bodies.append(stream[i + 5:i + 5 + n])
                    i += 5 + n
    pairs = list(zip(bodies[0::2], bodies[1::2]))
    for ctl in range(10):
        recs = pairs[ctl * 40:(ctl + 1) * 40] or pairs[:40]
        yield bytes([ctl]) + b"".join(bytes([h]) + struct.pack(">H", len(b)) + b for h, b in recs)
        yield bytes([ctl]) + b"".join(bytes([h | 4]) + struct.pack(">H", len(b)) + b
                                      for h, b in recs[:8])
    for ctl in range(10):
        yield bytes([ctl, 0x02, 0x00, 0x30]) + bytes(range(48))


def seeds_pcapng_secrets(dirs):
    """fuzz_pcapng_secrets.c input: a piece size byte, then each pcapng file
    (its Decryption Secrets Blocks, when it has any, before or after its
    packets), in whole reads and in small ones."""
    for path in files_under(dirs):
        try:
            with open(path, "rb") as f:
                head = f.read(MAX_CAPTURE)
        except OSError:
            continue
        if head[:4] == b"\x0a\x0d\x0d\x0a":
            yield b"\xff" + head
            yield b"\x06" + head


def seeds_facts(dirs):
    """fuzz_facts.c input: ctl(1) (even: a connection, odd: a context) then
    the bytes --facts writes, from the built tlsexplain over the captures."""
    binary = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tlsexplain")
    paths = [p for p in files_under(dirs) if os.path.getsize(p) <= MAX_CAPTURE * 16]
    for path in sorted(paths)[:400]:
        try:
            out = subprocess.run([binary, "--json", "--facts", path], capture_output=True,
                                 timeout=60).stdout
        except (OSError, subprocess.TimeoutExpired):
            continue
        for line in out.splitlines():
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if obj.get("type") in ("facts", "context") and "data" in obj:
                ctl = 1 if obj["type"] == "context" else 0
                yield bytes([ctl]) + base64.b64decode(obj["data"])


TARGETS = {
    "facts": seeds_facts,
    "tls12": seeds_tls12,
    "pcapng_secrets": seeds_pcapng_secrets,
    "quic": seeds_quic,
    "tls13": seeds_tls13,
    "keylog": seeds_keylog,
    "capture": seeds_capture,
    "tls_stream": seeds_tls_stream,
    "cert": seeds_cert,
    "reassembly": seeds_reassembly,
}


def main():
    if len(sys.argv) < 4 or sys.argv[1] not in TARGETS:
        sys.exit("usage: seeds.py {%s} OUTDIR DIR..." % ",".join(TARGETS))
    target, outdir, dirs = sys.argv[1], sys.argv[2], [d for d in sys.argv[3:] if os.path.exists(d)]
    os.makedirs(outdir, exist_ok=True)
    n = 0
    for seed in TARGETS[target](dirs):
        write_seed(outdir, seed)
        n += 1
    print("seeds %s: %d written to %s" % (target, n, outdir))


if __name__ == "__main__":
    main()
