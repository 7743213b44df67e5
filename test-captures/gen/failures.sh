#!/usr/bin/env bash
# failures.sh: captures of FAILED TLS handshakes between real stacks on loopback, one scenario
# per capture, into test-captures/fail/. Expected outcomes: test-captures/scenarios/fail.tsv.
#   usage: test-captures/gen/failures.sh            (as root: tcpdump on lo; about 1 minute)
# Stacks: OpenSSL 3.0 (s_server/s_client and python ssl), GnuTLS 3.7 (gnutls-serv), plus small
# python socket servers/clients (raw_server.py, raw_client.py, schannel_like_server.py) where a
# stack has to misbehave on purpose. TCP ports 4501-4538 on 127.0.0.1 only.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need openssl gnutls-serv python3 tcpdump timeout
OUT=$CAPS_DIR/fail
mkdir -p "$OUT"
PY=(python3 -u)
export PYTHONDONTWRITEBYTECODE=1
if ss -Hltn 'sport >= :4501 and sport <= :4538' | grep -q .; then
    echo "a port in 4501-4538 is already in use; stop what listens there first" >&2
    exit 2
fi
BGPIDS=()

cleanup() {
    [ -n "${CAP_PID:-}" ] && kill -INT "$CAP_PID" 2>/dev/null
    for p in "${BGPIDS[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
}
trap cleanup EXIT

# --- keys and certificates (fresh each run, in $WORK) -------------------------------------------
cd "$WORK" || exit 2
mkcert() {  # mkcert NAME CN [ISSUER [EXTRA_REQ_ARGS]]: RSA-2048, SHA-256; self-signed without ISSUER
    local name=$1 cn=$2 issuer=${3:-} extra=${4:-}
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$name.key" 2>/dev/null
    if [ -z "$issuer" ]; then
        # shellcheck disable=SC2086
        openssl req -x509 -new -key "$name.key" -subj "/CN=$cn" -days 3650 -sha256 \
            $extra -out "$name.pem" 2>/dev/null
    else
        openssl req -new -key "$name.key" -subj "/CN=$cn" -out "$name.csr" 2>/dev/null
        printf 'subjectAltName=DNS:%s\n' "$cn" >"$name.ext"
        openssl x509 -req -in "$name.csr" -CA "$issuer.pem" -CAkey "$issuer.key" -CAcreateserial \
            -days 3650 -sha256 -extfile "$name.ext" -out "$name.pem" 2>/dev/null
    fi
}
mkcert ca "tlsexplain test CA" "" "-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign"
mkcert server localhost ca
mkcert server2 www.example.com ca
mkcert rogue rogue-client "" "-addext extendedKeyUsage=clientAuth"  # self-signed, unknown to the server
mkcert client good-client ca  # a client certificate the server trusts
openssl dhparam -out dh1024.pem 1024 2>/dev/null
CERT=(-cert "$WORK/server.pem" -key "$WORK/server.key")

# --- helpers --------------------------------------------------------------------------------------
srv() {  # srv NAME PORT ARGS...: openssl s_server -www in the background
    local name=$1 port=$2; shift 2
    openssl s_server -accept "127.0.0.1:$port" -www "${CERT[@]}" "$@" >"$WORK/$name.srv.log" 2>&1 &
    SRV=$!; BGPIDS+=("$SRV")
    wait_port "$port"
}
bgsrv() {  # bgsrv NAME PORT CMD...: any background server
    local name=$1 port=$2; shift 2
    "$@" >"$WORK/$name.srv.log" 2>&1 &
    SRV=$!; BGPIDS+=("$SRV")
    wait_port "$port"
}
cli() {  # cli NAME PORT ARGS...: one s_client connection that sends "GET /" and waits for the answer
    local name=$1 port=$2; shift 2
    printf 'GET / HTTP/1.0\r\n\r\n' | timeout 5 openssl s_client -connect "127.0.0.1:$port" -ign_eof "$@" \
        >>"$WORK/$name.cli.log" 2>&1 || true
}
begin() { NAME=$1; PORT=$2; cap_start "$OUT/$NAME.pcap" "tcp port $PORT"; }
finish() { cap_stop; stop_bg "$@"; }

ATS='ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-SHA384:ECDHE-ECDSA-AES256-SHA:ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES128-SHA'

# --- no_forward_secret_suite (support case 1): SChannel-like server, RSA-only suites --------------
bgsrv no-fs-suite 4501 "${PY[@]}" "$GEN_DIR/schannel_like_server.py" 4501 "$WORK/server.pem" "$WORK/server.key"
begin no-fs-suite 4501
for _ in 1 2 3 4; do cli no-fs-suite 4501 -tls1_2 -servername localhost; done
cli no-fs-suite 4501 -tls1_2 -servername localhost -cipher "$ATS"  # iOS ATS: the 11 ECDHE suites only -> RST
finish "$SRV"

bgsrv no-fs-suite-alone 4502 "${PY[@]}" "$GEN_DIR/schannel_like_server.py" 4502 "$WORK/server.pem" "$WORK/server.key"
begin no-fs-suite-alone 4502
cli no-fs-suite-alone 4502 -tls1_2 -servername localhost -cipher "$ATS"
finish "$SRV"

# --- no_shared_cipher_suite ----------------------------------------------------------------------
srv no-shared-cipher 4503 -tls1_2 -cipher AES256-SHA
begin no-shared-cipher 4503
cli no-shared-cipher 4503 -tls1_2 -cipher AES128-SHA
finish "$SRV"

# --- protocol_version_mismatch -------------------------------------------------------------------
srv version-tls13-client 4504 -tls1_2
begin version-tls13-client 4504
cli version-tls13-client 4504 -tls1_3
finish "$SRV"

srv version-tls11-client 4505 -tls1_3
begin version-tls11-client 4505
cli version-tls11-client 4505 -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0'
finish "$SRV"

# --- inappropriate_fallback ----------------------------------------------------------------------
srv inappropriate-fallback 4506 -cipher 'DEFAULT:@SECLEVEL=0'
begin inappropriate-fallback 4506
cli inappropriate-fallback 4506 -tls1_1 -fallback_scsv -cipher 'DEFAULT:@SECLEVEL=0'
finish "$SRV"

# --- sni_required --------------------------------------------------------------------------------
srv sni-unrecognized 4507 -servername www.example.com -servername_fatal \
    -cert2 "$WORK/server2.pem" -key2 "$WORK/server2.key"
begin sni-unrecognized 4507
cli sni-unrecognized 4507 -servername wrong.example.net
finish "$SRV"

bgsrv sni-missing 4508 "${PY[@]}" "$GEN_DIR/raw_server.py" sni 4508 "$WORK/server.pem" "$WORK/server.key"
begin sni-missing 4508
cli sni-missing 4508 -servername localhost
cli sni-missing 4508 -noservername
finish "$SRV"

# --- alpn_mismatch (GnuTLS server) ---------------------------------------------------------------
bgsrv alpn-mismatch 4509 gnutls-serv --port 4509 --http --alpn=h2 --alpn-fatal \
    --x509certfile "$WORK/server.pem" --x509keyfile "$WORK/server.key"
begin alpn-mismatch 4509
cli alpn-mismatch 4509 -alpn http/1.1
finish "$SRV"

# --- client_certificate_required / client_certificate_rejected -----------------------------------
srv client-cert-required-tls12 4510 -tls1_2 -Verify 1 -CAfile "$WORK/ca.pem"
begin client-cert-required-tls12 4510
cli client-cert-required-tls12 4510 -tls1_2
finish "$SRV"

srv client-cert-required-tls13 4511 -tls1_3 -Verify 1 -CAfile "$WORK/ca.pem"
begin client-cert-required-tls13 4511
cli client-cert-required-tls13 4511 -tls1_3
finish "$SRV"

srv client-cert-rejected 4512 -tls1_2 -Verify 1 -verify_return_error -CAfile "$WORK/ca.pem"
begin client-cert-rejected 4512
cli client-cert-rejected 4512 -tls1_2 -cert "$WORK/rogue.pem" -key "$WORK/rogue.key"
finish "$SRV"

# --- no_shared_group / no_shared_signature_algorithm / dh_parameters_rejected --------------------
srv no-shared-group 4513 -groups P-384
begin no-shared-group 4513
cli no-shared-group 4513 -tls1_3 -groups X25519
finish "$SRV"

srv no-shared-sigalg 4514
begin no-shared-sigalg 4514
cli no-shared-sigalg 4514 -tls1_3 -sigalgs ECDSA+SHA256
finish "$SRV"

# The server offers DHE only, with a 1024-bit group (it must lower its own security level to load
# it); the default client (Debian builds OpenSSL with security level 2) says "dh key too small".
srv dh-too-small 4515 -tls1_2 -cipher 'DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES128-SHA:@SECLEVEL=1' -dhparam "$WORK/dh1024.pem"
begin dh-too-small 4515
cli dh-too-small 4515
finish "$SRV"

# --- http2_blocklisted_suite ---------------------------------------------------------------------
srv h2-blocklisted-suite 4516 -tls1_2 -cipher AES128-SHA -alpn h2
begin h2-blocklisted-suite 4516
timeout 5 "${PY[@]}" "$GEN_DIR/raw_client.py" h2 4516 >>"$WORK/h2-blocklisted-suite.cli.log" 2>&1
finish "$SRV"

# --- record_split_rejected: TLS 1.0 CBC, 1/n-1 split, proxy resets (server of MS12-006) ----------
srv record-split-backend 4518 -tls1 -cipher 'AES128-SHA:@SECLEVEL=0'
BACK=$SRV
bgsrv record-split 4517 "${PY[@]}" "$GEN_DIR/raw_server.py" split-proxy 4517 4518
begin record-split 4517
timeout 5 "${PY[@]}" "$GEN_DIR/raw_client.py" split 4517 >>"$WORK/record-split.cli.log" 2>&1
finish "$SRV" "$BACK"

# --- bad_record_mac: a faulty middlebox flips a bit of the client's Finished (ECDHE, no DHE) ----
srv bad-mac-backend 4535 -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
BACK=$SRV
bgsrv bad-record-mac 4534 "${PY[@]}" "$GEN_DIR/raw_server.py" corrupt-proxy 4534 4535
begin bad-record-mac 4534
cli bad-record-mac 4534 -tls1_2
finish "$SRV" "$BACK"

# --- dh_parameters_rejected, GnuTLS client: it says insufficient_security ------------------------
srv dh-too-small-gnutls 4536 -tls1_2 -cipher 'DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES128-SHA:@SECLEVEL=1' -dhparam "$WORK/dh1024.pem"
begin dh-too-small-gnutls 4536
printf 'GET / HTTP/1.0\r\n\r\n' | timeout 5 gnutls-cli --insecure --port 4536 \
    --priority 'NORMAL:-KX-ALL:+DHE-RSA:-VERS-ALL:+VERS-TLS1.2:%PROFILE_MEDIUM' 127.0.0.1 \
    >>"$WORK/dh-too-small-gnutls.cli.log" 2>&1 || true
finish "$SRV"

# --- decrypt_error: a faulty middlebox flips a bit of the client's CertificateVerify --------------
srv decrypt-error-backend 4538 -tls1_2 -Verify 1 -verify_return_error -CAfile "$WORK/ca.pem"
BACK=$SRV
bgsrv decrypt-error 4537 "${PY[@]}" "$GEN_DIR/raw_server.py" corrupt-cv-proxy 4537 4538
begin decrypt-error 4537
cli decrypt-error 4537 -tls1_2 -cert "$WORK/client.pem" -key "$WORK/client.key"
finish "$SRV" "$BACK"

# --- client_hello_size_intolerance: F5-like front hangs on 256..511-byte ClientHello records ------
srv ch-size-backend 4520
BACK=$SRV
bgsrv ch-size-intolerance 4519 "${PY[@]}" "$GEN_DIR/raw_server.py" f5 4519 4520
begin ch-size-intolerance 4519
# a ClientHello record of 552 bytes (long SNI) passes and completes; the default 292-byte one hangs
L=$(printf '%060d' 0 | tr 0 a)
cli ch-size-intolerance 4519 -servername "$L.$L.$L.$L.example"
printf 'GET / HTTP/1.0\r\n\r\n' | timeout 2 openssl s_client -connect 127.0.0.1:4519 -ign_eof \
    >>"$WORK/ch-size-intolerance.cli.log" 2>&1
finish "$SRV" "$BACK"

# --- transport-level and silent failures ---------------------------------------------------------
bgsrv server-no-response 4521 "${PY[@]}" "$GEN_DIR/raw_server.py" silent 4521
begin server-no-response 4521
# python ssl: its 512-byte ClientHello (padding extension) is outside the F5 256..511 range
timeout 5 "${PY[@]}" "$GEN_DIR/raw_client.py" wait 4521 >>"$WORK/server-no-response.cli.log" 2>&1
finish "$SRV"

begin connection-refused 4522       # nothing listens on 4522
cli connection-refused 4522
finish

"${PY[@]}" "$GEN_DIR/raw_server.py" backlog 4523 >"$WORK/no-syn-ack.srv.log" 2>&1 &
SRV=$!; BGPIDS+=("$SRV")
for _ in $(seq 1 50); do grep -q ready "$WORK/no-syn-ack.srv.log" && break; sleep 0.1; done
begin no-syn-ack 4523
printf 'GET / HTTP/1.0\r\n\r\n' | timeout 3 openssl s_client -connect 127.0.0.1:4523 -ign_eof \
    >>"$WORK/no-syn-ack.cli.log" 2>&1
finish "$SRV"

srv client-aborted 4524 -tls1_2
begin client-aborted 4524
timeout 5 "${PY[@]}" "$GEN_DIR/raw_client.py" abort 4524 >>"$WORK/client-aborted.cli.log" 2>&1
finish "$SRV"

srv plaintext-to-tls-port 4525
begin plaintext-to-tls-port 4525
cli plaintext-to-tls-port 4525      # one good TLS connection first: shows that the port speaks TLS
timeout 5 "${PY[@]}" "$GEN_DIR/raw_client.py" http 4525 >>"$WORK/plaintext-to-tls-port.cli.log" 2>&1
finish "$SRV"

bgsrv tls-to-plaintext-port 4526 "${PY[@]}" "$GEN_DIR/raw_server.py" http 4526
begin tls-to-plaintext-port 4526
cli tls-to-plaintext-port 4526
finish "$SRV"

bgsrv server-reset-after-hello 4527 "${PY[@]}" "$GEN_DIR/raw_server.py" reset 4527
begin server-reset-after-hello 4527
cli server-reset-after-hello 4527
finish "$SRV"

# --- alerts provoked from a real OpenSSL server by broken client messages ------------------------
port=4528
for kind in decode_error illegal_parameter missing_extension unexpected_message record_overflow; do
    name=alert-${kind//_/-}
    srv "$name" $port
    begin "$name" $port
    timeout 5 "${PY[@]}" "$GEN_DIR/raw_client.py" "$kind" $port >>"$WORK/$name.cli.log" 2>&1
    finish "$SRV"
    port=$((port + 1))
done

# --- capture_incomplete: a handshake that worked, recorded with a 96-byte snap length -------------
srv capture-snaplen 4533
cap_start "$OUT/capture-snaplen.pcap" "tcp port 4533" 96
cli capture-snaplen 4533
finish "$SRV"
CAP_PID=

echo "logs in $WORK"
