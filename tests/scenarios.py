#!/usr/bin/env python3
"""Runs tlsexplain --json over every capture listed in test-captures/scenarios/*.tsv
and compares the multiset of per-connection outcomes (verdict[:diagnosis]) with the
`expect` column. Ends with the line "scenarios: N passed, N failed"."""
import collections
import glob
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOL = os.environ.get("TLSEXPLAIN", os.path.join(ROOT, "tlsexplain"))


def parse_expect(text):
    want = collections.Counter()
    for item in text.split():
        key, _, n = item.rpartition("=")
        want[key] += int(n)
    return want


def outcomes(path):
    out = subprocess.run([TOOL, "--json", path], capture_output=True, text=True, timeout=120)
    if out.returncode not in (0, 1):
        raise RuntimeError("exit %d: %s" % (out.returncode, out.stderr.strip()))
    got = collections.Counter()
    for line in out.stdout.splitlines():
        obj = json.loads(line)
        if obj["type"] != "connection" or obj["verdict"] == "not_tls":
            continue
        key = obj["verdict"]
        if obj["verdict"] == "failed":
            key += ":" + (obj["diagnosis"] or {}).get("id", "none")
        got[key] += 1
    return got


def main():
    passed = failed = 0
    only = sys.argv[1:]
    for tsv in sorted(glob.glob(os.path.join(ROOT, "test-captures", "scenarios", "*.tsv"))):
        with open(tsv) as f:
            rows = [l.rstrip("\n").split("\t") for l in f if l.strip()]
        for row in rows[1:]:
            name, expect = row[0], row[1]
            if only and not any(o in name for o in only):
                continue
            want = parse_expect(expect)
            try:
                got = outcomes(os.path.join(ROOT, "test-captures", name))
            except Exception as e:  # a crash or bad JSON is a failure, not an abort
                got = collections.Counter({"error: %s" % e: 1})
            if got == want:
                passed += 1
            else:
                failed += 1
                print("FAIL %s\n  want %s\n  got  %s" % (name, dict(want), dict(got)))
    print("scenarios: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
