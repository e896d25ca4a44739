#!/usr/bin/env python3
"""Hostile-load captures for cipherscope: flow, fragment and TCP-sequence floods.

    Scripts/make-floods.py OUTDIR [--flows N] [--fragments N] [--tcp-flows N]
                                  [--duration S] [--seed N] [--only NAME]...

Writes, with plain struct packing (no scapy, a few seconds for a million flows):

  flood-flows.pcap      N distinct flows (default 1,000,000), alternately UDP and TCP,
                        one or two packets each (UDP: a datagram, every 2nd one
                        answered; TCP: a SYN, every 2nd one answered by a SYN-ACK). Timestamps
                        increase over --duration seconds (default 4), so every flow
                        is still open when the last one starts.
  flood-fragments.pcap  N fragmented datagrams (default 200,000), alternately IPv4 and
                        IPv6, each with distinct ids, sending one or two tiny
                        fragments (8 or 16 bytes of payload) but never the last: they
                        cannot complete. Datagrams 998 and 999 of every 1000 are the
                        exception (one IPv4, one IPv6): their last fragment follows
                        at once and they complete (a UDP flow each), so reassembly
                        must keep working under the flood.
  flood-concluded.pcap  N distinct ICMP echo flows (default: --flows), one request each:
                        nothing to dissect, so every flow holds only what a flow keeps
                        once its dissection is over (the per-flow memory floor).
  flood-tcpseq.pcap     N TCP connections (default 20,000): SYN and SYN-ACK, then
                        segments both ways with random sequence numbers (in order,
                        overlapping, far outside the window, wrapping past 2^32) and
                        random payloads; a third go to port 443 and start with a TLS
                        handshake record header, so TLS stream reassembly is exercised.

Classic pcap, Ethernet, microsecond timestamps. Addresses are private (10.0.0.0/8,
fd00::/8) or documentation ranges; IP and TCP/UDP checksums are left zero
(cipherscope does not verify them). The output is the same for the same options.
"""
import argparse
import os
import random
import struct
import sys

ETHER_IPV4 = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
ETHER_IPV6 = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x86\xdd"
T0 = 1_780_000_000  # seconds; any fixed start


class PcapWriter:
    def __init__(self, path):
        self.file = open(path, "wb")
        self.file.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        self.buffer = []
        self.packets = 0

    def add(self, micros, frame):
        self.buffer.append(struct.pack("<IIII", micros // 1_000_000, micros % 1_000_000, len(frame), len(frame)))
        self.buffer.append(frame)
        self.packets += 1
        if len(self.buffer) >= 65536:
            self.flush()

    def flush(self):
        self.file.write(b"".join(self.buffer))
        self.buffer = []

    def close(self):
        self.flush()
        self.file.close()


def ipv4(src, dst, proto, payload, ident=0, flags_offset=0):
    return ETHER_IPV4 + struct.pack(">BBHHHBBHII", 0x45, 0, 20 + len(payload), ident, flags_offset, 64, proto, 0, src, dst) + payload


def ipv6(src, dst, next_header, payload):
    return ETHER_IPV6 + struct.pack(">IHBB", 0x60000000, len(payload), next_header, 64) + src + dst + payload


def udp(sport, dport, data):
    return struct.pack(">HHHH", sport, dport, 8 + len(data), 0) + data


def tcp(sport, dport, seq, ack, flags, data=b"", window=64240):
    return struct.pack(">HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 0x50, flags, window, 0, 0) + data


SYN, ACK, PSH, FIN, RST = 0x02, 0x10, 0x08, 0x01, 0x04


def flood_flows(path, count, duration):
    """`count` distinct 5-tuples, all open at once."""
    out = PcapWriter(path)
    start = T0 * 1_000_000
    step = max(1, duration * 1_000_000 // max(count, 1))
    data = b"flood-ping"
    for i in range(count):
        micros = start + i * step
        src = 0x0A000000 | (i >> 14)            # 10.x.y.z, 16384 flows per address
        sport = 1024 + (i & 0x3FFF)
        dst = 0xC6336400 | (1 + i % 250)          # 198.51.100.1-250
        if i & 1 == 0:
            dport = 5000 + i % 7
            out.add(micros, ipv4(src, dst, 17, udp(sport, dport, data)))
            if i % 4 == 0:
                out.add(micros + 1, ipv4(dst, src, 17, udp(dport, sport, data)))
        else:
            dport = (443, 80, 8080)[i % 3]
            out.add(micros, ipv4(src, dst, 6, tcp(sport, dport, i * 7919, 0, SYN)))
            if i % 4 == 1:
                out.add(micros + 1, ipv4(dst, src, 6, tcp(dport, sport, i * 104729, i * 7919 + 1, SYN | ACK)))
    out.close()
    return out.packets


def flood_concluded(path, count, duration):
    """`count` ICMP echo requests from distinct sources: flows with nothing to dissect."""
    out = PcapWriter(path)
    start = T0 * 1_000_000
    step = max(1, duration * 1_000_000 // max(count, 1))
    for i in range(count):
        src = 0x0AC00000 | (i & 0x3FFFFF)        # 10.192.0.0/10: one source per flow
        dst = 0xC6336400 | (1 + i % 250)
        echo = struct.pack(">BBHHH", 8, 0, 0, i & 0xFFFF, 1) + b"flood-echo"
        out.add(start + i * step, ipv4(src, dst, 1, echo))
    out.close()
    return out.packets


def flood_fragments(path, count, duration):
    """Fragments of `count` datagrams, all but every 1000th never completing."""
    out = PcapWriter(path)
    start = T0 * 1_000_000
    step = max(1, duration * 1_000_000 // max(count, 1))
    for i in range(count):
        micros = start + i * step
        completes = i % 1000 >= 998
        ident = i & 0xFFFF
        src4 = 0x0A400000 | (i >> 16)            # a new source every 65536 ids
        dst4 = 0xCB007100 | (1 + i % 200)        # 203.0.113.x
        # The datagram: a UDP header and 8 bytes, then 8 more (24 bytes in all).
        # Distinct ports per thousand, so each completing datagram is a flow of its own.
        whole = udp(1024 + (i // 1000) % 60000, 7000 + i % 1000, b"fragment" + b"-payload")
        pieces = [(0, whole[:16], True), (16, whole[16:], False)]
        if i % 2 == 0:
            fragments = [pieces[0]]
            if i % 3 == 0:
                fragments.append((8, whole[8:16], True))  # an overlapping middle piece
            if completes:
                fragments.append(pieces[1])
            for offset, data, more in fragments:
                flags = (0x2000 if more else 0) | (offset // 8)
                out.add(micros, ipv4(src4, dst4, 17, data, ident=ident, flags_offset=flags))
        else:
            src6 = b"\xfd\x00" + b"\x00" * 8 + struct.pack(">IH", i >> 16, 1)
            dst6 = b"\x20\x01\x0d\xb8" + b"\x00" * 10 + struct.pack(">H", 1 + i % 200)
            fragments = [pieces[0]]
            if completes:
                fragments.append(pieces[1])
            for offset, data, more in fragments:
                header = struct.pack(">BBHI", 17, 0, offset | (1 if more else 0), i)
                out.add(micros, ipv6(src6, dst6, 44, header + data))
    out.close()
    return out.packets


def tls_record_start(rng):
    """A TLS handshake record header and ClientHello start, then random bytes."""
    length = rng.randrange(40, 600)
    body = bytes(rng.getrandbits(8) for _ in range(min(length, 200)))
    return b"\x16\x03\x01" + struct.pack(">H", length + 4) + b"\x01\x00" + struct.pack(">H", length) + body


def flood_tcpseq(path, count, duration, seed):
    """`count` TCP connections whose segments carry random sequence numbers."""
    rng = random.Random(seed)
    out = PcapWriter(path)
    start = T0 * 1_000_000
    step = max(1, duration * 1_000_000 // max(count, 1))
    blob = bytes(rng.getrandbits(8) for _ in range(4096))
    for i in range(count):
        micros = start + i * step
        client = 0x0A800000 | (i >> 14)
        sport = 1024 + (i & 0x3FFF)
        server = 0xC0000200 | (1 + i % 250)     # 192.0.2.x
        dport = (443, 80, 443, 22, 8443, 443, 5222)[i % 7]
        isn_c, isn_s = rng.getrandbits(32), rng.getrandbits(32)
        if i % 11 == 0:
            isn_c = 0xFFFFFFFF - rng.randrange(0, 600)   # the stream wraps past 2^32
        out.add(micros, ipv4(client, server, 6, tcp(sport, dport, isn_c, 0, SYN)))
        out.add(micros + 1, ipv4(server, client, 6, tcp(dport, sport, isn_s, isn_c + 1, SYN | ACK)))
        out.add(micros + 2, ipv4(client, server, 6, tcp(sport, dport, isn_c + 1, isn_s + 1, ACK)))
        for k in range(rng.randrange(3, 12)):
            from_client = rng.random() < 0.7
            isn = isn_c if from_client else isn_s
            choice = rng.random()
            if k == 0 and from_client and dport == 443:
                data, seq = tls_record_start(rng), isn + 1
            else:
                size = rng.choice((1, 2, 5, 17, 100, 536, 1400))
                offset = rng.randrange(0, len(blob) - size)
                data = blob[offset:offset + size]
                if choice < 0.3:
                    seq = isn + 1 + rng.randrange(0, 4096)            # inside the first bytes, out of order
                elif choice < 0.5:
                    seq = isn + 1 + rng.randrange(0, 64) - 32          # overlapping the start, even before it
                elif choice < 0.8:
                    seq = rng.getrandbits(32)                          # anywhere
                else:
                    seq = isn + 1 + (1 << 31) + rng.randrange(0, 1000)  # half the space away
            flags = ACK | PSH
            if rng.random() < 0.03:
                flags |= FIN
            if rng.random() < 0.01:
                flags = RST
            a, b, sp, dp = (client, server, sport, dport) if from_client else (server, client, dport, sport)
            out.add(micros + 3 + k, ipv4(a, b, 6, tcp(sp, dp, seq, 0, flags, data)))
    out.close()
    return out.packets


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("outdir")
    parser.add_argument("--flows", type=int, default=1_000_000)
    parser.add_argument("--fragments", type=int, default=200_000)
    parser.add_argument("--tcp-flows", type=int, default=20_000)
    parser.add_argument("--duration", type=int, default=4, help="seconds of capture time each flood spans")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--only", action="append", choices=["flows", "fragments", "tcpseq", "concluded"])
    args = parser.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    which = args.only or ["flows", "fragments", "tcpseq", "concluded"]
    if "flows" in which:
        packets = flood_flows(os.path.join(args.outdir, "flood-flows.pcap"), args.flows, args.duration)
        print(f"flood-flows.pcap: {args.flows} flows, {packets} packets")
    if "fragments" in which:
        packets = flood_fragments(os.path.join(args.outdir, "flood-fragments.pcap"), args.fragments, args.duration)
        complete = sum(1 for i in range(args.fragments) if i % 1000 >= 998)
        print(f"flood-fragments.pcap: {args.fragments} datagrams ({complete} complete), {packets} fragments")
    if "concluded" in which:
        packets = flood_concluded(os.path.join(args.outdir, "flood-concluded.pcap"), args.flows, args.duration)
        print(f"flood-concluded.pcap: {args.flows} flows, {packets} packets")
    if "tcpseq" in which:
        packets = flood_tcpseq(os.path.join(args.outdir, "flood-tcpseq.pcap"), args.tcp_flows, args.duration, args.seed)
        print(f"flood-tcpseq.pcap: {args.tcp_flows} flows, {packets} packets")


if __name__ == "__main__":
    sys.exit(main())
