#!/usr/bin/env bash
# quic.sh - record QUIC (HTTP/3) handshakes between ngtcp2's GnuTLS example
# client and server (Debian ngtcp2-client: gtlsclient, ngtcp2-server:
# gtlsserver) into test-captures/quic/. Expected outcomes:
# test-captures/scenarios/quic.tsv.
#
# Run as root (tcpdump, nft):   test-captures/gen/quic.sh      (about 20 s)
# The script re-executes itself in a private network namespace (unshare -n),
# so the nftables rule of the "blocked" scenario lives and dies there.
#
# Ports (capture filter "port P"):
#   4601 h3-ok                 a v1 handshake and one HTTP/3 GET
#   4602 vn-compatible         client offers 0x1a2a3a4a (preferring v1), the server
#                              answers Version Negotiation, the client retries with v1
#   4603 vn-mismatch           client offers 0x1a2a3a4a and accepts only the
#                              v2 draft (0x709a50c4): no version in common
#   4604 blocked-fallback      UDP to 4604 dropped by nftables: the client's
#                              Initials go unanswered until its handshake
#                              timeout (3 s); then openssl s_client reaches
#                              the same host and port over TCP (s_server)
#   4605 blocked               the same without a TCP fallback
#   4606 alpn-mismatch         server made to offer only h2, mandatory
#                              (quic_shim.so): CONNECTION_CLOSE CRYPTO_ERROR
#                              no_application_protocol in its Initial
#   4607 cert-refused          client made to verify the self-signed
#                              certificate (quic_shim.so): CONNECTION_CLOSE
#                              bad_certificate in a Handshake packet; key log
#                              (GnuTLS's SSLKEYLOGFILE) in quic/keys/
#   4608 cert-accepted         the same client with the shim's verification
#                              off: a near miss of cert-refused, same log
#   4609 no-listener           nothing listens on UDP 4609: each Initial gets ICMP
#                              port unreachable until the client's handshake
#                              timeout (capture filter "udp port 4609 or icmp")

if [ -z "${TLSX_IN_NETNS:-}" ] && unshare -n true 2>/dev/null; then
    TLSX_IN_NETNS=$(readlink /proc/self/ns/net)
    export TLSX_IN_NETNS
    exec unshare -n -- bash "$0" "$@"
fi

set -eo pipefail
OWN_WORK=${WORK:+no}
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need openssl tcpdump gtlsclient gtlsserver nft timeout cc
ip link set lo up

OUT=$CAPS_DIR/quic
mkdir -p "$OUT" "$WORK"
FAILS=0
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost 2>/dev/null
echo hello >"$WORK/index.html"
SHIM=$WORK/quic_shim.so
cc -shared -fPIC -o "$SHIM" "$GEN_DIR/quic_shim.c" -ldl
mkdir -p "$OUT/keys"

server() {   # server PORT [OPTIONS...]: gtlsserver in the background, pid in SRV
    local port=$1; shift
    gtlsserver -q -d "$WORK" "$@" 127.0.0.1 "$port" "$WORK/key.pem" "$WORK/cert.pem" \
        >"$WORK/srv-$port.log" 2>&1 &
    SRV=$!
    sleep 0.3
}
client() {   # client NAME PORT [OPTIONS...]: gtlsclient, its exit status returned
    local name=$1 port=$2; shift 2
    timeout 10 gtlsclient -q --exit-on-all-streams-close "$@" 127.0.0.1 "$port" \
        "https://localhost:$port/index.html" >"$WORK/$name.log" 2>&1
}

# 4601: a handshake that works
server 4601
cap_start "$OUT/h3-ok.pcap" "udp port 4601"
client h3-ok 4601 || fail "h3-ok: client failed (see $WORK/h3-ok.log)"
cap_stop
stop_bg "$SRV"

# 4602: Version Negotiation, then v1 (the near miss of vn-mismatch)
server 4602
cap_start "$OUT/vn-compatible.pcap" "udp port 4602"
client vn-compatible 4602 -v 0x1a2a3a4a --preferred-versions v1 || fail "vn-compatible: client failed"
cap_stop
stop_bg "$SRV"

# 4603: Version Negotiation with no version in common
server 4603
cap_start "$OUT/vn-mismatch.pcap" "udp port 4603"
if client vn-mismatch 4603 -v 0x1a2a3a4a --preferred-versions 0x709a50c4; then
    fail "vn-mismatch: client succeeded"
fi
cap_stop
stop_bg "$SRV"
grep -q "Unable to select a version" "$WORK/vn-mismatch.log" || fail "vn-mismatch: no version error"

# 4604/4605: UDP blocked; on 4604 the same client then uses TCP
nft add table inet tlsx
nft add chain inet tlsx in '{ type filter hook input priority 0; }'
nft add rule inet tlsx in udp dport '{ 4604, 4605 }' drop
openssl s_server -accept 4604 -cert "$WORK/cert.pem" -key "$WORK/key.pem" -www -quiet \
    </dev/null >"$WORK/s_server.log" 2>&1 &
TLS=$!
wait_port 4604
cap_start "$OUT/blocked-fallback.pcap" "port 4604"
client blocked-fallback 4604 --handshake-timeout=3s || true
grep -q ERR_HANDSHAKE_TIMEOUT "$WORK/blocked-fallback.log" || fail "blocked-fallback: no handshake timeout"
printf 'GET / HTTP/1.0\r\n\r\n' | timeout 5 openssl s_client -connect 127.0.0.1:4604 \
    -servername localhost -alpn http/1.1 -quiet >"$WORK/fallback.log" 2>&1 || true
cap_stop
stop_bg "$TLS"
cap_start "$OUT/blocked.pcap" "port 4605"
client blocked 4605 --handshake-timeout=3s || true
grep -q ERR_HANDSHAKE_TIMEOUT "$WORK/blocked.log" || fail "blocked: no handshake timeout"
cap_stop
nft delete table inet tlsx

# 4606: the server speaks only h2 (ALPN mandatory), the client asks for h3
QUIC_SHIM_ALPN=h2 LD_PRELOAD=$SHIM server 4606
cap_start "$OUT/alpn-mismatch.pcap" "udp port 4606"
client alpn-mismatch 4606 || true
cap_stop
stop_bg "$SRV"
# the client drains on the server's CONNECTION_CLOSE
grep -q ERR_DRAINING "$WORK/alpn-mismatch.log" || fail "alpn-mismatch: the handshake did not fail"

# 4607: the client verifies the self-signed certificate and refuses it;
# 4608: the same client and log without verification
rm -f "$OUT/keys/cert-refused.keylog"
server 4607
cap_start "$OUT/cert-refused.pcap" "udp port 4607"
SSLKEYLOGFILE=$OUT/keys/cert-refused.keylog QUIC_SHIM_VERIFY=localhost LD_PRELOAD=$SHIM \
    client cert-refused 4607 || true
cap_stop
stop_bg "$SRV"
grep -q ERR_CRYPTO "$WORK/cert-refused.log" || fail "cert-refused: the client accepted"
server 4608
cap_start "$OUT/cert-accepted.pcap" "udp port 4608"
SSLKEYLOGFILE=$OUT/keys/cert-refused.keylog LD_PRELOAD=$SHIM client cert-accepted 4608 ||
    fail "cert-accepted: client failed"
cap_stop
stop_bg "$SRV"

# 4609: no server at all: the host answers with ICMP port unreachable
cap_start "$OUT/no-listener.pcap" "udp port 4609 or icmp"
client no-listener 4609 --handshake-timeout=3s || true
cap_stop
grep -q ERR_HANDSHAKE_TIMEOUT "$WORK/no-listener.log" || fail "no-listener: no handshake timeout"

if [ "$FAILS" -eq 0 ] && [ -z "$OWN_WORK" ]; then rm -rf "$WORK"; else echo "logs kept in $WORK" >&2; fi
echo "quic.sh: $FAILS failures"
[ "$FAILS" -eq 0 ]
