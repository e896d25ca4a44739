import Testing
@testable import Decoding

struct PacketDecoderTests {
    let decoder = PacketDecoder()

    func decode(_ bytes: [UInt8], link: LinkType = .ethernet, time: Int64 = 0, tag: UInt64 = 1) -> (DecodeOutcome, DecodedPacket) {
        var packet = DecodedPacket()
        let outcome = bytes.withUnsafeBytes { decoder.decode($0, linkType: link, tag: tag, time: time, into: &packet) }
        return (outcome, packet)
    }

    @Test func ipv4UDPOverEthernetStripsPadding() {
        let udp = FrameBuilder.udp(5353, 53, payload: [1, 2, 3])
        var frame = FrameBuilder.ethernet(type: 0x0800)
        frame.raw(FrameBuilder.ipv4(proto: 17, src: 0xC000_0201, dst: 0xCB00_7101, payloadLength: udp.count))
        frame.raw(udp)
        frame.raw([UInt8](repeating: 0, count: 20))  // Ethernet padding
        let (outcome, packet) = decode(frame.bytes)
        #expect(outcome == .packet)
        #expect(packet.source.description == "192.0.2.1")
        #expect(packet.destination.description == "203.0.113.1")
        #expect(packet.sourcePort == 5353 && packet.destinationPort == 53)
        #expect(packet.payloadLength == 3 && packet.payload.count == 3)
        #expect(packet.ipBytes == 31)
    }

    @Test func stackedVLANsAndMPLS() {
        let tcp = FrameBuilder.tcp(1000, 443, flags: TCPFlags.syn)
        var frame = FrameBuilder.ethernet(type: 0x8847, vlans: [(0x88A8, 200), (0x8100, 300)])
        frame.u32(0x0001_0000)       // label, not bottom
        frame.u32(0x0002_0140)       // label, bottom of stack
        frame.raw(FrameBuilder.ipv4(proto: 6, src: 1, dst: 2, payloadLength: tcp.count))
        frame.raw(tcp)
        let (outcome, packet) = decode(frame.bytes)
        #expect(outcome == .packet)
        #expect(packet.vlans.ids == [200, 300])
        #expect(packet.tcpFlags == TCPFlags.syn)
        #expect(packet.destinationPort == 443)
    }

    @Test func ipv6ExtensionHeadersBeforeTCP() {
        let tcp = FrameBuilder.tcp(1000, 443, flags: TCPFlags.ack, payload: [9, 9])
        var body: [UInt8] = []
        body += [60, 0, 0, 0, 0, 0, 0, 0]   // hop-by-hop, next: destination options
        body += [6, 0, 0, 0, 0, 0, 0, 0]    // destination options, next: TCP
        body += tcp
        var frame = FrameBuilder.ethernet(type: 0x86DD)
        frame.raw(FrameBuilder.ipv6(next: 0, src: v6(1), dst: v6(2), payloadLength: body.count))
        frame.raw(body)
        let (outcome, packet) = decode(frame.bytes)
        #expect(outcome == .packet)
        #expect(packet.proto == 6)
        #expect(packet.payloadLength == 2)
        #expect(packet.source.description == "2001:db8::1")
    }

    @Test func ipv4FragmentsOutOfOrderAreReassembled() {
        let udp = FrameBuilder.udp(4000, 53, payload: [UInt8](repeating: 7, count: 40))  // 48 bytes
        func fragment(_ offset: Int, _ length: Int, more: Bool) -> [UInt8] {
            var frame = FrameBuilder.ethernet(type: 0x0800)
            let flags = UInt16(offset / 8) | (more ? 0x2000 : 0)
            frame.raw(FrameBuilder.ipv4(proto: 17, src: 10, dst: 20, payloadLength: length, id: 77, flagsOffset: flags))
            frame.raw(Array(udp[offset..<offset + length]))
            return frame.bytes
        }
        #expect(decode(fragment(32, 16, more: false), tag: 1).0 == .fragmentHeld)
        #expect(decode(fragment(0, 16, more: true), tag: 2).0 == .fragmentHeld)
        let (outcome, packet) = decode(fragment(16, 16, more: true), tag: 3)
        #expect(outcome == .packet)
        #expect(packet.frames == 3)
        #expect(packet.originTag == 1)
        #expect(packet.destinationPort == 53)
        #expect(packet.payloadLength == 40)
        #expect(packet.ipBytes == 3 * 20 + 48)
    }

    @Test func incompleteFragmentsAreCountedAtFlush() {
        var frame = FrameBuilder.ethernet(type: 0x0800)
        frame.raw(FrameBuilder.ipv4(proto: 17, src: 10, dst: 20, payloadLength: 16, id: 5, flagsOffset: 0x2000))
        frame.raw([UInt8](repeating: 0, count: 16))
        #expect(decode(frame.bytes).0 == .fragmentHeld)
        decoder.reassembler.flush()
        #expect(decoder.reassembler.droppedIncomplete == 1)
    }

    @Test func tinyFragmentFloodIsBounded() {
        var limits = FragmentReassembler.Limits()
        limits.maxDatagrams = 8
        let bounded = PacketDecoder(fragmentLimits: limits)
        var packet = DecodedPacket()
        for id in 0..<100 {
            var frame = FrameBuilder.ethernet(type: 0x0800)
            frame.raw(FrameBuilder.ipv4(proto: 17, src: 10, dst: 20, payloadLength: 8, id: UInt16(id), flagsOffset: 0x2000 | 10))
            frame.raw([UInt8](repeating: 0, count: 8))
            _ = frame.bytes.withUnsafeBytes { bounded.decode($0, linkType: .ethernet, tag: UInt64(id), time: 0, into: &packet) }
        }
        #expect(bounded.reassembler.pendingDatagrams <= 8)
        bounded.reassembler.flush()
        let r = bounded.reassembler
        #expect(r.droppedLimit + r.droppedIncomplete + r.droppedInvalid == 100)
    }

    /// At the datagram limit the datagram started first is dropped, whatever completed
    /// or was dropped in between (the reassembler keeps them in creation order).
    @Test func fragmentLimitDropsTheOldestFirst() {
        var limits = FragmentReassembler.Limits()
        limits.maxDatagrams = 4
        let bounded = PacketDecoder(fragmentLimits: limits)
        var packet = DecodedPacket()
        var tag: UInt64 = 0
        func fragment(id: UInt16, last: Bool) -> DecodeOutcome {
            // A 16-byte UDP datagram in two 8-byte fragments.
            var frame = FrameBuilder.ethernet(type: 0x0800)
            frame.raw(FrameBuilder.ipv4(proto: 17, src: 10, dst: 20, payloadLength: 8, id: id, flagsOffset: last ? 1 : 0x2000))
            frame.raw(last ? [0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68] : [0x04, 0x00, 0x05, 0x00, 0x00, 0x10, 0x00, 0x00])
            tag += 1
            return frame.bytes.withUnsafeBytes { bounded.decode($0, linkType: .ethernet, tag: tag, time: Int64(tag), into: &packet) }
        }
        for id in 1...4 { #expect(fragment(id: UInt16(id), last: false) == .fragmentHeld) }
        #expect(fragment(id: 2, last: true) == .packet)     // 2 completes: 1, 3, 4 held
        #expect(fragment(id: 5, last: false) == .fragmentHeld)
        #expect(fragment(id: 6, last: false) == .fragmentHeld) // full: 1 (the oldest) is dropped
        #expect(bounded.reassembler.droppedLimit == 1)
        #expect(fragment(id: 1, last: true) == .fragmentHeld)  // 1 starts again (from its end)
        #expect(bounded.reassembler.droppedLimit == 2)          // ...and 3 made room for it
        #expect(fragment(id: 4, last: true) == .packet)         // held: 5, 6, 1
        #expect(fragment(id: 3, last: true) == .fragmentHeld)   // 3 was dropped: held anew
        #expect(bounded.reassembler.droppedLimit == 2)
        #expect(fragment(id: 7, last: false) == .fragmentHeld)  // full: 5, started before 1 and 3 again, goes
        #expect(bounded.reassembler.droppedLimit == 3)
        #expect(fragment(id: 6, last: true) == .packet)
        #expect(fragment(id: 5, last: true) == .fragmentHeld)
        #expect(bounded.reassembler.pendingDatagrams == 4)      // 1, 3, 7, 5
    }

    @Test func vxlanIsKeyedOnTheInnerFlow() {
        let innerUDP = FrameBuilder.udp(1111, 2222, payload: [1])
        var inner = FrameBuilder.ethernet(type: 0x0800)
        inner.raw(FrameBuilder.ipv4(proto: 17, src: 0x0A00_0001, dst: 0x0A00_0002, payloadLength: innerUDP.count))
        inner.raw(innerUDP)
        var vxlan = FrameBuilder()
        vxlan.u32(0x0800_0000); vxlan.u32(42 << 8)
        vxlan.raw(inner.bytes)
        let outerUDP = FrameBuilder.udp(50000, 4789, payload: vxlan.bytes)
        var frame = FrameBuilder.ethernet(type: 0x0800)
        frame.raw(FrameBuilder.ipv4(proto: 17, src: 0xC000_0201, dst: 0xC000_0202, payloadLength: outerUDP.count))
        frame.raw(outerUDP)
        let (outcome, packet) = decode(frame.bytes)
        #expect(outcome == .packet)
        #expect(packet.tunnel.kind == .vxlan && packet.tunnel.id == 42)
        #expect(packet.tunnel.outerSource.description == "192.0.2.1")
        #expect(packet.source.description == "10.0.0.1" && packet.destinationPort == 2222)
    }

    @Test func udpOnATunnelPortThatIsNotATunnelStaysOuter() {
        let udp = FrameBuilder.udp(50000, 4789, payload: [0, 0, 0, 0])
        var frame = FrameBuilder.ethernet(type: 0x0800)
        frame.raw(FrameBuilder.ipv4(proto: 17, src: 1, dst: 2, payloadLength: udp.count))
        frame.raw(udp)
        let (outcome, packet) = decode(frame.bytes)
        #expect(outcome == .packet)
        #expect(packet.tunnel.kind == .none && packet.destinationPort == 4789)
    }

    @Test func nestingIsBounded() {
        // IPv4-in-IPv4 twenty times over: refused past the layer limit, no recursion blow-up.
        let core = FrameBuilder.udp(1, 2, payload: [])
        var packet = FrameBuilder.ipv4(proto: 17, src: 1, dst: 2, payloadLength: core.count) + core
        for _ in 0..<20 { packet = FrameBuilder.ipv4(proto: 4, src: 1, dst: 2, payloadLength: packet.count) + packet }
        let (outcome, decoded) = decode(packet, link: .raw)
        // The innermost reachable layer is reported as an IP-in-IP flow, never a crash.
        #expect(outcome == .packet)
        #expect(decoded.tunnel.kind == .ipip)
    }

    @Test func truncatedAndForeignFramesAreClassified() {
        #expect(decode([0, 1, 2]).0 == .failed(.truncatedLinkHeader))
        var arp = FrameBuilder.ethernet(type: 0x0806)
        arp.raw([UInt8](repeating: 0, count: 28))
        #expect(decode(arp.bytes).0 == .nonIP(.etherType(0x0806)))
        var short = FrameBuilder.ethernet(type: 0x0800)
        short.raw([0x45, 0, 0])
        #expect(decode(short.bytes).0 == .failed(.truncatedIPv4))
        var badTCP = FrameBuilder.ethernet(type: 0x0800)
        badTCP.raw(FrameBuilder.ipv4(proto: 6, src: 1, dst: 2, payloadLength: 10))
        badTCP.raw([UInt8](repeating: 0, count: 10))
        #expect(decode(badTCP.bytes).0 == .failed(.truncatedTCP))
        #expect(decode([1, 2, 3, 4], link: LinkType(rawValue: 9999)).0 == .failed(.unsupportedLinkType))
    }

    @Test func everyPrefixOfAValidFrameIsHandled() {
        // Cut a tunnelled frame at every length: each cut decodes or fails cleanly.
        let innerUDP = FrameBuilder.udp(1111, 2222, payload: [1, 2, 3])
        let inner = FrameBuilder.ipv4(proto: 17, src: 3, dst: 4, payloadLength: innerUDP.count) + innerUDP
        var gtp = FrameBuilder()
        gtp.u8(0x34); gtp.u8(0xFF); gtp.u16(UInt16(inner.count + 8)); gtp.u32(0x1234)
        gtp.u16(0); gtp.u8(0); gtp.u8(0x85)   // sequence, N-PDU, next extension: PDU session
        gtp.raw([1, 0x10, 0x01, 0])             // one 4-byte extension, then none
        gtp.raw(inner)
        let outer = FrameBuilder.udp(2152, 2152, payload: gtp.bytes)
        var frame = FrameBuilder.ethernet(type: 0x8100, vlans: [])
        frame.bytes.removeLast(2)
        frame.u16(0x8100); frame.u16(7); frame.u16(0x0800)
        frame.raw(FrameBuilder.ipv4(proto: 17, src: 1, dst: 2, payloadLength: outer.count))
        frame.raw(outer)
        let (whole, packet) = decode(frame.bytes)
        #expect(whole == .packet)
        #expect(packet.tunnel.kind == .gtpu && packet.tunnel.id == 0x1234)
        #expect(packet.destinationPort == 2222)
        for length in 0..<frame.bytes.count {
            _ = decode(Array(frame.bytes.prefix(length)))
        }
    }
}

struct IPAddressTests {
    @Test func formatsAndParsesBothFamilies() {
        #expect(IPAddress(ipv4: 0xC0A8_0001).description == "192.168.0.1")
        for text in ["2001:db8::1", "::", "::1", "fe80::1:2:3:4", "2001:db8:0:1:1:1:1:1", "1::", "2001:db8::ffff:0:1"] {
            #expect(IPAddress(text)?.description == text)
        }
        #expect(IPAddress("2001:0db8:0000:0000:0000:0000:0000:0001")?.description == "2001:db8::1")
        #expect(IPAddress("1.2.3") == nil)
        #expect(IPAddress("256.1.1.1") == nil)
        #expect(IPAddress("1::2::3") == nil)
        #expect(IPAddress("10.0.0.1")! < IPAddress("10.0.0.2")!)
    }
}
