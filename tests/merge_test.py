#!/usr/bin/env python3
"""--merge: the JSON Lines of separate runs give the summary of one run over all the captures.

Inputs, built at test time in a temporary folder: failed and successful test captures, two
../shared/corpus captures (read where they are), a gzip, a zip with a capture and a text
member (skipped), a folder holding a capture, an empty file and a text file (skipped), a
capture with a link type no one reads (unreadable: a row of its own), and a file named on
the command line that is not a capture (an error with no row). One run with -s over the list
is the reference; the merge of one --json run per input (a Slurm job array), of two shares
(GNU parallel over two hosts), of the README's GNU parallel recipe run here (when parallel
is installed) and of one -j 2 run must print the same and exit the same.
Lines that are not tlsexplain JSON make the status 2 and are counted. Ends with the line
"merge: N passed, N failed"."""
import gzip
import os
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checklib import check, report  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOL = os.path.abspath(os.environ.get("TLSEXPLAIN", os.path.join(ROOT, "tlsexplain")))
CAPTURES = os.path.join(ROOT, "test-captures")
CORPUS = os.path.join(ROOT, "..", "shared", "corpus")
LIMIT = 120


def run(args, cwd, stdout=None):
    out = subprocess.run([TOOL, *args], cwd=cwd, timeout=LIMIT, stdout=stdout or subprocess.PIPE,
                         stderr=subprocess.PIPE)
    text = out.stdout.decode("utf-8", "replace") if out.stdout is not None else ""
    return out.returncode, text, out.stderr.decode("utf-8", "replace")


def build_inputs(tmp):
    """The inputs, as paths relative to tmp, in command-line order."""
    inputs = []
    for name in ["fail/no-fs-suite.pcap", "fail/alpn-mismatch.pcap", "fail/sni-missing.pcap",
                 "basic/tls12.pcap", "basic/gnutls-tls13.pcap", "fail/no-syn-ack.pcap"]:
        inputs.append(os.path.join(CAPTURES, name))
    for name in ["zeek/tls-1.2-handshake-failure.pcap", "illustrated-tls13/capture.pcap"]:
        path = os.path.join(CORPUS, name)
        if os.path.exists(path):
            inputs.append(os.path.relpath(path, tmp))
    with open(os.path.join(CAPTURES, "fail/bad-record-mac.pcap"), "rb") as f:
        data = f.read()
    with gzip.open(os.path.join(tmp, "case-4711.pcap.gz"), "wb") as f:
        f.write(data)
    inputs.append("case-4711.pcap.gz")
    with open(os.path.join(tmp, "notes.txt"), "w") as f:
        f.write("the customer says it fails on Mondays\n")
    shutil.copy(os.path.join(CAPTURES, "fail/no-shared-group.pcap"), tmp)
    subprocess.run(["zip", "-q", "two.zip", "no-shared-group.pcap", "notes.txt"], cwd=tmp,
                   check=True)
    inputs.append("two.zip")
    folder = os.path.join(tmp, "folder")
    os.mkdir(folder)
    shutil.copy(os.path.join(CAPTURES, "fail/connection-refused.pcap"), folder)
    shutil.copy(os.path.join(tmp, "notes.txt"), folder)
    open(os.path.join(folder, "empty.pcap"), "w").close()
    inputs.append("folder")
    # a pcap whose link type (USER0, 147) no one reads: unreadable, with a row
    with open(os.path.join(tmp, "user0.pcap"), "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 147))
        f.write(struct.pack("<IIII", 1, 0, 4, 4) + b"\0\0\0\0")
    inputs.append("user0.pcap")
    inputs.append("notes.txt")  # named, not a capture: an error, no row
    return inputs


def main():
    tmp = tempfile.mkdtemp(prefix="tlsx-merge-")
    try:
        inputs = build_inputs(tmp)
        rc_one, one, _ = run(["-s"] + inputs, tmp)
        check("reference: one run with -s", rc_one == 2 and "files:" in one and
              "inputs skipped" in one and "(unreadable)" in one, "rc %d\n%s" % (rc_one, one))

        out = os.path.join(tmp, "out")
        os.mkdir(out)
        for i, path in enumerate(inputs):
            with open(os.path.join(out, "%03d.jsonl" % i), "wb") as f:
                run(["--json", path], tmp, stdout=f)
        parts = sorted(os.path.join("out", p) for p in os.listdir(out))
        rc, merged, err = run(["--merge"] + parts, tmp)
        check("one run per input, merged: the same summary", merged == one,
              "\n--- one\n%s--- merged\n%s" % (one, merged))
        check("one run per input, merged: the same exit status", rc == rc_one, "%d" % rc)

        half = len(inputs) // 2
        for k, share in enumerate([inputs[:half], inputs[half:]]):
            with open(os.path.join(tmp, "share%d.jsonl" % k), "wb") as f:
                run(["--json", "-j", "2"] + share, tmp, stdout=f)
        rc, merged2, _ = run(["--merge", "share0.jsonl", "share1.jsonl"], tmp)
        check("two shares (-j 2 each), merged: the same summary and status",
              merged2 == one and rc == rc_one, merged2)

        with open(os.path.join(tmp, "all.jsonl"), "wb") as f:
            run(["--json", "-j", "2"] + inputs, tmp, stdout=f)
        rc, merged3, _ = run(["--merge", "all.jsonl"], tmp)
        check("one -j 2 run, merged: the same", merged3 == one and rc == rc_one, merged3)

        # the README's GNU parallel recipe, on this machine (-S : runs the jobs here)
        if shutil.which("parallel"):
            with open(os.path.join(tmp, "captures.list"), "w") as f:
                f.write("\n".join(inputs) + "\n")
            env = dict(os.environ, PATH=os.path.dirname(TOOL) + os.pathsep + os.environ["PATH"])
            with open(os.path.join(tmp, "par.jsonl"), "wb") as f:
                subprocess.run(["parallel", "-S", ":", "--keep-order",
                                "tlsexplain --json --quiet {}; test $? -le 1", "::::",
                                "captures.list"], cwd=tmp, env=env, stdout=f,
                               stderr=subprocess.DEVNULL, timeout=LIMIT)
            rc, merged4, _ = run(["--merge", "par.jsonl"], tmp)
            check("GNU parallel recipe, merged: the same", merged4 == one and rc == rc_one,
                  merged4)
        else:
            print("skip GNU parallel recipe (apt-get install parallel)")

        ok_only = [p for p in inputs if p.endswith("tls12.pcap") or p.endswith("tls13.pcap")]
        with open(os.path.join(tmp, "ok.jsonl"), "wb") as f:
            run(["--json"] + ok_only, tmp, stdout=f)
        rc_ok, one_ok, _ = run(["-s"] + ok_only, tmp)
        rc, merged_ok, _ = run(["--merge", "ok.jsonl"], tmp)
        check("nothing failed: status 0 as the run's", rc == 0 == rc_ok and merged_ok == one_ok,
              "%d %d" % (rc, rc_ok))

        with open(os.path.join(tmp, "bad.jsonl"), "w") as f:
            f.write('{"type":"summary","file":"x.pcap","tls":-3}\nnot json\n{"type":"summary",')
        rc, text, err = run(["--merge", "ok.jsonl", "bad.jsonl"], tmp)
        check("lines that are not tlsexplain JSON: counted, status 2",
              rc == 2 and "3 lines not read" in err and "line 1" in err and text == one_ok,
              "%d %s" % (rc, err))
        rc, _, err = run(["--merge", "missing.jsonl"], tmp)
        check("a JSON Lines file that cannot be read: status 2", rc == 2 and "missing" in err)
        rc, _, err = run(["--merge", "--context", "batch", "ok.jsonl"], tmp)
        check("--merge --context batch of runs without --facts: status 2, says so",
              rc == 2 and "--facts" in err, err)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return report("merge")


if __name__ == "__main__":
    sys.exit(main())
