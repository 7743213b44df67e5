#!/usr/bin/env python3
"""Misbehaving servers and proxies for the failure captures (plain sockets, no TLS of their own).

usage: raw_server.py MODE PORT [BACKEND_PORT]
  silent       accept, read the ClientHello, never answer; close only after the client does
  reset        accept, read the whole ClientHello, then reset (SO_LINGER {1,0}) with no alert
  f5           model of the old F5 BIG-IP bug: a ClientHello record whose length is 256..511 bytes
               is read and never answered; any other connection is relayed to BACKEND_PORT
  split-proxy  relay to BACKEND_PORT (a real TLS 1.0 server); when the client's first
               application-data record is tiny (<= 36 bytes: the 1-byte record of a 1/n-1 split,
               32 bytes with TLS 1.0 AES-CBC-SHA, 36 with encrypt-then-mac), reset both sides instead of forwarding it (models a server
               that reads one byte as the whole request and drops the connection, MS12-006)
  corrupt-proxy  relay to BACKEND_PORT; flips one bit of the client's first protected handshake
               record (its Finished) after its ChangeCipherSpec: a faulty middlebox, so the server
               answers bad_record_mac
  corrupt-cv-proxy  relay to BACKEND_PORT; flips one bit of the client's CertificateVerify
               signature: the server answers decrypt_error
  backlog      listen(0) and never accept; one connection of its own fills the accept queue, so
               the kernel drops every later SYN (no SYN-ACK)
  http         python http.server (plain HTTP, no TLS); default_request_version HTTP/1.0 so that
               an unparsable request line (a ClientHello) gets "HTTP/1.0 400 ..." with a status
               line, not the bare HTTP/0.9 error body the stock handler sends
  sni          usage: raw_server.py sni PORT CERT KEY: python ssl (OpenSSL) server that requires
               SNI: a ClientHello without server_name gets a fatal missing_extension alert
               (RFC 8446 section 9.2), any name is accepted; answers one HTTP request
"""
import select
import socket
import ssl
import struct
import sys
import time

from tlswire import CT_APPDATA, peek_first_record, recv_exact, rst_close


def listener(port, backlog=8):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(backlog)
    return ls


def wait_eof(conn, limit=30):
    conn.settimeout(limit)
    try:
        while conn.recv(4096):
            pass
    except OSError:
        pass


def read_hello(conn):
    rec = peek_first_record(conn)
    if rec is not None:
        recv_exact(conn, len(rec))
    return rec


def relay(a, b):
    socks = [a, b]
    while True:
        r, _, _ = select.select(socks, [], [], 30)
        if not r:
            break
        for s in r:
            other = b if s is a else a
            try:
                data = s.recv(65536)
            except OSError:
                data = b""
            if not data:
                try:
                    other.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                socks.remove(s)
                if not socks:
                    return
                continue
            try:
                other.sendall(data)
            except OSError:
                return


def mode_f5(conn, backend):
    rec = peek_first_record(conn)
    if rec is not None and 256 <= len(rec) - 5 <= 511:
        recv_exact(conn, len(rec))
        print(f"ClientHello record of {len(rec) - 5} bytes: hang", flush=True)
        wait_eof(conn)
        conn.close()
        return
    up = socket.create_connection(("127.0.0.1", backend))
    relay(conn, up)
    up.close()
    conn.close()


def relay_records(conn, backend, on_client_record):
    """Relays one connection to the backend, record by record from the client;
    on_client_record(ctype, record) returns the bytes to forward, or None to
    reset both sides."""
    up = socket.create_connection(("127.0.0.1", backend))
    buf = b""
    socks = [conn, up]
    while socks:
        r, _, _ = select.select(socks, [], [], 30)
        if not r:
            break
        if up in r:
            data = up.recv(65536)
            if not data:
                break
            conn.sendall(data)
        if conn in r:
            data = conn.recv(65536)
            if not data:
                up.shutdown(socket.SHUT_WR)
                socks.remove(conn)
                continue
            buf += data
            while len(buf) >= 5:
                ctype, _, length = struct.unpack("!BHH", buf[:5])
                if len(buf) < 5 + length:
                    break
                rec, buf = buf[:5 + length], buf[5 + length:]
                out = on_client_record(ctype, rec)
                if out is None:
                    time.sleep(0.05)  # let the rest of the request arrive, so the capture shows it
                    rst_close(conn)
                    rst_close(up)
                    return
                up.sendall(out)
    up.close()
    conn.close()


def mode_split(conn, backend):
    seen_app = [False]

    def hook(ctype, rec):
        if ctype == CT_APPDATA and not seen_app[0] and len(rec) - 5 <= 36:
            print(f"first application record is {len(rec) - 5} bytes: reset both sides", flush=True)
            return None
        seen_app[0] = seen_app[0] or ctype == CT_APPDATA
        return rec
    relay_records(conn, backend, hook)


def mode_corrupt(conn, backend):
    """A faulty middlebox: flips one bit in the client's first protected
    handshake record (its Finished), so the server's integrity check fails."""
    after_ccs = [False]

    def hook(ctype, rec):
        if ctype == 20:
            after_ccs[0] = True
        elif ctype == 22 and after_ccs[0]:
            after_ccs[0] = False
            print("flipping a bit of the client's Finished record", flush=True)
            return rec[:-1] + bytes([rec[-1] ^ 0x01])
        return rec
    relay_records(conn, backend, hook)


def mode_corrupt_cv(conn, backend):
    """A faulty middlebox: flips one bit at the end of the client's
    CertificateVerify (a signature, in clear in TLS 1.2), so the server's
    check of the signature fails."""
    def hook(ctype, rec):
        if ctype != 22:
            return rec
        pos = 5
        while pos + 4 <= len(rec):
            mtype, mlen = rec[pos], int.from_bytes(rec[pos + 1:pos + 4], "big")
            end = pos + 4 + mlen
            if mtype == 15 and end <= len(rec):
                print("flipping a bit of the client's CertificateVerify", flush=True)
                return rec[:end - 1] + bytes([rec[end - 1] ^ 0x01]) + rec[end:]
            pos = end
        return rec
    relay_records(conn, backend, hook)


def mode_sni(port, cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)

    def need_sni(sslobj, name, sslctx):
        if name is None:
            print("no SNI: fatal missing_extension", flush=True)
            return 109  # missing_extension
        return None
    ctx.sni_callback = need_sni
    ls = listener(port)
    while True:
        conn, _ = ls.accept()
        conn.settimeout(5)
        try:
            tls = ctx.wrap_socket(conn, server_side=True)
            req = b""
            while b"\r\n\r\n" not in req:
                chunk = tls.recv(4096)
                if not chunk:
                    break
                req += chunk
            tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n")
            tls.unwrap()
            tls.close()
        except (ssl.SSLError, OSError) as e:
            print("error:", e, flush=True)
            conn.close()


def main():
    mode, port = sys.argv[1], int(sys.argv[2])
    if mode == "sni":
        return mode_sni(port, sys.argv[3], sys.argv[4])
    if mode == "http":
        import http.server

        class Handler(http.server.SimpleHTTPRequestHandler):
            default_request_version = "HTTP/1.0"
        http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()
        return
    backend = int(sys.argv[3]) if len(sys.argv) > 3 else None
    if mode == "backlog":
        ls = listener(port, 0)
        filler = socket.create_connection(("127.0.0.1", port))  # sits in the accept queue
        print("ready", flush=True)
        time.sleep(3600)
        filler.close()
        return
    ls = listener(port)
    while True:
        conn, _ = ls.accept()
        if mode == "silent":
            read_hello(conn)
            wait_eof(conn)
            conn.close()
        elif mode == "reset":
            read_hello(conn)
            rst_close(conn)
        elif mode == "f5":
            try:
                mode_f5(conn, backend)
            except OSError as e:
                print("proxy:", e, flush=True)
                conn.close()
        elif mode in ("split-proxy", "corrupt-proxy", "corrupt-cv-proxy"):
            handler = {"split-proxy": mode_split, "corrupt-proxy": mode_corrupt,
                       "corrupt-cv-proxy": mode_corrupt_cv}[mode]
            try:
                handler(conn, backend)
            except OSError as e:
                print("proxy:", e, flush=True)
                conn.close()
        else:
            sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
