#!/bin/sh
# mutate.sh: a mutation sweep. zzuf flips bits in the test captures (past the
# 24-byte file header nine times in ten, so most mutants are still read deep
# into the packets) and the tool runs on each mutant under a time limit:
# no crash (a signal, exit status >= 128, a sanitizer report) and no hang.
# Uses the ASan build when present (make asan-build), else ./tlsexplain;
# $TLSX overrides. Runs exactly MUTATE_RUNS mutants (2000: the same mutants,
# seeds and ratios on every machine, whatever its load); a mutant that runs
# longer than MUTATE_TIMEOUT (60 s, generous: each takes well under a second)
# counts as a hang.
# Crashing and hanging mutants are kept in build/mutate-failures/ with the
# zzuf seed and ratio in their name, ready for tests/regress/.
# Ends with "mutate: N passed, N failed".
cd "$(dirname "$0")/.." || exit 2
. tests/sanitize.sh
TOOL=$(san_tool)
RUNS=${MUTATE_RUNS:-2000}
LIMIT=${MUTATE_TIMEOUT:-60}
KEEP=build/mutate-failures
WORKERS=$(nproc 2>/dev/null || echo 1)
[ "$WORKERS" -gt 4 ] && WORKERS=4
TMP=$(mktemp -d /tmp/tlsx-mutate.XXXXXX)
trap 'rm -rf "$TMP"' EXIT INT TERM
mkdir -p "$KEEP"

# seeds: every capture under test-captures up to 64 KB (larger ones only slow the sweep)
find test-captures -type f \( -name '*.pcap' -o -name '*.pcapng' \) -size -65k | sort >"$TMP/seeds"
nseeds=$(wc -l <"$TMP/seeds")
if [ "$nseeds" -eq 0 ]; then
    echo "mutate: no seed captures"
    echo "mutate: 0 passed, 1 failed"
    exit 1
fi
if command -v zzuf >/dev/null 2>&1; then
    MUTATOR=zzuf
else
    MUTATOR=python
fi

mutate() {   # mutate SEED RATIO FROM IN OUT
    if [ "$MUTATOR" = zzuf ]; then
        # (zzuf 0.15 fuzzes nothing with -b 0-: leave the range out then)
        if [ "$3" -eq 0 ]; then
            zzuf -s "$1" -r "$2" <"$4" >"$5"
        else
            zzuf -s "$1" -r "$2" -b "$3-" <"$4" >"$5"
        fi
    else
        python3 -c '
import random, sys
seed, ratio, start = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
d = bytearray(open(sys.argv[4], "rb").read()); r = random.Random(seed)
for i in range(start, len(d)):
    for b in range(8):
        if r.random() < ratio: d[i] ^= 1 << b
open(sys.argv[5], "wb").write(d)' "$@"
    fi
}

# worker W: runs number W, W+WORKERS, ... and writes one line per run:
# "seed verdict exit-status"
worker() {
    w=$1
    i=$w
    while [ "$i" -lt "$RUNS" ]; do
        seedfile=$(sed -n "$((i % nseeds + 1))p" "$TMP/seeds")
        # ratios from 1e-4 to 1e-2 of the bits; the header too one run in ten
        case $((i % 4)) in
            0) ratio=0.0001 ;; 1) ratio=0.001 ;; 2) ratio=0.004 ;; *) ratio=0.01 ;;
        esac
        from=24
        [ $((i % 10)) -eq 9 ] && from=0
        m=$TMP/m$w
        mutate "$i" "$ratio" "$from" "$seedfile" "$m"
        if [ $((i % 2)) -eq 0 ]; then
            san_run "$LIMIT" "$TMP/log$w" "$TOOL" --json "$m"
        else
            san_run "$LIMIT" "$TMP/log$w" "$TOOL" -a -v "$m"
        fi
        echo "$i $SAN_VERDICT $SAN_RC" >>"$TMP/results$w"
        if [ "$SAN_VERDICT" != ok ]; then
            name=$(basename "$seedfile")
            cp "$m" "$KEEP/$SAN_VERDICT-${name%.*}-s$i-r$ratio-b$from.${name##*.}"
            echo "FAIL ($SAN_VERDICT, exit $SAN_RC): zzuf -s $i -r $ratio -b $from- < $seedfile"
            grep -E "$SAN_PATTERN|^    #[0-9] " "$TMP/log$w" | head -8 | sed 's/^/    /'
        fi
        i=$((i + WORKERS))
    done
}

t0=$(date +%s)
w=0
while [ "$w" -lt "$WORKERS" ]; do
    : >"$TMP/results$w"
    worker "$w" &
    w=$((w + 1))
done
wait
t1=$(date +%s)

cat "$TMP"/results* >"$TMP/all"
runs=$(wc -l <"$TMP/all")
crashes=$(grep -c ' crash ' "$TMP/all")
hangs=$(grep -c ' hang ' "$TMP/all")
exits=$(awk '$2 == "ok" { n[$3]++ } END { for (k in n) printf "%s exit %s: %d", sep, k, n[k]; sep = "," }' "$TMP/all")
echo "mutate: $runs mutants of $nseeds captures ($MUTATOR, $TOOL) in $((t1 - t0)) s;$exits; $crashes crashes, $hangs hangs"
short=0
if [ "$runs" -ne "$RUNS" ]; then
    short=1
    echo "mutate: FAIL: $runs of $RUNS mutants ran"
fi
echo "mutate: $((runs - crashes - hangs)) passed, $((crashes + hangs + short)) failed"
[ "$crashes" -eq 0 ] && [ "$hangs" -eq 0 ] && [ "$short" -eq 0 ]
