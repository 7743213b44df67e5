#!/bin/sh
# The diagnosis pages against the code: every id of the rule table
# (src/rules/table.c) and every id announced for the QUIC, STARTTLS, ECH and
# network-loss rules has its page in docs/diagnoses/ with the sections a
# support engineer looks for, a line in the index and in docs/references.tsv;
# no page for an id the code does not know; links between pages resolve; the
# pages cite nothing outside the project. Ends with "docs: N passed, N failed".
cd "$(dirname "$0")/.." || exit 2
DIR=docs/diagnoses
TSV=docs/references.tsv
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }

# ids whose rules are being added alongside these pages
NEW_IDS="network_loss starttls_refused quic_blocked quic_version_mismatch ech_rejected"

table_ids=$(sed -n 's/^[[:space:]]*X(\([a-z0-9_]*\)).*/\1/p' src/rules/table.c)
if [ -n "$table_ids" ]; then ok; else bad "no ids found in src/rules/table.c"; fi
ids=$( (printf '%s\n' "$table_ids"; printf '%s\n' "$NEW_IDS" | tr ' ' '\n') | sort -u)

for id in $ids; do
    page="$DIR/$id.md"
    if [ ! -f "$page" ]; then
        bad "$id: $page missing"
        continue
    fi
    ok
    # the title names the id
    if head -n 1 "$page" | grep -q "^# $id: "; then ok; else bad "$id: first line is not '# $id: ...'"; fi
    # the sections
    for s in "## How the capture shows it" "## How sure, and what confirms it" \
        "## Usual causes" "## Fix" "## References"; do
        if grep -qx "$s" "$page"; then ok; else bad "$id: section '$s' missing"; fi
    done
    # the references cite something a user can follow
    if sed -n '/^## References$/,$p' "$page" | grep -qE 'RFC [0-9]+|KB ?[0-9]+|CVE-[0-9]+|JDK-[0-9]+|draft-ietf|[a-z]+\([0-9]\)'; then
        ok
    else
        bad "$id: References cite no RFC, KB, CVE, JDK bug or manual page"
    fi
    # short enough to read next to a capture
    n=$(wc -l < "$page")
    if [ "$n" -ge 30 ] && [ "$n" -le 100 ]; then ok; else bad "$id: $n lines (30-100 expected)"; fi
    # in the index
    if grep -qF "]($id.md)" "$DIR/README.md"; then ok; else bad "$id: not in $DIR/README.md"; fi
    # one line in references.tsv with references in it
    refs=$(awk -F'\t' -v id="$id" '$1 == id { print $2 }' "$TSV")
    count=$(awk -F'\t' -v id="$id" '$1 == id' "$TSV" | wc -l)
    if [ "$count" -eq 1 ] && [ -n "$refs" ]; then ok; else bad "$id: $count lines in $TSV"; fi
done

# no page, index entry or reference line for an id the code does not know
for f in "$DIR"/*.md; do
    id=$(basename "$f" .md)
    [ "$id" = README ] && continue
    if printf '%s\n' "$ids" | grep -qx "$id"; then ok; else bad "$f: no such diagnosis id"; fi
done
for id in $(tail -n +2 "$TSV" | cut -f1); do
    if printf '%s\n' "$ids" | grep -qx "$id"; then ok; else bad "$TSV: unknown id $id"; fi
done
if head -n 1 "$TSV" | grep -qx "$(printf 'id\trefs')"; then ok; else bad "$TSV: header is not 'id<TAB>refs'"; fi
if awk -F'\t' 'NF != 2 { exit 1 }' "$TSV"; then ok; else bad "$TSV: a line without exactly two fields"; fi

# every relative link between the pages resolves
for f in "$DIR"/*.md; do
    # shellcheck disable=SC2013 # link targets hold no spaces (the pattern excludes them)
    for target in $(grep -oE '\]\([^)#: ]+\)' "$f" | sed 's/^](//; s/)$//'); do
        if [ -e "$DIR/$target" ]; then ok; else bad "$f: link to $target does not resolve"; fi
    done
done

# the documentation stands on its own: no paths into files users do not have
if grep -rnE 'kb/|FAILURES\.md|CASES\.md|DESIGN\.md|STYLE\.md|\.\./shared' docs/; then
    bad "docs/ cites files outside the project"
else
    ok
fi

echo "docs: $pass passed, $fail failed"
[ "$fail" = 0 ]
