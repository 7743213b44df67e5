#!/bin/sh
# Installs the Debian packages that building, testing, regenerating the test
# captures and benchmarking tlsexplain call, when any is missing. Needs only a
# POSIX shell, dpkg and apt-get: on a bare Debian image it brings make and the
# compiler too. Idempotent: when every package is there it runs one dpkg-query
# and prints one line. Root runs apt-get itself; others go through sudo.
#   sh scripts/install-deps.sh          install what is missing
#   sh scripts/install-deps.sh --list   print the package list and exit
# Set INSTALL_DEPS_LOG=FILE to keep apt's output (default: a temporary file,
# printed only when apt fails).
set -eu

# Each package with the commands of this tree that need it (keep sorted by use).
# build: cc, make, and the libraries of LIBS in the Makefile
BUILD="build-essential libpcap-dev libssl-dev libndpi-dev libarchive-dev libjson-c-dev"
# mk/fuzz.mk: clang with libFuzzer and the sanitizer runtimes
FUZZ="clang libclang-rt-dev"
# make check (tests/, scripts/lint.sh): python3 (+ jsonschema for the JSON schema
# test), cppcheck (lint), tshark (tshark_diff, zeek_compare), wireshark-common
# (editcap: linktypes), groff-base (man_test), zzuf (mutate), chromium
# (html_test), jq, and the compressors the compressed-capture tests use
TESTS="python3 python3-jsonschema cppcheck tshark wireshark-common groff-base man-db
       zzuf chromium jq xz-utils zstd bzip2 zip"
# test-captures/gen/: real stacks over loopback recorded with tcpdump; ss and ip
# (iproute2) wait for ports and set the loopback of the capture namespace;
# faketime backdates certificates; nftables and a relay make a stack misbehave;
# python3-cryptography seals the Retry of test-captures/gen/quic_lb.py
GEN="openssl gnutls-bin tcpdump iproute2 faketime nginx ngtcp2-client ngtcp2-server
     nftables libndpi-bin python3-cryptography"
# test-captures/gen/reason.sh: more real stacks (java runs ReasonClient.java from
# source, so the JDK; node; curl; psql and initdb; an SMTP server for STARTTLS).
# Installing nginx and postgresql on a host starts their services (Debian's
# default); the generators run their own instances on ports 4400-4899.
GEN2="openjdk-17-jdk-headless nodejs curl postgresql python3-aiosmtpd"
# bench/: the peers measured (ssldump, tcpreplay's tcprewrite, hyperfine),
# GNU time for the memory, valgrind for the instruction count; and
# tests/bare_debian.sh builds its root with debootstrap
BENCH="ssldump tcpreplay hyperfine time valgrind debootstrap"
# tests/merge_test.py and tests/slurm_test.sh: GNU parallel and a single-node
# Slurm with munge (the test starts and stops its own daemons);
# test-captures/gen/quic_ech.sh: NSS's tstclnt for an ECH client
CLUSTER="parallel slurm-wlm munge libnss3-tools"
# word splitting wanted here and below: package names are single words
# shellcheck disable=SC2086,SC2116
PKGS=$(echo $BUILD $FUZZ $TESTS $GEN $GEN2 $BENCH $CLUSTER)

if [ "${1:-}" = --list ]; then
    echo "$PKGS" | tr ' ' '\n'
    exit 0
fi

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    echo "install-deps: not a Debian system (no dpkg/apt-get); install by hand: $PKGS" >&2
    exit 1
fi

# One query for all: a package dpkg has never heard of prints nothing here.
# shellcheck disable=SC2086
installed=" $(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' $PKGS 2>/dev/null |
              awk '$1 == "ii" { printf "%s ", $2 }')"
missing=""
n=0
for p in $PKGS; do
    n=$((n + 1))
    case "$installed" in
        *" $p "*) ;;
        *) missing="$missing $p" ;;
    esac
done
if [ -z "$missing" ]; then
    echo "install-deps: all $n Debian packages present"
    exit 0
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO=sudo
    else
        echo "install-deps: missing:$missing; run as root: apt-get install$missing" >&2
        exit 1
    fi
fi

echo "install-deps: installing$missing (with their dependencies, no recommends)"
log=${INSTALL_DEPS_LOG:-$(mktemp)}
start=$(date +%s)
export DEBIAN_FRONTEND=noninteractive
# wait for another apt run instead of failing on its lock
APT="$SUDO env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0"
# the lists are empty on a fresh image and may be stale elsewhere
echo "install-deps: apt-get update and install (output in $log)"
# shellcheck disable=SC2086
if ! $APT update >"$log" 2>&1 ||
   ! $APT install -y --no-install-recommends $missing >>"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "install-deps: apt-get failed (whole output: $log)" >&2
    exit 1
fi
echo "install-deps: done in $(( $(date +%s) - start )) s," \
     "$(grep -c '^Setting up ' "$log" || true) packages set up"
[ -n "${INSTALL_DEPS_LOG:-}" ] || rm -f "$log"
