#!/bin/sh
# sanitize.sh: how the hostile-input tests run the tool and judge the result.
# Sourced by tests/mutate.sh, tests/regress.sh, tests/damaged.sh; run directly
# by `make asan-check`:
#     tests/sanitize.sh TOOL DIR...   every file under DIR with --json and with -a -v
#
# san_run LIMIT LOG CMD...  runs CMD under a time limit, output in LOG, and sets
#   SAN_RC (its exit status) and SAN_VERDICT: ok, crash (a signal, an exit
#   status >= 128 or a sanitizer report) or hang (the time limit).
# The tool itself only ever exits 0, 1 or 2.

# Sanitizer exit codes apart from the tool's 0/1/2, reports on stderr.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:exitcode=86:abort_on_error=0:allocator_may_return_null=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:exitcode=87}
LSAN_OPTIONS=${LSAN_OPTIONS:-exitcode=88}
export ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS

SAN_PATTERN='AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:|MemorySanitizer'

# The ASan build when it exists, else the normal one ($TLSX overrides both).
san_tool() {
    if [ -n "${TLSX:-}" ]; then
        echo "$TLSX"
    elif [ -x build-asan/tlsexplain ]; then
        echo build-asan/tlsexplain
    else
        echo ./tlsexplain
    fi
}

san_run() {
    san_limit=$1
    san_log=$2
    shift 2
    timeout -k 2 "$san_limit" "$@" >"$san_log" 2>&1
    SAN_RC=$?
    if [ "$SAN_RC" -eq 124 ] || [ "$SAN_RC" -eq 137 ]; then
        SAN_VERDICT=hang
    elif [ "$SAN_RC" -ge 86 ] || grep -Eq "$SAN_PATTERN" "$san_log"; then
        SAN_VERDICT=crash
    else
        SAN_VERDICT=ok
    fi
}

san_corpus() {
    tool=$1
    shift
    log=$(mktemp)
    list=$(mktemp)
    find "$@" -type f | sort >"$list"
    runs=0 bad=0
    while IFS= read -r f; do
        for args in "--json" "-a -v"; do
            runs=$((runs + 1))
            # shellcheck disable=SC2086
            san_run 60 "$log" "$tool" $args "$f"
            if [ "$SAN_VERDICT" != ok ]; then
                bad=$((bad + 1))
                echo "FAIL ($SAN_VERDICT, exit $SAN_RC): $tool $args $f"
                grep -E "$SAN_PATTERN|^    #[0-9] " "$log" | head -12 | sed 's/^/    /'
            fi
        done
    done <"$list"
    rm -f "$log" "$list"
    if [ "$runs" -eq 0 ]; then
        echo "asan-check: no file under $* (a missing corpus is a failure)"
        bad=1
    fi
    echo "asan-check: $((runs - bad < 0 ? 0 : runs - bad)) passed, $bad failed ($runs runs of $tool, each file with --json and with -a -v)"
    [ "$bad" -eq 0 ]
}

if [ "${0##*/}" = sanitize.sh ] && [ $# -ge 2 ]; then
    san_corpus "$@"
fi
