#!/usr/bin/env bash
# quic_ech.sh - Encrypted Client Hello refused (issue "HTTP/3 and the newest
# handshakes"): NSS's tstclnt (Debian libnss3-tools) offers ECH to an OpenSSL
# s_server that has no ECH; the server completes the handshake on the outer
# ClientHello and, the certificate being good for the public name, the client
# aborts with ech_required (RFC 9849 6.1.6). Into test-captures/quic/;
# expected outcomes in test-captures/scenarios/quic.tsv.
#
# Run as root (tcpdump):   test-captures/gen/quic_ech.sh      (about 10 s)
#
#   4621 ech-required   tstclnt -N <ECHConfigList> -> s_server (no ECH)
#   4622 ech-grease     tstclnt with GREASE ECH (-i 128) -> the same server:
#                       an encrypted_client_hello extension too, but the
#                       client does not require ECH (the near miss)
# Debian's NSS writes no key log; s_server's -keylogfile gives the secrets
# (quic/keys/ech.keylog), so that the client's encrypted alert can be read.
# The ECHConfigList (draft-ietf-tls-esni-13 4: version 0xfe0d, X25519,
# HKDF-SHA256/AES-128-GCM, public name public.test) is made here from a
# fresh X25519 key; the server never needs its private half.

if [ -z "${TLSX_IN_NETNS:-}" ] && unshare -n true 2>/dev/null; then
    TLSX_IN_NETNS=$(readlink /proc/self/ns/net)
    export TLSX_IN_NETNS
    exec unshare -n -- bash "$0" "$@"
fi

set -eo pipefail
OWN_WORK=${WORK:+no}
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need openssl tcpdump tstclnt python3 timeout
ip link set lo up

OUT=$CAPS_DIR/quic
mkdir -p "$OUT/keys" "$WORK"
FAILS=0
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" -subj /CN=public.test \
    -addext subjectAltName=DNS:public.test 2>/dev/null
openssl genpkey -algorithm X25519 -out "$WORK/ech.pem"
ECH=$(python3 - "$WORK/ech.pem" <<'PY'
import base64, struct, subprocess, sys
der = subprocess.run(["openssl", "pkey", "-in", sys.argv[1], "-pubout", "-outform", "DER"],
                     capture_output=True, check=True).stdout
pub = der[-32:]  # SubjectPublicKeyInfo of X25519 ends with the 32-byte key
v16 = lambda b: struct.pack(">H", len(b)) + b
name = b"public.test"
contents = (bytes([7]) + struct.pack(">H", 0x0020) + v16(pub) + v16(struct.pack(">HH", 1, 1))
            + bytes([0]) + bytes([len(name)]) + name + v16(b""))
print(base64.b64encode(v16(struct.pack(">H", 0xfe0d) + v16(contents))).decode())
PY
)
KEYS=$OUT/keys/ech.keylog
rm -f "$KEYS"

run() {   # run NAME PORT TSTCLNT-OPTIONS...
    local name=$1 port=$2; shift 2
    openssl s_server -accept "$port" -cert "$WORK/cert.pem" -key "$WORK/key.pem" -www -quiet \
        -keylogfile "$KEYS" </dev/null >"$WORK/$name.srv.log" 2>&1 &
    local srv=$!
    wait_port "$port"
    cap_start "$OUT/$name.pcap" "tcp port $port"
    # -o: accept the test certificate; -V: TLS 1.3 only (ECH needs it)
    echo "GET / HTTP/1.0" | timeout 3 tstclnt -D -o -V tls1.3:tls1.3 -h 127.0.0.1 -p "$port" \
        "$@" >"$WORK/$name.log" 2>&1 || true
    cap_stop
    stop_bg "$srv"
}

run ech-required 4621 -a private.test -N "$ECH"
grep -q ECH_RETRY_WITHOUT_ECH "$WORK/ech-required.log" || fail "ech-required: ECH not refused"
run ech-grease 4622 -a public.test -i 128
grep -q "HTTP/1.0 200" "$WORK/ech-grease.log" || fail "ech-grease: no answer"

if [ "$FAILS" -eq 0 ] && [ -z "$OWN_WORK" ]; then rm -rf "$WORK"; else echo "logs kept in $WORK" >&2; fi
echo "quic_ech.sh: $FAILS failures"
[ "$FAILS" -eq 0 ]
