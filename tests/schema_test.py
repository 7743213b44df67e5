#!/usr/bin/env python3
"""Validates JSON Lines output against docs/schema/tlsexplain.schema.json (JSON Schema
2020-12, python3-jsonschema): every golden output (test-captures/expected/**/*.jsonl; lines
that are not JSON must be the tool's own messages, as golden.sh keeps standard error), the
output of tlsexplain --json over ../shared/corpus, and the error and skipped objects of a
small batch made at test time. Violations listed in tests/schema_known.tsv (file, conn,
path, why) are reported as known; a known one that no longer occurs fails, so the list
stays true. Mutated copies of valid objects must be rejected: the schema is not a blank
check. Ends with the line "schema: N passed, N failed"."""
import copy
import glob
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checklib import check, report  # noqa: E402

try:
    import jsonschema
except ImportError:
    print("schema: python3-jsonschema is missing (apt-get install python3-jsonschema)")
    print("schema: 0 passed, 1 failed")
    sys.exit(1)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOL = os.path.abspath(os.environ.get("TLSEXPLAIN", os.path.join(ROOT, "tlsexplain")))
SCHEMA = os.path.join(ROOT, "docs", "schema", "tlsexplain.schema.json")
KNOWN = os.path.join(ROOT, "tests", "schema_known.tsv")
CORPUS = os.path.join("..", "shared", "corpus")


def load_known():
    known = {}
    if os.path.exists(KNOWN):
        with open(KNOWN) as f:
            for line in f:
                if line.startswith("#") or not line.strip():
                    continue
                file, conn, path, why = line.rstrip("\n").split("\t")
                known[(file, int(conn), path)] = why
    return known


def violations(validator, obj):
    """(path, message) of each error, the path as /a/b/0."""
    out = []
    for e in validator.iter_errors(obj):
        # oneOf over the object types: report the errors of the branch for its type
        if e.validator == "oneOf" and not e.absolute_path and e.context:
            for sub in e.context:
                if sub.validator == "const" and list(sub.absolute_path) == ["type"]:
                    continue
                branch = sub.relative_schema_path[0] if sub.relative_schema_path else None
                wanted = {"connection": 0, "summary": 1, "error": 2, "skipped": 3}.get(obj.get("type"))
                if branch == wanted:
                    out.append(("/" + "/".join(str(p) for p in sub.absolute_path), sub.message))
            if not out:
                out.append(("/", e.message[:200]))
        else:
            out.append(("/" + "/".join(str(p) for p in e.absolute_path), e.message))
    return out


def validate_lines(validator, name, lines, known, seen_known):
    """Returns (objects, new violations)."""
    objs, bad = 0, []
    for n, line in enumerate(lines, 1):
        if not line.startswith("{"):
            if not line.startswith("tlsexplain: ") and line.strip():
                bad.append("%s:%d: neither JSON nor a message: %r" % (name, n, line[:80]))
            continue
        try:
            obj = json.loads(line)
        except ValueError as e:
            bad.append("%s:%d: not JSON: %s" % (name, n, e))
            continue
        objs += 1
        for path, msg in violations(validator, obj):
            key = (obj.get("file", ""), obj.get("conn", 0), path)
            if key in known:
                seen_known.add(key)
            else:
                bad.append("%s:%d: %s conn %s %s: %s" % (name, n, obj.get("file"),
                                                        obj.get("conn"), path, msg[:160]))
    return objs, bad


def main():
    with open(SCHEMA) as f:
        schema = json.load(f)
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
        check("the schema is a valid JSON Schema 2020-12 document", True)
    except jsonschema.SchemaError as e:
        check("the schema is a valid JSON Schema 2020-12 document", False, e.message)
        return 1
    validator = jsonschema.Draft202012Validator(schema)
    known = load_known()
    seen_known = set()

    # golden outputs, as golden.sh made them (run from test-captures/)
    golden = sorted(glob.glob(os.path.join(ROOT, "test-captures", "expected", "**", "*.jsonl"),
                              recursive=True))
    total, bad = 0, []
    for path in golden:
        with open(path) as f:
            n, b = validate_lines(validator, os.path.relpath(path, ROOT), f.read().splitlines(),
                                  known, seen_known)
        total += n
        bad += b
    check("golden outputs: %d objects in %d files follow the schema" % (total, len(golden)),
          not bad and total > 0, "\n     " + "\n     ".join(bad[:10]))

    # the corpus, read where it is
    out = subprocess.run([TOOL, "--json", "--quiet", CORPUS], capture_output=True, text=True,
                         timeout=300, cwd=ROOT)
    n, bad = validate_lines(validator, "corpus", out.stdout.splitlines(), known, seen_known)
    types = {json.loads(l)["type"] for l in out.stdout.splitlines() if l.startswith("{")}
    check("tlsexplain --json %s: %d objects follow the schema" % (CORPUS, n),
          out.returncode in (0, 1) and not bad and n > 0,
          "exit %d\n     %s" % (out.returncode, "\n     ".join(bad[:10])))
    check("corpus output has connection, summary and skipped objects",
          {"connection", "summary", "skipped"} <= types, repr(types))

    # error and skipped objects, and an archive member, from a small batch
    with tempfile.TemporaryDirectory(prefix="tlsx-schema.") as tmp:
        with open(os.path.join(tmp, "notes.txt"), "w") as f:
            f.write("not a capture\n")
        subprocess.run(["tar", "cf", os.path.join(tmp, "caps.tar"), "-C",
                        os.path.join(ROOT, "test-captures", "fail"), "no-fs-suite.pcap"], check=True)
        out = subprocess.run([TOOL, "--json", "--quiet", tmp, os.path.join(tmp, "missing.pcap")],
                             capture_output=True, text=True, timeout=60)
        n, bad = validate_lines(validator, "batch", out.stdout.splitlines(), known, seen_known)
        objs = [json.loads(l) for l in out.stdout.splitlines()]
        types = {o["type"] for o in objs}
        check("a batch with an archive, a text file and a missing file: error and skipped "
              "objects follow the schema", out.returncode == 2 and not bad and
              {"connection", "summary", "error", "skipped"} <= types,
              "exit %d, types %s, %s" % (out.returncode, types, bad[:3]))

    # --facts adds facts and context objects; a capture with certificates and a QUIC one
    out = subprocess.run([TOOL, "--json", "--facts", "--quiet",
                          os.path.join(ROOT, "test-captures", "certs", "expired-tls12.pcap"),
                          os.path.join(ROOT, "test-captures", "quic", "h3-ok.pcap")],
                         capture_output=True, text=True, timeout=60)
    n, bad = validate_lines(validator, "facts", out.stdout.splitlines(), known, seen_known)
    types = {json.loads(l)["type"] for l in out.stdout.splitlines() if l.startswith("{")}
    check("--json --facts: facts and context objects follow the schema",
          out.returncode in (0, 1) and not bad and {"facts", "context"} <= types,
          "exit %d, types %s, %s" % (out.returncode, types, bad[:3]))

    # known violations: each still occurs (else remove it from the list)
    stale = sorted(set(known) - seen_known)
    check("every known violation in tests/schema_known.tsv still occurs (%d known)" % len(known),
          not stale, repr(stale))
    for key in sorted(seen_known):
        print("known %s conn %d %s: %s" % (key[0], key[1], key[2], known[key]))

    # the schema rejects what breaks the contract
    conn = next(o for o in objs if o["type"] == "connection" and o["verdict"] == "failed")
    summ = next(o for o in objs if o["type"] == "summary")
    mutants = {
        "verdict not in the list": (conn, lambda o: o.update(verdict="broken")),
        "failed without a diagnosis": (conn, lambda o: o.update(diagnosis=None)),
        "no file": (conn, lambda o: o.pop("file")),
        "frame 0": (conn, lambda o: o.update(first_frame=0)),
        "confidence not high, medium or low": (conn, lambda o: o["diagnosis"].update(confidence="sure")),
        "diagnosis id with capitals": (conn, lambda o: o["diagnosis"].update(id="No_Suite")),
        "version not a version name": (conn, lambda o: o["client_hello"].update(record_version="TLS1.2")),
        "cipher suite not an IANA name": (conn, lambda o: o["client_hello"]["cipher_suites"].append("AES128-SHA")),
        "start not a UTC time": (conn, lambda o: o.update(start="2015-10-01 12:00:00")),
        "alert from a third party": (conn, lambda o: o["alerts"].append(
            {"frame": 3, "from": "middlebox", "level": "fatal", "description": "x"})),
        "summary count negative": (summ, lambda o: o.update(failed=-1)),
        "summary cause with count 0": (summ, lambda o: o["causes"].update(no_shared_group=0)),
        "unknown object type": (summ, lambda o: o.update(type="statistics")),
        "skipped without a reason": ({"type": "skipped", "file": "x"}, lambda o: None),
    }
    accepted = []
    for name, (orig, mutate) in mutants.items():
        m = copy.deepcopy(orig)
        mutate(m)
        if validator.is_valid(m):
            accepted.append(name)
    check("%d mutated objects are rejected" % len(mutants), not accepted, repr(accepted))

    return report("schema")


if __name__ == "__main__":
    sys.exit(main())
