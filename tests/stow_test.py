#!/usr/bin/env python3
"""Connections stowed on disk while a capture is read are reported as if they had stayed
in memory. test-captures/tcp/quiet-gaps.pcap is real captures ten minutes apart
(test-captures/gen/quiet.sh): the failed connections of its first parts are over and quiet
for more than five minutes while thousands of packets follow, so they are written away and
judged at the end (so is the first pass of --context batch). The same parts one second apart (quiet.sh with QUIET_GAP=1) leave
nothing quiet that long: everything stays in memory. Every report, from a file, from
standard input, from gzip and with two jobs, must be the same once the start times (the
only thing the gaps change) are set aside. Also: the committed capture is what quiet.sh
makes. Ends with the line "stow: N passed, N failed"."""
import gzip
import json
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checklib import check, report  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOL = os.path.abspath(os.environ.get("TLSEXPLAIN", os.path.join(ROOT, "tlsexplain")))
QUIET = os.path.join(ROOT, "test-captures", "tcp", "quiet-gaps.pcap")
GEN = os.path.join(ROOT, "test-captures", "gen", "quiet.sh")
LIMIT = 120


def run(args, stdin=None):
    p = subprocess.run([TOOL, *args], input=stdin, capture_output=True, timeout=LIMIT)
    return p.returncode, p.stdout.decode("utf-8", "replace")


# how long the capture goes on after a connection: the gaps make it longer
AFTER = re.compile(r"capture ends \d+ ms after")


def json_lines(text):
    """The JSON report without what the gaps change: start times, the file's name, and how
    long after a connection's last packet the capture ends."""
    out = []
    for line in text.splitlines():
        o = json.loads(AFTER.sub("capture ends N ms after", line))
        o.pop("start", None)
        o.pop("file", None)
        out.append(o)
    return out


def make(gap, path):
    env = dict(os.environ, QUIET_GAP=str(gap), QUIET_OUT=path)
    return subprocess.run(["bash", GEN], env=env, capture_output=True, timeout=LIMIT).returncode


def main():
    with tempfile.TemporaryDirectory() as tmp:
        again, close = os.path.join(tmp, "again.pcap"), os.path.join(tmp, "close.pcap")
        check("quiet.sh makes the committed capture again, byte for byte",
              make(600, again) == 0 and open(again, "rb").read() == open(QUIET, "rb").read())
        check("quiet.sh makes the parts one second apart", make(1, close) == 0)

        rc_mem, mem = run(["--json", close])
        rc_disk, disk = run(["--json", QUIET])
        base = json_lines(mem)
        conns = [o for o in base if o.get("type") == "connection"]
        failed = [o for o in conns if o["verdict"] == "failed"]
        check("the report in memory has the failures of every part (%d failed of %d)"
              % (len(failed), len(conns)), len(failed) >= 20 and len(conns) > 1500)
        check("exit status the same (%d, %d)" % (rc_mem, rc_disk), rc_mem == rc_disk == 1)
        same = json_lines(disk) == base
        detail = ""
        if not same:
            for x, y in zip(json_lines(disk), base):
                if x != y:
                    detail = "first difference: conn %s" % x.get("conn")
                    break
        check("--json: every line the same, stowed or in memory", same, detail)

        for label, args, stdin in [
                ("standard input", ["--json", "-"], open(QUIET, "rb").read()),
                ("gzip", ["--json", "-"], gzip.compress(open(QUIET, "rb").read())),
        ]:
            _, out = run(args, stdin)
            check("--json from %s: the same" % label, json_lines(out) == base)

        _, two = run(["--json", "-j", "2", close, QUIET])
        lines = json_lines(two)
        half = len(lines) // 2
        check("-j 2 over both captures: each the same", lines[:half] == base and
              lines[half:] == base, "%d lines" % len(lines))

        tmpdir = os.path.join(tmp, "spool")
        os.mkdir(tmpdir)
        def judged(lines):
            return [(o.get("conn"), o.get("verdict"), (o.get("diagnosis") or {}).get("id"))
                    for o in lines]

        def in_tmpdir(where):
            p = subprocess.run([TOOL, "--json", QUIET], capture_output=True, timeout=LIMIT,
                               env=dict(os.environ, TMPDIR=where))
            return json_lines(p.stdout.decode("utf-8", "replace"))

        check("TMPDIR a folder of its own: the same", in_tmpdir(tmpdir) == base)
        check("nothing left in TMPDIR", os.listdir(tmpdir) == [])
        # no temporary file: every connection stays to the end, as with --html,
        # so the last frames of those that succeeded count their late ACKs and
        # a reset burst counts a reset connection that succeeded; the verdicts
        # and causes are the same
        check("TMPDIR that does not exist: the same verdicts and causes",
              judged(in_tmpdir(os.path.join(tmp, "none"))) == judged(base))

        # a full disk: temporary files may not grow past 64 KB (RLIMIT_FSIZE;
        # SIGXFSZ ignored, so a write fails with EFBIG as on ENOSPC). No report
        # may come out wrong, and the ones that cannot be read back are
        # counted and said, with exit status 2.
        def small_files():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))

        p = subprocess.run([TOOL, "--json", QUIET], capture_output=True, timeout=LIMIT,
                           preexec_fn=small_files)
        whole = disk.splitlines()
        got = p.stdout.decode("utf-8", "replace").splitlines()
        said = re.search(r"(\d+) connection reports could not be read back .*TMPDIR",
                         p.stderr.decode("utf-8", "replace"))
        check("TMPDIR full: exit 2, the lost reports counted and said",
              p.returncode == 2 and said is not None and int(said.group(1)) > 0,
              "exit %d" % p.returncode)
        check("TMPDIR full: every line printed is the full report's, none lost unsaid",
              set(got) <= set(whole) and said is not None and
              len(got) + int(said.group(1)) == len(whole), "%d printed" % len(got))

        _, b_mem = run(["--json", "--context", "batch", close])
        _, b_disk = run(["--json", "--context", "batch", QUIET])
        check("--context batch (both passes stow): the same",
              json_lines(b_mem) == json_lines(b_disk) and len(b_mem) > 0)

        _, s_mem = run(["-s", close])
        _, s_disk = run(["-s", QUIET])
        # the name's length sets the width of the -s table's first column
        strip = lambda t: re.sub(r"[ \t]+", " ", re.sub(r"\S*(close|quiet-gaps)\.pcap", "F", t))  # noqa: E731
        check("-s: the same table", strip(s_mem) == strip(s_disk) and "failed" in s_mem)
        _, t_mem = run(["-a", close])
        _, t_disk = run(["-a", QUIET])
        times = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?Z?")
        same_text = lambda t: AFTER.sub("N", times.sub("T", strip(t)))  # noqa: E731
        check("text report (-a): the same but for dates", same_text(t_mem) == same_text(t_disk))
    return report("stow")


if __name__ == "__main__":
    sys.exit(main())
