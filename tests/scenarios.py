#!/usr/bin/env python3
"""Runs tlsexplain --json over every capture listed in test-captures/scenarios/*.tsv
(with the options of the optional 5th column `args`, e.g. --keylog certs/keys/x.keylog,
whose paths are relative to test-captures/) and compares the multiset of per-connection outcomes (verdict[:diagnosis], the
diagnosis given for failed and incomplete ones) with the `expect` column. Then the
negative tests of tests/negatives.tsv (rule, capture, near, not): near misses, captures
with a failed connection where the rule's signature is almost there, on which the rule
must not be the diagnosis (nor a surer alternative). With a --keylog or --key in `args`, no
explanation or evidence may ask for a key log or key (the user gave it). Checks that every rule in the
table has a capture that expects it and a passing negative on a capture with a failed
or incomplete connection that a scenario list pins down. Ends with the line
"scenarios: N passed, N failed"."""
import collections
import glob
import json
import os
import re
import shlex
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOL = os.path.abspath(os.environ.get("TLSEXPLAIN", os.path.join(ROOT, "tlsexplain")))
CAPTURES = os.path.join(ROOT, "test-captures")


def parse_expect(text):
    want = collections.Counter()
    for item in text.split():
        key, _, n = item.rpartition("=")
        want[key] += int(n)
    return want


def connections(path, args=()):
    out = subprocess.run([TOOL, "--json", *args, path], capture_output=True, text=True,
                         timeout=120, cwd=CAPTURES)
    if out.returncode not in (0, 1):
        raise RuntimeError("exit %d: %s" % (out.returncode, out.stderr.strip()))
    return [json.loads(line) for line in out.stdout.splitlines()]


# a sentence that asks for the key log or key the user gave
ASKS_FOR_KEYS = re.compile(r"key log[^.]{0,40} would|--keylog\) would|server's (RSA )?key would")


def asks_for_keys(obj):
    texts = []
    for d in [obj.get("diagnosis") or {}] + list(obj.get("alternatives") or []):
        texts.append(d.get("explanation") or "")
        texts.extend(e.get("text", "") for e in d.get("evidence") or [])
    return [t for t in texts if ASKS_FOR_KEYS.search(t)]


def outcomes(path, args=()):
    got = collections.Counter()
    given = "--keylog" in args or "--key" in args
    for obj in connections(path, args):
        if given and obj["type"] == "connection" and asks_for_keys(obj):
            got["asks for the keys given: %s" % asks_for_keys(obj)[0][:120]] += 1
        if obj["type"] != "connection" or obj["verdict"] == "not_tls":
            continue
        key = obj["verdict"]
        if obj["verdict"] == "failed" or (obj["verdict"] == "incomplete" and obj["diagnosis"]):
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
            args = shlex.split(row[4]) if len(row) > 4 else []
            try:
                got = outcomes(os.path.join(CAPTURES, name), args)
            except Exception as e:  # a crash or bad JSON is a failure, not an abort
                got = collections.Counter({"error: %s" % e: 1})
            if got == want:
                passed += 1
            else:
                failed += 1
                print("FAIL %s\n  want %s\n  got  %s" % (name, dict(want), dict(got)))
    # negative tests: each rule has near misses, failed connections where it must not be
    # the diagnosis (tests/negatives.tsv: rule, capture, near, not)
    table = open(os.path.join(ROOT, "src", "rules", "table.c")).read()
    ids = set(re.findall(r"^\s+X\((\w+)\)", table, re.M))
    positives = set()
    listed = set()
    for tsv in glob.glob(os.path.join(ROOT, "test-captures", "scenarios", "*.tsv")):
        for line in open(tsv):
            positives.update(re.findall(r"(?:failed|incomplete):(\w+)=", line))
            listed.add(line.split("\t")[0])
    negatives = set()
    rank = {"low": 0, "medium": 1, "high": 2}
    for n, line in enumerate(open(os.path.join(ROOT, "tests", "negatives.tsv")), 1):
        if line.startswith("#") or not line.strip():
            continue
        cols = line.rstrip("\n").split("\t")
        if len(cols) != 4 or not all(c.strip() for c in cols):
            failed += 1
            print("FAIL negatives.tsv line %d: want 4 columns: rule, capture, near, not" % n)
            continue
        rule, capture = cols[:2]
        if only and not any(o in capture for o in only):
            continue
        if rule not in ids:
            failed += 1
            print("FAIL negatives.tsv line %d: no rule %s in src/rules/table.c" % (n, rule))
            continue
        if capture not in listed:
            failed += 1
            print("FAIL negatives.tsv line %d: %s has no row in test-captures/scenarios/" % (n, capture))
            continue
        fired = []
        near = False
        try:
            objs = connections(os.path.join(ROOT, "test-captures", capture))
        except Exception as e:  # a crash or bad JSON is a failure, not an abort
            failed += 1
            print("FAIL negative: %s on %s: %s" % (rule, capture, e))
            continue
        for obj in objs:
            if obj["type"] != "connection":
                continue
            main = obj.get("diagnosis")
            near = near or obj["verdict"] in ("failed", "incomplete")
            if main and main["id"] == rule:
                fired.append(obj["conn"])
            # an alternative is allowed, but never surer than the diagnosis
            for alt in obj.get("alternatives", []):
                if alt["id"] == rule and main and rank[alt["confidence"]] > rank[main["confidence"]]:
                    fired.append(obj["conn"])
        if fired:
            failed += 1
            print("FAIL negative: %s fired on %s (connections %s); near: %s; not: %s"
                  % (rule, capture, fired, cols[2], cols[3]))
        else:
            passed += 1
            # a near miss counts only on a capture the tool itself finds failed, so a
            # capture where the rule has nothing to fire on never stands in for one
            if near:
                negatives.add(rule)
    if not only:
        for rule in sorted(ids - positives):
            failed += 1
            print("FAIL rule %s has no scenario capture expecting it" % rule)
        for rule in sorted(ids - negatives):
            failed += 1
            print("FAIL rule %s has no passing negative test on a failed connection "
                  "in tests/negatives.tsv" % rule)
    print("scenarios: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
