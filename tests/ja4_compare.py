#!/usr/bin/env python3
"""ja4_compare.py: compare our client_hello.ja4 with the JA4 reference tools.

../shared/corpus/ja4/expected/ holds, per capture, the output of the two FoxIO tools:
  <capture>.json             Python tool: per TCP stream "JA4.1" (first ClientHello),
                             "JA4.2" (second one, after a HelloRetryRequest), ...
  ja4__insta@<capture>.snap  Rust tool (insta snapshot, YAML): per stream "ja4".
Every reference fingerprint of a ClientHello over TCP is compared with the "ja4" of our
connection with the same transport (a JA4 starting with "q", or the Rust tool's
transport udp, is a QUIC connection) and client and server ip:port (`tlsexplain --json`).

Known, explained differences are listed in tests/ja4_known.tsv (file, client ip:port,
reference, ours, theirs, reason; see known.py), where reference is "python:JA4.1",
"python:JA4.2" or "rust:ja4"; one counts as passed only when both fingerprints are the
listed ones, and an entry that matches nothing fails the run.
The corpus is $TLSX_CORPUS/ja4 (default ../shared/corpus/ja4); without it the run fails.

usage: tests/ja4_compare.py [-v] [--bin ./tlsexplain]
Exit status: 0 when nothing failed, 1 otherwise.
"""
import argparse
import glob
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from known import Known, corpus_dir, endpoint, need_dir, split_endpoint  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPUS = corpus_dir("ja4")
EXPECTED = os.path.join(CORPUS, "expected")
KNOWN = os.path.join(HERE, "ja4_known.tsv")






def python_refs(path):
    """[(client, server, stream, 'python:JA4.n', ja4)] from the Python tool's JSON."""
    out = []
    with open(path) as f:
        data = json.load(f)
    for e in data:
        if "src" not in e or "srcport" not in e:
            continue
        cl = endpoint(e["src"], e["srcport"])
        sv = endpoint(e["dst"], e["dstport"])
        for k in sorted(e):
            if k.startswith("JA4.") and k[4:].isdigit():
                out.append((cl, sv, e.get("stream"), "python:" + k, e[k]))
    return out


def snap_entries(path):
    """Top-level keys of each list item of an insta YAML snapshot (no YAML library needed)."""
    with open(path) as f:
        text = f.read()
    parts = text.split("\n---\n", 1)
    body = parts[1] if len(parts) == 2 else text
    items, cur = [], None
    for line in body.splitlines():
        if line.startswith("- "):
            cur = {}
            items.append(cur)
            line = "  " + line[2:]
        if cur is None or not line.startswith("  ") or line.startswith("   "):
            continue
        key, sep, val = line[2:].partition(":")
        if sep and val.strip():
            cur[key.strip()] = val.strip().strip("'\"")
    return items


def rust_refs(path):
    out = []
    for e in snap_entries(path):
        if "src" not in e or "ja4" not in e:
            continue
        cl = endpoint(e["src"], e["src_port"])
        sv = endpoint(e["dst"], e["dst_port"])
        out.append((cl, sv, e.get("stream"), "rust:ja4", e["ja4"], e.get("transport", "tcp")))
    return out


def ours(capture):
    res = subprocess.run([BIN, "--json", os.path.join(CORPUS, capture)],
                         capture_output=True, text=True, timeout=60)
    conns = {}
    for line in res.stdout.splitlines():
        try:
            o = json.loads(line)
        except ValueError:
            continue
        if o.get("type") == "connection":
            key = (o.get("transport", "tcp"), split_endpoint(o["client"]),
                   split_endpoint(o["server"]))
            conns.setdefault(key, o)
    return conns




def main():
    global BIN
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-v", "--verbose", action="store_true", help="also list agreements")
    ap.add_argument("--bin", default=os.path.join(ROOT, "tlsexplain"))
    args = ap.parse_args()
    BIN = args.bin
    if not os.access(BIN, os.X_OK):
        sys.exit("ja4-compare: %s not built (run make -s)" % BIN)
    need_dir("ja4-compare", EXPECTED, "JA4 reference folder")
    known = Known(KNOWN)
    captures = sorted(os.path.basename(p) for p in glob.glob(os.path.join(CORPUS, "*"))
                      if os.path.isfile(p))
    passed = failed = nknown = nquic = 0
    lines = []
    for cap in captures:
        refs = []
        pj = os.path.join(EXPECTED, cap + ".json")
        rs = os.path.join(EXPECTED, "ja4__insta@%s.snap" % cap)
        if os.path.exists(pj):
            refs += [r + ("tcp",) for r in python_refs(pj)]
        if os.path.exists(rs):
            refs += rust_refs(rs)
        if not refs:
            continue
        mine = ours(cap)
        for cl, sv, stream, which, ref, transport in refs:
            quic = transport != "tcp" or ref.startswith("q")
            nquic += quic
            o = mine.get(("quic" if quic else "tcp", cl, sv))
            got = ((o or {}).get("client_hello") or {}).get("ja4") if o else None
            desc = "%s stream %s %s -> %s %s: ref=%s ours=%s" % (
                cap, stream, cl, sv, which, ref, got if o else "(connection not reported)")
            if got == ref:
                passed += 1
                if args.verbose:
                    lines.append("ok    " + desc)
                continue
            reason = known.match(cap, cl, which, got if o else "(connection not reported)", ref)
            if reason:
                passed += 1
                nknown += 1
                lines.append("KNOWN " + desc + "\n      reason: " + reason)
            else:
                failed += 1
                lines.append("FAIL  " + desc)
                if o and got and ref[:10] != got[:10]:
                    lines.append("      part a differs: ref %s ours %s" % (ref[:10], got[:10]))
                elif o and got:
                    for i, name in ((1, "b (suites)"), (2, "c (extensions_sigalgs)")):
                        if ref.split("_")[i:i + 1] != got.split("_")[i:i + 1]:
                            lines.append("      part %s differs" % name)
    if not captures or passed + failed == 0:
        failed += 1
        lines.append("FAIL  no capture with a JA4 reference under %s" % CORPUS)
    for p in known.problems():
        failed += 1
        lines.append("FAIL  " + p)
    if lines:
        print("\n".join(lines))
    print("ja4-compare: %d of them QUIC fingerprints, %d known differences" % (nquic, nknown))
    print("ja4-compare: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
