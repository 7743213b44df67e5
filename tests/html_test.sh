#!/bin/sh
# The --html report: one self-contained page, well formed, without script,
# with every failed connection, its cause and its ladder; capture strings
# escaped; the same bytes on every run; and it renders in headless Chromium
# (Debian package: chromium) to a page that is not blank.
# TLSEXPLAIN=path overrides ./tlsexplain. Ends with "html: N passed, N failed".
cd "$(dirname "$0")/.." || exit 2
TOOL=${TLSEXPLAIN:-./tlsexplain}
export TZ=UTC NO_COLOR=1
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
check() {   # check NAME COMMAND...: passes when COMMAND exits 0
    name=$1; shift
    if out=$("$@" 2>&1); then ok "$name"; else bad "$name"; printf '%s\n' "$out" | head -20; fi
}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM

[ -x "$TOOL" ] || make -s >/dev/null 2>&1
if [ ! -x "$TOOL" ]; then
    bad "build: $TOOL missing"
    echo "html: $pass passed, $fail failed"
    exit 1
fi

# ---- a capture with a hostile SNI and ALPN: markup, quotes, a control byte,
# invalid UTF-8; the client offers forward-secret suites and gets a reset.
python3 - "$T/hostile.pcap" <<'EOF'
import struct, sys
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
C, S = bytes([10, 9, 8, 7]), bytes([10, 9, 8, 1])
def pkt(src, dst, sp, dp, seq, ack, flags, data=b""):
    tcp = struct.pack("!HHIIBBHHH", sp, dp, seq, ack, 5 << 4, flags, 65535, 0, 0) + data
    ph = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(ph + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return b"\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x08\x00" + ip + tcp
sni = b"<script>alert('x')</script>&\"\x01\xff.example"
alpn = [b"<b>h2</b>", b"http/1.1"]
ext_sni = struct.pack("!HBH", len(sni) + 3, 0, len(sni)) + sni
alpn_list = b"".join(bytes([len(p)]) + p for p in alpn)
ext_alpn = struct.pack("!H", len(alpn_list)) + alpn_list
exts = (struct.pack("!HH", 0, len(ext_sni)) + ext_sni +
        struct.pack("!HH", 16, len(ext_alpn)) + ext_alpn)
suites = struct.pack("!HHH", 0xc02f, 0xc030, 0xcca8)
body = (struct.pack("!H", 0x0303) + bytes(range(32)) + b"\0" + struct.pack("!H", len(suites)) +
        suites + b"\x01\x00" + struct.pack("!H", len(exts)) + exts)
hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
rec = b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs
cs, ss = 1000, 5000
frames = [pkt(C, S, 50000, 443, cs, 0, 0x02),
          pkt(S, C, 443, 50000, ss, cs + 1, 0x12),
          pkt(C, S, 50000, 443, cs + 1, ss + 1, 0x10),
          pkt(C, S, 50000, 443, cs + 1, ss + 1, 0x18, rec),
          pkt(S, C, 443, 50000, ss + 1, cs + 1 + len(rec), 0x14)]
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i, fr in enumerate(frames):
        f.write(struct.pack("<IIII", 1700000000, 1000 * i, len(fr), len(fr)) + fr)
EOF

INPUTS="test-captures/fail test-captures/certs $T/hostile.pcap"
# shellcheck disable=SC2086
"$TOOL" --html "$T/x.html" $INPUTS >/dev/null 2>"$T/err"
rc=$?
check "exit status 1 (failed handshakes in the inputs), got $rc" test "$rc" = 1
check "the report file is written" test -s "$T/x.html"
# shellcheck disable=SC2086
"$TOOL" --json $INPUTS >"$T/x.jsonl" 2>/dev/null
"$TOOL" --html "$T/again.html" $INPUTS >/dev/null 2>&1
check "the same report on a second run" cmp -s "$T/x.html" "$T/again.html"

# ---- structure, content and escaping, with python's html.parser
check "well formed, no script, every failed connection with cause and ladder" \
    python3 - "$T/x.html" "$T/x.jsonl" <<'EOF'
import json, re, sys
from html.parser import HTMLParser
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "source", "track", "wbr"}
errors = []
class P(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.ids, self.hrefs, self.text = [], set(), [], []
        self.articles, self.ladders, self.timelines = 0, 0, 0
    def attrs_check(self, tag, attrs):
        for k, v in attrs:
            if k.startswith("on"):
                errors.append("event handler attribute %s on <%s>" % (k, tag))
            if v and "javascript:" in v.lower():
                errors.append("javascript: URL in <%s %s>" % (tag, k))
            if k == "id":
                if v in self.ids:
                    errors.append("duplicate id %s" % v)
                self.ids.add(v)
            if k == "href":
                self.hrefs.append(v)
            if k == "class" and tag == "article" and "failed" in v.split():
                self.articles += 1
            if k == "class" and tag == "svg" and v == "ladder":
                self.ladders += 1
            if k == "class" and tag == "svg" and v == "timeline":
                self.timelines += 1
        if tag in ("script", "iframe", "object", "embed", "foreignobject"):
            errors.append("<%s> in the report" % tag)
        if tag in ("link", "img") :
            errors.append("<%s>: the page must not load anything" % tag)
    def handle_starttag(self, tag, attrs):
        self.attrs_check(tag, attrs)
        if tag not in VOID:
            self.stack.append((tag, self.getpos()))
    def handle_startendtag(self, tag, attrs):
        self.attrs_check(tag, attrs)
    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            errors.append("</%s> at %s closes %s" % (tag, self.getpos(),
                          self.stack[-1] if self.stack else "nothing"))
            return
        self.stack.pop()
    def handle_data(self, d):
        self.text.append(d)
raw = open(sys.argv[1], "rb").read()
try:
    html = raw.decode("utf-8")
except UnicodeDecodeError as e:
    sys.exit("not UTF-8: %s" % e)
if not html.startswith("<!DOCTYPE html>"):
    errors.append("no <!DOCTYPE html>")
if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", html):
    errors.append("a raw control byte in the page")
p = P()
p.feed(html)
p.close()
if p.stack:
    errors.append("unclosed: %s" % p.stack[-5:])
for h in p.hrefs:
    if not h.startswith("#") or h[1:] not in p.ids:
        errors.append("link %s goes nowhere in the page" % h)
text = "".join(p.text)
conns = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
failed = [c for c in conns if c.get("type") == "connection" and c.get("verdict") == "failed"]
if not failed:
    errors.append("the JSON run shows no failed connection")
for c in failed:
    d = c.get("diagnosis") or {}
    if d.get("id") and d["id"] not in text:
        errors.append("diagnosis id %s (%s #%s) not in the page" % (d["id"], c["file"], c["conn"]))
if p.articles != len(failed):
    errors.append("%d failed connections in the page, %d in --json" % (p.articles, len(failed)))
if p.ladders != p.articles:
    errors.append("%d ladders for %d failed connections" % (p.ladders, p.articles))
if p.timelines == 0:
    errors.append("no timeline")
m = re.search(r'<div class="tile failed"><b>(\d+)</b>', html)
if not m or int(m.group(1)) != len(failed):
    errors.append("summary tile says %s failed, --json %d" % (m and m.group(1), len(failed)))
for needle in ("no_forward_secret_suite", "frame 78", "Fix", "Why", "confidence high",
               "no-fs-suite.pcap"):
    if needle not in text:
        errors.append("%r missing from the page text" % needle)
# the hostile SNI and ALPN: shown, escaped, never raw
if "<script>alert" in html or "<b>h2</b>" in html:
    errors.append("capture strings reach the page unescaped")
if "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;\\x01\\xff.example" not in html:
    errors.append("the hostile SNI is not shown escaped (&lt;...\\x01\\xff)")
if "&lt;b&gt;h2&lt;/b&gt;" not in html:
    errors.append("the hostile ALPN is not shown escaped")
# a timeline tooltip's lines are broken, not printed as an escaped newline
if "\\x0aframes" in html or "\\x0aSNI" in html:
    errors.append("a tooltip line break shown as \\x0a")
if not re.search(r"<title>#\d+ from [^<]*\nframes \d+-\d+", html):
    errors.append("no tooltip with a line per fact")
for e in errors[:30]:
    print(e)
sys.exit(1 if errors else 0)
EOF

# ---- no input readable: still a valid page, and exit status 2
"$TOOL" --html "$T/empty.html" "$T/does-not-exist.pcap" >/dev/null 2>&1
rc=$?
check "unreadable input: exit status 2, got $rc" test "$rc" = 2
check "unreadable input: an empty report still written" \
    python3 -c 'import sys; from html.parser import HTMLParser as P
h = open(sys.argv[1], encoding="utf-8").read()
P().feed(h); sys.exit(0 if "<b>0</b>files" in h and h.rstrip().endswith("</html>") else 1)' \
    "$T/empty.html"
"$TOOL" --html /nonexistent-dir/x.html test-captures/fail/no-fs-suite.pcap >/dev/null 2>&1
rc=$?
check "an unwritable report path: exit status 2, got $rc" test "$rc" = 2

# ---- headless Chromium: the page renders and is not blank
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
# a test installs nothing: scripts/install-deps.sh does (make deps)
if [ -z "$CHROMIUM" ]; then
    bad "chromium not installed (Debian package chromium; make deps installs it): the page was not rendered"
else
    "$TOOL" --html "$T/one.html" test-captures/fail/no-fs-suite.pcap >/dev/null 2>&1
    chrome() {
        timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
            --disable-background-networking --disable-component-update --disable-sync \
            --no-first-run --user-data-dir="$(mktemp -d "$T/profile.XXXXXX")" "$@" 2>/dev/null
    }
    chrome --screenshot="$T/x.png" --window-size=1200,2000 "file://$T/x.html" >/dev/null
    check "chromium: a screenshot of the report" test -s "$T/x.png"
    check "chromium: the screenshot is not blank (colours of the page, red and green)" \
        python3 - "$T/x.png" <<'EOF'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
if data[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit("not a PNG")
pos, idat, w = 8, b"", 0
while pos < len(data):
    n, kind = struct.unpack("!I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype, _, _, interlace = struct.unpack("!IIBBBBB", body)
        if depth != 8 or ctype not in (2, 6) or interlace:
            sys.exit("unexpected PNG format %d/%d/%d" % (depth, ctype, interlace))
        bpp = 3 if ctype == 2 else 4
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
stride = w * bpp
prev = bytearray(stride)
colours, red, green = set(), 0, 0
for y in range(h):
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    if f == 1:
        for i in range(bpp, stride): line[i] = (line[i] + line[i - bpp]) & 255
    elif f == 2:
        line = bytearray((a + b) & 255 for a, b in zip(line, prev))
    elif f == 3:
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
    elif f == 4:
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    prev = line
    if y % 4:
        continue
    for x in range(0, w, 3):
        r, g, b = line[x * bpp:x * bpp + 3]
        colours.add((r >> 3, g >> 3, b >> 3))
        red += r > 170 and g < 90 and b < 90
        green += g > 110 and r < 90 and b < 110
print("%dx%d, %d colours, %d red and %d green samples" % (w, h, len(colours), red, green))
sys.exit(0 if len(colours) >= 20 and red >= 20 and green >= 5 else 1)
EOF
    chrome --dump-dom "file://$T/one.html" >"$T/dom.html"
    check "chromium: the rendered page names the diagnosis no_forward_secret_suite" \
        grep -q "no_forward_secret_suite" "$T/dom.html"
    check "chromium: the rendered page has the ladder of the failed connection" \
        grep -q 'class="ladder"' "$T/dom.html"
fi

echo "html: $pass passed, $fail failed"
[ "$fail" = 0 ]
