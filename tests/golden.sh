#!/bin/sh
# Golden tests: every capture in test-captures/ rendered to JSON (and a few to
# text and the -v ladder) with TZ=UTC, compared with test-captures/expected/.
# `tests/golden.sh --update` rewrites the expected files after a reviewed change.
# Ends with "golden: N passed, N failed".
cd "$(dirname "$0")/.." || exit 2
TOOL=${TLSEXPLAIN:-./tlsexplain}
export TZ=UTC NO_COLOR=1
update=0
[ "${1:-}" = "--update" ] && update=1
pass=0 fail=0
check() {   # check EXPECTED_FILE COMMAND...
    exp=$1; shift
    out=$(cd test-captures && "$@" 2>&1)
    if [ $update = 1 ]; then
        mkdir -p "$(dirname "$exp")"
        printf '%s\n' "$out" >"$exp"
        pass=$((pass + 1))
    elif [ -f "$exp" ] && [ "$(cat "$exp")" = "$out" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL golden $exp"
        printf '%s\n' "$out" | diff -u "$exp" - | head -20
    fi
}
for f in $(cd test-captures && find basic fail certs dhe reason nearmiss pq tcp ndpi -name '*.pcap' | sort); do
    check "test-captures/expected/${f%.pcap}.jsonl" ../"$TOOL" --json "$f"
done
# nDPI's module is reused from one capture to the next only while it has
# learnt nothing: the opaque stream stays unnamed after the BitTorrent peers
check "test-captures/expected/ndpi/after-bt-peers.jsonl" ../"$TOOL" --json ndpi/bt-peers.pcap ndpi/opaque-peers.pcap
for f in fail/no-fs-suite fail/dh-too-small fail/client-cert-required-tls12 certs/expired-tls12 \
         certs/chain-incomplete-tls12 fail/capture-snaplen basic/tls13-hrr; do
    check "test-captures/expected/$f.txt" ../"$TOOL" -a "$f.pcap"
    check "test-captures/expected/$f.ladder.txt" ../"$TOOL" -a -v --color=never "$f.pcap"
done
# decryption with the key logs the clients wrote (TLS 1.2, and TLS 1.3 client
# certificates): text, ladder and JSON
for f in decrypt/tls12-finished-flipped decrypt/dhe-leading-zero-keylog decrypt/tls10-cbc \
         decrypt/tls13-client-cert-required decrypt/tls13-client-cert-rejected; do
    k="--keylog $f.keylog"
    k=$(echo "$k" | sed 's|decrypt/|decrypt/keys/|')
    check "test-captures/expected/$f.keylog.txt" ../"$TOOL" -a $k "$f.pcap"
    check "test-captures/expected/$f.keylog.ladder.txt" ../"$TOOL" -a -v --color=never $k "$f.pcap"
    check "test-captures/expected/$f.keylog.jsonl" ../"$TOOL" --json -a $k "$f.pcap"
done
# QUIC address validation (the other QUIC captures: scenarios and the tshark oracle)
for f in quic/retry-ok quic/retry-loop quic/retry-invalid-token quic/amplification-stall \
         quic/amplification-ok; do
    check "test-captures/expected/$f.jsonl" ../"$TOOL" --json "$f.pcap"
done
for f in quic/retry-loop quic/amplification-stall; do
    check "test-captures/expected/$f.ladder.txt" ../"$TOOL" -a -v --color=never "$f.pcap"
done
# SSL 3.0 decrypted with the server's key (RSA key exchange): text, ladder and JSON
f=decrypt/ssl3-rsa-cbc k="--key decrypt/keys/ssl3-server.key"
check "test-captures/expected/$f.key.txt" ../"$TOOL" -a $k "$f.pcap"
check "test-captures/expected/$f.key.ladder.txt" ../"$TOOL" -a -v --color=never $k "$f.pcap"
check "test-captures/expected/$f.key.jsonl" ../"$TOOL" --json -a $k "$f.pcap"
echo "golden: $pass passed, $fail failed"
[ $fail = 0 ]
