#!/usr/bin/env python3
"""ssl3_vectors.py: the SSL 3.0 values of tests/test_ssl3.c, computed apart from
tlsexplain: RFC 6101's formulas written out with hashlib (master secret and key
block 6.1-6.2.2, MAC 5.2.3.1, Finished 5.6.9), and the client Finished record
of the 3DES connection of test-captures/decrypt/ssl3-rsa-cbc.pcap opened with
the server's key (the `cryptography` package for RSA and 3DES). Prints C.
  usage: python3 tests/ssl3_vectors.py   (needs tshark and python3-cryptography)"""
import hashlib
import os
import subprocess
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
try:  # cryptography >= 43 keeps 3DES among the decrepit algorithms
    from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
except ImportError:
    TripleDES = algorithms.TripleDES

CAPS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "test-captures")


def salted(secret, r1, r2, n):
    out, i = b"", 0
    while len(out) < n:
        salt = bytes([ord("A") + i]) * (i + 1)
        out += hashlib.md5(secret + hashlib.sha1(salt + secret + r1 + r2).digest()).digest()
        i += 1
    return out[:n]


def master_secret(pms, cr, sr):
    return salted(pms, cr, sr, 48)


def key_block(master, cr, sr, n):
    return salted(master, sr, cr, n)


def mac(name, secret, seq, ctype, data):
    pad = 48 if name == "md5" else 40
    inner = hashlib.new(name, secret + b"\x36" * pad + seq.to_bytes(8, "big") + bytes([ctype]) +
                        len(data).to_bytes(2, "big") + data).digest()
    return hashlib.new(name, secret + b"\x5c" * pad + inner).digest()


def finished(handshake, master, client):
    sender = b"CLNT" if client else b"SRVR"
    out = b""
    for name, pad in (("md5", 48), ("sha1", 40)):
        inner = hashlib.new(name, handshake + sender + master + b"\x36" * pad).digest()
        out += hashlib.new(name, master + b"\x5c" * pad + inner).digest()
    return out


def records(stream, direction):
    """The TLS records one side sent on a TCP stream (direction: a tshark filter): (type, body)."""
    out = subprocess.run(["tshark", "-r", os.path.join(CAPS, "decrypt/ssl3-rsa-cbc.pcap"),
                          "-Y", "tcp.stream==%d && tcp.len>0 && %s" % (stream, direction),
                          "-T", "fields", "-e", "tcp.payload"],
                         capture_output=True, text=True, check=True).stdout
    data = bytes.fromhex("".join(out.split()))
    recs = []
    while data:
        n = int.from_bytes(data[3:5], "big")
        recs.append((data[0], data[5:5 + n]))
        data = data[5 + n:]
    return recs


def c_hex(name, b):
    h = b.hex()
    lines = [h[i:i + 88] for i in range(0, len(h), 88)]
    return "static const char %s[] =\n    %s;" % (name, "\n    ".join('"%s"' % l for l in lines))


def main():
    pms = bytes([3, 0]) + bytes(range(2, 48))
    cr = bytes(range(0x10, 0x30))
    sr = bytes(range(0x40, 0x60))
    master = master_secret(pms, cr, sr)
    print(c_hex("v_master", master))
    print(c_hex("v_key_block", key_block(master, cr, sr, 104)))
    print(c_hex("v_mac_sha1", mac("sha1", bytes(range(20)), 1, 23, b"hello, SSL 3.0")))
    print(c_hex("v_mac_md5", mac("md5", bytes(range(16)), 0x0102030405060708, 22, b"")))
    hs = b"ssl3 handshake messages " * 5
    print(c_hex("v_finished_client", finished(hs, master, True)))
    print(c_hex("v_finished_server", finished(hs, master, False)))

    # the real capture: its second connection, SSL_RSA_WITH_3DES_EDE_CBC_SHA
    client, server = records(1, "tcp.dstport==4720"), records(1, "tcp.srcport==4720")
    ch, cke = client[0][1], client[1][1]
    cr, sr = ch[6:38], server[0][1][6:38]
    # handshake_messages: ClientHello, ServerHello, Certificate, ServerHelloDone, ClientKeyExchange
    handshake = ch + b"".join(body for t, body in server[:3]) + cke
    key = serialization.load_pem_private_key(
        open(os.path.join(CAPS, "decrypt/keys/ssl3-server.key"), "rb").read(), None)
    pms = key.decrypt(cke[4:], padding.PKCS1v15())  # no length prefix in SSL 3.0
    assert len(pms) == 48
    master = master_secret(pms, cr, sr)
    kb = key_block(master, cr, sr, 2 * (20 + 24 + 8))
    mac_key, enc_key, iv = kb[0:20], kb[40:64], kb[88:96]
    fin = [body for t, body in client if t == 22][2]
    dec = Cipher(TripleDES(enc_key), modes.CBC(iv)).decryptor()
    plain = dec.update(fin) + dec.finalize()
    content = plain[:len(plain) - plain[-1] - 1 - 20]
    assert plain[len(content):len(content) + 20] == mac("sha1", mac_key, 0, 22, content)
    assert content == bytes([20, 0, 0, 36]) + finished(handshake, master, True)
    print(c_hex("real_master", master))
    print(c_hex("real_client_random", cr))
    print(c_hex("real_server_random", sr))
    print(c_hex("real_finished_record", fin))
    print(c_hex("real_finished_plain", content))


main()
