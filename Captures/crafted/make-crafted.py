#!/usr/bin/python3
"""make-crafted.py - write small, deterministic, hand-crafted test captures for cipherscope.

Run with Debian's python (it has python3-scapy):   /usr/bin/python3 Captures/crafted/make-crafted.py
Optional: --check   re-reads every file with tshark (defragmentation off) and independently
                    rebuilds per-flow, per-direction packet counts, non-IP and malformed counts,
                    then compares them with expected.json (exit status 1 on any mismatch).

Nothing is ever sent: packets are only built in memory and written to files.  All
addresses come from documentation ranges (192.0.2.0/24 and 203.0.113.0/24 for inner /
end-host IPv4, 198.51.100.0/24 for tunnel endpoints, 2001:db8::/32 for IPv6), MACs are
locally administered 02:00:00:xx:xx:xx.  Timestamps are fixed (base 2023-11-14 22:13:20 UTC,
one second per case, one millisecond per packet), so the output is byte-identical on every run.
Ethernet frames shorter than 60 bytes are zero-padded to 60 like real frames on a wire
(except the deliberately truncated one), so decoders must honour the IP total length.

Pcap/pcapng files are written by hand with struct (not scapy's writer) so the byte order,
magic, link type and timestamp resolution are exactly as intended.

encap-ethernet.pcap  (LINKTYPE_ETHERNET = 1); one distinct flow per case, client 192.0.2.N /
2001:db8:0:N::1, server 203.0.113.N / 2001:db8:0:N::2, client port 40000+N:
   1 ipv4-tcp        plain IPv4 TCP, full session: 3-way handshake, data both ways, FIN/FIN (8 pkts)
   2 vlan            802.1Q VLAN 100, IPv4 UDP request/response
   3 qinq            802.1ad outer tag 0x88a8 id 200, inner 0x8100 id 300, IPv4 UDP
   4 mpls            MPLS label stack 1000 / 2000 (bottom of stack), then IPv4 UDP
   5 pppoe-ipv4      PPPoE session (0x8864, session 0x0011), PPP proto 0x0021, IPv4 UDP
   6 pppoe-ipv6      PPPoE session (0x8864, session 0x0011), PPP proto 0x0057, IPv6 UDP
   7 gre             IPv4 (198.51.100.1<->.2) GRE with key 0x0000abcd, proto 0x0800, inner IPv4 UDP
   8 erspan2         ERSPAN type II: GRE (S flag, seq) proto 0x88be, 8-byte ERSPAN header (ver 1,
                     session 5), inner Ethernet + IPv4 TCP SYN / SYN-ACK; outer is one-way mirror
                     traffic 198.51.100.3 -> .4 carrying both directions of the inner flow
   9 erspan3         ERSPAN type III: GRE (S flag, seq) proto 0x22eb, 12-byte header (ver 2,
                     session 6, no optional sub-header), inner Ethernet + IPv4 TCP SYN / SYN-ACK
  10 vxlan           UDP 4789, VNI 42, inner Ethernet + IPv4 UDP
  11 geneve          UDP 6081, VNI 43, protocol 0x6558, inner Ethernet + IPv4 UDP
  12 gtpu            UDP 2152/2152, TEID 0x1234, inner IPv4 UDP; packet 1 (uplink) has the E flag
                     and a PDU Session Container extension header (0x85, UL, QFI 9), then a
                     plain downlink and a plain uplink packet
  13 ipip            IPv4-in-IPv4 (outer proto 4), inner IPv4 UDP
  14 ipv4-options    IPv4 with a Router Alert option (IHL 6), TCP SYN / SYN-ACK
  15 ipv6-exthdrs    IPv6 with Hop-by-Hop + Destination Options headers, then TCP SYN / SYN-ACK
  16 ipv4-frag       UDP datagram (64 bytes of IP payload) in 3 IPv4 fragments written out of
                     order (last, first, middle) + one unfragmented UDP reply
  17 ipv6-frag       UDP datagram in 2 IPv6 fragments (Fragment header) + one unfragmented reply
  18 sctp            SCTP INIT + INIT-ACK (with state cookie), port 40018 -> 3868
  19 icmp            ICMP echo request + echo reply (ports 0)
  20 icmpv6          ICMPv6 echo request + echo reply (ports 0)
  21 esp             IP protocol 50 (ESP) one packet each way, SPIs 0x1001 / 0x2002 (ports 0)
  22 arp             one ARP request (non-IP packet, no flow)
  23 truncated       IPv4 header says total length 100, but the frame ends after 8 bytes of the
                     TCP header (frame is 42 bytes, caplen == len): counted as undecodable, no flow

linktype-null.pcap   LINKTYPE_NULL (0): 4-byte AF in little-endian host order; an IPv4 UDP flow
                     (AF_INET = 2) and an IPv6 UDP flow (AF_INET6 = 30, Darwin value)
linktype-loop.pcap   LINKTYPE_LOOP (108): 4-byte AF in network (big-endian) order; an IPv4 UDP
                     flow (AF 2) and an IPv6 UDP flow (AF 24, OpenBSD value)
linktype-raw.pcap    LINKTYPE_RAW (101): bare IP, an IPv4 UDP flow and an IPv6 TCP flow
linktype-sll.pcap    LINKTYPE_LINUX_SLL (113): 16-byte cooked header, one IPv4 TCP flow
linktype-sll2.pcap   LINKTYPE_LINUX_SLL2 (276): 20-byte cooked v2 header, one IPv4 UDP flow
linktype-ipv4.pcap   LINKTYPE_IPV4 (228): bare IPv4, one IPv4 UDP flow
nanosecond.pcap      classic pcap, nanosecond magic 0xa1b23c4d (little-endian), Ethernet, one
                     UDP flow, timestamps with non-zero sub-microsecond digits (…123456789 ns)
bigendian.pcap       classic pcap written big-endian (bytes a1 b2 c3 d4 on disk), microsecond
                     resolution, Ethernet, one TCP flow (SYN / SYN-ACK / ACK)
multi-if.pcapng      pcapng, 1 SHB, 2 IDBs (both Ethernet; if 0 "eth0" default µs resolution,
                     if 1 "eth1" with if_tsresol=9), EPBs on both interfaces: one UDP flow on
                     each interface, packets interleaved
expected.json        expected flows and counters for every file above (see Captures/README.md)
"""

import json
import os
import struct
import subprocess
import sys

from scapy.layers.inet import IP, TCP, UDP, ICMP, IPOption_Router_Alert
from scapy.layers.inet6 import (IPv6, IPv6ExtHdrHopByHop, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
                                ICMPv6EchoRequest, ICMPv6EchoReply)
from scapy.layers.l2 import Ether, ARP, Dot1Q, Dot1AD
from scapy.layers.sctp import (SCTP, SCTPChunkInit, SCTPChunkInitAck,
                               SCTPChunkParamStateCookie)
from scapy.packet import Raw

OUT_DIR = os.path.dirname(os.path.abspath(__file__))
BASE_NS = 1_700_000_000 * 10**9          # 2023-11-14 22:13:20 UTC
MS = 10**6                               # one millisecond in ns

ETH_IPV4, ETH_IPV6, ETH_ARP = 0x0800, 0x86DD, 0x0806
ETH_8021Q, ETH_8021AD, ETH_MPLS, ETH_PPPOE_S, ETH_TEB = 0x8100, 0x88A8, 0x8847, 0x8864, 0x6558

LINKTYPE_NULL, LINKTYPE_ETHERNET, LINKTYPE_RAW, LINKTYPE_LOOP = 0, 1, 101, 108
LINKTYPE_LINUX_SLL, LINKTYPE_IPV4, LINKTYPE_LINUX_SLL2 = 113, 228, 276


# ---------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------
def mac(case, host):
    return "02:00:00:00:%02x:%02x" % (case, host)


def eth(case, c2s, ethertype, payload, pad=True):
    """Ethernet II frame client(host 1) <-> server(host 2), zero-padded to 60 bytes."""
    src, dst = (mac(case, 1), mac(case, 2)) if c2s else (mac(case, 2), mac(case, 1))
    frame = bytes(Ether(src=src, dst=dst, type=ethertype)) + bytes(payload)
    if pad and len(frame) < 60:
        frame += b"\x00" * (60 - len(frame))
    return frame


def inner_eth(case, c2s, ip_pkt):
    """Inner Ethernet frame for ERSPAN / VXLAN / Geneve (hosts 3 and 4, no padding)."""
    src, dst = (mac(case, 3), mac(case, 4)) if c2s else (mac(case, 4), mac(case, 3))
    return bytes(Ether(src=src, dst=dst, type=ETH_IPV4)) + bytes(ip_pkt)


def v4(case, server=False):
    return ("203.0.113.%d" if server else "192.0.2.%d") % case


def v6(case, server=False):
    return "2001:db8:0:%x::%d" % (case, 2 if server else 1)


def outer(case, second=False):
    """Tunnel endpoint addresses (198.51.100.0/24), two per case."""
    return "198.51.100.%d" % (2 * case + (2 if second else 1))


def udp_pair(src, dst, sport, dport, req=b"request", resp=b"response", ip=IP):
    """UDP request from src:sport -> dst:dport and the response back."""
    return [(True, ip(src=src, dst=dst) / UDP(sport=sport, dport=dport) / Raw(req)),
            (False, ip(src=dst, dst=src) / UDP(sport=dport, dport=sport) / Raw(resp))]


def tcp_syn_synack(src, dst, sport, dport, ip=IP, **ipkw):
    return [(True, ip(src=src, dst=dst, **ipkw) / TCP(sport=sport, dport=dport, flags="S",
                                                      seq=1000, window=64240)),
            (False, ip(src=dst, dst=src, **ipkw) / TCP(sport=dport, dport=sport, flags="SA",
                                                       seq=5000, ack=1001, window=65160))]


def flow(case, proto, src_ip, src_port, dst_ip, dst_port, pkts, **extra):
    c2s = sum(1 for d, _ in pkts if d)
    f = {"case": case, "proto": proto, "src_ip": src_ip, "src_port": src_port,
         "dst_ip": dst_ip, "dst_port": dst_port, "packets_c2s": c2s,
         "packets_s2c": len(pkts) - c2s}
    f.update(extra)
    return f


# ---------------------------------------------------------------------------
# file writers (hand-made so byte order / magic / resolution are exact)
# ---------------------------------------------------------------------------
def write_pcap(name, linktype, records, endian="<", nano=False):
    """records: list of (ts_ns, frame_bytes[, orig_len])."""
    magic = 0xA1B23C4D if nano else 0xA1B2C3D4
    div = 1 if nano else 1000
    with open(os.path.join(OUT_DIR, name), "wb") as fh:
        fh.write(struct.pack(endian + "IHHiIII", magic, 2, 4, 0, 0, 65535, linktype))
        for rec in records:
            ts, data = rec[0], rec[1]
            orig = rec[2] if len(rec) > 2 else len(data)
            fh.write(struct.pack(endian + "IIII", ts // 10**9, (ts % 10**9) // div,
                                 len(data), orig))
            fh.write(data)
    return len(records)


def pcapng_block(btype, body):
    body += b"\x00" * (-len(body) % 4)
    total = len(body) + 12
    return struct.pack("<II", btype, total) + body + struct.pack("<I", total)


def pcapng_opt(code, value):
    return struct.pack("<HH", code, len(value)) + value + b"\x00" * (-len(value) % 4)


def write_pcapng(name, interfaces, records):
    """interfaces: list of (linktype, if_name, tsresol_exponent or None);
    records: list of (if_id, ts_ns, frame_bytes)."""
    out = pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)
                       + pcapng_opt(4, b"cipherscope make-crafted.py") + pcapng_opt(0, b""))
    units = []
    for linktype, ifname, tsresol in interfaces:
        opts = pcapng_opt(2, ifname.encode())
        if tsresol is not None:
            opts += pcapng_opt(9, bytes([tsresol]))
        out += pcapng_block(1, struct.pack("<HHI", linktype, 0, 65535) + opts + pcapng_opt(0, b""))
        units.append(10 ** (tsresol if tsresol is not None else 6))
    for if_id, ts_ns, data in records:
        ts = ts_ns * units[if_id] // 10**9
        body = struct.pack("<IIIII", if_id, ts >> 32, ts & 0xFFFFFFFF, len(data), len(data))
        body += data + b"\x00" * (-len(data) % 4)
        out += pcapng_block(6, body)
    with open(os.path.join(OUT_DIR, name), "wb") as fh:
        fh.write(out)
    return len(records)


# ---------------------------------------------------------------------------
# encapsulation headers, built byte by byte
# ---------------------------------------------------------------------------
def mpls(labels, ttl=64):
    out = b""
    for i, label in enumerate(labels):
        bos = 1 if i == len(labels) - 1 else 0
        out += struct.pack("!I", (label << 12) | (0 << 9) | (bos << 8) | ttl)
    return out


def pppoe_session(session_id, ppp_proto, payload):
    payload = bytes(payload)
    # ver=1 type=1, code 0 (session data), session id, length = PPP proto (2) + payload
    return struct.pack("!BBHHH", 0x11, 0x00, session_id, len(payload) + 2, ppp_proto) + payload


def gre_key(proto, key):
    return struct.pack("!HHI", 0x2000, proto, key)            # K bit


def gre_seq(proto, seq):
    return struct.pack("!HHI", 0x1000, proto, seq)            # S bit


def erspan2(session, index=0, vlan=0):
    w1 = (1 << 28) | (vlan << 16) | (0 << 13) | (0 << 11) | (0 << 10) | session
    return struct.pack("!II", w1, index & 0xFFFFF)


def erspan3(session, timestamp, vlan=0, hw_id=1):
    w1 = (2 << 28) | (vlan << 16) | (0 << 13) | (0 << 11) | (0 << 10) | session
    # SGT 0 | P 1 (Ethernet PDU) | FT 0 (Ethernet) | HW ID | D 0 | Gra 1 (100 ns) | O 0 (no sub-header)
    w3 = (0 << 16) | (1 << 15) | (0 << 10) | (hw_id << 4) | (0 << 3) | (1 << 1) | 0
    return struct.pack("!III", w1, timestamp, w3)


def vxlan(vni):
    return struct.pack("!II", 0x08000000, vni << 8)           # I flag


def geneve(vni, proto=ETH_TEB):
    return struct.pack("!BBHI", 0x00, 0x00, proto, vni << 8)  # ver 0, no options


def gtpu(teid, payload, ext_ul_qfi=None):
    payload = bytes(payload)
    if ext_ul_qfi is None:
        return struct.pack("!BBHI", 0x30, 0xFF, len(payload), teid) + payload
    # E flag: seq(2) npdu(1) next-ext(1) = 0x85, then PDU Session Container:
    # len 1 (x4 bytes), PDU type 1 (UL) <<4, QFI, next-ext 0
    opt = struct.pack("!HBB", 0, 0, 0x85) + bytes([1, 0x10, ext_ul_qfi & 0x3F, 0])
    return struct.pack("!BBHI", 0x34, 0xFF, len(opt) + len(payload), teid) + opt + payload


# ---------------------------------------------------------------------------
# encap-ethernet.pcap
# ---------------------------------------------------------------------------
def build_encap_ethernet():
    frames = []            # (case_no, frame_bytes, orig_len or None)
    flows = []
    non_ip = undecodable = 0

    def add(case_no, framelist):
        for f in framelist:
            frames.append((case_no, f))

    # 1 plain IPv4 TCP full session
    n = 1
    c, s, cp, sp = v4(n), v4(n, True), 40000 + n, 443
    seg = [
        (True, "S", 1000, 0, b""), (False, "SA", 5000, 1001, b""), (True, "A", 1001, 5001, b""),
        (True, "PA", 1001, 5001, b"hello server\n"), (False, "PA", 5001, 1014, b"hello client\n"),
        (True, "FA", 1014, 5014, b""), (False, "FA", 5014, 1015, b""), (True, "A", 1015, 5015, b""),
    ]
    pk = []
    for c2s, fl, seq, ack, data in seg:
        ip = IP(src=c, dst=s) if c2s else IP(src=s, dst=c)
        t = TCP(sport=cp if c2s else sp, dport=sp if c2s else cp, flags=fl, seq=seq, ack=ack,
                window=64240)
        pk.append((c2s, ip / t / Raw(data) if data else ip / t))
    add(n, [eth(n, d, ETH_IPV4, p) for d, p in pk])
    flows.append(flow("ipv4-tcp", "tcp", c, cp, s, sp, pk))

    # 2 802.1Q VLAN 100
    n = 2
    c, s, cp, sp = v4(n), v4(n, True), 40000 + n, 30000 + n
    pk = udp_pair(c, s, cp, sp)
    add(n, [eth(n, d, ETH_8021Q, Dot1Q(vlan=100, type=ETH_IPV4) / p) for d, p in pk])
    flows.append(flow("vlan", "udp", c, cp, s, sp, pk, vlan=[100]))

    # 3 802.1ad QinQ: outer 0x88a8 id 200, inner 0x8100 id 300
    n = 3
    c, s, cp, sp = v4(n), v4(n, True), 40000 + n, 30000 + n
    pk = udp_pair(c, s, cp, sp)
    add(n, [eth(n, d, ETH_8021AD, Dot1AD(vlan=200, type=ETH_8021Q) /
                Dot1Q(vlan=300, type=ETH_IPV4) / p) for d, p in pk])
    flows.append(flow("qinq", "udp", c, cp, s, sp, pk, vlan=[200, 300]))

    # 4 MPLS, two labels
    n = 4
    c, s, cp, sp = v4(n), v4(n, True), 40000 + n, 30000 + n
    pk = udp_pair(c, s, cp, sp)
    add(n, [eth(n, d, ETH_MPLS, mpls([1000, 2000]) + bytes(p)) for d, p in pk])
    flows.append(flow("mpls", "udp", c, cp, s, sp, pk, mpls_labels=[1000, 2000]))

    # 5 / 6 PPPoE session, PPP IPv4 (0x0021) and IPv6 (0x0057)
    n = 5
    c, s, cp, sp = v4(n), v4(n, True), 40000 + n, 30000 + n
    pk = udp_pair(c, s, cp, sp)
    add(n, [eth(n, d, ETH_PPPOE_S, pppoe_session(0x0011, 0x0021, p)) for d, p in pk])
    flows.append(flow("pppoe-ipv4", "udp", c, cp, s, sp, pk, pppoe_session=0x0011))
    n = 6
    c, s, cp, sp = v6(n), v6(n, True), 40000 + n, 30000 + n
    pk = udp_pair(c, s, cp, sp, ip=IPv6)
    add(n, [eth(n, d, ETH_PPPOE_S, pppoe_session(0x0011, 0x0057, p)) for d, p in pk])
    flows.append(flow("pppoe-ipv6", "udp", c, cp, s, sp, pk, pppoe_session=0x0011))

    # 7 GRE with key, IPv4 payload
    n = 7
    c, s, cp, sp = v4(n), v4(n, True), 40000 + n, 30000 + n
    o1, o2 = outer(n), outer(n, True)
    pk = udp_pair(c, s, cp, sp)
    add(n, [eth(n, d, ETH_IPV4, IP(src=o1 if d else o2, dst=o2 if d else o1, proto=47) /
                Raw(gre_key(ETH_IPV4, 0xABCD) + bytes(p))) for d, p in pk])
    flows.append(flow("gre", "udp", c, cp, s, sp, pk, tunnel="gre",
                      outer_src_ip=o1, outer_dst_ip=o2))

    # 8 ERSPAN type II (mirror traffic always flows o1 -> o2)
    n = 8
    c, s, cp, sp = v4(n), v4(n, True), 40000 + n, 22
    o1, o2 = outer(n), outer(n, True)
    pk = tcp_syn_synack(c, s, cp, sp)
    add(n, [eth(n, True, ETH_IPV4, IP(src=o1, dst=o2, proto=47) /
                Raw(gre_seq(0x88BE, i + 1) + erspan2(5, index=7) + inner_eth(n, d, p)))
            for i, (d, p) in enumerate(pk)])
    flows.append(flow("erspan2", "tcp", c, cp, s, sp, pk, tunnel="erspan",
                      outer_src_ip=o1, outer_dst_ip=o2))

    # 9 ERSPAN type III
    n = 9
    c, s, cp, sp = v4(n), v4(n, True), 40000 + n, 23
    o1, o2 = outer(n), outer(n, True)
    pk = tcp_syn_synack(c, s, cp, sp)
    add(n, [eth(n, True, ETH_IPV4, IP(src=o1, dst=o2, proto=47) /
                Raw(gre_seq(0x22EB, i + 1) + erspan3(6, 0x01000000 + i) + inner_eth(n, d, p)))
            for i, (d, p) in enumerate(pk)])
    flows.append(flow("erspan3", "tcp", c, cp, s, sp, pk, tunnel="erspan",
                      outer_src_ip=o1, outer_dst_ip=o2))

    # 10 VXLAN VNI 42
    n = 10
    c, s, cp, sp = v4(n), v4(n, True), 40000 + n, 8080
    o1, o2 = outer(n), outer(n, True)
    pk = udp_pair(c, s, cp, sp)
    add(n, [eth(n, d, ETH_IPV4, IP(src=o1 if d else o2, dst=o2 if d else o1) /
                UDP(sport=51000 if d else 52000, dport=4789) /
                Raw(vxlan(42) + inner_eth(n, d, p))) for d, p in pk])
    flows.append(flow("vxlan", "udp", c, cp, s, sp, pk, tunnel="vxlan",
                      outer_src_ip=o1, outer_dst_ip=o2))

    # 11 Geneve VNI 43, protocol 0x6558
    n = 11
    c, s, cp, sp = v4(n), v4(n, True), 40000 + n, 8081
    o1, o2 = outer(n), outer(n, True)
    pk = udp_pair(c, s, cp, sp)
    add(n, [eth(n, d, ETH_IPV4, IP(src=o1 if d else o2, dst=o2 if d else o1) /
                UDP(sport=53000 if d else 54000, dport=6081) /
                Raw(geneve(43) + inner_eth(n, d, p))) for d, p in pk])
    flows.append(flow("geneve", "udp", c, cp, s, sp, pk, tunnel="geneve",
                      outer_src_ip=o1, outer_dst_ip=o2))

    # 12 GTP-U TEID 0x1234: UL with E flag + PDU session container, DL, UL
    n = 12
    c, s, cp, sp = v4(n), v4(n, True), 40000 + n, 8082
    o1, o2 = outer(n), outer(n, True)       # o1 = gNB side, o2 = UPF side
    pk = udp_pair(c, s, cp, sp) + [(True, IP(src=c, dst=s) / UDP(sport=cp, dport=sp) /
                                    Raw(b"second request"))]
    gframes = []
    for i, (d, p) in enumerate(pk):
        g = gtpu(0x1234, p, ext_ul_qfi=9 if i == 0 else None)
        gframes.append(eth(n, d, ETH_IPV4, IP(src=o1 if d else o2, dst=o2 if d else o1) /
                           UDP(sport=2152, dport=2152) / Raw(g)))
    add(n, gframes)
    flows.append(flow("gtpu", "udp", c, cp, s, sp, pk, tunnel="gtpu",
                      outer_src_ip=o1, outer_dst_ip=o2))

    # 13 IPv4-in-IPv4
    n = 13
    c, s, cp, sp = v4(n), v4(n, True), 40000 + n, 8083
    o1, o2 = outer(n), outer(n, True)
    pk = udp_pair(c, s, cp, sp)
    add(n, [eth(n, d, ETH_IPV4, IP(src=o1 if d else o2, dst=o2 if d else o1, proto=4) / p)
            for d, p in pk])
    flows.append(flow("ipip", "udp", c, cp, s, sp, pk, tunnel="ipip",
                      outer_src_ip=o1, outer_dst_ip=o2))

    # 14 IPv4 with options (Router Alert -> IHL 6)
    n = 14
    c, s, cp, sp = v4(n), v4(n, True), 40000 + n, 80
    pk = tcp_syn_synack(c, s, cp, sp, options=[IPOption_Router_Alert()])
    add(n, [eth(n, d, ETH_IPV4, p) for d, p in pk])
    flows.append(flow("ipv4-options", "tcp", c, cp, s, sp, pk))

    # 15 IPv6 with Hop-by-Hop + Destination Options headers before TCP
    n = 15
    c, s, cp, sp = v6(n), v6(n, True), 40000 + n, 443
    pk = []
    for d, t in [(True, TCP(sport=cp, dport=sp, flags="S", seq=1000, window=64800)),
                 (False, TCP(sport=sp, dport=cp, flags="SA", seq=5000, ack=1001, window=64800))]:
        pk.append((d, IPv6(src=c if d else s, dst=s if d else c) / IPv6ExtHdrHopByHop() /
                   IPv6ExtHdrDestOpt() / t))
    add(n, [eth(n, d, ETH_IPV6, p) for d, p in pk])
    flows.append(flow("ipv6-exthdrs", "tcp", c, cp, s, sp, pk))

    # 16 IPv4 fragmented UDP: 3 fragments written last, first, middle + a reply
    n = 16
    c, s, cp, sp = v4(n), v4(n, True), 40000 + n, 7000
    whole = bytes(IP(src=c, dst=s) / UDP(sport=cp, dport=sp) / Raw(bytes(range(56))))
    l4 = whole[20:]                                   # 64 bytes: UDP header + 56 data
    chunks = [(0, l4[0:24], 1), (24, l4[24:48], 1), (48, l4[48:], 0)]
    frags = [(True, IP(src=c, dst=s, id=0x4242, proto=17, flags="MF" if mf else 0,
                       frag=off // 8) / Raw(data)) for off, data, mf in chunks]
    pk = [frags[2], frags[0], frags[1],
          (False, IP(src=s, dst=c) / UDP(sport=sp, dport=cp) / Raw(b"reassembled ok"))]
    add(n, [eth(n, d, ETH_IPV4, p) for d, p in pk])
    flows.append(flow("ipv4-frag", "udp", c, cp, s, sp, pk))

    # 17 IPv6 fragmented UDP: 2 fragments + a reply
    n = 17
    c, s, cp, sp = v6(n), v6(n, True), 40000 + n, 7001
    whole = bytes(IPv6(src=c, dst=s) / UDP(sport=cp, dport=sp) / Raw(bytes(range(64))))
    l4 = whole[40:]                                   # 72 bytes
    pk = [(True, IPv6(src=c, dst=s) / IPv6ExtHdrFragment(nh=17, offset=0, m=1, id=0x6666) /
           Raw(l4[:40])),
          (True, IPv6(src=c, dst=s) / IPv6ExtHdrFragment(nh=17, offset=5, m=0, id=0x6666) /
           Raw(l4[40:])),
          (False, IPv6(src=s, dst=c) / UDP(sport=sp, dport=cp) / Raw(b"reassembled ok"))]
    add(n, [eth(n, d, ETH_IPV6, p) for d, p in pk])
    flows.append(flow("ipv6-frag", "udp", c, cp, s, sp, pk))

    # 18 SCTP INIT + INIT-ACK
    n = 18
    c, s, cp, sp = v4(n), v4(n, True), 40000 + n, 3868
    pk = [(True, IP(src=c, dst=s) / SCTP(sport=cp, dport=sp, tag=0) /
           SCTPChunkInit(init_tag=0x11111111, a_rwnd=106496, n_out_streams=10,
                         n_in_streams=10, init_tsn=0x01000000)),
          (False, IP(src=s, dst=c) / SCTP(sport=sp, dport=cp, tag=0x11111111) /
           SCTPChunkInitAck(init_tag=0x22222222, a_rwnd=106496, n_out_streams=10,
                            n_in_streams=10, init_tsn=0x02000000,
                            params=[SCTPChunkParamStateCookie(cookie=b"cipherscope-cookie!!")]))]
    add(n, [eth(n, d, ETH_IPV4, p) for d, p in pk])
    flows.append(flow("sctp", "sctp", c, cp, s, sp, pk))

    # 19 ICMP echo
    n = 19
    c, s = v4(n), v4(n, True)
    pk = [(True, IP(src=c, dst=s) / ICMP(type=8, id=0x0101, seq=1) / Raw(b"ping-payload")),
          (False, IP(src=s, dst=c) / ICMP(type=0, id=0x0101, seq=1) / Raw(b"ping-payload"))]
    add(n, [eth(n, d, ETH_IPV4, p) for d, p in pk])
    flows.append(flow("icmp", "icmp", c, 0, s, 0, pk))

    # 20 ICMPv6 echo
    n = 20
    c, s = v6(n), v6(n, True)
    pk = [(True, IPv6(src=c, dst=s) / ICMPv6EchoRequest(id=0x0202, seq=1, data=b"ping6")),
          (False, IPv6(src=s, dst=c) / ICMPv6EchoReply(id=0x0202, seq=1, data=b"ping6"))]
    add(n, [eth(n, d, ETH_IPV6, p) for d, p in pk])
    flows.append(flow("icmpv6", "icmpv6", c, 0, s, 0, pk))

    # 21 ESP (IP proto 50): SPI + sequence + opaque bytes
    n = 21
    c, s = v4(n), v4(n, True)
    pk = [(True, IP(src=c, dst=s, proto=50) / Raw(struct.pack("!II", 0x1001, 1) + b"\xAA" * 32)),
          (False, IP(src=s, dst=c, proto=50) / Raw(struct.pack("!II", 0x2002, 1) + b"\xBB" * 32))]
    add(n, [eth(n, d, ETH_IPV4, p) for d, p in pk])
    flows.append(flow("esp", "50", c, 0, s, 0, pk))

    # 22 ARP request (non-IP)
    n = 22
    arp = ARP(op=1, hwsrc=mac(n, 1), psrc=v4(n), hwdst="00:00:00:00:00:00", pdst="192.0.2.254")
    frames.append((n, bytes(Ether(src=mac(n, 1), dst="ff:ff:ff:ff:ff:ff", type=ETH_ARP) / arp)
                   .ljust(60, b"\x00")))
    non_ip += 1

    # 23 truncated IPv4: IP total length 100, frame stops 8 bytes into the TCP header
    n = 23
    full = bytes(IP(src=v4(n), dst=v4(n, True), len=100) /
                 TCP(sport=40000 + n, dport=443, flags="PA", seq=1, ack=1) / Raw(b"x" * 60))
    assert full[2:4] == b"\x00\x64"
    frames.append((n, eth(n, True, ETH_IPV4, full[:28], pad=False)))
    undecodable += 1

    # timestamps: case n at BASE + n s, packets 1 ms apart within a case
    records, last_case, idx = [], None, 0
    for case_no, data in frames:
        idx = idx + 1 if case_no == last_case else 0
        last_case = case_no
        records.append((BASE_NS + case_no * 10**9 + idx * MS, data))
    total = write_pcap("encap-ethernet.pcap", LINKTYPE_ETHERNET, records)
    return {"linktype": LINKTYPE_ETHERNET, "total_packets": total, "non_ip_packets": non_ip,
            "undecodable_packets": undecodable, "flows": flows}


# ---------------------------------------------------------------------------
# link-type files
# ---------------------------------------------------------------------------
def simple_file(name, linktype, groups, base_s, encode, endian="<", nano=False, ts_extra_ns=0):
    """groups: list of (flow_dict, [(c2s, pkt), ...]); encode(c2s, pkt) -> frame bytes."""
    records, flows, i = [], [], 0
    for fl, pk in groups:
        flows.append(fl)
        for d, p in pk:
            records.append((BASE_NS + base_s * 10**9 + i * MS + (ts_extra_ns + 11 * i if ts_extra_ns else 0),
                            encode(d, p)))
            i += 1
    total = write_pcap(name, linktype, records, endian=endian, nano=nano)
    return {"linktype": linktype, "total_packets": total, "non_ip_packets": 0,
            "undecodable_packets": 0, "flows": flows}


def udp_group(case, c, s, cp, sp, ip=IP, **extra):
    pk = udp_pair(c, s, cp, sp, ip=ip)
    return flow(case, "udp", c, cp, s, sp, pk, **extra), pk


def is_v6(p):
    return isinstance(p, IPv6)


def build_linktypes(expected):
    # LINKTYPE_NULL: little-endian AF, AF_INET 2 / AF_INET6 30 (Darwin)
    expected["linktype-null.pcap"] = simple_file(
        "linktype-null.pcap", LINKTYPE_NULL,
        [udp_group("null-ipv4", "192.0.2.101", "203.0.113.101", 41001, 5001),
         udp_group("null-ipv6", "2001:db8:0:101::1", "2001:db8:0:101::2", 41002, 5002, ip=IPv6)],
        100, lambda d, p: struct.pack("<I", 30 if is_v6(p) else 2) + bytes(p))

    # LINKTYPE_LOOP: network-order AF, AF_INET 2 / AF_INET6 24 (OpenBSD)
    expected["linktype-loop.pcap"] = simple_file(
        "linktype-loop.pcap", LINKTYPE_LOOP,
        [udp_group("loop-ipv4", "192.0.2.102", "203.0.113.102", 41003, 5003),
         udp_group("loop-ipv6", "2001:db8:0:102::1", "2001:db8:0:102::2", 41004, 5004, ip=IPv6)],
        101, lambda d, p: struct.pack(">I", 24 if is_v6(p) else 2) + bytes(p))

    # LINKTYPE_RAW: IPv4 UDP flow and IPv6 TCP flow
    c6, s6 = "2001:db8:0:103::1", "2001:db8:0:103::2"
    tcp6 = tcp_syn_synack(c6, s6, 41006, 443, ip=IPv6)
    expected["linktype-raw.pcap"] = simple_file(
        "linktype-raw.pcap", LINKTYPE_RAW,
        [udp_group("raw-ipv4", "192.0.2.103", "203.0.113.103", 41005, 5005),
         (flow("raw-ipv6", "tcp", c6, 41006, s6, 443, tcp6), tcp6)],
        102, lambda d, p: bytes(p))

    # LINKTYPE_LINUX_SLL: 16-byte header. packet type 4 = outgoing (c2s), 0 = to us (s2c)
    c, s = "192.0.2.104", "203.0.113.104"
    tcp4 = tcp_syn_synack(c, s, 41007, 8443)

    def sll(d, p):
        addr = bytes.fromhex("020000006801" if d else "020000006802") + b"\x00\x00"
        return struct.pack("!HHH", 4 if d else 0, 1, 6) + addr + struct.pack("!H", ETH_IPV4) + bytes(p)
    expected["linktype-sll.pcap"] = simple_file(
        "linktype-sll.pcap", LINKTYPE_LINUX_SLL,
        [(flow("sll-ipv4", "tcp", c, 41007, s, 8443, tcp4), tcp4)], 103, sll)

    # LINKTYPE_LINUX_SLL2: proto(2) reserved(2) ifindex(4) hatype(2) pkttype(1) addrlen(1) addr(8)
    def sll2(d, p):
        addr = bytes.fromhex("020000006901" if d else "020000006902") + b"\x00\x00"
        return (struct.pack("!HHIHBB", ETH_IPV4, 0, 2, 1, 4 if d else 0, 6) + addr + bytes(p))
    expected["linktype-sll2.pcap"] = simple_file(
        "linktype-sll2.pcap", LINKTYPE_LINUX_SLL2,
        [udp_group("sll2-ipv4", "192.0.2.105", "203.0.113.105", 41008, 5008)], 104, sll2)

    # LINKTYPE_IPV4: bare IPv4
    expected["linktype-ipv4.pcap"] = simple_file(
        "linktype-ipv4.pcap", LINKTYPE_IPV4,
        [udp_group("ipv4-linktype", "192.0.2.106", "203.0.113.106", 41009, 5009)], 105,
        lambda d, p: bytes(p))

    # nanosecond.pcap: ns magic, timestamps ...123456789 ns style (non-zero sub-µs digits)
    def ether_frame(case):
        return lambda d, p: eth(case, d, ETH_IPV6 if is_v6(p) else ETH_IPV4, p)
    expected["nanosecond.pcap"] = simple_file(
        "nanosecond.pcap", LINKTYPE_ETHERNET,
        [udp_group("nanosecond", "192.0.2.107", "203.0.113.107", 41010, 5010)], 106,
        ether_frame(107), nano=True, ts_extra_ns=123456789)   # .123456789, .124456800

    # bigendian.pcap: big-endian classic pcap, TCP handshake
    c, s = "192.0.2.108", "203.0.113.108"
    hs = tcp_syn_synack(c, s, 41011, 443) + [
        (True, IP(src=c, dst=s) / TCP(sport=41011, dport=443, flags="A", seq=1001, ack=5001))]
    expected["bigendian.pcap"] = simple_file(
        "bigendian.pcap", LINKTYPE_ETHERNET,
        [(flow("bigendian", "tcp", c, 41011, s, 443, hs), hs)], 107, ether_frame(108),
        endian=">")


def build_pcapng(expected):
    a_fl, a_pk = udp_group("multi-if-eth0", "192.0.2.109", "203.0.113.109", 41012, 5012)
    b_fl, b_pk = udp_group("multi-if-eth1", "192.0.2.110", "203.0.113.110", 41013, 5013)
    a_fl["interface"], b_fl["interface"] = 0, 1
    t0 = BASE_NS + 108 * 10**9
    def fr(case, pk):
        return eth(case, pk[0], ETH_IPV4, pk[1])
    records = [                                           # interleaved across interfaces
        (0, t0 + 0 * MS, fr(109, a_pk[0])),
        (1, t0 + 1 * MS + 123, fr(110, b_pk[0])),         # if_tsresol=9: ...001000123 ns
        (0, t0 + 2 * MS, fr(109, a_pk[1])),
        (1, t0 + 3 * MS + 456789, fr(110, b_pk[1])),      # ...003456789 ns
    ]
    total = write_pcapng("multi-if.pcapng",
                         [(LINKTYPE_ETHERNET, "eth0", None), (LINKTYPE_ETHERNET, "eth1", 9)],
                         records)
    expected["multi-if.pcapng"] = {"linktype": LINKTYPE_ETHERNET, "total_packets": total,
                                   "non_ip_packets": 0, "undecodable_packets": 0,
                                   "flows": [a_fl, b_fl]}


TSHARK_FIELDS = ["frame.protocols", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "ip.id",
                 "ipv6.fraghdr.ident", "tcp.srcport", "tcp.dstport", "udp.srcport",
                 "udp.dstport", "sctp.srcport", "sctp.dstport", "_ws.malformed"]


def check(expected):
    """Independent cross-check with tshark (defragmentation off): rebuild per-direction packet
    counts of the innermost flow of every frame and compare them with expected.json."""
    from collections import Counter
    ok = True
    for name, info in expected.items():
        cmd = ["tshark", "-r", os.path.join(OUT_DIR, name), "-o", "ip.defragment:FALSE",
               "-o", "ipv6.defragment:FALSE", "-T", "fields", "-E", "occurrence=l"]
        for f in TSHARK_FIELDS:
            cmd += ["-e", f]
        rows = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.splitlines()
        got, frag_ports, pending, non_ip, bad = Counter(), {}, [], 0, 0
        for row in rows:
            v = dict(zip(TSHARK_FIELDS, row.split("\t")))
            protos = v["frame.protocols"].split(":")
            ip_layers = [i for i, p in enumerate(protos) if p in ("ip", "ipv6")]
            if not ip_layers:
                non_ip += 1
                continue
            if v["_ws.malformed"]:          # the deliberately truncated frame
                bad += 1
                continue
            last = ip_layers[-1]
            fam = "ipv6" if protos[last] == "ipv6" else "ip"
            src, dst = v[fam + ".src"], v[fam + ".dst"]
            after = protos[last + 1:]
            proto = next((p for p in ("tcp", "udp", "sctp", "icmpv6", "icmp") if p in after),
                         "50" if "esp" in after else None)
            frag_id = v["ipv6.fraghdr.ident"] if fam == "ipv6" else v["ip.id"]
            if proto is None:               # non-first fragment: ports from its first fragment
                pending.append((frag_id, src, dst))
                continue
            sp = v["tcp.srcport"] or v["udp.srcport"] or v["sctp.srcport"] or "0"
            dp = v["tcp.dstport"] or v["udp.dstport"] or v["sctp.dstport"] or "0"
            frag_ports[frag_id] = (sp, dp)
            got[(proto, src, sp, dst, dp)] += 1
        for frag_id, src, dst in pending:
            sp, dp = frag_ports.get(frag_id, ("?", "?"))
            got[("udp", src, sp, dst, dp)] += 1
        want = Counter()
        for f in info["flows"]:
            a = (f["src_ip"], str(f["src_port"]))
            b = (f["dst_ip"], str(f["dst_port"]))
            want[(f["proto"],) + a + b] += f["packets_c2s"]
            want[(f["proto"],) + b + a] += f["packets_s2c"]
        want = +want
        good = (got == want and len(rows) == info["total_packets"] and
                non_ip == info["non_ip_packets"] and bad == info["undecodable_packets"])
        ok &= good
        print("check %-22s %-8s frames %d, non-ip %d, malformed %d%s" % (
            name, "ok" if good else "MISMATCH", len(rows), non_ip, bad,
            "" if good else "\n   tshark-only %s\n   expected-only %s" % (dict(got - want),
                                                                       dict(want - got))))
    return ok


def main():
    expected = {"encap-ethernet.pcap": build_encap_ethernet()}
    build_linktypes(expected)
    build_pcapng(expected)
    with open(os.path.join(OUT_DIR, "expected.json"), "w") as fh:
        json.dump({"_comment": "Generated by make-crafted.py. Flow src = initiator (sender of "
                               "the first packet / SYN). Tunnelled flows are the inner flow. "
                               "Keys case, outer_src_ip, outer_dst_ip, mpls_labels, "
                               "pppoe_session, interface, linktype are informational.",
                   "files": expected}, fh, indent=1, sort_keys=False)
        fh.write("\n")
    for name, info in expected.items():
        print("%-22s %3d packets, %2d flows, non-ip %d, undecodable %d, %5d bytes" % (
            name, info["total_packets"], len(info["flows"]), info["non_ip_packets"],
            info["undecodable_packets"], os.path.getsize(os.path.join(OUT_DIR, name))))
    if "--check" in sys.argv[1:]:
        sys.exit(0 if check(expected) else 1)


if __name__ == "__main__":
    main()
