#!/usr/bin/python3
"""make-upgrade-capture.py - TLS that begins mid-stream, from real stacks, in a private network namespace.

Writes Captures/lab-upgrade.pcap (or argv[1]). Run as root with Debian's python3 (tcpdump, openssl,
curl, iproute2). Everything runs inside a network namespace this script creates (`csupgrade`) on its
loopback (127.0.0.1, ::1) and deletes afterwards: no packet can leave the machine.

Servers are tiny Python fakes that speak just enough of each protocol to agree the upgrade, then
Python's ssl (OpenSSL, TLS 1.2 at most so the certificate is in the clear; one self-signed P-256
certificate for *.lab.example). Clients are real:

  port  client                                                  SNI
  25    openssl s_client -starttls smtp                         smtp.lab.example
  587   openssl s_client -starttls smtp (submission)            submission.lab.example
  143   openssl s_client -starttls imap                         imap.lab.example
  110   openssl s_client -starttls pop3                         pop3.lab.example
  21    openssl s_client -starttls ftp                          ftp.lab.example
  5222  openssl s_client -starttls xmpp                         xmpp.lab.example
  5269  openssl s_client -starttls xmpp-server                  s2s.lab.example
  389   openssl s_client -starttls ldap                         ldap.lab.example
  5432  openssl s_client -starttls postgres                     postgres.lab.example
  3389  Python: X.224 Connection Request + RDP_NEG_REQ, then ssl  rdp.lab.example
  3128  curl --proxy http://127.0.0.1:3128 (HTTP CONNECT)       connect.lab.example
  1080  curl --socks4 (address), --socks4a (name),
        --socks5 (IPv4 address), --socks5-hostname with user/password, --socks5 to [::1]
                                                                socks4/socks4a/socks5/socks5h/socks5v6.lab.example
The proxies relay to a Python TLS web server on port 8443 (those relayed flows are not captured:
tcpdump filter `not port 8443`).
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

NS = "csupgrade"
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("--") else os.path.join(HERE, "lab-upgrade.pcap")
BACKEND = 8443


def recv_line(sock):
    data = b""
    while not data.endswith(b"\n"):
        chunk = sock.recv(1)
        if not chunk:
            break
        data += chunk
    return data


def recv_until(sock, marker):
    data = b""
    while marker not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def recv_exact(sock, count):
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            break
        data += chunk
    return data


# Clear-text halves of the servers: each returns when TLS is to start.

def smtp(conn):
    conn.sendall(b"220 mail.lab.example ESMTP lab\r\n")
    recv_line(conn)  # EHLO
    conn.sendall(b"250-mail.lab.example\r\n250-PIPELINING\r\n250 STARTTLS\r\n")
    recv_line(conn)  # STARTTLS
    conn.sendall(b"220 2.0.0 Ready to start TLS\r\n")


def imap(conn):
    conn.sendall(b"* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] lab ready\r\n")
    recv_line(conn)  # . CAPABILITY
    conn.sendall(b"* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\n. OK CAPABILITY completed\r\n")
    recv_line(conn)  # . STARTTLS
    conn.sendall(b". OK Begin TLS negotiation now\r\n")


def pop3(conn):
    conn.sendall(b"+OK POP3 lab ready\r\n")
    recv_line(conn)  # STLS
    conn.sendall(b"+OK Begin TLS negotiation\r\n")


def ftp(conn):
    conn.sendall(b"220 lab FTP server ready\r\n")
    recv_line(conn)  # AUTH TLS
    conn.sendall(b"234 AUTH TLS successful\r\n")


def xmpp(namespace):
    def serve(conn):
        recv_until(conn, b">")
        conn.sendall(("<?xml version='1.0'?><stream:stream from='lab.example' id='lab1' version='1.0' "
                      f"xmlns='{namespace}' xmlns:stream='http://etherx.jabber.org/streams'>"
                      "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
                      "</stream:features>").encode())
        recv_until(conn, b"/>")
        conn.sendall(b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
    return serve


def ldap(conn):
    request = recv_exact(conn, 2)
    request += recv_exact(conn, request[1])
    message_id = request[4]
    body = b"\x0a\x01\x00\x04\x00\x04\x00"  # resultCode success, matchedDN "", diagnosticMessage ""
    op = b"\x78" + bytes([len(body)]) + body
    inner = b"\x02\x01" + bytes([message_id]) + op
    conn.sendall(b"\x30" + bytes([len(inner)]) + inner)


def postgres(conn):
    recv_exact(conn, 8)  # SSLRequest
    conn.sendall(b"S")


def rdp(conn):
    header = recv_exact(conn, 4)
    recv_exact(conn, struct.unpack("!H", header[2:4])[0] - 4)
    negotiation = struct.pack("<BBHI", 0x02, 0x00, 8, 0x00000001)  # RDP_NEG_RSP: PROTOCOL_SSL
    x224 = bytes([6 + len(negotiation), 0xD0, 0, 0, 0x12, 0x34, 0]) + negotiation
    conn.sendall(struct.pack("!BBH", 3, 0, 4 + len(x224)) + x224)


STARTTLS_SERVERS = [
    (25, "smtp", smtp), (587, "submission", smtp), (143, "imap", imap), (110, "pop3", pop3), (21, "ftp", ftp),
    (5222, "xmpp", xmpp("jabber:client")), (5269, "s2s", xmpp("jabber:server")), (389, "ldap", ldap),
    (5432, "postgres", postgres), (3389, "rdp", rdp),
]
OPENSSL_STARTTLS = [
    (25, "smtp", "smtp"), (587, "smtp", "submission"), (143, "imap", "imap"), (110, "pop3", "pop3"), (21, "ftp", "ftp"),
    (5222, "xmpp", "xmpp"), (5269, "xmpp-server", "s2s"), (389, "ldap", "ldap"), (5432, "postgres", "postgres"),
]


def listen(port, family=socket.AF_INET, host="127.0.0.1"):
    server = socket.socket(family, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        server.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    server.bind((host, port))
    server.listen(8)
    return server


def serve_forever(server, handler):
    def loop():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=handler, args=(conn,), daemon=True).start()
    threading.Thread(target=loop, daemon=True).start()


def upgrade_handler(clear, context):
    def handle(conn):
        try:
            clear(conn)
            with context.wrap_socket(conn, server_side=True) as tls:
                tls.settimeout(3)
                try:
                    tls.recv(4096)
                except (OSError, ssl.SSLError):
                    pass
        except (OSError, ssl.SSLError):
            conn.close()
    return handle


def backend_handler(context):
    def handle(conn):
        try:
            with context.wrap_socket(conn, server_side=True) as tls:
                tls.settimeout(3)
                recv_until(tls, b"\r\n\r\n")
                tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n")
        except (OSError, ssl.SSLError):
            conn.close()
    return handle


def relay(a, b):
    def pump(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        for sock in (src, dst):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
    threading.Thread(target=pump, args=(b, a), daemon=True).start()
    pump(a, b)


def upstream(host, port):
    # Every lab name is this namespace's loopback.
    if host.endswith(".lab.example"):
        host = "127.0.0.1"
    return socket.create_connection((host, port))


def http_proxy(conn):
    head = recv_until(conn, b"\r\n\r\n")
    target = head.split(b" ")[1].decode()
    host, port = target.rsplit(":", 1)
    remote = upstream(host.strip("[]"), int(port))
    conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
    relay(conn, remote)


def socks_proxy(conn):
    version = recv_exact(conn, 1)
    if version == b"\x04":
        head = recv_exact(conn, 7)
        port, address = struct.unpack("!H", head[1:3])[0], head[3:7]
        rest = recv_until(conn, b"\x00")  # user id, then (SOCKS4a) the name
        if address[:3] == b"\x00\x00\x00" and address[3] != 0:
            while rest.count(b"\x00") < 2:
                rest += recv_until(conn, b"\x00")
            host = rest.split(b"\x00")[1].decode()
        else:
            host = socket.inet_ntoa(address)
        remote = upstream(host, port)
        conn.sendall(b"\x00\x5a" + head[1:3] + address)
        relay(conn, remote)
        return
    count = recv_exact(conn, 1)[0]
    methods = recv_exact(conn, count)
    if 2 in methods:
        conn.sendall(b"\x05\x02")
        recv_exact(conn, 1)
        user = recv_exact(conn, recv_exact(conn, 1)[0])
        recv_exact(conn, recv_exact(conn, 1)[0])
        conn.sendall(b"\x01\x00")
    else:
        conn.sendall(b"\x05\x00")
    request = recv_exact(conn, 4)
    kind = request[3]
    if kind == 1:
        host = socket.inet_ntoa(recv_exact(conn, 4))
    elif kind == 3:
        host = recv_exact(conn, recv_exact(conn, 1)[0]).decode()
    else:
        host = socket.inet_ntop(socket.AF_INET6, recv_exact(conn, 16))
    port = struct.unpack("!H", recv_exact(conn, 2))[0]
    remote = upstream(host, port)
    conn.sendall(b"\x05\x00\x00\x01\x7f\x00\x00\x01" + struct.pack("!H", port))
    relay(conn, remote)


def rdp_client():
    cookie = b"Cookie: mstshash=lab\r\n"
    negotiation = struct.pack("<BBHI", 0x01, 0x00, 8, 0x00000003)  # RDP_NEG_REQ: SSL | HYBRID
    x224 = bytes([6 + len(cookie) + len(negotiation), 0xE0, 0, 0, 0, 0, 0]) + cookie + negotiation
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", 3389)) as sock:
        sock.sendall(struct.pack("!BBH", 3, 0, 4 + len(x224)) + x224)
        header = recv_exact(sock, 4)
        recv_exact(sock, struct.unpack("!H", header[2:4])[0] - 4)
        with context.wrap_socket(sock, server_hostname="rdp.lab.example") as tls:
            tls.sendall(b"\x30\x00")


def run(command):
    subprocess.run(command, input=b"", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=20)
    time.sleep(0.3)


def inside():
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    workdir = tempfile.mkdtemp(prefix="upgrade-capture-")
    cert, key = os.path.join(workdir, "cert.pem"), os.path.join(workdir, "key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", key, "-out", cert, "-days", "30", "-subj", "/CN=upgrade.lab.example",
         "-addext", "subjectAltName=DNS:*.lab.example"],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.maximum_version = ssl.TLSVersion.TLSv1_2  # the certificate in the clear
    context.load_cert_chain(cert, key)

    for port, _, clear in STARTTLS_SERVERS:
        serve_forever(listen(port), upgrade_handler(clear, context))
    serve_forever(listen(BACKEND, socket.AF_INET6, "::"), backend_handler(context))
    serve_forever(listen(3128), http_proxy)
    serve_forever(listen(1080), socks_proxy)

    tcpdump = subprocess.Popen(["tcpdump", "-i", "lo", "-U", "-w", OUT, "tcp and not port 8443"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.5)
    try:
        for port, mode, name in OPENSSL_STARTTLS:
            command = ["openssl", "s_client", "-starttls", mode, "-connect", f"127.0.0.1:{port}",
                       "-servername", f"{name}.lab.example"]
            if mode.startswith("xmpp"):
                command += ["-xmpphost", "lab.example"]
            run(command)
        rdp_client()
        time.sleep(0.3)
        url = "https://{0}.lab.example:8443/"
        curl = ["curl", "-sk", "--max-time", "10", "-o", "/dev/null"]
        run(curl + ["--proxy", "http://127.0.0.1:3128", url.format("connect")])
        run(curl + ["--socks4", "127.0.0.1:1080", "--resolve", "socks4.lab.example:8443:127.0.0.1", url.format("socks4")])
        run(curl + ["--socks4a", "127.0.0.1:1080", url.format("socks4a")])
        run(curl + ["--socks5", "127.0.0.1:1080", "--resolve", "socks5.lab.example:8443:127.0.0.1", url.format("socks5")])
        run(curl + ["--proxy", "socks5h://lab:secret@127.0.0.1:1080", url.format("socks5h")])
        run(curl + ["--socks5", "127.0.0.1:1080", "--resolve", "socks5v6.lab.example:8443:[::1]", url.format("socks5v6")])
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
