#!/usr/bin/env python3
"""quic_tshark.py: our QUIC facts against Wireshark's on the corpus QUIC captures.

For every QUIC connection tshark sees (`tshark -Y quic`) in the corpus captures listed
with quic_flows in ../shared/corpus/MANIFEST.tsv, and the TLS connections of the ECH
captures, the connection we report for the same client and server ip:port
(`tlsexplain -a --json`) must agree on:
  version   the QUIC version of the client's Initial that carried the ClientHello
  sni       the (outer) server_name of the ClientHello
  ch_alpn   the ALPN protocols the ClientHello offers
  alpn      the protocol the server chose (EncryptedExtensions: with the TLS secrets only)
  key_share_lengths  the length of each key share the ClientHello offers
  ech       config id, enc and payload lengths of an encrypted_client_hello offer (tshark
            4.0 does not decode ECH: its raw extension bytes, parsed by RFC 9849 5 here)
  close     the first CONNECTION_CLOSE tshark could read in an Initial or Handshake packet:
            who sent it and its code (transport or application)
A pcapng's Decryption Secrets Blocks (pcapng 4.7) are what tshark decrypts with; the test
writes them to a key log file and hands it to tlsexplain with --keylog. QUIC connections we
report that tshark does not see are failures too.

Known, explained differences are listed in tests/quic_tshark_known.tsv (file, client
ip:port, field, reason); they count as passed and are shown as KNOWN, and a listed one that
no longer differs fails (STALE), so the list stays true.

usage: tests/quic_tshark.py [-v] [--bin ./tlsexplain]
Ends with the line "quic-tshark: N passed, N failed".
"""
import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from known import Known, endpoint, split_endpoint  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPUS = os.path.normpath(os.path.join(ROOT, "..", "shared", "corpus"))
KNOWN = os.path.join(HERE, "quic_tshark_known.tsv")
ECH = ["zeek/tls13-ech.pcap", "ndpi/tls_ech.pcapng"]
TIMEOUT = 60

FIELDS = ["frame.number", "ip.src", "ipv6.src", "udp.srcport", "tcp.srcport", "ip.dst",
          "ipv6.dst", "udp.dstport", "tcp.dstport", "quic.version", "quic.long.packet_type",
          "tls.handshake.type", "tls.handshake.extensions_server_name",
          "tls.handshake.extensions_alpn_str", "quic.cc.error_code", "quic.cc.error_code.app",
          "tls.handshake.extensions_key_share_key_exchange_length", "tls.handshake.extension.type",
          "tls.handshake.extension.data", "quic.retry_token"]


def ech_of(hexdata):
    """(config_id, enc length, payload length) when the bytes are exactly an outer
    ECHClientHello (RFC 9849 5), else None."""
    try:
        b = bytes.fromhex(hexdata)
    except ValueError:
        return None
    if len(b) < 10 or b[0] != 0:
        return None
    config_id = b[5]
    enc = int.from_bytes(b[6:8], "big")
    if len(b) < 8 + enc + 2:
        return None
    payload = int.from_bytes(b[8 + enc:10 + enc], "big")
    return (config_id, enc, payload) if len(b) == 10 + enc + payload else None


def captures():
    out = []
    with open(os.path.join(CORPUS, "MANIFEST.tsv")) as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) > 7 and "quic_flows=" in cols[7]:
                out.append(cols[0])
    return sorted(out) + ECH


def pcapng_secrets(path):
    """The TLS key log lines of a pcapng's Decryption Secrets Blocks (type 0x0000000A,
    secrets type 0x544c534b "TLSK"), or b"" when it has none."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x0a\x0d\x0d\x0a" or len(data) < 12:
        return b""
    bom = data[8:12]
    order = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
    out, pos = [], 0
    while pos + 12 <= len(data):
        btype, blen = struct.unpack(order + "II", data[pos:pos + 8])
        if blen < 12 or pos + blen > len(data):
            break
        if btype == 0x0000000A:
            stype, slen = struct.unpack(order + "II", data[pos + 8:pos + 16])
            if stype == 0x544C534B:
                out.append(data[pos + 16:pos + 16 + slen])
        if btype == 0x0A0D0D0A:
            order = "<" if data[pos + 8:pos + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            btype, blen = struct.unpack(order + "II", data[pos:pos + 8])
        pos += blen
    return b"".join(s if s.endswith(b"\n") else s + b"\n" for s in out)


def version_number(name):
    """Our JSON version name back to the number tshark shows."""
    if name is None:
        return None
    fixed = {"1": 0x00000001, "2": 0x6B3343CF, "2-draft": 0x709A50C4}
    if name in fixed:
        return fixed[name]
    if name.startswith("draft-"):
        return 0xFF000000 + int(name[6:])
    return int(name, 16)


def tshark_flows(path):
    res = subprocess.run(["tshark", "-r", path, "-Y", "quic or tls.handshake", "-T", "fields",
                          "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=|"]
                         + sum([["-e", x] for x in FIELDS], []),
                         capture_output=True, text=True, timeout=TIMEOUT)
    flows = {}
    for line in res.stdout.splitlines():
        row = dict(zip(FIELDS, line.split("\t")))
        quic = row.get("udp.srcport", "") != ""
        src = endpoint(row["ip.src"] or row["ipv6.src"],
                       row["udp.srcport"] if quic else row["tcp.srcport"])
        dst = endpoint(row["ip.dst"] or row["ipv6.dst"],
                       row["udp.dstport"] if quic else row["tcp.dstport"])
        key = ("quic" if quic else "tcp",) + tuple(sorted((src, dst)))
        flows.setdefault(key, []).append((src, dst, row))
    return flows


def first(v):
    return v.split("|")[0] if v else ""


def facts_of_flow(rows):
    """What tshark shows of one flow; the client is the sender of the first ClientHello."""
    hello = next(((s, d, r) for s, d, r in rows
                  if "1" in r["tls.handshake.type"].split("|")), None)
    if hello is None:
        return None
    client, server, row = hello
    types = row["tls.handshake.type"].split("|")
    alpns = [a for a in row["tls.handshake.extensions_alpn_str"].split("|") if a]
    f = {"client": client, "server": server,
         "sni": first(row["tls.handshake.extensions_server_name"]) or None,
         "ch_alpn": alpns if types.count("1") == 1 else None}
    if types.count("1") == 1:
        f["key_share_lengths"] = [int(x) for x in row[
            "tls.handshake.extensions_key_share_key_exchange_length"].split("|") if x]
        if "65037" in row["tls.handshake.extension.type"].split("|"):
            found = [e for e in map(ech_of, row["tls.handshake.extension.data"].split("|")) if e]
            f["ech"] = found[0] if len(found) == 1 else "(not told apart)"
    if row["quic.version"]:
        f["version"] = int(first(row["quic.version"]), 16)
    for s, d, r in rows:
        if s == server and "8" in r["tls.handshake.type"].split("|"):
            f["alpn"] = first(r["tls.handshake.extensions_alpn_str"]) or None
            break
    # the server's first Retry: its token's length (drafts up to 24 carry the
    # original connection ID before it, later ones an integrity tag after it)
    for s, d, r in rows:
        if s == server and r["quic.retry_token"]:
            f["retry_token_len"] = len(first(r["quic.retry_token"])) // 2
            break
    for s, d, r in rows:
        code = r["quic.cc.error_code"] or r["quic.cc.error_code.app"]
        # in a long-header packet (Initial 0, Handshake 2): what an observer reads
        # with the Initial keys or the handshake secrets
        if code and r["quic.long.packet_type"]:
            f["close"] = "%s %d" % ("client" if s == client else "server", int(first(code), 0))
            break
    return f


def ours(path, keylog):
    cmd = [BIN, "-a", "--json"] + (["--keylog", keylog] if keylog else []) + [path]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
    conns = {}
    for line in res.stdout.splitlines():
        try:
            o = json.loads(line)
        except ValueError:
            continue
        if o.get("type") == "connection":
            key = (o.get("transport"), split_endpoint(o["client"]), split_endpoint(o["server"]))
            conns.setdefault(key, o)
    return conns


def our_facts(o):
    ch = o.get("client_hello") or {}
    q = o.get("quic") or {}
    f = {"sni": o.get("sni"), "ch_alpn": ch.get("alpn") or [], "alpn": o.get("alpn"),
         "key_share_lengths": ch.get("key_share_lengths")}
    ech = ch.get("ech")
    if ech and ech.get("type") == "outer":
        f["ech"] = (ech["config_id"], ech["enc_length"], ech["payload_length"])
    if o.get("transport") == "quic":
        f["version"] = version_number(q.get("version"))
    token = q.get("retry_token")
    f["retry_token_len"] = token["length"] if token else None
    cc = q.get("connection_close")
    f["close"] = "%s %d" % (cc["from"], cc["code"]) if cc else None
    return f


def main():
    global BIN
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-v", "--verbose", action="store_true", help="also list agreements")
    ap.add_argument("--bin", default=os.path.join(ROOT, "tlsexplain"))
    args = ap.parse_args()
    BIN = args.bin
    if not os.access(BIN, os.X_OK):
        sys.exit("quic-tshark: %s not built (run make -s)" % BIN)
    known = Known(KNOWN)
    passed = failed = 0
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        for cap in captures():
            path = os.path.join(CORPUS, cap)
            keylog = None
            secrets = pcapng_secrets(path)
            if secrets:
                keylog = os.path.join(tmp, os.path.basename(cap) + ".keys")
                with open(keylog, "wb") as f:
                    f.write(secrets)
            mine = ours(path, keylog)
            seen = set()
            for key, rows in sorted(tshark_flows(path).items()):
                ref = facts_of_flow(rows)
                if ref is None or (key[0] == "tcp" and cap not in ECH):
                    continue
                ck = (key[0], ref["client"], ref["server"])
                seen.add(ck)
                o = mine.get(ck)
                got = our_facts(o) if o else {}
                for field in ("version", "sni", "ch_alpn", "key_share_lengths", "ech", "alpn",
                              "close", "retry_token_len"):
                    if field not in ref and field not in ("close",):
                        continue
                    want = ref.get(field)
                    if field == "ch_alpn" and want is None:
                        continue  # two ClientHellos in one frame: not told apart
                    have = got.get(field) if o else "(connection not reported)"
                    desc = "%s %s %s -> %s %s: tshark=%s ours=%s" % (
                        cap, key[0], ref["client"], ref["server"], field, want, have)
                    if have == want:
                        passed += 1
                        if args.verbose:
                            lines.append("ok    " + desc)
                        continue
                    reason = known.match(cap, ref["client"], field, have, want)
                    if reason is not None:
                        passed += 1
                        lines.append("KNOWN " + desc + "\n      reason: " + reason)
                    else:
                        failed += 1
                        lines.append("FAIL  " + desc)
            for ck in sorted(set(mine) - seen):
                if ck[0] != "quic":
                    continue
                desc = "%s quic %s -> %s: we report a QUIC connection tshark does not see" % (
                    cap, ck[1], ck[2])
                reason = known.match(cap, ck[1], "reported", "yes", "no")
                if reason is not None:
                    passed += 1
                    lines.append("KNOWN " + desc + "\n      reason: " + reason)
                else:
                    failed += 1
                    lines.append("FAIL  " + desc)
    for problem in known.problems():
        failed += 1
        lines.append("FAIL  " + problem)
    if lines:
        print("\n".join(lines))
    print("quic-tshark: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
