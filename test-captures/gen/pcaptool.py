#!/usr/bin/env python3
"""pcaptool.py - tiny classic-pcap rewriter for building reassembly test captures.

Pure Python, standard library only (no scapy).  Reads classic pcap in either
byte order, with microsecond (0xa1b2c3d4) or nanosecond (0xa1b23c4d) magic, and
writes the result in the same byte order / resolution as the input.  pcapng is
not supported (tcpdump -w writes classic pcap).

Packets are selected by TCP source port and "data segments" are those carrying
a TCP payload (SYN/ACK/FIN-only packets are not data segments).  Numbers given
on the command line are 1-based, like Wireshark frame numbers.

  pcaptool.py info IN
        list frames: number, time, src port > dst port, flags, payload length
  pcaptool.py dup IN OUT [--src-port P] [--data-only] [--delay-us N]
        insert a copy right after every selected packet (a retransmission
        seen by the capture point), time-stamped N microseconds later but
        never after the following packet
  pcaptool.py swap IN OUT --src-port P --nth N [--nth M ...]
        reorder in transit: the (N+1)th data segment sent from port P
        overtakes the Nth; packets between them (the peer's ACKs of the Nth)
        move along behind the Nth, and time stamps keep their slots so time
        stays monotonic as it would at a real capture point
  pcaptool.py relink IN OUT --to vlan|qinq|raw|null|loop|sll|sll2|nflog|ppp|chdlc
        re-frame an Ethernet capture in another link layer, the IP packets
        unchanged: 802.1Q, 802.1ad+802.1Q, raw IP (LINKTYPE_RAW), BSD null and
        loop, Linux cooked v1 and v2, Linux NFLOG, PPP (RFC 1662 framing),
        Cisco HDLC; to test the decoder on each
  pcaptool.py drop IN OUT (--frames LIST | --src-port P --nth N)
        remove frames, e.g. --frames 1-3 (late start) or 7,9; or remove the Nth
        data segment sent from port P (a segment the capture point missed)
  pcaptool.py join OUT --gap S IN [IN ...]
        one capture of several, one after the other: each starts S seconds
        after the one before it ended (time stamps moved, nothing else); the
        inputs share a link type, the output takes the first's resolution
"""
import argparse
import signal
import struct
import sys

MAGIC_US = 0xA1B2C3D4
MAGIC_NS = 0xA1B23C4D


class Pcap:
    def __init__(self, endian, nanos, header_rest, linktype, packets):
        self.endian = endian          # '<' or '>'
        self.nanos = nanos            # True for nanosecond time stamps
        self.header_rest = header_rest  # version, thiszone, sigfigs, snaplen
        self.linktype = linktype
        self.packets = packets        # list of [ts_sec, ts_frac, orig_len, data]

    @classmethod
    def read(cls, path):
        with open(path, "rb") as f:
            raw = f.read()
        if len(raw) < 24:
            raise SystemExit(f"{path}: too short for a pcap file")
        endian = None
        for e in ("<", ">"):
            magic = struct.unpack(e + "I", raw[:4])[0]
            if magic in (MAGIC_US, MAGIC_NS):
                endian, nanos = e, magic == MAGIC_NS
                break
        if endian is None:
            raise SystemExit(f"{path}: not a classic pcap file (pcapng is not supported)")
        vmaj, vmin, zone, sigfigs, snaplen, linktype = struct.unpack(endian + "HHiIII", raw[4:24])
        packets = []
        off = 24
        while off + 16 <= len(raw):
            ts_sec, ts_frac, incl, orig = struct.unpack(endian + "IIII", raw[off:off + 16])
            off += 16
            if off + incl > len(raw):
                print(f"{path}: truncated last packet ignored", file=sys.stderr)
                break
            packets.append([ts_sec, ts_frac, orig, raw[off:off + incl]])
            off += incl
        return cls(endian, nanos, (vmaj, vmin, zone, sigfigs, snaplen), linktype, packets)

    def write(self, path):
        e = self.endian
        out = [struct.pack(e + "I", MAGIC_NS if self.nanos else MAGIC_US),
               struct.pack(e + "HHiIII", *self.header_rest, self.linktype)]
        for ts_sec, ts_frac, orig, data in self.packets:
            out.append(struct.pack(e + "IIII", ts_sec, ts_frac, len(data), max(orig, len(data))))
            out.append(data)
        with open(path, "wb") as f:
            f.write(b"".join(out))

    def add_time(self, pkt, micros):
        """Time stamp of pkt shifted by micros microseconds."""
        unit = 1_000_000_000 if self.nanos else 1_000_000
        frac = pkt[1] + (micros * 1000 if self.nanos else micros)
        return pkt[0] + frac // unit, frac % unit

    # -- dissection: just enough to find TCP ports, flags and payload length --
    def l3_offset(self, data):
        lt = self.linktype
        if lt == 1:                       # Ethernet (also what tcpdump -i lo gives)
            off, ethertype = 14, struct.unpack("!H", data[12:14])[0]
            while ethertype in (0x8100, 0x88A8) and len(data) >= off + 4:
                ethertype = struct.unpack("!H", data[off + 2:off + 4])[0]
                off += 4
            return off
        if lt in (101, 228, 229, 12, 14):  # raw IP
            return 0
        if lt == 0 or lt == 108:           # BSD null / loop
            return 4
        if lt == 113:                      # Linux cooked v1
            return 16
        if lt == 276:                      # Linux cooked v2
            return 20
        raise SystemExit(f"unsupported link type {lt}")

    def tcp_info(self, data):
        """(sport, dport, flags, payload_len) or None if not TCP."""
        try:
            off = self.l3_offset(data)
            ver = data[off] >> 4
            if ver == 4:
                ihl = (data[off] & 0x0F) * 4
                total = struct.unpack("!H", data[off + 2:off + 4])[0]
                if data[off + 9] != 6:
                    return None
                tcp = off + ihl
                ip_end = off + total
            elif ver == 6:
                nxt = data[off + 6]
                plen = struct.unpack("!H", data[off + 4:off + 6])[0]
                tcp = off + 40
                ip_end = tcp + plen
                # skip the common extension headers
                while nxt in (0, 43, 60):
                    nxt, hlen = data[tcp], (data[tcp + 1] + 1) * 8
                    tcp += hlen
                if nxt != 6:
                    return None
            else:
                return None
            sport, dport = struct.unpack("!HH", data[tcp:tcp + 4])
            doff = (data[tcp + 12] >> 4) * 4
            flags = data[tcp + 13]
            payload = min(ip_end, len(data)) - (tcp + doff)
            return sport, dport, flags, max(payload, 0)
        except (IndexError, struct.error):
            return None

    def data_segments(self, src_port):
        """Indexes (0-based, into self.packets) of payload-carrying segments from src_port."""
        idx = []
        for i, p in enumerate(self.packets):
            t = self.tcp_info(p[3])
            if t and t[0] == src_port and t[3] > 0:
                idx.append(i)
        return idx


def flag_str(flags):
    return "".join(c for c, b in zip("FSRPAU", (1, 2, 4, 8, 16, 32)) if flags & b) or "."


def cmd_info(a):
    pc = Pcap.read(a.input)
    print(f"linktype {pc.linktype}, {'ns' if pc.nanos else 'us'} time stamps, "
          f"{'little' if pc.endian == '<' else 'big'} endian, {len(pc.packets)} packets")
    for n, p in enumerate(pc.packets, 1):
        t = pc.tcp_info(p[3])
        frac = f"{p[1]:09d}" if pc.nanos else f"{p[1]:06d}"
        if t:
            print(f"{n:5d} {p[0]}.{frac} {t[0]:5d} > {t[1]:5d} [{flag_str(t[2])}] len={t[3]}")
        else:
            print(f"{n:5d} {p[0]}.{frac} (not TCP) caplen={len(p[3])}")


def cmd_dup(a):
    pc = Pcap.read(a.input)
    out = []
    ndup = 0
    for k, p in enumerate(pc.packets):
        out.append(p)
        t = pc.tcp_info(p[3])
        if a.src_port is not None and (not t or t[0] != a.src_port):
            continue
        if a.data_only and (not t or t[3] == 0):
            continue
        sec, frac = pc.add_time(p, a.delay_us)
        if k + 1 < len(pc.packets):     # never later than the next packet: time stays monotonic
            nxt = pc.packets[k + 1]
            sec, frac = min((sec, frac), (nxt[0], nxt[1]))
        out.append([sec, frac, p[2], p[3]])
        ndup += 1
    pc.packets = out
    pc.write(a.output)
    print(f"{a.output}: duplicated {ndup} packets", file=sys.stderr)


def cmd_swap(a):
    pc = Pcap.read(a.input)
    segs = pc.data_segments(a.src_port)
    for n in sorted(a.nth, reverse=True):   # from the back: earlier indexes stay valid
        if n < 1 or n + 1 > len(segs):
            raise SystemExit(f"swap: port {a.src_port} has {len(segs)} data segments, cannot swap #{n} and #{n + 1}")
        i, j = segs[n - 1], segs[n]
        # Segment j overtakes segment i: the new order is ... j, i, <packets
        # that were between them>, ...  The packets in between (normally the
        # peer's ACKs for segment i) thus still follow the segment they
        # acknowledge.  Time stamps stay with their slots, so time in the
        # file stays monotonic as it would at a real capture point.
        old = pc.packets
        moved = [old[j], old[i]] + old[i + 1:j]
        for k, p in enumerate(moved):
            slot = old[i + k]
            pc.packets[i + k] = [slot[0], slot[1], p[2], p[3]]
        print(f"{a.output}: data segment #{n + 1} from port {a.src_port} (frame {j + 1}) "
              f"now precedes #{n} (frame {i + 1})", file=sys.stderr)
    pc.write(a.output)


def parse_frames(spec):
    out = set()
    for part in spec.split(","):
        if "-" in part:
            lo, hi = part.split("-", 1)
            out.update(range(int(lo), int(hi) + 1))
        elif part:
            out.add(int(part))
    return out


def cmd_drop(a):
    pc = Pcap.read(a.input)
    if a.frames:
        gone = {n - 1 for n in parse_frames(a.frames)}
    elif a.src_port is not None and a.nth:
        segs = pc.data_segments(a.src_port)
        if a.nth > len(segs):
            raise SystemExit(f"drop: port {a.src_port} has only {len(segs)} data segments")
        gone = {segs[a.nth - 1]}
    else:
        raise SystemExit("drop: give --frames LIST or --src-port P --nth N")
    pc.packets = [p for i, p in enumerate(pc.packets) if i not in gone]
    pc.write(a.output)
    print(f"{a.output}: dropped frames {sorted(i + 1 for i in gone)}", file=sys.stderr)


# link type, and the header to put in front of the IP packet
def relinked(kind, ethertype, mac_src, ip_len=0, endian="<"):
    ipv6 = ethertype == 0x86DD
    if kind == "vlan":
        return 1, None, struct.pack("!HH", 0x8100, 42)
    if kind == "qinq":
        return 1, None, struct.pack("!HHHH", 0x88A8, 100, 0x8100, 42)
    if kind == "raw":
        return 101, b"", None
    if kind == "null":                      # AF_INET 2 / AF_INET6 (BSD) 24, host order
        return 0, struct.pack("<I", 24 if ipv6 else 2), None
    if kind == "loop":                      # the same in network order
        return 108, struct.pack(">I", 24 if ipv6 else 2), None
    if kind == "sll":                       # packet type, ARPHRD_ETHER, address, protocol
        return 113, struct.pack("!HHH8sH", 0, 1, 6, mac_src + b"\0\0", ethertype), None
    if kind == "sll2":                      # protocol, reserved, ifindex, hatype, type, len, addr
        return 276, struct.pack("!HHIHBB8s", ethertype, 0, 1, 1, 0, 6, mac_src + b"\0\0"), None
    if kind == "nflog":                     # family, version, group (libpcap pcap/nflog.h);
        # TLVs in the writer's byte order: a prefix (padded to 4), then the packet
        prefix = struct.pack(endian + "HH", 4 + 5, 10) + b"tlsx\0" + b"\0" * 3
        payload = struct.pack(endian + "HH", 4 + ip_len, 9)
        return 239, struct.pack("!BBH", 10 if ipv6 else 2, 0, 5) + prefix + payload, None
    if kind == "ppp":                       # RFC 1662 address, control, PPP protocol
        return 9, struct.pack("!BBH", 0xFF, 0x03, 0x0057 if ipv6 else 0x0021), None
    if kind == "chdlc":                     # Cisco HDLC: unicast address, control, ethertype
        return 104, struct.pack("!BBH", 0x0F, 0x00, ethertype), None
    raise SystemExit("unknown link type " + kind)


def cmd_relink(a):
    cap = Pcap.read(a.input)
    if cap.linktype != 1:
        raise SystemExit("relink needs an Ethernet capture")
    linktype = None
    for pkt in cap.packets:
        data = pkt[3]
        ethertype = struct.unpack("!H", data[12:14])[0]
        linktype, head, tag = relinked(a.to, ethertype, data[6:12], len(data) - 14, cap.endian)
        if tag is not None:                 # VLAN tags go between the MACs and the type
            new = data[:12] + tag + data[12:]
        else:
            new = head + data[14:]
        pkt[2] += len(new) - len(data)
        pkt[3] = new
    cap.linktype = linktype if linktype is not None else cap.linktype
    cap.write(a.output)


def cmd_join(a):
    first = Pcap.read(a.inputs[0])
    unit = 1_000_000_000 if first.nanos else 1_000_000
    out, end = [], None
    for path in a.inputs:
        cap = Pcap.read(path)
        if cap.linktype != first.linktype:
            raise SystemExit(f"{path}: link type {cap.linktype}, not {first.linktype}")
        scale = (1 if cap.nanos == first.nanos else (1000 if first.nanos else None))
        stamps = []
        for ts_sec, ts_frac, _, _ in cap.packets:
            frac = ts_frac * scale if scale else ts_frac // 1000
            stamps.append(ts_sec * unit + frac)
        if not stamps:
            continue
        shift = 0 if end is None else end + a.gap * unit - stamps[0]
        for stamp, (_, _, orig, data) in zip(stamps, cap.packets):
            t = stamp + shift
            out.append([t // unit, t % unit, orig, data])
        end = stamps[-1] + shift
    first.packets = out
    first.write(a.output)


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)   # quiet under `| head`
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("info")
    p.add_argument("input")
    p.set_defaults(fn=cmd_info)
    p = sub.add_parser("dup")
    p.add_argument("input")
    p.add_argument("output")
    p.add_argument("--src-port", type=int)
    p.add_argument("--data-only", action="store_true")
    p.add_argument("--delay-us", type=int, default=200)
    p.set_defaults(fn=cmd_dup)
    p = sub.add_parser("swap")
    p.add_argument("input")
    p.add_argument("output")
    p.add_argument("--src-port", type=int, required=True)
    p.add_argument("--nth", type=int, action="append", required=True)
    p.set_defaults(fn=cmd_swap)
    p = sub.add_parser("relink")
    p.add_argument("input")
    p.add_argument("output")
    p.add_argument("--to", required=True)
    p.set_defaults(fn=cmd_relink)
    p = sub.add_parser("drop")
    p.add_argument("input")
    p.add_argument("output")
    p.add_argument("--frames")
    p.add_argument("--src-port", type=int)
    p.add_argument("--nth", type=int)
    p.set_defaults(fn=cmd_drop)
    p = sub.add_parser("join")
    p.add_argument("output")
    p.add_argument("--gap", type=int, required=True)
    p.add_argument("inputs", nargs="+")
    p.set_defaults(fn=cmd_join)
    a = ap.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
