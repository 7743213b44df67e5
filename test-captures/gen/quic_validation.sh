#!/usr/bin/env bash
# quic_validation.sh - QUIC address validation gone wrong, recorded between
# ngtcp2's GnuTLS examples (Debian ngtcp2-client: gtlsclient, ngtcp2-server:
# gtlsserver, 0.12.1) into test-captures/quic/. Expected outcomes:
# test-captures/scenarios/quic.tsv.
#
# Run as root (tcpdump, nft):   test-captures/gen/quic_validation.sh   (about 40 s)
# The script re-executes itself in a private network namespace (unshare -n),
# so the nftables rules live and die there.
#
# Ports (capture filter "udp port P"):
#   4610 retry-ok              gtlsserver -V (address validation): one Retry,
#                              the client's Initial with its token is accepted
#   4611 retry-loop            quic_lb.py --retry (a balancer that sends its
#                              own Retry) in front of gtlsserver -V: the
#                              server does not know the balancer's token and
#                              sends Retry again on each Initial; the client
#                              takes one Retry only and times out (3 s)
#   4612 retry-invalid-token   quic_lb.py sends a client's datagrams to two
#                              gtlsserver -V in turn, each with its own token
#                              key: the second cannot verify the first's
#                              token and closes with INVALID_TOKEN
#   4613 amplification-stall   gtlsserver with a 3-certificate RSA-4096 chain
#                              (its first flight is larger than three client
#                              Initials); nftables drops every client datagram
#                              after the first (ct state established): the
#                              server stops at the anti-amplification limit
#                              and the client times out (3 s)
#   4614 amplification-ok      the same server, nothing dropped: the client's
#                              Handshake packet validates its address and the
#                              server sends the rest of its flight

if [ -z "${TLSX_IN_NETNS:-}" ] && unshare -n true 2>/dev/null; then
    TLSX_IN_NETNS=$(readlink /proc/self/ns/net)
    export TLSX_IN_NETNS
    exec unshare -n -- bash "$0" "$@"
fi

set -eo pipefail
OWN_WORK=${WORK:+no}
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need openssl tcpdump gtlsclient gtlsserver nft timeout python3
ip link set lo up

OUT=$CAPS_DIR/quic
mkdir -p "$OUT" "$WORK"
FAILS=0
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost 2>/dev/null
echo hello >"$WORK/index.html"

# a chain of three RSA-4096 certificates (about 4 KB): more than 3 x 1242 bytes
printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' >"$WORK/ca.ext"
printf 'subjectAltName=DNS:localhost\n' >"$WORK/leaf.ext"
openssl req -x509 -newkey rsa:4096 -nodes -days 3650 -keyout "$WORK/ca.key" \
    -out "$WORK/ca.pem" -subj "/CN=tlsexplain test root" 2>/dev/null
issue() {   # issue NAME SUBJECT ISSUER EXTFILE
    openssl req -newkey rsa:4096 -nodes -keyout "$WORK/$1.key" -out "$WORK/$1.csr" \
        -subj "$2" 2>/dev/null
    openssl x509 -req -in "$WORK/$1.csr" -CA "$WORK/$3.pem" -CAkey "$WORK/$3.key" \
        -CAcreateserial -days 3650 -extfile "$4" -out "$WORK/$1.pem" 2>/dev/null
}
issue int1 "/CN=tlsexplain test intermediate 1" ca "$WORK/ca.ext"
issue int2 "/CN=tlsexplain test intermediate 2" int1 "$WORK/ca.ext"
issue leaf /CN=localhost int2 "$WORK/leaf.ext"
cat "$WORK/leaf.pem" "$WORK/int2.pem" "$WORK/int1.pem" >"$WORK/chain.pem"

server() {   # server PORT KEY CERT [OPTIONS...]: gtlsserver in the background, pid in SRV
    local port=$1 key=$2 cert=$3; shift 3
    gtlsserver -q -d "$WORK" "$@" 127.0.0.1 "$port" "$key" "$cert" >"$WORK/srv-$port.log" 2>&1 &
    SRV=$!
    sleep 0.3
}
client() {   # client NAME PORT: gtlsclient with a 3 s handshake timeout
    local name=$1 port=$2
    timeout 10 gtlsclient --exit-on-all-streams-close --handshake-timeout=3s 127.0.0.1 "$port" \
        "https://localhost:$port/index.html" >"$WORK/$name.log" 2>&1 || true
}
balancer() { # balancer SECONDS [--retry] LISTEN BACKEND...: quic_lb.py, pid in LB
    python3 "$GEN_DIR/quic_lb.py" --seconds "$@" >"$WORK/lb.log" 2>&1 &
    LB=$!
    sleep 0.5
}

# 4610: one Retry, accepted (the near miss of retry-loop)
server 4610 "$WORK/key.pem" "$WORK/cert.pem" -V
cap_start "$OUT/retry-ok.pcap" "udp port 4610"
client retry-ok 4610
cap_stop
stop_bg "$SRV"
grep -q "type=Retry" "$WORK/retry-ok.log" || fail "retry-ok: no Retry"
grep -q ":status: 200" "$WORK/retry-ok.log" || fail "retry-ok: no response"

# 4611: Retry from the balancer, then from the server, again and again
server 4711 "$WORK/key.pem" "$WORK/cert.pem" -V
balancer 8 --retry 127.0.0.1:4611 127.0.0.1:4711
cap_start "$OUT/retry-loop.pcap" "udp port 4611"
client retry-loop 4611
cap_stop
stop_bg "$SRV" "$LB"
grep -q ERR_HANDSHAKE_TIMEOUT "$WORK/retry-loop.log" || fail "retry-loop: no handshake timeout"

# 4612: two servers, two token keys, datagrams sent to them in turn
server 4712 "$WORK/key.pem" "$WORK/cert.pem" -V
SRV1=$SRV
server 4713 "$WORK/key.pem" "$WORK/cert.pem" -V
balancer 8 127.0.0.1:4612 127.0.0.1:4712 127.0.0.1:4713
cap_start "$OUT/retry-invalid-token.pcap" "udp port 4612"
client retry-invalid-token 4612
cap_stop
stop_bg "$SRV1" "$SRV" "$LB"
grep -q "INVALID_TOKEN" "$WORK/retry-invalid-token.log" || fail "retry-invalid-token: no INVALID_TOKEN"

# 4613: the client's datagrams after its first never reach the server
nft add table inet tlsx
nft add chain inet tlsx in '{ type filter hook input priority 0; }'
nft add rule inet tlsx in udp dport 4613 ct state established drop
server 4613 "$WORK/leaf.key" "$WORK/chain.pem"
cap_start "$OUT/amplification-stall.pcap" "udp port 4613"
client amplification-stall 4613
cap_stop
stop_bg "$SRV"
nft delete table inet tlsx
grep -q ERR_HANDSHAKE_TIMEOUT "$WORK/amplification-stall.log" || fail "amplification-stall: no handshake timeout"

# 4614: the same server and chain, nothing dropped (the near miss)
server 4614 "$WORK/leaf.key" "$WORK/chain.pem"
cap_start "$OUT/amplification-ok.pcap" "udp port 4614"
client amplification-ok 4614
cap_stop
stop_bg "$SRV"
grep -q ":status: 200" "$WORK/amplification-ok.log" || fail "amplification-ok: no response"

if [ "$FAILS" -eq 0 ] && [ -z "$OWN_WORK" ]; then rm -rf "$WORK"; else echo "logs kept in $WORK" >&2; fi
echo "quic_validation.sh: $FAILS failures"
[ "$FAILS" -eq 0 ]
