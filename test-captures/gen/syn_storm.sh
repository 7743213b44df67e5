#!/usr/bin/env bash
# syn_storm.sh - a small storm of connection attempts nobody answers (issue
# 13), into test-captures/tcp/syn-storm.pcap:
#   - 240 connections from 127.0.0.1 to 127.0.0.2:4805, opened 5 ms apart;
#     an nftables input rule drops every SYN to 4805, and the sockets have
#     TCP_SYNCNT 1: three SYNs a second apart, then the kernel gives up
#     without a packet. Each is no_syn_ack.
#   - then 16 more, closed 0.1 s after their SYN (closing a socket in
#     SYN-SENT sends nothing): one SYN each and the capture's last packets,
#     so it ends less than 1 ms after each, before a retry would show
#     silence. Each is incomplete.
# Connections of one kind differ only in their ports, frames and times: the
# held store writes all but the first of each kind it stows as their place
# alone (tests/test_final_pass.c, a_storm_is_stowed_in_place).
# Stacks: python3 sockets (the kernel's TCP), nftables. Run as root (tcpdump,
# nft): about 6 s. The script re-executes itself in a private network
# namespace (unshare -n).
set -eu
if [ -z "${TLSX_IN_NETNS:-}" ] && unshare -n true 2>/dev/null; then
    export TLSX_IN_NETNS=1
    exec unshare -n -- bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
need tcpdump python3 nft
ip link set lo up
nft add table inet storm
nft add chain inet storm input '{ type filter hook input priority 0; }'
nft add rule inet storm input tcp dport 4805 tcp flags syn drop

cap_start "$CAPS_DIR/tcp/syn-storm.pcap" "tcp port 4805"
python3 - <<'PY'
import socket, time
def attempt():
    s = socket.socket()
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_SYNCNT, 1)
    s.bind(("127.0.0.1", 0))
    s.setblocking(False)
    try:
        s.connect(("127.0.0.2", 4805))
    except BlockingIOError:
        pass
    return s
storm = []
for _ in range(240):
    storm.append(attempt())
    time.sleep(0.005)
time.sleep(3.5)   # the retries, then the kernel gives up
last = [attempt() for _ in range(16)]
time.sleep(0.1)
for s in storm + last:
    s.close()
PY
cap_stop
nft delete table inet storm
