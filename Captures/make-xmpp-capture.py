#!/usr/bin/env python3
"""make-xmpp-capture.py - record two small XMPP (RFC 6120) client-to-server streams on loopback.

Writes Captures/lab-xmpp.pcap (or the path given as argv[1]) by running, on 127.0.0.1
only, a tiny XMPP server in this process and two client connections:

  1. 127.0.0.1:eph -> 127.0.0.1:5222   plain XMPP: XML declaration + <stream:stream>, the
     server's header and features (SASL PLAIN, no STARTTLS), <auth/>, <success/>, the
     stream restart, </stream:stream>.
  2. 127.0.0.1:eph -> 127.0.0.1:15222  STARTTLS: the client's header, features with
     <starttls><required/></starttls>, <starttls/>, <proceed/>, then a TLS 1.2 handshake
     on the same TCP connection (Python's ssl / OpenSSL, SNI xmpp.lab.example, a fresh
     self-signed P-256 certificate for xmpp.lab.example), a new stream header inside TLS,
     close_notify.

Requirements: root (tcpdump on lo), tcpdump, openssl, python3.
Nothing leaves the host: the only sockets are 127.0.0.1:5222, 127.0.0.1:15222 and their clients.
tcpdump filter: `tcp port 5222 or tcp port 15222`.
"""
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

HOST = "127.0.0.1"
PLAIN_PORT = 5222
STARTTLS_PORT = 15222
DOMAIN = "xmpp.lab.example"
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "lab-xmpp.pcap")

CLIENT_HEADER = (
    "<?xml version='1.0'?>"
    f"<stream:stream to='{DOMAIN}' version='1.0' xml:lang='en' "
    "xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>"
).encode()
SERVER_HEADER = (
    "<?xml version='1.0'?>"
    f"<stream:stream from='{DOMAIN}' id='c2s-4f1d2a' version='1.0' xml:lang='en' "
    "xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>"
).encode()
SASL = "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms>"
FEATURES_PLAIN = f"<stream:features>{SASL}</stream:features>".encode()
FEATURES_STARTTLS = (
    "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
    f"{SASL}</stream:features>"
).encode()
STARTTLS = b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
PROCEED = b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
AUTH = b"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGFsaWNlAHNlY3JldA==</auth>"
SUCCESS = b"<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>"
CLOSE = b"</stream:stream>"


def recv_until(sock, marker):
    data = b""
    while marker not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def serve_plain(conn):
    with conn:
        recv_until(conn, b">")  # the client's header (after the declaration)
        conn.sendall(SERVER_HEADER + FEATURES_PLAIN)
        recv_until(conn, b"</auth>")
        conn.sendall(SUCCESS)
        recv_until(conn, b"xmlns:stream")  # stream restart
        conn.sendall(SERVER_HEADER + b"<stream:features/>")
        recv_until(conn, CLOSE)
        conn.sendall(CLOSE)


def serve_starttls(conn, context):
    recv_until(conn, b"xmlns:stream")
    conn.sendall(SERVER_HEADER + FEATURES_STARTTLS)
    recv_until(conn, b"/>")
    conn.sendall(PROCEED)
    with context.wrap_socket(conn, server_side=True) as tls:
        recv_until(tls, b"xmlns:stream")
        tls.sendall(SERVER_HEADER + FEATURES_PLAIN)
        recv_until(tls, CLOSE)
        tls.sendall(CLOSE)


def plain_client():
    with socket.create_connection((HOST, PLAIN_PORT)) as sock:
        sock.sendall(CLIENT_HEADER)
        recv_until(sock, b"</stream:features>")
        sock.sendall(AUTH)
        recv_until(sock, b"<success")
        sock.sendall(CLIENT_HEADER)
        recv_until(sock, b"<stream:features/>")
        sock.sendall(CLOSE)
        recv_until(sock, CLOSE)


def starttls_client():
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection((HOST, STARTTLS_PORT)) as sock:
        sock.sendall(CLIENT_HEADER)
        recv_until(sock, b"</stream:features>")
        sock.sendall(STARTTLS)
        recv_until(sock, b"<proceed")
        with context.wrap_socket(sock, server_hostname=DOMAIN) as tls:
            tls.sendall(CLIENT_HEADER)
            recv_until(tls, b"</stream:features>")
            tls.sendall(CLOSE)
            recv_until(tls, CLOSE)


def listener(port):
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((HOST, port))
    server.listen(1)
    return server


def main():
    workdir = tempfile.mkdtemp(prefix="xmpp-capture-")
    cert, key = os.path.join(workdir, "cert.pem"), os.path.join(workdir, "key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", key, "-out", cert, "-days", "30", "-subj", f"/CN={DOMAIN}",
         "-addext", f"subjectAltName=DNS:{DOMAIN}"],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.maximum_version = ssl.TLSVersion.TLSv1_2  # the certificate in the clear
    server_context.load_cert_chain(cert, key)

    plain, starttls = listener(PLAIN_PORT), listener(STARTTLS_PORT)
    tcpdump = subprocess.Popen(
        ["tcpdump", "-i", "lo", "-U", "--immediate-mode", "-w", OUT, f"tcp port {PLAIN_PORT} or tcp port {STARTTLS_PORT}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(1.5)
    try:
        worker = threading.Thread(target=lambda: serve_plain(plain.accept()[0]))
        worker.start()
        plain_client()
        worker.join()
        time.sleep(0.2)
        worker = threading.Thread(target=lambda: serve_starttls(starttls.accept()[0], server_context))
        worker.start()
        starttls_client()
        worker.join()
        time.sleep(1.0)
    finally:
        tcpdump.terminate()
        tcpdump.wait()
        plain.close()
        starttls.close()
        for name in (cert, key):
            os.unlink(name)
        os.rmdir(workdir)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
