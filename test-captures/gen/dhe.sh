#!/usr/bin/env bash
# dhe.sh - real reproduction of the intermittent TLS 1.2 DHE bad_record_mac bug
# (dhe_leading_zero): one side keeps the leading zero bytes of
# the DH shared secret Z (RFC 5246 8.1.2 says strip them), so whenever Z's top
# byte is 0x00 (~1 in 256 handshakes) the two sides derive different master
# secrets and the server rejects the client's Finished with a plaintext fatal
# alert 20 bad_record_mac.  ECDHE is never affected.
#
# The bug is injected with dhe_pad_shim.so (LD_PRELOAD over OpenSSL 3's
# EVP_PKEY_derive, see dhe_pad_shim.c) into ONE process; everything else is
# stock OpenSSL 3 (openssl s_server / s_client) over loopback.
#
# Writes:
#   dhe/dhe-leading-zero.pcap               client pads, server strips (stock)
#   dhe/dhe-leading-zero-server-pads.pcap   server pads, client strips (stock)
#   dhe/dhe-no-shim.pcap                    100 stock DHE handshakes, none fail
#   scenarios/dhe.tsv                       expected verdicts, counted by tshark
#
# Each failure capture runs DHE handshakes until MIN_FAIL (2) of them failed
# with bad_record_mac, or DHE_CAP (1500) handshakes, or DHE_SECS (90 s) passed,
# and has ECDHE_N (20) ECDHE handshakes (shim loaded too) interleaved.
# Counts differ on every run (the failures are random); dhe.tsv is rewritten
# from the capture actually produced.
#
# Usage: test-captures/gen/dhe.sh          (needs root for tcpdump on lo)
#   env: DHE_CAP=1500 DHE_SECS=90 MIN_FAIL=2 ECDHE_N=20 NOSHIM_N=100 SERVER_PADS=1
OWN_WORK=${WORK:+0}
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
set -o pipefail
OWN_WORK=${OWN_WORK:-1}

need openssl tcpdump tshark ss cc awk

DHE_CAP=${DHE_CAP:-1500}
DHE_SECS=${DHE_SECS:-90}
MIN_FAIL=${MIN_FAIL:-2}
ECDHE_N=${ECDHE_N:-20}
NOSHIM_N=${NOSHIM_N:-100}
SERVER_PADS=${SERVER_PADS:-1}

OUT_DIR=$CAPS_DIR/dhe
TSV=$CAPS_DIR/scenarios/dhe.tsv
DHE_CIPHER=DHE-RSA-AES128-GCM-SHA256      # 0x009e
ECDHE_CIPHER=ECDHE-RSA-AES128-GCM-SHA256  # 0xc02f
SHIM=$WORK/dhe_pad_shim.so
OSSL_VER=$(openssl version | awk '{print $2}')

SRV_PID=
cleanup() {
    [ -n "$SRV_PID" ] && stop_bg "$SRV_PID"
    [ -n "${CAP_PID:-}" ] && kill -INT "$CAP_PID" 2>/dev/null
    [ "$OWN_WORK" = 1 ] && case $WORK in /tmp/tlsx-gen.*) rm -rf "$WORK" ;; esac
    return 0
}
trap cleanup EXIT

free_port() {   # first port in 4700-4799 nobody listens on
    local p
    for p in $(seq "${1:-4700}" 4799); do
        ss -Hltn "sport = :$p" | grep -q . || { echo "$p"; return 0; }
    done
    echo "no free port in 4700-4799" >&2; exit 1
}

# ---- material made at run time ---------------------------------------------
cc -shared -fPIC -O2 -Wall -Wextra -Werror -o "$SHIM" "$GEN_DIR/dhe_pad_shim.c" -ldl -lcrypto
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/key.pem" -out "$WORK/cert.pem" \
    -days 30 -subj /CN=localhost 2>/dev/null
# RFC 7919 ffdhe2048 as explicit (PKCS#3) DH parameters: no slow dhparam run
openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048 -out "$WORK/dh.pem"
mkdir -p "$OUT_DIR" "$(dirname "$TSV")"

start_server() {  # start_server PORT PRELOAD(""|shim)
    LD_PRELOAD=$2 DHE_PAD_SHIM_VERBOSE=1 \
    openssl s_server -accept "127.0.0.1:$1" -cert "$WORK/cert.pem" -key "$WORK/key.pem" \
        -dhparam "$WORK/dh.pem" -tls1_2 -no_ticket -rev -quiet \
        -cipher "$DHE_CIPHER:$ECDHE_CIPHER" </dev/null >/dev/null 2>"$WORK/server.log" &
    SRV_PID=$!
    wait_port "$1"
}

# one short handshake: send a line, quit on EOF.  Sets HS (ok|brm|other) and
# PADDED (1 if the shim padded Z in this client process).
handshake() {   # handshake PORT CIPHER PRELOAD
    local rc=0
    LD_PRELOAD=$3 DHE_PAD_SHIM_VERBOSE=1 timeout 10 \
    openssl s_client -connect "127.0.0.1:$1" -tls1_2 -cipher "$2" -brief \
        <<< "hello" >/dev/null 2>"$WORK/client.log" || rc=$?
    PADDED=0; grep -q "left-padded" "$WORK/client.log" && PADDED=1
    if grep -qi "bad record mac" "$WORK/client.log"; then HS=brm
    elif [ "$rc" = 0 ]; then HS=ok
    else HS=other; sed 's/^/    client: /' "$WORK/client.log" | tail -3 >&2
    fi
}

# run_failing OUT CLIENT_PRELOAD SERVER_PRELOAD
run_failing() {
    local out=$1 cpre=$2 spre=$3 port n=0 e=0 fails=0 other=0 padded=0 t0
    port=$(free_port 4740); RUN_PORT=$port
    cap_start "$out" "tcp port $port"
    start_server "$port" "$spre"
    t0=$SECONDS
    while [ "$n" -lt "$DHE_CAP" ] && [ "$fails" -lt "$MIN_FAIL" ] \
          && [ $((SECONDS - t0)) -lt "$DHE_SECS" ]; do
        if [ "$e" -lt "$ECDHE_N" ] && [ $((n % 25)) = 0 ]; then
            handshake "$port" "$ECDHE_CIPHER" "$cpre"
            [ "$HS" = ok ] || { echo "ECDHE handshake failed ($HS) - unexpected" >&2; other=$((other+1)); }
            e=$((e+1))
        fi
        handshake "$port" "$DHE_CIPHER" "$cpre"
        n=$((n+1))
        case $HS in
            brm) fails=$((fails+1)); echo "  DHE handshake $n: bad_record_mac (client padded Z: $PADDED)" ;;
            other) other=$((other+1)); echo "  DHE handshake $n: other failure" >&2 ;;
        esac
        padded=$((padded + PADDED))
    done
    while [ "$e" -lt "$ECDHE_N" ]; do
        handshake "$port" "$ECDHE_CIPHER" "$cpre"
        [ "$HS" = ok ] || { echo "ECDHE handshake failed ($HS) - unexpected" >&2; other=$((other+1)); }
        e=$((e+1))
    done
    stop_bg "$SRV_PID"; SRV_PID=
    local spadded; spadded=$(grep -c "left-padded" "$WORK/server.log" || true)
    sleep 1   # tcpdump's 1 s packet-buffer timeout: lib.sh's 0.5 s alone loses the last block
    cap_stop; CAP_PID=
    RUN_TOTAL=$((n + e)); RUN_FAILS=$fails
    echo "  $n DHE + $e ECDHE handshakes in $((SECONDS - t0)) s; bad_record_mac: $fails;" \
         "other failures: $other; client padded Z: $padded; server padded Z: $spadded"
    [ "$fails" -ge "$MIN_FAIL" ] || echo "WARNING: only $fails failures in $n DHE handshakes (cap reached)" >&2
}

run_noshim() {  # run_noshim OUT
    local out=$1 port i bad=0
    port=$(free_port 4740); RUN_PORT=$port
    cap_start "$out" "tcp port $port"
    start_server "$port" ""
    for i in $(seq "$NOSHIM_N"); do
        handshake "$port" "$DHE_CIPHER" ""
        [ "$HS" = ok ] || bad=$((bad+1))
    done
    stop_bg "$SRV_PID"; SRV_PID=
    sleep 1   # tcpdump's 1 s packet-buffer timeout: lib.sh's 0.5 s alone loses the last block
    cap_stop; CAP_PID=
    RUN_TOTAL=$NOSHIM_N; RUN_FAILS=$bad
    echo "  $NOSHIM_N stock DHE handshakes, $bad failed"
}

# ---- analysis with tshark ----------------------------------------------------
# analyze FILE: per TCP stream, classify the handshake and check the D1
# invariant for every bad_record_mac: fatal(2) alert 20 in a plaintext record,
# sent by the server, after the client's ChangeCipherSpec + (encrypted)
# Finished, before any server ChangeCipherSpec.  Prints
#   ok=N brm=N other=N dhe=N dhe_brm=N ecdhe=N ecdhe_brm=N short_ys=N short_yc=N inv_bad=N
analyze() {
    # -d: force TLS on the server port (tshark otherwise takes some streams
    # for other protocols by the client's ephemeral port, e.g. 48898 = AMS)
    tshark -r "$1" -d "tcp.port==$2,tls" -Y tls -T fields -E separator='|' \
        -e tcp.stream -e tcp.dstport -e tls.record.content_type \
        -e tls.handshake.ciphersuite -e tls.alert_message.level -e tls.alert_message.desc \
        -e tls.handshake.p_len -e tls.handshake.ys_len -e tls.handshake.yc_len 2>/dev/null |
    awk -F'|' -v port="$2" '
    {
        s = $1; toserver = ($2 == port)
        seen[s] = 1
        n = split($3, ct, ",")
        for (i = 1; i <= n; i++) {
            if (toserver) {
                if (ct[i] == 20) cccs[s] = 1
                else if (ct[i] == 22 && cccs[s]) cfin[s] = 1
            } else {
                if (ct[i] == 20) sccs[s] = 1
            }
        }
        if ($4 != "" && !toserver) suite[s] = $4
        if ($7 != "") plen[s] = $7
        if ($8 != "" && $7 != "" && $8 + 0 < $7 + 0) sys[s] = 1
        if ($9 != "" && plen[s] != "" && $9 + 0 < plen[s] + 0) syc[s] = 1
        if ($6 != "") {
            if ($6 == 20) {
                brm[s] = 1
                if (toserver || $5 != 2 || !cfin[s] || sccs[s]) invbad[s] = 1
            } else alert[s] = 1
        }
    }
    END {
        for (s in seen) {
            dhe = (suite[s] == "0x009e"); ec = (suite[s] == "0xc02f")
            if (brm[s]) { nbrm++; if (dhe) dbrm++; if (ec) ebrm++ }
            else if (sccs[s] && cfin[s] && !alert[s]) nok++
            else nother++
            ndhe += dhe; nec += ec; nsys += sys[s]; nsyc += syc[s]; ninv += invbad[s]
        }
        printf "ok=%d brm=%d other=%d dhe=%d dhe_brm=%d ecdhe=%d ecdhe_brm=%d short_ys=%d short_yc=%d inv_bad=%d\n",
            nok, nbrm, nother, ndhe, dbrm, nec, ebrm, nsys, nsyc, ninv
    }'
}

get() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<< " $2"; }

STATUS=0
TSV_ROWS=()
tsv_row() {     # tsv_row FILE STACK WHAT-PREFIX PORT
    local f=$1 a ok brm other dhe dbrm ec ebrm sys syc inv rate exp
    a=$(analyze "$CAPS_DIR/$f" "$4")
    echo "  tshark: $a"
    ok=$(get ok "$a"); brm=$(get brm "$a"); other=$(get other "$a")
    dhe=$(get dhe "$a"); dbrm=$(get dhe_brm "$a"); ec=$(get ecdhe "$a"); ebrm=$(get ecdhe_brm "$a")
    sys=$(get short_ys "$a"); syc=$(get short_yc "$a"); inv=$(get inv_bad "$a")
    if [ "$inv" != 0 ] || [ "$ebrm" != 0 ] || [ "$other" != 0 ]; then
        echo "ERROR: $f: invariant broken ($a)" >&2; STATUS=1
    fi
    if [ $((ok + brm + other)) != "$RUN_TOTAL" ] || [ "$brm" != "$RUN_FAILS" ]; then
        echo "ERROR: $f: capture has $((ok + brm + other)) handshakes / $brm failures," \
             "clients saw $RUN_TOTAL / $RUN_FAILS" >&2; STATUS=1
    fi
    rate=$(awk -v f="$dbrm" -v n="$dhe" 'BEGIN { if (n) printf "%d/%d = %.2f%% (1/256 = 0.39%%)", f, n, 100*f/n }')
    exp="ok=$ok"; [ "$brm" != 0 ] && exp="$exp failed:dhe_leading_zero=$brm"
    local ecs=""; [ "$ec" != 0 ] && ecs="; ECDHE (same shim) $ebrm/$ec failed"
    TSV_ROWS+=("$f	$exp	$2	$3: DHE bad_record_mac $rate$ecs; dh_Ys/dh_Yc shorter than p: $sys/$syc")
}

# ---- 1. client keeps the leading zeros ---------------------------------------
echo "== dhe-leading-zero: client pads Z (shim), stock server"
run_failing "$OUT_DIR/dhe-leading-zero.pcap" "$SHIM" ""
tsv_row dhe/dhe-leading-zero.pcap \
    "openssl-$OSSL_VER s_client+dhe_pad_shim (keeps Z leading zeros like old Java/SChannel) -> openssl-$OSSL_VER s_server" \
    "TLS 1.2 client keeps leading zero bytes of DH Z, server strips them (RFC 5246 8.1.2)" "$RUN_PORT"

# ---- 2. server keeps the leading zeros (symmetric) -----------------------------
if [ "$SERVER_PADS" = 1 ]; then
    echo "== dhe-leading-zero-server-pads: stock client, server pads Z (shim)"
    run_failing "$OUT_DIR/dhe-leading-zero-server-pads.pcap" "" "$SHIM"
    tsv_row dhe/dhe-leading-zero-server-pads.pcap \
        "openssl-$OSSL_VER s_client -> openssl-$OSSL_VER s_server+dhe_pad_shim (keeps Z leading zeros)" \
        "TLS 1.2 server keeps leading zero bytes of DH Z, client strips them; same alert from the server" "$RUN_PORT"
fi

# ---- 3. negative: stock OpenSSL on both sides ----------------------------------
echo "== dhe-no-shim: $NOSHIM_N stock DHE handshakes"
run_noshim "$OUT_DIR/dhe-no-shim.pcap"
tsv_row dhe/dhe-no-shim.pcap \
    "openssl-$OSSL_VER s_client -> openssl-$OSSL_VER s_server" \
    "negative: both sides strip Z per RFC 5246 8.1.2, no failures expected" "$RUN_PORT"

{
    printf 'file\texpect\tstack\twhat\n'
    printf '%s\n' "${TSV_ROWS[@]}"
} > "$TSV"
echo "wrote $TSV"
exit "$STATUS"
