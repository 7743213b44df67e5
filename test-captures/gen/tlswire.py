"""Tiny TLS wire helpers shared by the capture generators (record framing only, no crypto)."""
import socket
import struct
import time

CT_CCS, CT_ALERT, CT_HANDSHAKE, CT_APPDATA = 20, 21, 22, 23


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def read_record(sock):
    """One TLS record as (type, version, body), or None at EOF."""
    hdr = recv_exact(sock, 5)
    if hdr is None:
        return None
    ctype, ver, length = struct.unpack("!BHH", hdr)
    body = recv_exact(sock, length)
    if body is None:
        return None
    return ctype, ver, body


def peek_first_record(sock, timeout=5.0):
    """Wait until the whole first record is in the socket buffer; return it without reading it
    (MSG_PEEK), or None if the peer closed or sent something that is not a TLS handshake record."""
    deadline = time.time() + timeout
    want = 5
    while time.time() < deadline:
        sock.settimeout(max(0.01, deadline - time.time()))
        try:
            data = sock.recv(want, socket.MSG_PEEK)
        except socket.timeout:
            return None
        if not data:
            return None
        if len(data) >= 5:
            if data[0] != CT_HANDSHAKE:
                return None
            want = 5 + struct.unpack("!H", data[3:5])[0]
            if len(data) >= want:
                return data[:want]
        time.sleep(0.005)
    return None


def client_hello_fields(record):
    """Cipher suites and extension types of a ClientHello record (first record, one message)."""
    body = record[5:]
    if len(body) < 4 or body[0] != 1:
        return None
    p = 4 + 2 + 32
    sid_len = body[p]
    p += 1 + sid_len
    cs_len = struct.unpack("!H", body[p:p + 2])[0]
    p += 2
    suites = [struct.unpack("!H", body[p + i:p + i + 2])[0] for i in range(0, cs_len, 2)]
    p += cs_len
    p += 1 + body[p]
    exts = []
    if p + 2 <= len(body):
        end = p + 2 + struct.unpack("!H", body[p:p + 2])[0]
        p += 2
        while p + 4 <= end:
            t, l = struct.unpack("!HH", body[p:p + 4])
            exts.append(t)
            p += 4 + l
    return {"suites": suites, "extensions": exts}


def rst_close(sock):
    """Close with SO_LINGER {1,0}: the kernel sends a TCP RST instead of a FIN."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()
