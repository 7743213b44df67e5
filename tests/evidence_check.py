#!/usr/bin/env python3
"""evidence_check.py: the facts a diagnosis cites, checked against tshark.

Sources: every golden JSONL in test-captures/expected/ (its capture is the .pcap of the
same name under test-captures/), and tlsexplain --json over every capture of the corpus
($TLSX_CORPUS, default ../shared/corpus). For each diagnosis and alternative:

  evidence   {"frame": N, "text": "SENDER  MESSAGE ..."}: frame N exists; when the text
             opens with a sender ("client  " or "server  ", two spaces: the sender column
             of the ladder; "client bytes missing ..." is a sentence about a side, not
             a sender), frame N comes from that endpoint of the
             connection; when it names a message (ClientHello, ServerHello, Certificate,
             CertificateRequest, ServerKeyExchange, ChangeCipherSpec, a fatal alert and
             its description, SYN, FIN, RST), tshark shows that message in frame N.
             tshark reads the capture with tcp.reassemble_out_of_order:TRUE, and for a
             connection on a port tshark does not take for TLS, a second time with
             -d tcp.port==N,tls; the frame agrees when either view shows the message.
  counts     "N cipher suites (A, B, ...)": N is the length of the list, and the list
             holds no signalling value (TLS_EMPTY_RENEGOTIATION_INFO_SCSV, RFC 5746 3.3,
             and TLS_FALLBACK_SCSV, RFC 7507, are not cipher suites; a list ending in
             "..." may be shorter than N); "ClientHello ...,
             N suites" is the number of real suites the connection's ClientHello offers;
             "Certificate: N certificates" is the number in that frame's message.

Each connection with a diagnosis is one check. Ends with "evidence-check: N passed, N failed".
usage: tests/evidence_check.py [-v] [--golden-only | --corpus-only]"""
import argparse
import concurrent.futures
import glob
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from known import corpus_dir, endpoint, need_dir, need_tool, split_endpoint  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOL = os.path.abspath(os.environ.get("TLSEXPLAIN", os.path.join(ROOT, "tlsexplain")))
CAPTURES = os.path.join(ROOT, "test-captures")
EXPECTED = os.path.join(CAPTURES, "expected")
SIGNALLING = {"TLS_EMPTY_RENEGOTIATION_INFO_SCSV", "TLS_FALLBACK_SCSV", "GREASE"}
# ports tshark's TLS dissector takes on its own (its tls.port preference and heuristics)
TLS_PORTS = {443, 465, 636, 853, 989, 990, 992, 993, 994, 995, 5061, 8443}
# RFC 8446 6 alert descriptions, as tshark numbers them
ALERTS = {
    "close_notify": 0, "unexpected_message": 10, "bad_record_mac": 20, "decryption_failed": 21,
    "record_overflow": 22, "decompression_failure": 30, "handshake_failure": 40,
    "no_certificate": 41, "bad_certificate": 42, "unsupported_certificate": 43,
    "certificate_revoked": 44, "certificate_expired": 45, "certificate_unknown": 46,
    "illegal_parameter": 47, "unknown_ca": 48, "access_denied": 49, "decode_error": 50,
    "decrypt_error": 51, "export_restriction": 60, "protocol_version": 70,
    "insufficient_security": 71, "internal_error": 80, "inappropriate_fallback": 86,
    "user_canceled": 90, "no_renegotiation": 100, "missing_extension": 109,
    "unsupported_extension": 110, "certificate_unobtainable": 111, "unrecognized_name": 112,
    "bad_certificate_status_response": 113, "bad_certificate_hash_value": 114,
    "unknown_psk_identity": 115, "certificate_required": 116, "no_application_protocol": 120,
}
# handshake message names (RFC 8446 4, RFC 5246 7.4) as they open an evidence text
MESSAGES = {"ClientHello": 1, "ServerHello": 2, "HelloRetryRequest": 2, "Certificate": 11,
            "ServerKeyExchange": 12, "CertificateRequest": 13, "ServerHelloDone": 14,
            "CertificateVerify": 15, "ClientKeyExchange": 16}
FIELDS = ["frame.number", "ip.src", "ipv6.src", "tcp.srcport", "udp.srcport", "tcp.flags.syn", "tcp.flags.fin",
          "tcp.flags.reset", "tcp.len", "tls.record.content_type", "tls.handshake.type",
          "tls.alert_message.level", "tls.alert_message.desc", "tls.handshake.certificate_length"]


def tshark_view(path, ports=(), keylog=None):
    """frame number -> dict of the FIELDS (lists of strings) as tshark shows them
    (with the key log the golden output was made with, when there is one)."""
    cmd = ["tshark", "-n", "-r", path, "-o", "tcp.reassemble_out_of_order:TRUE"]
    if keylog:
        cmd += ["-o", "tls.keylog_file:" + keylog]
    for p in sorted(ports):
        cmd += ["-d", "tcp.port==%d,tls" % p]
    cmd += ["-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    view = {}
    for line in out.stdout.splitlines():
        cols = line.split("\t")
        cols += [""] * (len(FIELDS) - len(cols))
        rec = {f: [x for x in c.split(",") if x] for f, c in zip(FIELDS, cols)}
        try:
            view[int(rec["frame.number"][0])] = rec
        except (IndexError, ValueError):
            continue
    return view


def senders_of(rec):
    """The endpoints frame REC may come from: every source address it carries (a
    tunnel has an outer and an inner one) with its TCP (or, for QUIC, UDP) source port."""
    port = (rec["tcp.srcport"] or rec["udp.srcport"] or [""])[-1]
    if not port:
        return set()
    return {endpoint(ip, port) for ip in rec["ip.src"] + rec["ipv6.src"]}


def flag(rec, name):
    return any(v in ("1", "True") for v in rec[name])


def shows(rec, text):
    """None when frame REC shows what TEXT (without its sender) names, else why not."""
    words = text.split()
    head = words[0] if words else ""
    if head == "TCP" and len(words) > 1:
        head = words[1]
    if head in MESSAGES or head.rstrip(":") in MESSAGES:
        want = MESSAGES[head.rstrip(":")]
        got = [int(x) for x in rec["tls.handshake.type"] if x.isdigit()]
        if want not in got:
            return "no %s (handshake type %d) in the frame: tshark shows types %s" % (
                head.rstrip(":"), want, got or "none")
        m = re.match(r"Certificate:? \(?(\d+) certificates?", text)
        if m and int(m.group(1)) != len(rec["tls.handshake.certificate_length"]):
            return "%s certificates said, tshark counts %d" % (
                m.group(1), len(rec["tls.handshake.certificate_length"]))
        return None
    if head == "ChangeCipherSpec":
        return None if "20" in rec["tls.record.content_type"] else "no ChangeCipherSpec record"
    m = re.match(r"(fatal|warning) alert (\w+)", text)
    if m:
        level = {"warning": "1", "fatal": "2"}[m.group(1)]
        desc = str(ALERTS.get(m.group(2), -1))
        if level in rec["tls.alert_message.level"] and desc in rec["tls.alert_message.desc"]:
            return None
        return "no %s alert %s: tshark shows level %s description %s" % (
            m.group(1), m.group(2), rec["tls.alert_message.level"] or "none",
            rec["tls.alert_message.desc"] or "none")
    if head == "SYN":
        return None if flag(rec, "tcp.flags.syn") else "not a SYN"
    if head in ("FIN", "FIN,"):
        return None if flag(rec, "tcp.flags.fin") else "not a FIN"
    if head in ("RST", "RST,"):
        return None if flag(rec, "tcp.flags.reset") else "not a RST"
    if head == "closes" and len(words) == 1:
        return None if flag(rec, "tcp.flags.fin") or flag(rec, "tcp.flags.reset") else \
            "neither FIN nor RST"
    if re.match(r"(one )?encrypted (record|flight)", text) or head.startswith('"'):
        return None if any(int(x or 0) > 0 for x in rec["tcp.len"]) else "no payload"
    return None  # a free sentence: only the frame and the sender are checked


def suite_counts(text, conn):
    """Problems with the numbers of suites a text gives."""
    out = []
    for m in re.finditer(r"\b(\d+) cipher suites? \(([^)]*)\)", text):
        names = [n.strip() for n in m.group(2).split(",") if n.strip()]
        elided = bool(names) and names[-1].endswith("...")   # "A, B ...": the first ones
        more = 0
        if names:   # "A, B and 3 more": the first ones and how many follow
            last = re.match(r"^(.*\S) and (\d+) more$", names[-1])
            if last:
                names[-1], more = last.group(1), int(last.group(2))
        names = [n.rstrip(". ") for n in names]
        sig = [n for n in names if n in SIGNALLING]
        if sig:
            out.append("'%s cipher suite(s)' lists %s, which is not a cipher suite" %
                       (m.group(1), ", ".join(sig)))
        listed = len(names) + more
        if (int(m.group(1)) < listed) if elided else (int(m.group(1)) != listed):
            out.append("says %s cipher suites but lists %d" % (m.group(1), listed))
    m = re.match(r"ClientHello .*?\b(\d+) suites\b", text)
    ch = conn.get("client_hello") or {}
    if m and ch.get("cipher_suites") is not None:
        real = [s for s in ch["cipher_suites"] if s not in SIGNALLING]
        if int(m.group(1)) != len(real):
            out.append("says %s suites, the ClientHello offers %d (without signalling values)"
                       % (m.group(1), len(real)))
    return out


def check_conn(conn, views):
    """Problems with one connection's diagnosis and alternatives."""
    probs = []
    cl, sv = split_endpoint(conn["client"]), split_endpoint(conn["server"])
    for d in [conn.get("diagnosis")] + list(conn.get("alternatives") or []):
        if not d:
            continue
        for t in [d.get("explanation") or "", d.get("fix") or ""]:
            probs += ["%s: %s" % (d["id"], p) for p in suite_counts(t, conn)]
        for ev in d.get("evidence") or []:
            frame, text = ev.get("frame"), ev.get("text") or ""
            probs += ["%s: frame %s: %s" % (d["id"], frame, p) for p in suite_counts(text, conn)]
            if frame is None:
                continue
            recs = [v[frame] for v in views if frame in v]
            if not recs:
                probs.append("%s: frame %s does not exist (evidence %r)" % (d["id"], frame, text))
                continue
            # "client  ..." (two spaces: the sender column of the ladder) names the
            # frame's sender; "client bytes missing ..." is a sentence about a side
            m = re.match(r"(client|server)  (.*)", text)
            if m:
                who, rest = m.groups()
                want = cl if who == "client" else sv
                got = senders_of(recs[0])
                # a frame of another connection ("(connection #3)", a TCP fallback,
                # "(on another connection)", a burst of resets): the same host
                if "connection #" in rest or "another connection" in rest:
                    host = want.rsplit(":", 1)[0]
                    got_hosts = {g.rsplit(":", 1)[0] for g in got}
                    if host in got_hosts:
                        continue
                if want not in got:
                    side = "the client" if cl in got else "the server" if sv in got else "neither side"
                    probs.append("%s: frame %s %r: the frame is from %s (%s), not the %s" % (
                        d["id"], frame, text, side, ", ".join(sorted(got)) or "no TCP", who))
                    continue
                # a message read by decrypting with the key log: its content is
                # held against tshark by tests/decrypt_oracle.py; here frame and
                # sender are checked
                if "decrypted with the key log" in rest:
                    continue
                whys = [shows(r, rest) for r in recs]
                if all(w is not None for w in whys):
                    probs.append("%s: frame %s %r: %s" % (d["id"], frame, text, whys[0]))
    return probs


def conns_of(jsonl_text):
    out = []
    for line in jsonl_text.splitlines():
        if not line.strip():
            continue
        o = json.loads(line)
        if o.get("type") == "connection" and (o.get("diagnosis") or o.get("alternatives")):
            out.append(o)
    return out


def check_file(label, capture, conns, keylog=None):
    """[(label conn, [problems])] for the connections of one capture."""
    if not conns:
        return []
    if not os.path.isfile(capture):
        return [("%s" % label, ["capture %s is missing" % capture])]
    views = [tshark_view(capture, (), keylog)]
    odd = set()
    for c in conns:
        try:
            port = int(c["server"].rsplit(":", 1)[1])
        except (KeyError, ValueError):
            continue
        if port not in TLS_PORTS:
            odd.add(port)
    if odd:
        views.append(tshark_view(capture, odd, keylog))
    return [("%s conn %s" % (label, c.get("conn")), check_conn(c, views)) for c in conns]


def golden_jobs():
    jobs = []
    for exp in sorted(glob.glob(os.path.join(EXPECTED, "**", "*.jsonl"), recursive=True)):
        rel = os.path.relpath(exp, EXPECTED)
        base = rel[:-len(".jsonl")]
        keylog = None
        if base.endswith(".keylog"):   # made with --keylog CAPTURE.keylog (golden.sh)
            base = base[:-len(".keylog")]
            keylog = os.path.join(CAPTURES, base + ".keylog")
        cap = os.path.join(CAPTURES, base + ".pcap")
        with open(exp) as f:
            jobs.append(("expected/" + rel, cap, conns_of(f.read()), keylog))
    return jobs


def corpus_job(args):
    corpus, rel = args
    path = os.path.join(corpus, rel)
    out = subprocess.run([TOOL, "--json", path], capture_output=True, text=True, timeout=600)
    if out.returncode not in (0, 1):
        return [("corpus/" + rel, ["tlsexplain exit %d: %s" % (out.returncode,
                                                                out.stderr.strip()[:200])])]
    return check_file("corpus/" + rel, path, conns_of(out.stdout))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-v", "--verbose", action="store_true", help="also list connections that pass")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--golden-only", action="store_true")
    g.add_argument("--corpus-only", action="store_true")
    args = ap.parse_args()
    need_tool("evidence-check", "tshark")
    results = []
    if not args.corpus_only:
        jobs = golden_jobs()
        if not jobs:
            print("FAIL no golden JSONL under %s" % EXPECTED)
            results.append(("expected", ["no golden files"]))
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as ex:
            for r in ex.map(lambda j: check_file(*j), jobs):
                results += r
    if not args.golden_only:
        corpus = corpus_dir()
        need_dir("evidence-check", corpus)
        if not os.access(TOOL, os.X_OK):
            print("evidence-check: %s not built (make)" % TOOL)
            results.append(("tlsexplain", ["not built"]))
        else:
            files = sorted(os.path.relpath(os.path.join(d, n), corpus)
                           for d, _, ns in os.walk(corpus) for n in ns
                           if re.search(r"\.(pcap|pcapng|cap|pcap\.gz)$", n))
            if not files:
                results.append(("corpus", ["no capture under %s" % corpus]))
            with concurrent.futures.ThreadPoolExecutor(args.jobs) as ex:
                for r in ex.map(corpus_job, [(corpus, f) for f in files]):
                    results += r
    passed = failed = 0
    for label, probs in results:
        if probs:
            failed += 1
            print("FAIL %s" % label)
            for p in probs:
                print("     %s" % p)
        else:
            passed += 1
            if args.verbose:
                print("ok   %s" % label)
    print("evidence-check: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
