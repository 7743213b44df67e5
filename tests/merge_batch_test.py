#!/usr/bin/env python3
"""--merge --context batch: runs made one capture at a time with --json --facts (a Slurm job
array, GNU parallel over hosts) merged and judged again give, byte for byte, the output and
the exit status of one --context batch run over all the captures.

- The mixed inputs of merge_test.py (failed and successful captures, corpus files, a gzip, a
  zip with a text member, a folder, an unreadable capture, a file that is not one): one part
  per input, merged, against one run, in JSON and in the -s table, with -j 1 and -j 2.
- A server's successes in ok.pcap explain its refusal in fail.pcap only when judged together:
  the per-capture run says medium, the merge says high and names frame 6 of ok.pcap.
- Every test capture and every ../shared/corpus capture, one part each: the same as one run.
- Refusals: parts without --facts, standard input, a damaged facts line, one given twice or
  out of id order (no line makes room for ids it skips), a part cut before
  its summary line, --facts without --json.
Ends with the line "merge-batch: N passed, N failed"."""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checklib import check, report  # noqa: E402
from merge_test import build_inputs, run, CAPTURES, CORPUS  # noqa: E402


def parts_of(inputs, tmp, extra=()):
    """One --json --facts run per input, as a job array's tasks; their file names."""
    names = []
    for i, inp in enumerate(inputs):
        name = "part-%04d.jsonl" % i
        with open(os.path.join(tmp, name), "wb") as f:
            run(["--json", "--facts", *extra, inp], tmp, stdout=f)
        names.append(name)
    return names


def same_as_one_run(label, inputs, tmp):
    parts = parts_of(inputs, tmp)
    rc_one, one, err_one = run(["--context", "batch", "--json"] + inputs, tmp)
    rc, merged, err = run(["--merge", "--context", "batch", "--json"] + parts, tmp)
    check("%s: JSON Lines as one --context batch run (%d lines)" % (label, one.count("\n")),
          merged == one and one.count("\n") > 0, first_difference(one, merged))
    check("%s: exit status as the run's (%d)" % (label, rc_one), rc == rc_one,
          "%d %d %s" % (rc, rc_one, err))
    rc_s1, s_one, _ = run(["--context", "batch", "-s"] + inputs, tmp)
    rc_s, s_merged, _ = run(["--merge", "--context", "batch"] + parts, tmp)
    check("%s: the -s table as the run's" % label, s_merged == s_one and rc_s == rc_s1,
          first_difference(s_one, s_merged))
    return parts, one


def first_difference(a, b):
    la, lb = a.splitlines(), b.splitlines()
    for i, (x, y) in enumerate(zip(la, lb)):
        if x != y:
            return "line %d:\n  run:   %s\n  merge: %s" % (i + 1, x[:300], y[:300])
    return "%d lines against %d" % (len(la), len(lb))


def cross_file(tmp):
    source = os.path.join(CAPTURES, "fail", "no-fs-suite.pcap")
    subprocess.run(["editcap", "-r", source, "ok.pcap", "1-72"], cwd=tmp, check=True)
    subprocess.run(["editcap", "-r", source, "fail.pcap", "73-1000"], cwd=tmp, check=True)
    parts = parts_of(["ok.pcap", "fail.pcap"], tmp)
    alone = [json.loads(line) for line in open(os.path.join(tmp, parts[1]))]
    alone_dx = [o["diagnosis"] for o in alone if o["type"] == "connection"][0]
    rc, merged, _ = run(["--merge", "--context", "batch", "--json"] + parts, tmp)
    conns = [json.loads(line) for line in merged.splitlines()]
    dx = [o["diagnosis"] for o in conns if o["type"] == "connection" and o["file"] == "fail.pcap"]
    check("cross-file: judged alone, the refusal is no_forward_secret_suite, medium",
          alone_dx["id"] == "no_forward_secret_suite" and alone_dx["confidence"] == "medium",
          str(alone_dx.get("confidence")))
    check("cross-file: merged with --context batch, high, naming frame 6 of ok.pcap",
          rc == 1 and len(dx) == 1 and dx[0]["confidence"] == "high" and
          "frame 6 of ok.pcap" in json.dumps(dx[0]), json.dumps(dx)[:300])
    rc, plain, _ = run(["--merge", "--json"] + parts, tmp)
    check("cross-file: --merge without --context batch prints the summary only",
          rc == 1 and "no_forward_secret_suite" in plain and "high" not in plain)


def refusals(tmp):
    with open(os.path.join(tmp, "nofacts.jsonl"), "wb") as f:
        run(["--json", os.path.join(CAPTURES, "basic", "tls12.pcap")], tmp, stdout=f)
    rc, _, err = run(["--merge", "--context", "batch", "nofacts.jsonl"], tmp)
    check("parts without --facts: status 2, says --facts", rc == 2 and "--facts" in err, err)
    rc, _, err = run(["--merge", "--context", "batch", "-"], tmp)
    check("standard input: status 2 (read twice)", rc == 2 and "standard input" in err, err)
    part = parts_of([os.path.join(CAPTURES, "fail", "alpn-mismatch.pcap")], tmp)[0]
    lines = open(os.path.join(tmp, part)).read().splitlines()
    rc_good, good, _ = run(["--merge", "--context", "batch", "--json", part], tmp)
    facts = [i for i, line in enumerate(lines) if '"type":"facts"' in line]
    damaged = list(lines)
    damaged[facts[0]] = damaged[facts[0]].replace('"data":"', '"data":"!', 1)
    garbage = list(lines)
    obj = json.loads(garbage[facts[0]])
    raw = bytearray(base64.b64decode(obj["data"]))
    raw[len(raw) // 2] ^= 0xff
    obj["data"] = base64.b64encode(bytes(raw[:-3])).decode()
    garbage[facts[0]] = json.dumps(obj, separators=(",", ":"))
    twice = list(lines)
    twice.insert(facts[0] + 1, lines[facts[0]])
    far = list(lines)
    obj = json.loads(far[facts[0]])
    obj["conn"] = 4000000000
    far[facts[0]] = json.dumps(obj, separators=(",", ":"))
    for label, body, bad_line in [("base64 damaged", damaged, facts[0] + 1),
                                  ("facts cut and flipped", garbage, facts[0] + 1),
                                  ("given twice", twice, facts[0] + 2),
                                  ("with an id out of order", far, facts[0] + 1)]:
        with open(os.path.join(tmp, "bad.jsonl"), "w") as f:
            f.write("\n".join(body) + "\n")
        rc, out, err = run(["--merge", "--context", "batch", "--json", "bad.jsonl"], tmp)
        check("a facts line %s: status 2, the line counted" % label,
              rc == 2 and "not read" in err and "line %d" % bad_line in err, err)
    with open(os.path.join(tmp, "cut.jsonl"), "w") as f:
        f.write("\n".join(lines[:-1]) + "\n")
    rc, _, err = run(["--merge", "--context", "batch", "--json", "cut.jsonl"], tmp)
    check("a part cut before its summary line: status 2, said", rc == 2 and "summary" in err, err)
    check("the intact part: status 1 (alpn_mismatch)", rc_good == 1 and "alpn_mismatch" in good)
    rc, _, err = run(["--facts", "-s", os.path.join(CAPTURES, "basic", "tls12.pcap")], tmp)
    check("--facts without --json: status 2", rc == 2 and "--facts" in err, err)


def main():
    tmp = tempfile.mkdtemp(prefix="tlsx-mergeb-")
    try:
        inputs = build_inputs(tmp)
        same_as_one_run("mixed inputs", inputs, tmp)
        rc_j1, j1, _ = run(["--context", "batch", "--json", "-j", "1"] + inputs, tmp)
        rc_j2, j2, _ = run(["--context", "batch", "--json", "-j", "2"] + inputs, tmp)
        check("mixed inputs: -j 2 as -j 1 (the reference)", j1 == j2 and rc_j1 == rc_j2)
        cross_file(tmp)
        refusals(tmp)
        every = []
        for root in [CAPTURES, CORPUS]:
            for dirpath, dirnames, names in os.walk(root):
                dirnames.sort()
                for n in sorted(names):
                    if n.endswith((".pcap", ".pcapng", ".cap")):
                        every.append(os.path.relpath(os.path.join(dirpath, n), tmp))
        check("every capture: at least 300 found", len(every) >= 300, str(len(every)))
        sub = os.path.join(tmp, "every")
        os.mkdir(sub)
        same_as_one_run("every test and corpus capture", [os.path.join("..", p) for p in every],
                        sub)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return report("merge-batch")


if __name__ == "__main__":
    sys.exit(main())
