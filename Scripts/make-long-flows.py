#!/usr/bin/env python3
"""A capture of a few long media flows, for the steady per-packet path.

    Scripts/make-long-flows.py OUTFILE [--packets N] [--step-us U] [--peers DIR] [CAPTURE...]

Takes the largest UDP flow (by packets) of each peer call capture (default: a
WhatsApp call, a Telegram video call and a WhatsApp voice call from
../shared/captures/ndpi: STUN, then RTP/SRTP media) and repeats its packets, in
their order and both directions, until the flow has N packets (default 1,000,000).
The flows are interleaved one packet each in turn, with timestamps rewritten to
rise by U microseconds per packet (default 100), so each stays one flow (same
5-tuple, never idle, well within the 30-minute active timeout) and only its first
packets are dissected: everything after is the flow table's steady path.

Reads any capture editcap reads (it converts to classic pcap first); takes
Ethernet frames carrying IPv4 or IPv6 and UDP. Writes classic pcap, Ethernet,
microsecond timestamps. The output is the same for the same inputs and options.
"""
import argparse
import os
import struct
import subprocess
import sys
import tempfile

DEFAULT_CAPTURES = ["stun_wa_call.pcapng", "telegram_videocall.pcapng", "wa_voice.pcap"]
T0 = 1_780_000_000  # seconds; any fixed start


def read_classic_pcap(path):
    """The frames of a classic pcap file (Ethernet only), as bytes."""
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = {0xA1B2C3D4: "<", 0xA1B23C4D: "<", 0xD4C3B2A1: ">", 0x4D3CB2A1: ">"}.get(magic)
    if endian is None:
        raise ValueError(f"{path}: not a classic pcap file")
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    if linktype != 1:
        raise ValueError(f"{path}: link type {linktype}, want Ethernet")
    offset, frames = 24, []
    while offset + 16 <= len(data):
        caplen = struct.unpack(endian + "I", data[offset + 8:offset + 12])[0]
        frames.append(data[offset + 16:offset + 16 + caplen])
        offset += 16 + caplen
    return frames


def udp_key(frame):
    """The direction-independent 5-tuple of an Ethernet/IP/UDP frame, or None."""
    ethertype, offset = struct.unpack(">H", frame[12:14])[0], 14
    while ethertype in (0x8100, 0x88A8) and len(frame) >= offset + 4:
        ethertype, offset = struct.unpack(">H", frame[offset + 2:offset + 4])[0], offset + 4
    if ethertype == 0x0800 and len(frame) >= offset + 20:
        header = (frame[offset] & 0x0F) * 4
        if frame[offset + 9] != 17 or struct.unpack(">H", frame[offset + 6:offset + 8])[0] & 0x3FFF:
            return None
        source, destination = frame[offset + 12:offset + 16], frame[offset + 16:offset + 20]
        udp = offset + header
    elif ethertype == 0x86DD and len(frame) >= offset + 40:
        if frame[offset + 6] != 17:
            return None
        source, destination = frame[offset + 8:offset + 24], frame[offset + 24:offset + 40]
        udp = offset + 40
    else:
        return None
    if len(frame) < udp + 8:
        return None
    ports = struct.unpack(">HH", frame[udp:udp + 4])
    return tuple(sorted([(source, ports[0]), (destination, ports[1])]))


def largest_udp_flow(path):
    with tempfile.TemporaryDirectory() as scratch:
        classic = os.path.join(scratch, "classic.pcap")
        subprocess.run(["editcap", "-F", "pcap", path, classic], check=True)
        frames = read_classic_pcap(classic)
    flows = {}
    for frame in frames:
        key = udp_key(frame)
        if key is not None:
            flows.setdefault(key, []).append(frame)
    if not flows:
        raise ValueError(f"{path}: no UDP flow")
    # The most packets; ties broken by the key so the choice is stable.
    return max(flows.items(), key=lambda item: (len(item[1]), item[0]))[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("output")
    parser.add_argument("captures", nargs="*")
    parser.add_argument("--packets", type=int, default=1_000_000, help="packets per flow")
    parser.add_argument("--step-us", type=int, default=100, help="microseconds between packets")
    parser.add_argument("--peers", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared", "captures", "ndpi"))
    args = parser.parse_args()
    captures = args.captures or [os.path.join(args.peers, name) for name in DEFAULT_CAPTURES]
    flows = []
    for path in captures:
        frames = largest_udp_flow(path)
        print(f"{os.path.basename(path)}: largest UDP flow has {len(frames)} packets", file=sys.stderr)
        flows.append(frames)

    with open(args.output, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        micros = T0 * 1_000_000
        buffer = []
        for i in range(args.packets):
            for frames in flows:
                frame = frames[i % len(frames)]
                buffer.append(struct.pack("<IIII", micros // 1_000_000, micros % 1_000_000, len(frame), len(frame)))
                buffer.append(frame)
                micros += args.step_us
            if len(buffer) >= 65536:
                out.write(b"".join(buffer))
                buffer.clear()
        out.write(b"".join(buffer))
    print(f"{args.output}: {len(flows)} flows, {len(flows) * args.packets} packets", file=sys.stderr)


if __name__ == "__main__":
    main()
