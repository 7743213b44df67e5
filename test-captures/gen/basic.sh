#!/usr/bin/env bash
# basic.sh - record SUCCESSFUL TLS handshakes between real stacks, plus
# reassembly-stress captures derived from them, into test-captures/basic/.
# The list of captures and their expected verdicts is
# test-captures/scenarios/basic.tsv.
#
# Run as root (tcpdump):   test-captures/gen/basic.sh
# Takes about a minute.  Certificates and keys are made afresh in $WORK on
# every run, so the captures differ byte-wise from run to run (keys, randoms,
# ports of the clients) but not in what they show.
#
# Network: the script re-executes itself in a private network namespace
# (unshare -n) whose loopback gets MTU 1500 and gso_max_segs 1.  On the host
# loopback (MTU 64K, TSO/GSO on) tcpdump sees one "super packet" per write,
# so a 5 KB server flight is a single 5 KB segment even with a small MSS;
# in the namespace every captured TCP segment is <= MSS as on a real
# Ethernet link, which is what the reassembly scenarios need.  Nothing in the
# host namespace is changed.  If unshare is not available the script falls
# back to the host loopback and says so (the multi-segment checks then fail).
# Set TLSX_NO_NETNS=1 to force the fallback.
#
# Ports (one per scenario, capture filter "tcp port P"; range 4400-4499):
#   4401 tls10            4402 tls11             4403 tls12          4404 tls13
#   4405 tls12-rsa        4406 tls12-dhe         4407 tls12-ecdhe    4408 tls12-ecdhe-ecdsa
#   4409 tls13-hrr        4410 tls12-resume-sessionid                4411 tls12-resume-ticket
#   4412 tls13-resume-psk 4413 tls12-client-cert 4414 tls13-client-cert
#   4415 gnutls-tls13     4416 gnutls-tls12      4417 python-alpn-sni
#   4418 clienthello-multiseg                    4419 tls13-ipv6
#   4420 tls13-bigchain (-> tls13-reordered)     4421 tls12-bigchain (-> duplicated, gap, late-start)
#
# Derived captures (made with gen/pcaptool.py, pure python):
#   tls13-reordered   = tls13-bigchain with server data segments #1<->#2 and #4<->#5 swapped
#   tls12-reordered   = tls12-bigchain with server data segments #2<->#3 and #5<->#6 swapped
#   tls12-duplicated  = tls12-bigchain with every packet written twice
#   tls12-gap         = tls12-bigchain without the 3rd server data segment (inside Certificate)
#   tls12-late-start  = tls12-bigchain without frames 1-3 (the TCP three-way handshake)

if [ -z "${TLSX_IN_NETNS:-}" ]; then
    if [ "${TLSX_NO_NETNS:-0}" != 1 ] && unshare -n true 2>/dev/null; then
        TLSX_IN_NETNS=$(readlink /proc/self/ns/net)   # the namespace we leave
        export TLSX_IN_NETNS
        exec unshare -n -- bash "$0" "$@"
    fi
    echo "warning: no private network namespace; recording on the host loopback" >&2
    echo "warning: (GSO merges segments there, the multi-segment checks will fail)" >&2
fi

set -eo pipefail
OWN_WORK=${WORK:+no}
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need openssl tcpdump tshark python3 gnutls-serv gnutls-cli ss timeout

OUT=$CAPS_DIR/basic
PCAPTOOL=$GEN_DIR/pcaptool.py
mkdir -p "$OUT" "$WORK"
FAILS=0
BG=()

fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
cleanup() {
    local rc=$?
    set +e
    [ ${#BG[@]} -gt 0 ] && stop_bg "${BG[@]}"
    [ -n "${CAP_PID:-}" ] && kill -INT "$CAP_PID" 2>/dev/null
    rm -f "$OUT"/*.pcap.tmp
    # keep the work dir (logs, keys) only when something failed or it was given
    if [ "$rc" -eq 0 ] && [ -z "$OWN_WORK" ]; then rm -rf "$WORK"; else echo "logs kept in $WORK" >&2; fi
    return 0
}
trap cleanup EXIT

# Only ever touch the loopback of a namespace this script created.
# TLSX_IN_NETNS holds the namespace the script started in; ours must differ
# and, being new, hold nothing but a loopback interface.
NS_SELF=$(readlink /proc/self/ns/net 2>/dev/null || true)
if [ -n "${TLSX_IN_NETNS:-}" ] && [ -n "$NS_SELF" ] && [ "$NS_SELF" != "$TLSX_IN_NETNS" ] &&
   [ "$(ip -o link show | grep -cv ': lo:')" -eq 0 ]; then
    ip link set lo up
    ip link set dev lo mtu 1500
    ip link set dev lo gso_max_segs 1 || echo "warning: cannot set gso_max_segs; segments may be merged" >&2
fi

# srv_wait PID: let a server with -naccept exit by itself, else end it.
srv_wait() {
    for _ in $(seq 1 40); do
        kill -0 "$1" 2>/dev/null || { wait "$1" 2>/dev/null || true; return 0; }
        sleep 0.1
    done
    stop_bg "$1" || true
}

# check FILE PORT SIGNATURE [DISPLAY-FILTER...]
# SIGNATURE: handshake types seen by tshark, per TCP stream, streams
# separated by " | ", e.g. "1 2 11 12 14 16 | 1 2" (encrypted handshake
# messages carry no visible type).  Every DISPLAY-FILTER must match a frame;
# "5x FILTER" means at least 5 frames.
check() {
    local f=$1 port=$2 want=$3 got flt n min
    shift 3
    got=$(tshark -r "$f" -o tcp.reassemble_out_of_order:TRUE -d "tcp.port==$port,tls" \
              -Y tls.handshake -T fields -e tcp.stream -e tls.handshake.type 2>/dev/null |
          awk -F'\t' '$2 != "" { gsub(",", " ", $2); if (!($1 in o)) { o[$1] = n++; s[$1] = $2 } else s[$1] = s[$1] " " $2 }
                      END { for (k in o) r[o[k]] = s[k]; for (i = 0; i < n; i++) printf "%s%s", (i ? " | " : ""), r[i]; print "" }')
    if [ "$got" != "$want" ]; then
        fail "$(basename "$f"): handshake types [$got], wanted [$want]"
    else
        echo "  ok: $(basename "$f"): [$got] $(stat -c %s "$f") bytes"
    fi
    for flt in "$@"; do
        min=1
        if [[ $flt =~ ^([0-9]+)x\ (.*)$ ]]; then min=${BASH_REMATCH[1]}; flt=${BASH_REMATCH[2]}; fi
        n=$(tshark -r "$f" -o tcp.reassemble_out_of_order:TRUE -d "tcp.port==$port,tls" -Y "$flt" 2>/dev/null | wc -l) || n=0
        [ "$n" -ge "$min" ] || fail "$(basename "$f"): $n frame(s) match, wanted >= $min: $flt"
    done
}

# ---------------------------------------------------------------- certificates
# CA (RSA 2048) signs: server RSA 2048, server EC P-256, client RSA 2048.
# Big chain: root RSA 4096 -> intermediate RSA 4096 -> leaf RSA 4096.
C=$WORK/certs
mkdir -p "$C"
cat >"$C/ext.cnf" <<'EOF'
[ca]
# intermediate CA
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,DNS:server.tlsexplain.test,IP:127.0.0.1,IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[client]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF

newkey() {  # newkey OUT.key rsa:BITS|ec
    case $2 in
        rsa:*) openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:${2#rsa:}" -out "$1" 2>/dev/null ;;
        ec)    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null ;;
    esac
}
mkroot() {  # mkroot NAME KEYSPEC CN
    newkey "$C/$1.key" "$2"
    openssl req -x509 -new -key "$C/$1.key" -subj "/O=tlsexplain test/CN=$3" -days 3650 -sha256 \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -out "$C/$1.pem"
}
mkcert() {  # mkcert NAME KEYSPEC CN ISSUER EXT-SECTION
    newkey "$C/$1.key" "$2"
    openssl req -new -key "$C/$1.key" -subj "/O=tlsexplain test/CN=$3" -out "$C/$1.csr"
    openssl x509 -req -in "$C/$1.csr" -CA "$C/$4.pem" -CAkey "$C/$4.key" -CAcreateserial \
        -days 3650 -sha256 -extfile "$C/ext.cnf" -extensions "$5" -out "$C/$1.pem" 2>/dev/null
}

echo "making certificates in $C"
mkroot ca rsa:2048 "tlsexplain test CA"
mkcert srv rsa:2048 localhost ca server
mkcert srvec ec localhost ca server
mkcert cli rsa:2048 "tlsexplain test client" ca client
mkroot bigroot rsa:4096 "tlsexplain big root"
mkcert bigint rsa:4096 "tlsexplain big intermediate" bigroot ca
mkcert bigleaf rsa:4096 localhost bigint server
cat "$C/bigint.pem" "$C/bigroot.pem" >"$C/bigchain.pem"
openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048 -out "$C/dh.pem" 2>/dev/null

# ------------------------------------------------------ python TLS endpoints
# server: echoes one line per connection, then closes with close_notify.
# client: optional TCP_MAXSEG before connect, SNI, ALPN, cipher list; sends a
# line, reads the echo, closes with close_notify both ways.
PYTLS=$WORK/pytls.py
cat >"$PYTLS" <<'EOF'
import argparse, socket, ssl, sys
V = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}
ap = argparse.ArgumentParser()
ap.add_argument("role", choices=["server", "client"])
ap.add_argument("--host", default="127.0.0.1")
ap.add_argument("--port", type=int, required=True)
ap.add_argument("--cert"); ap.add_argument("--key"); ap.add_argument("--cafile")
ap.add_argument("--count", type=int, default=1)
ap.add_argument("--sni"); ap.add_argument("--alpn"); ap.add_argument("--ciphers")
ap.add_argument("--tls", choices=sorted(V))
ap.add_argument("--mss", type=int)
a = ap.parse_args()
fam = socket.AF_INET6 if ":" in a.host else socket.AF_INET

def readline(t):
    buf = b""
    while not buf.endswith(b"\n"):
        d = t.recv(4096)
        if not d:
            break
        buf += d
    return buf

if a.role == "server":
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    if a.alpn:
        ctx.set_alpn_protocols(a.alpn.split(","))
    ctx.sni_callback = lambda s, name, c: print("server: SNI", name, flush=True)
    ls = socket.socket(fam)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((a.host, a.port)); ls.listen(5)
    for _ in range(a.count):
        c, _ = ls.accept(); c.settimeout(10)
        try:
            t = ctx.wrap_socket(c, server_side=True)
            print("server:", t.version(), t.cipher()[0], "ALPN", t.selected_alpn_protocol(), flush=True)
            t.sendall(b"echo: " + readline(t))
            while t.recv(4096):          # until the client's close_notify
                pass
            t.unwrap().close()
        except (ssl.SSLError, OSError) as e:
            print("server:", e, flush=True); c.close()
else:
    ctx = ssl.create_default_context(cafile=a.cafile)
    ctx.check_hostname = bool(a.sni)
    if a.tls:
        ctx.minimum_version = ctx.maximum_version = V[a.tls]
    if a.alpn:
        ctx.set_alpn_protocols(a.alpn.split(","))
    if a.ciphers:
        ctx.set_ciphers(a.ciphers)
    s = socket.socket(fam)
    if a.mss:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, a.mss)
    s.settimeout(10)
    s.connect((a.host, a.port))
    t = ctx.wrap_socket(s, server_hostname=a.sni)
    print("client:", t.version(), t.cipher()[0], "ALPN", t.selected_alpn_protocol(), flush=True)
    t.sendall(b"hello from python\n")
    print("client got:", readline(t), flush=True)
    t.unwrap().close()
EOF

# ------------------------------------------------------------------ runners
# ossl_pair NAME PORT "SERVER OPTS" "CLIENT OPTS" [NCONN] [CLIENT2 OPTS]
# openssl s_server -rev (echoes each line reversed) with -naccept NCONN and
# one s_client per connection; each client sends a line, waits 0.4 s so that
# late messages (TLS 1.3 tickets) arrive, then closes (close_notify) on EOF.
ossl_client() {  # ossl_client NAME PORT LOG "OPTS"
    # shellcheck disable=SC2086
    (printf 'hello from s_client\n'; sleep 0.4) |
        timeout 10 openssl s_client -connect "127.0.0.1:$2" -servername localhost \
            -CAfile "$C/ca.pem" -verify_return_error $4 >>"$3" 2>&1 ||
        fail "$1: s_client $4 (see $3)"
}
ossl_pair() {
    local name=$1 port=$2 sopts=$3 copts=$4 n=${5:-1} copts2=${6:-$4} pid log=$WORK/$1.log
    : >"$log"
    # shellcheck disable=SC2086
    openssl s_server -accept "$port" -naccept "$n" -rev -cert "$C/srv.pem" -key "$C/srv.key" \
        $sopts </dev/null >"$WORK/$name.srv.log" 2>&1 &
    pid=$!; BG+=("$pid")
    wait_port "$port"
    cap_start "$OUT/$name.pcap" "tcp port $port"
    ossl_client "$name" "$port" "$log" "$copts"
    [ "$n" -ge 2 ] && ossl_client "$name" "$port" "$log" "$copts2"
    srv_wait "$pid"
    cap_stop
}

T0=$(date +%s)

# --------------------------------------------------------- protocol versions
echo "== protocol versions (openssl s_server / s_client)"
LEGACY="-cipher DEFAULT:@SECLEVEL=0"
ossl_pair tls10 4401 "-tls1 $LEGACY" "-tls1 $LEGACY"
check "$OUT/tls10.pcap" 4401 "1 2 11 12 14 16 4" "tls.handshake.type==2 && tls.handshake.version==0x0301"
ossl_pair tls11 4402 "-tls1_1 $LEGACY" "-tls1_1 $LEGACY"
check "$OUT/tls11.pcap" 4402 "1 2 11 12 14 16 4" "tls.handshake.type==2 && tls.handshake.version==0x0302"
ossl_pair tls12 4403 "-tls1_2" "-tls1_2"
check "$OUT/tls12.pcap" 4403 "1 2 11 12 14 16 4" "tls.handshake.type==2 && tls.handshake.version==0x0303 && !tls.handshake.extensions.supported_version"
ossl_pair tls13 4404 "-tls1_3" "-tls1_3"
check "$OUT/tls13.pcap" 4404 "1 2" "tls.handshake.type==2 && tls.handshake.extensions.supported_version==0x0304" "tls.app_data"

# ---------------------------------------------------- TLS 1.2 key exchanges
echo "== TLS 1.2 key exchanges"
ossl_pair tls12-rsa 4405 "-tls1_2 -cipher AES128-GCM-SHA256" "-tls1_2 -cipher AES128-GCM-SHA256"
check "$OUT/tls12-rsa.pcap" 4405 "1 2 11 14 16 4" "tls.handshake.type==2 && tls.handshake.ciphersuite==0x009c"
ossl_pair tls12-dhe 4406 "-tls1_2 -cipher DHE-RSA-AES128-GCM-SHA256 -dhparam $C/dh.pem" "-tls1_2 -cipher DHE-RSA-AES128-GCM-SHA256"
check "$OUT/tls12-dhe.pcap" 4406 "1 2 11 12 14 16 4" "tls.handshake.type==2 && tls.handshake.ciphersuite==0x009e" "tls.handshake.p_len==256"
ossl_pair tls12-ecdhe 4407 "-tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256" "-tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256"
check "$OUT/tls12-ecdhe.pcap" 4407 "1 2 11 12 14 16 4" "tls.handshake.type==2 && tls.handshake.ciphersuite==0xc02f"
ossl_pair tls12-ecdhe-ecdsa 4408 "-tls1_2 -cert $C/srvec.pem -key $C/srvec.key -cipher ECDHE-ECDSA-AES128-GCM-SHA256" \
    "-tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256"
check "$OUT/tls12-ecdhe-ecdsa.pcap" 4408 "1 2 11 12 14 16 4" "tls.handshake.type==2 && tls.handshake.ciphersuite==0xc02b"

# ------------------------------------------------------- HelloRetryRequest
echo "== TLS 1.3 HelloRetryRequest"
# the client sends a key_share for its first group only (X25519); the server
# accepts only P-256, so it must answer with a HelloRetryRequest
ossl_pair tls13-hrr 4409 "-tls1_3 -groups P-256" "-tls1_3 -groups X25519:P-256"
check "$OUT/tls13-hrr.pcap" 4409 "1 2 1 2" \
    "tls.handshake.type==2 && tls.handshake.random==cf:21:ad:74:e5:9a:61:11:be:1d:8c:02:1e:65:b8:91:c2:a2:11:16:7a:bb:8c:5e:07:9e:09:e2:c8:a8:33:9c"

# ---------------------------------------------------------------- resumption
echo "== resumption"
rm -f "$WORK"/*.sess
ossl_pair tls12-resume-sessionid 4410 "-tls1_2 -no_ticket" "-tls1_2 -sess_out $WORK/sid.sess" 2 "-tls1_2 -sess_in $WORK/sid.sess"
check "$OUT/tls12-resume-sessionid.pcap" 4410 "1 2 11 12 14 16 | 1 2" \
    "tcp.stream==1 && tls.handshake.type==1 && tls.handshake.session_id_length==32"
ossl_pair tls12-resume-ticket 4411 "-tls1_2" "-tls1_2 -sess_out $WORK/tkt.sess" 2 "-tls1_2 -sess_in $WORK/tkt.sess"
check "$OUT/tls12-resume-ticket.pcap" 4411 "1 2 11 12 14 16 4 | 1 2" \
    "tcp.stream==1 && tls.handshake.type==1 && tls.handshake.extension.type==35 && tls.handshake.extension.len>100"
ossl_pair tls13-resume-psk 4412 "-tls1_3" "-tls1_3 -sess_out $WORK/psk.sess" 2 "-tls1_3 -sess_in $WORK/psk.sess"
check "$OUT/tls13-resume-psk.pcap" 4412 "1 2 | 1 2" "tls.handshake.type==2 && tls.handshake.extensions.psk.identity.selected==0"

# ------------------------------------------------------- client certificates
echo "== client certificates"
ossl_pair tls12-client-cert 4413 "-tls1_2 -Verify 1 -CAfile $C/ca.pem" "-tls1_2 -cert $C/cli.pem -key $C/cli.key"
check "$OUT/tls12-client-cert.pcap" 4413 "1 2 11 12 13 14 11 16 15 4"
ossl_pair tls13-client-cert 4414 "-tls1_3 -Verify 1 -CAfile $C/ca.pem" "-tls1_3 -cert $C/cli.pem -key $C/cli.key"
check "$OUT/tls13-client-cert.pcap" 4414 "1 2"
grep -q "CN = tlsexplain test client\|CN=tlsexplain test client" "$WORK/tls13-client-cert.srv.log" ||
    fail "tls13-client-cert: server did not log the client certificate"

# -------------------------------------------------------------------- GnuTLS
echo "== GnuTLS"
gnutls_pair() {  # gnutls_pair NAME PORT PRIORITY
    local name=$1 port=$2 pid
    gnutls-serv --echo -a -p "$port" --x509certfile "$C/srv.pem" --x509keyfile "$C/srv.key" \
        --priority "$3" </dev/null >"$WORK/$name.srv.log" 2>&1 &
    pid=$!; BG+=("$pid")
    wait_port "$port"
    cap_start "$OUT/$name.pcap" "tcp port $port"
    (printf 'hello from gnutls-cli\n'; sleep 0.4) |
        timeout 10 gnutls-cli -p "$port" --x509cafile "$C/ca.pem" --sni-hostname localhost \
            --verify-hostname localhost --priority "$3" 127.0.0.1 >"$WORK/$name.log" 2>&1 ||
        fail "$name: gnutls-cli (see $WORK/$name.log)"
    sleep 0.2
    stop_bg "$pid" || true   # || true: lib.sh's stop_bg is not errexit-safe
    cap_stop
}
gnutls_pair gnutls-tls13 4415 "NORMAL:-VERS-ALL:+VERS-TLS1.3"
check "$OUT/gnutls-tls13.pcap" 4415 "1 2" "tls.handshake.type==2 && tls.handshake.extensions.supported_version==0x0304"
gnutls_pair gnutls-tls12 4416 "NORMAL:-VERS-ALL:+VERS-TLS1.2"
check "$OUT/gnutls-tls12.pcap" 4416 "1 2 11 12 14 16 4" "tls.handshake.type==2 && tls.handshake.version==0x0303"

# -------------------------------------------------------------------- Python
echo "== Python ssl, ALPN and SNI"
py_server() {  # py_server NAME PORT ARGS... (background, pid in PYSRV)
    local name=$1 port=$2
    shift 2
    python3 "$PYTLS" server --port "$port" "$@" >"$WORK/$name.srv.log" 2>&1 &
    PYSRV=$!; BG+=("$PYSRV")
}
py_client() {  # py_client NAME ARGS...
    local name=$1
    shift
    timeout 10 python3 "$PYTLS" client "$@" >>"$WORK/$name.log" 2>&1 || fail "$name: python client (see $WORK/$name.log)"
}
: >"$WORK/python-alpn-sni.log"
py_server python-alpn-sni 4417 --count 2 --cert "$C/srv.pem" --key "$C/srv.key" --alpn h2,http/1.1
wait_port 4417
cap_start "$OUT/python-alpn-sni.pcap" "tcp port 4417"
py_client python-alpn-sni --port 4417 --cafile "$C/ca.pem" --sni server.tlsexplain.test --alpn h2,http/1.1 --tls 1.3
py_client python-alpn-sni --port 4417 --cafile "$C/ca.pem" --sni server.tlsexplain.test --alpn http/1.1 --tls 1.2
srv_wait "$PYSRV"
cap_stop
check "$OUT/python-alpn-sni.pcap" 4417 "1 2 | 1 2 11 12 14 16 4" \
    'tls.handshake.type==1 && tls.handshake.extensions_server_name=="server.tlsexplain.test" && tls.handshake.extensions_alpn_str=="h2"' \
    'tls.handshake.type==2 && tls.handshake.extensions_alpn_str=="http/1.1"'
grep -q "ALPN h2" "$WORK/python-alpn-sni.log" || fail "python-alpn-sni: h2 not negotiated"

echo "== ClientHello over several TCP segments"
# MSS 536 (TCP_MAXSEG before connect), 60 ALPN names and every TLS 1.2
# cipher suite: the ClientHello is ~2 KB, i.e. 4-5 segments of 524 bytes.
MANY_ALPN=$(python3 -c 'print(",".join([f"x-tlsexplain-proto-{i:02d}" for i in range(60)] + ["http/1.1"]))')
: >"$WORK/clienthello-multiseg.log"
py_server clienthello-multiseg 4418 --cert "$C/srv.pem" --key "$C/srv.key" --alpn h2,http/1.1
wait_port 4418
cap_start "$OUT/clienthello-multiseg.pcap" "tcp port 4418"
py_client clienthello-multiseg --port 4418 --mss 536 --cafile "$C/ca.pem" --sni localhost \
    --alpn "$MANY_ALPN" --ciphers "ALL:@SECLEVEL=0"
srv_wait "$PYSRV"
cap_stop
check "$OUT/clienthello-multiseg.pcap" 4418 "1 2" "tls.handshake.type==1 && tcp.segment.count>=3"

echo "== IPv6 loopback"
: >"$WORK/tls13-ipv6.log"
openssl s_server -accept "[::1]:4419" -naccept 1 -rev -cert "$C/srv.pem" -key "$C/srv.key" \
    </dev/null >"$WORK/tls13-ipv6.srv.log" 2>&1 &
pid=$!; BG+=("$pid")
wait_port 4419
cap_start "$OUT/tls13-ipv6.pcap" "tcp port 4419"
(printf 'hello over ipv6\n'; sleep 0.4) |
    timeout 10 openssl s_client -connect "[::1]:4419" -servername localhost -CAfile "$C/ca.pem" \
        -verify_return_error >"$WORK/tls13-ipv6.log" 2>&1 || fail "tls13-ipv6: s_client"
srv_wait "$pid"
cap_stop
check "$OUT/tls13-ipv6.pcap" 4419 "1 2" "ipv6.src==::1 && tls.handshake.type==1"

# ---------------------------------------------- big chain + reassembly stress
echo "== big certificate chain, small MSS"
# leaf RSA 4096 + intermediate + root (-cert_chain): the Certificate message
# is ~4.5 KB; with the client's MSS 536 the server flight is ~10 segments.
bigchain() {  # bigchain NAME PORT TLSVER "SERVER OPTS"
    local name=$1 port=$2 pid
    : >"$WORK/$name.log"
    # shellcheck disable=SC2086
    openssl s_server -accept "$port" -naccept 1 -rev -cert "$C/bigleaf.pem" -key "$C/bigleaf.key" \
        -cert_chain "$C/bigchain.pem" $4 </dev/null >"$WORK/$name.srv.log" 2>&1 &
    pid=$!; BG+=("$pid")
    wait_port "$port"
    cap_start "$OUT/$name.pcap" "tcp port $port"
    py_client "$name" --port "$port" --mss 536 --cafile "$C/bigroot.pem" --sni localhost --tls "$3"
    srv_wait "$pid"
    cap_stop
}
bigchain tls13-bigchain 4420 1.3 "-tls1_3"
check "$OUT/tls13-bigchain.pcap" 4420 "1 2" "8x tcp.srcport==4420 && tcp.len==524"
bigchain tls12-bigchain 4421 1.2 "-tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256"
check "$OUT/tls12-bigchain.pcap" 4421 "1 2 11 12 14 16 4" "tls.handshake.type==11 && tcp.segment.count>=8"

echo "== derived reassembly captures (pcaptool.py)"
# reordering in the server flight: server data segment #2 overtakes #1
# (ServerHello + start of the encrypted flight), and #5 overtakes #4
python3 "$PCAPTOOL" swap "$OUT/tls13-bigchain.pcap" "$OUT/tls13-reordered.pcap" --src-port 4420 --nth 1 --nth 4
check "$OUT/tls13-reordered.pcap" 4420 "1 2" "2x tcp.analysis.out_of_order"
# the same in TLS 1.2, where the reordered segments are inside the visible
# Certificate message (#3 overtakes #2, #6 overtakes #5)
python3 "$PCAPTOOL" swap "$OUT/tls12-bigchain.pcap" "$OUT/tls12-reordered.pcap" --src-port 4421 --nth 2 --nth 5
check "$OUT/tls12-reordered.pcap" 4421 "1 2 11 12 14 16 4" "2x tcp.analysis.out_of_order"
# every packet twice: retransmissions seen by the capture point
python3 "$PCAPTOOL" dup "$OUT/tls12-bigchain.pcap" "$OUT/tls12-duplicated.pcap"
check "$OUT/tls12-duplicated.pcap" 4421 "1 2 11 12 14 16 4" "tcp.analysis.retransmission"
# the 3rd server data segment (inside the Certificate message) is missing:
# ServerHello is decodable, Certificate and what follows it in that flight are not
python3 "$PCAPTOOL" drop "$OUT/tls12-bigchain.pcap" "$OUT/tls12-gap.pcap" --src-port 4421 --nth 3
check "$OUT/tls12-gap.pcap" 4421 "1 2 16" "tcp.analysis.lost_segment"
# capture started after the TCP handshake: no SYN, SYN/ACK, ACK
python3 "$PCAPTOOL" drop "$OUT/tls12-bigchain.pcap" "$OUT/tls12-late-start.pcap" --frames 1-3
check "$OUT/tls12-late-start.pcap" 4421 "1 2 11 12 14 16 4" "!(tcp.flags.syn==1)"

echo "done in $(( $(date +%s) - T0 ))s (work dir $WORK)"
if [ "$FAILS" -ne 0 ]; then
    echo "$FAILS check(s) FAILED" >&2
    exit 1
fi
echo "all checks passed"
