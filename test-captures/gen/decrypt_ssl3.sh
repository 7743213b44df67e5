#!/usr/bin/env bash
# decrypt_ssl3.sh: SSL 3.0 with an RSA key exchange, for decryption with the server's key
# (--key). Called by decrypt.sh; runs alone too:
#
#   test-captures/gen/decrypt_ssl3.sh   (root: unshare -n, tcpdump on lo; TCP port 4720; ~15 s)
#
# Debian's OpenSSL 3 and GnuTLS have no SSL 3.0 left; OpenJDK 17 still implements it and only
# disables it in java.security (jdk.tls.disabledAlgorithms, JDK-8061210). A properties file
# given for this run only (-Djava.security.properties) empties that list and
# jdk.tls.legacyAlgorithms; Ssl3Server.java answers ReasonClient.java, both SSLv3 only.
# Two connections: TLS_RSA_WITH_AES_128_CBC_SHA (16-byte blocks) and
# SSL_RSA_WITH_3DES_EDE_CBC_SHA (8-byte blocks), each with an HTTP request and answer. Writes
#   test-captures/decrypt/ssl3-rsa-cbc.pcap
#   test-captures/decrypt/keys/ssl3-server.key   the server's RSA key (PEM, for --key)
#   test-captures/decrypt/keys/ssl3-wrong-master.keylog   a near miss made here: the capture's
#       client randoms with random master secrets (keys found, but wrong)
# Java writes no key log (no SSLKEYLOGFILE), so there is no real one. The oracle is tshark
# with the same key (tests/decrypt_oracle.py).
# The script re-executes itself in a private network namespace (unshare -n).
if [ -z "${TLSX_IN_NETNS:-}" ] && unshare -n true 2>/dev/null; then
    TLSX_IN_NETNS=$(readlink /proc/self/ns/net)
    export TLSX_IN_NETNS
    exec unshare -n -- bash "$0" "$@"
fi
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need openssl java tcpdump tshark ss timeout
ip link set lo up 2>/dev/null || true

OUT=$CAPS_DIR/decrypt
KEYS=$OUT/keys
mkdir -p "$OUT" "$KEYS"
die() { echo "decrypt_ssl3.sh: $*" >&2; exit 1; }
SRV_PID=
cleanup() { stop_bg $SRV_PID; [ -n "${CAP_PID:-}" ] && kill -INT "$CAP_PID" 2>/dev/null; true; }
trap cleanup EXIT

name=ssl3-rsa-cbc port=4720
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$KEYS/ssl3-server.key" -out "$WORK/ssl3.pem" \
    -days 3650 -subj /CN=ssl3.test -addext subjectAltName=DNS:ssl3.test 2>/dev/null ||
    die "cannot make the server key"
openssl pkcs12 -export -inkey "$KEYS/ssl3-server.key" -in "$WORK/ssl3.pem" \
    -out "$WORK/ssl3.p12" -passout pass:ssl3test || die "cannot make the key store"
printf 'jdk.tls.disabledAlgorithms=\njdk.tls.legacyAlgorithms=\n' >"$WORK/ssl3.security"
JAVA=(java -Djava.security.properties="$WORK/ssl3.security")
SUITES=(TLS_RSA_WITH_AES_128_CBC_SHA SSL_RSA_WITH_3DES_EDE_CBC_SHA)

cap_start "$OUT/$name.pcap" "tcp port $port"
"${JAVA[@]}" "$GEN_DIR/Ssl3Server.java" "$port" "$WORK/ssl3.p12" ssl3test SSLv3 \
    "$(IFS=,; echo "${SUITES[*]}")" "${#SUITES[@]}" >"$WORK/$name.server.log" 2>&1 &
SRV_PID=$!
wait_port "$port" || die "the Java server did not start: $(cat "$WORK/$name.server.log")"
for suite in "${SUITES[@]}"; do
    timeout 30 "${JAVA[@]}" "$GEN_DIR/ReasonClient.java" 127.0.0.1 "$port" SSLv3 "$suite" \
        >>"$WORK/$name.client.log" 2>&1
done
timeout 10 tail --pid="$SRV_PID" -f /dev/null || true
cap_stop
stop_bg "$SRV_PID"; SRV_PID=
cat "$WORK/$name.server.log" "$WORK/$name.client.log"
n=$(grep -c '^handshake: SSLv3' "$WORK/$name.client.log" || true)
[ "$n" = "${#SUITES[@]}" ] || die "$name: $n of ${#SUITES[@]} SSLv3 handshakes"
# tshark must decrypt both Finished of both connections with the key
fin=$(tshark -r "$OUT/$name.pcap" -o "uat:rsa_keys:\"$KEYS/ssl3-server.key\",\"\"" \
    -Y 'tls.handshake.type == 20' -T fields -e frame.number 2>/dev/null | wc -l)
[ "$fin" = 4 ] || die "$name: tshark decrypts $fin Finished, not 4"
{ echo "# the client randoms of $name.pcap with random master secrets: deliberately wrong"
  tshark -r "$OUT/$name.pcap" -Y 'tls.handshake.type == 1' -T fields -e tls.handshake.random \
      2>/dev/null | while read -r random; do
          printf 'CLIENT_RANDOM %s %s\n' "$random" "$(openssl rand -hex 48)"
      done; } >"$KEYS/ssl3-wrong-master.keylog"
[ "$(grep -c ^CLIENT_RANDOM "$KEYS/ssl3-wrong-master.keylog")" = 2 ] || die "no client randoms"
echo "decrypt_ssl3.sh: done"
