#!/usr/bin/env python3
"""Loopback clients for make-fields-capture.sh that no packaged tool plays.

  tunnel  N: N queries for distinct names from ONE UDP socket to 127.0.0.1:5353
             (the shape of a DNS tunnel: one flow, hundreds of names), each answered.
  dohget   : one RFC 8484 GET /dns-query?dns=<base64url> to 127.0.0.1:8082.
  h2prior  : HTTP/2 with prior knowledge to 127.0.0.1:8083, two requests on one connection
             (python h2 library; the second request's HPACK block refers to the dynamic table).
  dohpost  : one RFC 8484 POST /dns-query, body application/dns-message, to 127.0.0.1:8082
             (curl --doh-url refuses an http:// resolver, so a client is played here).
"""
import base64, http.client, socket, struct, sys


def query(ident: int, name: str, qtype: int = 1) -> bytes:
    labels = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    return struct.pack("!HHHHHH", ident, 0x0100, 1, 0, 0, 0) + labels + struct.pack("!HH", qtype, 1)


def tunnel(count: int):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(2)
    for i in range(count):
        # Data-looking labels, as tunnels (iodine, dnscat2) send them.
        name = "%08x%04d.t.tunnel.test" % (0x5eed0000 + i * 7919, i)
        sock.sendto(query(i + 1, name, 16), ("127.0.0.1", 5353))
        sock.recvfrom(2048)


def dohget():
    message = query(0, "doh-get.example.test")
    encoded = base64.urlsafe_b64encode(message).rstrip(b"=").decode()
    connection = http.client.HTTPConnection("127.0.0.1", 8082)
    connection.request("GET", "/dns-query?dns=" + encoded, headers={"Accept": "application/dns-message"})
    connection.getresponse().read()
    connection.close()


def h2prior():
    import h2.connection, h2.events
    sock = socket.create_connection(("127.0.0.1", 8083))
    conn = h2.connection.H2Connection()
    conn.initiate_connection()
    sock.sendall(conn.data_to_send())
    for path in ("/prior-one", "/prior-two"):
        stream = conn.get_next_available_stream_id()
        conn.send_headers(stream, [(":method", "GET"), (":path", path), (":scheme", "http"),
                                   (":authority", "127.0.0.1:8083"), ("user-agent", "fields-h2/1.0"),
                                   ("accept-language", "da, en-GB"), ("cookie", "b=2"), ("cookie", "a=1")],
                          end_stream=True)
        sock.sendall(conn.data_to_send())
        ended = False
        while not ended:
            data = sock.recv(65535)
            if not data:
                return
            for event in conn.receive_data(data):
                ended = ended or (isinstance(event, h2.events.StreamEnded) and event.stream_id == stream)
            sock.sendall(conn.data_to_send())
    conn.close_connection()
    sock.sendall(conn.data_to_send())
    sock.close()


def dohpost():
    connection = http.client.HTTPConnection("127.0.0.1", 8082)
    connection.request("POST", "/dns-query", body=query(0, "doh-post.example.test"),
                       headers={"Content-Type": "application/dns-message", "Accept": "application/dns-message"})
    connection.getresponse().read()
    connection.close()


if __name__ == "__main__":
    if sys.argv[1] == "tunnel":
        tunnel(int(sys.argv[2]))
    elif sys.argv[1] == "dohget":
        dohget()
    elif sys.argv[1] == "h2prior":
        h2prior()
    elif sys.argv[1] == "dohpost":
        dohpost()
