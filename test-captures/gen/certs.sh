#!/usr/bin/env bash
# certs.sh: real-stack captures of server-certificate failures.
#
#   test-captures/gen/certs.sh          (root: tcpdump on lo; TCP ports 4600-4699; ~70 s)
#
# Builds a throw-away PKI with `openssl ca` in $WORK (fixed validity dates, fresh keys each run),
# runs openssl s_server against openssl s_client, gnutls-cli and a python3 ssl client that drops
# its alert, over loopback, and writes:
#   test-captures/certs/*.pcap            one connection per capture, TLS 1.2 and TLS 1.3
#   test-captures/certs/keys/*.keylog     NSS key logs of the clients (TLS 1.3 alerts decrypt with them)
#   test-captures/certs/pki/              the certificates (PEM + DER), the CRL, README.md
#   test-captures/scenarios/certs.tsv     file, expected verdicts, stacks, alert seen on the wire
# Every capture is checked with tshark: the alert the client sent must be the one expected,
# otherwise the script says so and exits 1.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need openssl gnutls-cli faketime tcpdump tshark python3 ss

OUT=$CAPS_DIR/certs
PKIOUT=$OUT/pki
KEYLOGS=$OUT/keys
TSV=$CAPS_DIR/scenarios/certs.tsv
P=$WORK/pki
mkdir -p "$OUT" "$PKIOUT" "$KEYLOGS" "$CAPS_DIR/scenarios" "$P"
rm -f "$OUT"/*.pcap "$KEYLOGS"/*.keylog "$PKIOUT"/*.pem "$PKIOUT"/*.der

SRV_PID=
cleanup() { [ -n "$SRV_PID" ] && stop_bg "$SRV_PID"; [ -n "${CAP_PID:-}" ] && kill -INT "$CAP_PID" 2>/dev/null; true; }
trap cleanup EXIT
die() { echo "certs.sh: $*" >&2; exit 1; }

OSSL_VER=$(openssl version | awk '{print $2}')
PY_OSSL=$(python3 -c 'import ssl; print(ssl.OPENSSL_VERSION.split()[1])')

# ---------------------------------------------------------------------------------------------
# PKI. Fixed dates so the certificates mean the same thing for years (the tool judges validity
# against the packet timestamps, the unit tests against a fixed time):
#   root, intermediate        2018-01-01 .. 2048 / 2046
#   good and most leaves      2025-01-01 .. 2035-01-01
#   expired                   2019-01-01 .. 2020-01-01
#   not-yet-valid             2036-01-01 .. 2040-01-01
# ---------------------------------------------------------------------------------------------
cat >"$P/ca.cnf" <<'EOF'
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = $ENV::CADIR
database = $dir/index.txt
new_certs_dir = $dir/new
serial = $dir/serial
crlnumber = $dir/crlnumber
default_md = sha256
policy = pol_any
unique_subject = no
copy_extensions = none
email_in_dn = yes
preserve = yes
[ pol_any ]
countryName = optional
stateOrProvinceName = optional
localityName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied
emailAddress = optional
[ v3_root ]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ v3_inter ]
basicConstraints = critical,CA:true,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_leaf ]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = $ENV::SAN
[ v3_selfleaf ]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
subjectAltName = $ENV::SAN
EOF
export SAN=DNS:good.test

newca() {       # newca DIR: an `openssl ca` database
    mkdir -p "$1/new"; : >"$1/index.txt"; echo 1000 >"$1/serial"; echo 1000 >"$1/crlnumber"
}
key() {         # key NAME [BITS]
    openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:${2:-2048}" -out "$P/$1.key" 2>/dev/null \
        || die "key $1"
}
# issue NAME CADIR ISSUER SUBJ START END EXT [MD]   (ISSUER=self: self-signed with NAME.key)
issue() {
    local name=$1 cadir=$2 issuer=$3 subj=$4 start=$5 end=$6 ext=$7 md=${8:-sha256} signer
    openssl req -new -key "$P/$name.key" -subj "$subj" -out "$P/$name.csr" || die "csr $name"
    if [ "$issuer" = self ]; then signer=(-selfsign -keyfile "$P/$name.key")
    else signer=(-cert "$P/$issuer.pem" -keyfile "$P/$issuer.key"); fi
    CADIR=$cadir openssl ca -config "$P/ca.cnf" -batch -notext "${signer[@]}" -md "$md" \
        -startdate "$start" -enddate "$end" -extensions "$ext" -in "$P/$name.csr" -out "$P/$name.pem" \
        >"$P/$name.ca.log" 2>&1 || { cat "$P/$name.ca.log" >&2; die "issue $name"; }
}

echo "== PKI in $P"
T0=20180101000000Z
G0=20250101000000Z; G1=20350101000000Z
newca "$P/rootdb"; newca "$P/interdb"; newca "$P/selfdb"; newca "$P/fortidb"; newca "$P/zsdb"; newca "$P/otherdb"
key root; key inter
for n in good expired notyet wronghost selfsigned sha1 revoked forti_leaf zs_leaf forti_ca zs_root zs_inter other_root; do key $n; done
key rsa1024 1024
issue root  "$P/rootdb" self "/O=tlsexplain tests/CN=tlsexplain Test Root CA" $T0 20480101000000Z v3_root
issue inter "$P/rootdb" root "/O=tlsexplain tests/CN=tlsexplain Test Intermediate CA" $T0 20460101000000Z v3_inter
issue good       "$P/interdb" inter "/CN=good.test" $G0 $G1 v3_leaf
issue expired    "$P/interdb" inter "/CN=good.test" 20190101000000Z 20200101000000Z v3_leaf
issue notyet     "$P/interdb" inter "/CN=good.test" 20360101000000Z 20400101000000Z v3_leaf
SAN=DNS:other.test issue wronghost "$P/interdb" inter "/CN=other.test" $G0 $G1 v3_leaf
issue selfsigned "$P/selfdb"  self  "/CN=good.test" $G0 $G1 v3_selfleaf
issue sha1       "$P/interdb" inter "/CN=good.test" $G0 $G1 v3_leaf sha1
issue rsa1024    "$P/interdb" inter "/CN=good.test" $G0 $G1 v3_leaf
issue revoked    "$P/interdb" inter "/CN=good.test" $G0 $G1 v3_leaf
# CRL of the intermediate listing "revoked" (fixed update times, reason keyCompromise)
# the revocation date is "now" for openssl ca: fix it at 2025-06-01
CADIR=$P/interdb faketime '2025-06-01 00:00:00' openssl ca -config "$P/ca.cnf" -batch -cert "$P/inter.pem" -keyfile "$P/inter.key" \
    -revoke "$P/revoked.pem" -crl_reason keyCompromise >"$P/revoke.log" 2>&1 || die "revoke"
CADIR=$P/interdb openssl ca -config "$P/ca.cnf" -batch -cert "$P/inter.pem" -keyfile "$P/inter.key" \
    -gencrl -crl_lastupdate $G0 -crl_nextupdate 20450101000000Z -out "$P/inter.crl.pem" \
    >"$P/crl.log" 2>&1 || die "gencrl"
# TLS-interception style chains (issuer names as FortiGate / Zscaler use them; made here)
issue forti_ca   "$P/fortidb" self \
    "/C=US/ST=California/L=Sunnyvale/O=Fortinet/OU=Certificate Authority/CN=FortiGate CA/emailAddress=support@fortinet.com" \
    20200101000000Z 20400101000000Z v3_root
issue forti_leaf "$P/fortidb" forti_ca "/CN=good.test" $G0 $G1 v3_leaf
issue zs_root    "$P/zsdb" self "/C=US/ST=California/L=San Jose/O=Zscaler Inc./OU=Zscaler Inc./CN=Zscaler Root CA" \
    20140101000000Z 20420101000000Z v3_root
issue zs_inter   "$P/zsdb" zs_root "/C=US/ST=California/L=San Jose/O=Zscaler Inc./OU=Zscaler Inc./CN=Zscaler Intermediate Root CA (zscaler.net)" \
    20180101000000Z 20400101000000Z v3_inter
issue zs_leaf    "$P/zsdb" zs_inter "/CN=good.test" $G0 $G1 v3_leaf
# a root the "pinning" client trusts instead of ours
issue other_root "$P/otherdb" self "/O=tlsexplain tests/CN=tlsexplain Other Root CA (pinned)" $T0 20480101000000Z v3_root

# self-checks of the PKI (dates judged by the clock of this run)
openssl verify -CAfile "$P/root.pem" -untrusted "$P/inter.pem" "$P/good.pem" >/dev/null || die "good chain does not verify"
openssl verify -CAfile "$P/root.pem" -untrusted "$P/inter.pem" -crl_check -CRLfile "$P/inter.crl.pem" "$P/revoked.pem" 2>&1 \
    | grep -q "certificate revoked" || die "revoked cert not revoked"

# copy the certificates (never the keys) for the unit tests
declare -A PKINAME=(
    [root]=root-ca [inter]=intermediate-ca [good]=good [expired]=expired [notyet]=not-yet-valid
    [wronghost]=wrong-host [selfsigned]=self-signed [sha1]=weak-sha1 [rsa1024]=weak-rsa1024
    [revoked]=revoked [forti_ca]=fortigate-ca [forti_leaf]=fortigate-leaf [zs_root]=zscaler-root-ca
    [zs_inter]=zscaler-intermediate-ca [zs_leaf]=zscaler-leaf [other_root]=other-root-ca)
for n in "${!PKINAME[@]}"; do
    openssl x509 -in "$P/$n.pem" -out "$PKIOUT/${PKINAME[$n]}.pem"
    openssl x509 -in "$P/$n.pem" -outform DER -out "$PKIOUT/${PKINAME[$n]}.der"
done
openssl crl -in "$P/inter.crl.pem" -out "$PKIOUT/intermediate-ca.crl.pem"
openssl crl -in "$P/inter.crl.pem" -outform DER -out "$PKIOUT/intermediate-ca.crl.der"
{
    echo "# Test PKI for tlsexplain (made by test-captures/gen/certs.sh; keys are regenerated each run)"
    echo
    echo "Certificates only (PEM and DER); no private keys. Dates are fixed in the script, so they stay"
    echo "valid / expired / not yet valid as described whatever the day the captures were made."
    echo "The captures in ../ were made on $(date -u +%Y-%m-%d) (packet timestamps)."
    echo
    echo "| file | subject | issuer | notBefore | notAfter | signature | key | notes |"
    echo "|---|---|---|---|---|---|---|---|"
    for n in root inter good expired notyet wronghost selfsigned sha1 rsa1024 revoked forti_ca forti_leaf \
             zs_root zs_inter zs_leaf other_root; do
        f=$PKIOUT/${PKINAME[$n]}.pem
        subj=$(openssl x509 -in "$f" -noout -subject -nameopt RFC2253 | sed 's/^subject=//')
        iss=$(openssl x509 -in "$f" -noout -issuer -nameopt RFC2253 | sed 's/^issuer=//')
        nb=$(openssl x509 -in "$f" -noout -startdate -dateopt iso_8601 | sed 's/^notBefore=//')
        na=$(openssl x509 -in "$f" -noout -enddate -dateopt iso_8601 | sed 's/^notAfter=//')
        sig=$(openssl x509 -in "$f" -noout -text | awk '/Signature Algorithm/{print $3; exit}')
        bits=$(openssl x509 -in "$f" -noout -text | sed -n 's/.*Public-Key: (\([0-9]*\) bit).*/RSA \1/p' | head -1)
        san=$(openssl x509 -in "$f" -noout -ext subjectAltName 2>/dev/null | tail -n +2 | tr -d ' ')
        echo "| ${PKINAME[$n]}.pem | $subj | $iss | $nb | $na | $sig | $bits | ${san:+SAN $san} |"
    done
    echo
    echo "intermediate-ca.crl.pem: CRL of the intermediate, lastUpdate 2025-01-01, nextUpdate 2045-01-01,"
    echo "lists revoked.pem (serial $(openssl x509 -in "$PKIOUT/revoked.pem" -noout -serial | cut -d= -f2), reason keyCompromise, revocation date 2025-06-01)."
    echo
    echo "Chains: root-ca <- intermediate-ca <- {good, expired, not-yet-valid, wrong-host, weak-sha1, weak-rsa1024, revoked};"
    echo "self-signed is its own issuer; fortigate-ca <- fortigate-leaf; zscaler-root-ca <- zscaler-intermediate-ca <- zscaler-leaf;"
    echo "other-root-ca issues nothing (the trust anchor of the 'pinned' client)."
} >"$PKIOUT/README.md"

# ---------------------------------------------------------------------------------------------
# Scenarios
# ---------------------------------------------------------------------------------------------
cat >"$WORK/noalert.py" <<'EOF'
# Client that refuses the server certificate and closes the TCP connection without an alert
# (what many applications do): drive the handshake through memory BIOs and, when verification
# fails, drop the alert OpenSSL queued instead of sending it.
import socket, ssl, sys
port, ver, cafile, keylog = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)          # CERT_REQUIRED + check_hostname
ctx.load_verify_locations(cafile)
v = ssl.TLSVersion.TLSv1_2 if ver == "1.2" else ssl.TLSVersion.TLSv1_3
ctx.minimum_version = ctx.maximum_version = v
ctx.keylog_filename = keylog
inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
tls = ctx.wrap_bio(inc, out, server_hostname="good.test")
s = socket.create_connection(("127.0.0.1", port))
while True:
    try:
        tls.do_handshake()
        print("noalert.py: handshake completed (unexpected)", file=sys.stderr); break
    except ssl.SSLWantReadError:
        data = out.read()
        if data:
            s.sendall(data)
        chunk = s.recv(65536)
        if not chunk:
            print("noalert.py: server closed", file=sys.stderr); break
        inc.write(chunk)
    except ssl.SSLCertVerificationError as e:
        dropped = out.read()
        print(f"noalert.py: rejected ({e.verify_message}); not sending {len(dropped)} queued bytes, closing",
              file=sys.stderr)
        break
s.close()
EOF

# What each side sent, from two tshark dumps of the capture (one decrypted with the client's key
# log where there is one, one as the wire shows it). Prints the description number of the
# client's first alert (or "none") on line 1, and the text for the `what` column on line 2.
cat >"$WORK/describe.py" <<'PYEOF'
import sys
port, name, dec, raw = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ALERTS = {0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 40: "handshake_failure",
          42: "bad_certificate", 43: "unsupported_certificate", 44: "certificate_revoked",
          45: "certificate_expired", 46: "certificate_unknown", 48: "unknown_ca", 50: "decode_error",
          51: "decrypt_error", 70: "protocol_version", 80: "internal_error", 90: "user_canceled",
          116: "certificate_required"}
LEVELS = {"1": "warning", "2": "fatal"}
def rows(path):
    for line in open(path):
        yield line.rstrip("\n").split("|")
first = lambda v: v.split(",")[0]
last = lambda v: v.split(",")[-1]
frames = {}                                   # frame -> (side, tcplen, fin, rst, level, desc)
for f, sport, tlen, fin, rst, lvl, desc in rows(dec):
    frames[int(f)] = ("server" if int(sport) == port else "client", int(tlen or 0), fin == "1", rst == "1",
                      first(lvl), first(desc))
wire = {}                                     # frame -> (outer type, length, alert in clear?)
for f, ct, ot, ln, desc in rows(raw):
    wire[int(f)] = (last(ot) or last(ct), last(ln), bool(desc))
out, got = [], "none"
for side in ("client", "server"):
    hit = next((n for n, r in sorted(frames.items()) if r[0] == side and r[5]), None)
    if hit is None:
        if side == "client":
            out.append("client sent no alert")
        continue
    lvl, desc = frames[hit][4], int(frames[hit][5])
    if side == "client":
        got = str(desc)
    t, ln, clear = wire.get(hit, ("?", "?", False))
    how = "in clear" if clear else f"encrypted (record type {t}, {ln} bytes; description from keys/{name}.keylog)"
    out.append(f"{side} sent {LEVELS.get(lvl, lvl)} {ALERTS.get(desc, desc)} ({desc}) in frame {hit}, {how}")
close = next((n for n, r in sorted(frames.items()) if r[2] or r[3]), None)
if close is not None:
    side, _, fin, rst, _, _ = frames[close]
    text = f"first close: {side} {'RST' if rst else 'FIN'} in frame {close}"
    after = []
    for n, (side, tlen, fin, rst, _, _) in sorted(frames.items()):
        if n <= close:
            continue
        bits = ([f"{side} {tlen} bytes"] if tlen else []) + ([f"{side} FIN"] if fin else []) + ([f"{side} RST"] if rst else [])
        if bits:
            after.append(" + ".join(bits) + f" (frame {n})")
    if after:
        text += ", then " + ", ".join(after)
    out.append(text)
out.append(f"port {port}")
print(got)
print("; ".join(out))
PYEOF

PORT=4600
ANALYSES=()
mkdir -p "$WORK/rows"; rm -f "$WORK/rows"/*

# scenario NAME VER EXPECT WANT WHAT -- SERVER_ARGS... -- CLIENT_KIND CLIENT_ARGS...
#   VER 1.2|1.3; WANT: the description number of the client's first alert, "none" or "any"
#   CLIENT_KIND: sclient (openssl s_client, ARGS added), gnutls (gnutls-cli, ARGS added),
#                noalert (python, ARGS: CAFILE)
scenario() {
    local name=$1 ver=$2 expect=$3 want=$4 what=$5; shift 5
    [ "$1" = -- ] || die "scenario $name: usage"; shift
    local srv=() cli=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do srv+=("$1"); shift; done
    shift; cli=("$@")
    local port=$PORT; PORT=$((PORT + 1)); [ $port -le 4699 ] || die "out of ports"
    local pcap=$OUT/$name.pcap keylog=$WORK/$name.keylog vflag=-tls1_2 stack crc
    [ "$ver" = 1.3 ] && vflag=-tls1_3
    rm -f "$keylog"
    cap_start "$pcap" "tcp port $port"
    openssl s_server -accept "127.0.0.1:$port" $vflag -naccept 1 -www -no-CAfile -no-CApath -no-CAstore \
        "${srv[@]}" >"$WORK/$name.server.log" 2>&1 &
    SRV_PID=$!
    wait_port "$port" || { cat "$WORK/$name.server.log" >&2; die "$name: server did not start"; }
    case ${cli[0]} in
    sclient)
        stack="openssl-$OSSL_VER s_server / openssl-$OSSL_VER s_client"
        printf 'GET / HTTP/1.0\r\nHost: good.test\r\n\r\n' | timeout 10 openssl s_client \
            -connect "127.0.0.1:$port" $vflag -servername good.test -verify_hostname good.test \
            -keylogfile "$keylog" -ign_eof "${cli[@]:1}" >"$WORK/$name.client.log" 2>&1
        crc=$?;;
    gnutls)
        stack="openssl-$OSSL_VER s_server / gnutls-$GNUTLS_VER gnutls-cli"
        printf 'GET / HTTP/1.0\r\nHost: good.test\r\n\r\n' | SSLKEYLOGFILE=$keylog timeout 10 gnutls-cli \
            -p "$port" 127.0.0.1 --sni-hostname good.test --verify-hostname good.test \
            --priority "NORMAL:-VERS-ALL:+VERS-TLS$ver" "${cli[@]:1}" >"$WORK/$name.client.log" 2>&1
        crc=$?;;
    noalert)
        stack="openssl-$OSSL_VER s_server / python3-ssl (openssl-$PY_OSSL), closes without alert"
        timeout 10 python3 "$WORK/noalert.py" "$port" "$ver" "${cli[1]}" "$keylog" >"$WORK/$name.client.log" 2>&1
        crc=$?;;
    *) die "client kind ${cli[0]}";;
    esac
    sleep 0.2
    stop_bg "$SRV_PID"; SRV_PID=
    cap_stop

    # the tshark analysis runs in the background while the next scenario is captured
    analyse "$name" "$port" "$want" "$crc" "certs/$name.pcap	$expect	$stack	$what" \
        >"$WORK/rows/$(printf %02d $((port - 4600))).out" 2>&1 &
    ANALYSES+=($!)
}

# analyse NAME PORT WANT CLIENT_EXIT ROW_PREFIX: prints the TSV row, or "!! ..." when the client's
# alert is not the one expected
analyse() {
    local name=$1 port=$2 want=$3 crc=$4 row=$5 keylog=$WORK/$1.keylog pcap=$OUT/$1.pcap ko=() desc got
    grep -q '^[A-Z_]* [0-9a-f]* [0-9a-f]*$' "$keylog" 2>/dev/null && cp "$keylog" "$KEYLOGS/$name.keylog"
    [ -s "$keylog" ] && ko=(-o "tls.keylog_file:$keylog")
    tshark -r "$pcap" -o tcp.reassemble_out_of_order:TRUE -d "tcp.port==$port,tls" "${ko[@]}" -T fields \
        -E separator='|' -e frame.number -e tcp.srcport -e tcp.len -e tcp.flags.fin -e tcp.flags.reset \
        -e tls.alert_message.level -e tls.alert_message.desc >"$WORK/$name.dec" 2>/dev/null
    tshark -r "$pcap" -o tcp.reassemble_out_of_order:TRUE -d "tcp.port==$port,tls" -T fields \
        -E separator='|' -e frame.number -e tls.record.content_type -e tls.record.opaque_type \
        -e tls.record.length -e tls.alert_message.desc >"$WORK/$name.raw" 2>/dev/null
    desc=$(python3 "$WORK/describe.py" "$port" "$name" "$WORK/$name.dec" "$WORK/$name.raw") \
        || { echo "!! $name: could not describe the capture"; return; }
    got=${desc%%$'\n'*}
    if [ "$want" != any ] && [ "$got" != "$want" ]; then
        echo "!! $name: expected client alert $want, saw $got (client exit $crc); see $WORK/$name.*.log"
        return
    fi
    printf '%s; %s\n' "$row" "${desc#*$'\n'}"
}

C=$P          # short names for the command lines below
CHAIN=(-cert_chain "$C/inter.pem")
VERIFY=(-verify_return_error -CAfile "$C/root.pem")
# The servers must be told to load weak certificates: OpenSSL 3.0 refuses a SHA-1-signed cert
# from level 1 up, and Debian builds it with default level 2, which refuses RSA 1024 too.
WEAKSRV=(-cipher 'DEFAULT:@SECLEVEL=0')
GNUTLS_VER=$(gnutls-cli --version 2>/dev/null | awk 'NR==1{print $2}')
cat "$C/root.pem" "$C/inter.pem" >"$C/root+inter.pem"

# ---- openssl s_client, TLS 1.2 and TLS 1.3 -------------------------------------------------
# TLS 1.2: the certificate is in clear, so the specific diagnosis is expected.
# TLS 1.3: the certificate is encrypted, but OpenSSL's client sends an alert it raises while
# reading the server's flight IN CLEAR (its write side moves to handshake keys only with its
# own second flight), so the alert is the evidence: 45 -> expired, 44 -> revoked,
# 48 unknown_ca -> untrusted, 42 bad_certificate -> only "rejected".
for v in 1.2 1.3; do
    t=tls${v/./}
    if [ $v = 1.2 ]; then x() { echo "failed:$1=1"; }; else x() { echo "failed:$2=1"; }; fi
    echo "== openssl s_client, TLS $v"
    scenario good-$t $v ok=1 0 \
        "TLS $v, good chain (leaf good.test + intermediate), client verifies and fetches /" \
        -- -cert "$C/good.pem" -key "$C/good.key" "${CHAIN[@]}" -- sclient "${VERIFY[@]}"
    scenario expired-$t $v "$(x certificate_expired certificate_expired)" 45 \
        "TLS $v, leaf expired 2020-01-01, chain complete" \
        -- -cert "$C/expired.pem" -key "$C/expired.key" "${CHAIN[@]}" -- sclient "${VERIFY[@]}"
    scenario not-yet-valid-$t $v "$(x certificate_not_yet_valid certificate_rejected)" 42 \
        "TLS $v, leaf valid from 2036-01-01, chain complete" \
        -- -cert "$C/notyet.pem" -key "$C/notyet.key" "${CHAIN[@]}" -- sclient "${VERIFY[@]}"
    scenario hostname-mismatch-$t $v "$(x certificate_hostname_mismatch certificate_rejected)" 42 \
        "TLS $v, leaf SAN DNS:other.test, client asks for good.test (SNI and -verify_hostname)" \
        -- -cert "$C/wronghost.pem" -key "$C/wronghost.key" "${CHAIN[@]}" -- sclient "${VERIFY[@]}"
    scenario self-signed-$t $v "$(x certificate_untrusted certificate_untrusted)" 48 \
        "TLS $v, self-signed leaf CN/SAN good.test" \
        -- -cert "$C/selfsigned.pem" -key "$C/selfsigned.key" -- sclient "${VERIFY[@]}"
    scenario chain-incomplete-$t $v "$(x certificate_chain_incomplete certificate_untrusted)" 48 \
        "TLS $v, server sends the leaf only (no intermediate), client trusts only the root" \
        -- -cert "$C/good.pem" -key "$C/good.key" -- sclient "${VERIFY[@]}"
    scenario weak-sha1-$t $v "$(x certificate_weak certificate_rejected)" 42 \
        "TLS $v, leaf signed sha1WithRSAEncryption, refused by OpenSSL 3.0 at its default security level (SHA-1 fails from level 1 up: CA_MD_TOO_WEAK); server runs @SECLEVEL=0 to load it" \
        -- -cert "$C/sha1.pem" -key "$C/sha1.key" "${CHAIN[@]}" "${WEAKSRV[@]}" -- sclient "${VERIFY[@]}"
    scenario weak-rsa1024-$t $v "$(x certificate_weak certificate_rejected)" 42 \
        "TLS $v, leaf RSA 1024 key (sha256), client -auth_level 2 (EE_KEY_TOO_SMALL; level 2 is also the default of Debian's OpenSSL build, level 1 accepts RSA 1024); server runs @SECLEVEL=0" \
        -- -cert "$C/rsa1024.pem" -key "$C/rsa1024.key" "${CHAIN[@]}" "${WEAKSRV[@]}" -- sclient "${VERIFY[@]}" -auth_level 2
    scenario revoked-$t $v "$(x certificate_revoked certificate_revoked)" 44 \
        "TLS $v, leaf listed in the intermediate's CRL, client -crl_check -CRL intermediate-ca.crl.pem (s_client spells -CRLfile as -CRL)" \
        -- -cert "$C/revoked.pem" -key "$C/revoked.key" "${CHAIN[@]}" \
        -- sclient "${VERIFY[@]}" -crl_check -CRL "$C/inter.crl.pem"
    scenario expired-noverify-$t $v ok=1 0 \
        "TLS $v, leaf expired 2020-01-01, client without -verify_return_error: verify error 10 only logged, handshake completes, GET / answered" \
        -- -cert "$C/expired.pem" -key "$C/expired.key" "${CHAIN[@]}" -- sclient -CAfile "$C/root.pem"
    scenario noalert-hostname-$t $v "$(x certificate_hostname_mismatch certificate_rejected)" none \
        "TLS $v, leaf SAN DNS:other.test, python ssl client (check_hostname) refuses it and closes TCP right after the server's first flight without sending the alert OpenSSL queued" \
        -- -cert "$C/wronghost.pem" -key "$C/wronghost.key" "${CHAIN[@]}" -- noalert "$C/root.pem"
done

echo "== TLS 1.2 extra"
scenario noalert-pinned-tls12 1.2 failed:certificate_rejected=1 none \
    "TLS 1.2, good chain, python ssl client trusting only another root (pinning-like) closes TCP right after the server's first flight, no alert" \
    -- -cert "$C/good.pem" -key "$C/good.key" "${CHAIN[@]}" -- noalert "$C/other_root.pem"
scenario interception-fortigate-tls12 1.2 failed:certificate_untrusted=1 48 \
    "TLS 1.2, interception-style chain: leaf good.test + issuer 'CN=FortiGate CA, O=Fortinet' (self-signed, made here), client trusts only its own root (SELF_SIGNED_CERT_IN_CHAIN)" \
    -- -cert "$C/forti_leaf.pem" -key "$C/forti_leaf.key" -cert_chain "$C/forti_ca.pem" -- sclient "${VERIFY[@]}"
scenario expired-tls12-gnutls 1.2 failed:certificate_expired=1 42 \
    "TLS 1.2, leaf expired 2020-01-01, gnutls-cli refuses it with bad_certificate (GnuTLS sends 42 for every verification failure): the certificate, not the alert, says why" \
    -- -cert "$C/expired.pem" -key "$C/expired.key" "${CHAIN[@]}" -- gnutls --x509cafile "$C/root.pem"

# ---- gnutls-cli, TLS 1.3: the alert is encrypted (CCS, then one 19-byte type-23 record) ------
# GnuTLS sends bad_certificate (42) for every verification failure and the certificate is not
# visible: only "certificate_rejected" can be told.
echo "== gnutls-cli, TLS 1.3"
R=failed:certificate_rejected=1
G=(gnutls --x509cafile "$C/root.pem")
scenario good-tls13-gnutls 1.3 ok=1 any \
    "TLS 1.3, good chain, gnutls-cli verifies, sends GET / and closes on end of input" \
    -- -cert "$C/good.pem" -key "$C/good.key" "${CHAIN[@]}" -- "${G[@]}"
scenario expired-tls13-gnutls 1.3 $R 42 "TLS 1.3, leaf expired 2020-01-01" \
    -- -cert "$C/expired.pem" -key "$C/expired.key" "${CHAIN[@]}" -- "${G[@]}"
scenario not-yet-valid-tls13-gnutls 1.3 $R 42 "TLS 1.3, leaf valid from 2036-01-01" \
    -- -cert "$C/notyet.pem" -key "$C/notyet.key" "${CHAIN[@]}" -- "${G[@]}"
scenario hostname-mismatch-tls13-gnutls 1.3 $R 42 "TLS 1.3, leaf SAN DNS:other.test, client asks for good.test" \
    -- -cert "$C/wronghost.pem" -key "$C/wronghost.key" "${CHAIN[@]}" -- "${G[@]}"
scenario self-signed-tls13-gnutls 1.3 $R 42 "TLS 1.3, self-signed leaf good.test" \
    -- -cert "$C/selfsigned.pem" -key "$C/selfsigned.key" -- "${G[@]}"
scenario chain-incomplete-tls13-gnutls 1.3 $R 42 "TLS 1.3, server sends the leaf only, client trusts only the root" \
    -- -cert "$C/good.pem" -key "$C/good.key" -- "${G[@]}"
scenario weak-sha1-tls13-gnutls 1.3 $R 42 "TLS 1.3, SHA-1-signed leaf (GnuTLS: insecure algorithm by default)" \
    -- -cert "$C/sha1.pem" -key "$C/sha1.key" "${CHAIN[@]}" "${WEAKSRV[@]}" -- "${G[@]}"
scenario weak-rsa1024-tls13-gnutls 1.3 $R 42 "TLS 1.3, RSA 1024 leaf, client priority %PROFILE_MEDIUM (GnuTLS's default accepts 1024)" \
    -- -cert "$C/rsa1024.pem" -key "$C/rsa1024.key" "${CHAIN[@]}" "${WEAKSRV[@]}" \
    -- gnutls --x509cafile "$C/root.pem" --priority "NORMAL:-VERS-ALL:+VERS-TLS1.3:%PROFILE_MEDIUM"
scenario revoked-tls13-gnutls 1.3 $R 42 "TLS 1.3, revoked leaf, client --x509crlfile (GnuTLS checks a CRL only against its trust list, so root+intermediate are its CA file)" \
    -- -cert "$C/revoked.pem" -key "$C/revoked.key" "${CHAIN[@]}" \
    -- gnutls --x509cafile "$C/root+inter.pem" --x509crlfile "$C/inter.crl.pem"

wait "${ANALYSES[@]}"
FAILS=$(cat "$WORK/rows"/*.out | grep -c '^!!')
cat "$WORK/rows"/*.out | grep '^!!' >&2
{
    printf 'file\texpect\tstack\twhat\n'
    cat "$WORK/rows"/*.out | grep -v '^!!'
} >"$TSV"
echo "wrote $TSV ($(($(wc -l <"$TSV") - 1)) rows)"
cut -f1,4 "$TSV" | tail -n +2 | sed -E 's/\t.*(client sent [^;]*).*/: \1/'
[ "$FAILS" -eq 0 ] || die "$FAILS capture(s) did not show the expected alert"
