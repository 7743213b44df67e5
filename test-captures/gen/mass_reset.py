#!/usr/bin/env python3
"""mass_reset.py PORT N: an app that tears down all its connections at once.

Opens N TLS 1.2 connections to 127.0.0.1:PORT. The first completes its
handshake and reads the answer to one request; the others send their
ClientHello, read the server's first flight (until the server is quiet for
0.5 s) and stop there: the client never sends its second flight. Then every
socket is closed with SO_LINGER {1, 0} in the same millisecond, so the kernel
resets each one, as when an app shuts down or a phone changes network."""
import socket
import ssl
import struct
import sys
import time

port, n = int(sys.argv[1]), int(sys.argv[2])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ctx.maximum_version = ssl.TLSVersion.TLSv1_2
socks = []

done = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="localhost")
done.sendall(b"GET / HTTP/1.0\r\n\r\n")
done.recv(100)
socks.append(done)

for _ in range(n - 1):
    s = socket.create_connection(("127.0.0.1", port))
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, out, server_hostname="localhost")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    s.sendall(out.read())  # the ClientHello
    s.settimeout(0.5)
    try:
        while s.recv(65536):
            pass
    except socket.timeout:
        pass
    socks.append(s)

for s in socks:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
for s in socks:
    s.close()
