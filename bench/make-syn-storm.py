#!/usr/bin/env python3
"""make-syn-storm.py - the connection-storm capture of issue 13: N SYNs to port 443, each
from a client address and port of its own (a scan, or a retry storm after an outage), as a
classic pcap of Ethernet frames, 10,000 SYNs a second. Deterministic: the same N gives the
same bytes. Written to bench/out/syn-storm-N.pcap (N = 1000000 by default, 70 MB).

    bench/make-syn-storm.py [N]

The frames are made here, not captured: the benchmark needs a million distinct clients,
which no loopback test can have; every field is what a Linux client's SYN carries (IPv4,
DF, TTL 64, window 64240, MSS, SACK permitted, timestamps, window scale), but for the
checksums, left zero as in a capture taken on a host that offloads them."""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def syn(i):
    src = bytes([10, (i >> 16) & 0xFF, (i >> 8) & 0xFF, i & 0xFF])
    dst = bytes([192, 0, 2, 10])
    sport = 1024 + (i * 7919) % 64000
    seq = (i * 2654435761) & 0xFFFFFFFF
    opts = (struct.pack("!BBH", 2, 4, 1460) + b"\x04\x02" +
            struct.pack("!BBII", 8, 10, i & 0xFFFFFFFF, 0) + b"\x01\x03\x03\x07")
    tcp = struct.pack("!HHIIBBHHH", sport, 443, seq, 0, (20 + len(opts)) // 4 << 4, 0x02,
                      64240, 0, 0) + opts
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), i & 0xFFFF, 0x4000, 64, 6, 0,
                     src, dst)
    eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
    return eth + ip + tcp


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1] else 1000000
    out_dir = os.path.join(HERE, "out")
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "syn-storm-%d.pcap" % n)
    if os.path.exists(path):
        print(path)  # the same N makes the same bytes
        return
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        base = 1767225600  # 2026-01-01T00:00:00Z
        for i in range(n):
            frame = syn(i)
            usec = i * 100  # 10,000 a second
            f.write(struct.pack("<IIII", base + usec // 1000000, usec % 1000000, len(frame),
                                len(frame)))
            f.write(frame)
    print(path)


if __name__ == "__main__":
    main()
