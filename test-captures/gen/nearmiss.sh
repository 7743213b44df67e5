#!/usr/bin/env bash
# nearmiss.sh: captures of connections where a rule's signature is almost there but
# its cause is not, for the negative tests (tests/negatives.tsv), into
# test-captures/nearmiss/. Expected outcomes: test-captures/scenarios/nearmiss.tsv.
#   usage: test-captures/gen/nearmiss.sh     (as root: tcpdump on lo; about 30 s)
# Stacks: OpenSSL 3.0 s_server/s_client, python ssl (OpenSSL 3.0), and the relay and
# silent server of raw_server.py. TCP ports 4561-4563 on 127.0.0.1 only.
#   dhe-bad-record-mac-relay  DHE (TLS_DHE_RSA_WITH_AES_128_GCM_SHA256) through a relay
#       that flips one bit of the client's encrypted Finished: bad_record_mac after
#       Finished on a DHE suite, as with the leading-zero bug (RFC 5246 8.1.2), but on
#       every one of 5 handshakes, not about 1 in 256: a broken middlebox, not Z.
#   h2-blocklisted-suite-ok  s_client and s_server agree on h2 with
#       TLS_RSA_WITH_AES_128_CBC_SHA (blocklisted by RFC 7540 9.2.2, Appendix A); neither
#       enforces the list, the request is answered: the handshake works.
#   silent-server-hello-300  a server that reads every ClientHello and never answers;
#       s_client's default hello (a 256..511-byte record, what the old F5 bug hung on)
#       and then one with a long SNI (over 511 bytes) both go unanswered: silence that
#       does not depend on the hello's size.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need openssl python3 tcpdump timeout tshark
OUT=$CAPS_DIR/nearmiss
mkdir -p "$OUT"
PY=(python3 -u)
export PYTHONDONTWRITEBYTECODE=1
if ss -Hltn 'sport >= :4561 and sport <= :4563' | grep -q .; then
    echo "a port in 4561-4563 is already in use; stop what listens there first" >&2
    exit 2
fi
BGPIDS=()
cleanup() {
    [ -n "${CAP_PID:-}" ] && kill -INT "$CAP_PID" 2>/dev/null
    for p in "${BGPIDS[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
}
trap cleanup EXIT

cd "$WORK" || exit 2
openssl req -x509 -newkey rsa:2048 -nodes -keyout server.key -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost -days 3650 -sha256 -out server.pem 2>/dev/null
CERT=(-cert "$WORK/server.pem" -key "$WORK/server.key")

srv() {  # srv NAME PORT ARGS...: openssl s_server -www in the background
    local name=$1 port=$2; shift 2
    openssl s_server -accept "127.0.0.1:$port" -www "${CERT[@]}" "$@" >"$WORK/$name.srv.log" 2>&1 &
    SRV=$!; BGPIDS+=("$SRV")
    wait_port "$port"
}
bgsrv() {  # bgsrv NAME PORT CMD...
    local name=$1 port=$2; shift 2
    "$@" >"$WORK/$name.srv.log" 2>&1 &
    SRV=$!; BGPIDS+=("$SRV")
    wait_port "$port"
}
cli() {  # cli NAME PORT ARGS...: one s_client connection that sends "GET /"
    local name=$1 port=$2; shift 2
    printf 'GET / HTTP/1.0\r\n\r\n' | timeout "${CLI_TIMEOUT:-5}" openssl s_client \
        -connect "127.0.0.1:$port" -ign_eof "$@" >>"$WORK/$name.cli.log" 2>&1 || true
}
begin() { cap_start "$OUT/$1.pcap" "tcp port $2"; }
finish() { cap_stop; stop_bg "$@"; }

# --- DHE, bad_record_mac on every handshake: a relay flips a bit of the Finished ----------
srv dhe-relay-backend 4562 -tls1_2 -cipher DHE-RSA-AES128-GCM-SHA256 -dhparam ffdhe2048
BACK=$SRV
bgsrv dhe-bad-record-mac-relay 4561 "${PY[@]}" "$GEN_DIR/raw_server.py" corrupt-proxy 4561 4562
begin dhe-bad-record-mac-relay 4561
for _ in 1 2 3 4 5; do cli dhe-bad-record-mac-relay 4561 -tls1_2 -cipher DHE-RSA-AES128-GCM-SHA256; done
finish "$SRV" "$BACK"
n=$(tshark -r "$OUT/dhe-bad-record-mac-relay.pcap" -Y 'tls.alert_message.desc == 20' 2>/dev/null | wc -l)
[ "$n" = 5 ] || { echo "dhe-bad-record-mac-relay: $n bad_record_mac alerts, want 5" >&2; exit 1; }

# --- h2 with a blocklisted suite, and both sides carry on --------------------------------
srv h2-blocklisted-suite-ok 4563 -tls1_2 -cipher AES128-SHA -alpn h2
begin h2-blocklisted-suite-ok 4563
cli h2-blocklisted-suite-ok 4563 -tls1_2 -cipher AES128-SHA -alpn h2,http/1.1 -servername localhost
finish "$SRV"
grep -q 'ALPN protocol: h2' "$WORK/h2-blocklisted-suite-ok.cli.log" ||
    { echo "h2-blocklisted-suite-ok: h2 not negotiated" >&2; exit 1; }

# --- a silent server, hellos of 256..511 bytes and of more -------------------------------
bgsrv silent-server-hello-300 4561 "${PY[@]}" "$GEN_DIR/raw_server.py" silent 4561
begin silent-server-hello-300 4561
L=$(printf '%060d' 0 | tr 0 a)
CLI_TIMEOUT=2 cli silent-server-hello-300 4561
CLI_TIMEOUT=2 cli silent-server-hello-300 4561 -servername "$L.$L.$L.$L.example"
finish "$SRV"
tshark -r "$OUT/silent-server-hello-300.pcap" -T fields -e tls.record.length \
    -Y 'tls.handshake.type == 1' 2>/dev/null | tr '\n' ' ' | {
    read -r a b
    [ "$a" -ge 256 ] && [ "$a" -le 511 ] && [ "$b" -gt 511 ] ||
        { echo "silent-server-hello-300: ClientHello records of $a and $b bytes" >&2; exit 1; }
}
