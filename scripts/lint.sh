#!/bin/sh
# Lint: functions the project does not use, raw byte indexing in the parsers,
# and cppcheck. Ends with "lint: N passed, N failed".
cd "$(dirname "$0")/.." || exit 2
pass=0 fail=0
check() {   # check NAME COMMAND...: passes when the command prints nothing
    name=$1; shift
    out=$("$@" 2>&1)
    if [ -z "$out" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $name"
        echo "$out" | head -20
    fi
}
banned() {
    grep -nE '\b(sprintf|vsprintf|strcpy|strcat|strncpy|atoi|atol|gets|strtok)\s*\(' src/*.c src/*/*.c
}
# Parsers read bytes only through the cursor (include/util/cursor.h): no p[i]
# style reads of a packet buffer in the decoders.
raw_reads() {
    grep -nE '\b(data|buf|payload)\[[^]]+\]' src/capture/packet_decode.c src/tls/hello.c src/tls/handshake.c
}
cppcheck_run() {
    cppcheck --quiet --enable=warning,portability,performance --std=c11 -Iinclude \
        --suppress=missingIncludeSystem --inline-suppr --error-exitcode=0 src
}
check banned-functions banned
check raw-reads-in-parsers raw_reads
check cppcheck cppcheck_run
echo "lint: $pass passed, $fail failed"
[ $fail = 0 ]
