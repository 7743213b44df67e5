#!/bin/sh
# The manual page against the code: it formats without a warning, and it
# documents every diagnosis id of the rule table (src/rules/table.c), every
# option of src/main.c, and every JSON field the reporters write.
# Ends with "man: N passed, N failed".
cd "$(dirname "$0")/.." || exit 2
MAN=man/tlsexplain.1
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }

if [ ! -f "$MAN" ]; then
    echo "FAIL $MAN missing"
    echo "man: 0 passed, 1 failed"
    exit 1
fi

# ---- formatting: no warning at all (-ww), in the default and a UTF-8 device
for dev in "" "-Tutf8"; do
    # shellcheck disable=SC2086
    out=$(groff -man -ww -z $dev "$MAN" 2>&1)
    if [ -z "$out" ]; then ok; else bad "groff -man -ww -z $dev: $out"; fi
done

# ---- sections
for s in NAME SYNOPSIS DESCRIPTION OPTIONS OUTPUT DIAGNOSES "EXIT STATUS" ENVIRONMENT \
    EXAMPLES "SEE ALSO"; do
    if grep -q "^\.SH \"*$s\"*\$" "$MAN"; then ok; else bad "section $s missing"; fi
done

# ---- every diagnosis id of the rule table, as a tagged paragraph
ids=$(sed -n 's/^[[:space:]]*X(\([a-z0-9_]*\)).*/\1/p' src/rules/table.c)
[ -n "$ids" ] || bad "no ids found in src/rules/table.c"
for id in $ids; do
    if grep -q "^\.B $id\$" "$MAN"; then ok; else bad "diagnosis id $id not documented"; fi
done
# and no documented id that the table lacks (an id removed from the code)
for id in $(sed -n '/^\.SH DIAGNOSES/,/^\.SH /s/^\.B \([a-z0-9_]*\)$/\1/p' "$MAN"); do
    if printf '%s\n' $ids | grep -qx "$id"; then ok; else bad "$id documented, not in table.c"; fi
done

# ---- every long option and every short option of src/main.c
longs=$(sed -n -e 's/^[[:space:]]*{"\([a-z-]*\)",.*/\1/p' -e 's/^[[:space:]]*{\.name = "\([a-z-]*\)",.*/\1/p' src/main.c)
[ -n "$longs" ] || bad "no long options found in src/main.c"
for o in $longs; do
    esc=$(printf '%s' "$o" | sed 's/-/\\\\-/g')
    if grep -q "\\\\-\\\\-$esc" "$MAN"; then ok; else bad "option --$o not documented"; fi
done
shorts=$(sed -n 's/.*getopt_long(argc, argv, "\([^"]*\)".*/\1/p' src/main.c | tr -d ':')
for o in $(printf '%s' "$shorts" | sed 's/./& /g'); do
    if grep -qF ".BR \\-$o \", \" \\-\\-" "$MAN"; then ok; else bad "option -$o not documented"; fi
done

# ---- every JSON field the reporters write
fields=$(grep -ohE 'key\(f, "[a-z_0-9]+"|\\"[a-z_0-9]+\\":' src/report/json.c src/report/cert_json.c |
    sed -E 's/key\(f, "//; s/"$//; s/\\"//g; s/://' | sort -u)
[ -n "$fields" ] || bad "no JSON fields found in src/report/json.c"
json_part=$(sed -n '/^\.SS JSON LINES/,/^\.SH /p' "$MAN")
for k in $fields; do
    if printf '%s\n' "$json_part" | grep -qE "^\.(B|BR|TP) .*\b$k\b|^\.B $k\$|\b$k\b"; then
        ok
    else
        bad "JSON field $k not documented"
    fi
done

# ---- the default of --max-connections is the one in the code
def=$(sed -n 's/^#define FLOW_DEFAULT_MAX_CONNS \([0-9]*\).*/\1/p' include/tcp/flow.h)
if [ -n "$def" ] && grep -q "connections per file (default $def)" "$MAN"; then ok
else bad "--max-connections default ${def:-?} not the one documented"; fi

# ---- exit statuses 0, 1 and 2, and NO_COLOR
for s in 0 1 2; do
    if sed -n '/^\.SH EXIT STATUS/,/^\.SH /p' "$MAN" | grep -q "^\.B $s\$"; then ok
    else bad "exit status $s not documented"; fi
done
if sed -n '/^\.SH ENVIRONMENT/,/^\.SH /p' "$MAN" | grep -q "^\.B NO_COLOR"; then ok
else bad "NO_COLOR not documented"; fi

echo "man: $pass passed, $fail failed"
[ "$fail" = 0 ]
