#!/usr/bin/env python3
"""Models IIS 7.5 / SChannel with an "RSA suites only" cipher list (support case 1).

It peeks at the ClientHello (MSG_PEEK, nothing consumed). When the client offers none of the
suites the server enables, it closes with SO_LINGER {1,0}: a TCP RST and no TLS alert, the way
SChannel/http.sys ends such a negotiation. Otherwise python ssl (OpenSSL) completes the handshake
with TLS 1.2 at most and one of AES128-SHA, AES256-SHA, AES128-GCM-SHA256 (TLS_RSA_* only), and
answers one small HTTP request.

usage: schannel_like_server.py PORT CERT KEY
"""
import socket
import ssl
import sys

from tlswire import client_hello_fields, peek_first_record, rst_close

# TLS_RSA_WITH_AES_128_CBC_SHA, TLS_RSA_WITH_AES_256_CBC_SHA, TLS_RSA_WITH_AES_128_GCM_SHA256
ENABLED = {0x002F, 0x0035, 0x009C}


def serve(conn, ctx):
    rec = peek_first_record(conn)
    if rec is None:
        conn.close()
        return
    fields = client_hello_fields(rec)
    if fields is None or not ENABLED.intersection(fields["suites"]):
        print("no enabled suite in ClientHello: reset", flush=True)
        rst_close(conn)
        return
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
        print("handshake ok:", tls.version(), tls.cipher()[0], flush=True)
        try:
            tls.unwrap()
        except (ssl.SSLError, OSError):
            pass
        tls.close()
    except (ssl.SSLError, OSError) as e:
        print("error:", e, flush=True)
        conn.close()


def main():
    port, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_ciphers("AES128-SHA:AES256-SHA:AES128-GCM-SHA256")
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(8)
    while True:
        conn, _ = ls.accept()
        serve(conn, ctx)


if __name__ == "__main__":
    main()
