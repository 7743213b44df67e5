#!/usr/bin/env python3
"""Clients for the failure captures: hand-built (broken) ClientHellos and python-ssl clients that
stop or behave in a chosen way.

usage: raw_client.py CMD PORT
  decode_error        TLS 1.3 ClientHello whose last extension claims more bytes than remain
  illegal_parameter   TLS 1.3 ClientHello with a 31-byte x25519 key_share
  missing_extension   TLS 1.3 ClientHello with supported_groups but without key_share
  unexpected_message  a Finished handshake message as the first message (no ClientHello)
  record_overflow     a handshake record of 18433 bytes (limit 2^14+2048 = 18432)
  abort               python ssl, TLS 1.2: answers the server flight with its ClientKeyExchange
                      record only, then RST (a client that gives up mid-handshake)
  http                plain-text HTTP GET (no TLS)
  wait                python ssl handshake with a 2 s timeout (its ClientHello carries the padding
                      extension, 512 bytes); on timeout it closes the socket (FIN, no alert)
  h2                  python ssl, TLS 1.2, ALPN h2+http/1.1; if the server picks h2 with a suite on
                      the RFC 7540 Appendix A block list: HTTP/2 preface + SETTINGS + GOAWAY
                      (INADEQUATE_SECURITY) and close, as browsers do
  split               python ssl, TLS 1.0 AES128-SHA, sends an HTTP request as a 1-byte record
                      then the rest (1/n-1 record split, as SChannel after MS12-006)
"""
import os
import socket
import ssl
import struct
import sys
import time

from tlswire import CT_HANDSHAKE, read_record, rst_close

HOST = "127.0.0.1"


def ext(etype, data):
    return struct.pack("!HH", etype, len(data)) + data


def vec2(data):
    return struct.pack("!H", len(data)) + data


def vec1(data):
    return bytes([len(data)]) + data


def client_hello(kind=None):
    suites = [0x1301, 0x1302, 0x1303, 0xC02F, 0xC030, 0xC02B, 0x009C]
    x25519 = os.urandom(31 if kind == "illegal_parameter" else 32)
    exts = [
        ext(0x0000, vec2(b"\x00" + vec2(b"localhost"))),               # server_name
        ext(0x000A, vec2(struct.pack("!HH", 0x001D, 0x0017))),          # supported_groups
        ext(0x000B, vec1(b"\x00")),                                    # ec_point_formats
    ]
    exts += [
        ext(0x000D, vec2(struct.pack("!5H", 0x0804, 0x0403, 0x0805, 0x0806, 0x0401))),  # signature_algorithms
        ext(0x002B, vec1(struct.pack("!HH", 0x0304, 0x0303))),          # supported_versions
        ext(0x002D, vec1(b"\x01")),                                    # psk_key_exchange_modes
    ]
    if kind != "missing_extension":
        exts.append(ext(0x0033, vec2(struct.pack("!HH", 0x001D, len(x25519)) + x25519)))  # key_share
    ext_block = b"".join(exts)
    if kind == "decode_error":
        # last extension (key_share) says 0x0100 bytes follow; only 38 do
        ext_block = ext_block[:-len(exts[-1])] + struct.pack("!HH", 0x0033, 0x0100) + exts[-1][4:]
    body = (b"\x03\x03" + os.urandom(32) + vec1(os.urandom(32))
            + vec2(b"".join(struct.pack("!H", s) for s in suites)) + vec1(b"\x00") + vec2(ext_block))
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + vec2(hs)


def show_reply(s, limit=3.0):
    s.settimeout(limit)
    got = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            got += d
    except socket.timeout:
        pass
    except ConnectionResetError:
        print("connection reset by peer")
    if got[:1] == b"\x15" and len(got) >= 7:
        print(f"alert level {got[5]} description {got[6]}")
    elif got:
        print("reply:", got[:40])
    return got


def broken(kind, port):
    s = socket.create_connection((HOST, port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if kind == "unexpected_message":
        fin = b"\x14" + struct.pack("!I", 12)[1:] + os.urandom(12)
        data = b"\x16\x03\x01" + vec2(fin)
    elif kind == "record_overflow":
        ch = client_hello()[5:]
        n = 2 ** 14 + 2048 + 1
        data = b"\x16\x03\x01" + struct.pack("!H", n) + (ch + b"\x00" * n)[:n]
    else:
        data = client_hello(kind)
    try:
        s.sendall(data)
    except OSError as e:
        print("send:", e)
    show_reply(s)
    s.close()


def tls_ctx(**kw):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def abort(port):
    """Mid-handshake abort: answer the server flight with the ClientKeyExchange
    alone, then reset (an application that gives up half-way, no alert)."""
    ctx = tls_ctx()
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, out, server_hostname="localhost")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    s = socket.create_connection((HOST, port))
    s.sendall(out.read())
    s.settimeout(2)
    try:
        while True:
            rec = read_record(s)
            if rec is None:
                break
            ctype, version, body = rec
            inc.write(struct.pack("!BHH", ctype, version, len(body)) + body)
            if ctype == CT_HANDSHAKE and 14 in handshake_types(body):
                break
    except socket.timeout:
        pass
    try:
        obj.do_handshake()
    except (ssl.SSLWantReadError, ssl.SSLError):
        pass
    flight = out.read()
    if len(flight) >= 5:
        first = 5 + struct.unpack("!H", flight[3:5])[0]
        s.sendall(flight[:first])  # the ClientKeyExchange record only
    time.sleep(0.05)
    print("sent ClientKeyExchange only; resetting")
    rst_close(s)


def handshake_types(body):
    types, p = [], 0
    while p + 4 <= len(body):
        types.append(body[p])
        p += 4 + struct.unpack("!I", b"\x00" + body[p + 1:p + 4])[0]
    return types


def http(port):
    s = socket.create_connection((HOST, port))
    s.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: raw_client\r\n\r\n")
    show_reply(s)
    s.close()


# RFC 7540 Appendix A in short: everything registered before RFC 7540 without both an ephemeral
# key exchange and an AEAD cipher. Enough to classify what OpenSSL can negotiate.
def h2_blocked(name):
    return not (name.startswith(("ECDHE-", "DHE-")) and ("GCM" in name or "CHACHA20" in name or "CCM" in name))


def h2(port):
    ctx = tls_ctx()
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_ciphers("ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:AES128-SHA")
    ctx.set_alpn_protocols(["h2", "http/1.1"])
    s = ctx.wrap_socket(socket.create_connection((HOST, port)), server_hostname="localhost")
    name, proto = s.cipher()[0], s.selected_alpn_protocol()
    print("negotiated", s.version(), name, proto)
    if proto == "h2" and h2_blocked(name):
        preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
        settings = struct.pack("!I", 0)[1:] + b"\x04\x00" + struct.pack("!I", 0)
        goaway = struct.pack("!I", 8)[1:] + b"\x07\x00" + struct.pack("!I", 0) + struct.pack("!II", 0, 0xC)
        s.sendall(preface + settings + goaway)
        print("h2 with a blocklisted suite: GOAWAY INADEQUATE_SECURITY, closing")
        s.settimeout(2)
        try:
            s.unwrap()  # close_notify, and wait for the server's
        except (OSError, ssl.SSLError) as e:
            print("shutdown:", e)
    s.close()


def split(port):
    import warnings
    warnings.simplefilter("ignore", DeprecationWarning)
    ctx = tls_ctx()
    ctx.minimum_version = ssl.TLSVersion.TLSv1
    ctx.maximum_version = ssl.TLSVersion.TLSv1
    ctx.set_ciphers("AES128-SHA:@SECLEVEL=0")
    ctx.options |= 0x00000800  # SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS: do the 1/n-1 split ourselves
    ctx.options |= 0x00080000  # SSL_OP_NO_ENCRYPT_THEN_MAC: like SChannel (no RFC 7366), 32-byte record
    raw = socket.create_connection((HOST, port))
    raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s = ctx.wrap_socket(raw, server_hostname="localhost")
    print("negotiated", s.version(), s.cipher()[0])
    req = b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"
    try:
        s.sendall(req[:1])
        s.sendall(req[1:])
        s.settimeout(3)
        print("reply:", s.recv(4096)[:40])
    except (OSError, ssl.SSLError) as e:
        print("error:", e)
    s.close()


def wait(port):
    ctx = tls_ctx()
    raw = socket.create_connection((HOST, port))
    raw.settimeout(2)
    try:
        s = ctx.wrap_socket(raw, server_hostname="localhost")
        print("negotiated", s.version())
        s.close()
    except socket.timeout:
        print("no answer in 2 s: closing")
        raw.close()


def main():
    cmd, port = sys.argv[1], int(sys.argv[2])
    if cmd in ("decode_error", "illegal_parameter", "missing_extension", "unexpected_message", "record_overflow"):
        broken(cmd, port)
    elif cmd in ("abort", "http", "h2", "split", "wait"):
        globals()[cmd](port)
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
