#!/usr/bin/env python3
"""--context batch: a server's successes in one capture explain its failure in another.

The two captures are cut at test time, with editcap, from one real-stack capture
(test-captures/fail/no-fs-suite.pcap: an OpenSSL server with only RSA key exchange, four
clients that succeed, then one offering only forward-secret suites, reset): ok.pcap holds the
four successes, fail.pcap the refusal. Judged alone (the default, or --context file), the
refusal is a medium-confidence guess that says no other handshake shows what the server
accepts; with --context batch it is high confidence, explained by the four successes and
naming the capture and frame of the evidence (frame 6 of ok.pcap), whatever the order of the
inputs, in text and JSON, with -j 1 and -j 2 alike, and inside a zip (ok.zip:ok.pcap). Near
misses: successes with another server (same address, another port) explain nothing; a batch
of one capture is, for every test capture, that capture judged alone; standard input is
refused with --context batch. Ends with the line "context: N passed, N failed"."""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checklib import check, report, run_on_pty  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOL = os.path.abspath(os.environ.get("TLSEXPLAIN", os.path.join(ROOT, "tlsexplain")))
SOURCE = os.path.join(ROOT, "test-captures", "fail", "no-fs-suite.pcap")
OTHER_SERVER = os.path.join(ROOT, "test-captures", "basic", "gnutls-tls12.pcap")
LIMIT = 120


def run(args, cwd, stdin=None):
    out = subprocess.run([TOOL, *args], capture_output=True, timeout=LIMIT, cwd=cwd, stdin=stdin)
    return out.returncode, out.stdout.decode("utf-8", "replace"), out.stderr.decode("utf-8",
                                                                                      "replace")


def pty_stderr(args, cwd):
    """Runs with standard error on a pseudo-terminal; returns what the terminal received."""
    return run_on_pty([TOOL, *args], cwd, False, LIMIT)[1]


def failed_conn(text, file):
    """The failed connection of `file` in JSON Lines output."""
    for line in text.splitlines():
        o = json.loads(line)
        if o.get("type") == "connection" and o["file"] == file and o["verdict"] == "failed":
            return o
    return None


def facts(diag):
    return " | ".join(r["fact"] for r in diag.get("reasoning") or [])


def main():
    tmp = tempfile.mkdtemp(prefix="tlsx-context-")
    try:
        # frames 1-72 are the four handshakes that succeed, 73-92 the refused one
        subprocess.run(["editcap", "-r", SOURCE, "ok.pcap", "1-72"], cwd=tmp, check=True)
        subprocess.run(["editcap", "-r", SOURCE, "fail.pcap", "73-1000"], cwd=tmp, check=True)
        shutil.copy(OTHER_SERVER, os.path.join(tmp, "other.pcap"))

        rc, alone, _ = run(["--json", "ok.pcap", "fail.pcap"], tmp)
        c = failed_conn(alone, "fail.pcap")
        check("per file: the refusal is found", rc == 1 and c is not None, "rc %d" % rc)
        d = c["diagnosis"] if c else {}
        check("per file: a medium guess, nothing from ok.pcap",
              d.get("id") == "no_forward_secret_suite" and d.get("confidence") == "medium" and
              "ok.pcap" not in json.dumps(c) and "No other handshake" in d.get("explanation", ""),
              json.dumps(d)[:300])
        rc, explicit, _ = run(["--json", "--context", "file", "ok.pcap", "fail.pcap"], tmp)
        check("--context file is the default", explicit == alone)

        rc, batch, _ = run(["--json", "--context", "batch", "ok.pcap", "fail.pcap"], tmp)
        c = failed_conn(batch, "fail.pcap")
        d = c["diagnosis"] if c else {}
        check("batch: explained by the other capture, high confidence",
              rc == 1 and d.get("id") == "no_forward_secret_suite" and
              d.get("confidence") == "high" and
              "completed 4 other handshakes in these captures" in d.get("explanation", ""),
              json.dumps(d)[:400])
        check("batch: the evidence names the capture and frame",
              "(frame 6 of ok.pcap)" in facts(d) and "(frame 6 of ok.pcap)" in d.get("fix", ""),
              facts(d))
        # a frame in another capture is never cited as one of this capture's
        other = [r for r in d.get("reasoning", []) if "of ok.pcap" in r["fact"]]
        check("batch: a frame of another capture is not cited as this one's",
              other and all(r["frame"] == 0 for r in other), json.dumps(other))
        check("batch: this capture's own frames stay its own",
              [e["frame"] for e in d.get("evidence", [])][:2] == [4, 6],
              json.dumps(d.get("evidence")))
        ok_lines = [l for l in batch.splitlines() if '"file":"ok.pcap"' in l]
        check("batch: ok.pcap reported as before",
              ok_lines == [l for l in alone.splitlines() if '"file":"ok.pcap"' in l])

        rc, rev, _ = run(["--json", "--context", "batch", "fail.pcap", "ok.pcap"], tmp)
        c = failed_conn(rev, "fail.pcap")
        check("batch: the evidence may come after the failure in input order",
              c is not None and c["diagnosis"]["confidence"] == "high" and
              "(frame 6 of ok.pcap)" in facts(c["diagnosis"]))

        for mode in ([], ["--json"], ["-s"], ["-a", "-v"]):
            args = mode + ["--context", "batch", "ok.pcap", "fail.pcap", "other.pcap"]
            r1 = run(["-j", "1"] + args, tmp)
            r2 = run(["-j", "2"] + args, tmp)
            check("batch: -j 1 and -j 2 print the same (%s)" % (" ".join(mode) or "text"),
                  r1 == r2, "%s / %s" % (r1[0], r2[0]))
        rc, text, _ = run(["--context", "batch", "ok.pcap", "fail.pcap"], tmp)
        check("batch: the text names the capture and frame",
              "frame 6 of ok.pcap" in text and "confidence high" in text, text[:300])

        subprocess.run(["zip", "-q", "ok.zip", "ok.pcap"], cwd=tmp, check=True)
        rc, z, _ = run(["--json", "--context", "batch", "-j", "2", "ok.zip", "fail.pcap"], tmp)
        c = failed_conn(z, "fail.pcap")
        check("batch: evidence in an archive member names it",
              c is not None and "(frame 6 of ok.zip:ok.pcap)" in facts(c["diagnosis"]),
              facts(c["diagnosis"]) if c else "")

        # near miss: the same address, another port: another server, it explains nothing
        rc, near, _ = run(["--json", "--context", "batch", "other.pcap", "fail.pcap"], tmp)
        c = failed_conn(near, "fail.pcap")
        check("near miss: successes with another server explain nothing",
              c is not None and c["diagnosis"]["confidence"] == "medium" and
              "other.pcap" not in json.dumps(c), json.dumps(c["diagnosis"])[:300] if c else "")

        # both passes on the progress line: 3 inputs read twice
        for jobs in ("1", "2"):
            got = pty_stderr(["--json", "-j", jobs, "--context", "batch", "ok.pcap", "fail.pcap",
                              "other.pcap"], tmp)
            done = [(int(a), int(b)) for a, b in re.findall(rb"\r(\d+)/(\d+) files", got)]
            check("batch -j %s: progress counts both passes" % jobs,
                  done and {b for _, b in done} == {6},
                  repr(got[-300:]))

        # a batch of one capture is that capture judged alone, word for word
        alone_differs = []
        captures = sorted(glob.glob(os.path.join(ROOT, "test-captures", "**", "*.pcap*"),
                                    recursive=True))
        for path in captures:
            a = run(["--json", "-a", path], tmp)
            b = run(["--json", "-a", "--context", "batch", path], tmp)
            if a != b:
                alone_differs.append(os.path.relpath(path, ROOT))
        check("a batch of one capture equals the capture judged alone (%d captures)" %
              len(captures), captures and not alone_differs, " ".join(alone_differs[:10]))

        with open(os.path.join(tmp, "fail.pcap"), "rb") as f:
            rc, _, err = run(["--context", "batch", "ok.pcap", "-"], tmp, stdin=f)
        check("batch: standard input is refused", rc == 2 and "standard input" in err, err)
        rc, _, err = run(["--context", "everything", "ok.pcap"], tmp)
        check("--context takes file or batch", rc == 2 and "file or batch" in err, err)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return report("context")


if __name__ == "__main__":
    sys.exit(main())
