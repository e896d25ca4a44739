#!/usr/bin/python3
"""make-tcp-capture.py - TCP as it really happens: Fast Open, SYN retries, an SSH pre-banner.

Writes Captures/lab-tcp.pcap (or argv[1]). Run as root with Debian's python3 (tcpdump, iptables,
iproute2, openssl, ssh). Everything runs in a network namespace this script creates (`cstcp`) on its
loopback, deleted afterwards: nothing can leave the machine.

  port  what
  8443  TLS with TCP Fast Open (net.ipv4.tcp_fastopen=3): a Python client builds its ClientHello
        with ssl.MemoryBIO and sends it with MSG_FASTOPEN. The first connection only obtains the
        cookie (data after the handshake, SNI tfo-cookie.lab.example); the second carries the
        ClientHello in the SYN (SNI tfo.lab.example).
  8080  HTTP with Fast Open: the second connection's SYN carries `GET /` (Host tfo-http.lab.example).
  8081  A server without TFO while the client sends data without a cookie (tcp_fastopen=5): the SYN
        carries the request, the server acknowledges only the SYN, the client sends it again at
        ISN+1 (Host tfo-retry.lab.example).
  9443  SYN retries: iptables drops the SYNs for 3.5 s; the kernel retries on the same 5-tuple until
        the handshake completes, then TLS (SNI retry.lab.example, Python ssl client).
  2222  ssh (OpenSSH client) to a Python server that sends two text lines before its banner
        (RFC 4253 §4.2), then the banner and a KEXINIT, and closes.
"""
import os
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time

NS = "cstcp"
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("--") else os.path.join(HERE, "lab-tcp.pcap")
MSG_FASTOPEN = 0x20000000
TCP_FASTOPEN = 23


def sysctl(value):
    subprocess.run(["sysctl", "-q", f"net.ipv4.tcp_fastopen={value}"], check=True)


def listen(port, fastopen):
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if fastopen:
        server.setsockopt(socket.IPPROTO_TCP, TCP_FASTOPEN, 16)
    server.bind(("127.0.0.1", port))
    server.listen(8)
    return server


def serve(server, handler):
    def loop():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=handler, args=(conn,), daemon=True).start()
    threading.Thread(target=loop, daemon=True).start()


def tls_handler(context):
    def handle(conn):
        try:
            with context.wrap_socket(conn, server_side=True) as tls:
                tls.settimeout(3)
                tls.recv(4096)
                tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        except (OSError, ssl.SSLError):
            conn.close()
    return handle


def http_handler(conn):
    with conn:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(4096)
            if not chunk:
                return
            data += chunk
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


def ssh_handler(conn):
    with conn:
        conn.sendall(b"Welcome to the lab.\r\nAuthorised use only.\r\nSSH-2.0-LabSSH_1.0 prebanner\r\n")
        names = [b"curve25519-sha256", b"ssh-ed25519", b"aes128-ctr", b"aes128-ctr", b"hmac-sha2-256",
                 b"hmac-sha2-256", b"none", b"none", b"", b""]
        payload = bytes([20]) + b"\x11" * 16 + b"".join(struct.pack("!I", len(n)) + n for n in names) + b"\x00" + b"\x00" * 4
        padding = 8 - (len(payload) + 5) % 8
        padding += 8 if padding < 4 else 0
        conn.sendall(struct.pack("!IB", len(payload) + padding + 1, padding) + payload + b"\x00" * padding)
        conn.settimeout(3)
        try:
            conn.recv(4096)
            conn.recv(4096)
        except OSError:
            pass


def fastopen_tls(port, name):
    """A TLS client whose ClientHello goes out with MSG_FASTOPEN (in the SYN once a cookie is cached)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = context.wrap_bio(incoming, outgoing, server_hostname=name)
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.sendto(outgoing.read(), MSG_FASTOPEN, ("127.0.0.1", port))  # blocking: connects
    sock.settimeout(3)
    while True:
        try:
            tls.do_handshake()
            break
        except ssl.SSLWantReadError:
            pending = outgoing.read()
            if pending:
                sock.sendall(pending)
            data = sock.recv(65536)
            if not data:
                break
            incoming.write(data)
    tls.write(b"GET / HTTP/1.1\r\nHost: " + name.encode() + b"\r\n\r\n")
    sock.sendall(outgoing.read())
    try:
        sock.recv(65536)
    except OSError:
        pass
    sock.close()
    time.sleep(0.3)


def fastopen_http(port, name):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.sendto(b"GET / HTTP/1.1\r\nHost: " + name.encode() + b"\r\nUser-Agent: tfo-lab/1.0\r\n\r\n", MSG_FASTOPEN, ("127.0.0.1", port))
    sock.settimeout(3)
    try:
        sock.recv(4096)
    except OSError:
        pass
    sock.close()
    time.sleep(0.3)


def retried_tls(port, name):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        with context.wrap_socket(sock, server_hostname=name) as tls:
            tls.sendall(b"GET / HTTP/1.1\r\nHost: " + name.encode() + b"\r\n\r\n")
            tls.recv(4096)
    time.sleep(0.3)


def inside():
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    workdir = tempfile.mkdtemp(prefix="tcp-capture-")
    cert, key = os.path.join(workdir, "cert.pem"), os.path.join(workdir, "key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", key, "-out", cert, "-days", "30", "-subj", "/CN=tcp.lab.example",
         "-addext", "subjectAltName=DNS:*.lab.example"],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    sysctl(3)
    serve(listen(8443, True), tls_handler(context))
    serve(listen(9443, False), tls_handler(context))
    serve(listen(8080, True), http_handler)
    serve(listen(8081, False), http_handler)
    serve(listen(2222, False), ssh_handler)

    tcpdump = subprocess.Popen(["tcpdump", "-i", "lo", "-U", "-w", OUT, "tcp"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.5)
    try:
        fastopen_tls(8443, "tfo-cookie.lab.example")
        fastopen_tls(8443, "tfo.lab.example")
        fastopen_http(8080, "tfo-http-cookie.lab.example")
        fastopen_http(8080, "tfo-http.lab.example")
        sysctl(5)
        fastopen_http(8081, "tfo-retry.lab.example")
        sysctl(3)
        drop = ["INPUT", "-p", "tcp", "--dport", "9443", "--syn", "-j", "DROP"]
        subprocess.run(["iptables", "-I"] + drop, check=True)
        threading.Timer(3.5, lambda: subprocess.run(["iptables", "-D"] + drop)).start()
        retried_tls(9443, "retry.lab.example")
        subprocess.run(["ssh", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                        "-o", "ConnectTimeout=5", "-p", "2222", "lab@127.0.0.1", "true"],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=20)
        time.sleep(1.0)
    finally:
        tcpdump.terminate()
        tcpdump.wait()
        for name in (cert, key):
            os.unlink(name)
        os.rmdir(workdir)


def main():
    if "--inside" in sys.argv:
        inside()
        return
    subprocess.run(["ip", "netns", "add", NS], check=True)
    try:
        subprocess.run(["ip", "netns", "exec", NS, sys.executable, os.path.abspath(__file__), OUT, "--inside"], check=True)
    finally:
        subprocess.run(["ip", "netns", "delete", NS])
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
