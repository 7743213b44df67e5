#!/bin/sh
# regress.sh: replays every input in tests/regress/ that once crashed or hung
# the tool or one of the fuzz targets (see tests/regress/README.md).
#   capture-*.pcap, capture-*.pcapng  the tool (ASan build when present) with
#                                     --json and with -a -v, and fuzz_capture
#   tls_stream-*, tls13-*, cert-*, reassembly-*, keylog-*, capture-*
#                                     build/fuzz/replay_NAME: the fuzz target's
#                                     entry point, built with $(CC) and ASan by
#                                     make -f mk/fuzz.mk fuzz-replay-build
# NAME.xz is NAME compressed (big, regular captures); it is unpacked first.
# Each must end without a crash, a sanitizer report or a hang. Every input once
# ran in well under a second; a hang is what outlives REGRESS_LIMIT (120 s), a
# bound no load on a shared machine reaches.
# Ends with "regress: N passed, N failed".
cd "$(dirname "$0")/.." || exit 2
. tests/sanitize.sh
TOOL=$(san_tool)
LOG=$(mktemp)
TMP=$(mktemp -d /tmp/tlsx-regress.XXXXXX)
trap 'rm -rf "$LOG" "$TMP"' EXIT INT TERM
pass=0 fail=0

check() {   # check INPUT CMD...
    input=$1
    shift
    san_run "${REGRESS_LIMIT:-120}" "$LOG" "$@"
    if [ "$SAN_VERDICT" = ok ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL ($SAN_VERDICT, exit $SAN_RC): $*"
        grep -E "$SAN_PATTERN|^    #[0-9] " "$LOG" | head -8 | sed 's/^/    /'
    fi
}

replay_ok=1
if ls tests/regress/ | grep -Eq '^(tls_stream|tls13|cert|reassembly|keylog|capture)-'; then
    if ! make -s --no-print-directory -f mk/fuzz.mk fuzz-replay-build >"$LOG" 2>&1; then
        replay_ok=0
        echo "regress: cannot build the replay drivers (make -f mk/fuzz.mk fuzz-replay-build):"
        tail -5 "$LOG" | sed 's/^/    /'
    fi
fi

for f in tests/regress/*; do
    name=$(basename "$f")
    case $name in
        README* | *.md) continue ;;
        *.xz)
            name=${name%.xz}
            python3 -c 'import lzma, sys; open(sys.argv[2], "wb").write(lzma.open(sys.argv[1]).read())' \
                "$f" "$TMP/$name" || { fail=$((fail + 1)); echo "FAIL: cannot unpack $f"; continue; }
            f=$TMP/$name
            ;;
    esac
    target=${name%%-*}
    case $name in
        capture-*.pcap | capture-*.pcapng)
            check "$f" "$TOOL" --json "$f"
            check "$f" "$TOOL" -a -v "$f"
            ;;
    esac
    case $target in
        tls_stream | tls13 | cert | reassembly | keylog | capture)
            if [ "$replay_ok" = 1 ]; then
                check "$f" "build/fuzz/replay_$target" "$f"
            else
                fail=$((fail + 1))
                echo "FAIL (not replayed): $f"
            fi
            ;;
        *)
            fail=$((fail + 1))
            echo "FAIL: $f: the name must start with the fuzz target it belongs to (see README.md)"
            ;;
    esac
done
if [ $((pass + fail)) -eq 0 ]; then
    echo "regress: no input replayed from tests/regress/"
    fail=1
fi
echo "regress: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
