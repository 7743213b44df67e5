#!/usr/bin/env bash
# decrypt.sh: TLS 1.0-1.2 captures with the key logs the clients wrote, for decryption.
#
#   test-captures/gen/decrypt.sh        (root: tcpdump on lo; TCP ports 4700-4719; ~40 s)
#
# openssl s_server (-www) answers openssl s_client (-keylogfile), gnutls-cli (SSLKEYLOGFILE) and
# python3 ssl (keylog_filename) over loopback; writes
#   test-captures/decrypt/*.pcap          one handshake (and an HTTP request) per capture
#   test-captures/decrypt/keys/*.keylog   the NSS key log the client wrote (CLIENT_RANDOM lines)
# and, with decrypt_ssl3.sh, SSL 3.0 between two OpenJDK peers with the server's key.
# The oracle is tshark with the same key log (tests/decrypt_oracle.sh): the handshake types and
# alert descriptions it decrypts must be the ones tlsexplain decrypts.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need openssl gnutls-cli tcpdump tshark python3 ss

OUT=$CAPS_DIR/decrypt
KEYS=$OUT/keys
mkdir -p "$OUT" "$KEYS"

SRV_PID=
RELAY_PID=
cleanup() { stop_bg $SRV_PID $RELAY_PID; [ -n "${CAP_PID:-}" ] && kill -INT "$CAP_PID" 2>/dev/null; true; }
trap cleanup EXIT
die() { echo "decrypt.sh: $*" >&2; exit 1; }

# a throw-away RSA server key and certificate (the key is kept for --key tests)
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$KEYS/server.key" -out "$WORK/server.pem" \
    -days 3650 -subj /CN=decrypt.test -addext subjectAltName=DNS:decrypt.test 2>/dev/null ||
    die "cannot make the server key"

server() {      # server PORT ARGS...: openssl s_server -www in the background
    local port=$1; shift
    openssl s_server -accept "$port" -4 -www -key "$KEYS/server.key" -cert "$WORK/server.pem" \
        "$@" >"$WORK/server.$port.log" 2>&1 &
    SRV_PID=$!
    wait_port "$port"
}

request() { printf 'GET / HTTP/1.0\r\nHost: decrypt.test\r\n\r\n'; sleep 1; }

# ossl NAME PORT SERVER_ARGS -- CLIENT_ARGS: openssl s_client with -keylogfile
ossl() {
    local name=$1 port=$2; shift 2
    local sargs=() cargs=()
    while [ "$1" != "--" ]; do sargs+=("$1"); shift; done
    shift
    cargs=("$@")
    rm -f "$KEYS/$name.keylog"
    server "$port" "${sargs[@]}"
    cap_start "$OUT/$name.pcap" "tcp port $port"
    request | timeout 10 openssl s_client -connect 127.0.0.1:"$port" -servername decrypt.test \
        -keylogfile "$KEYS/$name.keylog" -ign_eof "${cargs[@]}" >"$WORK/$name.client.log" 2>&1
    cap_stop
    stop_bg "$SRV_PID"; SRV_PID=
}

ossl tls12-gcm 4700 -- -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
ossl tls12-gcm384 4701 -- -tls1_2 -cipher ECDHE-RSA-AES256-GCM-SHA384
ossl tls12-chacha 4702 -- -tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305
ossl tls12-cbc-sha384-etm 4703 -- -tls1_2 -cipher ECDHE-RSA-AES256-SHA384
ossl tls12-cbc-sha256-noetm 4704 -- -tls1_2 -no_etm -cipher DHE-RSA-AES128-SHA256
ossl tls12-rsa-cbc-sha1 4705 -- -tls1_2 -no_etm -cipher AES128-SHA
ossl tls11-cbc 4706 -cipher 'DEFAULT:@SECLEVEL=0' -- -tls1_1 -cipher 'ECDHE-RSA-AES256-SHA:@SECLEVEL=0'
ossl tls10-cbc 4707 -cipher 'DEFAULT:@SECLEVEL=0' -- -tls1 -cipher 'ECDHE-RSA-AES128-SHA:@SECLEVEL=0'
ossl tls10-cbc-etm 4708 -cipher 'DEFAULT:@SECLEVEL=0' -- -tls1 -cipher 'DHE-RSA-AES256-SHA:@SECLEVEL=0'
# TLS 1.3, a server that requires a client certificate (-Verify 1) and a client without one:
# the CertificateRequest and the server's certificate_required alert are encrypted; the
# client's key log (its handshake and traffic secrets) opens them
ossl tls13-client-cert-required 4717 -Verify 1 -- -tls1_3
# ... and a client whose self-signed certificate the server refuses (-verify_return_error)
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/client.key" -out "$WORK/client.pem" \
    -days 3650 -subj /CN=rogue-client 2>/dev/null || die "cannot make the client key"
ossl tls13-client-cert-rejected 4718 -Verify 1 -verify_return_error -- -tls1_3 \
    -cert "$WORK/client.pem" -key "$WORK/client.key"

# GnuTLS: AES-128-CCM and CCM_8 with DHE-RSA (RFC 6655), SSLKEYLOGFILE
gnutls() {      # gnutls NAME PORT PRIORITY
    local name=$1 port=$2 prio=$3
    rm -f "$KEYS/$name.keylog"
    server "$port" -cipher 'ALL:@SECLEVEL=0'
    cap_start "$OUT/$name.pcap" "tcp port $port"
    request | SSLKEYLOGFILE=$KEYS/$name.keylog timeout 10 gnutls-cli --insecure \
        --priority "$prio" -p "$port" 127.0.0.1 >"$WORK/$name.client.log" 2>&1
    cap_stop
    stop_bg "$SRV_PID"; SRV_PID=
}
gnutls tls12-ccm-gnutls 4710 'NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-CCM:-KX-ALL:+DHE-RSA'
gnutls tls12-ccm8-gnutls 4711 'NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-CCM-8:-KX-ALL:+DHE-RSA'

# Python ssl with ALPN h2: its first application data is the HTTP/2 connection preface
name=tls12-h2-python port=4712
rm -f "$KEYS/$name.keylog"
server "$port" -alpn h2
cap_start "$OUT/$name.pcap" "tcp port $port"
timeout 10 python3 - "$port" "$KEYS/$name.keylog" >"$WORK/$name.client.log" 2>&1 <<'PY'
import socket, ssl, sys, time
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ctx.maximum_version = ssl.TLSVersion.TLSv1_2
ctx.set_alpn_protocols(["h2"])
ctx.keylog_filename = sys.argv[2]
with socket.create_connection(("127.0.0.1", int(sys.argv[1]))) as raw:
    with ctx.wrap_socket(raw, server_hostname="decrypt.test") as s:
        s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes.fromhex("000000040000000000"))
        time.sleep(0.5)
PY
cap_stop
stop_bg "$SRV_PID"; SRV_PID=

# A relay flips a bit of the server's encrypted Finished: the client answers with an
# encrypted fatal bad_record_mac, which its key log opens. Two TCP connections: client-relay
# (the flipped Finished) and relay-server (the intact one, then the client's alert).
name=tls12-finished-flipped port=4713 rport=4714
rm -f "$KEYS/$name.keylog"
server "$port"
python3 "$GEN_DIR/decrypt_relay.py" "$rport" "$port" &
RELAY_PID=$!
wait_port "$rport"
cap_start "$OUT/$name.pcap" "tcp port $port or tcp port $rport"
request | timeout 10 openssl s_client -connect 127.0.0.1:"$rport" -servername decrypt.test \
    -keylogfile "$KEYS/$name.keylog" -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 -ign_eof \
    >"$WORK/$name.client.log" 2>&1
cap_stop
stop_bg "$SRV_PID" "$RELAY_PID"; SRV_PID= RELAY_PID=

# The DHE leading-zero bug (RFC 5246 8.1.2) with the client's key log: dhe_pad_shim.so
# (LD_PRELOAD, see dhe_pad_shim.c) makes s_client keep the leading zero bytes of Z; about
# 1 in 256 DHE handshakes then fails with the server's bad_record_mac in clear. The client's
# Finished, decrypted with its key log, verifies: the client computed it right from its master
# secret, the server derived another. The capture keeps the failed connection and the two
# stock DHE handshakes before it.
name=dhe-leading-zero-keylog port=4715
need cc
cc -shared -fPIC -O2 -Wall -Wextra -Werror -o "$WORK/dhe_pad_shim.so" "$GEN_DIR/dhe_pad_shim.c" -ldl -lcrypto
openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048 -out "$WORK/dh.pem" 2>/dev/null
rm -f "$KEYS/$name.keylog" "$WORK/$name.keylog"
server "$port" -dhparam "$WORK/dh.pem" -no_ticket -cipher DHE-RSA-AES128-GCM-SHA256
cap_start "$WORK/$name.all.pcap" "tcp port $port"
fails=0 n=0 t0=$SECONDS
while [ "$fails" = 0 ] && [ "$n" -lt 1500 ] && [ $((SECONDS - t0)) -lt 120 ]; do
    n=$((n + 1))
    echo hello | LD_PRELOAD=$WORK/dhe_pad_shim.so timeout 10 openssl s_client \
        -connect 127.0.0.1:"$port" -tls1_2 -cipher DHE-RSA-AES128-GCM-SHA256 -brief \
        -keylogfile "$WORK/$name.keylog" >/dev/null 2>"$WORK/$name.client.log" || true
    grep -qi "bad record mac" "$WORK/$name.client.log" && fails=1
done
cap_stop
stop_bg "$SRV_PID"; SRV_PID=
[ "$fails" = 1 ] || die "$name: no bad_record_mac in $n DHE handshakes"
bad=$(tshark -r "$WORK/$name.all.pcap" -Y 'tls.alert_message.desc == 20' -T fields -e tcp.stream 2>/dev/null | head -1)
[ -n "$bad" ] && [ "$bad" -ge 2 ] || die "$name: the failed handshake is not in the capture"
tshark -r "$WORK/$name.all.pcap" -Y "tcp.stream in {$((bad - 2)),$((bad - 1)),$bad}" \
    -w "$OUT/$name.pcap" 2>/dev/null
cp "$WORK/$name.keylog" "$KEYS/$name.keylog"
echo "  $name: bad_record_mac after $n DHE handshakes; kept streams $((bad - 2))-$bad"

# A renegotiation (RFC 5246 7.4.1.2, RFC 5746): s_client's R command, s_server
# -client_renegotiation (OpenSSL 3 refuses a client's renegotiation without it), then the HTTP
# request under the second handshake's keys; the key log has both handshakes' CLIENT_RANDOM.
reneg() {       # reneg NAME PORT
    rm -f "$KEYS/$1.keylog"
    server "$2" -client_renegotiation
    cap_start "$OUT/$1.pcap" "tcp port $2"
    { sleep 0.5; printf 'R\n'; sleep 0.5; request; } | timeout 10 openssl s_client \
        -connect 127.0.0.1:"$2" -servername decrypt.test -keylogfile "$KEYS/$1.keylog" -tls1_2 \
        -cipher ECDHE-RSA-AES128-GCM-SHA256 >"$WORK/$1.client.log" 2>&1
    cap_stop
    stop_bg "$SRV_PID"; SRV_PID=
    [ "$(grep -c '^CLIENT_RANDOM' "$KEYS/$1.keylog")" = 2 ] || die "$1: no second handshake"
}
reneg tls12-reneg 4716

# the wrong key log: another capture's (its client randoms are not these)
cp "$KEYS/tls12-chacha.keylog" "$KEYS/other-capture.keylog"
# keys found but wrong: tls12-gcm's client random with tls12-chacha's master secret
{ echo "# the client random of tls12-gcm with the master secret of tls12-chacha"
  printf 'CLIENT_RANDOM %s %s\n' "$(awk '/^CLIENT_RANDOM/{print $2}' "$KEYS/tls12-gcm.keylog")" \
      "$(awk '/^CLIENT_RANDOM/{print $3}' "$KEYS/tls12-chacha.keylog")"; } >"$KEYS/wrong-master.keylog"

# The secrets inside the capture: pcapng Decryption Secrets Blocks (editcap --inject-secrets),
# read without any option; one TLS 1.2 and one TLS 1.3 capture (the TLS 1.3 one from certs.sh).
need editcap mergecap
editcap --inject-secrets "tls,$KEYS/tls12-gcm.keylog" "$OUT/tls12-gcm.pcap" "$OUT/tls12-gcm-dsb.pcapng"
editcap --inject-secrets "tls,$CAPS_DIR/certs/keys/expired-tls13.keylog" \
    "$CAPS_DIR/certs/expired-tls13.pcap" "$OUT/tls13-expired-dsb.pcapng"
# A block with keys that do not fit: tls12-gcm's client random, another session's master secret.
editcap --inject-secrets "tls,$KEYS/wrong-master.keylog" "$OUT/tls12-gcm.pcap" \
    "$OUT/tls12-gcm-dsb-wrong.pcapng"
# Secrets that arrive mid-capture, as from a capture tool that writes a block when a key log
# line appears: the first packets of tls12-gcm without secrets, the rest with its key log
# injected, joined by mergecap -a, which writes the second file's block where that file begins.
# -late: the block after the TCP handshake (packet 3), before the connection's ClientHello;
# -after: the block after packet 16 of 17, past the connection's encrypted records.
split_inject() {  # split_inject LAST_PACKET_BEFORE OUT_FILE
    editcap -F pcapng -r "$OUT/tls12-gcm.pcap" "$WORK/gcm-head.pcapng" "1-$1"
    editcap -r "$OUT/tls12-gcm.pcap" "$WORK/gcm-tail.pcap" "$(($1 + 1))-100000"
    editcap --inject-secrets "tls,$KEYS/tls12-gcm.keylog" "$WORK/gcm-tail.pcap" \
        "$WORK/gcm-tail.pcapng"
    mergecap -a -F pcapng -w "$2" "$WORK/gcm-head.pcapng" "$WORK/gcm-tail.pcapng"
}
split_inject 3 "$OUT/tls12-gcm-dsb-late.pcapng"
split_inject 16 "$OUT/tls12-gcm-dsb-after.pcapng"
tshark -r "$OUT/tls12-gcm-dsb-late.pcapng" -Y 'tls.handshake.type == 20' -T fields \
    -e frame.number 2>/dev/null | grep -q . || die "tls12-gcm-dsb-late: tshark decrypts no Finished"

# A key log that covers only some connections: three captures merged, one key log.
mergecap -F pcap -w "$OUT/three-one-keylog.pcap" "$OUT/tls12-gcm.pcap" "$OUT/tls12-chacha.pcap" \
    "$OUT/tls10-cbc.pcap"

for f in "$OUT"/tls1*.pcap "$OUT"/dhe*.pcap; do
    n=$(basename "$f" .pcap)
    [ -s "$KEYS/$n.keylog" ] || die "$n: the client wrote no key log"
    tshark -r "$f" -d tcp.port==4700-4719,tls -o "tls.keylog_file:$KEYS/$n.keylog" -Y 'tls.handshake.type == 20' \
        -T fields -e frame.number 2>/dev/null | grep -q . || die "$n: tshark decrypts no Finished"
done
# SSL 3.0 (OpenJDK, RSA key exchange, decrypted with the server's key): its own script, since
# it runs in a private network namespace
need java
"$GEN_DIR/decrypt_ssl3.sh" || die "decrypt_ssl3.sh failed"
echo "decrypt.sh: done"
