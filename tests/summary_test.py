#!/usr/bin/env python3
"""summary_test.py: the summary (-s) counts what --json reports. With -s alone no reporter
reads a finding's words, so the rules write none (rule_opts.no_words); they must still
reach the same verdicts and the same causes. For every test capture (with the arguments of
its scenario row), every capture of ../shared/corpus and the SYN storm of
test-captures/tcp/syn-storm.pcap, the totals of -s (ok, failed, incomplete, and each
cause with its count) must be those of the --json lines. Ends with the line
"summary: N passed, N failed"."""
import collections
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checklib import check, report  # noqa: E402
from consistency import TOOL, inputs  # noqa: E402

TOTALS = re.compile(r"^\d+ files?: (\d+) TLS connections?, (\d+) ok, (\d+) failed, "
                    r"(\d+) incomplete")
CAUSE = re.compile(r"^\s+(\d+)\s+([a-z0-9_]+)\s*$")


def from_summary(text):
    counts, causes = None, collections.Counter()
    for line in text.splitlines():
        m = TOTALS.match(line)
        if m:
            counts = tuple(int(x) for x in m.groups()[1:])
            continue
        m = CAUSE.match(line)
        if m and counts is not None:
            causes[m.group(2)] += int(m.group(1))
    return counts, causes


def from_json(text):
    verdicts, causes = collections.Counter(), collections.Counter()
    for line in text.splitlines():
        o = json.loads(line)
        if o.get("type") != "connection":
            continue
        verdicts[o["verdict"]] += 1
        if o["verdict"] == "failed" and o.get("diagnosis"):
            causes[o["diagnosis"]["id"]] += 1
    return (verdicts["ok"], verdicts["failed"], verdicts["incomplete"]), causes


def main():
    files = 0
    for name, cwd, argv in inputs():
        s = subprocess.run([TOOL, "-s", *argv], capture_output=True, text=True, cwd=cwd,
                           timeout=300)
        j = subprocess.run([TOOL, "--json", *argv], capture_output=True, text=True, cwd=cwd,
                           timeout=300)
        if s.returncode not in (0, 1) or j.returncode != s.returncode:
            check("%s: exit %d with -s, %d with --json" % (name, s.returncode, j.returncode),
                  False)
            continue
        got, want = from_summary(s.stdout), from_json(j.stdout)
        files += 1
        check("%s: -s counts what --json reports" % name, got == want,
              "-s %s, --json %s" % (got, want))
    check("every capture's summary agrees with its JSON (%d captures)" % files, files > 300)
    return report("summary")


if __name__ == "__main__":
    sys.exit(main())
