#!/usr/bin/env python3
"""consistency.py: an explanation must never say what the facts it sits on contradict.

Runs tlsexplain --json over every test capture (with the arguments of its scenario row) and
every capture of ../shared/corpus, and checks each finding (diagnosis and alternatives) of
each connection against the facts in the same JSON, recomputed here independently of the
rule engine:
  - counts: "N cipher suites (A, B, ...)" lists N names (plus "and M more"); the offer's
    count in the evidence matches the ClientHello (signalling suites and GREASE aside);
  - wording: "narrow" only for a list of at most 4 suites; "no other handshake" only when
    the capture has no successful handshake with that server;
  - refutations: no common suite while the server chose one of the offered suites for
    another client; no common group while it used an offered group; a version mismatch
    (refusal before any ServerHello, no protocol_version alert) while it completed an
    offered version; SNI required while a hello without SNI succeeded; no forward-secret
    suite while it completed a forward-secret suite; a DH group refused that is 2048 bits
    or more; a size intolerance while a hello of the same size range succeeded;
  - frames: every evidence and reasoning frame exists in the capture;
  - a cause listed as ruled out is neither the diagnosis nor an alternative.
Ends with "consistency: N passed, N failed" (one check per finding and per connection)."""
import json
import os
import re
import shlex
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOL = os.path.abspath(os.environ.get("TLSEXPLAIN", os.path.join(ROOT, "tlsexplain")))
CAPTURES = os.path.join(ROOT, "test-captures")
CORPUS = os.path.normpath(os.path.join(ROOT, "..", "shared", "corpus"))
SIGNALLING = {"TLS_EMPTY_RENEGOTIATION_INFO_SCSV", "TLS_FALLBACK_SCSV", "GREASE"}
FORWARD_SECRET = re.compile(r"^TLS_(ECDHE|DHE)_|^TLS_AES_|^TLS_CHACHA20_|^TLS_SM4_")
TLS13_SUITE = re.compile(r"^TLS_(AES|CHACHA20|SM4)_")


def inputs():
    """(display name, cwd, argv) for every capture to check."""
    seen = set()
    for tsv in sorted(os.listdir(os.path.join(CAPTURES, "scenarios"))):
        if not tsv.endswith(".tsv"):
            continue
        with open(os.path.join(CAPTURES, "scenarios", tsv)) as f:
            header = f.readline().rstrip("\n").split("\t")
            for line in f:
                row = dict(zip(header, line.rstrip("\n").split("\t")))
                if not row.get("file") or row["file"].startswith("#"):
                    continue
                args = shlex.split(row.get("args", "") or "")
                key = (row["file"], tuple(args))
                if key not in seen:
                    seen.add(key)
                    yield row["file"], CAPTURES, args + [row["file"]]
    if not os.path.isdir(CORPUS):
        sys.exit("consistency: ../shared/corpus is missing: nothing to check the corpus with")
    for dirpath, _, names in sorted(os.walk(CORPUS)):
        for n in sorted(names):
            if n.endswith((".pcap", ".pcapng", ".cap")):
                p = os.path.join(dirpath, n)
                yield os.path.relpath(p, CORPUS), CORPUS, [p]


def offered_versions(ch):
    return set(ch.get("versions") or [])


def offers_version_for(ch, suite):
    vs = offered_versions(ch)
    if TLS13_SUITE.match(suite):
        return "TLS 1.3" in vs
    return bool(vs - {"TLS 1.3"}) or not vs


def real_suites(ch):
    return [s for s in ch.get("cipher_suites") or [] if s not in SIGNALLING]


class Checker:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def fail(self, where, what):
        self.failed += 1
        print("FAIL %s: %s" % (where, what))

    def file(self, name, objs):
        conns = [o for o in objs if o.get("type") == "connection"]
        summary = next((o for o in objs if o.get("type") == "summary"), {})
        frames = summary.get("frames")
        ok_by_server = {}
        for c in conns:
            if c["verdict"] == "ok" and c.get("server_hello"):
                ok_by_server.setdefault(c["server"], []).append(c)
        for c in conns:
            findings = []
            if c.get("diagnosis"):
                findings.append(("diagnosis", c["diagnosis"]))
            findings += [("alternative", a) for a in c.get("alternatives") or []]
            for role, f in findings:
                where = "%s conn %s %s %s" % (name, c["conn"], role, f["id"])
                problems = self.finding(c, f, ok_by_server.get(c["server"], []), frames)
                for p in problems:
                    self.fail(where, p)
                if not problems:
                    self.passed += 1
            out = {r["id"] for r in c.get("ruled_out") or []}
            clash = out & {f["id"] for _, f in findings}
            if clash:
                self.fail("%s conn %s" % (name, c["conn"]), "ruled out yet proposed: %s" % clash)
            else:
                self.passed += 1

    def finding(self, c, f, oks, frames):
        problems = []
        text = f.get("explanation") or ""
        ch = c.get("client_hello") or {}
        suites = real_suites(ch)
        # counts against the names listed
        for m in re.finditer(r"(\d+) cipher suites? \(([^)]*)\)", text):
            names = [x for x in m.group(2).split(", ") if x]
            more = 0
            if names and " and " in names[-1]:
                last, _, rest = names[-1].partition(" and ")
                names[-1] = last
                more = int(re.match(r"(\d+)", rest).group(1)) if re.match(r"\d+", rest) else 0
            if int(m.group(1)) != len(names) + more:
                problems.append("says %s cipher suites but lists %d" % (m.group(1), len(names) + more))
            if any(n in SIGNALLING for n in names):
                problems.append("lists a signalling value as a cipher suite")
        for e in f.get("evidence") or []:
            m = re.search(r"ClientHello up to [^,]+, (\d+) suites?", e.get("text", ""))
            if m and ch and int(m.group(1)) != len(suites):
                problems.append("evidence counts %s suites, the offer has %d" % (m.group(1), len(suites)))
        if "narrow suite list" in text and len(suites) > 4:
            problems.append("calls a list of %d suites narrow" % len(suites))
        if re.search(r"No other handshake (shows|with this server)", text) and oks:
            problems.append("says no other handshake shows it, the capture has %d successful ones" % len(oks))
        # frames exist
        for e in (f.get("evidence") or []) + (f.get("reasoning") or []):
            fr = e.get("frame") or 0
            if frames is not None and fr > frames:
                problems.append("cites frame %d of %d" % (fr, frames))
        refused = bool(ch) and not c.get("server_hello")
        fid = f["id"]
        alerts = [a for a in c.get("alerts") or [] if a.get("from") == "server"]
        alert_names = {a.get("description") for a in alerts}
        if fid == "no_shared_cipher_suite" and refused:
            for o in oks:
                s = o["server_hello"]["cipher_suite"]
                if s in suites and offers_version_for(ch, s):
                    problems.append("the server chose %s for conn %s and this offer holds it" % (s, o["conn"]))
                    break
        if fid == "no_shared_group" and refused:
            for o in oks:
                g = (o.get("key_exchange") or {}).get("group")
                if g and g in (ch.get("groups") or []):
                    problems.append("the server used %s for conn %s and this offer holds it" % (g, o["conn"]))
                    break
        if fid == "protocol_version_mismatch" and refused and "protocol_version" not in alert_names:
            for o in oks:
                v = o["server_hello"]["version"]
                if v in offered_versions(ch):
                    problems.append("the server completed %s with conn %s, offered here" % (v, o["conn"]))
                    break
        if fid == "sni_required" and ch and ch.get("sni") is None:
            for o in oks:
                if (o.get("client_hello") or {}).get("sni") is None:
                    problems.append("conn %s succeeded without SNI" % o["conn"])
                    break
        if fid == "no_forward_secret_suite" and refused:
            for o in oks:
                if FORWARD_SECRET.match(o["server_hello"]["cipher_suite"] or ""):
                    problems.append("the server completed a forward-secret suite with conn %s" % o["conn"])
                    break
        if fid == "dh_parameters_rejected":
            bits = (c.get("key_exchange") or {}).get("dh_p_bits")
            if bits and bits >= 2048:
                problems.append("blames a %d-bit DH group" % bits)
        if fid == "client_hello_size_intolerance" and ch and 256 <= (ch.get("length") or 0) <= 511 \
                and (ch.get("segments") or 1) == 1:
            for o in oks:
                n = (o.get("client_hello") or {}).get("length") or 0
                if 256 <= n <= 511:
                    problems.append("conn %s with a %d-byte hello succeeded" % (o["conn"], n))
                    break
        return problems


def main():
    chk = Checker()
    for name, cwd, argv in inputs():
        r = subprocess.run([TOOL, "--json", "-a", *argv], capture_output=True, text=True,
                           cwd=cwd, timeout=300)
        if r.returncode not in (0, 1):
            chk.fail(name, "exit %d: %s" % (r.returncode, r.stderr.strip()[:200]))
            continue
        chk.file(name, [json.loads(line) for line in r.stdout.splitlines()])
    print("consistency: %d passed, %d failed" % (chk.passed, chk.failed))
    return 1 if chk.failed or chk.passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
