#!/bin/sh
# Link layers and file formats: real captures re-framed at test time (802.1Q,
# QinQ, raw IP, BSD null/loop, Linux cooked v1/v2, NFLOG, PPP, Cisco HDLC;
# pcapng and nanosecond pcap with editcap) must give the same facts as the
# original. Ends with "linktypes: N passed, N failed".
cd "$(dirname "$0")/.." || exit 2
TOOL=${TLSEXPLAIN:-./tlsexplain}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
if ! command -v editcap >/dev/null; then
    echo "linktypes: cannot run: editcap is not installed (wireshark-common; scripts/install-deps.sh)"
    echo "linktypes: 0 passed, 1 failed"
    exit 1
fi
facts() {   # the JSON without the file name, which differs by design
    "$TOOL" --json "$1" | sed 's/"file":"[^"]*",//' >"$2"
}
for src in test-captures/basic/tls13-hrr.pcap test-captures/basic/tls13-ipv6.pcap \
           test-captures/fail/no-fs-suite.pcap; do
    name=$(basename "$src" .pcap)
    facts "$src" "$tmp/$name.want"
    # every variant has its .got file, empty when it could not be made, so a
    # converter that fails is a failed variant, never a missing one
    for kind in vlan qinq raw null loop sll sll2 nflog ppp chdlc; do
        : >"$tmp/$name.$kind.got"
        python3 test-captures/gen/pcaptool.py relink "$src" "$tmp/$name.$kind.pcap" --to "$kind" &&
            facts "$tmp/$name.$kind.pcap" "$tmp/$name.$kind.got"
    done
    : >"$tmp/$name.pcapng.got"
    editcap -F pcapng "$src" "$tmp/$name.pcapng.pcap" && facts "$tmp/$name.pcapng.pcap" "$tmp/$name.pcapng.got"
    : >"$tmp/$name.nsec.got"
    editcap -F nsecpcap "$src" "$tmp/$name.nsec.pcap" && facts "$tmp/$name.nsec.pcap" "$tmp/$name.nsec.got"
    cat "$src" | "$TOOL" --json - | sed 's/"file":"[^"]*",//' >"$tmp/$name.stdin.got"
    for kind in vlan qinq raw null loop sll sll2 pcapng nsec stdin; do
        got=$tmp/$name.$kind.got
        if [ -s "$tmp/$name.want" ] && [ -s "$got" ] && cmp -s "$tmp/$name.want" "$got"; then
            pass=$((pass + 1))
        else
            fail=$((fail + 1))
            echo "FAIL $src as $(basename "$got" .got)"
            diff "$tmp/$name.want" "$got" | head -5
        fi
    done
done
echo "linktypes: $pass passed, $fail failed"
[ $fail = 0 ]
