#!/usr/bin/env python3
"""Batch inputs: a folder that mixes test captures, a few ../shared/corpus captures (read
where they are: the mix is built in a temporary folder at test time, nothing is copied into
the repository), the same captures compressed with gzip, bzip2, xz and zstd, a zip with two
capture members and a text member, a tar and a compressed tar, a pcapng and a
nanosecond pcap inside archives, a damaged (cut) gzip, an empty file, a text file and a gzip
of text. Checks exit statuses, the skipped inputs and their reasons (JSON lines and the text
summary), summary counts against the per-connection lines, that every compressed or
archived copy (also a zstd capture inside a zip) is analysed exactly as the plain file, identical output with -j 1 and -j 2,
--files-from (a file and standard input), standard input itself, a worker killed on its
input (a named pipe), every corpus capture read alone as in one run over the corpus (nDPI's module is reused between captures), and the progress line on
a pseudo-terminal (and its absence with --quiet or when standard error is not a terminal).
Needs gzip, bzip2, xz, zstd, zip and tar. Ends with the line "batch: N passed, N failed"."""
import collections
import gzip
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checklib import check, report, run_on_pty  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOL = os.path.abspath(os.environ.get("TLSEXPLAIN", os.path.join(ROOT, "tlsexplain")))
CAPTURES = os.path.join(ROOT, "test-captures")
CORPUS = os.path.join(ROOT, "..", "shared", "corpus")
CORPUS_PICK = ["zeek/tls-1.2-handshake-failure.pcap", "illustrated-tls13/capture.pcap",
               "ja4/latest.pcapng"]
LIMIT = 120


def run(args, stdin=None, input_bytes=None, cwd=None):
    out = subprocess.run([TOOL, *args], capture_output=True, timeout=LIMIT, cwd=cwd,
                         stdin=stdin, input=input_bytes)
    return out.returncode, out.stdout.decode("utf-8", "replace"), out.stderr.decode(
        "utf-8", "replace")


def jsonl(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def sh(*cmd, cwd):
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL)


def nanosecond_copy(src, dst):
    """The same records with the nanosecond magic (pcap-savefile(5)) and times * 1000 + 7."""
    data = open(src, "rb").read()
    magic, = struct.unpack("<I", data[:4])
    assert magic == 0xa1b2c3d4, "a little-endian microsecond pcap is expected"
    out = bytearray(struct.pack("<I", 0xa1b23c4d) + data[4:24])
    pos = 24
    while pos + 16 <= len(data):
        sec, usec, caplen, length = struct.unpack("<IIII", data[pos:pos + 16])
        out += struct.pack("<IIII", sec, usec * 1000 + 7, caplen, length)
        out += data[pos + 16:pos + 16 + caplen]
        pos += 16 + caplen
    open(dst, "wb").write(out)


def strip_file(objs):
    """Connection and summary objects without their file name, for comparing copies."""
    keep = []
    for o in objs:
        if o["type"] in ("connection", "summary"):
            o = dict(o)
            o.pop("file")
            keep.append(json.dumps(o, sort_keys=True))
    return keep


def build_mix(tmp):
    mix = os.path.join(tmp, "mix")
    os.makedirs(os.path.join(mix, "sub"))
    plain = {
        "fs.pcap": os.path.join(CAPTURES, "fail", "no-fs-suite.pcap"),
        "tls13.pcap": os.path.join(CAPTURES, "basic", "tls13-hrr.pcap"),
    }
    for name, src in plain.items():
        shutil.copy(src, os.path.join(mix, name))
    # corpus captures are linked from the mix, not copied
    for i, rel in enumerate(CORPUS_PICK):
        os.symlink(os.path.abspath(os.path.join(CORPUS, rel)),
                   os.path.join(mix, "sub", "corpus%d-%s" % (i, os.path.basename(rel))))
    work = os.path.join(tmp, "work")
    os.makedirs(work)
    fs = os.path.join(work, "fs.pcap")
    shutil.copy(plain["fs.pcap"], fs)
    shutil.copy(os.path.join(CORPUS, CORPUS_PICK[2]), os.path.join(work, "ng.pcapng"))
    nanosecond_copy(fs, os.path.join(work, "nano.pcap"))
    sh("gzip", "-k", "fs.pcap", cwd=work)
    sh("bzip2", "-k", "fs.pcap", cwd=work)
    sh("xz", "-k", "fs.pcap", cwd=work)
    sh("zstd", "-q", "fs.pcap", cwd=work)
    with open(os.path.join(work, "readme.txt"), "w") as f:
        f.write("captures of ticket 4711\n")
    sh("zip", "-q", "two.zip", "fs.pcap", "ng.pcapng", "readme.txt", cwd=work)
    sh("tar", "cf", "caps.tar", "nano.pcap", "ng.pcapng", cwd=work)
    sh("tar", "cJf", "caps.tar.xz", "fs.pcap", "nano.pcap", cwd=work)
    # a compressed capture in an archive is read (one level); an archive in it is not
    sh("zip", "-q", "nested.zip", "fs.pcap.zst", "caps.tar.xz", cwd=work)
    for name in ["fs.pcap.gz", "fs.pcap.bz2", "fs.pcap.xz", "fs.pcap.zst", "two.zip",
                 "caps.tar", "caps.tar.xz", "nested.zip"]:
        # names that do not say what they hold: recognised by content
        shutil.copy(os.path.join(work, name), os.path.join(mix, name.replace(".", "_")))
    # a damaged gzip: a large corpus capture compressed, then cut in the middle
    big = max((os.path.join(CORPUS, "ndpi", n) for n in os.listdir(os.path.join(CORPUS, "ndpi"))
               if n.endswith(".pcap")), key=os.path.getsize)
    gz = subprocess.run(["gzip", "-c", big], capture_output=True, check=True).stdout
    with open(os.path.join(mix, "damaged.pcap.gz"), "wb") as f:
        f.write(gz[:len(gz) // 2])
    with open(os.path.join(mix, "notes.txt"), "w") as f:
        f.write("not a capture\n")
    open(os.path.join(mix, "empty.pcap"), "w").close()
    with open(os.path.join(mix, "hello.gz"), "wb") as f:
        f.write(subprocess.run(["gzip", "-c"], input=b"hello\n", capture_output=True,
                               check=True).stdout)
    return mix, work


EXPECTED_SKIPS = {
    "mix/empty.pcap": "empty",
    "mix/hello.gz": "compressed, but no capture inside",
    "mix/notes.txt": "not a capture",
    "mix/two_zip:readme.txt": "not a capture",
    "mix/nested_zip:caps.tar.xz": "an archive inside an archive: not read, unpack the outer one",
}
EXPECTED_CAPTURES = {
    "mix/caps_tar:nano.pcap", "mix/caps_tar:ng.pcapng", "mix/caps_tar_xz:fs.pcap",
    "mix/caps_tar_xz:nano.pcap", "mix/damaged.pcap.gz", "mix/fs.pcap", "mix/fs_pcap_bz2",
    "mix/fs_pcap_gz", "mix/fs_pcap_xz", "mix/fs_pcap_zst", "mix/sub/corpus0-tls-1.2-handshake-failure.pcap",
    "mix/sub/corpus1-capture.pcap", "mix/sub/corpus2-latest.pcapng", "mix/tls13.pcap",
    "mix/two_zip:fs.pcap", "mix/two_zip:ng.pcapng", "mix/nested_zip:fs.pcap.zst",
}


def test_mix(tmp, mix, work):
    rc, out, err = run(["--json", "mix"], cwd=tmp)
    objs = jsonl(out)
    check("mix: exit 1 (failed handshakes, nothing unreadable)", rc == 1, "exit %d: %s" % (rc, err))
    summaries = {o["file"]: o for o in objs if o["type"] == "summary"}
    check("mix: one summary per capture, archive members named archive:member",
          set(summaries) == EXPECTED_CAPTURES,
          "missing %s, extra %s" % (sorted(EXPECTED_CAPTURES - set(summaries)),
                                   sorted(set(summaries) - EXPECTED_CAPTURES)))
    skips = {o["file"]: o["reason"] for o in objs if o["type"] == "skipped"}
    check("mix: skipped inputs with their reasons", skips == EXPECTED_SKIPS, repr(skips))
    conns = collections.defaultdict(collections.Counter)
    for o in objs:
        if o["type"] == "connection":
            conns[o["file"]][o["verdict"]] += 1
    bad = [f for f, s in summaries.items()
           if (conns[f]["ok"], conns[f]["failed"], conns[f]["incomplete"]) !=
           (s["ok"], s["failed"], s["incomplete"]) or
           conns[f]["ok"] + conns[f]["failed"] + conns[f]["incomplete"] != s["tls"]]
    check("mix: each summary's counts equal its connection lines", not bad, repr(bad))
    check("mix: every connection line belongs to a summarised capture",
          set(conns) <= set(summaries), repr(set(conns) - set(summaries)))
    dmg = summaries.get("mix/damaged.pcap.gz", {})
    check("damaged gzip: what could be read is reported, with the reason",
          dmg.get("connections", 0) > 0 and
          dmg.get("error") == "capture damaged, read stopped early: truncated gzip input" and
          "mix/damaged.pcap.gz: capture damaged, read stopped early: truncated gzip input" in err,
          repr(dmg.get("error")) + " / " + err[:200])
    # every compressed or archived copy of fs.pcap gives the plain file's analysis
    plain = strip_file(jsonl(run(["--json", "fs.pcap"], cwd=work)[1]))
    copies = ["mix/fs_pcap_gz", "mix/fs_pcap_bz2", "mix/fs_pcap_xz", "mix/fs_pcap_zst",
              "mix/two_zip:fs.pcap", "mix/caps_tar_xz:fs.pcap", "mix/nested_zip:fs.pcap.zst"]
    by_file = collections.defaultdict(list)
    for o in objs:
        if o.get("file") in copies:
            by_file[o["file"]].append(o)
    differ = [c for c in copies if strip_file(by_file[c]) != plain]
    check("gzip, bzip2, xz, zstd, zip, tar.xz and zstd-in-zip copies analysed as the plain file",
          not differ
          and len(plain) > 1, repr(differ))
    # pcapng and nanosecond pcap inside archives: the same as read plain
    for member, name in [("mix/caps_tar:ng.pcapng", "ng.pcapng"),
                         ("mix/two_zip:ng.pcapng", "ng.pcapng"),
                         ("mix/caps_tar:nano.pcap", "nano.pcap")]:
        alone = strip_file(jsonl(run(["--json", name], cwd=work)[1]))
        inside = strip_file([o for o in objs if o.get("file") == member])
        check("%s read as %s alone" % (member, name), alone == inside and len(alone) > 0)
    nano = [o for o in jsonl(run(["--json", "nano.pcap"], cwd=work)[1]) if o["type"] == "connection"]
    plain_conn = [o for o in jsonl(run(["--json", "fs.pcap"], cwd=work)[1]) if o["type"] == "connection"]
    check("nanosecond pcap: the same start times as the microsecond one",
          [o["start"] for o in nano] == [o["start"] for o in plain_conn] and nano)

    # text summary: the skipped list, and the same totals as the JSON summaries
    rc, text, _ = run(["-s", "mix"], cwd=tmp)
    listed = re.findall(r"^  (\S+): (.+)$", text.split("skipped:\n", 1)[-1], re.M)
    check("summary: %d inputs skipped, each with its reason" % len(EXPECTED_SKIPS),
          ("%d inputs skipped:" % len(EXPECTED_SKIPS)) in text and dict(listed) == EXPECTED_SKIPS,
          text[-600:])
    m = re.search(r"^(\d+) files: (\d+) TLS connections, (\d+) ok, (\d+) failed, (\d+) incomplete",
                  text, re.M)
    want = (len(summaries), sum(s["tls"] for s in summaries.values()),
            sum(s["ok"] for s in summaries.values()), sum(s["failed"] for s in summaries.values()),
            sum(s["incomplete"] for s in summaries.values()))
    check("summary totals equal the sum of the per-capture summaries",
          m is not None and tuple(int(x) for x in m.groups()) == want,
          "%s vs %s" % (m.groups() if m else None, want))

    # -j 1 and -j 2: the same output, JSON and text
    for args in (["--json"], ["-s"], ["-a"]):
        one = run(args + ["-j", "1", "mix"], cwd=tmp)
        two = run(args + ["-j", "2", "mix"], cwd=tmp)
        check("%s: -j 1 and -j 2 give the same output and exit status" % " ".join(args),
              one[:2] == two[:2] and one[1], "exit %d vs %d" % (one[0], two[0]))

    # an unreadable input named on the command line: exit 2, the others still reported
    rc, out, err = run(["--json", "mix/notes.txt", "mix/fs_pcap_xz", "no-such.pcap"], cwd=tmp)
    objs2 = jsonl(out)
    errors = {o["file"] for o in objs2 if o["type"] == "error"}
    check("named inputs that cannot be read: exit 2, errors, the readable one reported",
          rc == 2 and errors == {"mix/notes.txt", "no-such.pcap"} and
          any(o["type"] == "summary" and o["file"] == "mix/fs_pcap_xz" for o in objs2),
          "exit %d, errors %s" % (rc, errors))
    rc, out, err = run(["mix/hello.gz"], cwd=tmp)
    check("a named gzip with no capture inside: exit 2 and the reason", rc == 2 and
          "mix/hello.gz: compressed, but no capture inside" in err, err)

    # archives damaged: cut inside a member (said once, what was read reported), and a
    # member header broken after a good member (that member reported, the archive an error)
    big = max((os.path.join(CORPUS, "ndpi", n) for n in os.listdir(os.path.join(CORPUS, "ndpi"))
               if n.endswith(".pcap")), key=os.path.getsize)
    tzst = subprocess.run(["tar", "cf", "-", "-C", work, "fs.pcap", "-C", os.path.dirname(big),
                           os.path.basename(big)], capture_output=True, check=True).stdout
    tzst = subprocess.run(["zstd", "-q", "-c"], input=tzst, capture_output=True, check=True).stdout
    with open(os.path.join(tmp, "cut.tar.zst"), "wb") as f:
        f.write(tzst[:len(tzst) * 3 // 4])
    rc, out, err = run(["--json", "cut.tar.zst"], cwd=tmp)
    objs3 = jsonl(out)
    cut_sums = [o for o in objs3 if o["type"] == "summary"]
    check("tar.zst cut inside a member: the members read are reported, the damage said once",
          rc == 1 and len(cut_sums) == 2 and cut_sums[0].get("error") is None and
          cut_sums[1].get("error", "").startswith("capture damaged, read stopped early: ") and
          not any(o["type"] == "error" for o in objs3) and err.count("damaged") == 1,
          "exit %d, %s, %r" % (rc, [o.get("error") for o in cut_sums], err))
    tar = bytearray(open(os.path.join(work, "caps.tar"), "rb").read())
    # the second member's header starts after the first header and its data, in 512-byte blocks
    first = int(tar[124:136].rstrip(b"\0 ").decode(), 8)
    second = 512 + (first + 511) // 512 * 512
    tar[second + 148:second + 156] = b"0000000\0"  # a checksum that cannot match
    with open(os.path.join(tmp, "broken.tar"), "wb") as f:
        f.write(tar)
    rc, out, err = run(["--json", "broken.tar"], cwd=tmp)
    objs4 = jsonl(out)
    check("tar with a broken second header: the first member reported, the archive an error, exit 2",
          rc == 2 and [o["file"] for o in objs4 if o["type"] == "summary"] == ["broken.tar:nano.pcap"]
          and [o["file"] for o in objs4 if o["type"] == "error"] == ["broken.tar"],
          "exit %d: %s" % (rc, err))

    # --files-from, from a file and from standard input: as the same paths given as arguments
    names = ["mix/fs_pcap_zst", "mix/two_zip", "mix/sub"]
    listing = os.path.join(tmp, "list.txt")
    with open(listing, "w") as f:
        f.write("\n".join(names) + "\n\n")
    direct = run(["--json"] + names, cwd=tmp)
    via_file = run(["--json", "--files-from", listing], cwd=tmp)
    via_stdin = run(["--json", "--files-from", "-"], cwd=tmp,
                    input_bytes=("\n".join(names) + "\n").encode())
    check("--files-from FILE: as the paths given as arguments", direct[:2] == via_file[:2]
          and direct[1])
    check("--files-from -: as the paths given as arguments", direct[:2] == via_stdin[:2])
    rc, _, err = run(["--files-from", "-", "-"], cwd=tmp, input_bytes=b"")
    check("--files-from - with - as an input: bad usage, exit 2", rc == 2, err)

    # standard input: compressed and archived captures from a pipe
    for name in ["fs.pcap.xz", "two.zip"]:
        with open(os.path.join(work, name), "rb") as f:
            piped = run(["--json", "-"], stdin=f, cwd=work)
        fromfile = run(["--json", name], cwd=work)
        check("standard input: %s from a pipe as from the file" % name,
              strip_file(jsonl(piped[1])) == strip_file(jsonl(fromfile[1])) and piped[0] == fromfile[0])


def pty_run(args, cwd, stdout_tty):
    """Runs with standard error (and standard output, if stdout_tty) on a pseudo-terminal;
    returns (exit status, bytes the terminal received)."""
    return run_on_pty([TOOL, *args], cwd, stdout_tty, LIMIT)


LINE = re.compile(rb"\r(\d+)/(\d+) files, [0-9.]+ [kMGT]?B of [0-9.]+ [kMGT]?B, "
                  rb"(?:[0-9.]+ [kMGT]?B|- B)/s, (?:\d+ s|\d+ min \d+ s|\d+ h \d+ min|\?) left\x1b\[K")


def test_progress(tmp):
    corpus = os.path.abspath(CORPUS)
    ncaps = None
    for jobs in ("1", "2"):
        rc, got = pty_run(["--json", "-j", jobs, corpus], tmp, stdout_tty=False)
        lines = LINE.findall(got)
        if ncaps is None:
            ncaps = len([1 for o in jsonl(run(["--json", corpus])[1]) if o["type"] == "summary"])
        totals = {int(t) for _, t in lines}
        check("progress -j %s: files done of total, bytes, rate and time left on the terminal"
              % jobs, rc == 1 and lines and totals == {ncaps}, repr(got[:200]))
        done = [int(d) for d, _ in lines]
        check("progress -j %s: files done never go back, never above the total" % jobs,
              done == sorted(done) and all(d <= ncaps for d in done), repr(done))
        # throttled: far fewer redraws than files (at most 4 a second)
        check("progress -j %s: redrawn a few times a second, not once per file" % jobs,
              len(lines) < ncaps, "%d lines for %d files" % (len(lines), ncaps))
        check("progress -j %s: the line is erased at the end" % jobs,
              got.endswith(b"\r\x1b[K"), repr(got[-40:]))
    # stdout on the same terminal: no report line starts on a progress line
    rc, got = pty_run(["-j", "1", corpus], tmp, stdout_tty=True)
    text = got.decode("utf-8", "replace")
    glued = [l for l in re.split(r"\r\n", text) if re.search(r"files, .* left\x1b\[K[^\r]", l)]
    check("progress with the report on the same terminal: erased before each report",
          LINE.search(got) and not glued, repr(glued[:2]))
    rc, got = pty_run(["--quiet", "--json", corpus], tmp, stdout_tty=False)
    check("--quiet: nothing on the terminal", rc == 1 and got == b"", repr(got[:100]))
    rc, out, err = run(["--json", corpus])
    check("standard error not a terminal: no progress", rc == 1 and " files, " not in err
          and "\r" not in err, repr(err[:100]))


def test_alone_as_in_batch():
    """nDPI's module is kept from one capture to the next while nDPI has learnt nothing in
    it. Every capture of the corpus read alone (a module of its own) must give the lines it
    gives in one run over the whole corpus, with -j 1 (one module for most of them, one of
    them teaches nDPI a BitTorrent host pair) and -j 2."""
    for jobs in ("1", "2"):
        rc, out, err = run(["--json", "-j", jobs, CORPUS])
        by_file, captures = collections.defaultdict(list), set()
        for line in out.splitlines():
            o = json.loads(line)
            by_file[o.get("file")].append(line)
            if o["type"] == "summary":
                captures.add(o["file"])
        differ, named = [], 0
        for path in sorted(captures):
            alone = run(["--json", path])[1].splitlines()
            named += sum('"application_protocol":"' in line for line in alone)
            if alone != by_file[path]:
                differ.append(os.path.relpath(path, CORPUS))
        check("-j %s: each corpus capture alone gives what it gives in the batch (%d captures, "
              "%d streams named by nDPI)" % (jobs, len(captures), named),
              not differ and len(captures) > 100 and named > 50, ", ".join(differ[:5]))


def children(pid):
    kids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                kids.append(int(entry))
    return kids


def wchan(pid):
    try:
        with open("/proc/%d/wchan" % pid) as f:
            return f.read()
    except OSError:
        return ""


def kill_stuck_worker(args):
    """Runs tlsexplain with args and kills the worker that waits in a named pipe's open()
    (the kernel's wait_for_partner); returns (killed, exit status, stdout, stderr)."""
    proc = subprocess.Popen([TOOL, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    killed = False
    for _ in range(200):
        for kid in children(proc.pid):
            if wchan(kid) == "wait_for_partner":  # the kernel's wait in a FIFO's open()
                os.kill(kid, 9)
                killed = True
        if killed:
            break
        subprocess.run(["sleep", "0.05"])
    try:
        out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    return killed, proc.returncode, out, err


def test_worker_dies(tmp):
    """-j 2: a worker killed on an input (a named pipe nobody writes, so the worker waits in
    open() until it is killed) is reported in that input's place, its replacement goes on,
    and every other input is printed in input order. The pipe comes first on the command
    line: inputs are handed out largest first, so the parent has the others done before it
    learns the first one's fate."""
    fifo = os.path.join(tmp, "stuck.pcap")
    os.mkfifo(fifo)
    names = [fifo] + [os.path.join(CAPTURES, "basic", n) for n in ("tls12.pcap", "tls13.pcap",
                                                                    "tls10.pcap")]
    killed, rc, out, err = kill_stuck_worker(["-s", "-j", "2"] + names)
    rows = [line.split()[0] for line in out.splitlines() if line.startswith(CAPTURES)]
    check("-j 2, a worker killed on its input: that input said to have died, the others "
          "printed in input order, exit status 2",
          killed and rc == 2 and "stuck.pcap: the analysis died" in err
          and rows == names[1:], "killed=%s rc=%s rows=%s err=%r" % (killed, rc,
                                                                      rows, err[:200]))


def test_queued_behind_a_death(tmp):
    """-j 2: a worker is sent the next input while it reads one, when the next is small; when
    it dies, the input queued behind the one it died on goes to another worker. Inputs (two
    empty files, a pipe nobody writes, a capture) are handed out largest first, then by input
    order, one to each worker and then a second to each: the capture and the first empty file
    to one, the pipe and the second empty file to the other, queued behind the pipe."""
    fifo = os.path.join(tmp, "stuck2.pcap")
    os.mkfifo(fifo)
    e1, e2 = os.path.join(tmp, "empty1.pcap"), os.path.join(tmp, "empty2.pcap")
    for e in (e1, e2):
        open(e, "wb").close()
    cap = os.path.join(CAPTURES, "basic", "tls12.pcap")
    names = [fifo, e1, e2, cap]
    killed, rc, out, err = kill_stuck_worker(["-s", "-j", "2"] + names)
    rows = [line.split()[0] for line in out.splitlines() if line.startswith((tmp, CAPTURES))]
    check("-j 2, the input queued behind a worker's death: read by another, printed in its "
          "place", killed and rc == 2 and "stuck2.pcap: the analysis died" in err
          and "empty2.pcap: cannot read" in err and rows == names[1:],
          "killed=%s rc=%s rows=%s err=%r" % (killed, rc, rows, err[:300]))

def test_libarchive_on_demand(tmp):
    """libarchive is loaded when the first compressed or archived input comes, not before
    (LD_DEBUG=files lists what the dynamic loader loads); when it cannot be loaded (an
    LD_PRELOAD shim makes its dlopen fail, as on a system without libarchive13) a compressed
    input gets a clear message and exit status 2, and the plain capture beside it is read."""
    plain = os.path.join(CAPTURES, "basic", "tls12.pcap")
    packed = os.path.join(tmp, "again.pcap.gz")
    with open(plain, "rb") as f, gzip.open(packed, "wb") as g:
        g.write(f.read())

    def loads_libarchive(args):
        p = subprocess.run([TOOL, "-s", *args], capture_output=True, text=True, timeout=60,
                           env=dict(os.environ, LD_DEBUG="files"))
        return "file=libarchive" in p.stderr

    check("a plain capture does not load libarchive, a gzip one does",
          not loads_libarchive([plain]) and loads_libarchive([packed]))
    shim = os.path.join(tmp, "no_libarchive.so")
    built = subprocess.run(["cc", "-shared", "-fPIC", "-o", shim,
                            os.path.join(ROOT, "tests", "shims", "no_libarchive.c")],
                           capture_output=True, text=True).returncode == 0
    p = subprocess.run([TOOL, "-s", plain, packed], capture_output=True, text=True,
                       timeout=60, env=dict(os.environ, LD_PRELOAD=shim))
    rows = [line.split()[0] for line in p.stdout.splitlines() if line.startswith((tmp, CAPTURES))]
    check("libarchive missing: the gzip input said so, the plain capture read, exit 2",
          built and p.returncode == 2 and rows == [plain]
          and "again.pcap.gz: cannot decompress or unpack without libarchive" in p.stderr,
          "built=%s rc=%s rows=%s err=%r" % (built, p.returncode, rows, p.stderr[:300]))

def main():
    for tool in ("gzip", "bzip2", "xz", "zstd", "zip", "tar"):
        if shutil.which(tool) is None:
            print("batch: needs %s" % tool)
            print("batch: 0 passed, 1 failed")
            return 1
    tmp = tempfile.mkdtemp(prefix="tlsx-batch.")
    try:
        mix, work = build_mix(tmp)
        test_mix(tmp, mix, work)
        test_progress(tmp)
        test_alone_as_in_batch()
        test_worker_dies(tmp)
        test_queued_behind_a_death(tmp)
        test_libarchive_on_demand(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return report("batch")


if __name__ == "__main__":
    sys.exit(main())
