#!/bin/sh
# Installs the Debian packages tlsexplain needs to build and test, when any
# is missing. Safe to run again: it does nothing when all are there.
set -e
PKGS="build-essential clang libclang-rt-14-dev libpcap-dev libndpi-dev libssl-dev libjson-c-dev libarchive-dev
      tshark tcpdump wireshark-common openssl gnutls-bin python3 zzuf faketime
      groff-base man-db jq chromium tcpreplay parallel slurm-wlm munge zip"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "install-deps: missing packages:$missing (run as root, or: sudo apt-get install$missing)" >&2
    exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
