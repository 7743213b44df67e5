#!/usr/bin/env bash
# pq_hybrid.sh - a ClientHello whose only key share is X25519MLKEM768 (issue
# "HTTP/3 and the newest handshakes"), sent to a real OpenSSL s_server that
# lacks the hybrid: the server answers with a HelloRetryRequest for x25519
# (RFC 8446 4.1.4). Into test-captures/pq/; expected outcomes in
# test-captures/scenarios/quic.tsv.
#
# Run as root (tcpdump):   test-captures/gen/pq_hybrid.sh      (about 5 s)
#
#   4631 hybrid-hrr   a ClientHello offering X25519MLKEM768 then x25519 with a
#                     share for the hybrid only -> openssl s_server: HRR x25519;
#                     the client, which cannot go on, closes
#   4632 hybrid-both  the same ClientHello with an x25519 share too (as Chrome
#                     and OpenSSL 3.5 send): the server chooses x25519 in its
#                     ServerHello at once, no retry; the client closes
#
# No Debian stack makes an X25519MLKEM768 share (OpenSSL 3.0, GnuTLS 3.7 and
# NSS 3.87 have no ML-KEM), so the ClientHello is built here from the byte
# layout of draft-ietf-tls-ecdhe-mlkem 3 (the share is the 1184-byte ML-KEM-768
# encapsulation key followed by the 32-byte X25519 public key: 1216 bytes) and
# RFC 8446 4.1.2; the ML-KEM part is random bytes of the right length, which
# the server, lacking the group, never reads. The server and its answers are
# OpenSSL's.

if [ -z "${TLSX_IN_NETNS:-}" ] && unshare -n true 2>/dev/null; then
    TLSX_IN_NETNS=$(readlink /proc/self/ns/net)
    export TLSX_IN_NETNS
    exec unshare -n -- bash "$0" "$@"
fi

set -eo pipefail
OWN_WORK=${WORK:+no}
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need openssl tcpdump python3 timeout
ip link set lo up

OUT=$CAPS_DIR/pq
mkdir -p "$OUT" "$WORK"
FAILS=0
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost 2>/dev/null

run() {   # run NAME PORT SHARES: SHARES "hybrid" or "hybrid,x25519"
    local name=$1 port=$2 shares=$3
    openssl s_server -accept "$port" -cert "$WORK/cert.pem" -key "$WORK/key.pem" -quiet \
        </dev/null >"$WORK/$name.srv.log" 2>&1 &
    local srv=$!
    wait_port "$port"
    cap_start "$OUT/$name.pcap" "tcp port $port"
    timeout 5 python3 - "$port" "$shares" >"$WORK/$name.log" 2>&1 <<'PY' || true
import os, socket, struct, sys
port, shares = int(sys.argv[1]), sys.argv[2].split(",")
v8 = lambda b: bytes([len(b)]) + b
v16 = lambda b: struct.pack(">H", len(b)) + b
def ext(t, body):
    return struct.pack(">H", t) + v16(body)
X25519MLKEM768, X25519 = 0x11EC, 0x001D
ks = b""
for s in shares:
    if s == "hybrid":   # ML-KEM-768 encapsulation key (1184) || X25519 key (32)
        ks += struct.pack(">H", X25519MLKEM768) + v16(os.urandom(1184) + os.urandom(32))
    else:
        ks += struct.pack(">H", X25519) + v16(os.urandom(32))
name = b"localhost"
exts = (ext(0, v16(b"\x00" + v16(name)))
        + ext(10, v16(struct.pack(">HHH", X25519MLKEM768, X25519, 0x0017)))
        + ext(13, v16(struct.pack(">HHHH", 0x0403, 0x0804, 0x0401, 0x0503)))
        + ext(43, v8(struct.pack(">H", 0x0304)))
        + ext(45, v8(b"\x01"))
        + ext(51, v16(ks)))
body = (struct.pack(">H", 0x0303) + os.urandom(32) + v8(os.urandom(32))
        + v16(struct.pack(">HHH", 0x1301, 0x1302, 0x1303)) + v8(b"\x00") + v16(exts))
hs = b"\x01" + struct.pack(">I", len(body))[1:] + body
rec = b"\x16\x03\x01" + v16(hs)
with socket.create_connection(("127.0.0.1", port), timeout=3) as s:
    s.sendall(rec)
    got = s.recv(65536)
    # the HelloRetryRequest random (RFC 8446 4.1.3)
    hrr = bytes.fromhex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")
    print("answer", got[:1].hex(), "hrr" if hrr in got else "serverhello")
PY
    cap_stop
    stop_bg "$srv"
}

run hybrid-hrr 4631 hybrid
grep -q "answer 16 hrr" "$WORK/hybrid-hrr.log" || fail "hybrid-hrr: no HelloRetryRequest"
run hybrid-both 4632 hybrid,x25519
grep -q "answer 16 serverhello" "$WORK/hybrid-both.log" || fail "hybrid-both: no ServerHello"

if [ "$FAILS" -eq 0 ] && [ -z "$OWN_WORK" ]; then rm -rf "$WORK"; else echo "logs kept in $WORK" >&2; fi
echo "pq_hybrid.sh: $FAILS failures"
[ "$FAILS" -eq 0 ]
