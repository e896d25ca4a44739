import Testing
@testable import Decoding

/// PPP, HDLC, NFLOG, 802.11/radiotap and LLC/SNAP link layers, and the tunnels found
/// on UDP ports (Teredo, AYIYA, GRE-in-UDP, L2TPv2). The capture-level checks are in
/// AnalysisTests (CraftedCaptureTests, LinkTypeEvidenceTests).
struct LinkLayerAndTunnelTests {
    let decoder = PacketDecoder()

    func decode(_ bytes: [UInt8], link: LinkType) -> (DecodeOutcome, DecodedPacket) {
        var packet = DecodedPacket()
        let outcome = bytes.withUnsafeBytes { decoder.decode($0, linkType: link, tag: 1, time: 0, into: &packet) }
        return (outcome, packet)
    }

    /// IPv4 UDP 192.0.2.1:40000 -> 203.0.113.1:53 with a small payload.
    let ipv4UDP: [UInt8] = {
        let udp = FrameBuilder.udp(40000, 53, payload: [1, 2, 3, 4])
        return FrameBuilder.ipv4(proto: 17, src: 0xC000_0201, dst: 0xCB00_7101, payloadLength: udp.count) + udp
    }()

    /// IPv6 TCP [2001:db8::1]:40001 -> [2001:db8::2]:443 SYN.
    let ipv6TCP: [UInt8] = {
        let tcp = FrameBuilder.tcp(40001, 443, flags: TCPFlags.syn)
        return FrameBuilder.ipv6(next: 6, src: v6(1), dst: v6(2), payloadLength: tcp.count) + tcp
    }()

    func expectInnerUDP(_ result: (DecodeOutcome, DecodedPacket), tunnel: TunnelKind = .none, _ comment: Comment? = nil) {
        #expect(result.0 == .packet, comment)
        #expect(result.1.source.description == "192.0.2.1" && result.1.destination.description == "203.0.113.1", comment)
        #expect(result.1.sourcePort == 40000 && result.1.destinationPort == 53, comment)
        #expect(result.1.tunnel.kind == tunnel, comment)
    }

    // MARK: PPP and HDLC

    /// The mask that lets most UDP skip the tunnel switch passes every tunnel port,
    /// and no port whose low six bits are none of theirs.
    @Test func tunnelPortMaskCoversEveryTunnelPort() {
        for port in Layers.tunnelPorts { #expect(Layers.mayBeTunnelPort(port), "port \(port)") }
        let bits = Set(Layers.tunnelPorts.map { $0 & 63 })
        for port in UInt16(0)...UInt16(2000) where !bits.contains(port & 63) { #expect(!Layers.mayBeTunnelPort(port), "port \(port)") }
    }

    @Test func pppWithAndWithoutAddressControlAndProtocolCompression() {
        expectInnerUDP(decode([0xFF, 0x03, 0x00, 0x21] + ipv4UDP, link: .ppp), "FF 03 00 21")
        expectInnerUDP(decode([0x00, 0x21] + ipv4UDP, link: .ppp), "address/control omitted")
        expectInnerUDP(decode([0x21] + ipv4UDP, link: .ppp), "ACFC and PFC")
        expectInnerUDP(decode([0xFF, 0x03, 0x21] + ipv4UDP, link: .pppHDLC), "HDLC framing, PFC")
        let (outcome, packet) = decode([0xFF, 0x03, 0x00, 0x57] + ipv6TCP, link: .pppHDLC)
        #expect(outcome == .packet && packet.destinationPort == 443 && packet.ipVersion == 6)
    }

    @Test func pppControlProtocolsAreNotIP() {
        let lcp: [UInt8] = [0xFF, 0x03, 0xC0, 0x21, 9, 1, 0, 8, 0, 0, 0, 0]
        #expect(decode(lcp, link: .ppp).0 == .nonIP(.pppProtocol(0xC021)))
        #expect(NonIPKind.pppProtocol(0xC021).name == "ppp_lcp")
        #expect(NonIPKind.pppProtocol(0x8281).name == "ppp_0x8281")
        #expect(decode([0xFF, 0x03, 0x00, 0x2D, 1, 2], link: .ppp).0 == .failed(.unsupportedPPPProtocol))
        #expect(decode([0xFF, 0x03], link: .ppp).0 == .failed(.truncatedLinkHeader))
    }

    @Test func ciscoHDLCOnItsOwnAndOnAPPPLink() {
        expectInnerUDP(decode([0x0F, 0x00, 0x08, 0x00] + ipv4UDP, link: .cHDLC))
        expectInnerUDP(decode([0x8F, 0x00, 0x08, 0x00] + ipv4UDP, link: .pppHDLC), "Cisco framing on PPP_HDLC")
        #expect(decode([0x42, 0x00, 0x08, 0x00] + ipv4UDP, link: .cHDLC).0 == .failed(.badHDLCHeader))
        #expect(decode([0x0F, 0x00, 0x80], link: .cHDLC).0 == .failed(.truncatedLinkHeader))
        #expect(decode([0x8F, 0x00, 0x80, 0x35] + [UInt8](repeating: 0, count: 18), link: .cHDLC).0 == .nonIP(.ciscoSLARP))
        #expect(NonIPKind.ciscoSLARP.name == "cisco_slarp")
    }

    // MARK: 802.2 LLC/SNAP under Ethernet

    @Test func llcSnapUnderAnEthernetLengthField() {
        let snap: [UInt8] = [0xAA, 0xAA, 0x03, 0, 0, 0, 0x08, 0x00] + ipv4UDP
        var frame = FrameBuilder.ethernet(type: UInt16(snap.count))
        frame.raw(snap)
        expectInnerUDP(decode(frame.bytes, link: .ethernet))
        var stp = FrameBuilder.ethernet(type: 38)
        stp.raw([0x42, 0x42, 0x03] + [UInt8](repeating: 0, count: 35))
        #expect(decode(stp.bytes, link: .ethernet).0 == .nonIP(.llc))
        var short = FrameBuilder.ethernet(type: 4)
        short.raw([0xAA, 0xAA, 0x03, 0])
        #expect(decode(short.bytes, link: .ethernet).0 == .nonIP(.llc))
    }

    // MARK: NFLOG

    /// An NFLOG TLV in little-endian (the reading host's) order, padded to 4 bytes.
    func tlv(_ type: UInt16, _ value: [UInt8], bigEndian: Bool = false, length: Int? = nil) -> [UInt8] {
        let l = UInt16(length ?? 4 + value.count)
        let header = bigEndian ? [UInt8(l >> 8), UInt8(l & 0xFF), UInt8(type >> 8), UInt8(type & 0xFF)]
                               : [UInt8(l & 0xFF), UInt8(l >> 8), UInt8(type & 0xFF), UInt8(type >> 8)]
        return header + value + [UInt8](repeating: 0, count: (4 - value.count % 4) % 4)
    }

    @Test func nflogWalksTheAttributesToThePayload() {
        let prefix = tlv(10, Array("lab\0".utf8) + [0])           // 5-byte prefix: padded
        let hwProto = tlv(1, [0x08, 0x00, 1, 0])                  // NFULA_PACKET_HDR
        let frame: [UInt8] = [2, 0, 0, 7] + hwProto + prefix + tlv(9, ipv4UDP)
        expectInnerUDP(decode(frame, link: .nflog))
        let foreign: [UInt8] = [2, 0, 0, 7] + tlv(1, [0x08, 0x00, 1, 0], bigEndian: true) + tlv(9, ipv4UDP, bigEndian: true)
        expectInnerUDP(decode(foreign, link: .nflog), "big-endian writer")
        let six = [10, 0, 0, 7] + tlv(9, ipv6TCP)
        #expect(decode(six, link: .nflog).1.destinationPort == 443)
        #expect(decode([7 + 20, 0, 0, 7] + tlv(9, ipv4UDP), link: .nflog).0 == .nonIP(.addressFamily(27)))
    }

    @Test func malformedNFLOGIsCountedByReason() {
        #expect(decode([2, 0, 0], link: .nflog).0 == .failed(.truncatedNFLOG))
        #expect(decode([2, 0, 0, 7] + tlv(1, [1, 2, 3, 4], length: 2), link: .nflog).0 == .failed(.badNFLOGAttribute))
        #expect(decode([2, 0, 0, 7] + tlv(1, [1, 2, 3, 4], length: 200), link: .nflog).0 == .failed(.truncatedNFLOG))
        #expect(decode([2, 0, 0, 7] + tlv(1, [1, 2, 3, 4]) + [8, 0], link: .nflog).0 == .failed(.truncatedNFLOG))
        #expect(decode([2, 0, 0, 7] + tlv(1, [1, 2, 3, 4]), link: .nflog).0 == .failed(.nflogWithoutPayload))
        // A payload cut by the snap length still yields what is there.
        let cut = Array(([2, 0, 0, 7] + tlv(9, ipv4UDP)).prefix(4 + 4 + 28))
        #expect(decode(cut, link: .nflog).0 == .packet)
    }

    // MARK: 802.11 and radiotap

    let ap: [UInt8] = [2, 0, 0, 0xAA, 0, 1], sta: [UInt8] = [2, 0, 0, 0xAA, 0, 2], router: [UInt8] = [2, 0, 0, 0xAA, 0, 3]
    let snapIPv4: [UInt8] = [0xAA, 0xAA, 0x03, 0, 0, 0, 0x08, 0x00]

    func wlan(type: UInt8, subtype: UInt8, flags: UInt8, addresses: Int = 3, qos: UInt16? = nil, body: [UInt8] = []) -> [UInt8] {
        var frame: [UInt8] = [subtype << 4 | type << 2, flags, 0, 0] + ap + sta + router + [0x10, 0]
        if addresses == 4 { frame += sta }
        if let qos { frame += [UInt8(qos & 0xFF), UInt8(qos >> 8)] }
        return frame + body
    }

    @Test func wlanDataFramesByAddressLayout() {
        expectInnerUDP(decode(wlan(type: 2, subtype: 0, flags: 0x01, body: snapIPv4 + ipv4UDP), link: .ieee80211), "To DS")
        expectInnerUDP(decode(wlan(type: 2, subtype: 0, flags: 0x02, body: snapIPv4 + ipv4UDP), link: .ieee80211), "From DS")
        expectInnerUDP(decode(wlan(type: 2, subtype: 0, flags: 0x03, addresses: 4, body: snapIPv4 + ipv4UDP), link: .ieee80211), "WDS")
        expectInnerUDP(decode(wlan(type: 2, subtype: 8, flags: 0x01, qos: 0, body: snapIPv4 + ipv4UDP), link: .ieee80211), "QoS")
        // QoS with the Order flag: a 4-byte HT Control field after QoS Control.
        expectInnerUDP(decode(wlan(type: 2, subtype: 8, flags: 0x81, qos: 0, body: [0, 0, 0, 0] + snapIPv4 + ipv4UDP), link: .ieee80211), "HT Control")
        // A-MSDU: the first subframe.
        let subframe = sta + router + [0, UInt8(snapIPv4.count + ipv4UDP.count)] + snapIPv4 + ipv4UDP
        expectInnerUDP(decode(wlan(type: 2, subtype: 8, flags: 0x01, qos: 0x80, body: subframe), link: .ieee80211), "A-MSDU")
    }

    @Test func wlanFramesWithoutIPAreCountedNotGuessed() {
        #expect(decode(wlan(type: 0, subtype: 8, flags: 0, body: [UInt8](repeating: 0, count: 12)), link: .ieee80211).0 == .nonIP(.wlanManagement))
        #expect(decode([0xD4, 0, 0, 0] + sta, link: .ieee80211).0 == .nonIP(.wlanControl))
        #expect(decode(wlan(type: 2, subtype: 12, flags: 0x01, qos: 0), link: .ieee80211).0 == .nonIP(.wlanNoData))
        let protected = wlan(type: 2, subtype: 8, flags: 0x41, qos: 0, body: [1, 0, 0, 0x20, 0, 0, 0, 0] + snapIPv4 + ipv4UDP)
        #expect(decode(protected, link: .ieee80211).0 == .failed(.protectedWLANFrame))
        #expect(decode([0x08, 0x01, 0, 0] + ap, link: .ieee80211).0 == .failed(.badWLANHeader))
        #expect(decode([0x09, 0x01] + [UInt8](repeating: 0, count: 40), link: .ieee80211).0 == .failed(.badWLANHeader), "protocol version 1")
        #expect(decode(wlan(type: 2, subtype: 0, flags: 0x01, body: [0x42, 0x42, 0x03, 0, 0, 0, 0, 0]), link: .ieee80211).0 == .nonIP(.llc))
    }

    @Test func radiotapHeaderIsSkippedAndTheFCSCut() {
        let frame = wlan(type: 2, subtype: 8, flags: 0x01, qos: 0, body: snapIPv4 + ipv4UDP)
        // TSFT (8-aligned at 8), Flags with FCS-at-end, Rate, Channel.
        let withFCS: [UInt8] = [0, 0, 22, 0, 0x0F, 0, 0, 0] + [UInt8](repeating: 1, count: 8) + [0x10, 12, 0x85, 0x09, 0xA0, 0]
        let (outcome, packet) = decode(withFCS + frame + [0xDE, 0xAD, 0xBE, 0xEF], link: .ieee80211Radiotap)
        expectInnerUDP((outcome, packet))
        // Extended presence bitmap (bit 31), then Rate.
        let extended: [UInt8] = [0, 0, 13, 0, 0x04, 0, 0, 0x80, 0, 0, 0, 0, 12]
        expectInnerUDP(decode(extended + frame, link: .ieee80211Radiotap), "extended bitmap")
        #expect(decode([0, 0, 200, 0, 0, 0, 0, 0] + frame, link: .ieee80211Radiotap).0 == .failed(.badRadiotapHeader))
        #expect(decode([1, 0, 8, 0, 0, 0, 0, 0] + frame, link: .ieee80211Radiotap).0 == .failed(.badRadiotapHeader))
        #expect(decode([0, 0, 8, 0, 0, 0, 0, 0x80], link: .ieee80211Radiotap).0 == .failed(.badRadiotapHeader))
    }

    // MARK: Tunnels on UDP ports

    func overUDP(_ sport: UInt16, _ dport: UInt16, _ payload: [UInt8]) -> [UInt8] {
        let udp = FrameBuilder.udp(sport, dport, payload: payload)
        var frame = FrameBuilder.ethernet(type: 0x0800)
        frame.raw(FrameBuilder.ipv4(proto: 17, src: 0xC633_6401, dst: 0xC633_6402, payloadLength: udp.count))
        frame.raw(udp)
        return frame.bytes
    }

    func expectOuterUDP(_ frame: [UInt8], port: UInt16, _ comment: Comment) {
        let (outcome, packet) = decode(frame, link: .ethernet)
        #expect(outcome == .packet, comment)
        #expect(packet.tunnel.kind == .none, comment)
        #expect(packet.source.description == "198.51.100.1" && packet.destinationPort == port, comment)
    }

    @Test func teredoWithAuthenticationAndOriginIndication() {
        let auth: [UInt8] = [0, 1, 4, 0] + Array("cli1".utf8) + [UInt8](repeating: 7, count: 8) + [0]
        let origin: [UInt8] = [0, 0, 0x63, 0x3C, 0x39, 0xCC, 0x9B, 0xFE]
        for (name, head) in [("bare", []), ("auth", auth), ("origin", origin), ("both", auth + origin)] {
            let (outcome, packet) = decode(overUDP(40000, 3544, head + ipv6TCP), link: .ethernet)
            #expect(outcome == .packet, "\(name)")
            #expect(packet.tunnel.kind == .teredo && packet.destinationPort == 443, "\(name)")
            #expect(packet.tunnel.outerSource.description == "198.51.100.1", "\(name)")
            #expect(packet.source.description == "2001:db8::1", "\(name)")
        }
        expectOuterUDP(overUDP(40000, 3544, ipv4UDP), port: 3544, "not IPv6")
        expectOuterUDP(overUDP(40000, 3544, ipv6TCP + [0, 0]), port: 3544, "IPv6 length does not fill the datagram")
        expectOuterUDP(overUDP(40000, 3544, [0, 1, 200, 200] + ipv6TCP), port: 3544, "authentication longer than the datagram")
    }

    @Test func ayiyaForwardMessages() {
        let header: [UInt8] = [0x41, 0x52, 0x11, 41, 0, 0, 0, 1] + [UInt8](repeating: 0, count: 16 + 20)
        let (outcome, packet) = decode(overUDP(5072, 5072, header + ipv6TCP), link: .ethernet)
        #expect(outcome == .packet && packet.tunnel.kind == .ayiya && packet.destinationPort == 443)
        var v4 = header
        v4[3] = 4
        expectInnerUDP(decode(overUDP(5072, 5072, v4 + ipv4UDP), link: .ethernet), tunnel: .ayiya)
        var heartbeat = header
        heartbeat[2] = 0x10  // opcode 0: a heartbeat, not a packet
        expectOuterUDP(overUDP(5072, 5072, heartbeat + ipv6TCP), port: 5072, "heartbeat")
        expectOuterUDP(overUDP(40000, 5072, [0xF1, 0xF2, 0x11, 41, 0, 0, 0, 0]), port: 5072, "identity longer than the datagram")
    }

    @Test func greInUDPBothWays() {
        let gre: [UInt8] = [0, 0, 0x08, 0x00]
        expectInnerUDP(decode(overUDP(50000, 4754, gre + ipv4UDP), link: .ethernet), tunnel: .greUDP)
        expectInnerUDP(decode(overUDP(4754, 50000, gre + ipv4UDP), link: .ethernet), tunnel: .greUDP, "from 4754")
        #expect(TunnelKind.greUDP.name == "gre_udp")
        expectOuterUDP(overUDP(50000, 4754, [0, 1, 0x08, 0x00] + ipv4UDP), port: 4754, "GRE version 1")
        expectOuterUDP(overUDP(50000, 4754, [0x40, 0, 0x08, 0x00] + ipv4UDP), port: 4754, "routing bit")
    }

    @Test func l2tpDataCarriesPPPAndControlStaysUDP() {
        let data: [UInt8] = [0x00, 0x02, 0, 7, 0, 9, 0xFF, 0x03, 0x00, 0x21] + ipv4UDP
        let (outcome, packet) = decode(overUDP(1701, 1701, data), link: .ethernet)
        expectInnerUDP((outcome, packet), tunnel: .l2tp)
        #expect(packet.tunnel.hasID && packet.tunnel.id == 7 << 16 | 9)
        // Length, sequence numbers and offset padding present; PFC.
        var full: [UInt8] = [0x4A, 0x02, 0, 0, 0, 7, 0, 9, 0, 1, 0, 0, 0, 2, 0xEE, 0xEE, 0x21] + ipv4UDP
        full[3] = UInt8(full.count)
        expectInnerUDP(decode(overUDP(40000, 1701, full), link: .ethernet), tunnel: .l2tp, "L, S, O bits")
        let sccrq: [UInt8] = [0xC8, 0x02, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x08, 0, 0, 0, 0, 0, 1]
        expectOuterUDP(overUDP(1701, 1701, sccrq), port: 1701, "control message")
        expectOuterUDP(overUDP(1701, 1701, [0x00, 0x03, 0, 0, 0, 7] + ipv4UDP), port: 1701, "L2TPv3")
        expectOuterUDP(overUDP(1701, 1701, [0x40, 0x02, 0, 99, 0, 7, 0, 9, 0x21] + ipv4UDP), port: 1701, "wrong length")
        expectOuterUDP(overUDP(1701, 1701, [0x00, 0x02, 0, 7, 0, 9, 0xC0, 0x21, 9, 1, 0, 4]), port: 1701, "LCP inside: not a flow packet")
    }

    @Test func ipv6InIPv4AndIPv4InIPv6() {
        var sixInFour = FrameBuilder.ethernet(type: 0x0800)
        sixInFour.raw(FrameBuilder.ipv4(proto: 41, src: 0xC633_6401, dst: 0xC633_6402, payloadLength: ipv6TCP.count))
        sixInFour.raw(ipv6TCP)
        let (outcome, packet) = decode(sixInFour.bytes, link: .ethernet)
        #expect(outcome == .packet && packet.tunnel.kind == .ipip && packet.ipVersion == 6 && packet.destinationPort == 443)
        var fourInSix = FrameBuilder.ethernet(type: 0x86DD)
        fourInSix.raw(FrameBuilder.ipv6(next: 4, src: v6(9), dst: v6(10), payloadLength: ipv4UDP.count))
        fourInSix.raw(ipv4UDP)
        expectInnerUDP(decode(fourInSix.bytes, link: .ethernet), tunnel: .ipip)
    }

    // MARK: Robustness

    @Test func everyPrefixOfEveryNewLinkTypeIsHandled() {
        let frames: [(LinkType, [UInt8])] = [
            (.ppp, [0xFF, 0x03, 0x00, 0x21] + ipv4UDP),
            (.pppHDLC, [0x0F, 0x00, 0x08, 0x00] + ipv4UDP),
            (.cHDLC, [0x0F, 0x00, 0x86, 0xDD] + ipv6TCP),
            (.nflog, [2, 0, 0, 7] + tlv(10, [1, 2, 3]) + tlv(9, ipv4UDP)),
            (.ieee80211, wlan(type: 2, subtype: 8, flags: 0x83, addresses: 4, qos: 0x80, body: [UInt8](repeating: 0, count: 4) + sta + router + [0, 36] + snapIPv4 + ipv4UDP)),
            (.ieee80211Radiotap, [0, 0, 22, 0, 0x0F, 0, 0, 0] + [UInt8](repeating: 0, count: 8) + [0x10, 2, 0, 0, 0, 0] + wlan(type: 2, subtype: 0, flags: 1, body: snapIPv4 + ipv4UDP) + [0, 0, 0, 0]),
            (.ethernet, overUDP(40000, 3544, [0, 1, 4, 0, 1, 2, 3, 4] + [UInt8](repeating: 0, count: 9) + [0, 0, 1, 2, 3, 4, 5, 6] + ipv6TCP)),
            (.ethernet, overUDP(1701, 1701, [0x4B, 0x02, 0, 0, 0, 7, 0, 9, 0, 1, 0, 0, 0, 200, 0x21] + ipv4UDP)),
            (.ethernet, overUDP(5072, 5072, [0xF1, 0xF2, 0x11, 41, 0, 0, 0, 1] + ipv6TCP)),
            (.ethernet, overUDP(50000, 4754, [0xB0, 0, 0x88, 0x0B, 0, 0, 0, 0, 0, 0, 0, 1, 0xFF, 0x03, 0x21] + ipv4UDP)),
        ]
        for (link, frame) in frames {
            for length in 0...frame.count {
                var bytes = Array(frame.prefix(length))
                _ = decode(bytes, link: link)
                // And each byte flipped, for the length and flag fields.
                if length == frame.count {
                    for index in bytes.indices {
                        bytes[index] ^= 0xFF
                        _ = decode(bytes, link: link)
                        bytes[index] ^= 0xFF
                    }
                }
            }
        }
    }
}
