#!/usr/bin/env python3
"""warnings_test.py: broken cryptography is named on every connection that negotiated it.
Each row: a capture (test-captures/ or ../shared/corpus/), the words a warning of its first
TLS connection must hold, or "-" for a capture whose connections must carry none of the
broken-cryptography warnings. Ends with "warnings: N passed, N failed"."""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOL = os.path.abspath(os.environ.get("TLSEXPLAIN", os.path.join(ROOT, "tlsexplain")))
CORPUS = os.path.normpath(os.environ.get("TLSX_CORPUS", os.path.join(ROOT, "..", "shared", "corpus")))
BROKEN = ("NULL cipher", "RC4", "3DES", "single DES", "EXPORT", "anonymous", "SSL 2.0", "SSL 3.0")
CASES = [
    ("test-captures/reason/weak-null-openssl.pcap", "no encryption at all (NULL cipher)"),
    ("test-captures/reason/weak-null-gnutls.pcap", "no encryption at all (NULL cipher)"),
    ("test-captures/reason/weak-rc4-gnutls.pcap", "RC4: broken, prohibited by RFC 7465"),
    ("test-captures/reason/weak-3des-gnutls.pcap", "3DES: 64-bit blocks"),
    ("corpus:zeek/ssl-v2.pcap", "SSL 2.0 with SSL_CK_DES_192_EDE3_CBC_WITH_MD5"),
    ("test-captures/basic/tls13.pcap", "-"),
    ("test-captures/basic/tls12.pcap", "-"),
]


def main():
    passed = failed = 0
    for cap, want in CASES:
        path = os.path.join(CORPUS, cap[7:]) if cap.startswith("corpus:") else os.path.join(ROOT, cap)
        if not os.path.exists(path):
            print("FAIL %s: missing (corpus at %s)" % (cap, CORPUS))
            failed += 1
            continue
        out = subprocess.run([TOOL, "--json", "-a", path], capture_output=True, text=True)
        warnings = []
        for line in out.stdout.splitlines():
            o = json.loads(line)
            if o.get("type") == "connection":
                warnings += o.get("warnings") or []
        if want == "-":
            bad = [w for w in warnings if any(b in w for b in BROKEN)]
            ok = not bad
            why = "unexpected: %s" % bad
        else:
            ok = any(want in w for w in warnings)
            why = "no warning holds %r: %s" % (want, warnings)
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAIL %s: %s" % (cap, why))
    print("warnings: %d passed, %d failed" % (passed, failed))
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
