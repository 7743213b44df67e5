#!/usr/bin/env bash
# quiet.sh - a long capture with quiet gaps (issue 13): real captures of this
# folder, one after the other, ten minutes apart (pcaptool.py join moves
# their time stamps, nothing else). Failed connections of one part are over
# and quiet for more than five minutes while thousands of packets of the
# next part are read: they are stowed away and judged at the end, and the
# report must be the one judged in memory (tests/stow_test.py).
#
#   test-captures/gen/quiet.sh          (a second; no root, no network)
#   QUIET_GAP=1 QUIET_OUT=F quiet.sh    the same parts one second apart, into F:
#                                       nothing quiet long enough to be stowed
#
# Parts, each ten minutes after the one before:
#   1. failures (fail/*.pcap, one second apart): no shared cipher, ALPN,
#      client aborted, no SYN-ACK, silent server, reset after the hello,
#      bad record MAC, plain text to a TLS port, refused; then a QUIC
#      attempt blocked with its TCP fallback, a client resetting
#      connections at once (tcp/mass-reset.pcap: a burst of stowed resets),
#      a tap that missed the end of a handshake (tcp/filtered-tap-cut.pcap)
#   2. dhe/dhe-leading-zero.pcap: 9596 packets, sweeps stow part 1
#   3. more failures: no shared group or signature algorithm, DH too small,
#      record split, SNI missing, inappropriate fallback, no forward secret,
#      bytes lost before the capture point (tcp/vantage-server.pcap)
#   4. reason/dhe-short-ys.pcap: 14058 packets, sweeps stow parts 2 and 3
# Every part has its own server port: no connection of one part shares its
# endpoints with another's.
set -eu
GEN_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CAPS=$(cd "$GEN_DIR/.." && pwd)
TOOL="python3 $GEN_DIR/pcaptool.py"
WORK=$(mktemp -d /tmp/tlsx-quiet.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

editcap -F pcap "$CAPS"/tcp/filtered-tap-cut.pcap "$WORK/filtered-tap-cut.pcap" # it is pcapng
$TOOL join "$WORK/part1.pcap" --gap 1 \
    "$CAPS"/fail/{no-shared-cipher,alpn-mismatch,client-aborted,no-syn-ack}.pcap \
    "$CAPS"/fail/{server-no-response,server-reset-after-hello,bad-record-mac}.pcap \
    "$CAPS"/fail/{plaintext-to-tls-port,connection-refused}.pcap \
    "$CAPS"/quic/blocked-fallback.pcap "$CAPS"/tcp/mass-reset.pcap \
    "$WORK/filtered-tap-cut.pcap"
$TOOL join "$WORK/part3.pcap" --gap 1 \
    "$CAPS"/fail/{no-shared-group,no-shared-sigalg,dh-too-small,record-split}.pcap \
    "$CAPS"/fail/{sni-missing,inappropriate-fallback,no-fs-suite}.pcap \
    "$CAPS"/tcp/vantage-server.pcap
OUT=${QUIET_OUT:-$CAPS/tcp/quiet-gaps.pcap}
$TOOL join "$OUT" --gap "${QUIET_GAP:-600}" "$WORK/part1.pcap" \
    "$CAPS/dhe/dhe-leading-zero.pcap" "$WORK/part3.pcap" "$CAPS/reason/dhe-short-ys.pcap"
echo "wrote $OUT"
