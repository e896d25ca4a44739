#!/usr/bin/env python3
"""Loopback servers for make-fields-capture.sh (127.0.0.1 only).

  DNS over UDP and TCP on PORT_DNS (5353) and DNS over TCP on PORT_DNS_ALT (8053):
      every A question is answered with 127.0.0.1, anything else with NOERROR and no data.
  HTTP/1.1 with keep-alive on PORT_HTTP (8080): a short text body per path.
  DNS over HTTP (RFC 8484) in clear on PORT_DOH (8082): POST /dns-query
      (application/dns-message) and GET /dns-query?dns=<base64url>.
  HTTP/2 in clear on PORT_UPGRADE (8083), python h2 library: by Upgrade (RFC 7540 §3.2:
      the HTTP/1.1 request answered with 101 Switching Protocols) or with prior knowledge.
Stops by itself after LIFETIME seconds.
"""
import base64, socket, socketserver, struct, sys, threading, time
from http.server import BaseHTTPRequestHandler, HTTPServer

PORT_DNS, PORT_DNS_ALT, PORT_HTTP, PORT_DOH, PORT_UPGRADE = 5353, 8053, 8080, 8082, 8083
LIFETIME = 120


def answer(query: bytes) -> bytes:
    """A response to a DNS query: the question echoed, one A 127.0.0.1 for A questions."""
    if len(query) < 12:
        return b""
    ident, flags, qd = struct.unpack("!HHH", query[:6])
    offset = 12
    while offset < len(query) and query[offset] != 0:
        offset += query[offset] + 1
    question = query[12:offset + 5]
    qtype = struct.unpack("!H", query[offset + 1:offset + 3])[0] if offset + 3 <= len(query) else 0
    answers = b""
    if qtype == 1:
        answers = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_aton("127.0.0.1")
    header = struct.pack("!HHHHHH", ident, 0x8180 | (flags & 0x0100), 1, 1 if answers else 0, 0, 0)
    return header + question + answers


class UDPDNS(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        reply = answer(data)
        if reply:
            sock.sendto(reply, self.client_address)


class TCPDNS(socketserver.StreamRequestHandler):
    def handle(self):
        while True:
            head = self.rfile.read(2)
            if len(head) < 2:
                return
            (length,) = struct.unpack("!H", head)
            reply = answer(self.rfile.read(length))
            self.wfile.write(struct.pack("!H", len(reply)) + reply)


class KeepAlive(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        body = ("page %s\n" % self.path).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class DoH(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def reply(self, query: bytes):
        body = answer(query)
        self.send_response(200)
        self.send_header("Content-Type", "application/dns-message")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        self.reply(self.rfile.read(int(self.headers.get("Content-Length", "0"))))

    def do_GET(self):
        encoded = self.path.split("dns=", 1)[1].split("&")[0] if "dns=" in self.path else ""
        self.reply(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))

    def log_message(self, *args):
        pass


class H2CUpgrade(socketserver.BaseRequestHandler):
    def handle(self):
        import h2.config, h2.connection, h2.events
        sock = self.request
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(4096)
            if not chunk:
                return
            head += chunk
        conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=False))
        if head.startswith(b"PRI * HTTP/2.0"):
            # Prior knowledge: HTTP/2 from the first byte.
            conn.initiate_connection()
            self.serve(sock, conn, head)
            return
        settings = [l.split(b":", 1)[1].strip() for l in head.split(b"\r\n") if l.lower().startswith(b"http2-settings:")]
        sock.sendall(b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n")
        conn.initiate_upgrade_connection(settings[0] if settings else b"")
        self.respond(conn, 1)
        self.serve(sock, conn, b"")

    def serve(self, sock, conn, data):
        import h2.events
        sock.sendall(conn.data_to_send())
        while True:
            if not data:
                data = sock.recv(65535)
            if not data:
                return
            events, data = conn.receive_data(data), b""
            for event in events:
                if isinstance(event, h2.events.RequestReceived):
                    self.respond(conn, event.stream_id)
                elif isinstance(event, h2.events.ConnectionTerminated):
                    sock.sendall(conn.data_to_send())
                    return
            sock.sendall(conn.data_to_send())

    @staticmethod
    def respond(conn, stream):
        body = b"upgraded\n"
        conn.send_headers(stream, [(":status", "200"), ("content-length", str(len(body)))])
        conn.send_data(stream, body, end_stream=True)


class ThreadedTCP(socketserver.ThreadingMixIn, socketserver.TCPServer):
    allow_reuse_address = True
    daemon_threads = True


class ThreadedHTTP(socketserver.ThreadingMixIn, HTTPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    servers = [
        socketserver.UDPServer(("127.0.0.1", PORT_DNS), UDPDNS),
        ThreadedTCP(("127.0.0.1", PORT_DNS), TCPDNS),
        ThreadedTCP(("127.0.0.1", PORT_DNS_ALT), TCPDNS),
        ThreadedHTTP(("127.0.0.1", PORT_HTTP), KeepAlive),
        ThreadedHTTP(("127.0.0.1", PORT_DOH), DoH),
        ThreadedTCP(("127.0.0.1", PORT_UPGRADE), H2CUpgrade),
    ]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    print("ready", flush=True)
    time.sleep(LIFETIME)


if __name__ == "__main__":
    sys.exit(main())
