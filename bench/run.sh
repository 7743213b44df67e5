#!/bin/bash
# bench/run.sh: speed and memory of tlsexplain against its peers, run side by
# side on the same large capture (bench/make-large.sh), plus a repeatable
# instruction count on a small capture. Speed and memory are measured here,
# never by timed unit tests.
#
#   bench/run.sh                      the 100 MB capture
#   SIZES="100M 1G" bench/run.sh      also the 1 GB one (about 5 minutes in all)
#   SIZES=storm bench/run.sh          the connection storm: 1,000,000 SYNs to port 443
#                                     from distinct clients (bench/make-syn-storm.py;
#                                     stormN for N SYNs)
#
# Settings (environment):
#   SIZES       capture sizes to build and measure, default "100M"
#   RUNS        timed runs per tool, default 3 (1 for sizes of 1G and more)
#   WARMUP      untimed runs first, default 1 (0 for sizes of 1G and more)
#   TLSEXPLAIN  the binary to measure; default: `make -s` here, then ./tlsexplain
#   HYPERFINE   0 to time with the built-in loop even when hyperfine is there
#   INSTR       0 to skip the callgrind instruction count
#   TOOLS       names of the rows to run (default all), e.g. "tlsexplain-json tshark-tls"
#   LABEL       what to call the measured binary in the table
#
# Output: a Markdown table per size on stdout (also bench/out/results-SIZE.md),
# the memory growth of tlsexplain between the sizes, and the instruction count.
# Wall time is the mean of the timed runs (hyperfine, or a loop with
# os.wait4); CPU is user + system; max RSS is GNU time's %M (the largest of
# the runs). MB = 10^6 bytes.
# Every tool's output goes to /dev/null. Peers that are missing are listed as
# such (Debian packages: tshark, tcpdump, ssldump, hyperfine, valgrind, time;
# Zeek is not in Debian 12).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out=$here/out
mkdir -p "$out/tmp"

if [ -z "${TLSEXPLAIN:-}" ]; then
    make -s -C "$root" tlsexplain >&2
    TLSEXPLAIN=$root/tlsexplain
fi
tlsx=$TLSEXPLAIN
# What is measured: the commit when it is this tree's build, else --version.
if [ "$tlsx" = "$root/tlsexplain" ]; then
    label="$(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown) (this tree)"
else
    label="$("$tlsx" --version 2>/dev/null | head -1) at $tlsx"
fi
label=${LABEL:-$label}
sizes=${SIZES:-100M}

have() { command -v "$1" >/dev/null 2>&1; }

# The floor: a bare libpcap loop (bench/pcap_floor.c), built here.
floor_bin=$out/pcap_floor
if [ ! -x "$floor_bin" ] || [ "$here/pcap_floor.c" -nt "$floor_bin" ]; then
    cc -O2 -o "$floor_bin" "$here/pcap_floor.c" -lpcap
fi

# name|command ({} is the capture). The first row is the reference for the
# "÷ tlsx" ratios; the floor row for the "÷ floor" ones.
rows() {
    echo "tlsexplain-json|$tlsx --json {}"
    echo "tlsexplain-text|$tlsx {}"
    echo "tlsexplain-summary|$tlsx -s {}"
    have tshark && echo "tshark-tls|tshark -r {} -o tcp.reassemble_out_of_order:TRUE -Y tls.handshake -T fields -e frame.number -e tls.handshake.type"
    have tshark && echo "tshark-conv|tshark -r {} -q -z conv,tcp"
    have ssldump && echo "ssldump|ssldump -r {} -n"
    have zeek && echo "zeek|zeek -r {}"
    have ndpiReader && echo "ndpiReader|ndpiReader -q -i {}"
    have tcpdump && echo "tcpdump-read|tcpdump -r {} -w /dev/null"
    echo "floor|$floor_bin {}"
    return 0
}

# What each row is, for the table.
describe() {
    case $1 in
        tlsexplain-json) echo "tlsexplain --json (parse + rules + JSON report of every connection)" ;;
        tlsexplain-text) echo "tlsexplain (parse + rules + text report of failed connections)" ;;
        tlsexplain-summary) echo "tlsexplain -s (parse + rules + summary table)" ;;
        tshark-tls) echo "tshark TLS dissection (-Y tls.handshake, fields)" ;;
        tshark-conv) echo "tshark -q -z conv,tcp (TCP conversations only)" ;;
        ssldump) echo "ssldump -n (TLS record decoder)" ;;
        zeek) echo "zeek -r (ssl.log, conn.log, x509.log)" ;;
        ndpiReader) echo "ndpiReader -q -i (nDPI flow classification)" ;;
        tcpdump-read) echo "tcpdump -r -w /dev/null (read and write back)" ;;
        floor) echo "bare libpcap loop (the floor, bench/pcap_floor.c)" ;;
        *) echo "$1" ;;
    esac
}

# measure NAME RUNS WARMUP JSON CMD...: runs CMD (output to /dev/null), writes
# {"times": [...], "cpu": [...], "rss_kb": [...], "rc": N} to JSON.
measure() {
    python3 - "$@" <<'EOF'
import json, os, subprocess, sys, time
name, runs, warmup, dest, *cmd = sys.argv[1:]
# A child forked from Python starts with Python's resident pages, which
# ru_maxrss counts, so GNU time (a small process) forks the tool when it is
# there: its %M is the tool's own peak.
gnu_time = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
stats = os.path.join(os.environ.get("BENCH_CWD") or ".", f"time-{os.getpid()}.txt")
times, cpu, rss, rc = [], [], [], 0
for i in range(int(warmup) + int(runs)):
    argv = [gnu_time, "-q", "-o", stats, "-f", "%e %U %S %M %x"] + cmd if gnu_time else cmd
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         cwd=os.environ.get("BENCH_CWD"))
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    rc = os.waitstatus_to_exitcode(status)
    user, system, maxrss = ru.ru_utime, ru.ru_stime, ru.ru_maxrss
    if gnu_time:
        e, user, system, maxrss, rc = open(stats).read().split()[-5:]
        user, system, maxrss, rc = float(user), float(system), int(maxrss), int(rc)
    if i >= int(warmup):
        times.append(wall)
        cpu.append(user + system)
        rss.append(maxrss)
if gnu_time:
    os.unlink(stats)
json.dump({"name": name, "times": times, "cpu": cpu, "rss_kb": rss, "rc": rc}, open(dest, "w"))
EOF
}

echo "## tlsexplain benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "Machine: $(nproc) CPUs ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), \
$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM, Linux $(uname -r); \
tshark $(tshark --version 2>/dev/null | awk 'NR == 1 { print $3 }' || echo -), \
ssldump $(dpkg-query -W -f='${Version}' ssldump 2>/dev/null || echo -), \
tcpdump $(tcpdump --version 2>/dev/null | awk 'NR == 1 { print $3 }' || echo -), \
hyperfine $(hyperfine --version 2>/dev/null | awk '{ print $NF }' || echo -)."
echo

use_hyperfine=0
if [ "${HYPERFINE:-1}" != 0 ] && have hyperfine; then use_hyperfine=1; fi

missing=""
for t in tshark ssldump zeek ndpiReader tcpdump; do have "$t" || missing="$missing $t"; done

for size in $sizes; do
    case $size in
        storm*) cap=$(python3 "$here/make-syn-storm.py" "${size#storm}" | tail -1) ;;
        *) cap=$(SIZE=$size "$here/make-large.sh") ;;
    esac
    big=0
    case $size in *G | storm*) big=1 ;; esac
    runs=${RUNS:-$([ $big = 1 ] && echo 1 || echo 3)}
    warmup=${WARMUP:-$([ $big = 1 ] && echo 0 || echo 1)}
    bytes=$(stat -c %s "$cap")
    packets=$(capinfos -c -M "$cap" | awk '/Number of packets/ { print $NF }')
    # TLS handshakes in the capture (connections tlsexplain calls TLS), for handshakes/s
    # (exit status 1 means a failed handshake was found: not an error here)
    handshakes=$({ "$tlsx" --json "$cap" 2>/dev/null || true; } |
        python3 -c 'import json, sys; print(sum(json.loads(l).get("tls", 0) for l in sys.stdin if "\"summary\"" in l))')
    cat "$cap" >/dev/null  # into the page cache: every tool reads it warm
    load_before=$(cut -d' ' -f1-3 /proc/loadavg)
    res=$out/tmp/res-$size
    rm -rf "$res" && mkdir -p "$res"
    n=0
    while IFS='|' read -r name cmd; do
        if [ -n "${TOOLS:-}" ] && ! echo " $TOOLS " | grep -q " $name "; then continue; fi
        n=$((n + 1))
        c=${cmd//\{\}/$cap}
        echo "bench: $size $name: $c" >&2
        # shellcheck disable=SC2086 # the command is split on blanks on purpose
        if [ $use_hyperfine = 1 ] && [ "$runs" -ge 2 ]; then
            hyperfine -N -i --style none --runs "$runs" --warmup "$warmup" \
                --export-json "$res/$n-$name.hf.json" "$c" 2>&1 >/dev/null |
                { grep -v -e 'Ignoring non-zero exit code' -e 'first benchmarking run' -e '^ *$' >&2 || true; }
            BENCH_CWD=$out/tmp measure "$name" 1 0 "$res/$n-$name.json" $c
        else
            BENCH_CWD=$out/tmp measure "$name" "$runs" "$warmup" "$res/$n-$name.json" $c
        fi
        printf '%s\n%s\n' "$(describe "$name")" "$c" >"$res/$n-$name.cmd"
    done < <(rows)
    load_after=$(cut -d' ' -f1-3 /proc/loadavg)
    python3 - "$res" "$size" "$bytes" "$packets" "$runs" "$warmup" "$use_hyperfine" \
        "$label" "$missing" "$load_before" "$load_after" "$handshakes" <<'EOF' | tee "$out/results-$size.md"
import glob, json, os, statistics, sys
res, size, nbytes, packets, runs, warmup, hf, label, missing, load0, load1, hs = sys.argv[1:]
nbytes, packets, hs = int(nbytes), int(packets), int(hs or 0)
rows = []
for path in sorted(glob.glob(os.path.join(res, "*.json")), key=lambda p: int(os.path.basename(p).split("-")[0])):
    if path.endswith(".hf.json"):
        continue
    m = json.load(open(path))
    hfp = path[:-5] + ".hf.json"
    if os.path.exists(hfp):
        r = json.load(open(hfp))["results"][0]
        mean, sd, cpu = r["mean"], r["stddev"] or 0.0, r["user"] + r["system"]
    else:
        mean = statistics.mean(m["times"])
        sd = statistics.stdev(m["times"]) if len(m["times"]) > 1 else 0.0
        cpu = statistics.mean(m["cpu"])
    desc, cmd = open(path[:-5] + ".cmd").read().split("\n")[:2]
    rows.append((m["name"], desc, cmd, mean, sd, cpu, max(m["rss_kb"]) * 1024 / 1e6, m["rc"]))
if not rows:
    sys.exit(0)
ref_t, ref_c, ref_m = rows[0][3], rows[0][5], rows[0][6]
floor = [r for r in rows if r[0] == "floor"]
fl_t = floor[0][3] if floor else float("nan")
print(f"### {size} capture: {nbytes / 1e6:.1f} MB, {packets} packets, {hs} TLS handshakes")
print()
print(f"tlsexplain: {label}. {runs} timed run(s) after {warmup} warm-up; wall time "
      f"{'by hyperfine (mean ± σ)' if hf == '1' and int(runs) >= 2 else '(mean ± σ of the runs)'}; "
      f"CPU = user + system; MB/s, packets/s and handshakes/s from wall time; "
      f"\"÷ tlsx\" ratios are to the first row (> 1: the peer takes longer or more memory), "
      f"\"÷ floor\" to the bare libpcap loop. Load average before/after: {load0} / {load1}.")
print()
print("| tool | wall s | CPU s | MB/s | packets/s | handshakes/s | max RSS MB | wall ÷ floor | wall ÷ tlsx | CPU ÷ tlsx | RSS ÷ tlsx | exit |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for name, desc, cmd, mean, sd, cpu, rss, rc in rows:
    spread = f" ± {sd:.2f}" if int(runs) > 1 else ""
    print(f"| {desc} | {mean:.2f}{spread} | {cpu:.2f} | {nbytes / 1e6 / mean:.1f} | "
          f"{packets / mean:,.0f} | {hs / mean:,.0f} | {rss:.1f} | {mean / fl_t:.1f} | "
          f"{mean / ref_t:.2f} | {cpu / ref_c:.2f} | {rss / ref_m:.2f} | {rc} |")
if missing.strip():
    print()
    print(f"Not measured (not installed):{missing}.")
print()
print("Commands ({} is the capture):")
print()
for name, desc, cmd, *_ in rows:
    print(f"    {cmd}")
print()
EOF
done

# Memory growth of tlsexplain between the sizes (DESIGN: memory grows with the
# connections open at once, not with the size of the capture); not the storm.
growth=""
for s in $sizes; do
    case $s in storm*) ;; *) growth="$growth $s" ;; esac
done
# shellcheck disable=SC2086 # one word per size
set -- $growth
if [ $# -ge 2 ]; then
    python3 - "$out/tmp" "$@" <<'EOF'
import glob, json, os, sys
base, sizes = sys.argv[1], sys.argv[2:]
print("### Memory growth of tlsexplain with capture size")
print()
print("| row | " + " | ".join(f"{s} RSS MB" for s in sizes) + f" | {sizes[-1]} ÷ {sizes[0]} |")
print("|---|" + "---:|" * (len(sizes) + 1))
for name in ("tlsexplain-json", "tlsexplain-text", "tlsexplain-summary"):
    vals = []
    for s in sizes:
        p = glob.glob(os.path.join(base, f"res-{s}", f"*-{name}.json"))
        vals.append(max(json.load(open(p[0]))["rss_kb"]) * 1024 / 1e6 if p else float("nan"))
    print(f"| {name} | " + " | ".join(f"{v:.1f}" for v in vals) + f" | {vals[-1] / vals[0]:.2f} |")
print()
EOF
fi

# A repeatable figure: instructions on a small capture (callgrind counts them
# the same on every run and machine load, unlike wall time).
if [ "${INSTR:-1}" != 0 ] && have valgrind; then
    small=$root/test-captures/dhe/dhe-leading-zero.pcap
    cg=$out/callgrind.out
    valgrind --tool=callgrind --callgrind-out-file="$cg" "$tlsx" --json "$small" \
        >/dev/null 2>"$out/callgrind.log" || true
    ir=$(awk '/^(summary|totals):/ { print $2; exit }' "$cg")
    echo "### Instructions (callgrind) on a small capture"
    echo
    echo "    valgrind --tool=callgrind $tlsx --json test-captures/dhe/dhe-leading-zero.pcap"
    echo
    printf '%s instructions (Ir) for %s packets; top functions (inclusive) in bench/out/callgrind-top.txt\n' \
        "$(python3 -c 'import sys; print(f"{int(sys.argv[1]):,}")' "$ir" 2>/dev/null || echo "$ir")" \
        "$(capinfos -c -M "$small" | awk '/Number of packets/ { print $NF }')"
    callgrind_annotate --inclusive=yes "$cg" 2>/dev/null | head -60 >"$out/callgrind-top.txt" || true
    echo
fi
