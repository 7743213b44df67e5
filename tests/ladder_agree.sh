#!/bin/sh
# The text ladder (-v) and the HTML ladder (--html) are drawn from one model
# (src/report/ladder_model.c): for every failed connection of every test
# capture, both must show the same rungs (frame, side, label) in the same
# order. Ends with "ladder: N passed, N failed".
# TLSEXPLAIN=path overrides ./tlsexplain.
cd "$(dirname "$0")/.." || exit 2
TOOL=${TLSEXPLAIN:-./tlsexplain}
export TZ=UTC NO_COLOR=1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM
[ -x "$TOOL" ] || make -s >/dev/null 2>&1
find test-captures -name '*.pcap' | sort >"$T/list"
while read -r f; do
    n=$(echo "$f" | tr '/' '_')
    timeout 60 "$TOOL" -v --color=never "$f" >"$T/$n.txt" 2>/dev/null
    timeout 60 "$TOOL" --html "$T/$n.html" "$f" >/dev/null 2>&1
done <"$T/list"
python3 - "$T" <<'PY'
import html, os, re, sys
d = sys.argv[1]
passed = failed = 0
def text_ladders(path):
    """{conn id: [(frame, side, label)]} of the failed connections."""
    out, cur = {}, None
    for line in open(path, encoding="utf-8", errors="replace"):
        m = re.match(r"^#(\d+)  .*FAILED", line)
        if m:
            cur = out.setdefault(int(m.group(1)), [])
            continue
        m = re.match(r"^    ([ \d]{8}) [ \d.]{10}  (.*)$", line.rstrip("\n"))
        if not m or cur is None or not m.group(1).strip():
            continue
        rung = m.group(2)
        c = re.match(r"^(.*) -{3,}>$", rung)
        s = re.match(r"^<-{3,} (.*)$", rung)
        if c:
            cur.append((int(m.group(1)), "client", c.group(1)))
        elif s:
            cur.append((int(m.group(1)), "server", s.group(1)))
    return out
def html_ladders(path):
    out = {}
    page = open(path, encoding="utf-8", errors="replace").read()
    for art in re.finditer(r'<article class="conn failed" id="f\d+-c(\d+)">(.*?)</article>', page, re.S):
        rungs = out.setdefault(int(art.group(1)), [])
        for t in re.finditer(r'<g class="rung [^"]*"><title>frame (\d+), (client|server) to \w+: (.*?)</title>', art.group(2)):
            label = html.unescape(t.group(3))
            if label.endswith(" (evidence)"):
                label = label[:-len(" (evidence)")]
            rungs.append((int(t.group(1)), t.group(2), label))
    return out
for name in sorted(os.listdir(d)):
    if not name.endswith(".txt"):
        continue
    base = name[:-4]
    hp = os.path.join(d, base + ".html")
    if not os.path.exists(hp):
        continue
    tl, hl = text_ladders(os.path.join(d, name)), html_ladders(hp)
    # the page draws the first HTML_MAX_DETAILS failed connections and says
    # how many more it leaves to the text (tcp/syn-storm.pcap has 240)
    m = re.search(r"(\d+) more failed connections are not drawn here",
                  open(hp, encoding="utf-8", errors="replace").read())
    more = int(m.group(1)) if m else 0
    if more:
        drawn = sorted(tl)[:len(tl) - more]
        if len(hl) + more == len(tl) and sorted(hl) == drawn:
            passed += 1
        else:
            failed += 1
            print("FAIL %s: %d drawn and %d more, the text has %d" % (base, len(hl), more, len(tl)))
        tl = {cid: tl[cid] for cid in drawn}
    for cid in sorted(set(tl) | set(hl)):
        if tl.get(cid) == hl.get(cid) and tl.get(cid):
            passed += 1
        else:
            failed += 1
            print("FAIL %s #%d" % (base, cid))
            a, b = tl.get(cid, []), hl.get(cid, [])
            for i in range(max(len(a), len(b))):
                x = a[i] if i < len(a) else None
                y = b[i] if i < len(b) else None
                if x != y:
                    print("   text: %s\n   html: %s" % (x, y))
                    break
print("ladder: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
