#!/bin/bash
# bench/make-large.sh: builds a large Ethernet capture for the benchmark from the
# shared corpus, as ../shared/corpus/README.md suggests: one "round" is every
# Ethernet pcap of the corpus (MANIFEST.tsv linktype pcap/ether) plus
# test-captures/dhe/dhe-leading-zero.pcap (thousands of handshakes), joined with
# mergecap -a; copy N of the round gets fresh IPv4/IPv6 addresses
# (tcprewrite --seed=N) and timestamps N days later (editcap -t); the copies are
# joined with mergecap -a.
#
#   bench/make-large.sh              bench/out/large-100M.pcap (about 100 MB)
#   SIZE=1G bench/make-large.sh      bench/out/large-1G.pcap   (about 1 GB)
#   SIZE=250M bench/make-large.sh    any size in M or G
#
# Prints the path of the capture. Nothing is written outside bench/out/
# (gitignored); corpus files are read in place, never copied into the repo.
# An existing capture newer than this script is reused (FORCE=1 rebuilds it).
# Needs: mergecap, editcap, capinfos (Debian wireshark-common) and tcprewrite
# (Debian tcpreplay).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
corpus=${CORPUS:-$root/../shared/corpus}
out=$here/out
size=${SIZE:-100M}
jobs=${JOBS:-$(nproc)}

for tool in mergecap editcap capinfos tcprewrite; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "make-large: $tool is missing (Debian: apt-get install wireshark-common tcpreplay)" >&2
        exit 2
    fi
done
[ -f "$corpus/MANIFEST.tsv" ] || { echo "make-large: no corpus at $corpus" >&2; exit 2; }

case $size in
    *G) target_mb=$(( ${size%G} * 1024 )) ;;
    *M) target_mb=${size%M} ;;
    *) echo "make-large: SIZE must look like 100M or 1G" >&2; exit 2 ;;
esac
target=$(( target_mb * 1024 * 1024 ))
dest=$out/large-$size.pcap

if [ -z "${FORCE:-}" ] && [ -s "$dest" ] && [ "$dest" -nt "$0" ]; then
    echo "$dest"
    exit 0
fi
mkdir -p "$out"
work=$(mktemp -d "$out/make-large.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

# One round: the corpus Ethernet pcaps in MANIFEST order, then the DHE capture.
awk -F'\t' 'NR > 1 && $6 == "pcap/ether" { print $1 }' "$corpus/MANIFEST.tsv" |
    while read -r f; do printf '%s\n' "$corpus/$f"; done >"$work/sources"
printf '%s\n' "$root/test-captures/dhe/dhe-leading-zero.pcap" >>"$work/sources"
# shellcheck disable=SC2046 # paths have no blanks
mergecap -a -F pcap -w "$work/round.pcap" $(cat "$work/sources")
round=$(stat -c %s "$work/round.pcap")
copies=$(( (target + round - 1) / round ))
echo "make-large: $(wc -l <"$work/sources") captures, round $((round / 1024)) KiB, $copies copies" >&2

# copy N: fresh addresses (seed N), N days later. tcprewrite warns about every
# tunnelled or cut packet it cannot re-checksum: those go to a log, shown on failure.
# shellcheck disable=SC2016 # $1 and N expand in the inner shell
seq 1 "$copies" | xargs -P "$jobs" -I N sh -c '
    { tcprewrite --seed=N -i "$1/round.pcap" -o "$1/rw-N.pcap" 2>"$1/rw-N.log" ||
      { cat "$1/rw-N.log" >&2; exit 1; }; } &&
    editcap -F pcap -t $((N * 86400)) "$1/rw-N.pcap" "$1/copy-N.pcap" &&
    rm -f "$1/rw-N.pcap"' sh "$work"
# shellcheck disable=SC2046
mergecap -a -F pcap -w "$work/large.pcap" $(seq -f "$work/copy-%g.pcap" 1 "$copies")
mv "$work/large.pcap" "$dest"
echo "make-large: $(capinfos -c -M "$dest" | awk '/Number of packets/ { print $NF }') packets," \
    "$(( $(stat -c %s "$dest") / 1024 / 1024 )) MiB" >&2
echo "$dest"
