#!/usr/bin/env python3
"""damaged_gen.py: the damaged and hostile captures of tests/damaged.sh, made
at test time (standard library only; nothing large is checked in).

    damaged_gen.py snap IN OUT SNAPLEN     every frame cut to SNAPLEN bytes, as
                                           tcpdump -s SNAPLEN would have saved it
    damaged_gen.py linktype IN OUT DLT     the same packets, another link type
    damaged_gen.py pcapng-unknown IN OUT   IN as pcapng, with blocks of an unknown
                                           type after the IDB and the first packet
    damaged_gen.py big-hello OUT           a ClientHello whose handshake header
                                           claims 2^24-1 bytes (16 MB)
    damaged_gen.py overlap OUT N           a ClientHello sent as N tiny segments
                                           (1-8 bytes) at random offsets, out of
                                           order and overlapping; then the answer
    damaged_gen.py half-open OUT N         N SYNs to port 443, never answered, from
                                           N client addresses and ports to 65536
                                           servers in turn (a flood and a scan)
    damaged_gen.py seq4g OUT N             a ClientHello, then N segments of 65495
                                           bytes each, cut to their headers: more
                                           than 4 GiB of stream in a 5 MB file
    damaged_gen.py sparse4g IN OUT         a 4 GiB hole of empty records (a sparse
                                           file), then the packets of IN
IN is a classic pcap (either byte order, us or ns). Output is classic pcap,
Ethernet, little-endian, except pcapng-unknown."""

import random
import struct
import sys

# ---- classic pcap in and out ------------------------------------------------


def read_pcap(path):
    d = open(path, "rb").read()
    if d[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif d[:4] in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        sys.exit("%s: not a classic pcap" % path)
    nano = d[:4] in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    recs, pos = [], 24
    while pos + 16 <= len(d):
        sec, frac, cap, wire = struct.unpack(e + "IIII", d[pos:pos + 16])
        recs.append((sec, frac, wire, d[pos + 16:pos + 16 + cap]))
        pos += 16 + cap
    return e, nano, d[:24], recs


def pcap_header(snaplen=262144, linktype=1):
    return struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype)


def pcap_record(t_us, frame, wire=None):
    return struct.pack("<IIII", t_us // 1000000, t_us % 1000000, len(frame),
                       len(frame) if wire is None else wire) + frame


# ---- packets ----------------------------------------------------------------

SYN, ACK, PSH, FIN, RST = 0x02, 0x10, 0x08, 0x01, 0x04


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def tcp_frame(src, dst, sport, dport, seq, ack, flags, payload=b"", ip_total=None):
    """Ethernet + IPv4 + TCP (no options), with correct IP checksum; ip_total
    claims more bytes than the frame carries (a snap-length cut)."""
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                      5 << 4, flags, 65535, 0, 0) + payload
    total = 20 + len(tcp) if ip_total is None else ip_total
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 0, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
    return eth + ip + tcp


def client_hello(sni=b"damaged.test"):
    """A TLS 1.2 ClientHello record with SNI and a few suites."""
    suites = struct.pack("!6H", 0xC02F, 0xC030, 0xC02B, 0xC02C, 0x009E, 0x00FF)
    sni_ext = struct.pack("!HHHBH", 0, len(sni) + 5, len(sni) + 3, 0, len(sni)) + sni
    groups = struct.pack("!HHH2H", 10, 6, 4, 0x001D, 0x0017)
    sigalgs = struct.pack("!HHH3H", 13, 8, 6, 0x0401, 0x0804, 0x0403)
    exts = sni_ext + groups + sigalgs
    body = (b"\x03\x03" + bytes(range(32)) + b"\x00" + struct.pack("!H", len(suites)) + suites
            + b"\x01\x00" + struct.pack("!H", len(exts)) + exts)
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


def alert_record(desc=40):
    return b"\x15\x03\x03\x00\x02\x02" + bytes([desc])


C_IP, S_IP = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])


def handshake_start(out, t, cport, cisn, sisn):
    out.append(pcap_record(t, tcp_frame(C_IP, S_IP, cport, 443, cisn, 0, SYN)))
    out.append(pcap_record(t + 100, tcp_frame(S_IP, C_IP, 443, cport, sisn, cisn + 1, SYN | ACK)))
    out.append(pcap_record(t + 200, tcp_frame(C_IP, S_IP, cport, 443, cisn + 1, sisn + 1, ACK)))


# ---- the cases ----------------------------------------------------------------


def snap(src, dst, snaplen):
    e, _, hdr, recs = read_pcap(src)
    out = [hdr[:16] + struct.pack(e + "I", snaplen) + hdr[20:24]]
    for sec, frac, wire, data in recs:
        k = data[:snaplen]
        out.append(struct.pack(e + "IIII", sec, frac, len(k), wire) + k)
    open(dst, "wb").write(b"".join(out))


def linktype(src, dst, dlt):
    e, _, hdr, recs = read_pcap(src)
    d = bytearray(open(src, "rb").read())
    d[20:24] = struct.pack(e + "I", dlt)
    open(dst, "wb").write(bytes(d))


def ng_block(btype, body):
    body += b"\0" * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def pcapng_unknown(src, dst):
    e, nano, hdr, recs = read_pcap(src)
    snaplen, link = struct.unpack(e + "II", hdr[16:24])
    opts = struct.pack("<HHB3x", 9, 1, 9) + b"\0\0\0\0" if nano else b""
    out = [ng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)),
           ng_block(1, struct.pack("<HHI", link, 0, snaplen) + opts)]
    # 0x0BADB10C is in no registry; readers must skip a block they do not know
    unknown = ng_block(0x0BADB10C, b"a block type nobody defined" + bytes(9))
    out.append(unknown)
    for i, (sec, frac, wire, data) in enumerate(recs):
        t = sec * (10**9 if nano else 10**6) + frac
        out.append(ng_block(6, struct.pack("<IIIII", 0, t >> 32, t & 0xFFFFFFFF, len(data), wire)
                            + data))
        if i == 0:
            out.append(unknown)
    open(dst, "wb").write(b"".join(out))


def big_hello(dst):
    """The record is honest (16 KB), the handshake header inside claims 16 MB;
    the client keeps sending full records of it, the server gives up with an
    alert and closes."""
    out = [pcap_header()]
    cisn, sisn, t = 1000, 5000, 1700000000000000
    handshake_start(out, t, 40000, cisn, sisn)
    seq = cisn + 1
    first = b"\x01\xff\xff\xff" + b"\x03\x03" + bytes(16384 - 6)
    chunks = [first] + [bytes([0x41]) * 16384] * 3
    for i, body in enumerate(chunks):
        rec = b"\x16\x03\x01" + struct.pack("!H", len(body)) + body
        for k in range(0, len(rec), 1448):
            seg = rec[k:k + 1448]
            t += 50
            out.append(pcap_record(t, tcp_frame(C_IP, S_IP, 40000, 443, seq, sisn + 1, ACK | PSH,
                                                seg)))
            seq += len(seg)
    t += 1000
    out.append(pcap_record(t, tcp_frame(S_IP, C_IP, 443, 40000, sisn + 1, seq, ACK | PSH,
                                        alert_record(40))))
    out.append(pcap_record(t + 10, tcp_frame(S_IP, C_IP, 443, 40000, sisn + 8, seq, ACK | FIN)))
    out.append(pcap_record(t + 20, tcp_frame(C_IP, S_IP, 40000, 443, seq, sisn + 9, ACK | FIN)))
    open(dst, "wb").write(b"".join(out))


def overlap(dst, n):
    """The ClientHello arrives as n segments of 1-8 bytes at random offsets
    (every byte is covered: the first pass walks the hello in order), in
    random order, except that the one at offset 0 comes last: everything
    else must wait for it. The server answers with a handshake_failure alert."""
    rnd = random.Random(20240601)
    out = [pcap_header()]
    cisn, sisn, t = 7000, 9000, 1700000000000000
    handshake_start(out, t, 40001, cisn, sisn)
    hello = client_hello()
    pieces = []
    pos = 0
    while pos < len(hello):
        k = rnd.randint(1, 8)
        pieces.append((pos, k))
        pos += k
    while len(pieces) < n:
        off = rnd.randrange(len(hello))
        pieces.append((off, rnd.randint(1, 8)))
    first, rest = pieces[:1], [p for p in pieces[1:] if p[0] != 0]
    rnd.shuffle(rest)
    for off, k in rest + first:
        t += 1
        seg = hello[off:off + k]
        out.append(pcap_record(t, tcp_frame(C_IP, S_IP, 40001, 443, cisn + 1 + off, sisn + 1,
                                            ACK | PSH, seg)))
    end = cisn + 1 + len(hello)
    t += 1000
    out.append(pcap_record(t, tcp_frame(S_IP, C_IP, 443, 40001, sisn + 1, end, ACK | PSH,
                                        alert_record(40))))
    out.append(pcap_record(t + 10, tcp_frame(S_IP, C_IP, 443, 40001, sisn + 8, end, ACK | FIN)))
    open(dst, "wb").write(b"".join(out))


def half_open(dst, n):
    t = 1700000000000000
    with open(dst, "wb") as f:
        f.write(pcap_header())
        eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
        tcp_tail = struct.pack("!IIBBHHH", 1, 0, 5 << 4, SYN, 65535, 0, 0)
        buf = []
        for i in range(n):
            src = struct.pack("!BBH", 10, 1 + (i >> 26), (i >> 10) & 0xFFFF)
            sport = 1024 + (i & 0x3FF)
            dst = struct.pack("!BBH", 10, 200, i & 0xFFFF)
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 0, 0x4000, 64, 6, 0, src, dst)
            frame = eth + ip + struct.pack("!HH", sport, 443) + tcp_tail
            buf.append(struct.pack("<IIII", t // 1000000, t % 1000000, 54, 54) + frame)
            t += 3
            if len(buf) == 65536:
                f.write(b"".join(buf))
                buf = []
        f.write(b"".join(buf))


def seq4g(dst, n):
    out = [pcap_header()]
    cisn, sisn, t = 0xFFFF0000, 3000, 1700000000000000
    handshake_start(out, t, 40002, cisn, sisn)
    hello = client_hello()
    seq = cisn + 1
    out.append(pcap_record(t + 300, tcp_frame(C_IP, S_IP, 40002, 443, seq, sisn + 1, ACK | PSH,
                                              hello)))
    seq += len(hello)
    for i in range(n):
        t += 10
        frame = tcp_frame(C_IP, S_IP, 40002, 443, seq, sisn + 1, ACK, ip_total=65535)
        out.append(pcap_record(t, frame, wire=14 + 65535))
        seq += 65535 - 40
    out.append(pcap_record(t + 10, tcp_frame(C_IP, S_IP, 40002, 443, seq, sisn + 1, ACK | FIN)))
    open(dst, "wb").write(b"".join(out))


def sparse4g(src, dst):
    """libpcap reads a hole of zeros as empty records (16-byte headers, caplen
    0), so this is a 4 GiB capture that takes no disk space; the packets of
    src follow it, at frame 2^28 + 1."""
    data = open(src, "rb").read()
    with open(dst, "wb") as f:
        f.write(data[:24])
        f.truncate(24 + 16 * (1 << 28))
        f.seek(0, 2)
        f.write(data[24:])


def main():
    a = sys.argv[1:]
    cmds = {
        "snap": lambda: snap(a[1], a[2], int(a[3])),
        "linktype": lambda: linktype(a[1], a[2], int(a[3])),
        "pcapng-unknown": lambda: pcapng_unknown(a[1], a[2]),
        "big-hello": lambda: big_hello(a[1]),
        "overlap": lambda: overlap(a[1], int(a[2])),
        "half-open": lambda: half_open(a[1], int(a[2])),
        "seq4g": lambda: seq4g(a[1], int(a[2])),
        "sparse4g": lambda: sparse4g(a[1], a[2]),
    }
    if not a or a[0] not in cmds:
        sys.exit(__doc__)
    cmds[a[0]]()


if __name__ == "__main__":
    main()
