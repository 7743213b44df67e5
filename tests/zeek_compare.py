#!/usr/bin/env python3
"""zeek_compare.py: compare tlsexplain with Zeek's ssl.log baselines.

For every ssl log in ../shared/corpus/zeek/expected/<btest>/ (ssl.log, ssl-all.log,
ssl-out.log, tls-13.ssl.log, ...), each row is attributed to the capture it came from:
INDEX.tsv names the traces a btest reads, and a row belongs to the one local trace
that holds its 4-tuple (id.orig_h, id.orig_p, id.resp_h, id.resp_p). Rows whose
trace is not in the corpus, or whose 4-tuple is in several traces, are skipped.

Per attributed connection, these are compared with `tlsexplain --json`:
  established   Zeek T  <=>  our verdict "ok"
  version       Zeek version    vs our "version"      ('-' <=> null)
  cipher        Zeek cipher     vs our "cipher_suite" ('-' <=> null)
  server_name   Zeek server_name vs our "sni"         ('-' <=> null)
A connection Zeek logs that we do not report at all fails as field "connection".

Known, explained differences are listed in tests/zeek_known.tsv (file, client ip:port,
field, ours, theirs, reason; see known.py); one counts as passed, shown as KNOWN, only
when both values are the listed ones; an entry that matches nothing fails the run.
Needs $TLSX_CORPUS/zeek (default ../shared/corpus/zeek) and tshark; fails without them.
Known entries that no longer occur are reported as STALE (not a failure).

usage: tests/zeek_compare.py [-v] [--bin ./tlsexplain]
Exit status: 0 when nothing failed, 1 otherwise.
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from known import Known, corpus_dir, endpoint, need_dir, need_tool, split_endpoint  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPUS = corpus_dir("zeek")
EXPECTED = os.path.join(CORPUS, "expected")
KNOWN = os.path.join(HERE, "zeek_known.tsv")

FIELDS = ("established", "version", "cipher", "server_name")








def zeek_version(v):
    """Zeek's version names -> ours ("TLS 1.2", "TLS 1.3 draft 16", "0x7e01")."""
    fixed = {"SSLv2": "SSL 2.0", "SSLv3": "SSL 3.0", "TLSv10": "TLS 1.0",
             "TLSv11": "TLS 1.1", "TLSv12": "TLS 1.2", "TLSv13": "TLS 1.3",
             "DTLSv10": "DTLS 1.0", "DTLSv12": "DTLS 1.2", "DTLSv13": "DTLS 1.3"}
    if v in fixed:
        return fixed[v]
    if v.startswith("TLSv13-draft"):
        return "TLS 1.3 draft %d" % int(v[len("TLSv13-draft"):])
    if v.startswith("unknown-"):
        return "0x%04x" % int(v[len("unknown-"):])
    return v


def read_index():
    idx = {}
    with open(os.path.join(EXPECTED, "INDEX.tsv")) as f:
        next(f)
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 3:
                continue
            traces = [os.path.basename(t) for t in cols[2].split()]
            idx[cols[0]] = [t[:-3] if t.endswith(".gz") else t for t in traces]
    return idx


def read_zeek_log(path):
    rows, fields = [], None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#fields"):
                fields = line.split("\t")[1:]
            elif line.startswith("#") or not line or fields is None:
                continue
            else:
                rows.append(dict(zip(fields, line.split("\t"))))
    return rows


_conv_cache = {}
HAVE_TSHARK = shutil.which("tshark") is not None


def trace_pairs(trace):
    """Set of frozenset({endpoint, endpoint}) for every TCP/UDP packet of a trace."""
    if trace in _conv_cache:
        return _conv_cache[trace]
    pairs = set()
    path = os.path.join(CORPUS, trace)
    if HAVE_TSHARK:
        out = subprocess.run(
            ["tshark", "-n", "-r", path, "-T", "fields", "-E", "separator=\t",
             "-e", "ip.src", "-e", "ipv6.src", "-e", "ip.dst", "-e", "ipv6.dst",
             "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "udp.srcport", "-e", "udp.dstport"],
            capture_output=True, text=True).stdout
        for line in out.splitlines():
            c = line.split("\t") + [""] * 8
            last = lambda s: s.split(",")[-1]  # innermost header of a tunnel
            src = last(c[0]) or last(c[1])
            dst = last(c[2]) or last(c[3])
            sp = last(c[4]) or last(c[6])
            dp = last(c[5]) or last(c[7])
            if src and dst and sp and dp:
                pairs.add(frozenset((endpoint(src, sp), endpoint(dst, dp))))
    else:  # no tshark: what we report is all we can know
        for o in ours(trace):
            pairs.add(frozenset((o["client"], o["server"])))
    _conv_cache[trace] = pairs
    return pairs


_ours_cache = {}


def ours(trace):
    if trace in _ours_cache:
        return _ours_cache[trace]
    res = subprocess.run([BIN, "--json", os.path.join(CORPUS, trace)],
                         capture_output=True, text=True, timeout=60)
    conns = []
    for line in res.stdout.splitlines():
        try:
            o = json.loads(line)
        except ValueError:
            continue
        if o.get("type") == "connection":
            o["client"] = split_endpoint(o["client"])
            o["server"] = split_endpoint(o["server"])
            conns.append(o)
    _ours_cache[trace] = conns
    return conns




def main():
    global BIN
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-v", "--verbose", action="store_true", help="also list agreements and skips")
    ap.add_argument("--bin", default=os.path.join(ROOT, "tlsexplain"))
    args = ap.parse_args()
    BIN = args.bin
    if not os.access(BIN, os.X_OK):
        sys.exit("zeek-compare: %s not built (run make -s)" % BIN)
    need_dir("zeek-compare", EXPECTED, "Zeek baseline folder")
    need_tool("zeek-compare", "tshark")

    index = read_index()
    known = Known(KNOWN)
    # (trace, client, server) -> list of (baseline, row)
    obs = {}
    skipped = []
    for btest in sorted(index):
        logs = sorted(p for p in glob.glob(os.path.join(EXPECTED, btest, "*.log"))
                      if "ssl" in os.path.basename(p))
        for log in logs:
            base = "%s/%s" % (btest, os.path.basename(log))
            traces = index[btest]
            local = [t for t in traces if os.path.exists(os.path.join(CORPUS, t))]
            for row in read_zeek_log(log):
                try:
                    cl = endpoint(row["id.orig_h"], row["id.orig_p"])
                    sv = endpoint(row["id.resp_h"], row["id.resp_p"])
                except KeyError:
                    continue
                hits = [t for t in local if frozenset((cl, sv)) in trace_pairs(t)]
                if not hits and not HAVE_TSHARK and len(traces) == 1 == len(local):
                    hits = local  # one trace: the row is from it even if we do not report it
                if len(hits) == 1:
                    obs.setdefault((hits[0], cl, sv), []).append((base, row))
                elif not hits:
                    why = ("its trace is not in the corpus" if len(local) < len(traces)
                           else "4-tuple not found in %s" % " ".join(local))
                    skipped.append("%s %s -> %s: %s" % (base, cl, sv, why))
                else:
                    skipped.append("%s %s -> %s: ambiguous, in %s" % (base, cl, sv, " ".join(hits)))

    passed = failed = nknown = 0
    lines = []
    for (trace, cl, sv) in sorted(obs):
        rows = obs[(trace, cl, sv)]
        base, row = rows[0]
        for b2, r2 in rows[1:]:
            for f in FIELDS:
                if r2.get(f) != row.get(f):
                    lines.append("NOTE  %s %s %s: baselines disagree: %s=%s, %s=%s" %
                                 (trace, cl, f, base, row.get(f), b2, r2.get(f)))
        mine = [o for o in ours(trace) if o["client"] == cl and o["server"] == sv]
        checks = []
        if not mine:
            checks.append(("connection", "logged (established=%s)" % row.get("established"),
                           "not reported"))
        else:
            o = mine[0]
            z = row.get("established")
            checks.append(("established", z, "%s (%s)" % ("T" if o["verdict"] == "ok" else "F",
                                                       o["verdict"]), z == ("T" if o["verdict"] == "ok" else "F")))
            zv = row.get("version", "-")
            checks.append(("version", zv, o.get("version"),
                           (o.get("version") is None) if zv == "-" else zeek_version(zv) == o.get("version")))
            zc = row.get("cipher", "-")
            checks.append(("cipher", zc, o.get("cipher_suite"),
                           (o.get("cipher_suite") is None) if zc == "-" else zc == o.get("cipher_suite")))
            zs = row.get("server_name", "-")
            checks.append(("server_name", zs, o.get("sni"),
                           (o.get("sni") is None) if zs == "-" else zs == o.get("sni")))
        for chk in checks:
            field, zval, oval = chk[0], chk[1], chk[2]
            ok = chk[3] if len(chk) > 3 else False
            desc = "%s %s -> %s %s: zeek=%s ours=%s [%s]" % (trace, cl, sv, field, zval, oval, base)
            if ok:
                passed += 1
                if args.verbose:
                    lines.append("ok    " + desc)
            elif known.match(trace, cl, field, oval, zval) is not None:
                passed += 1
                nknown += 1
                lines.append("KNOWN " + desc + "\n      reason: " +
                             known.match(trace, cl, field, oval, zval))
            else:
                failed += 1
                lines.append("FAIL  " + desc)
    if not obs:
        failed += 1
        lines.append("FAIL  no Zeek row matched a corpus trace under %s" % CORPUS)
    for p in known.problems():
        failed += 1
        lines.append("FAIL  " + p)
    if args.verbose:
        lines += ["not compared: " + s for s in skipped]
    print("\n".join(lines))
    if not HAVE_TSHARK:
        print("zeek-compare: tshark not found: rows attributed from tlsexplain's own output")
    print("zeek-compare: %d connections from %d traces, %d rows skipped, %d known differences"
          % (len(obs), len({k[0] for k in obs}), len(skipped), nknown))
    print("zeek-compare: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
