#!/usr/bin/python3
"""make-links-tunnels.py - link types and UDP/IP tunnels around real traffic.

Run with Debian's python (python3-scapy):  /usr/bin/python3 Captures/crafted/make-links-tunnels.py
Optional: --check  has tshark decode every file and compares the innermost flows and their
                   per-direction packet counts with expected-links-tunnels.json (the same
                   check as make-crafted.py; frames tshark sees without IP are compared with
                   non-IP + undecodable, since tshark has no notion of "undecodable").

The inner packets are not invented: they are the TLS 1.3 handshake (SYN to the first ACK
after the ServerHello, SNI chat.signal.org) and the DNS A query/answer for chat.signal.org
from Captures/lab-basic.pcap (OpenSSL, dig and the Linux stack), re-addressed to
documentation addresses with checksums recomputed (IPv6 where the tunnel carries IPv6).
Nothing is sent; files are written by hand (make-crafted.py's writers), byte-identical on
every run. Case N uses client 192.0.2.N / 2001:db8:0:N::1, server 203.0.113.N /
2001:db8:0:N::2 (N in hex for IPv6), tunnel endpoints 198.51.100.x.

linktype-ppp.pcap        LINKTYPE_PPP (9): TLS with FF 03 00 21; DNS with address/control
                         omitted and the protocol compressed to one byte (21); one LCP
                         Echo-Request (non-IP, ppp_lcp)
linktype-ppp-hdlc.pcap   LINKTYPE_PPP_HDLC (50): TLS with FF 03 00 21; DNS over IPv6 (FF 03
                         00 57); one IPCP Configure-Request (non-IP, ppp_ipcp)
linktype-chdlc.pcap      LINKTYPE_C_HDLC (104): TLS (0F 00 0800), DNS over IPv6 (0F 00 86DD),
                         one SLARP keepalive (8F 00 8035, non-IP)
encap-llc-snap.pcap      LINKTYPE_ETHERNET with 802.3 length fields: TLS in LLC/SNAP
                         (AA AA 03 000000 0800); one STP BPDU (LLC 42 42 03, non-IP)
linktype-80211.pcap      LINKTYPE_IEEE802_11 (105): TLS in QoS data (To DS c2s, From DS s2c);
                         DNS in plain data (To DS c2s, 4-address WDS s2c); a beacon, an ACK
                         and a QoS Null (non-IP); a CCMP-protected data frame (undecodable)
linktype-radiotap.pcap   LINKTYPE_IEEE802_11_RADIOTAP (127): TLS in QoS data behind radiotap
                         TSFT+Flags(FCS)+Rate+Channel with the FCS appended; DNS behind
                         radiotap Rate+Channel without FCS; a beacon (non-IP) and a protected
                         data frame (undecodable)
tunnels.pcap             LINKTYPE_ETHERNET, outer IPv4: Teredo (UDP 3544; TLS over IPv6, the
                         first packet with an authentication indicator, server packets with an
                         origin indication), AYIYA (UDP 5072; DNS over IPv6, 16-byte identity,
                         SHA-1 signature), GRE-in-UDP (UDP 4754; TLS over IPv4), L2TPv2 data
                         (UDP 1701; DNS over PPP, with and without the length field, one with
                         PFC) plus an L2TP control message (SCCRQ, stays a plain UDP flow),
                         6in4 (IPv4 proto 41; TLS over IPv6) and IPv4-in-IPv6 (next header 4; DNS)
expected-links-tunnels.json  the expected flows and counters (format of expected.json)
"""

import importlib.util
import json
import os
import struct
import sys
import zlib

from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.inet6 import IPv6
from scapy.utils import rdpcap

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("make_crafted", os.path.join(HERE, "make-crafted.py"))
mc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mc)

LAB = os.path.join(os.path.dirname(HERE), "lab-basic.pcap")
EXPECTED = "expected-links-tunnels.json"
LINKTYPE_PPP, LINKTYPE_PPP_HDLC, LINKTYPE_C_HDLC = 9, 50, 104
LINKTYPE_IEEE802_11, LINKTYPE_RADIOTAP = 105, 127
TLS_PORT, DNS_PORT = 8443, 5353


# ----------------------------------------------------------------- the real inner traffic

def lab_packets():
    """The TLS handshake (first 7 packets of the 8443 flow) and the first DNS exchange."""
    tls, dns = [], []
    for frame in rdpcap(LAB):
        if IP not in frame:
            continue
        if TCP in frame and TLS_PORT in (frame[TCP].sport, frame[TCP].dport) and len(tls) < 7:
            tls.append(frame[IP])
        elif UDP in frame and DNS_PORT in (frame[UDP].sport, frame[UDP].dport) and len(dns) < 2:
            dns.append(frame[IP])
    assert len(tls) == 7 and len(dns) == 2, "lab-basic.pcap changed"
    return tls, dns


TLS, DNS = lab_packets()


def readdressed(originals, case, server_port, v6=False):
    """The lab packets moved to case N's addresses: [(c2s, ip packet bytes)]."""
    c, s = (mc.v6(case), mc.v6(case, True)) if v6 else (mc.v4(case), mc.v4(case, True))
    out = []
    for ip in originals:
        l4 = ip.payload.copy()
        del l4.chksum
        c2s = l4.dport == server_port
        src, dst = (c, s) if c2s else (s, c)
        if v6:
            pkt = IPv6(src=src, dst=dst, hlim=ip.ttl) / l4
        else:
            pkt = IP(src=src, dst=dst, id=ip.id, flags=ip.flags, ttl=ip.ttl) / l4
        out.append((c2s, bytes(pkt)))
    return out


def tls_flow(case, v6=False, **extra):
    pk = readdressed(TLS, case, TLS_PORT, v6)
    c, s = (mc.v6(case), mc.v6(case, True)) if v6 else (mc.v4(case), mc.v4(case, True))
    return mc.flow("tls-%d" % case, "tcp", c, TLS[0].sport, s, TLS_PORT, pk, **extra), pk


def dns_flow(case, v6=False, **extra):
    pk = readdressed(DNS, case, DNS_PORT, v6)
    c, s = (mc.v6(case), mc.v6(case, True)) if v6 else (mc.v4(case), mc.v4(case, True))
    return mc.flow("dns-%d" % case, "udp", c, DNS[0].sport, s, DNS_PORT, pk, **extra), pk


def write(expected, name, linktype, slot, frames, flows, non_ip=0, undecodable=0):
    """frames: frame bytes in order, one millisecond apart, one second per file."""
    t0 = mc.BASE_NS + (200 + slot) * 10**9
    total = mc.write_pcap(name, linktype, [(t0 + i * mc.MS, f) for i, f in enumerate(frames)])
    expected[name] = {"linktype": linktype, "total_packets": total, "non_ip_packets": non_ip,
                      "undecodable_packets": undecodable, "flows": flows}


# ----------------------------------------------------------------- PPP and HDLC

def build_ppp(expected):
    tls, tls_pk = tls_flow(120)
    dns, dns_pk = dns_flow(121)
    lcp_echo = bytes.fromhex("ff03c021") + bytes([9, 1, 0, 8]) + b"\x12\x34\x56\x78"
    frames = [bytes.fromhex("ff030021") + p for _, p in tls_pk]
    frames += [b"\x21" + p for _, p in dns_pk]                       # ACFC + PFC
    frames.append(lcp_echo)
    write(expected, "linktype-ppp.pcap", LINKTYPE_PPP, 0, frames, [tls, dns], non_ip=1)

    tls, tls_pk = tls_flow(122)
    dns, dns_pk = dns_flow(123, v6=True)
    ipcp = bytes.fromhex("ff038021") + bytes([1, 1, 0, 10, 3, 6]) + bytes([192, 0, 2, 122])
    frames = [bytes.fromhex("ff030021") + p for _, p in tls_pk]
    frames += [bytes.fromhex("ff030057") + p for _, p in dns_pk]
    frames.append(ipcp)
    write(expected, "linktype-ppp-hdlc.pcap", LINKTYPE_PPP_HDLC, 1, frames, [tls, dns], non_ip=1)

    tls, tls_pk = tls_flow(124)
    dns, dns_pk = dns_flow(125, v6=True)
    slarp = bytes.fromhex("8f008035") + struct.pack("!III", 2, 1, 0) + b"\xff\xff" + b"\x00" * 4
    frames = [bytes.fromhex("0f000800") + p for _, p in tls_pk]
    frames += [bytes.fromhex("0f0086dd") + p for _, p in dns_pk]
    frames.append(slarp)
    write(expected, "linktype-chdlc.pcap", LINKTYPE_C_HDLC, 2, frames, [tls, dns], non_ip=1)


# ----------------------------------------------------------------- 802.2 LLC/SNAP on Ethernet

def build_llc_snap(expected):
    case = 126
    tls, tls_pk = tls_flow(case)

    def dot3(c2s, llc_and_payload):
        src, dst = (mc.mac(case, 1), mc.mac(case, 2)) if c2s else (mc.mac(case, 2), mc.mac(case, 1))
        header = bytes.fromhex(dst.replace(":", "")) + bytes.fromhex(src.replace(":", ""))
        frame = header + struct.pack("!H", len(llc_and_payload)) + llc_and_payload
        return frame + b"\x00" * max(0, 60 - len(frame))
    snap = bytes.fromhex("aaaa03000000") + struct.pack("!H", mc.ETH_IPV4)
    frames = [dot3(d, snap + p) for d, p in tls_pk]
    bpdu = bytes.fromhex("424203") + bytes(35)                       # STP configuration BPDU
    frames.append(dot3(True, bpdu))
    write(expected, "encap-llc-snap.pcap", mc.LINKTYPE_ETHERNET, 3, frames, [tls], non_ip=1)


# ----------------------------------------------------------------- 802.11

AP, STA, ROUTER, PEER_AP = (bytes.fromhex(x) for x in
                            ("020000aa0001", "020000aa0002", "020000aa0003", "020000aa0004"))
SNAP_IPV4 = bytes.fromhex("aaaa030000000800")
SNAP_IPV6 = bytes.fromhex("aaaa0300000086dd")


def dot11(ftype, subtype, flags, addrs, body=b"", qos=None, seq=0):
    header = struct.pack("<BBH", (subtype << 4) | (ftype << 2), flags, 0) + b"".join(addrs[:3])
    header += struct.pack("<H", seq << 4)
    if len(addrs) > 3:
        header += addrs[3]
    if qos is not None:
        header += struct.pack("<H", qos)
    return header + body


def data_frame(c2s, ip_bytes, snap, qos=False, wds=False, seq=0):
    if wds:                                      # To DS + From DS: RA, TA, DA, SA
        flags, addrs = 0x03, [PEER_AP, AP, STA if not c2s else ROUTER, ROUTER if not c2s else STA]
    elif c2s:                                    # To DS: BSSID, SA, DA
        flags, addrs = 0x01, [AP, STA, ROUTER]
    else:                                        # From DS: DA, BSSID, SA
        flags, addrs = 0x02, [STA, AP, ROUTER]
    return dot11(2, 8 if qos else 0, flags, addrs, snap + ip_bytes, qos=0 if qos else None, seq=seq)


def beacon():
    body = struct.pack("<QHH", 0, 100, 0x0401) + b"\x00\x08cs-lab-0"
    return dot11(0, 8, 0, [b"\xff" * 6, AP, AP], body)


def protected_data():
    ccmp = bytes([1, 0, 0, 0x20, 0, 0, 0, 0])    # PN 1, key id 0, Ext IV
    return dot11(2, 8, 0x41, [AP, STA, ROUTER], ccmp + bytes(range(48)) + bytes(8), qos=0)


def build_80211(expected):
    tls, tls_pk = tls_flow(127)
    dns, dns_pk = dns_flow(128)
    frames = [beacon()]
    frames += [data_frame(d, p, SNAP_IPV4, qos=True, seq=i) for i, (d, p) in enumerate(tls_pk)]
    frames += [data_frame(d, p, SNAP_IPV4, wds=not d, seq=20 + i) for i, (d, p) in enumerate(dns_pk)]
    frames.append(dot11(1, 13, 0, [STA]))                            # ACK
    frames.append(dot11(2, 12, 0x01, [AP, STA, ROUTER], qos=0))      # QoS Null
    frames.append(protected_data())
    write(expected, "linktype-80211.pcap", LINKTYPE_IEEE802_11, 4, frames, [tls, dns],
          non_ip=3, undecodable=1)

    def radiotap(frame, fcs):
        if fcs:   # TSFT (8-aligned at 8), Flags 0x10 = FCS at end, Rate, Channel
            header = struct.pack("<BBHI", 0, 0, 22, 0x0F) + struct.pack("<QBBHH", 123456, 0x10, 12, 2437, 0x00A0)
            return header + frame + struct.pack("<I", zlib.crc32(frame) & 0xFFFFFFFF)
        header = struct.pack("<BBHI", 0, 0, 14, 0x0C) + struct.pack("<BBHH", 12, 0, 5180, 0x0140)
        return header + frame
    tls, tls_pk = tls_flow(129)
    dns, dns_pk = dns_flow(130, v6=True)
    frames = [radiotap(beacon(), True)]
    frames += [radiotap(data_frame(d, p, SNAP_IPV4, qos=True, seq=i), True) for i, (d, p) in enumerate(tls_pk)]
    frames += [radiotap(data_frame(d, p, SNAP_IPV6, seq=20 + i), False) for i, (d, p) in enumerate(dns_pk)]
    frames.append(radiotap(protected_data(), True))
    write(expected, "linktype-radiotap.pcap", LINKTYPE_RADIOTAP, 5, frames, [tls, dns],
          non_ip=1, undecodable=1)


# ----------------------------------------------------------------- tunnels

def tunnel_end(case, second=False):
    """Tunnel endpoints 198.51.100.(2(N-100)+1) and +2, clear of make-crafted.py's."""
    return "198.51.100.%d" % (2 * (case - 100) + (2 if second else 1))


def build_tunnels(expected):
    frames, flows = [], []

    def outer_v4(case, c2s, proto_payload, proto=17, sport=None, dport=None):
        o1, o2 = tunnel_end(case), tunnel_end(case, True)
        src, dst = (o1, o2) if c2s else (o2, o1)
        if proto == 17:
            sp, dp = (sport, dport) if c2s else (dport, sport)
            pkt = IP(src=src, dst=dst, id=case) / UDP(sport=sp, dport=dp) / proto_payload
        else:
            pkt = IP(src=src, dst=dst, id=case, proto=proto) / proto_payload
        return mc.eth(case, c2s, mc.ETH_IPV4, pkt)

    def tunnel(name, case, flow_pk, encapsulate, **extra):
        fl, pk = flow_pk
        fl.update(tunnel=name, outer_src_ip=tunnel_end(case), outer_dst_ip=tunnel_end(case, True), **extra)
        flows.append(fl)
        frames.extend(encapsulate(i, d, p) for i, (d, p) in enumerate(pk))

    # Teredo: client port 40131 <-> server 3544. The first packet carries an authentication
    # indicator (client id 4 bytes, auth value 0, nonce, confirmation); the server's carry an
    # origin indication (obfuscated port and address).
    def teredo(i, c2s, ip6):
        head = b""
        if i == 0:
            head = struct.pack("!HBB", 1, 4, 0) + b"cli1" + bytes(range(8)) + b"\x00"
        if not c2s:
            head += struct.pack("!HH", 0, 40131 ^ 0xFFFF) + bytes(b ^ 0xFF for b in bytes([198, 51, 100, 63]))
        return outer_v4(131, c2s, head + ip6, sport=40131, dport=3544)
    tunnel("teredo", 131, tls_flow(131, v6=True), teredo)

    # AYIYA: identity length 2^4, type 1 (integer); signature 5 words (SHA-1), hash 2, auth 1;
    # opcode 1 (forward), next header 41.
    def ayiya(i, c2s, ip6):
        head = bytes([0x41, 0x52, 0x11, 41]) + struct.pack("!I", 1700000200 + i)
        head += bytes(16) + bytes(range(20))
        return outer_v4(132, c2s, head + ip6, sport=5072, dport=5072)
    tunnel("ayiya", 132, dns_flow(132, v6=True), ayiya)

    # GRE-in-UDP (RFC 8086): each end sends to 4754 from a source port hashed from the inner
    # flow (50133 one way, 50233 the other), GRE without options.
    def gre_udp(i, c2s, ip4):
        gre = struct.pack("!HH", 0, mc.ETH_IPV4) + ip4
        if c2s:
            return outer_v4(133, True, gre, sport=50133, dport=4754)
        return outer_v4(133, False, gre, sport=4754, dport=50233)   # swapped back: 50233 -> 4754
    tunnel("gre_udp", 133, tls_flow(133), gre_udp)

    # L2TPv2 data: c2s with the L bit (length) and HDLC address/control; s2c bare, with PFC.
    def l2tp(i, c2s, ip4):
        if c2s:
            ppp = bytes.fromhex("ff030021") + ip4
            body = struct.pack("!HHHH", 0x4002, 0, 7, 9) + ppp
            body = body[:2] + struct.pack("!H", len(body)) + body[4:]
        else:
            body = struct.pack("!HHH", 0x0002, 7, 9) + b"\x21" + ip4
        return outer_v4(134, c2s, body, sport=1701, dport=1701)
    tunnel("l2tp", 134, dns_flow(134), l2tp, tunnel_id=(7 << 16) | 9)
    # An L2TP control message (SCCRQ, T/L/S bits): not data, so a plain UDP flow.
    sccrq = struct.pack("!HHHHHH", 0xC802, 20, 0, 0, 0, 0) + struct.pack("!HHHH", 0x8008, 0, 0, 1)
    frames.append(outer_v4(135, True, sccrq, sport=1701, dport=1701))
    flows.append(mc.flow("l2tp-control", "udp", tunnel_end(135), 1701, tunnel_end(135, True), 1701,
                         [(True, None)]))

    # 6in4: IPv6 in IPv4 (protocol 41).
    tunnel("ipip", 136, tls_flow(136, v6=True), lambda i, d, p: outer_v4(136, d, p, proto=41))

    # IPv4 in IPv6 (next header 4), outer 2001:db8:ff::1 <-> ::2.
    def four_in_six(i, c2s, ip4):
        a, b = "2001:db8:ff::1", "2001:db8:ff::2"
        pkt = IPv6(src=a if c2s else b, dst=b if c2s else a, nh=4) / ip4
        return mc.eth(137, c2s, mc.ETH_IPV6, pkt)
    tunnel("ipip", 137, dns_flow(137), four_in_six)
    flows[-1].update(outer_src_ip="2001:db8:ff::1", outer_dst_ip="2001:db8:ff::2")

    write(expected, "tunnels.pcap", mc.LINKTYPE_ETHERNET, 6, frames, flows)


def check(expected):
    """make-crafted.py's tshark check; tshark counts undecodable frames as frames without IP."""
    merged = {}
    for name, info in expected.items():
        merged[name] = dict(info, non_ip_packets=info["non_ip_packets"] + info["undecodable_packets"],
                            undecodable_packets=0)
    return mc.check(merged)


def main():
    expected = {}
    build_ppp(expected)
    build_llc_snap(expected)
    build_80211(expected)
    build_tunnels(expected)
    with open(os.path.join(HERE, EXPECTED), "w") as fh:
        json.dump({"_comment": "Generated by make-links-tunnels.py; same format as expected.json.",
                   "files": expected}, fh, indent=1)
        fh.write("\n")
    for name, info in expected.items():
        print("%-24s %3d packets, %2d flows, non-ip %d, undecodable %d, %5d bytes" % (
            name, info["total_packets"], len(info["flows"]), info["non_ip_packets"],
            info["undecodable_packets"], os.path.getsize(os.path.join(HERE, name))))
    if "--check" in sys.argv[1:]:
        sys.exit(0 if check(expected) else 1)


if __name__ == "__main__":
    main()
