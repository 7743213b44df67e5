#!/bin/sh
# Runs every test suite in turn. Each prints its own "name: N passed, N failed"
# line; this script sums them and exits non-zero if any suite failed.
cd "$(dirname "$0")/.." || exit 2
total_pass=0 total_fail=0 broken=""
run() {   # run NAME COMMAND...
    name=$1; shift
    echo "== $name"
    log=$(mktemp)
    "$@" 2>&1 | tee "$log"
    rc=$?
    line=$(grep -E '^[A-Za-z0-9_-]+: [0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
    rm -f "$log"
    p=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed.*/\1/p')
    f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
    total_pass=$((total_pass + ${p:-0}))
    total_fail=$((total_fail + ${f:-0}))
    if [ -z "$line" ] || [ "${f:-1}" != 0 ]; then
        broken="$broken $name"
    fi
}
run lint scripts/lint.sh
for t in build/tests/test_*; do
    run "unit $(basename "$t")" "$t"
done
run scenarios python3 tests/scenarios.py
run golden tests/golden.sh
run linktypes tests/linktypes.sh
[ -x tests/tshark_diff.py ] && run tshark-diff python3 tests/tshark_diff.py
[ -x tests/zeek_compare.py ] && run zeek-compare python3 tests/zeek_compare.py
[ -x tests/ja4_compare.py ] && run ja4-compare python3 tests/ja4_compare.py
[ -x tests/decrypt_oracle.py ] && run decrypt-oracle python3 tests/decrypt_oracle.py
[ -x tests/damaged.sh ] && run damaged tests/damaged.sh
[ -x tests/regress.sh ] && run regress tests/regress.sh
[ -x tests/man_test.sh ] && run man tests/man_test.sh
[ -x tests/html_test.sh ] && run html tests/html_test.sh
[ -f mk/asan.mk ] && run asan make --no-print-directory -f mk/asan.mk asan-check
# the unit tests and the scenario suite again, on the sanitizer build
if make -s --no-print-directory unit-asan >/dev/null 2>&1; then
    for t in build-asan/tests/test_*; do
        run "unit-asan $(basename "$t")" "$t"
    done
else
    broken="$broken unit-asan-build"
fi
[ -x build-asan/tlsexplain ] && run scenarios-asan env TLSEXPLAIN=build-asan/tlsexplain python3 tests/scenarios.py
[ -x tests/mutate.sh ] && run mutate tests/mutate.sh
[ -f mk/fuzz.mk ] && run fuzz make --no-print-directory -f mk/fuzz.mk fuzz-run FUZZ_SECONDS=${FUZZ_SECONDS:-60}
echo
if [ -n "$broken" ]; then
    echo "suites with failures:$broken"
fi
echo "all: $total_pass passed, $total_fail failed"
[ -z "$broken" ]
