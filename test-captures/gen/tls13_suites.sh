#!/usr/bin/env bash
# tls13_suites.sh: one TLS 1.3 connection per cipher suite of RFC 8446 B.4 beyond the
# RFC 8448 trace (0x1302-0x1305), between openssl s_server and s_client over loopback,
# with the client's key log (-keylogfile) and a known plaintext, into
# test-captures/tls13-suites/. Then, from each capture and key log, the vectors the
# unit test tests/test_tls13_decrypt.c reads (tests/tls13_suite_vectors.h): the client's
# handshake and application traffic secrets (from OpenSSL's key log, read by python), its
# first two protected records (from the capture: the Finished, then the first application
# data) and its ClientHello random (tshark), for tests/test_keylog.c too.
# tshark, given the same key log, must show the known plaintext in the client's data,
# or no vectors are written: a second opinion that does not come from tlsexplain.
#   usage: test-captures/gen/tls13_suites.sh     (as root: tcpdump on lo; about 15 s)
# TCP port 4564 on 127.0.0.1 only.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need openssl tcpdump tshark python3 timeout
OUT=$CAPS_DIR/tls13-suites
HDR=$(cd "$CAPS_DIR/.." && pwd)/tests/tls13_suite_vectors.h
PORT=4564
mkdir -p "$OUT"
cd "$WORK" || exit 2
openssl req -x509 -newkey rsa:2048 -nodes -keyout server.key -subj /CN=localhost \
    -days 3650 -sha256 -out server.pem 2>/dev/null
SRV=
cleanup() { [ -n "${CAP_PID:-}" ] && kill -INT "$CAP_PID" 2>/dev/null; stop_bg $SRV; }
trap cleanup EXIT

for suite in TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256 TLS_AES_128_CCM_SHA256 \
             TLS_AES_128_CCM_8_SHA256; do
    openssl s_server -accept "127.0.0.1:$PORT" -cert server.pem -key server.key -tls1_3 \
        -ciphersuites "$suite" -naccept 1 -rev >"$suite.srv.log" 2>&1 &
    SRV=$!
    wait_port $PORT
    cap_start "$OUT/$suite.pcap" "tcp port $PORT"
    rm -f "$OUT/$suite.keylog"
    # the known plaintext: one line, sent in the client's first application record
    printf 'tlsexplain known plaintext for %s\n' "$suite" |
        timeout 5 openssl s_client -connect "127.0.0.1:$PORT" -tls1_3 -ciphersuites "$suite" \
            -keylogfile "$OUT/$suite.keylog" -ign_eof -quiet >"$suite.cli.log" 2>&1 || true
    cap_stop
    stop_bg "$SRV"
    SRV=
    tshark -r "$OUT/$suite.pcap" -o "tls.keylog_file:$OUT/$suite.keylog" -q \
        -z follow,tls,ascii,0 2>/dev/null | grep -q "tlsexplain known plaintext for $suite" ||
        { echo "$suite: tshark does not decrypt the known plaintext" >&2; exit 1; }
done

# the vectors: secrets from the key logs, records from the captures (client side)
python3 - "$OUT" "$HDR" <<'PY'
import subprocess, sys
out, hdr = sys.argv[1], sys.argv[2]
suites = [("TLS_AES_256_GCM_SHA384", 0x1302), ("TLS_CHACHA20_POLY1305_SHA256", 0x1303),
          ("TLS_AES_128_CCM_SHA256", 0x1304), ("TLS_AES_128_CCM_8_SHA256", 0x1305)]
def chex(b):
    s = b.hex()
    return "\n".join('    "%s"' % s[i:i + 72] for i in range(0, len(s), 72))
lines = ["/* tls13_suite_vectors.h: written by test-captures/gen/tls13_suites.sh from",
         " * test-captures/tls13-suites/ (openssl s_client -> s_server, TLS 1.3, one suite",
         " * each): the client's secrets from OpenSSL's key log and its first two protected",
         " * records from the capture. Do not edit. */",
         "struct suite_vector {", "    const char *name;", "    uint16_t suite;",
         "    const char *hs_secret, *ap_secret;   /* hex */",
         "    const char *finished_record, *app_record;   /* hex, 5-byte header included */",
         "    const char *plaintext;", "    const char *keylog;   /* path from the repository root */",
         "    const char *client_random;   /* hex, from the capture's ClientHello */", "};", "static const struct suite_vector suite_vectors[] = {"]
for name, code in suites:
    keys = {}
    for l in open("%s/%s.keylog" % (out, name)):
        f = l.split()
        if len(f) == 3:
            keys[f[0]] = f[2]
    # the client's stream: the payload of every segment from the client's port, in order
    r = subprocess.run(["tshark", "-r", "%s/%s.pcap" % (out, name), "-o",
                        "tcp.reassemble_out_of_order:TRUE", "-Y", "tcp.dstport == 4564 && tcp.len > 0",
                        "-T", "fields", "-e", "tcp.seq", "-e", "tcp.payload"],
                       capture_output=True, text=True, check=True)
    segs = sorted((int(a), bytes.fromhex(b)) for a, b in (l.split("\t") for l in r.stdout.split("\n") if l))
    stream = b"".join(s for _, s in segs)
    recs, pos = [], 0
    while pos + 5 <= len(stream):
        n = int.from_bytes(stream[pos + 3:pos + 5], "big")
        recs.append(stream[pos:pos + 5 + n])
        pos += 5 + n
    prot = [x for x in recs if x[0] == 23]
    rnd = subprocess.run(["tshark", "-r", "%s/%s.pcap" % (out, name), "-Y", "tls.handshake.type == 1",
                          "-T", "fields", "-e", "tls.handshake.random"],
                         capture_output=True, text=True, check=True).stdout.split()[0].replace(":", "")
    assert len(prot) >= 2, (name, [x[0] for x in recs])
    lines += ["    {\"%s\", 0x%04x," % (name, code),
              "    /* CLIENT_HANDSHAKE_TRAFFIC_SECRET */", chex(bytes.fromhex(keys["CLIENT_HANDSHAKE_TRAFFIC_SECRET"])) + ",",
              "    /* CLIENT_TRAFFIC_SECRET_0 */", chex(bytes.fromhex(keys["CLIENT_TRAFFIC_SECRET_0"])) + ",",
              "    /* the client's Finished, protected */", chex(prot[0]) + ",",
              "    /* the client's first application data, protected */", chex(prot[1]) + ",",
              '    "tlsexplain known plaintext for %s\\n",' % name,
              '    "test-captures/tls13-suites/%s.keylog",' % name,
              '    "%s"},' % rnd]
lines += ["};", ""]
open(hdr, "w").write("\n".join(lines))
print("wrote", hdr)
PY
