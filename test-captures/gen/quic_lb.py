#!/usr/bin/env python3
"""quic_lb.py: a small UDP load balancer in front of QUIC servers, for
test-captures/gen/quic_validation.sh. It listens on LISTEN (host:port) and
sends each datagram of a client to the next backend in turn (round robin per
datagram, as a balancer that hashes on something that changes between a
client's datagrams would); what a backend answers goes back to that client
from the listening socket. It stops by itself after --seconds.

With --retry the balancer validates client addresses itself, as a Retry
offload does: a client Initial without a token gets a Retry (RFC 9000
17.2.5) whose token the balancer mints (HMAC of the client's address and
original DCID under a key of its own); the client's Initials with that token
go on to the backends.

  quic_lb.py [--seconds S] [--retry] LISTEN BACKEND [BACKEND...]
"""
import argparse
import hashlib
import hmac
import os
import selectors
import socket
import time

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

# RFC 9001 5.8: the Retry integrity key and nonce of QUIC v1
RETRY_KEY = bytes.fromhex("be0c690b9f66575a1d766b54e368c84e")
RETRY_NONCE = bytes.fromhex("461599d35d632bf2239825bb")
TOKEN_KEY = os.urandom(32)
TOKEN_MAGIC = b"LB"


def addr(text):
    host, _, port = text.rpartition(":")
    return host, int(port)


def varint(data, at):
    """RFC 9000 16: (value, next offset)."""
    n = 1 << (data[at] >> 6)
    value = data[at] & 0x3F
    for b in data[at + 1:at + n]:
        value = (value << 8) | b
    return value, at + n


def initial_header(data):
    """(version, dcid, scid, token) of a v1 Initial, or None for anything else."""
    try:
        if data[0] & 0xF0 != 0xC0 or data[1:5] != b"\x00\x00\x00\x01":
            return None
        at = 5
        dcid = data[at + 1:at + 1 + data[at]]
        at += 1 + data[at]
        scid = data[at + 1:at + 1 + data[at]]
        at += 1 + data[at]
        n, at = varint(data, at)
        return dcid, scid, data[at:at + n]
    except IndexError:
        return None


def mint(peer, odcid):
    mac = hmac.new(TOKEN_KEY, repr(peer).encode() + odcid, hashlib.sha256).digest()[:16]
    return TOKEN_MAGIC + mac + bytes([len(odcid)]) + odcid


def retry(peer, dcid, scid):
    """The Retry to a client whose Initial went to dcid from scid (RFC 9001 5.8)."""
    new_scid = os.urandom(16)
    body = (bytes([0xF0]) + b"\x00\x00\x00\x01" + bytes([len(scid)]) + scid +
            bytes([len(new_scid)]) + new_scid + mint(peer, dcid))
    pseudo = bytes([len(dcid)]) + dcid + body
    return body + AESGCM(RETRY_KEY).encrypt(RETRY_NONCE, b"", pseudo)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--retry", action="store_true")
    ap.add_argument("listen", type=addr)
    ap.add_argument("backends", type=addr, nargs="+")
    a = ap.parse_args()
    front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    front.bind(a.listen)
    sel = selectors.DefaultSelector()
    sel.register(front, selectors.EVENT_READ, None)
    upstream = {}  # one socket towards the backends per client address
    turn = 0
    end = time.monotonic() + a.seconds
    while time.monotonic() < end:
        for k, _ in sel.select(timeout=0.2):
            data, peer = k.fileobj.recvfrom(65535)
            if k.data is not None:
                front.sendto(data, k.data)
                continue
            hd = initial_header(data) if a.retry else None
            if hd is not None:
                dcid, scid, token = hd
                if not token:
                    front.sendto(retry(peer, dcid, scid), peer)
                    continue
                odcid = token[19:]
                if not token.startswith(TOKEN_MAGIC) or token != mint(peer, odcid):
                    continue  # not a token of ours: dropped
            up = upstream.get(peer)
            if up is None:
                up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                up.bind((a.listen[0], 0))
                upstream[peer] = up
                sel.register(up, selectors.EVENT_READ, peer)
            up.sendto(data, a.backends[turn % len(a.backends)])
            turn += 1


if __name__ == "__main__":
    main()
