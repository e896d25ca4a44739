#!/usr/bin/env python3
"""Seed corpora for the libFuzzer targets in Fuzz/, cut from real captures.

    Fuzz/make-seeds.py [--shared DIR] [--out DIR] [--max-bytes N]

Reads the lab captures in Captures/ and, when present, the peer captures in
../shared/captures/ndpi (or --shared), and writes Fuzz/corpus/<target>/<sha1>
files in each target's input format (see the comment at the top of each
Fuzz/Sources/<target>/*.swift). Only the standard library is used: pcap and
pcapng are read here, and Ethernet / Linux cooked / raw / loopback, VLAN, IPv4,
IPv6, TCP and UDP decoded here, so the script runs on a fresh machine.

Deterministic: the same captures give the same files. Each target's corpus is
capped (--max-bytes per target, largest inputs dropped first) so the committed
seed set stays small.
"""
import argparse
import glob
import hashlib
import os
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Index of each link type in the decoder and pipeline targets' tables.
DECODER_LINKS = {1: 0, 113: 1, 276: 2, 12: 3, 101: 4, 228: 5, 229: 6, 0: 7, 108: 8, 14: 9,
                 9: 11, 50: 12, 104: 13, 239: 14, 105: 15, 127: 16}
PIPELINE_LINKS = {1: 0, 12: 1, 101: 1, 113: 2, 276: 3, 0: 4, 228: 5, 229: 6}


# ---------------------------------------------------------------- capture files

def read_capture(path):
    """Yields (link_type, frame bytes) for every frame of a pcap or pcapng file."""
    data = open(path, "rb").read()
    if data[:4] == b"\x0a\x0d\x0d\x0a":
        yield from read_pcapng(data)
    elif len(data) >= 24:
        yield from read_pcap(data)


def read_pcap(data):
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        return
    link = struct.unpack(endian + "I", data[20:24])[0] & 0x0FFFFFFF
    offset = 24
    while offset + 16 <= len(data):
        caplen = struct.unpack(endian + "I", data[offset + 8:offset + 12])[0]
        frame = data[offset + 16:offset + 16 + caplen]
        if len(frame) < caplen:
            return
        yield link, frame
        offset += 16 + caplen


def read_pcapng(data):
    offset = 0
    endian = "<"
    links = []
    while offset + 12 <= len(data):
        block_type = struct.unpack(endian + "I", data[offset:offset + 4])[0]
        if block_type == 0x0A0D0D0A:
            endian = "<" if data[offset + 8:offset + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            links = []
        length = struct.unpack(endian + "I", data[offset + 4:offset + 8])[0]
        if length < 12 or offset + length > len(data):
            return
        body = data[offset + 8:offset + length - 4]
        if block_type == 1:
            links.append(struct.unpack(endian + "H", body[:2])[0])
        elif block_type == 6 and len(body) >= 20:
            interface, _, _, caplen = struct.unpack(endian + "IIII", body[:16])
            if interface < len(links):
                yield links[interface], body[20:20 + caplen]
        elif block_type == 3 and links:
            yield links[0], body[4:]
        offset += length


# ---------------------------------------------------------------- decoding

class Packet:
    __slots__ = ("proto", "src", "dst", "sport", "dport", "payload", "flags", "seq", "fragment")


def decode(link, frame):
    """The innermost IPv4/IPv6 TCP or UDP packet of a frame, or None."""
    if link == 1:
        if len(frame) < 14:
            return None
        ethertype, rest = struct.unpack(">H", frame[12:14])[0], frame[14:]
    elif link == 113:
        if len(frame) < 16:
            return None
        ethertype, rest = struct.unpack(">H", frame[14:16])[0], frame[16:]
    elif link == 276:
        if len(frame) < 20:
            return None
        ethertype, rest = struct.unpack(">H", frame[0:2])[0], frame[20:]
    elif link in (12, 14, 101):
        if not frame:
            return None
        ethertype, rest = (0x0800 if frame[0] >> 4 == 4 else 0x86DD), frame
    elif link in (0, 108):
        if len(frame) < 4:
            return None
        family = struct.unpack("<I" if link == 0 else ">I", frame[:4])[0]
        ethertype, rest = (0x0800 if family == 2 else 0x86DD), frame[4:]
    else:
        return None
    while ethertype in (0x8100, 0x88A8) and len(rest) >= 4:
        ethertype, rest = struct.unpack(">H", rest[2:4])[0], rest[4:]
    packet = Packet()
    packet.fragment = False
    if ethertype == 0x0800 and len(rest) >= 20 and rest[0] >> 4 == 4:
        header = (rest[0] & 0x0F) * 4
        total = struct.unpack(">H", rest[2:4])[0]
        fragment = struct.unpack(">H", rest[6:8])[0]
        packet.fragment = (fragment & 0x3FFF) != 0
        packet.proto, packet.src, packet.dst = rest[9], rest[12:16], rest[16:20]
        rest = rest[header:max(header, min(total, len(rest)))]
    elif ethertype == 0x86DD and len(rest) >= 40:
        packet.proto, packet.src, packet.dst = rest[6], rest[8:24], rest[24:40]
        length = struct.unpack(">H", rest[4:6])[0]
        rest = rest[40:40 + length]
        while packet.proto in (0, 43, 60) and len(rest) >= 8:
            packet.proto, rest = rest[0], rest[(rest[1] + 1) * 8:]
        if packet.proto == 44:
            packet.fragment = True
            return packet
    else:
        return None
    if packet.fragment:
        return packet
    if packet.proto == 6 and len(rest) >= 20:
        packet.sport, packet.dport, packet.seq = struct.unpack(">HHI", rest[:8])
        packet.flags = rest[13]
        packet.payload = rest[(rest[12] >> 4) * 4:]
    elif packet.proto == 17 and len(rest) >= 8:
        packet.sport, packet.dport = struct.unpack(">HH", rest[:4])
        packet.flags, packet.seq = 0, 0
        packet.payload = rest[8:]
    else:
        return None
    return packet


class Flow:
    """One direction-aware flow: datagrams in order, TCP streams by sequence number."""

    def __init__(self, proto, client, server):
        self.proto, self.client, self.server = proto, client, server
        self.datagrams = []          # (from_client, payload)
        self.segments = {True: {}, False: {}}
        self.isn = {}

    def add(self, from_client, packet):
        if self.proto == 17:
            if len(self.datagrams) < 32:
                self.datagrams.append((from_client, packet.payload))
            return
        if packet.flags & 0x02:
            self.isn[from_client] = (packet.seq + 1) & 0xFFFFFFFF
        if packet.payload:
            base = self.isn.setdefault(from_client, packet.seq)
            relative = (packet.seq - base) & 0xFFFFFFFF
            if relative < 1 << 20:
                self.segments[from_client].setdefault(relative, packet.payload)

    def stream(self, from_client, limit=65536):
        """The in-order bytes of one direction from its start, up to the first gap."""
        out = bytearray()
        for offset in sorted(self.segments[from_client]):
            if offset > len(out) or len(out) >= limit:
                break
            out += self.segments[from_client][offset][len(out) - offset:]
        return bytes(out[:limit])


def flows_of(frames):
    flows = {}
    for link, frame in frames:
        packet = decode(link, frame)
        if packet is None or packet.fragment:
            continue
        a, b = (packet.src, packet.sport), (packet.dst, packet.dport)
        key = (packet.proto,) + tuple(sorted([a, b]))
        flow = flows.get(key)
        if flow is None:
            flow = flows[key] = Flow(packet.proto, a, b)
        flow.add(a == flow.client, packet)
    return list(flows.values())


# ---------------------------------------------------------------- seeds

def chunk(data):
    data = data[:0xFFFF]
    return struct.pack(">H", len(data)) + data


def varint(value):
    if value < 0x40:
        return bytes([value])
    if value < 0x4000:
        return struct.pack(">H", 0x4000 | value)
    return struct.pack(">I", 0x80000000 | value)


def tls_handshakes(stream):
    """The handshake messages of a TLS stream (record layer removed)."""
    body, offset = bytearray(), 0
    while offset + 5 <= len(stream) and stream[offset] == 22:
        length = struct.unpack(">H", stream[offset + 3:offset + 5])[0]
        body += stream[offset + 5:offset + 5 + length]
        offset += 5 + length
    messages, offset = [], 0
    while offset + 4 <= len(body):
        length = int.from_bytes(body[offset + 1:offset + 4], "big")
        if offset + 4 + length > len(body):
            break
        messages.append(bytes(body[offset:offset + 4 + length]))
        offset += 4 + length
    return messages


def is_stun(payload):
    return len(payload) >= 20 and payload[0] < 0x40 and payload[4:8] == b"\x21\x12\xa4\x42"


def is_dtls(payload):
    return len(payload) >= 13 and 20 <= payload[0] <= 25 and payload[1] == 0xFE


def is_quic_long(payload):
    return len(payload) >= 7 and payload[0] & 0xC0 == 0xC0


HTTP_METHODS = (b"GET ", b"POST ", b"HEAD ", b"PUT ", b"CONNECT ", b"OPTIONS ", b"DELETE ")


def seeds_from_capture(path, seeds):
    frames = list(read_capture(path))
    if not frames:
        return
    name = os.path.basename(path)
    link = frames[0][0]

    # decoder: a few runs of consecutive frames (fragments among them).
    if link in DECODER_LINKS:
        for start in range(0, min(len(frames), 40), 8):
            run = frames[start:start + 4]
            seeds["decoder"].append(bytes([DECODER_LINKS[link]]) + b"".join(chunk(f) for _, f in run))
        fragments = [f for l, f in frames if (p := decode(l, f)) is not None and p.fragment]
        if fragments:
            seeds["decoder"].append(bytes([DECODER_LINKS[link]]) + b"".join(chunk(f) for f in fragments[:8]))

    # pipeline: the first frames of the capture (a whole small conversation).
    if link in PIPELINE_LINKS:
        head, total = [], 0
        for _, frame in frames:
            if total + len(frame) > 6000 or len(head) >= 24:
                break
            head.append(frame)
            total += len(frame)
        seeds["pipeline"].append(bytes([PIPELINE_LINKS[link], 0x0F]) + b"".join(chunk(f) for f in head))

    for flow in flows_of(frames):
        ports = {flow.client[1], flow.server[1]}
        if flow.proto == 6:
            client, server = flow.stream(True), flow.stream(False)
            if client[:1] == b"\x16" or server[:1] == b"\x16":
                for stream in (client, server):
                    if stream[:1] == b"\x16":
                        seeds["tls"].append(b"\x00" + stream[:12000])
                        for message in tls_handshakes(stream)[:3]:
                            seeds["tls"].append(b"\x01" + message[:1] + message[4:])
                            if message[0] == 1:
                                # The same ClientHello in a QUIC CRYPTO frame, protected by the target.
                                frame = b"\x06" + varint(0) + varint(len(message)) + message
                                seeds["quic"].append(b"\x01\x00" + bytes([8]) + bytes(range(8)) + chunk(b"\x00" + frame))
                            if message[0] == 11:
                                seeds["tls"].append(b"\x03\x02" + message[4:])
                                certs = message[4:]
                                if len(certs) > 6:
                                    first = int.from_bytes(certs[3:6], "big")
                                    seeds["tls"].append(b"\x02" + certs[6:6 + first])
            if client.startswith(b"SSH-") or server.startswith(b"SSH-"):
                seeds["ssh"] += [b"\x00" + client[:8000], b"\x00" + server[:8000]]
            if client.startswith(HTTP_METHODS):
                seeds["http"].append(client[:4000])
            if server.startswith(b"HTTP/"):
                seeds["http"].append(server[:4000])
            if 53 in ports and client:
                seeds["dns"].append(b"\x01" + client[:4000])
            if "mtproto" in name and client and not client.startswith((b"\x16", b"SSH-")):
                seeds["mtproto"].append(client[:2000])
            if client and is_stun(client):
                seeds["stun"].append(b"\x01" + client[:4000])
        elif flow.proto == 17:
            payloads = flow.datagrams
            if 53 in ports or 5353 in ports:
                for _, payload in payloads[:4]:
                    seeds["dns"].append(b"\x00" + payload)
            stun = [p for _, p in payloads if is_stun(p)]
            for payload in stun[:4]:
                seeds["stun"].append(b"\x00" + payload)
            dtls = [(c, p) for c, p in payloads if is_dtls(p)]
            if dtls:
                seeds["dtls"].append(b"".join(chunk(p) for _, p in dtls[:8]))
            quic = [(c, p) for c, p in payloads if is_quic_long(p) or (p[:1] and p[0] & 0x80 == 0 and len(p) > 20 and b"CHLO" in p[:200])]
            if quic:
                seeds["quic"].append(b"\x00" + b"".join(chunk(bytes([0 if c else 1]) + p) for c, p in quic[:6]))


def rule_seeds(seeds):
    for pack in sorted(glob.glob(os.path.join(ROOT, "Rules", "*", "pack.yaml"))):
        folder = os.path.dirname(pack)
        seeds["rules"].append(b"\x00" + open(pack, "rb").read())
        tests = os.path.join(folder, "tests.yaml")
        if os.path.exists(tests):
            seeds["rules"].append(b"\x02" + open(tests, "rb").read()[:6000])
        for rule in sorted(glob.glob(os.path.join(folder, "rules", "*.yaml")))[:6]:
            text = open(rule, "rb").read()
            seeds["rules"].append(b"\x01" + text[:8000])
            for line in text.splitlines():
                stripped = line.strip()
                if stripped.startswith(b"regex:"):
                    seeds["rules"].append(b"\x04" + stripped[6:].strip().strip(b"'\""))
        for listing in sorted(glob.glob(os.path.join(folder, "lists", "*.txt")))[:3]:
            seeds["rules"].append(b"\x03" + open(listing, "rb").read()[:3000])


def synthetic_seeds(seeds):
    """A few hand-written inputs where the captures have little."""
    seeds["http"] += [
        b"GET /index.html?q=1 HTTP/1.1\r\nHost: example.org\r\nUser-Agent: curl/8.0\r\nAccept: */*\r\n"
        b"Accept-Language: en-GB,en;q=0.9\r\nCookie: a=1; b=2\r\nReferer: http://example.org/\r\n\r\n",
        b"CONNECT chat.signal.org:443 HTTP/1.1\r\nHost: chat.signal.org:443\r\nProxy-Connection: keep-alive\r\n\r\n",
        b"POST /api HTTP/1.0\r\nContent-Length: 5\r\nX-Forwarded-For: 192.0.2.1\r\n\r\nhello",
        b"HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html\r\nContent-Length: 0\r\n\r\n",
        # h2c with prior knowledge: SETTINGS, then a HEADERS block (HPACK: GET, http, /, :authority literal).
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes([0, 0, 0, 4, 0, 0, 0, 0, 0])
        + bytes([0, 0, 16, 1, 5, 0, 0, 0, 1, 0x82, 0x86, 0x84, 0x41, 11]) + b"example.org",
        b"GET /dns-query?dns=AAABAAABAAAAAAAAB2RvaC1nZXQHZXhhbXBsZQR0ZXN0AAABAAE HTTP/1.1\r\nHost: x\r\n\r\n",
    ]
    seeds["mtproto"] += [b"\xef\x0a" + bytes(40), b"\xee\xee\xee\xee" + struct.pack("<I", 40) + bytes(40),
                         b"\xdd\xdd\xdd\xdd" + struct.pack("<I", 44) + bytes(44), bytes(range(64)) + bytes(32)]
    seeds["ssh"] += [b"\x00SSH-2.0-OpenSSH_9.6 Debian\r\n", b"\x01SSH-2.0-libssh_0.10"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", default=os.path.join(os.path.dirname(ROOT), "shared", "captures", "ndpi"))
    parser.add_argument("--out", default=os.path.join(ROOT, "Fuzz", "corpus"))
    parser.add_argument("--max-bytes", type=int, default=48 * 1024, help="cap per target (default 48 KiB)")
    parser.add_argument("--max-files", type=int, default=60, help="cap per target (default 60)")
    args = parser.parse_args()

    targets = ["decoder", "tls", "quic", "dtls", "dns", "stun", "ssh", "http", "mtproto", "pipeline", "rules"]
    seeds = {target: [] for target in targets}
    captures = sorted(glob.glob(os.path.join(ROOT, "Captures", "*.pcap")))
    captures += sorted(glob.glob(os.path.join(ROOT, "Captures", "crafted", "*.pcap*")))
    if os.path.isdir(args.shared):
        captures += sorted(glob.glob(os.path.join(args.shared, "*.pcap")) + glob.glob(os.path.join(args.shared, "*.pcapng")))
    else:
        print(f"{args.shared} absent: seeds from Captures/ only", file=sys.stderr)
    # Seeds are taken round-robin over the captures, so every capture contributes
    # before the caps are reached.
    per_capture = []
    for path in captures:
        own = {target: [] for target in targets}
        seeds_from_capture(path, own)
        per_capture.append(own)
    own = {target: [] for target in targets}
    rule_seeds(own)
    synthetic_seeds(own)
    per_capture.append(own)
    for target in targets:
        lists = [own[target] for own in per_capture]
        for index in range(max(len(l) for l in lists)):
            seeds[target] += [l[index] for l in lists if index < len(l)]

    for target in targets:
        folder = os.path.join(args.out, target)
        os.makedirs(folder, exist_ok=True)
        for old in glob.glob(os.path.join(folder, "*")):
            os.remove(old)
        unique = {}
        for seed in seeds[target]:
            if len(seed) > 1:
                unique.setdefault(hashlib.sha1(seed).hexdigest(), seed)
        # Spread over the captures: take seeds in order, skipping ones that would
        # blow the budget, until the file or byte cap.
        kept, total = 0, 0
        for digest, seed in unique.items():
            if kept >= args.max_files or total + len(seed) > args.max_bytes:
                continue
            with open(os.path.join(folder, digest), "wb") as out:
                out.write(seed)
            kept += 1
            total += len(seed)
        print(f"{target:9} {kept:3} seeds {total:7} bytes (of {len(unique)} candidates)")


if __name__ == "__main__":
    main()
