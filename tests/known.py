"""Shared by the corpus comparisons (ja4_compare.py, zeek_compare.py):
endpoint normalisation and the lists of known, explained differences."""
import ipaddress
import os


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


def read_known(path):
    """file, client ip:port, field -> reason, from a tab-separated list."""
    known = {}
    if not os.path.exists(path):
        return known
    with open(path) as f:
        for line in f:
            if not line.strip() or line.startswith("#") or line.startswith("file\t"):
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 4:
                known[(cols[0], split_endpoint(cols[1]), cols[2])] = cols[3]
    return known
