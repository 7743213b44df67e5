"""Shared by the corpus comparisons (tshark_diff.py, ja4_compare.py, zeek_compare.py):
where the corpus is, what to do when an input is missing, endpoint normalisation and
the lists of known, explained differences.

A known difference is keyed by the values both sides give, not only by where it is:
    file, client ip:port, field, ours, theirs, reason      (tab-separated)
so a new wrong value in the same field is a failure, not an excused difference. An
entry that matches nothing in a run is stale and fails the suite too, so the lists
only shrink."""
import ipaddress
import os
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def corpus_dir(sub=""):
    """The third-party corpus: $TLSX_CORPUS, else ../shared/corpus beside the repository."""
    base = os.environ.get("TLSX_CORPUS") or os.path.join(ROOT, "..", "shared", "corpus")
    return os.path.normpath(os.path.join(base, sub))


def missing(suite, what):
    """A suite without its inputs has checked nothing: say what is missing and fail."""
    print("%s: cannot run: %s" % (suite, what))
    print("%s: 0 passed, 1 failed" % suite)
    sys.exit(1)


def need_dir(suite, path, what="corpus folder"):
    if not os.path.isdir(path):
        missing(suite, "%s %s is missing (set TLSX_CORPUS to the corpus)" % (what, path))


def need_file(suite, path, what="file"):
    if not os.path.isfile(path):
        missing(suite, "%s %s is missing" % (what, path))


def need_tool(suite, name):
    if shutil.which(name) is None:
        missing(suite, "%s is not installed (scripts/install-deps.sh installs it)" % name)


def norm_ip(s):
    s = s.strip().strip("[]")
    try:
        return str(ipaddress.ip_address(s))
    except ValueError:
        return s


def endpoint(ip, port):
    ip = norm_ip(ip)
    return ("[%s]:%s" % (ip, int(port))) if ":" in ip else ("%s:%s" % (ip, int(port)))


def split_endpoint(s):
    """'1.2.3.4:443' or '[::1]:443' -> normalised endpoint string."""
    ip, _, port = s.rpartition(":")
    return endpoint(ip, port)


class Known:
    """The known differences of one list, matched on (file, client, field, ours, theirs)."""

    def __init__(self, path, normalise_client=True):
        self.path = path
        self.name = os.path.basename(path)
        self.entries = {}
        self.bad = []
        self.used = set()
        if not os.path.exists(path):
            return
        with open(path, newline="") as f:
            for n, line in enumerate(f, 1):
                line = line.rstrip("\n")
                if not line.strip() or line.startswith("#") or line.startswith("file\t"):
                    continue
                cols = line.split("\t")
                if len(cols) != 6 or not all(c.strip() for c in cols):
                    self.bad.append("%s line %d: want 6 non-empty tab-separated columns "
                                    "(file, client, field, ours, theirs, reason)" % (self.name, n))
                    continue
                client = split_endpoint(cols[1]) if normalise_client else cols[1]
                key = (cols[0], client, cols[2], cols[3], cols[4])
                if key in self.entries:
                    self.bad.append("%s line %d: duplicate entry" % (self.name, n))
                self.entries[key] = cols[5]

    def match(self, file, client, field, ours, theirs):
        """The reason when exactly this difference is listed, else None."""
        key = (file, client, field, str(ours), str(theirs))
        reason = self.entries.get(key)
        if reason is not None:
            self.used.add(key)
        return reason

    def problems(self, files=None):
        """Bad lines, and entries that matched nothing (for FILES only, when given)."""
        out = list(self.bad)
        for key in sorted(set(self.entries) - self.used):
            if files is None or key[0] in files:
                out.append("STALE %s entry (no such difference now): %s" %
                           (self.name, " | ".join(key)))
        return out
