#!/bin/sh
# Include direction: a stage may include only itself and the stages before it.
#   util < capture < facts < tcp < tls = x509 < quic < rules < report < driver
# tls and x509 are peers: neither includes the other. The driver is what sits
# at the top of src/ and include/ (main, run, analyze). Every `#include "..."`
# in src/ and include/ is read; a file maps to its stage by its folder, an
# include by the folder it names ("tcp/flow.h"), or the driver without one.
# Prints each violation as file:line: from -> to, and ends with
# "include-direction: N passed, N failed" (N = files checked).
#   tests/include_direction.sh [ROOT]     check ROOT (default: this tree)
#   tests/include_direction.sh --self-test
#       plants upward and sideways includes in a temporary copy and shows the
#       check catches each one, and passes a tree that has none.
cd "$(dirname "$0")/.." || exit 2
self=$(pwd)/tests/include_direction.sh

# rank STAGE: the stage's place in the pipeline; tls and x509 share one.
rank() {
    case $1 in
    util) echo 0 ;; capture) echo 1 ;; facts) echo 2 ;; tcp) echo 3 ;;
    tls | x509) echo 4 ;; quic) echo 5 ;; rules) echo 6 ;; report) echo 7 ;;
    driver) echo 8 ;; *) echo 99 ;;
    esac
}

# stage_of_file PATH (relative to the root): src/tcp/flow.c -> tcp
stage_of_file() {
    rest=${1#*/}
    case $rest in
    */*) echo "${rest%%/*}" ;;
    *) echo driver ;;
    esac
}

# stage_of_include NAME: "tcp/flow.h" -> tcp, "run.h" -> driver
stage_of_include() {
    case $1 in
    */*) echo "${1%%/*}" ;;
    *) echo driver ;;
    esac
}

check_tree() {   # check_tree ROOT
    root=$1
    pass=0 fail=0
    files=$(cd "$root" && find src include -type f \( -name '*.c' -o -name '*.h' \) | sort)
    for f in $files; do
        from=$(stage_of_file "$f")
        rf=$(rank "$from")
        bad=0
        # "LINE NAME" for every quoted include
        incs=$(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$root/$f" |
               sed 's/^\([0-9]*\):[^"]*"\([^"]*\)".*/\1 \2/')
        if [ "$rf" = 99 ]; then
            echo "$f: stage '$from' is not in the pipeline"
            bad=1
        fi
        while read -r line name; do
            [ -n "$name" ] || continue
            to=$(stage_of_include "$name")
            [ "$to" = "$from" ] && continue
            rt=$(rank "$to")
            if [ "$rt" = 99 ]; then
                echo "$f:$line: $from -> $to (\"$name\": not a stage)"
                bad=1
            elif [ "$rt" -gt "$rf" ]; then
                echo "$f:$line: $from -> $to (\"$name\" is up the pipeline)"
                bad=1
            elif [ "$rt" -eq "$rf" ]; then
                echo "$f:$line: $from -> $to (\"$name\": peers include neither way)"
                bad=1
            fi
        done <<EOF
$incs
EOF
        if [ $bad = 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
    done
    echo "include-direction: $pass passed, $fail failed"
    [ $fail = 0 ]
}

# failed_count OUTPUT: the N of "N failed" on the last line
failed_count() {
    printf '%s\n' "$1" | tail -1 | sed -n 's/.* \([0-9]*\) failed$/\1/p'
}

self_test() {
    tmp=$(mktemp -d) || exit 2
    trap 'rm -rf "$tmp"' EXIT
    pass=0 fail=0
    expect() {   # expect NAME CONDITION-RESULT
        if [ "$2" = 0 ]; then
            pass=$((pass + 1))
        else
            fail=$((fail + 1))
            echo "FAIL self-test: $1"
        fi
    }
    # 1. a tree that keeps the direction passes, including the peers' common base
    mkdir -p "$tmp/clean/src/util" "$tmp/clean/src/tcp" "$tmp/clean/src/tls" \
             "$tmp/clean/src/x509" "$tmp/clean/include/tcp" "$tmp/clean/src/report"
    printf '#include "util/cursor.h"\n' >"$tmp/clean/src/util/cursor.c"
    printf '#include "util/status.h"\n#include "facts/conn.h"\n' >"$tmp/clean/include/tcp/flow.h"
    printf '#include "tcp/flow.h"\n#include "facts/conn.h"\n' >"$tmp/clean/src/tls/records.c"
    printf '#include "util/status.h"\n' >"$tmp/clean/src/x509/cert.c"
    printf '#include "tls/handshake.h"\n#include "x509/cert.h"\n#include <stdio.h>\n' \
        >"$tmp/clean/src/report/text.c"
    printf '#include "run.h"\n#include "report/report.h"\n' >"$tmp/clean/src/main.c"
    out=$(sh "$self" "$tmp/clean" 2>&1); rc=$?
    expect "a clean tree passes" $([ $rc = 0 ] && [ "$(failed_count "$out")" = 0 ]; echo $?)
    # 2. this tree, copied: then one upward include planted in util
    mkdir -p "$tmp/copy"
    cp -R src include "$tmp/copy/"
    base=$(sh "$self" "$tmp/copy" 2>&1)
    n0=$(failed_count "$base")
    victim=src/util/cursor.c
    lines=$(wc -l <"$tmp/copy/$victim")
    printf '#include "report/report.h"\n' >>"$tmp/copy/$victim"
    out=$(sh "$self" "$tmp/copy" 2>&1); rc=$?
    printf '%s\n' "$out" | grep -F "$victim:$((lines + 1)): util -> report" >/dev/null
    expect "upward include util -> report reported with its line" $?
    expect "the check fails" $([ $rc != 0 ]; echo $?)
    n1=$(failed_count "$out")
    expect "one more failed file ($n0 -> $n1)" $([ "$n1" = $((n0 + 1)) ]; echo $?)
    # 3. the peers: tls may not include x509
    printf '#include "x509/cert.h"\n' >>"$tmp/copy/src/tls/keylog.c"
    out=$(sh "$self" "$tmp/copy" 2>&1)
    printf '%s\n' "$out" | grep -E "src/tls/keylog.c:[0-9]+: tls -> x509" >/dev/null
    expect "peer include tls -> x509 reported" $?
    # 4. a header at the top (the driver) is above every stage
    printf '#include "run.h"\n' >>"$tmp/copy/include/tcp/flow.h"
    out=$(sh "$self" "$tmp/copy" 2>&1)
    printf '%s\n' "$out" | grep -E "include/tcp/flow.h:[0-9]+: tcp -> driver" >/dev/null
    expect "include of a driver header from tcp reported" $?
    echo "include-direction-self-test: $pass passed, $fail failed"
    [ $fail = 0 ]
}

case ${1:-} in
--self-test) self_test ;;
"") check_tree . ;;
*) check_tree "$1" ;;
esac
