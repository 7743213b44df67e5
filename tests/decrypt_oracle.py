#!/usr/bin/env python3
"""decrypt_oracle.py: tshark with the same key log is the oracle for decryption.
For every capture of test-captures/scenarios/decrypt.tsv given a --keylog, the
handshake message types and alert descriptions tshark reads (in clear and
decrypted) must be the ones tlsexplain --json reports, connection by connection
(by client port); and tlsexplain must have decrypted something (a test that
passes with decryption turned off would prove nothing). The pcapng captures
with embedded secrets are also fed compressed (gzip, xz), archived (zip,
tar.gz) and on standard input, made at test time; a block with another
capture's secrets and one after the connection's records say so in the
summary. Ends with the line `decrypt_oracle: N passed, N failed`."""
import collections
import gzip
import json
import lzma
import os
import shlex
import subprocess
import sys
import tarfile
import tempfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CAPS = os.path.join(ROOT, "test-captures")
TOOL = os.environ.get("TLSEXPLAIN", os.path.join(ROOT, "tlsexplain"))


def table(name):
    out = {}
    for line in open(os.path.join(ROOT, "data", name)):
        if line.startswith("#") or not line.strip():
            continue
        value, label = line.split("\t")[:2]
        out[label] = int(value)
    return out


HS = table("handshake_types.tsv")
ALERTS = table("alerts.tsv")


def cover(tls, covered, verified, wrong_keys, no_keys, forward_secret, unsupported_suite):
    """The summary's keylog object."""
    return {"tls": tls, "covered": covered, "verified": verified, "wrong_keys": wrong_keys,
            "no_keys": no_keys, "forward_secret": forward_secret,
            "unsupported_suite": unsupported_suite}


def ours(pcap, args, stdin=None):
    """pcap "-" with stdin a path: the capture is fed on standard input."""
    with open(stdin if stdin else os.devnull, "rb") as feed:
        out = subprocess.run([TOOL, "--json", "-a", *args, pcap], capture_output=True,
                             text=True, stdin=feed, timeout=120, cwd=CAPS)
    got, decrypted, servers = {}, 0, set()
    for line in out.stdout.splitlines():
        o = json.loads(line)
        if o.get("type") != "connection":
            continue
        port = int(o["client"].rsplit(":", 1)[1])
        servers.add(int(o["server"].rsplit(":", 1)[1]))
        hs = [HS[m["type"]] for m in o["messages"] if m["type"] in HS and
              (not m.get("encrypted") or m.get("decrypted"))]
        al = [ALERTS.get(a["description"], -1) for a in o["alerts"] if a["description"]]
        decrypted += sum(1 for m in o["messages"] if m.get("decrypted"))
        decrypted += sum(1 for a in o["alerts"] if a.get("decrypted"))
        got[port] = (sorted(hs), sorted(al))
    return got, decrypted, servers


def theirs(pcap, keylog, servers, keys=()):
    # tshark must read these ports as TLS (its heuristics skip some, e.g. an HTTP/2 preface)
    decode_as = []
    for p in sorted(servers):
        decode_as += ["-d", "tcp.port==%d,tls" % p]
    # --key: tshark's RSA keys table (any address and port)
    for k in keys:
        decode_as += ["-o", 'uat:rsa_keys:"%s",""' % k]
    out = subprocess.run(["tshark", "-r", pcap, *decode_as, "-o", "tls.keylog_file:" + keylog,
                          "-Y", "tls",
                          "-T", "fields", "-E", "separator=/t", "-e", "tcp.srcport",
                          "-e", "tcp.dstport", "-e", "tls.handshake.type",
                          "-e", "tls.alert_message.desc"],
                         capture_output=True, text=True, timeout=120, cwd=CAPS)
    got = collections.defaultdict(lambda: ([], []))
    for line in out.stdout.splitlines():
        src, dst, hs, al = (line.split("\t") + ["", "", "", ""])[:4]
        # the client is the side with the higher (ephemeral) port
        port = max(int(src), int(dst))
        got[port][0].extend(int(t) for t in hs.split(",") if t)
        got[port][1].extend(int(a) for a in al.split(",") if a)
    return {p: (sorted(h), sorted(a)) for p, (h, a) in got.items()}


def main():
    passed = failed = 0
    tsv = os.path.join(CAPS, "scenarios", "decrypt.tsv")
    rows = [l.rstrip("\n").split("\t") for l in open(tsv) if l.strip()][1:]
    for row in rows:
        args = shlex.split(row[4]) if len(row) > 4 else []
        # a pcapng file carries its secrets: tshark reads them too
        embedded = row[0].endswith(".pcapng") and "--keylog" not in args
        if ("--keylog" not in args and "--key" not in args and not embedded) or \
                (sys.argv[1:] and not any(a in row[0] for a in sys.argv[1:])):
            continue
        # several --keylog files: tshark reads one, so it gets them joined
        logs = [args[i + 1] for i, a in enumerate(args) if a == "--keylog"]
        with tempfile.NamedTemporaryFile("w", suffix=".keylog") as joined:
            for log in logs:
                joined.write(open(os.path.join(CAPS, log)).read() + "\n")
            joined.flush()
            mine, n_dec, servers = ours(row[0], args)
            keys = [args[i + 1] for i, a in enumerate(args) if a == "--key"]
            want = theirs(row[0], joined.name if logs else "", servers, keys)
        expect_decrypt = "nothing decrypts" not in row[3]
        if mine == want and (n_dec > 0) == expect_decrypt:
            passed += 1
        else:
            failed += 1
            print("FAIL %s (decrypted %d)\n  tshark     %s\n  tlsexplain %s" %
                  (row[0], n_dec, want, mine))
    # third-party captures with the key logs published with them (paths from
    # test-captures/): the same comparison, where the corpus is present
    corpus = [
        ("../../shared/corpus/illustrated-tls12/capture.pcap",
         "../../shared/corpus/illustrated-tls12/keylogs/keylog.txt"),
        ("../../shared/corpus/scapy/tls_nss_example.pcap",
         "../../shared/corpus/scapy/keylogs/tls_nss_example.keys.txt"),
        ("../../shared/corpus/mercury/test_decrypt.pcap",
         "../../shared/corpus/mercury/keylogs/sslkeylogfile.log"),
    ]
    for name, keylog in corpus:
        if not os.path.exists(os.path.join(CAPS, name)):
            continue
        mine, n_dec, servers = ours(name, ["--keylog", keylog])
        want = theirs(name, keylog, servers)
        if mine == want and n_dec > 0:
            passed += 1
        else:
            failed += 1
            print("FAIL %s (decrypted %d)\n  tshark     %s\n  tlsexplain %s" %
                  (name, n_dec, want, mine))
    # the Illustrated TLS 1.2 connection says "ping" and "pong" (its walkthrough)
    illustrated = "../../shared/corpus/illustrated-tls12/capture.pcap"
    if os.path.exists(os.path.join(CAPS, illustrated)):
        out = subprocess.run([TOOL, "--json", "-a", "--keylog",
                              "../../shared/corpus/illustrated-tls12/keylogs/keylog.txt",
                              illustrated], capture_output=True, text=True, timeout=60, cwd=CAPS)
        conn = [json.loads(l) for l in out.stdout.splitlines()][0]
        dec = conn.get("decryption") or {}
        got = [dec.get(s, {}).get("first_data", {}).get("bytes") for s in ("client", "server")]
        fin = [dec.get(s, {}).get("finished", {}).get("verify_data") for s in ("client", "server")]
        if got == ["ping", "pong"] and fin == ["verified", "verified"]:
            passed += 1
        else:
            failed += 1
            print("FAIL illustrated-tls12: first data %s, Finished %s" % (got, fin))
    # the secrets embedded in a pcapng wherever the capture comes from:
    # compressed, in an archive, on standard input (made here from the
    # committed captures); tshark reads the plain file
    embedded = ["decrypt/tls12-gcm-dsb.pcapng", "decrypt/tls13-expired-dsb.pcapng",
                "decrypt/tls12-gcm-dsb-late.pcapng"]
    with tempfile.TemporaryDirectory() as tmp:
        for name in embedded:
            if sys.argv[1:] and not any(a in name for a in sys.argv[1:]):
                continue
            src = os.path.join(CAPS, name)
            base = os.path.basename(name)
            data = open(src, "rb").read()
            made = []
            for suffix, opener in ((".gz", gzip.open), (".xz", lzma.open)):
                path = os.path.join(tmp, base + suffix)
                with opener(path, "wb") as f:
                    f.write(data)
                made.append((path, None))
            path = os.path.join(tmp, base + ".zip")
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
                z.write(src, "in/" + base)
            made.append((path, None))
            path = os.path.join(tmp, base + ".tar.gz")
            with tarfile.open(path, "w:gz") as t:
                t.add(src, base)
            made.append((path, None))
            made.append(("-", src))
            _, _, servers = ours(name, [])
            want = theirs(name, "", servers)
            for path, stdin in made:
                mine, n_dec, _ = ours(path, [], stdin)
                what = "stdin" if stdin else os.path.basename(path)
                if mine == want and n_dec > 0:
                    passed += 1
                else:
                    failed += 1
                    print("FAIL %s as %s (decrypted %d)\n  tshark     %s\n  tlsexplain %s" %
                          (name, what, n_dec, want, mine))
    # a block with another capture's key log (editcap, at test time): no
    # client random matches, the connection says its keys are missing
    with tempfile.TemporaryDirectory() as tmp:
        other = os.path.join(tmp, "other-dsb.pcapng")
        subprocess.run(["editcap", "--inject-secrets",
                        "tls," + os.path.join(CAPS, "decrypt/keys/other-capture.keylog"),
                        os.path.join(CAPS, "decrypt/tls12-gcm.pcap"), other],
                       capture_output=True, timeout=60)
        out = subprocess.run([TOOL, "--json", other], capture_output=True, text=True,
                             timeout=120)
        got = [json.loads(l).get("keylog") for l in out.stdout.splitlines()
               if json.loads(l).get("type") == "summary"]
        if got == [cover(1, 0, 0, 0, 1, 0, 0)]:
            passed += 1
        else:
            failed += 1
            print("FAIL another capture's secrets in a block: keylog %s" % got)
    # a block after the connection's encrypted records serves no packet: the
    # summary says the secrets came too late
    late = "decrypt/tls12-gcm-dsb-after.pcapng"
    out = subprocess.run([TOOL, "--json", late], capture_output=True, text=True, timeout=120,
                         cwd=CAPS)
    got = [json.loads(l).get("keylog_late") for l in out.stdout.splitlines()
           if json.loads(l).get("type") == "summary"]
    if got == [1]:
        passed += 1
    else:
        failed += 1
        print("FAIL %s: keylog_late %s, want [1]" % (late, got))
    # the key log's coverage, in the summary line: counted from the facts above
    coverage = [
        ("decrypt/three-one-keylog.pcap", ["--keylog", "decrypt/keys/tls12-gcm.keylog"],
         cover(3, 1, 1, 0, 2, 0, 0)),
        ("decrypt/three-one-keylog.pcap", ["--keylog", "decrypt/keys/tls12-gcm.keylog",
                                           "--keylog", "decrypt/keys/tls12-chacha.keylog"],
         cover(3, 2, 2, 0, 1, 0, 0)),
        ("decrypt/tls12-gcm.pcap", ["--keylog", "decrypt/keys/wrong-master.keylog"],
         cover(1, 0, 0, 1, 0, 0, 0)),
        ("decrypt/tls12-gcm-dsb.pcapng", [],
         cover(1, 1, 1, 0, 0, 0, 0)),
        ("decrypt/tls12-gcm-dsb-late.pcapng", [],
         cover(1, 1, 1, 0, 0, 0, 0)),
        ("decrypt/tls12-gcm-dsb-wrong.pcapng", [],
         cover(1, 0, 0, 1, 0, 0, 0)),
        ("decrypt/tls12-gcm-dsb-after.pcapng", [],
         cover(0, 0, 0, 0, 0, 0, 0)),
        ("decrypt/tls12-rsa-cbc-sha1.pcap", ["--key", "decrypt/keys/server.key"],
         cover(1, 1, 1, 0, 0, 0, 0)),
        ("decrypt/ssl3-rsa-cbc.pcap", ["--key", "decrypt/keys/ssl3-server.key"],
         cover(2, 2, 2, 0, 0, 0, 0)),
        ("decrypt/ssl3-rsa-cbc.pcap", ["--keylog", "decrypt/keys/ssl3-wrong-master.keylog"],
         cover(2, 0, 0, 2, 0, 0, 0)),
        ("decrypt/ssl3-rsa-cbc.pcap", ["--key", "decrypt/keys/server.key"],
         cover(2, 0, 0, 0, 2, 0, 0)),
        ("decrypt/three-one-keylog.pcap", ["--key", "decrypt/keys/server.key"],
         cover(3, 0, 0, 0, 0, 3, 0)),
    ]
    for name, args, want in coverage:
        out = subprocess.run([TOOL, "--json", *args, name], capture_output=True, text=True,
                             timeout=120, cwd=CAPS)
        got = [json.loads(l).get("keylog") for l in out.stdout.splitlines()
               if json.loads(l).get("type") == "summary"]
        if got == [want]:
            passed += 1
        else:
            failed += 1
            print("FAIL coverage %s %s\n  want %s\n  got  %s" % (name, args, want, got))
    print("decrypt_oracle: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


sys.exit(main())
