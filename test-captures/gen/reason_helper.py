#!/usr/bin/env python3
"""Servers, relays and clients for the reasoning captures (reason.sh).

usage: reason_helper.py MODE ARGS...
  sni-server PORT CERT KEY     python ssl (OpenSSL) server whose sni_callback refuses a ClientHello
                               without server_name with a fatal handshake_failure (40), as servers
                               that pick the certificate by name do; answers one HTTP request
  size-rst PORT BACKEND        TCP relay modelling a middlebox in front of BACKEND that cannot
                               parse a first record of 256..511 bytes: it resets the client
                               (SO_LINGER {1,0}) as soon as that record is complete; every other
                               connection is relayed untouched
  flip-server-finished PORT BACKEND
                               TCP relay that flips one byte of the server's first protected
                               handshake record (its TLS 1.2 Finished, the record after its
                               ChangeCipherSpec): a faulty middlebox; the client's record
                               integrity check fails (bad_record_mac)
  smtp PORT [CERT KEY]         aiosmtpd SMTP server; with CERT and KEY it offers STARTTLS, without
                               them its EHLO answer has no STARTTLS and STARTTLS gets 454
  smtp-client PORT             python smtplib client: EHLO, STARTTLS only if the server offers it
                               (else it gives up: SMTPNotSupportedError), QUIT
"""
import select
import socket
import ssl
import struct
import sys
import time

from tlswire import CT_CCS, CT_HANDSHAKE, peek_first_record, recv_exact, rst_close


def listener(port):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(16)
    return ls


def log(*args):
    print(*args, flush=True)


def sni_server(port, cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)

    def need_sni(sslobj, name, sslctx):
        if name is None:
            log("no SNI: fatal handshake_failure")
            return ssl.ALERT_DESCRIPTION_HANDSHAKE_FAILURE
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
            log("error:", e)
            conn.close()


def pump(a, b, on_server_record=None):
    """Relays a (client) <-> b (server) until both sides closed; server bytes go record by
    record through on_server_record(ctype, record) -> bytes when it is given."""
    socks = [a, b]
    buf = b""
    while socks:
        r, _, _ = select.select(socks, [], [], 10)
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
                continue
            if s is b and on_server_record is not None:
                buf += data
                data = b""
                while len(buf) >= 5:
                    length = struct.unpack("!H", buf[3:5])[0]
                    if len(buf) < 5 + length:
                        break
                    rec, buf = buf[:5 + length], buf[5 + length:]
                    data += on_server_record(rec[0], rec)
            try:
                if data:
                    other.sendall(data)
            except OSError:
                return


def size_rst(port, backend):
    ls = listener(port)
    while True:
        conn, _ = ls.accept()
        rec = peek_first_record(conn)
        if rec is not None and 256 <= len(rec) - 5 <= 511:
            recv_exact(conn, len(rec))
            log(f"first record of {len(rec) - 5} bytes: reset")
            rst_close(conn)
            continue
        log(f"first record of {len(rec) - 5 if rec else None} bytes: relay")
        try:
            up = socket.create_connection(("127.0.0.1", backend))
            pump(conn, up)
            up.close()
        except OSError as e:
            log("relay:", e)
        conn.close()


def flip_server_finished(port, backend):
    ls = listener(port)
    while True:
        conn, _ = ls.accept()
        state = {"ccs": False, "done": False}

        def hook(ctype, rec):
            if ctype == CT_CCS:
                state["ccs"] = True
            elif ctype == CT_HANDSHAKE and state["ccs"] and not state["done"]:
                state["done"] = True
                log(f"flipping the last byte of the server's {len(rec) - 5}-byte Finished record")
                return rec[:-1] + bytes([rec[-1] ^ 0x01])
            return rec
        try:
            up = socket.create_connection(("127.0.0.1", backend))
            pump(conn, up, hook)
            up.close()
        except OSError as e:
            log("relay:", e)
        conn.close()


def smtp_server(port, cert=None, key=None):
    from aiosmtpd.controller import Controller

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            return "250 OK"
    ctx = None
    if cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(cert, key)
    ctl = Controller(Sink(), hostname="127.0.0.1", port=port, tls_context=ctx,
                     require_starttls=False, server_hostname="mail.localhost")
    ctl.start()
    log("smtp ready, STARTTLS", "offered" if ctx else "not offered")
    try:
        while True:
            time.sleep(3600)
    finally:
        ctl.stop()


def smtp_client(port):
    import smtplib
    s = smtplib.SMTP("127.0.0.1", port, timeout=5)
    s.ehlo("client.localhost")
    try:
        if not s.has_extn("starttls"):
            raise smtplib.SMTPNotSupportedError("STARTTLS extension not supported by server.")
        s.starttls(context=ssl._create_unverified_context())
        s.ehlo("client.localhost")
        log("STARTTLS done:", s.sock.version(), s.sock.cipher()[0])
    except (smtplib.SMTPException, ssl.SSLError) as e:
        log("smtplib:", type(e).__name__, e)
    s.quit()


def main():
    mode, port = sys.argv[1], int(sys.argv[2])
    if mode == "sni-server":
        sni_server(port, sys.argv[3], sys.argv[4])
    elif mode == "size-rst":
        size_rst(port, int(sys.argv[3]))
    elif mode == "flip-server-finished":
        flip_server_finished(port, int(sys.argv[3]))
    elif mode == "smtp":
        smtp_server(port, *sys.argv[3:5])
    elif mode == "smtp-client":
        smtp_client(port)
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
