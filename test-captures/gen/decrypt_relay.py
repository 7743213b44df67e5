#!/usr/bin/env python3
"""decrypt_relay.py LISTEN_PORT SERVER_PORT: a TCP relay over loopback that
flips one bit in the last byte of the server's first protected handshake
record (its encrypted Finished, after its ChangeCipherSpec) and passes
everything else untouched, so the client must answer with bad_record_mac
(RFC 5246 7.2.2) under its own new keys. One connection, then it exits."""
import socket
import sys
import threading


def pump(src, dst, tamper):
    buf = b""
    ccs_seen = done = False
    while True:
        data = src.recv(65536)
        if not data:
            break
        if not tamper or done:
            dst.sendall(data)
            continue
        buf += data
        out = b""
        # forward whole records; flip the first handshake record after the CCS
        while len(buf) >= 5:
            n = int.from_bytes(buf[3:5], "big")
            if len(buf) < 5 + n:
                break
            rec = bytearray(buf[:5 + n])
            buf = buf[5 + n:]
            if rec[0] == 20:
                ccs_seen = True
            elif rec[0] == 22 and ccs_seen and not done:
                rec[-1] ^= 0x01
                done = True
            out += bytes(rec)
        if done:
            out += buf
            buf = b""
        dst.sendall(out)
    try:
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def main():
    lport, sport = int(sys.argv[1]), int(sys.argv[2])
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", lport))
    ls.listen(1)
    ls.settimeout(20)
    c, _ = ls.accept()
    s = socket.create_connection(("127.0.0.1", sport))
    t = threading.Thread(target=pump, args=(c, s, False))
    t.start()
    pump(s, c, True)
    t.join(5)
    c.close()
    s.close()


main()
