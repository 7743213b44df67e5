#!/usr/bin/env bash
# ndpi_memory.sh - two captures for the reuse of nDPI's module between
# captures (issue 13): what nDPI learns from one capture must not name the
# streams of the next. Into test-captures/ndpi/.
#   bt-peers.pcap     127.0.0.1 opens a TCP connection to 127.0.0.2:6881 and
#                     sends the BitTorrent handshake (BEP 3: 0x13, "BitTorrent
#                     protocol", reserved bytes, info hash, peer id); the peer
#                     answers with its own. nDPI names it BitTorrent and keeps
#                     the two hosts in its BitTorrent cache.
#   opaque-peers.pcap the same two hosts, a new connection to port 9000:
#                     16 bytes that no protocol claims each way. Alone, nDPI
#                     names nothing; read after bt-peers.pcap by a module that
#                     kept its cache, it would say BitTorrent.
# Stacks: python3 sockets (the kernel's TCP). Run as root (tcpdump): about 6 s.
# The script re-executes itself in a private network namespace (unshare -n).
set -eu
if [ -z "${TLSX_IN_NETNS:-}" ] && unshare -n true 2>/dev/null; then
    export TLSX_IN_NETNS=1
    exec unshare -n -- bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
need tcpdump python3
ip link set lo up
OUT="$CAPS_DIR/ndpi"

exchange() {    # exchange PORT HEX_CLIENT HEX_SERVER: one connection, each side sends once
    python3 - "$@" <<'PY'
import binascii, socket, sys, threading
port, c_hex, s_hex = int(sys.argv[1]), sys.argv[2], sys.argv[3]
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.2", port))
srv.listen(1)
def serve():
    conn, _ = srv.accept()
    conn.recv(4096)
    conn.sendall(binascii.unhexlify(s_hex))
    conn.recv(4096)
    conn.close()
t = threading.Thread(target=serve)
t.start()
cli = socket.create_connection(("127.0.0.2", port), source_address=("127.0.0.1", 0))
cli.sendall(binascii.unhexlify(c_hex))
cli.recv(4096)
cli.close()
t.join()
srv.close()
PY
}

handshake() {   # handshake PEER_ID: the BitTorrent handshake as hex
    printf '13%s%s%s%s' "$(printf 'BitTorrent protocol' | od -An -tx1 | tr -d ' \n')" \
        0000000000100005 "$(printf 'ab%.0s' $(seq 20))" \
        "$(printf '%s' "$1" | od -An -tx1 | tr -d ' \n')"
}

cap_start "$OUT/bt-peers.pcap" "tcp port 6881"
exchange 6881 "$(handshake -TR3000-123456789012)" "$(handshake -qB4250-abcdefghijkl)"
cap_stop

cap_start "$OUT/opaque-peers.pcap" "tcp port 9000"
exchange 9000 8f027e1193c4056d2071fe3a5b09d2c4 17e0a95cd3388b4f01ee62a7c5d91b30
cap_stop
