# Shared helpers for the capture generators in this folder (sourced, not run).
# Each generator records real TLS stacks talking over loopback with tcpdump.
# Usage:  cap_start OUT.pcap "tcp port 4433"; ...run client/server...; cap_stop
set -u
GEN_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CAPS_DIR=$(cd "$GEN_DIR/.." && pwd)
WORK=${WORK:-$(mktemp -d /tmp/tlsx-gen.XXXXXX)}
export OPENSSL_CONF=${OPENSSL_CONF:-/dev/null}

need() {
    for t in "$@"; do
        command -v "$t" >/dev/null 2>&1 || { echo "missing tool: $t (run scripts/install-deps.sh)" >&2; exit 2; }
    done
}

cap_start() {   # cap_start FILE FILTER [SNAPLEN]
    CAP_FILE=$1
    mkdir -p "$(dirname "$CAP_FILE")"
    : >"$WORK/tcpdump.err"   # a stale "listening on" must not end the wait early
    tcpdump -i lo -s "${3:-0}" -U --immediate-mode -Z root -w "$CAP_FILE.tmp" "$2" >/dev/null 2>"$WORK/tcpdump.err" &
    CAP_PID=$!
    # tcpdump prints "listening on" once the capture is armed
    for _ in $(seq 1 50); do
        grep -q "listening on" "$WORK/tcpdump.err" 2>/dev/null && break
        sleep 0.1
    done
}

cap_stop() {
    sleep 1.2  # tcpdump may hold packets up to a second before writing
    kill -INT "$CAP_PID" 2>/dev/null
    wait "$CAP_PID" 2>/dev/null
    mv "$CAP_FILE.tmp" "$CAP_FILE"
    echo "wrote $CAP_FILE ($(tcpdump -r "$CAP_FILE" 2>/dev/null | wc -l) packets)"
}

wait_port() {   # wait_port PORT: until something listens on PORT (asks ss, never connects)
    for _ in $(seq 1 100); do
        ss -Hltn "sport = :$1" 2>/dev/null | grep -q . && return 0
        sleep 0.05
    done
    echo "nothing listens on port $1" >&2
    return 1
}

stop_bg() {     # stop_bg PID...: end background servers quietly
    for p in "$@"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null || true; done
    return 0
}
