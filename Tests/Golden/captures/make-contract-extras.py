#!/usr/bin/env python3
"""Writes contract-extras.pcap: synthetic flows for the JSON keys the bundled lab
captures never produce, so that the golden outputs (Tests/Golden) guard them too.

    python3 Tests/Golden/captures/make-contract-extras.py [OUT.pcap]

Default OUT: contract-extras.pcap beside this script. Pure Python 3 (struct only),
no randomness: every run writes the same bytes (GoldenTests checks that the
committed file is what this script writes). Classic pcap, microseconds, Ethernet,
documentation addresses (RFC 5737), times from 2024-02-29T12:00:00Z, valid IP, TCP
and UDP checksums (tshark -o tcp.check_checksum:TRUE agrees, and gives the same
JA3/JA3S as the golden files). After changing this script: rerun it, then
Scripts/update-goldens.sh.

Flows, in order (client 192.0.2.10 unless said):
 1. DNS over UDP: A query for sfu.voip.signal.org, answered 198.51.100.20 (TTL 300)
    -> dns.*; labelled Signal by the shipped rules.
 2. HTTP over TCP to 198.51.100.20:80: GET with Host and User-Agent, 200 response,
    FIN -> http.host/method/user_agent/ja4h, dns_name (from flow 1, cross_flow
    "dns answer" in the label evidence).
 3. HTTP CONNECT through a proxy 192.0.2.80:3128 -> http.target.
 4. TLS 1.2 over TCP to 203.0.113.50:443: ClientHello offering ALPN h2 and http/1.1,
    ServerHello selecting h2 -> tls.alpn_selected.
 5. STUN/TURN over UDP to 203.0.113.30:3478: Allocate with SOFTWARE and REALM
    telegram.org, success with XOR-MAPPED and XOR-RELAYED (203.0.113.31:40000),
    CreatePermission with XOR-PEER -> stun.*; labelled Telegram by its realm.
 6. RTP (and one RTCP sender report) to the relayed address 203.0.113.31:40000 ->
    rtp.*; labelled by inheritance from flow 5 (cross_flow "stun set-up of flow N",
    N flow 5's flow_id).
 7. Discord voice IP discovery (74-byte request and response) -> framings.
 8. UDP inside VXLAN inside GRE -> tunnel.depth 2.
"""
import os
import struct
import sys

START = 1709208000  # 2024-02-29T12:00:00Z
CLIENT = "192.0.2.10"


def ip(text):
    return bytes(int(part) for part in text.split("."))


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


class Capture:
    def __init__(self):
        self.records = []
        self.time = 0  # microseconds since START
        self.ident = 0

    def frame(self, data, gap=1000):
        self.time += gap
        seconds, micros = divmod(self.time, 1_000_000)
        self.records.append(struct.pack("<IIII", START + seconds, micros, len(data), len(data)) + data)

    def ipv4(self, src, dst, proto, payload):
        self.ident += 1
        header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), self.ident, 0x4000, 64, proto, 0, ip(src), ip(dst))
        return header[:10] + struct.pack("!H", checksum(header)) + header[12:] + payload

    @staticmethod
    def ethernet(packet, ethertype=0x0800):
        return bytes.fromhex("020000000002") + bytes.fromhex("020000000001") + struct.pack("!H", ethertype) + packet

    @staticmethod
    def pseudo(src, dst, proto, length):
        return ip(src) + ip(dst) + struct.pack("!BBH", 0, proto, length)

    def udp_packet(self, src, sport, dst, dport, payload):
        segment = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
        value = checksum(self.pseudo(src, dst, 17, len(segment)) + segment) or 0xFFFF
        return self.ipv4(src, dst, 17, segment[:6] + struct.pack("!H", value) + segment[8:])

    def udp(self, src, sport, dst, dport, payload, gap=1000):
        self.frame(self.ethernet(self.udp_packet(src, sport, dst, dport, payload)), gap)

    def tcp(self, src, sport, dst, dport, seq, ack, flags, payload=b"", options=b"", gap=1000):
        offset = (20 + len(options)) // 4
        segment = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, offset << 4, flags, 64240, 0, 0) + options + payload
        value = checksum(self.pseudo(src, dst, 6, len(segment)) + segment)
        segment = segment[:16] + struct.pack("!H", value) + segment[18:]
        self.frame(self.ethernet(self.ipv4(src, dst, 6, segment)), gap)

    def write(self, path):
        with open(path, "wb") as out:
            out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
            for record in self.records:
                out.write(record)


FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
SYN_OPTIONS = bytes.fromhex("020405b4") + bytes.fromhex("0402") + bytes.fromhex("080a0000100000000000") + bytes.fromhex("01030307")


def tcp_session(cap, server, sport, cport, exchanges):
    """Handshake, the (direction, bytes) exchanges, FIN both ways."""
    seq = {0: 1000, 1: 5000}
    cap.tcp(CLIENT, cport, server, sport, seq[0], 0, SYN, options=SYN_OPTIONS)
    cap.tcp(server, sport, CLIENT, cport, seq[1], seq[0] + 1, SYN | ACK, options=SYN_OPTIONS)
    seq[0] += 1
    seq[1] += 1
    cap.tcp(CLIENT, cport, server, sport, seq[0], seq[1], ACK)
    for direction, data in exchanges:
        if direction == 0:
            cap.tcp(CLIENT, cport, server, sport, seq[0], seq[1], PSH | ACK, data)
        else:
            cap.tcp(server, sport, CLIENT, cport, seq[1], seq[0], PSH | ACK, data)
        seq[direction] += len(data)
    cap.tcp(CLIENT, cport, server, sport, seq[0], seq[1], FIN | ACK)
    cap.tcp(server, sport, CLIENT, cport, seq[1], seq[0] + 1, FIN | ACK)
    cap.tcp(CLIENT, cport, server, sport, seq[0] + 1, seq[1] + 1, ACK)


def dns_name(name):
    return b"".join(bytes([len(label)]) + label.encode() for label in name.split(".")) + b"\0"


def dns(cap):
    question = dns_name("sfu.voip.signal.org") + struct.pack("!HH", 1, 1)
    query = struct.pack("!HHHHHH", 0x4242, 0x0100, 1, 0, 0, 0) + question
    answer = struct.pack("!HHHIH", 0xC00C, 1, 1, 300, 4) + ip("198.51.100.20")
    response = struct.pack("!HHHHHH", 0x4242, 0x8180, 1, 1, 0, 0) + question + answer
    cap.udp(CLIENT, 50000, "192.0.2.53", 53, query)
    cap.udp("192.0.2.53", 53, CLIENT, 50000, response)


def http(cap):
    request = (b"GET /index.html HTTP/1.1\r\nHost: sfu.voip.signal.org\r\nUser-Agent: contract-test/1.0\r\n"
               b"Accept: */*\r\nAccept-Language: en\r\n\r\n")
    response = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"
    tcp_session(cap, "198.51.100.20", 80, 50001, [(0, request), (1, response)])


def connect(cap):
    request = b"CONNECT web.example.net:443 HTTP/1.1\r\nHost: web.example.net:443\r\nUser-Agent: contract-test/1.0\r\n\r\n"
    response = b"HTTP/1.1 200 Connection established\r\n\r\n"
    tcp_session(cap, "192.0.2.80", 3128, 50002, [(0, request), (1, response)])


def extension(kind, data):
    return struct.pack("!HH", kind, len(data)) + data


def handshake(kind, body):
    record = bytes([kind]) + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(record)) + record


def tls(cap):
    name = b"www.example.com"
    protocols = b"".join(bytes([len(p)]) + p for p in [b"h2", b"http/1.1"])
    extensions = (extension(0, struct.pack("!HBH", len(name) + 3, 0, len(name)) + name)
                  + extension(10, struct.pack("!HHH", 4, 0x001D, 0x0017))
                  + extension(11, b"\x01\x00")
                  + extension(13, struct.pack("!HHH", 4, 0x0403, 0x0804))
                  + extension(16, struct.pack("!H", len(protocols)) + protocols)
                  + extension(0xFF01, b"\x00"))
    client = (b"\x03\x03" + bytes(range(32)) + b"\x00" + struct.pack("!HHH", 4, 0xC02F, 0xC030) + b"\x01\x00"
              + struct.pack("!H", len(extensions)) + extensions)
    selected = b"\x02h2"
    server_extensions = extension(0xFF01, b"\x00") + extension(16, struct.pack("!H", len(selected)) + selected)
    server = (b"\x03\x03" + bytes(range(32, 64)) + b"\x00" + struct.pack("!H", 0xC02F) + b"\x00"
              + struct.pack("!H", len(server_extensions)) + server_extensions)
    tcp_session(cap, "203.0.113.50", 443, 50003, [(0, handshake(1, client)), (1, handshake(2, server))])


COOKIE = 0x2112A442


def stun_attribute(kind, value):
    return struct.pack("!HH", kind, len(value)) + value + b"\0" * (-len(value) % 4)


def xor_address(kind, address, port):
    value = struct.pack("!BBH", 0, 1, port ^ (COOKIE >> 16)) + struct.pack("!I", struct.unpack("!I", ip(address))[0] ^ COOKIE)
    return stun_attribute(kind, value)


def stun_message(kind, transaction, attributes):
    body = b"".join(attributes)
    return struct.pack("!HHI", kind, len(body), COOKIE) + transaction + body


def stun(cap):
    server, port = "203.0.113.30", 3478
    software = stun_attribute(0x8022, b"contract-test")
    realm = stun_attribute(0x0014, b"telegram.org")
    allocate = stun_message(0x0003, bytes(range(1, 13)), [stun_attribute(0x0019, b"\x11\0\0\0"), software, realm])
    allocated = stun_message(0x0103, bytes(range(1, 13)), [
        xor_address(0x0016, "203.0.113.31", 40000), xor_address(0x0020, "198.51.100.77", 62000),
        stun_attribute(0x000D, struct.pack("!I", 600)), software])
    permission = stun_message(0x0008, bytes(range(13, 25)), [xor_address(0x0012, "198.51.100.99", 50500), realm])
    permitted = stun_message(0x0108, bytes(range(13, 25)), [software])
    for src, dst, message in [(0, 1, allocate), (1, 0, allocated), (0, 1, permission), (1, 0, permitted)]:
        hosts = [(CLIENT, 50004), (server, port)]
        cap.udp(*hosts[src], *hosts[dst], message)


def rtp(cap):
    relay, port = "203.0.113.31", 40000
    for index in range(12):
        packet = struct.pack("!BBHII", 0x80, 111, 100 + index, 960 * index, 0x11223344) + bytes([index]) * 40
        cap.udp(CLIENT, 50005, relay, port, packet, gap=20000)
        if index % 2:
            reply = struct.pack("!BBHII", 0x80, 111, 700 + index, 960 * index, 0x55667788) + bytes([index]) * 48
            cap.udp(relay, port, CLIENT, 50005, reply, gap=500)
    report = struct.pack("!BBHI", 0x80, 200, 6, 0x11223344) + struct.pack("!IIIII", 0xE9B2_0000, 0, 11520, 12, 480)
    cap.udp(CLIENT, 50005, relay, port, report)


def discord(cap):
    server, port = "203.0.113.40", 50001
    request = struct.pack("!HHI", 0x0001, 0x0046, 0x0000ABCD) + b"\0" * 64 + struct.pack("!H", 0)
    response = struct.pack("!HHI", 0x0002, 0x0046, 0x0000ABCD) + CLIENT.encode().ljust(64, b"\0") + struct.pack("!H", 50006)
    cap.udp(CLIENT, 50006, server, port, request)
    cap.udp(server, port, CLIENT, 50006, response)


def nested_tunnel(cap):
    for src, sport, dst, dport, payload in [("192.0.2.60", 41000, "198.51.100.60", 5000, b"inner hello"),
                                            ("198.51.100.60", 5000, "192.0.2.60", 41000, b"inner reply!")]:
        inner = cap.ethernet(cap.udp_packet(src, sport, dst, dport, payload))
        vxlan = struct.pack("!BBHI", 0x08, 0, 0, 77 << 8) + inner
        middle = cap.udp_packet("10.1.0.1", 49152, "10.1.0.2", 4789, vxlan)
        gre = struct.pack("!HH", 0, 0x0800) + middle
        cap.frame(cap.ethernet(cap.ipv4("10.0.0.1", "10.0.0.2", 47, gre)))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "contract-extras.pcap")
    cap = Capture()
    for flow in (dns, http, connect, tls, stun, rtp, discord, nested_tunnel):
        flow(cap)
        cap.time += 100_000
    cap.write(out)


if __name__ == "__main__":
    main()
