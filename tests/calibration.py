#!/usr/bin/env python3
"""calibration.py: does confidence mean something? Over every scenario capture (whose
expected column gives the true cause of each failed connection), counts per confidence
level how many diagnoses name the true cause. A diagnosis is right when its id is among
the expected causes of that capture still unclaimed. Prints the table; fails when a
high-confidence diagnosis is wrong, or when nothing was counted.
Ends with "calibration: N passed, N failed" (one per diagnosis)."""
import collections
import json
import os
import shlex
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOL = os.path.abspath(os.environ.get("TLSEXPLAIN", os.path.join(ROOT, "tlsexplain")))
CAPTURES = os.path.join(ROOT, "test-captures")


def rows():
    for tsv in sorted(os.listdir(os.path.join(CAPTURES, "scenarios"))):
        if not tsv.endswith(".tsv"):
            continue
        with open(os.path.join(CAPTURES, "scenarios", tsv)) as f:
            header = f.readline().rstrip("\n").split("\t")
            for line in f:
                row = dict(zip(header, line.rstrip("\n").split("\t")))
                if row.get("file") and not row["file"].startswith("#"):
                    yield row


def main():
    table = collections.defaultdict(lambda: [0, 0])  # confidence -> [right, total]
    passed = failed = 0
    for row in rows():
        want = collections.Counter()
        for item in row["expect"].split():
            key, _, n = item.rpartition("=")
            if ":" in key:
                want[key.split(":", 1)[1]] += int(n)
        args = shlex.split(row.get("args", "") or "")
        out = subprocess.run([TOOL, "--json", *args, row["file"]], capture_output=True,
                             text=True, cwd=CAPTURES, timeout=300)
        for line in out.stdout.splitlines():
            o = json.loads(line)
            d = o.get("diagnosis") if o.get("type") == "connection" else None
            if not d:
                continue
            right = want[d["id"]] > 0
            if right:
                want[d["id"]] -= 1
            conf = d["confidence"]
            table[conf][0] += right
            table[conf][1] += 1
            if right or conf != "high":
                passed += 1
            else:
                failed += 1
                print("FAIL %s conn %s: %s with high confidence, not among %s"
                      % (row["file"], o["conn"], d["id"], row["expect"]))
    print("confidence  right/total")
    for conf in ("high", "medium", "low"):
        r, t = table[conf]
        print("%-10s  %d/%d%s" % (conf, r, t, " (%.0f%%)" % (100.0 * r / t) if t else ""))
    print("calibration: %d passed, %d failed" % (passed, failed))
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
