#!/usr/bin/env bash
# tcp.sh - record what TCP shows about TLS handshakes (issue 11): captures
# that end early, SYNs a firewall drops, segments the network loses, a
# filtered tap that misses the ServerHello, an NFLOG capture. Into test-captures/tcp/; expected
# outcomes: test-captures/scenarios/tcp.tsv.
#
# Run as root (tcpdump, nft):   test-captures/gen/tcp.sh      (about 50 s)
# The script re-executes itself in a private network namespace (unshare -n),
# so its nftables rules and the loopback MTU (1500, so that a server's flight
# spans several segments as on Ethernet) live and die there.
#
# Stacks: openssl-3.0 s_server -www (RSA-2048 certificate), curl 7.88
# (OpenSSL 3.0), python3 ssl, gnutls-serv 3.7. Ports:
#   4801 syn-at-end        SYNs dropped (nft input); the capture stops 50 ms
#                          after the first SYN: no evidence of silence
#   4803 syn-give-up       SYNs dropped; curl --connect-timeout 5: SYNs at
#                          0, 1 and 3 s, the client gives up at 5 s; the
#                          capture runs to 8 s (the next try never came), when
#                          the rule is gone and a second connection completes
#   4804 syn-lifted        SYNs dropped for 2.5 s, then the rule is deleted:
#                          the third SYN (3 s) is answered, TLS completes
#   4806 lost-client-hello the client's TLS records dropped after the capture
#                          saw them (nft input): the ClientHello is sent and
#                          retransmitted, the server ACKs none of it; the
#                          client (python ssl, 4 s timeout) gives up and
#                          resets (SO_LINGER {1, 0})
#   4807 lost-server-hello the server's segments that start with a ServerHello
#                          dropped (nft input, payload match): the client gets
#                          the rest of the flight and SACKs it; the server
#                          retransmits the first segment, lost again; curl
#                          --max-time 4 gives up
#   4808 filtered-tap      a capture filter that leaves out the server's
#                          segment holding the ServerHello (a tap that missed
#                          it): TLS 1.2 and TLS 1.3 handshakes that complete,
#                          with a request and its answer; filtered-tap-cut: a
#                          TLS 1.3 one, the capture cut after the client's
#                          Finished (editcap -r 1-7)
#   4809 nflog             a TLS 1.3 handshake captured from the NFLOG
#                          interface (nft "log group 5"), DLT 239
#   4811 vantage-client    the ClientHello lost between two hosts (namespaces
#        vantage-server    of our own: client, router, server; the router drops
#                          the client's TLS records), captured on both sides at
#                          once: the client's side shows every sending, the
#                          server's side none, only the client's reset whose
#                          sequence number counts the bytes it had sent
#   4812 slow-server       a python ssl server that waits 2.5 s before reading
#                          the ClientHello; curl --max-time 2 gives up first
#   4813 late-syn-ack      the server's SYN-ACKs dropped on the client's side
#                          (nft input) for 3.5 s: SYN and SYN-ACK both
#                          retransmitted, curl --connect-timeout 2 gives up;
#                          the server's SYN-ACK at 7 s reaches a client that
#                          has forgotten the connection and resets it
#   4814 syn-ack-lifted    the same drop lifted after 0.5 s: the SYN-ACKs
#                          answering the client's second SYN (1 s) arrive,
#                          TLS completes (near miss)
#   4815 flight-lost-client  the server's whole flight lost between two hosts
#        flight-lost-server  (the router drops the server's TLS records),
#                          captured on both sides at once: the server's side
#                          shows the flight sent and resent, never acknowledged;
#                          the client's side only the server's ACK of the
#                          ClientHello, then silence until the client resets
#   4816 flight-dropped-client, -server  the same with every server segment
#                          that carries data dropped: the client's side shows
#                          nothing of the flight, only the server's ACK
#   4817 flight-recovered-client, -server  the 4815 drop lifted after 0.3 s:
#                          the server's retransmission fills the hole and the
#                          handshake completes (near miss)
#   4810 mass-reset        gnutls-serv; mass_reset.py (python ssl, TLS 1.2):
#                          one completed connection and three stopped after
#                          the server's flight, all reset in the same
#                          millisecond (SO_LINGER {1, 0})
if [ -z "${TLSX_IN_NETNS:-}" ] && unshare -n true 2>/dev/null; then
    TLSX_IN_NETNS=$(readlink /proc/self/ns/net)
    export TLSX_IN_NETNS
    exec unshare -n -- bash "$0" "$@"
fi

set -eo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need openssl gnutls-serv editcap tcpdump curl nft python3 timeout
ip link set lo up
ip link set lo mtu 1500

OUT=$CAPS_DIR/tcp
mkdir -p "$OUT" "$WORK"
FAILS=0
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
BGPIDS=()
cleanup() {
    if [ -n "${CAP_PID:-}" ]; then kill -INT "$CAP_PID" 2>/dev/null || true; fi
    for p in "${BGPIDS[@]}"; do kill "$p" 2>/dev/null; done
    nft delete table inet tlsx 2>/dev/null || true
    for n in tlsxc tlsxr tlsxs; do ip netns del "$n" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT

# a leaf and its CA sent as the chain: the server's TLS 1.2 flight (about 2 KB)
# spans two segments at MTU 1500
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -keyout "$WORK/ca.key" -out "$WORK/ca.pem" \
    -subj "/CN=tlsexplain tcp test CA" -addext basicConstraints=critical,CA:TRUE 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$WORK/key.pem" -out "$WORK/leaf.csr" \
    -subj /CN=localhost 2>/dev/null
printf 'subjectAltName=DNS:localhost\n' >"$WORK/leaf.ext"
openssl x509 -req -in "$WORK/leaf.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" \
    -CAcreateserial -days 3650 -extfile "$WORK/leaf.ext" -out "$WORK/cert.pem" 2>/dev/null
srv() {  # srv PORT ARGS...: s_server -www in the background
    local port=$1; shift
    openssl s_server -accept "127.0.0.1:$port" -cert "$WORK/cert.pem" -key "$WORK/key.pem" \
        -cert_chain "$WORK/ca.pem" -www -quiet "$@" </dev/null >"$WORK/srv-$port.log" 2>&1 &
    BGPIDS+=("$!")
    wait_port "$port"
}
nft_rule() {  # nft_rule HOOK RULE...: a rule in chain HOOK (input or output)
    nft list table inet tlsx >/dev/null 2>&1 || {
        nft add table inet tlsx
        nft add chain inet tlsx input '{ type filter hook input priority 0; }'
        nft add chain inet tlsx output '{ type filter hook output priority 0; }'
    }
    local hook=$1; shift
    nft add rule inet tlsx "$hook" "$@"
}
nft_flush() { nft delete table inet tlsx 2>/dev/null || true; }
URL() { echo "https://127.0.0.1:$1/"; }

# 4801: the capture ends 50 ms after the SYN
nft_rule input tcp dport 4801 'tcp flags & (syn | ack) == syn' drop
cap_start "$OUT/syn-at-end.pcap" "tcp port 4801"
curl -sk --connect-timeout 3 "$(URL 4801)" >/dev/null 2>&1 &
CURL=$!
sleep 0.05
kill -INT "$CAP_PID"; wait "$CAP_PID" 2>/dev/null || true; CAP_PID=
mv "$OUT/syn-at-end.pcap.tmp" "$OUT/syn-at-end.pcap"
wait "$CURL" || true
nft_flush

# 4803: SYNs dropped until the client gives up; then the rule goes and a
# second connection completes: the capture went on, TLS is expected there
srv 4803
nft_rule input tcp dport 4803 'tcp flags & (syn | ack) == syn' drop
cap_start "$OUT/syn-give-up.pcap" "tcp port 4803"
if curl -sk --connect-timeout 5 "$(URL 4803)" >/dev/null 2>&1; then fail "syn-give-up: connected"; fi
sleep 2.8
nft_flush
curl -sk "$(URL 4803)" >/dev/null || fail "syn-give-up: second connection failed"
cap_stop
nft_flush

# 4804: the firewall lifted after 2.5 s
srv 4804
nft_rule input tcp dport 4804 'tcp flags & (syn | ack) == syn' drop
cap_start "$OUT/syn-lifted.pcap" "tcp port 4804"
(sleep 2.5; nft_flush) &
curl -sk --connect-timeout 10 "$(URL 4804)" >/dev/null || fail "syn-lifted: curl failed"
wait $!
cap_stop

# 4806: the ClientHello lost, again and again
srv 4806
nft_rule input tcp dport 4806 @ih,0,8 0x16 drop
cap_start "$OUT/lost-client-hello.pcap" "tcp port 4806"
# python ssl with a 4 s timeout, closed with SO_LINGER {1, 0} as apps that
# abort do: a FIN would wait behind the unacknowledged ClientHello forever
python3 - <<'PY' && fail "lost-client-hello: connected"
import socket, ssl, struct, sys
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
s = socket.create_connection(("127.0.0.1", 4806))
s.settimeout(4)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
try:
    ctx.wrap_socket(s, server_hostname="localhost")
except (socket.timeout, ssl.SSLError, OSError):
    s.close()
    sys.exit(1)
PY
sleep 0.5
cap_stop
nft_flush

# 4807: the segment with the ServerHello lost, the rest of the flight SACKed
srv 4807 -tls1_2
nft_rule input tcp sport 4807 @ih,0,8 0x16 @ih,40,8 0x02 drop
cap_start "$OUT/lost-server-hello.pcap" "tcp port 4807"
if curl -sk --max-time 4 "$(URL 4807)" >/dev/null 2>&1; then fail "lost-server-hello: connected"; fi
sleep 1
cap_stop
nft_flush

# 4808: a tap that misses the segment holding the ServerHello
srv 4808
cap_start "$OUT/filtered-tap.pcap" \
    "tcp port 4808 and not (tcp src port 4808 and ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2) > 5 and tcp[((tcp[12] & 0xf0) >> 2)] = 0x16 and tcp[((tcp[12] & 0xf0) >> 2) + 5] = 2)"
curl -sk --tls-max 1.2 "$(URL 4808)" >/dev/null || fail "filtered-tap: TLS 1.2 failed"
curl -sk --tlsv1.3 "$(URL 4808)" >/dev/null || fail "filtered-tap: TLS 1.3 failed"
cap_stop
# its near miss: the TLS 1.3 connection alone, cut after the client's
# Finished (SYN, SYN-ACK, ACK, ClientHello, ACK, ACK, CCS + Finished): the
# capture ends before anything proves the server accepted it
cap_start "$WORK/tap13.pcap" \
    "tcp port 4808 and not (tcp src port 4808 and ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2) > 5 and tcp[((tcp[12] & 0xf0) >> 2)] = 0x16 and tcp[((tcp[12] & 0xf0) >> 2) + 5] = 2)"
curl -sk --tlsv1.3 "$(URL 4808)" >/dev/null || fail "filtered-tap-cut: TLS 1.3 failed"
cap_stop
editcap -r "$WORK/tap13.pcap" "$OUT/filtered-tap-cut.pcap" 1-7

# 4809: NFLOG
srv 4809
nft_rule input tcp dport 4809 log group 5
nft_rule input tcp sport 4809 log group 5
CAP_FILE=$OUT/nflog.pcap
tcpdump -i nflog:5 -s 0 -U -w "$CAP_FILE.tmp" >/dev/null 2>"$WORK/tcpdump.err" &
CAP_PID=$!
sleep 1
curl -sk "$(URL 4809)" >/dev/null || fail "nflog: curl failed"
cap_stop
nft_flush

# 4810: every connection reset at once (gnutls-serv serves them side by side;
# s_server would serve one at a time)
gnutls-serv --http -p 4810 --x509certfile "$WORK/cert.pem" --x509keyfile "$WORK/key.pem" \
    >"$WORK/gnutls-4810.log" 2>&1 &
BGPIDS+=("$!")
wait_port 4810
cap_start "$OUT/mass-reset.pcap" "tcp port 4810"
python3 "$GEN_DIR/mass_reset.py" 4810 4 || fail "mass-reset: client failed"
cap_stop

# 4812: a server slower than the client's patience (python ssl server that
# waits 2.5 s before reading the ClientHello; curl --max-time 2)
python3 - "$WORK/cert.pem" "$WORK/key.pem" <<'PY' >"$WORK/slow.log" 2>&1 &
import socket, ssl, sys, time
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
ls = socket.create_server(("127.0.0.1", 4812))
conn, _ = ls.accept()
time.sleep(2.5)
try:
    ctx.wrap_socket(conn, server_side=True)
except (ssl.SSLError, OSError) as e:
    print("server:", e)
PY
BGPIDS+=("$!")
wait_port 4812
cap_start "$OUT/slow-server.pcap" "tcp port 4812"
if curl -sk --max-time 2 "$(URL 4812)" >/dev/null 2>&1; then fail "slow-server: connected"; fi
sleep 1.5
cap_stop

# 4813: the SYN-ACK lost on the way back until the client gave up; the
# capture runs on to the server's fourth SYN-ACK (7 s), which gets a reset
srv 4813
nft_rule input tcp sport 4813 'tcp flags & (syn | ack) == syn | ack' drop
cap_start "$OUT/late-syn-ack.pcap" "tcp port 4813"
(sleep 3.5; nft_flush) &
if curl -sk --connect-timeout 2 "$(URL 4813)" >/dev/null 2>&1; then fail "late-syn-ack: connected"; fi
wait $!
sleep 4.5
cap_stop

# 4814: the same drop lifted after 0.5 s: the SYN-ACK to the second SYN arrives
srv 4814
nft_rule input tcp sport 4814 'tcp flags & (syn | ack) == syn | ack' drop
cap_start "$OUT/syn-ack-lifted.pcap" "tcp port 4814"
(sleep 0.5; nft_flush) &
curl -sk --connect-timeout 5 "$(URL 4814)" >/dev/null || fail "syn-ack-lifted: curl failed"
wait $!
cap_stop

# 4811, 4815: losses between two hosts, each captured on both sides at once.
# Three namespaces of our own: client 10.11.1.2 - router - server 10.11.2.2;
# the router drops chosen segments (nft forward), so the sender's side of the
# loss sees every sending and the receiver's side none.
NS=(tlsxc tlsxr tlsxs)
for n in "${NS[@]}"; do ip netns add "$n"; done
ip link add tlsxvc type veth peer name tlsxvrc
ip link add tlsxvs type veth peer name tlsxvrs
ip link set tlsxvc netns tlsxc; ip link set tlsxvrc netns tlsxr
ip link set tlsxvrs netns tlsxr; ip link set tlsxvs netns tlsxs
ip -n tlsxc addr add 10.11.1.2/24 dev tlsxvc; ip -n tlsxc link set tlsxvc up
ip -n tlsxs addr add 10.11.2.2/24 dev tlsxvs; ip -n tlsxs link set tlsxvs up
ip -n tlsxr addr add 10.11.1.1/24 dev tlsxvrc; ip -n tlsxr addr add 10.11.2.1/24 dev tlsxvrs
for n in "${NS[@]}"; do ip -n "$n" link set lo up; done
ip -n tlsxr link set tlsxvrc up; ip -n tlsxr link set tlsxvrs up
ip netns exec tlsxr sysctl -qw net.ipv4.ip_forward=1
ip -n tlsxc route add default via 10.11.1.1
ip -n tlsxs route add default via 10.11.2.1
ip netns exec tlsxr nft add table inet tlsx
ip netns exec tlsxr nft add chain inet tlsx relay '{ type filter hook forward priority 0; }'

# vantage_pair PORT NAME RULE...: s_server on PORT in tlsxs, the router rule,
# a python ssl client (4 s timeout, SO_LINGER {1, 0}) in tlsxc; writes
# NAME-client.pcap and NAME-server.pcap. With LIFT=SECONDS the rule goes
# after that long and the handshake is expected to complete.
vantage_pair() {
    local port=$1 name=$2; shift 2
    ip netns exec tlsxr nft flush chain inet tlsx relay
    ip netns exec tlsxr nft add rule inet tlsx relay "$@" drop
    ip netns exec tlsxs openssl s_server -accept "10.11.2.2:$port" -cert "$WORK/cert.pem" \
        -key "$WORK/key.pem" -cert_chain "$WORK/ca.pem" -www -quiet </dev/null \
        >"$WORK/srv-$port.log" 2>&1 &
    local srv_pid=$!
    BGPIDS+=("$srv_pid")
    sleep 1
    : >"$WORK/tcpdump-c.err"; : >"$WORK/tcpdump-s.err"
    ip netns exec tlsxc tcpdump -i tlsxvc -s 0 -U -w "$OUT/$name-client.pcap.tmp" \
        "tcp port $port" 2>"$WORK/tcpdump-c.err" &
    local vc=$!
    ip netns exec tlsxs tcpdump -i tlsxvs -s 0 -U -w "$OUT/$name-server.pcap.tmp" \
        "tcp port $port" 2>"$WORK/tcpdump-s.err" &
    local vs=$!
    for _ in $(seq 1 50); do
        grep -q "listening on" "$WORK/tcpdump-c.err" && grep -q "listening on" "$WORK/tcpdump-s.err" && break
        sleep 0.1
    done
    local expect=1 lift_pid= got=0
    if [ -n "${LIFT:-}" ]; then
        expect=0
        (sleep "$LIFT"; ip netns exec tlsxr nft flush chain inet tlsx relay) &
        lift_pid=$!
    fi
    ip netns exec tlsxc python3 - "$port" <<'PY' || got=1
import socket, ssl, struct, sys
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
s = socket.create_connection(("10.11.2.2", int(sys.argv[1])))
s.settimeout(4)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
try:
    t = ctx.wrap_socket(s, server_hostname="localhost")
    t.sendall(b"GET / HTTP/1.0\r\n\r\n")
    t.recv(100)
    t.close()
except (socket.timeout, ssl.SSLError, OSError):
    s.close()
    sys.exit(1)
PY
    [ "$got" = "$expect" ] || fail "$name: handshake $([ "$got" = 0 ] && echo completed || echo failed)"
    if [ -n "$lift_pid" ]; then wait "$lift_pid"; fi
    sleep 1.2
    kill -INT "$vc" "$vs"; wait "$vc" "$vs" 2>/dev/null || true
    stop_bg "$srv_pid"
    mv "$OUT/$name-client.pcap.tmp" "$OUT/$name-client.pcap"
    mv "$OUT/$name-server.pcap.tmp" "$OUT/$name-server.pcap"
}

# 4811: the client's TLS records dropped: the ClientHello never arrives
vantage_pair 4811 vantage tcp dport 4811 @ih,0,8 0x16
# 4815: the server's TLS records dropped: its whole flight never arrives
# (its ACK of the ClientHello does: no payload)
vantage_pair 4815 flight-lost tcp sport 4815 @ih,0,8 0x16
# 4816: every server segment that carries data dropped (pure ACKs are 52
# bytes with timestamps): nothing of the flight arrives
vantage_pair 4816 flight-dropped tcp sport 4816 ip length gt 100
# 4817: the 4815 drop lifted after 0.3 s: a retransmission of the head
# arrives and the handshake completes (near miss)
LIFT=0.3 vantage_pair 4817 flight-recovered tcp sport 4817 @ih,0,8 0x16
for n in "${NS[@]}"; do ip netns del "$n"; done

echo "tcp.sh: $FAILS failures"
cleanup
trap - EXIT
[ "$FAILS" = 0 ]
