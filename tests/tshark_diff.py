#!/usr/bin/env python3
"""Differential test: tlsexplain --json against tshark over every capture in
$TLSX_CORPUS (default ../shared/corpus, relative to the repository root); without
the corpus, its MANIFEST.tsv or tshark the run fails and says what is missing.

For each TLS-over-TCP connection, matched by client and server ip:port and the
ClientHello frame (or the frames the connection spans, as ports are reused),
compares:
  connection        the connection exists on both sides (with a handshake
                    message or an alert in clear)
  version           negotiated version: supported_versions in the ServerHello
                    when present, else its version (HelloRetryRequests skipped)
  cipher_suite      the ServerHello's suite, by IANA code (an SSLv2 session: the
                    cipher kind the CLIENT-MASTER-KEY picks)
  sni               server_name in the first ClientHello
  alpn_offer        the ALPN list in the first ClientHello
  alpn              the protocol the ServerHello selects
  messages.client   ordered handshake message types seen in clear, per
  messages.server   direction (a HelloRetryRequest counts as ServerHello, 2)
  alerts            every cleartext alert: sender, level, description, in order

Prints one line per disagreement, per-field agreement counts, and finally
"tshark-diff: N passed, N failed". A connection passes when every field agrees
or each disagreement is listed in tests/tshark_known.tsv (file, client ip:port,
field, ours, tshark's, reason: the values as this script prints them, see
known.py); an entry that matches no disagreement fails the run.

Usage: tests/tshark_diff.py [-j N] [-v] [FILE ...]   (env TLSEXPLAIN: the binary)
"""
import argparse
import collections
import concurrent.futures
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from known import Known, corpus_dir, need_dir, need_file, need_tool  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = corpus_dir()
IANA_SUITES = os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "iana",
                                            "tls-parameters-4.csv"))
KNOWN = os.path.join(ROOT, "tests", "tshark_known.tsv")
TOOL = os.environ.get("TLSEXPLAIN", os.path.join(ROOT, "tlsexplain"))

FIELDS = ["connection", "version", "cipher_suite", "sni", "alpn_offer", "alpn",
          "messages.client", "messages.server", "alerts"]

# Ports where tshark's own dissector speaks a protocol that upgrades to TLS
# (STARTTLS, SSLRequest, SOCKS...) and hands the TLS part to the TLS dissector
# itself: forcing "-d tcp.port==N,tls" there makes tshark read the plain-text
# prologue as TLS and lose the handshake (checked on zeek/psql-aws-ssl-require,
# zeek/ldap-starttls, zeek/socks-with-ssl).
NATIVE_UPGRADE_PORTS = {21, 25, 110, 143, 389, 587, 1080, 3306, 5222, 5432}
TLS_DEFAULT_PORTS = {443}

HRR_RANDOM = "cf:21:ad:74:e5:9a:61:11:be:1d:8c:02:1e:65:b8:91:c2:a2:11:16:7a:bb:8c:5e:07:9e:09:e2:c8:a8:33:9c"

# IANA TLS HandshakeType names as tlsexplain prints them.
HS_CODES = {
    "HelloRequest": 0, "ClientHello": 1, "ServerHello": 2, "HelloVerifyRequest": 3,
    "NewSessionTicket": 4, "EndOfEarlyData": 5, "HelloRetryRequest": 2,
    "EncryptedExtensions": 8, "RequestConnectionId": 9, "NewConnectionId": 10,
    "Certificate": 11, "ServerKeyExchange": 12, "CertificateRequest": 13,
    "ServerHelloDone": 14, "CertificateVerify": 15, "ClientKeyExchange": 16,
    "ClientCertificateRequest": 17, "Finished": 20, "CertificateURL": 21,
    "CertificateStatus": 22, "SupplementalData": 23, "KeyUpdate": 24,
    "CompressedCertificate": 25, "EKTKey": 26, "NextProtocol": 67, "MessageHash": 254,
}
HS_NAMES = {}
for _n, _c in HS_CODES.items():
    if _n != "HelloRetryRequest":
        HS_NAMES[_c] = _n
# SSLv2 message types (draft-hickman-netscape-ssl-00) as tokens; tlsexplain calls
# the CLIENT-HELLO "ClientHello" and the SERVER-HELLO "SSLv2 ServerHello".
SSL2_NAMES = {1: "ClientHello", 2: "SSLv2 ClientMasterKey", 3: "SSLv2 ClientFinished",
              4: "SSLv2 ServerHello", 5: "SSLv2 ServerVerify", 6: "SSLv2 ServerFinished",
              7: "SSLv2 RequestCertificate", 8: "SSLv2 ClientCertificate"}

# IANA TLS Alert registry.
ALERT_CODES = {
    "close_notify": 0, "unexpected_message": 10, "bad_record_mac": 20,
    "decryption_failed_RESERVED": 21, "record_overflow": 22,
    "decompression_failure_RESERVED": 30, "handshake_failure": 40,
    "no_certificate_RESERVED": 41, "bad_certificate": 42, "unsupported_certificate": 43,
    "certificate_revoked": 44, "certificate_expired": 45, "certificate_unknown": 46,
    "illegal_parameter": 47, "unknown_ca": 48, "access_denied": 49, "decode_error": 50,
    "decrypt_error": 51, "too_many_cids_requested": 52, "export_restriction_RESERVED": 60,
    "protocol_version": 70, "insufficient_security": 71, "internal_error": 80,
    "inappropriate_fallback": 86, "user_canceled": 90, "no_renegotiation": 100,
    "missing_extension": 109, "unsupported_extension": 110,
    "certificate_unobtainable_RESERVED": 111, "unrecognized_name": 112,
    "bad_certificate_status_response": 113, "bad_certificate_hash_value_RESERVED": 114,
    "unknown_psk_identity": 115, "certificate_required": 116, "general_error": 117,
    "no_application_protocol": 120, "ech_required": 121,
}
ALERT_NAMES = {v: k for k, v in ALERT_CODES.items()}
LEVELS = {"warning": 1, "fatal": 2}
LEVEL_NAMES = {1: "warning", 2: "fatal"}

VERSION_CODES = {"SSL 2.0": 0x0002, "SSL 3.0": 0x0300, "TLS 1.0": 0x0301,
                 "TLS 1.1": 0x0302, "TLS 1.2": 0x0303, "TLS 1.3": 0x0304,
                 "DTLS 1.0": 0xfeff, "DTLS 1.2": 0xfefd, "DTLS 1.3": 0xfefc,
                 "TLS 1.3 draft 23 (Facebook)": 0xfb17,
                 "TLS 1.3 draft 26 (Facebook)": 0xfb1a}
for _d in range(0, 29):
    VERSION_CODES["TLS 1.3 draft %d" % _d] = 0x7f00 | _d
VERSION_NAMES = {v: k for k, v in VERSION_CODES.items()}


def load_suites():
    codes = {}
    with open(IANA_SUITES, newline="") as f:
        for row in csv.DictReader(f):
            v, name = row["Value"], row["Description"]
            if "-" in v or "*" in v or not name.startswith("TLS_"):
                continue
            hi, lo = (int(x, 16) for x in v.split(","))
            codes[name] = (hi << 8) | lo
    return codes


SUITE_CODES = load_suites()
SUITE_NAMES = {v: k for k, v in SUITE_CODES.items()}


def hexname(v):
    return None if v is None else "0x%04x" % v


def from_hex_or_name(s, table):
    """tlsexplain's name (or "0x1234") to a number; a string when unmapped."""
    if s is None:
        return None
    if s in table:
        return table[s]
    if s.startswith("0x"):
        try:
            return int(s, 16)
        except ValueError:
            pass
    return "?" + s


def show_version(v):
    if v is None or isinstance(v, str):
        return str(v)
    return VERSION_NAMES.get(v, "0x%04x" % v)


def show_suite(v):
    if v is None or isinstance(v, str):
        return str(v)
    if v > 0xffff:
        return "SSLv2 cipher kind 0x%06x" % v
    return "%s(0x%04x)" % (SUITE_NAMES.get(v, "?"), v)


def show(field, v):
    if field == "version":
        return show_version(v)
    if field == "cipher_suite":
        return show_suite(v)
    if field == "alerts":
        return "[" + ", ".join("%s %s %s" % (a[0], LEVEL_NAMES.get(a[1], a[1]),
                                             ALERT_NAMES.get(a[2], a[2])) for a in v) + "]"
    if field.startswith("messages."):
        return "[" + ", ".join(str(x) for x in v) + "]"
    return json.dumps(v)


# ---------------------------------------------------------------- manifest

def load_manifest():
    rows = {}
    with open(os.path.join(CORPUS, "MANIFEST.tsv"), newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            rows[row["file"]] = row["tls_summary"]
    return rows


def manifest_ports(summary):
    for item in summary.split(";"):
        item = item.strip()
        if item.startswith("ports="):
            return {int(p) for p in item[6:].split(",") if p.isdigit()}
    return set()


def quic_dtls_only(summary):
    keys = {item.strip().split("=", 1)[0] for item in summary.split(";")}
    return "tls_streams" not in keys and ("quic_flows" in keys or "dtls_streams" in keys)


def corpus_files():
    out = []
    for d, subdirs, files in os.walk(CORPUS):
        subdirs[:] = sorted(s for s in subdirs if s not in ("expected", "keylogs"))
        for name in sorted(files):
            if name.endswith((".pcap", ".pcapng", ".cap")):
                out.append(os.path.relpath(os.path.join(d, name), CORPUS))
    return sorted(out)


# ---------------------------------------------------------------- ours

def run_ours(tool, path):
    out = subprocess.run([tool, "--json", path], capture_output=True, text=True,
                         timeout=120)
    if out.returncode not in (0, 1):
        raise RuntimeError("tlsexplain exit %d: %s" % (out.returncode, out.stderr.strip()))
    conns = []
    for line in out.stdout.splitlines():
        obj = json.loads(line)
        # the tshark side reads TCP streams: QUIC connections are compared elsewhere
        if obj.get("type") == "connection" and obj.get("transport") != "quic":
            conns.append(obj)
    return conns


def ours_facts(c):
    ch = c.get("client_hello") or None
    sh = c.get("server_hello") or None
    msgs = {"client": [], "server": []}
    for m in c.get("messages") or []:
        t = m["type"]
        if t in HS_CODES:
            tok = HS_CODES[t]
            tok = HS_NAMES.get(tok, tok)
        else:
            tok = t
        msgs[m["from"]].append(tok)
    alerts = []
    for a in c.get("alerts") or []:
        if a["level"] == "encrypted":
            continue
        lvl = LEVELS.get(a["level"])
        if lvl is None:
            lvl = int(a["level"]) if str(a["level"]).isdigit() else a["level"]
        d = a["description"]
        dc = ALERT_CODES.get(d, int(d) if d is not None and str(d).isdigit() else d)
        alerts.append((a["from"], lvl, dc))
    return {
        "version": from_hex_or_name(c.get("version"), VERSION_CODES),
        "cipher_suite": from_hex_or_name(c.get("cipher_suite"), SUITE_CODES),
        "sni": c.get("sni"),
        "alpn_offer": (ch.get("alpn") or None) if ch else None,
        "alpn": c.get("alpn"),
        "messages.client": msgs["client"],
        "messages.server": msgs["server"],
        "alerts": alerts,
    }


# ---------------------------------------------------------------- tshark

def as_list(x):
    if x is None:
        return []
    return x if isinstance(x, list) else [x]


def run_tshark(path, ports):
    cmd = ["tshark", "-n", "-r", path, "-o", "tcp.reassemble_out_of_order:TRUE"]
    for p in sorted(ports):
        cmd += ["-d", "tcp.port==%d,tls" % p]
    cmd += ["-Y", "tcp && tls", "-T", "json", "--no-duplicate-keys",
            "-J", "frame ip ipv6 tcp tls"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        raise RuntimeError("tshark exit %d: %s" % (out.returncode, out.stderr.strip()[-500:]))
    text = out.stdout.strip()
    return cmd, (json.loads(text) if text else [])


def find_all(obj, key):
    """Every value under `key` in a nested tshark JSON tree, in document order."""
    found = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == key:
                found.extend(as_list(v))
            else:
                found.extend(find_all(v, key))
    elif isinstance(obj, list):
        for v in obj:
            found.extend(find_all(v, key))
    return found


def first(obj, key):
    vals = find_all(obj, key)
    return vals[0] if vals else None


def endpoints(layers):
    """Innermost IP addresses and TCP ports of a frame."""
    src = dst = None
    for k, v in layers.items():
        if k in ("ip", "ipv6"):
            last = as_list(v)[-1]
            if isinstance(last, dict):
                pre = "ip." if k == "ip" else "ipv6."
                src, dst = last.get(pre + "src"), last.get(pre + "dst")
                if k == "ipv6":
                    src, dst = "[%s]" % src, "[%s]" % dst
        if k == "tcp":
            break
    tcp = as_list(layers.get("tcp"))[-1]
    return ("%s:%s" % (src, tcp["tcp.srcport"]), "%s:%s" % (dst, tcp["tcp.dstport"]),
            int(tcp["tcp.stream"]))


def selected_alpn(sh, hs, client):
    """The ServerHello's ALPN (TLS 1.2), else the server's EncryptedExtensions'."""
    if sh is None:
        return None
    if sh["alpn"] is not None:
        return sh["alpn"]
    ee = [e for e in hs if e["type"] == 8 and e["from"] != client]
    return ee[0].get("alpn") if ee else None


def handshake_event(hs):
    """A cleartext handshake message (dict with tls.handshake.type) to an event."""
    t = int(hs["tls.handshake.type"])
    ev = {"type": t}
    if t == 1:
        ev["sni"] = first(hs, "tls.handshake.extensions_server_name")
        alpn = find_all(hs, "tls.handshake.extensions_alpn_str")
        ev["alpn"] = alpn if alpn else None
    elif t == 2:
        ev["hrr"] = hs.get("tls.handshake.random") == HRR_RANDOM
        sv = first(hs, "tls.handshake.extensions.supported_version")
        v = hs.get("tls.handshake.version")
        ev["version"] = int(sv if sv is not None else v, 16) if (sv or v) else None
        cs = hs.get("tls.handshake.ciphersuite")
        ev["suite"] = int(cs, 16) if cs else None
        alpn = find_all(hs, "tls.handshake.extensions_alpn_str")
        ev["alpn"] = alpn[0] if alpn else None
    elif t == 8:  # TLS 1.3 EncryptedExtensions: the selected ALPN, once decrypted
        alpn = find_all(hs, "tls.handshake.extensions_alpn_str")
        ev["alpn"] = alpn[0] if alpn else None
    elif t == 6:  # a draft TLS 1.3 HelloRetryRequest (type 6 until draft 21)
        ev["type"] = 2
        ev["hrr"] = True
    return ev


def tshark_streams(frames):
    streams = {}
    for pkt in frames:
        layers = pkt["_source"]["layers"]
        if "tcp" not in layers or "tls" not in layers:
            continue
        fno = int(as_list(layers["frame"])[0]["frame.number"])
        src, dst, sid = endpoints(layers)
        st = streams.setdefault(sid, {"ends": {src, dst}, "frames": [], "events": []})
        st["frames"].append(fno)
        for tls in as_list(layers["tls"]):
            if not isinstance(tls, dict):
                continue
            for rec in as_list(tls.get("tls.record")):
                if not isinstance(rec, dict):
                    continue
                ct = rec.get("tls.record.content_type")
                if ct is None:
                    # SSLv2 record format: the message type sits in the record
                    t = rec.get("tls.handshake.type")
                    if t is not None:
                        t = int(t)
                        ev = {"type": SSL2_NAMES.get(t, "SSLv2 %d" % t), "ssl2": True,
                              "frame": fno, "from": src, "kind": "hs"}
                        if t == 1:
                            ev.update(sni=None, alpn=None, type=1)
                        if t == 4:
                            v = rec.get("tls.handshake.version")
                            ev["version"] = int(v, 16) if v else None
                            ev["suite"] = None
                            ev["alpn"] = None
                            ev["hrr"] = False
                        if t == 2:
                            cs = rec.get("tls.handshake.cipherspec")
                            ev["cipherspec"] = int(cs, 16) if cs else None
                        st["events"].append(ev)
                    continue
                ct = int(ct)
                # A TLS 1.3 record tshark decrypted (keys from a key log or a
                # pcapng Decryption Secrets Block) carries its inner content
                # type here, as ours does: both sides report what they decrypted.
                if ct == 22:
                    for hs in as_list(rec.get("tls.handshake")):
                        if isinstance(hs, dict) and "tls.handshake.type" in hs:
                            ev = handshake_event(hs)
                            ev.update(frame=fno, **{"from": src, "kind": "hs"})
                            st["events"].append(ev)
                elif ct == 21:
                    for al in as_list(rec.get("tls.alert_message")):
                        if isinstance(al, dict) and "tls.alert_message.level" in al:
                            st["events"].append({
                                "kind": "alert", "frame": fno, "from": src,
                                "level": int(al["tls.alert_message.level"]),
                                "desc": int(al["tls.alert_message.desc"])})
    for st in streams.values():
        st["first"], st["last"] = min(st["frames"]), max(st["frames"])
        st["interesting"] = bool(st["events"])
    return streams


def tshark_facts(st, client):
    hs = [e for e in st["events"] if e["kind"] == "hs"]
    chs = [e for e in hs if e["type"] == 1 and e["from"] == client]
    shs = [e for e in hs if e["type"] in (2, "SSLv2 ServerHello") and e["from"] != client
           and not e.get("hrr")]
    sh = shs[-1] if shs else None
    ch = chs[0] if chs else None
    suite = sh["suite"] if sh else None
    if sh is not None and sh.get("ssl2"):
        cmk = [e for e in hs if e.get("cipherspec") is not None]
        suite = cmk[0]["cipherspec"] if cmk else None
    msgs = {"client": [], "server": []}
    for e in hs:
        side = "client" if e["from"] == client else "server"
        t = e["type"]
        msgs[side].append(HS_NAMES.get(t, t) if isinstance(t, int) else t)
    alerts = [("client" if e["from"] == client else "server", e["level"], e["desc"])
              for e in st["events"] if e["kind"] == "alert"]
    return {
        "version": sh["version"] if sh else None,
        "cipher_suite": suite,
        "sni": ch["sni"] if ch else None,
        "alpn_offer": ch["alpn"] if ch else None,
        "alpn": selected_alpn(sh, hs, client),
        "messages.client": msgs["client"],
        "messages.server": msgs["server"],
        "alerts": alerts,
    }


def guess_client(st):
    """For a connection only tshark has: the ClientHello sender, else the side that
    did not send a ServerHello, else the higher port."""
    ends = sorted(st["ends"])
    for e in st["events"]:
        if e["kind"] == "hs" and e["type"] == 1:
            return e["from"]
    for e in st["events"]:
        if e["kind"] == "hs" and e["type"] in (2, "SSLv2 ServerHello"):
            others = [x for x in ends if x != e["from"]]
            return others[0] if others else e["from"]
    return max(ends, key=lambda x: int(x.rsplit(":", 1)[1]))


# ---------------------------------------------------------------- comparison

def ours_interesting(c):
    return bool(c.get("messages")) or bool(c.get("alerts"))


def match(ours, streams):
    """Pairs (our connection, tshark stream id or None), plus unmatched streams."""
    by_ends = collections.defaultdict(list)
    for sid, st in streams.items():
        if len(st["ends"]) == 2:
            by_ends[frozenset(st["ends"])].append(sid)
        else:  # a connection to itself (same address and port): never a match
            by_ends[frozenset(st["ends"])].append(sid)
    used = set()
    pairs = []
    for c in ours:
        cands = [s for s in by_ends.get(frozenset((c["client"], c["server"])), [])
                 if s not in used]
        chf = (c.get("client_hello") or {}).get("frame")
        pick = None
        if chf is not None:
            for s in cands:
                if any(e["kind"] == "hs" and e["type"] == 1 and e["frame"] == chf
                       for e in streams[s]["events"]):
                    pick = s
                    break
        if pick is None:
            lo, hi = c.get("first_frame") or 0, c.get("last_frame") or 1 << 62
            overl = [s for s in cands
                     if streams[s]["first"] <= hi and streams[s]["last"] >= lo]
            if overl:
                pick = overl[0]
        if pick is not None:
            used.add(pick)
        pairs.append((c, pick))
    rest = [s for s in streams if s not in used]
    return pairs, rest


def analyse(job):
    rel, tool, ports_hint = job
    path = os.path.join(CORPUS, rel)
    ours = run_ours(tool, path)
    ports = set(ports_hint)
    for c in ours:
        if not ours_interesting(c):
            continue
        try:
            ports.add(int(c["server"].rsplit(":", 1)[1]))
        except (KeyError, ValueError):
            pass
    ports -= NATIVE_UPGRADE_PORTS | TLS_DEFAULT_PORTS
    # First tshark as it is: its heuristics and protocol dissectors (PostgreSQL,
    # STARTTLS...) find most TLS. "-d tcp.port==N,tls" only for the candidate
    # ports where that found no handshake: forcing it where tshark already
    # decodes TLS behind a plain-text prologue breaks the decode (checked on
    # ndpi/pgsql2.pcapng, port 60102: the 1-byte SSLRequest answer is then
    # taken for the start of a record and the HelloRetryRequest is lost).
    cmd, frames = run_tshark(path, ())
    streams = tshark_streams(frames)
    seen = set()
    for st in streams.values():
        if any(e["kind"] == "hs" for e in st["events"]):
            seen |= {int(x.rsplit(":", 1)[1]) for x in st["ends"]}
    force = ports - seen
    if force:
        cmd, frames = run_tshark(path, force)
        streams = tshark_streams(frames)
    pairs, rest = match(ours, streams)
    results = []   # (client, server, label, {field: (ours, tshark) or None when equal})
    for c, sid in pairs:
        label = "conn %s first frame %s" % (c.get("conn"), c.get("first_frame"))
        if sid is None:
            if ours_interesting(c):
                results.append((c["client"], c["server"], label,
                                {"connection": ("present", "absent")}))
            continue
        st = streams[sid]
        if not ours_interesting(c) and not st["interesting"]:
            continue
        of, tf = ours_facts(c), tshark_facts(st, c["client"])
        diffs = {"connection": None}
        for f in FIELDS[1:]:
            diffs[f] = None if of[f] == tf[f] else (of[f], tf[f])
        results.append((c["client"], c["server"], label + ", tshark stream %d" % sid,
                        diffs))
    for sid in rest:
        st = streams[sid]
        if not st["interesting"]:
            continue
        client = guess_client(st)
        server = ([x for x in st["ends"] if x != client] or [client])[0]
        results.append((client, server, "tshark stream %d first frame %d" % (sid, st["first"]),
                        {"connection": ("absent", "present")}))
    return rel, " ".join(cmd), results


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="also print known disagreements and the tshark command lines")
    ap.add_argument("files", nargs="*", help="corpus-relative files (default: all)")
    args = ap.parse_args()

    need_tool("tshark-diff", "tshark")
    need_dir("tshark-diff", CORPUS)
    need_file("tshark-diff", os.path.join(CORPUS, "MANIFEST.tsv"), "corpus manifest")
    need_file("tshark-diff", IANA_SUITES, "IANA cipher suite registry")
    # the binary is rebuilt by others while we run: use a private copy
    tmpdir = tempfile.mkdtemp(prefix="tshark_diff.")
    tool = os.path.join(tmpdir, "tlsexplain")
    shutil.copy2(TOOL, tool)

    manifest = load_manifest()
    known = Known(KNOWN, normalise_client=False)
    files = args.files or corpus_files()
    jobs, skipped = [], []
    for rel in files:
        summ = manifest.get(rel, "")
        if quic_dtls_only(summ):
            skipped.append(rel)
            continue
        jobs.append((rel, tool, manifest_ports(summ)))

    agree = collections.Counter()
    explained = collections.Counter()
    total = collections.Counter()
    passed = failed = 0
    errors = 0
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
            futs = {ex.submit(analyse, j): j[0] for j in jobs}
            done = {}
            for fut in concurrent.futures.as_completed(futs):
                rel = futs[fut]
                try:
                    done[rel] = fut.result()
                except Exception as e:  # noqa: BLE001 - report and go on
                    done[rel] = (rel, "", None, str(e))
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)

    for rel in sorted(done):
        res = done[rel]
        if len(res) == 4:
            print("ERROR %s: %s" % (rel, res[3]))
            errors += 1
            continue
        _, cmd, results = res
        if args.verbose:
            print("# %s" % cmd)
        for client, server, label, diffs in results:
            ok = True
            for f in FIELDS:
                if f not in diffs:
                    continue
                total[f] += 1
                d = diffs[f]
                if d is None:
                    agree[f] += 1
                    continue
                reason = known.match(rel, client, f, show(f, d[0]), show(f, d[1]))
                if reason is not None:
                    explained[f] += 1
                line = "%s  %s -> %s (%s)  %s: ours %s, tshark %s" % (
                    rel, client, server, label, f, show(f, d[0]), show(f, d[1]))
                if reason is not None:
                    if args.verbose:
                        print("KNOWN " + line + "  [" + reason + "]")
                    continue
                ok = False
                print("DIFF  " + line)
            if ok:
                passed += 1
            else:
                failed += 1

    stale = known.problems(set(args.files) if args.files else None)
    for p in stale:
        print("FAIL " + p)
    if not jobs:
        stale.append("no capture compared")
        print("FAIL no capture compared under %s" % CORPUS)
    print()
    print("files: %d compared, %d skipped (QUIC/DTLS only: %s)" % (
        len(jobs), len(skipped), ", ".join(skipped)))
    print("per-field agreement: connections where the field agrees / compared "
          "(+ disagreements listed in tshark_known.tsv)")
    all_a = all_t = all_k = 0
    for f in FIELDS:
        all_a += agree[f]
        all_t += total[f]
        all_k += explained[f]
        print("  %-16s %5d / %5d  %5.1f%%  (+%d known)" % (
            f, agree[f], total[f], 100.0 * agree[f] / max(total[f], 1), explained[f]))
    print("  %-16s %5d / %5d  %5.1f%%  (+%d known)" % (
        "all fields", all_a, all_t, 100.0 * all_a / max(all_t, 1), all_k))
    if errors:
        print("errors: %d files could not be compared" % errors)
    print("tshark-diff: %d passed, %d failed" % (passed, failed + errors + len(stale)))
    return 0 if failed + errors + len(stale) == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
