#!/bin/bash
# Runs the test suites and sums their results.
#   tests/run-tests.sh                  every suite
#   tests/run-tests.sh NAME...          only the named suites (--list shows them)
#   tests/run-tests.sh --quick          every suite but the slow hostile-input ones
#                                       (asan, unit-asan-*, scenarios-asan, mutate, fuzz)
#   tests/run-tests.sh --skip NAME ...  leave NAME out (repeatable); the only way a
#                                       suite is left out without failing
#   tests/run-tests.sh --list           the suite names, one a line
# Each suite prints a last line "NAME: N passed, N failed". A suite fails when
# it exits non-zero, when that line is missing or says "0 passed" or a
# non-zero "failed", when it prints a line starting with SKIP (a suite that
# leaves something out must be told to by name), or when its script is
# missing or not executable. The last line is "all: N passed, N failed".
cd "$(dirname "$0")/.." || exit 2

# name|kind|command (kind: quick or slow); unit tests come from tests/test_*.c,
# so a test that does not build is a failure, not a silent absence.
suites() {
    echo "lint|quick|scripts/lint.sh"
    for c in tests/test_*.c; do
        n=$(basename "$c" .c)
        echo "unit-${n#test_}|quick|build/tests/$n"
    done
    echo "scenarios|quick|tests/scenarios.py"
    echo "golden|quick|tests/golden.sh"
    echo "evidence-check|quick|tests/evidence_check.py"
    echo "consistency|quick|tests/consistency.py"
    echo "summary|quick|tests/summary_test.py"
    echo "calibration|quick|tests/calibration.py"
    echo "include-direction|quick|tests/include_direction.sh"
    echo "include-direction-self-test|quick|tests/include_direction.sh --self-test"
    echo "ladder|quick|tests/ladder_agree.sh"
    echo "docs|quick|tests/docs_test.sh"
    echo "batch|quick|tests/batch_test.py"
    echo "schema|quick|tests/schema_test.py"
    echo "warnings|quick|tests/warnings_test.py"
    echo "context|quick|tests/context_test.py"
    echo "limits|quick|tests/limits_test.py"
    echo "stow|quick|tests/stow_test.py"
    echo "merge|quick|tests/merge_test.py"
    echo "merge-batch|quick|tests/merge_batch_test.py"
    echo "slurm|quick|tests/slurm_test.sh"
    echo "linktypes|quick|tests/linktypes.sh"
    echo "tshark-diff|quick|tests/tshark_diff.py"
    echo "zeek-compare|quick|tests/zeek_compare.py"
    echo "ja4-compare|quick|tests/ja4_compare.py"
    echo "quic-tshark|quick|tests/quic_tshark.py"
    echo "decrypt-oracle|quick|tests/decrypt_oracle.py"
    echo "damaged|quick|tests/damaged.sh"
    echo "regress|quick|tests/regress.sh"
    echo "man|quick|tests/man_test.sh"
    echo "html|quick|tests/html_test.sh"
    echo "asan|slow|make --no-print-directory -f mk/asan.mk asan-check"
    for c in tests/test_*.c; do
        n=$(basename "$c" .c)
        echo "unit-asan-${n#test_}|slow|build-asan/tests/$n"
    done
    echo "scenarios-asan|slow|env TLSEXPLAIN=build-asan/tlsexplain tests/scenarios.py"
    echo "mutate|slow|tests/mutate.sh"
    echo "fuzz|slow|make --no-print-directory -f mk/fuzz.mk fuzz-run"
}

quick=0 list=0 skip=" " want=" "
while [ $# -gt 0 ]; do
    case $1 in
        --list) list=1 ;;
        --quick) quick=1 ;;
        --skip) shift; skip="$skip$1 " ;;
        --skip=*) skip="$skip${1#--skip=} " ;;
        -h | --help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "run-tests: unknown option $1" >&2; exit 2 ;;
        *) want="$want$1 " ;;
    esac
    shift
done

if [ $list = 1 ]; then
    suites | while IFS='|' read -r name kind _; do printf '%s\t%s\n' "$name" "$kind"; done
    exit 0
fi

# every name asked for must exist
known=" $(suites | cut -d'|' -f1 | tr '\n' ' ')"
for n in $want $skip; do
    case $known in
        *" $n "*) ;;
        *) echo "run-tests: no suite named $n (tests/run-tests.sh --list)" >&2; exit 2 ;;
    esac
done

total_pass=0 total_fail=0 broken="" skipped=""
fail_suite() {   # fail_suite NAME WHY
    echo "run-tests: suite $1 FAILED: $2"
    broken="$broken $1"
    total_fail=$((total_fail + 1))
}

run() {   # run NAME COMMAND...
    name=$1; shift
    echo "== $name"
    # the program the command starts (after env VAR=...) must be there and runnable
    prog=$1
    if [ "$prog" = env ]; then
        for a in "$@"; do case $a in env | *=*) ;; *) prog=$a; break ;; esac; done
    fi
    case $prog in
        */*)
            if [ ! -e "$prog" ]; then fail_suite "$name" "$prog is missing"; return; fi
            if [ ! -x "$prog" ]; then fail_suite "$name" "$prog is not executable"; return; fi ;;
        *)
            if ! command -v "$prog" >/dev/null; then fail_suite "$name" "$prog not found"; return; fi ;;
    esac
    log=$(mktemp)
    "$@" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    line=$(grep -E '^[A-Za-z0-9_-]+: [0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
    skips=$(grep -c '^SKIP' "$log")
    rm -f "$log"
    p=$(echo "$line" | sed -n 's/^[^:]*: \([0-9]*\) passed.*/\1/p')
    f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
    total_pass=$((total_pass + ${p:-0}))
    total_fail=$((total_fail + ${f:-0}))
    if [ -z "$line" ]; then
        fail_suite "$name" "no line 'NAME: N passed, N failed'"
    elif [ "$rc" != 0 ]; then
        broken="$broken $name"
        echo "run-tests: suite $name FAILED: exit status $rc"
        [ "$f" = 0 ] && total_fail=$((total_fail + 1))
    elif [ "$f" != 0 ]; then
        broken="$broken $name"
    elif [ "$p" = 0 ]; then
        fail_suite "$name" "0 passed: nothing was checked"
    elif [ "$skips" -gt 0 ]; then
        fail_suite "$name" "$skips SKIP lines (leave a suite out with --skip NAME, not inside it)"
    fi
}

# the builds the suites need; a build that fails shows as the failed suites
selected() {   # selected NAME KIND: is it to run?
    case $skip in *" $1 "*) return 1 ;; esac
    if [ "$want" != " " ]; then
        case $want in *" $1 "*) return 0 ;; *) return 1 ;; esac
    fi
    [ $quick = 1 ] && [ "$2" = slow ] && return 1
    return 0
}
need_asan=0 need_unit=0
while IFS='|' read -r name kind _; do
    selected "$name" "$kind" || continue
    case $name in unit-asan-* | scenarios-asan) need_asan=1 ;; unit-*) need_unit=1 ;; esac
done < <(suites)
if [ $need_unit = 1 ] && ! make -s --no-print-directory all unit >/dev/null 2>&1; then
    echo "run-tests: make all unit failed (the unit suites whose binary is missing fail below)"
fi
if [ $need_asan = 1 ] && ! make -s --no-print-directory asan-build unit-asan >/dev/null 2>&1; then
    echo "run-tests: make asan-build unit-asan failed (the suites that need it fail below)"
fi

while IFS='|' read -r name kind cmd; do
    case $skip in *" $name "*) skipped="$skipped $name"; continue ;; esac
    selected "$name" "$kind" || continue
    # shellcheck disable=SC2086
    run "$name" $cmd
done < <(suites)

echo
[ -n "$skipped" ] && echo "skipped as asked:$skipped"
[ -n "$broken" ] && echo "suites with failures:$broken"
echo "all: $total_pass passed, $total_fail failed"
[ -z "$broken" ]
