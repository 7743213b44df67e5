#!/usr/bin/env bash
# reason.sh: captures of KNOWN cause for the evidence-weighing rule engine, into
# test-captures/reason/. Each capture holds the failure, and where it helps the contrast the
# same server's successes, and near misses (a rule's signature almost there, another cause
# true). Expected outcomes and ground truth: test-captures/reason/EXPECTED.tsv and NEGATIVES.tsv.
#   usage: test-captures/gen/reason.sh [CASE...]     (root: tcpdump on lo; all cases 3-5 minutes)
#   cases: sni group sigalg dhe_suite tls11 ssl3 untrusted plaintext starttls size dhe_zero
#          bad_mac late_alert weak near_miss
# Stacks: OpenSSL 3.0 (s_server/s_client, python ssl), GnuTLS 3.7 (gnutls-serv/cli), nginx 1.22,
# OpenJDK 17, PostgreSQL 15, python3-aiosmtpd; small python relays (reason_helper.py) and an
# LD_PRELOAD shim (strict_ys_shim.c) where a stack must misbehave. TCP ports 4801-4836 on
# 127.0.0.1 only.
# The frame numbers in EXPECTED.tsv are those of the committed captures: a new run can swap two
# FINs, and dhe-short-ys.pcap has a different number of failures each time (the case prints the
# frames to write there); check each capture with tshark -d tcp.port==PORT,tls before committing.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need openssl gnutls-serv gnutls-cli nginx java node curl psql runuser python3 tcpdump tshark editcap timeout cc
/usr/bin/python3 -c "import aiosmtpd" 2>/dev/null || { echo "missing: python3-aiosmtpd (apt-get install python3-aiosmtpd)" >&2; exit 2; }
[ -d /usr/lib/postgresql ] || { echo "missing: postgresql (apt-get install postgresql)" >&2; exit 2; }
OUT=$CAPS_DIR/reason
mkdir -p "$OUT"
PY=(python3 -u)
PYDEB=(/usr/bin/python3 -u)  # Debian python3: python3-aiosmtpd lives there
export PYTHONDONTWRITEBYTECODE=1
if ss -Hltn 'sport >= :4801 and sport <= :4836' | grep -q .; then
    echo "a port in 4801-4836 is already in use; stop what listens there first" >&2
    exit 2
fi
BGPIDS=()
cleanup() {
    [ -n "${CAP_PID:-}" ] && kill -INT "$CAP_PID" 2>/dev/null
    for p in "${BGPIDS[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    [ -n "${PGBASE:-}" ] && rm -rf "$PGBASE"
}
trap cleanup EXIT

# --- keys and certificates (fresh each run, in $WORK) -------------------------------------------
cd "$WORK" || exit 2
mkcert() {  # mkcert NAME CN [ISSUER [CA]]: RSA-2048, SHA-256; self-signed root without ISSUER
    local name=$1 cn=$2 issuer=${3:-} ca=${4:-}
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$name.key" 2>/dev/null
    if [ -z "$issuer" ]; then
        openssl req -x509 -new -key "$name.key" -subj "/CN=$cn" -days 3650 -sha256 \
            -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
            -out "$name.pem" 2>/dev/null
    else
        openssl req -new -key "$name.key" -subj "/CN=$cn" -out "$name.csr" 2>/dev/null
        if [ -n "$ca" ]; then
            printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' >"$name.ext"
        else
            printf 'subjectAltName=DNS:%s\n' "$cn" >"$name.ext"
        fi
        openssl x509 -req -in "$name.csr" -CA "$issuer.pem" -CAkey "$issuer.key" -CAcreateserial \
            -days 3650 -sha256 -extfile "$name.ext" -out "$name.pem" 2>/dev/null
    fi
}
if [ ! -f server.pem ]; then
    mkcert ca "tlsexplain reason test root"
    mkcert server localhost ca
    mkcert other_root "tlsexplain reason other root"          # trusted by nobody's server
    mkcert inter "tlsexplain reason intermediate" other_root ca
    mkcert leaf localhost inter                               # leaf <- intermediate <- other_root
    cat leaf.pem inter.pem >leaf_chain.pem
fi
CERT=(-cert "$WORK/server.pem" -key "$WORK/server.key")

# --- helpers --------------------------------------------------------------------------------------
srv() {  # srv NAME PORT ARGS...: openssl s_server -www in the background
    local name=$1 port=$2; shift 2
    openssl s_server -accept "127.0.0.1:$port" -www "$@" >"$WORK/$name.srv.log" 2>&1 &
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
gcli() {  # gcli NAME PORT ARGS...: one gnutls-cli connection that sends "GET /"
    local name=$1 port=$2; shift 2
    printf 'GET / HTTP/1.0\r\n\r\n' | timeout 5 gnutls-cli --port "$port" "$@" 127.0.0.1 \
        >>"$WORK/$name.cli.log" 2>&1 || true
}
begin() { NAME=$1; PORT=$2; cap_start "$OUT/$NAME.pcap" "tcp port $PORT"; }
finish() {  # finish [PID...]: stop the capture and the servers; say so if the capture lost packets
    local lost
    cap_stop; stop_bg "$@"; CAP_PID=
    # tcpdump drops packets when the machine is overloaded; such a capture is not ground truth
    lost=$(tshark -r "$CAP_FILE" -Y 'tcp.analysis.lost_segment || tcp.analysis.ack_lost_segment' 2>/dev/null | wc -l)
    [ "$lost" = 0 ] || echo "WARNING: $CAP_FILE misses packets ($lost gaps): run this case again" >&2
}

nginx_conf() {  # nginx_conf NAME PORT SERVER_BLOCKS: a foreground nginx under $WORK/NAME.nginx
    local dir=$WORK/$1.nginx
    mkdir -p "$dir/logs"
    cat >"$dir/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
user root;
pid $dir/nginx.pid;
error_log $dir/logs/error.log info;
events { worker_connections 64; }
http {
    access_log $dir/logs/access.log;
    client_body_temp_path $dir; proxy_temp_path $dir; fastcgi_temp_path $dir;
    uwsgi_temp_path $dir; scgi_temp_path $dir;
$3
}
EOF
    bgsrv "$1" "$2" nginx -p "$dir" -c "$dir/nginx.conf"
}

# --- 1. sni_required: the server needs SNI; a client without it is refused ----------------------
case_sni() {
    # python ssl server: sni_callback answers handshake_failure to a hello without server_name.
    bgsrv sni-required-python 4801 "${PY[@]}" "$GEN_DIR/reason_helper.py" sni-server 4801 \
        "$WORK/server.pem" "$WORK/server.key"
    begin sni-required-python 4801
    cli sni-required-python 4801 -servername localhost
    cli sni-required-python 4801 -servername localhost
    cli sni-required-python 4801 -servername localhost -tls1_2
    cli sni-required-python 4801 -noservername
    finish "$SRV"

    # nginx: the default server rejects the handshake, the named one has the certificate.
    nginx_conf sni-required-nginx 4802 "
    server { listen 127.0.0.1:4802 ssl default_server; ssl_reject_handshake on; }
    server { listen 127.0.0.1:4802 ssl; server_name localhost;
             ssl_certificate $WORK/server.pem; ssl_certificate_key $WORK/server.key;
             location / { return 200 \"ok\n\"; } }"
    begin sni-required-nginx 4802
    cli sni-required-nginx 4802 -servername localhost
    gcli sni-required-nginx 4802 --insecure --sni-hostname localhost
    cli sni-required-nginx 4802 -noservername
    gcli sni-required-nginx 4802 --insecure --disable-sni
    finish "$SRV"
}

# --- 2. no_shared_group: TLS 1.3-only offer, all standard suites, no group in common -------------
case_group() {
    srv no-shared-group-openssl 4803 "${CERT[@]}" -groups P-384
    begin no-shared-group-openssl 4803
    cli no-shared-group-openssl 4803 -servername localhost -groups P-384      # key_share P-384: ok
    cli no-shared-group-openssl 4803 -servername localhost                    # x25519 share, P-384 listed: HRR, ok
    cli no-shared-group-openssl 4803 -servername localhost -tls1_3 -groups X25519:P-256
    finish "$SRV"

    bgsrv no-shared-group-gnutls 4804 gnutls-serv --port 4804 --http \
        --priority 'NORMAL:-GROUP-ALL:+GROUP-SECP384R1' \
        --x509certfile "$WORK/server.pem" --x509keyfile "$WORK/server.key"
    begin no-shared-group-gnutls 4804
    gcli no-shared-group-gnutls 4804 --insecure --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.3'
    gcli no-shared-group-gnutls 4804 --insecure --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.3:-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1'
    cli no-shared-group-gnutls 4804 -tls1_3 -groups X25519:P-256:P-521
    finish "$SRV"

    nginx_conf no-shared-group-nginx 4832 "
    server { listen 127.0.0.1:4832 ssl; server_name localhost;
             ssl_certificate $WORK/server.pem; ssl_certificate_key $WORK/server.key;
             ssl_protocols TLSv1.2 TLSv1.3; ssl_ecdh_curve secp384r1;
             location / { return 200 \"ok\n\"; } }"
    begin no-shared-group-nginx 4832
    cli no-shared-group-nginx 4832 -servername localhost                                  # HRR to secp384r1: ok
    gcli no-shared-group-nginx 4832 --insecure --sni-hostname localhost                   # HRR: ok
    cli no-shared-group-nginx 4832 -servername localhost -tls1_3 -groups X25519:P-256
    gcli no-shared-group-nginx 4832 --insecure --sni-hostname localhost \
        --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.3:-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1'
    finish "$SRV"
}

# --- 3. no_shared_signature_algorithm: TLS 1.3 offer with rsa_pkcs1_* only, RSA server ----------
# RFC 8446 4.4.3: RSA signatures in TLS 1.3 CertificateVerify must be RSASSA-PSS; PKCS#1 v1.5
# schemes are only for certificates. The same list is fine in TLS 1.2 (RFC 5246 7.4.1.4.1).
PKCS1='RSA+SHA256:RSA+SHA384:RSA+SHA512'
GPKCS1='-SIGN-ALL:+SIGN-RSA-SHA256:+SIGN-RSA-SHA384:+SIGN-RSA-SHA512'   # the same, GnuTLS priority
case_sigalg() {
    srv no-shared-sigalg-openssl 4805 "${CERT[@]}"
    begin no-shared-sigalg-openssl 4805
    cli no-shared-sigalg-openssl 4805 -servername localhost                      # default: ok (PSS)
    cli no-shared-sigalg-openssl 4805 -servername localhost -tls1_2 -sigalgs "$PKCS1"  # near miss: ok
    cli no-shared-sigalg-openssl 4805 -servername localhost -tls1_3 -sigalgs "$PKCS1"
    gcli no-shared-sigalg-openssl 4805 --insecure --priority "NORMAL:-VERS-ALL:+VERS-TLS1.2:$GPKCS1"  # ok
    gcli no-shared-sigalg-openssl 4805 --insecure --priority "NORMAL:-VERS-ALL:+VERS-TLS1.3:$GPKCS1"
    finish "$SRV"

    bgsrv no-shared-sigalg-gnutls 4806 gnutls-serv --port 4806 --http \
        --x509certfile "$WORK/server.pem" --x509keyfile "$WORK/server.key"
    begin no-shared-sigalg-gnutls 4806
    gcli no-shared-sigalg-gnutls 4806 --insecure
    cli no-shared-sigalg-gnutls 4806 -servername localhost -tls1_2 -sigalgs "$PKCS1"
    cli no-shared-sigalg-gnutls 4806 -servername localhost -tls1_3 -sigalgs "$PKCS1"
    gcli no-shared-sigalg-gnutls 4806 --insecure --priority "NORMAL:-VERS-ALL:+VERS-TLS1.3:$GPKCS1"
    finish "$SRV"
}

# --- 4. no_shared_cipher_suite: a DHE-only client (forward secret) to an ECDHE-only server -------
ECDHE_ONLY='ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305'
case_dhe_suite() {
    srv dhe-suite-openssl 4807 "${CERT[@]}" -tls1_2 -cipher "$ECDHE_ONLY"
    begin dhe-suite-openssl 4807
    cli dhe-suite-openssl 4807 -servername localhost
    cli dhe-suite-openssl 4807 -servername localhost
    cli dhe-suite-openssl 4807 -servername localhost -tls1_2 -cipher DHE-RSA-AES256-SHA256
    finish "$SRV"

    nginx_conf dhe-suite-nginx 4808 "
    server { listen 127.0.0.1:4808 ssl; server_name localhost;
             ssl_certificate $WORK/server.pem; ssl_certificate_key $WORK/server.key;
             ssl_protocols TLSv1.2; ssl_ciphers $ECDHE_ONLY;
             location / { return 200 \"ok\n\"; } }"
    begin dhe-suite-nginx 4808
    gcli dhe-suite-nginx 4808 --insecure
    cli dhe-suite-nginx 4808 -servername localhost
    cli dhe-suite-nginx 4808 -servername localhost -tls1_2 -cipher DHE-RSA-AES256-SHA256
    gcli dhe-suite-nginx 4808 --insecure --priority 'NONE:+VERS-TLS1.2:+DHE-RSA:+AES-256-CBC:+SHA256:+SIGN-ALL:+COMP-NULL:+GROUP-ALL'
    finish "$SRV"
}

# --- 5. protocol_version_mismatch: a server that chooses TLS 1.1 ---------------------------------
# s_client at security level 1 still offers TLS 1.1 but cannot check the MD5+SHA-1 signature a
# TLS 1.1 ServerKeyExchange carries (RFC 4346 7.4.3): it answers internal_error ("legacy sigalg
# disallowed or unsupported"), not protocol_version. Clients whose minimum is TLS 1.2 (s_client
# -tls1_2, node.js defaults) refuse the same ServerHello with protocol_version.
case_tls11() {
    srv tls11-server 4809 "${CERT[@]}" -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0'
    begin tls11-server 4809
    cli tls11-server 4809 -servername localhost -cipher 'DEFAULT:@SECLEVEL=1' -max_protocol TLSv1.2 -min_protocol TLSv1.1
    cli tls11-server 4809 -servername localhost -tls1_2
    timeout 5 node -e 'const tls = require("tls");
        const s = tls.connect({host: "127.0.0.1", port: 4809, servername: "localhost",
                               rejectUnauthorized: false, maxVersion: "TLSv1.2"},
                              () => { console.log("ok", s.getProtocol()); s.end(); });
        s.on("error", e => console.log("node error:", e.message));' >>"$WORK/tls11-server.cli.log" 2>&1
    cli tls11-server 4809 -servername localhost -cipher 'DEFAULT:@SECLEVEL=0' -tls1_1   # near miss: ok
    finish "$SRV"

    nginx_conf tls11-nginx 4833 "
    server { listen 127.0.0.1:4833 ssl; server_name localhost;
             ssl_certificate $WORK/server.pem; ssl_certificate_key $WORK/server.key;
             ssl_protocols TLSv1.1; ssl_ciphers DEFAULT:@SECLEVEL=0;
             location / { return 200 \"ok\n\"; } }"
    begin tls11-nginx 4833
    cli tls11-nginx 4833 -servername localhost -cipher 'DEFAULT:@SECLEVEL=1' -max_protocol TLSv1.2 -min_protocol TLSv1.1
    gcli tls11-nginx 4833 --insecure --sni-hostname localhost --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2'
    "${PY[@]}" -c 'import socket, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
try:
    ctx.wrap_socket(socket.create_connection(("127.0.0.1", 4833), timeout=5), server_hostname="localhost")
except (ssl.SSLError, OSError) as e:
    print("python ssl:", e)' >>"$WORK/tls11-nginx.cli.log" 2>&1
    finish "$SRV"
}

# --- 6. protocol_version_mismatch: an SSL 3.0-only client (OpenJDK with SSLv3 re-enabled) --------
JAVA_CLIENT=(java -Djava.security.properties="$WORK/java.security" "$GEN_DIR/ReasonClient.java")
case_ssl3() {
    printf 'jdk.tls.disabledAlgorithms=\n' >"$WORK/java.security"
    srv ssl3-openssl 4810 "${CERT[@]}"
    begin ssl3-openssl 4810
    timeout 20 "${JAVA_CLIENT[@]}" 127.0.0.1 4810 TLSv1.2 >>"$WORK/ssl3-openssl.cli.log" 2>&1
    timeout 20 "${JAVA_CLIENT[@]}" 127.0.0.1 4810 SSLv3 >>"$WORK/ssl3-openssl.cli.log" 2>&1
    finish "$SRV"

    bgsrv ssl3-gnutls 4811 gnutls-serv --port 4811 --http \
        --x509certfile "$WORK/server.pem" --x509keyfile "$WORK/server.key"
    begin ssl3-gnutls 4811
    timeout 20 "${JAVA_CLIENT[@]}" 127.0.0.1 4811 TLSv1.3,TLSv1.2 >>"$WORK/ssl3-gnutls.cli.log" 2>&1
    timeout 20 "${JAVA_CLIENT[@]}" 127.0.0.1 4811 SSLv3 >>"$WORK/ssl3-gnutls.cli.log" 2>&1
    finish "$SRV"
}

# --- 7. certificate_untrusted: a complete chain to a root the client does not trust -------------
# TLS 1.2 so that the chain is in clear (RFC 5246 7.4.2); the TLS 1.3 Certificate is encrypted.
case_untrusted() {
    cat "$WORK/inter.pem" "$WORK/other_root.pem" >"$WORK/inter_root.pem"
    srv untrusted-root 4812 -no_tls1_3 -cert "$WORK/leaf.pem" -key "$WORK/leaf.key" -cert_chain "$WORK/inter.pem"
    begin untrusted-root 4812
    cli untrusted-root 4812 -servername localhost -CAfile "$WORK/other_root.pem" -verify_return_error   # ok
    cli untrusted-root 4812 -servername localhost -CAfile "$WORK/ca.pem" -verify_return_error
    gcli untrusted-root 4812 --x509cafile "$WORK/ca.pem" --sni-hostname localhost
    finish "$SRV"

    # near miss: the server forgets its intermediate; the client trusts the root
    srv chain-incomplete 4813 -no_tls1_3 -cert "$WORK/leaf.pem" -key "$WORK/leaf.key"
    begin chain-incomplete 4813
    cli chain-incomplete 4813 -servername localhost -CAfile "$WORK/inter_root.pem" -verify_return_error  # ok: client has it
    cli chain-incomplete 4813 -servername localhost -CAfile "$WORK/other_root.pem" -verify_return_error
    gcli chain-incomplete 4813 --x509cafile "$WORK/other_root.pem" --sni-hostname localhost
    finish "$SRV"
}

# --- 8. plaintext_to_tls_port: plain HTTP to a TLS port, alone in the capture -------------------
case_plaintext() {
    srv plaintext-openssl 4814 "${CERT[@]}"
    begin plaintext-openssl 4814
    timeout 5 curl -sS -m 3 http://localhost:4814/ >>"$WORK/plaintext-openssl.cli.log" 2>&1
    finish "$SRV"

    nginx_conf plaintext-nginx 4815 "
    server { listen 127.0.0.1:4815 ssl; server_name localhost;
             ssl_certificate $WORK/server.pem; ssl_certificate_key $WORK/server.key;
             location / { return 200 \"ok\n\"; } }"
    begin plaintext-nginx 4815
    timeout 5 curl -sS -m 3 http://localhost:4815/ >>"$WORK/plaintext-nginx.cli.log" 2>&1
    finish "$SRV"

    # near miss: PostgreSQL's SSLRequest (8 bytes in clear) answered 'S', then TLS: ok
    pg_start pg-ssl-on 4816 on
    begin pg-ssl-on 4816
    pg_client pg-ssl-on 4816 require
    finish "$SRV"; pg_clean
}

# --- 9. starttls_refused --------------------------------------------------------------------------
pg_start() {  # pg_start NAME PORT on|off: a throwaway PostgreSQL 15 cluster (trust auth, loopback)
    local name=$1 port=$2 ssl=$3 bin
    bin=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -1)
    PGBASE=$(mktemp -d /tmp/tlsx-pg.XXXXXX)
    chown postgres "$PGBASE"
    runuser -u postgres -- "$bin/initdb" -D "$PGBASE/data" --auth=trust -U postgres >"$WORK/$name.initdb.log" 2>&1
    install -o postgres -m 0600 "$WORK/server.key" "$PGBASE/server.key"
    install -o postgres -m 0644 "$WORK/server.pem" "$PGBASE/server.pem"
    bgsrv "$name" "$port" runuser -u postgres -- "$bin/postgres" -D "$PGBASE/data" -p "$port" \
        -c listen_addresses=127.0.0.1 -c unix_socket_directories="$PGBASE" -c ssl="$ssl" \
        -c ssl_cert_file="$PGBASE/server.pem" -c ssl_key_file="$PGBASE/server.key" -c log_connections=on
}
pg_clean() { rm -rf "$PGBASE"; PGBASE=; }
pg_client() {  # pg_client NAME PORT SSLMODE
    timeout 10 psql "host=127.0.0.1 port=$2 user=postgres dbname=postgres sslmode=$3" \
        -c 'select version()' >>"$WORK/$1.cli.log" 2>&1
}
case_starttls() {
    pg_start pg-ssl-off 4817 off
    begin pg-ssl-off 4817
    pg_client pg-ssl-off 4817 require
    finish "$SRV"; pg_clean

    # aiosmtpd without a TLS context: no STARTTLS in the EHLO answer, 454 to STARTTLS
    bgsrv smtp-no-starttls 4818 "${PYDEB[@]}" "$GEN_DIR/reason_helper.py" smtp 4818
    begin smtp-no-starttls 4818
    timeout 5 "${PYDEB[@]}" "$GEN_DIR/reason_helper.py" smtp-client 4818 >>"$WORK/smtp-no-starttls.cli.log" 2>&1
    timeout 5 openssl s_client -connect 127.0.0.1:4818 -starttls smtp -name client.localhost \
        </dev/null >>"$WORK/smtp-no-starttls.cli.log" 2>&1
    finish "$SRV"

    # near miss: the same server with a certificate; STARTTLS then TLS, ok
    bgsrv smtp-starttls-ok 4819 "${PYDEB[@]}" "$GEN_DIR/reason_helper.py" smtp 4819 "$WORK/server.pem" "$WORK/server.key"
    begin smtp-starttls-ok 4819
    timeout 5 "${PYDEB[@]}" "$GEN_DIR/reason_helper.py" smtp-client 4819 >>"$WORK/smtp-starttls-ok.cli.log" 2>&1
    printf 'QUIT\r\n' | timeout 5 openssl s_client -connect 127.0.0.1:4819 -starttls smtp -name client.localhost \
        -ign_eof >>"$WORK/smtp-starttls-ok.cli.log" 2>&1
    finish "$SRV"
}

# --- 10. client_hello_size_intolerance: a middlebox resets first records of 256..511 bytes --------
# The same client programs, made to send hellos below, inside and above the range: fewer suites
# and TLS 1.2 only (< 256), defaults (256..511), a long SNI or GnuTLS %DUMBFW (RFC 7685 padding
# extension, hello padded to 512 bytes) above.
case_size() {
    local long
    long=$(printf '%060d' 0 | tr 0 a)
    long="$long.$long.$long.$long.localhost"
    srv size-backend 4821 "${CERT[@]}"
    local back=$SRV
    bgsrv size-intolerance 4820 "${PY[@]}" "$GEN_DIR/reason_helper.py" size-rst 4820 4821
    begin size-intolerance 4820
    cli size-intolerance 4820 -servername localhost -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256   # < 256: ok
    cli size-intolerance 4820 -servername localhost                                              # 256..511: RST
    cli size-intolerance 4820 -servername "$long"                                                # >= 512: ok
    gcli size-intolerance 4820 --insecure --sni-hostname localhost                              # 256..511: RST
    gcli size-intolerance 4820 --insecure --sni-hostname localhost --priority 'NORMAL:%DUMBFW'   # 512: ok
    finish "$SRV" "$back"

    # near miss: a server that resets every ClientHello whatever its size
    bgsrv reset-every-hello 4822 "${PY[@]}" "$GEN_DIR/raw_server.py" reset 4822
    begin reset-every-hello 4822
    cli reset-every-hello 4822 -servername localhost -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
    cli reset-every-hello 4822 -servername localhost
    cli reset-every-hello 4822 -servername "$long"
    gcli reset-every-hello 4822 --insecure --sni-hostname localhost --priority 'NORMAL:%DUMBFW'
    finish "$SRV"
}

# --- 11. dhe_leading_zero: GnuTLS strips leading zeros of Ys, a strict client refuses short ones --
# TLS 1.2 DHE handshakes from s_client with strict_ys_shim.so (a dh_Ys shorter than p gets
# illegal_parameter) to gnutls-serv; ~1 in 256 fail. At least DHE_N (1000) handshakes, then on
# until MIN_FAIL (3) were refused; never more than DHE_CAP (2500) handshakes or DHE_SECS (300) s.
case_dhe_zero() {
    local n=${DHE_N:-1000} min=${MIN_FAIL:-3} cap=${DHE_CAP:-2500} secs=${DHE_SECS:-300}
    local shim=$WORK/strict_ys_shim.so log=$WORK/dhe-short-ys.cli.log i=0 refused=0 t0
    cc -shared -fPIC -O2 -Wall -Wextra -Werror -o "$shim" "$GEN_DIR/strict_ys_shim.c" -ldl -lcrypto || return 1
    bgsrv dhe-short-ys 4823 gnutls-serv --port 4823 --http --priority 'NORMAL:-KX-ALL:+DHE-RSA' \
        --x509certfile "$WORK/server.pem" --x509keyfile "$WORK/server.key"
    : >"$log"
    begin dhe-short-ys 4823
    t0=$(date +%s)
    while { [ "$i" -lt "$n" ] || [ "$refused" -lt "$min" ]; } && [ "$i" -lt "$cap" ] \
        && [ $(( $(date +%s) - t0 )) -lt "$secs" ]; do
        LD_PRELOAD=$shim timeout 3 openssl s_client -connect 127.0.0.1:4823 -tls1_2 \
            -cipher DHE-RSA-AES128-GCM-SHA256 </dev/null >>"$log" 2>&1
        i=$((i + 1))
        refused=$(grep -c 'shorter than p' "$log")
    done
    echo "$i DHE handshakes, $refused refused"
    finish "$SRV"
    # the row of EXPECTED.tsv changes with every run: the frames to write there
    echo "short Ys (ServerKeyExchange frame, Ys bytes) and the client's alert frames:"
    tshark -r "$OUT/dhe-short-ys.pcap" -d tcp.port==4823,tls -T fields -e frame.number -e tls.handshake.ys_len \
        -e tls.alert_message.desc -Y 'tls.alert_message || (tls.handshake.type == 12 && tls.handshake.ys_len < 256)' 2>/dev/null
}

# --- 12. bad_record_mac: a relay flips a byte of the server's encrypted Finished (TLS 1.2 GCM) ----
case_bad_mac() {
    rm -f "$OUT/bad-mac-server-finished.keylog"
    srv bad-mac-backend 4825 "${CERT[@]}" -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
    local back=$SRV
    bgsrv bad-mac-server-finished 4824 "${PY[@]}" "$GEN_DIR/reason_helper.py" flip-server-finished 4824 4825
    begin bad-mac-server-finished 4824
    cli bad-mac-server-finished 4824 -servername localhost -tls1_2 -keylogfile "$OUT/bad-mac-server-finished.keylog"
    finish "$SRV" "$back"

    # the same fault seen by GnuTLS (key log through SSLKEYLOGFILE)
    rm -f "$OUT/bad-mac-server-finished-gnutls.keylog"
    srv bad-mac-backend 4825 "${CERT[@]}" -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
    back=$SRV
    bgsrv bad-mac-server-finished-gnutls 4824 "${PY[@]}" "$GEN_DIR/reason_helper.py" flip-server-finished 4824 4825
    begin bad-mac-server-finished-gnutls 4824
    SSLKEYLOGFILE=$OUT/bad-mac-server-finished-gnutls.keylog \
        gcli bad-mac-server-finished-gnutls 4824 --insecure --sni-hostname localhost --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2'
    finish "$SRV" "$back"

    # near miss: the same shape (one 26-byte encrypted alert right after the server's Finished)
    # from a client that has nothing to send: close_notify, an ok connection
    rm -f "$OUT/close-notify-after-finished.keylog"
    srv close-notify-after-finished 4831 "${CERT[@]}" -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
    begin close-notify-after-finished 4831
    timeout 5 openssl s_client -connect 127.0.0.1:4831 -servername localhost -tls1_2 \
        -keylogfile "$OUT/close-notify-after-finished.keylog" </dev/null >>"$WORK/close-notify.cli.log" 2>&1
    finish "$SRV"
}

# --- 13. protocol_version_mismatch seen late: only the server's alert is in the capture ----------
case_late_alert() {
    srv late-alert 4826 "${CERT[@]}" -tls1_2
    begin late-alert-full 4826
    cli late-alert 4826 -servername localhost -tls1_3
    finish "$SRV"
    local full=$OUT/late-alert-full.pcap alert
    alert=$(tshark -r "$full" -d tcp.port==4826,tls -Y 'tls.alert_message' -T fields -e frame.number | head -1)
    # the capture starts at the server's alert: SYNs and the ClientHello were never recorded
    editcap -r "$full" "$OUT/late-alert.pcap" "$alert-1000" && rm -f "$full"
    echo "late-alert.pcap: frames from $alert of the full capture"
}

# --- 14. weak but working cryptography: ok, with warnings ----------------------------------------
# Debian's OpenSSL 3 has no RC4, DES, 3DES or EXPORT suites in libssl (built without weak
# ciphers), only NULL ones at security level 0; GnuTLS 3.7 still has RC4, 3DES and NULL.
case_weak() {
    srv weak-null-openssl 4827 "${CERT[@]}" -tls1_2 -cipher 'NULL-SHA256:@SECLEVEL=0'
    begin weak-null-openssl 4827
    cli weak-null-openssl 4827 -servername localhost -tls1_2 -cipher 'NULL-SHA256:@SECLEVEL=0'
    finish "$SRV"

    local name prio port=4828
    for name in rc4 3des null; do
        case $name in
            rc4) prio='NONE:+VERS-TLS1.2:+ARCFOUR-128:+SHA1:+RSA:+SIGN-ALL:+COMP-NULL:+GROUP-ALL:+CTYPE-X509' ;;
            3des) prio='NONE:+VERS-TLS1.0:+3DES-CBC:+SHA1:+RSA:+SIGN-ALL:+COMP-NULL:+GROUP-ALL:+CTYPE-X509' ;;
            null) prio='NONE:+VERS-TLS1.2:+NULL:+SHA1:+ECDHE-RSA:+SIGN-ALL:+COMP-NULL:+GROUP-ALL:+CTYPE-X509' ;;
        esac
        bgsrv "weak-$name-gnutls" $port gnutls-serv --port $port --http \
            --priority 'NORMAL:+VERS-TLS1.0:+3DES-CBC:+ARCFOUR-128:+NULL:+RSA' \
            --x509certfile "$WORK/server.pem" --x509keyfile "$WORK/server.key"
        begin "weak-$name-gnutls" $port
        gcli "weak-$name-gnutls" $port --insecure --priority "$prio"
        finish "$SRV"
        port=$((port + 1))
    done
}

# --- near misses on their own: a rule's signature almost there, every connection ok --------------
# (a negative test holds for a whole capture, so these have no failure of the rule in them)
case_near_miss() {
    # key_share not the server's group, supported_groups has it: HelloRetryRequest, ok
    srv group-hrr-ok 4834 "${CERT[@]}" -groups P-384
    begin group-hrr-ok 4834
    cli group-hrr-ok 4834 -servername localhost -tls1_3
    gcli group-hrr-ok 4834 --insecure --sni-hostname localhost --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.3'
    finish "$SRV"

    # rsa_pkcs1-only signature_algorithms in TLS 1.2: fine (RFC 5246 7.4.1.4.1)
    srv sigalg-pkcs1-tls12-ok 4835 "${CERT[@]}"
    begin sigalg-pkcs1-tls12-ok 4835
    cli sigalg-pkcs1-tls12-ok 4835 -servername localhost -tls1_2 -sigalgs "$PKCS1"
    gcli sigalg-pkcs1-tls12-ok 4835 --insecure --sni-hostname localhost --priority "NORMAL:-VERS-ALL:+VERS-TLS1.2:$GPKCS1"
    finish "$SRV"

    # an old version both sides accept: TLS 1.1, ok (a warning at most)
    srv tls11-ok 4836 "${CERT[@]}" -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0'
    begin tls11-ok 4836
    cli tls11-ok 4836 -servername localhost -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0'
    gcli tls11-ok 4836 --insecure --sni-hostname localhost --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.1:%PROFILE_LOW'
    finish "$SRV"
}

ALL_CASES=(sni group sigalg dhe_suite tls11 ssl3 untrusted plaintext starttls size dhe_zero bad_mac late_alert weak near_miss)
cases=("$@")
[ ${#cases[@]} -eq 0 ] && cases=("${ALL_CASES[@]}")
for c in "${cases[@]}"; do
    echo "== $c"
    "case_$c"
done
echo "logs in $WORK"
