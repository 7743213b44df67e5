#!/usr/bin/env python3
"""The connection cap (--max-connections) is never silent: on a real capture with more
connections than the cap (test-captures/dhe/dhe-leading-zero.pcap, OpenSSL DHE handshakes
over loopback), the text header, the JSON summary line and the -s table each say how many
connections were left out and name the option that raises the cap, with the same number;
-j 1 and -j 2 print the same (the number travels from a worker to the parent); the
connections analysed are the cap; analysed plus left out are the capture's TCP connections
as tshark counts them (-z conv,tcp). Ends with the line "limits: N passed, N failed"."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checklib import check, report  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOL = os.path.abspath(os.environ.get("TLSEXPLAIN", os.path.join(ROOT, "tlsexplain")))
CAP = os.path.join(ROOT, "test-captures", "dhe", "dhe-leading-zero.pcap")
LIMIT = 60
CAPPED = 5


def run(*args):
    p = subprocess.run([TOOL, *args], capture_output=True, timeout=LIMIT)
    return p.returncode, p.stdout.decode("utf-8", "replace")


def tshark_conversations(path):
    if shutil.which("tshark") is None:
        return None
    out = subprocess.run(["tshark", "-r", path, "-q", "-z", "conv,tcp"], capture_output=True,
                         timeout=LIMIT).stdout.decode()
    return sum(1 for line in out.splitlines() if "<->" in line)


def main():
    cap = ["--max-connections", str(CAPPED), CAP]
    _, text = run(*cap)
    m = re.search(r"note: (\d+) connections past the limit of (\d+) were not analysed "
                  r"\(raise it with --max-connections\)", text)
    check("text: the header says how many were left out and the option", m is not None, text[:300])
    text_n = int(m.group(1)) if m else -1
    check("text: the limit named is the one given", m is not None and int(m.group(2)) == CAPPED)

    _, js = run("--json", *cap)
    summary = [json.loads(l) for l in js.splitlines() if '"type":"summary"' in l]
    s = summary[0] if summary else {}
    check("json: one summary line", len(summary) == 1)
    check("json: dropped_connections as in the text", s.get("dropped_connections") == text_n,
          str(s.get("dropped_connections")))
    check("json: max_connections and limit_option",
          s.get("max_connections") == CAPPED and s.get("limit_option") == "--max-connections")
    check("json: the connections analysed are the cap", s.get("connections") == CAPPED,
          str(s.get("connections")))

    _, table = run("-s", *cap)
    m = re.search(r"note: .*dhe-leading-zero\.pcap: (\d+) connections past the limit of (\d+) "
                  r"were not analysed \(raise it with --max-connections\)", table)
    check("-s: the table says how many were left out and the option",
          m is not None and int(m.group(1)) == text_n and int(m.group(2)) == CAPPED, table[-400:])

    with tempfile.TemporaryDirectory() as tmp:
        for name in ("a.pcap", "b.pcap", "c.pcap"):
            os.symlink(CAP, os.path.join(tmp, name))
        one = run("-s", "-j", "1", "--max-connections", str(CAPPED), tmp)
        two = run("-s", "-j", "2", "--max-connections", str(CAPPED), tmp)
        check("-s over 3 inputs: -j 1 and -j 2 identical", one == two)
        check("-s over 3 inputs: a note per input", one[1].count("past the limit") == 3, one[1][-600:])

    total = tshark_conversations(CAP)
    # a connection left out is counted once, not once per packet, and a client
    # port reused for a new connection counts again (this capture reuses 11)
    check("analysed + left out = the capture's TCP connections (tshark)",
          total is not None and s.get("connections", 0) + text_n == total,
          "tshark is not installed" if total is None
          else f"{s.get('connections')} + {text_n} != {total}")
    return report("limits")


if __name__ == "__main__":
    sys.exit(main())
