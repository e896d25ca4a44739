/// Decodes captured frames, zero-copy, from the link layer down to the innermost
/// transport header: Ethernet (and 802.2 LLC/SNAP), Linux cooked v1/v2, raw IP, BSD
/// loopback, PPP (bare and HDLC-framed), Cisco HDLC, NFLOG, 802.11 with or without
/// radiotap; stacked VLAN tags, MPLS, PPPoE; IPv4 options and IPv6 extension
/// headers; fragments (through `FragmentReassembler`); GRE/ERSPAN, GRE-in-UDP, VXLAN,
/// Geneve, GTP-U, Teredo, AYIYA, L2TPv2 and IP-in-IP tunnels, keyed on the
/// innermost 5-tuple with the tunnel recorded. Link layers beyond Ethernet are in
/// `LinkLayers.swift`, UDP tunnels beyond VXLAN/Geneve/GTP-U in `UDPTunnels.swift`.
public struct PacketDecoder {
    /// Nesting limit for link/IP/tunnel layers: hostile packets can stack forever.
    static let maxLayers = 12

    public let reassembler: FragmentReassembler

    public init(fragmentLimits: FragmentReassembler.Limits = .init()) {
        reassembler = FragmentReassembler(limits: fragmentLimits)
    }

    /// Decodes one frame into `packet`. `tag` and `time` (nanoseconds) identify the
    /// frame; they come back as `originTag`/`originTime` (of the first fragment for
    /// a reassembled datagram).
    public func decode(
        _ frame: UnsafeRawBufferPointer, linkType: LinkType, tag: UInt64, time: Int64,
        into packet: inout DecodedPacket
    ) -> DecodeOutcome {
        reassembler.beginPacket()
        packet = DecodedPacket()
        packet.originTag = tag
        packet.originTime = time
        var layers = Layers(tag: tag, time: time)
        switch linkType {
        case .ethernet:
            return layers.ethernet(frame, into: &packet, decoder: self)
        case .linuxSLL:
            guard frame.count >= 16 else { return .failed(.truncatedLinkHeader) }
            return layers.etherType(frame.u16(14), frame.tail(from: 16), into: &packet, decoder: self)
        case .linuxSLL2:
            guard frame.count >= 20 else { return .failed(.truncatedLinkHeader) }
            return layers.etherType(frame.u16(0), frame.tail(from: 20), into: &packet, decoder: self)
        case .raw, .rawOpenBSD, .rawLinktype:
            guard frame.count >= 1 else { return .failed(.truncatedLinkHeader) }
            return layers.ipByVersion(frame, into: &packet, decoder: self)
        case .ipv4:
            return layers.ipv4(frame, into: &packet, decoder: self)
        case .ipv6:
            return layers.ipv6(frame, into: &packet, decoder: self)
        case .null, .loop:
            guard frame.count >= 4 else { return .failed(.truncatedLinkHeader) }
            // The family is in the writer's byte order for NULL, network order for LOOP;
            // accept either by checking both readings.
            let bigEndian = frame.u32(0)
            let family = linkType == .loop ? bigEndian : (bigEndian > 0xFFFF ? bigEndian.byteSwapped : bigEndian)
            switch family {
            case 2: return layers.ipv4(frame.tail(from: 4), into: &packet, decoder: self)
            case 10, 24, 28, 30: return layers.ipv6(frame.tail(from: 4), into: &packet, decoder: self)
            default: return .nonIP(.addressFamily(family))
            }
        case .ppp:
            return layers.pppFrame(frame, into: &packet, decoder: self)
        case .pppHDLC:
            return layers.hdlcFrame(frame, into: &packet, decoder: self)
        case .cHDLC:
            return layers.ciscoHDLC(frame, into: &packet, decoder: self)
        case .nflog:
            return layers.nflog(frame, into: &packet, decoder: self)
        case .ieee80211:
            return layers.wlan(frame, into: &packet, decoder: self)
        case .ieee80211Radiotap:
            return layers.radiotap(frame, into: &packet, decoder: self)
        default:
            return .failed(.unsupportedLinkType)
        }
    }
}

/// The per-frame walk through the layers; a value type so the walk allocates nothing.
struct Layers {
    let tag: UInt64
    let time: Int64
    var depth = 0

    init(tag: UInt64, time: Int64) {
        self.tag = tag
        self.time = time
    }

    mutating func enter() -> Bool {
        depth += 1
        return depth <= PacketDecoder.maxLayers
    }

    // MARK: Link layer

    mutating func ethernet(_ frame: UnsafeRawBufferPointer, into packet: inout DecodedPacket, decoder: PacketDecoder) -> DecodeOutcome {
        guard enter() else { return .failed(.tooManyLayers) }
        guard frame.count >= 14 else { return .failed(.truncatedLinkHeader) }
        let type = frame.u16(12)
        // An 802.3 length field instead of an EtherType: 802.2 LLC, maybe with SNAP.
        if type < 0x0600 { return llc(frame.slice(from: 14, length: Int(type)), into: &packet, decoder: decoder) }
        return etherType(type, frame.tail(from: 14), into: &packet, decoder: decoder)
    }

    /// Follows an EtherType through VLAN tags, MPLS and PPPoE to IP.
    mutating func etherType(_ initialType: UInt16, _ initialBody: UnsafeRawBufferPointer, into packet: inout DecodedPacket, decoder: PacketDecoder) -> DecodeOutcome {
        var type = initialType
        var body = initialBody
        while true {
            guard enter() else { return .failed(.tooManyLayers) }
            switch type {
            case 0x0800:
                return ipv4(body, into: &packet, decoder: decoder)
            case 0x86DD:
                return ipv6(body, into: &packet, decoder: decoder)
            case 0x8100, 0x88A8, 0x9100, 0x9200:
                guard body.count >= 4 else { return .failed(.truncatedVLAN) }
                packet.vlans.append(body.u16(0) & 0x0FFF)
                type = body.u16(2)
                body = body.tail(from: 4)
            case 0x8847, 0x8848:
                return mpls(body, into: &packet, decoder: decoder)
            case 0x8864:
                // PPPoE session: 6-byte header, then the PPP protocol.
                guard body.count >= 8 else { return .failed(.truncatedPPPoE) }
                return ppp(protocol: body.u16(6), body.tail(from: 8), into: &packet, decoder: decoder)
            case 0x6558:
                return ethernet(body, into: &packet, decoder: decoder)
            default:
                return .nonIP(.etherType(type))
            }
        }
    }

    mutating func mpls(_ initialBody: UnsafeRawBufferPointer, into packet: inout DecodedPacket, decoder: PacketDecoder) -> DecodeOutcome {
        var body = initialBody
        // Labels until bottom of stack, then the payload by its first nibble.
        while true {
            guard enter() else { return .failed(.tooManyLayers) }
            guard body.count >= 4 else { return .failed(.truncatedMPLS) }
            let bottom = body.u32(0) & 0x100 != 0
            body = body.tail(from: 4)
            if bottom { break }
        }
        guard body.count >= 1 else { return .failed(.truncatedMPLS) }
        switch body.u8(0) >> 4 {
        case 4, 6:
            return ipByVersion(body, into: &packet, decoder: decoder)
        case 0:
            // Pseudo-wire control word, then an Ethernet frame.
            return ethernet(body.tail(from: 4), into: &packet, decoder: decoder)
        default:
            return .failed(.truncatedMPLS)
        }
    }

    mutating func ppp(protocol proto: UInt16, _ body: UnsafeRawBufferPointer, into packet: inout DecodedPacket, decoder: PacketDecoder) -> DecodeOutcome {
        switch proto {
        case 0x0021: return ipv4(body, into: &packet, decoder: decoder)
        case 0x0057: return ipv6(body, into: &packet, decoder: decoder)
        // Network and link control protocols (LCP, IPCP, CHAP, …) carry no packets.
        case 0x8000...: return .nonIP(.pppProtocol(proto))
        default: return .failed(.unsupportedPPPProtocol)
        }
    }

    // MARK: Network layer

    mutating func ipByVersion(_ bytes: UnsafeRawBufferPointer, into packet: inout DecodedPacket, decoder: PacketDecoder) -> DecodeOutcome {
        guard bytes.count >= 1 else { return .failed(.truncatedIPv4) }
        switch bytes.u8(0) >> 4 {
        case 4: return ipv4(bytes, into: &packet, decoder: decoder)
        case 6: return ipv6(bytes, into: &packet, decoder: decoder)
        default: return .failed(.badIPVersion)
        }
    }

    mutating func ipv4(_ bytes: UnsafeRawBufferPointer, into packet: inout DecodedPacket, decoder: PacketDecoder) -> DecodeOutcome {
        guard enter() else { return .failed(.tooManyLayers) }
        guard bytes.count >= 20 else { return .failed(.truncatedIPv4) }
        let versionIHL = bytes.u8(0)
        guard versionIHL >> 4 == 4 else { return .failed(.badIPVersion) }
        let headerLength = Int(versionIHL & 0x0F) * 4
        guard headerLength >= 20 else { return .failed(.badIPv4Header) }
        guard bytes.count >= headerLength else { return .failed(.truncatedIPv4) }
        var totalLength = Int(bytes.u16(2))
        // Zero total length is what TSO-offloaded captures show: trust the capture.
        if totalLength == 0 { totalLength = bytes.count }
        guard totalLength >= headerLength else { return .failed(.badIPv4Header) }
        packet.ipVersion = 4
        packet.ttl = bytes.u8(8)
        packet.proto = bytes.u8(9)
        packet.source = IPAddress(ipv4: bytes.u32(12))
        packet.destination = IPAddress(ipv4: bytes.u32(16))
        packet.ipBytes = UInt32(totalLength)
        // Captured bytes of this datagram, without Ethernet padding.
        let captured = bytes.slice(from: 0, length: totalLength)
        let payload = captured.tail(from: headerLength)
        let payloadWireLength = totalLength - headerLength

        let flagsOffset = bytes.u16(6)
        let moreFragments = flagsOffset & 0x2000 != 0
        let fragmentOffset = Int(flagsOffset & 0x1FFF) * 8
        if moreFragments || fragmentOffset != 0 {
            // A fragment cut by the snap length cannot be reassembled.
            guard payload.count == payloadWireLength else { return .failed(.fragmentInvalid) }
            let key = FragmentReassembler.Key(
                source: packet.source, destination: packet.destination,
                identification: UInt32(bytes.u16(4)), proto: packet.proto, version: 4)
            guard let whole = decoder.reassembler.add(
                key: key, offset: fragmentOffset, moreFragments: moreFragments, data: payload,
                proto: packet.proto, ipBytes: UInt32(totalLength), tag: tag, time: time)
            else { return .fragmentHeld }
            adopt(whole, into: &packet)
            return transport(packet.proto, whole.payload, wireLength: whole.payload.count, into: &packet, decoder: decoder)
        }
        return transport(packet.proto, payload, wireLength: payloadWireLength, into: &packet, decoder: decoder)
    }

    mutating func ipv6(_ bytes: UnsafeRawBufferPointer, into packet: inout DecodedPacket, decoder: PacketDecoder) -> DecodeOutcome {
        guard enter() else { return .failed(.tooManyLayers) }
        guard bytes.count >= 40 else { return .failed(.truncatedIPv6) }
        guard bytes.u8(0) >> 4 == 6 else { return .failed(.badIPVersion) }
        var payloadWireLength = Int(bytes.u16(4))
        // Zero payload length: a jumbogram or an offloaded capture; trust the capture.
        if payloadWireLength == 0 { payloadWireLength = bytes.count - 40 }
        packet.ipVersion = 6
        packet.ttl = bytes.u8(7)
        packet.source = IPAddress(high: bytes.u64(8), low: bytes.u64(16))
        packet.destination = IPAddress(high: bytes.u64(24), low: bytes.u64(32))
        packet.ipBytes = UInt32(40 + payloadWireLength)
        var next = bytes.u8(6)
        var body = bytes.slice(from: 40, length: payloadWireLength)
        var wireLength = payloadWireLength

        // Extension headers, bounded by the layer limit and the bytes present.
        var extensions = 0
        while true {
            switch next {
            case 0, 43, 60, 135, 139, 140:
                extensions += 1
                guard extensions <= 16, body.count >= 8 else { return .failed(.badIPv6ExtensionHeader) }
                let length = (Int(body.u8(1)) + 1) * 8
                guard body.count >= length else { return .failed(.badIPv6ExtensionHeader) }
                next = body.u8(0)
                body = body.tail(from: length)
                wireLength -= length
            case IPProtocol.ah:
                extensions += 1
                guard extensions <= 16, body.count >= 8 else { return .failed(.badIPv6ExtensionHeader) }
                let length = (Int(body.u8(1)) + 2) * 4
                guard body.count >= length else { return .failed(.badIPv6ExtensionHeader) }
                next = body.u8(0)
                body = body.tail(from: length)
                wireLength -= length
            case 44:
                guard body.count >= 8 else { return .failed(.badIPv6ExtensionHeader) }
                let fragmentNext = body.u8(0)
                let offsetFlags = body.u16(2)
                let offset = Int(offsetFlags & 0xFFF8)
                let moreFragments = offsetFlags & 1 != 0
                let identification = body.u32(4)
                let data = body.tail(from: 8)
                if offset == 0 && !moreFragments {
                    // An atomic fragment (RFC 6946): no reassembly needed.
                    next = fragmentNext
                    body = data
                    wireLength -= 8
                    continue
                }
                guard data.count == wireLength - 8 else { return .failed(.fragmentInvalid) }
                let key = FragmentReassembler.Key(
                    source: packet.source, destination: packet.destination,
                    identification: identification, proto: fragmentNext, version: 6)
                guard let whole = decoder.reassembler.add(
                    key: key, offset: offset, moreFragments: moreFragments, data: data,
                    proto: fragmentNext, ipBytes: packet.ipBytes, tag: tag, time: time)
                else { return .fragmentHeld }
                adopt(whole, into: &packet)
                next = whole.proto
                body = whole.payload
                wireLength = whole.payload.count
            default:
                packet.proto = next
                return transport(next, body, wireLength: max(0, wireLength), into: &packet, decoder: decoder)
            }
        }
    }

    private func adopt(_ whole: FragmentReassembler.Completed, into packet: inout DecodedPacket) {
        packet.frames = whole.frames
        packet.ipBytes = whole.ipBytes
        packet.originTag = whole.originTag
        packet.originTime = whole.originTime
    }

    // MARK: Transport layer and tunnels

    mutating func transport(_ proto: UInt8, _ body: UnsafeRawBufferPointer, wireLength: Int, into packet: inout DecodedPacket, decoder: PacketDecoder) -> DecodeOutcome {
        packet.proto = proto
        switch proto {
        case IPProtocol.tcp:
            guard body.count >= 20 else { return .failed(.truncatedTCP) }
            let headerLength = Int(body.u8(12) >> 4) * 4
            guard headerLength >= 20 else { return .failed(.badTCPHeader) }
            packet.sourcePort = body.u16(0)
            packet.destinationPort = body.u16(2)
            packet.tcpSequence = body.u32(4)
            packet.tcpAcknowledgement = body.u32(8)
            packet.tcpFlags = body.u8(13)
            packet.tcpWindow = body.u16(14)
            packet.tcpHeaderLength = UInt8(headerLength)
            packet.tcpOptions = body.slice(from: 20, length: headerLength - 20)
            packet.payloadLength = UInt32(max(0, wireLength - headerLength))
            packet.payload = body.tail(from: headerLength)
            return .packet
        case IPProtocol.udp:
            guard body.count >= 8 else { return .failed(.truncatedUDP) }
            packet.sourcePort = body.u16(0)
            packet.destinationPort = body.u16(2)
            packet.payloadLength = UInt32(max(0, wireLength - 8))
            packet.payload = body.slice(from: 8, length: Int(packet.payloadLength))
            // Most UDP is no tunnel: one mask test per port before the port switch.
            guard Layers.mayBeTunnelPort(packet.sourcePort) || Layers.mayBeTunnelPort(packet.destinationPort) else { return .packet }
            return udpTunnel(into: &packet, decoder: decoder)
        case IPProtocol.sctp:
            guard body.count >= 12 else { return .failed(.truncatedSCTP) }
            packet.sourcePort = body.u16(0)
            packet.destinationPort = body.u16(2)
            packet.payloadLength = UInt32(max(0, wireLength - 12))
            packet.payload = body.tail(from: 12)
            return .packet
        case IPProtocol.icmp, IPProtocol.icmpv6:
            guard body.count >= 4 else { return .failed(.truncatedICMP) }
            packet.icmpType = body.u8(0)
            packet.icmpCode = body.u8(1)
            packet.icmpIdentifier = body.count >= 6 ? body.u16(4) : 0
            packet.payloadLength = UInt32(max(0, wireLength - 4))
            packet.payload = body.tail(from: 4)
            return .packet
        case IPProtocol.gre:
            packet.payloadLength = UInt32(wireLength)
            packet.payload = body
            return gre(body, into: &packet, decoder: decoder)
        case IPProtocol.ipip, IPProtocol.ipv6:
            packet.payloadLength = UInt32(wireLength)
            packet.payload = body
            return tunnelled(.ipip, id: nil, into: &packet, decoder: decoder) { layers, packet in
                proto == IPProtocol.ipip ? layers.ipv4(body, into: &packet, decoder: decoder) : layers.ipv6(body, into: &packet, decoder: decoder)
            }
        default:
            packet.payloadLength = UInt32(wireLength)
            packet.payload = body
            return .packet
        }
    }

    /// Decodes an inner packet; if it is not a flow packet, the outer packet
    /// stands as the flow packet (a UDP port that merely looks like a tunnel's).
    @inline(__always)
    mutating func tunnelled(
        _ kind: TunnelKind, id: UInt32?, into packet: inout DecodedPacket, decoder: PacketDecoder,
        inner: (inout Layers, inout DecodedPacket) -> DecodeOutcome
    ) -> DecodeOutcome {
        let outer = packet
        var info = TunnelInfo()
        info.kind = kind
        info.hasID = id != nil
        info.id = id ?? 0
        info.outerSource = packet.source
        info.outerDestination = packet.destination
        info.depth = outer.tunnel.depth &+ 1
        packet.tunnel = info
        let outcome = inner(&self, &packet)
        if outcome == .packet || outcome == .fragmentHeld { return outcome }
        packet = outer
        return .packet
    }

    /// The UDP ports `udpTunnel` looks inside (either side for some, see there).
    static let tunnelPorts: [UInt16] = [4789, 8472, 4790, 6081, 2152, 4754, 3544, 5072, 1701]
    /// Bit `port & 63` of each of `tunnelPorts` (a test checks the two agree).
    static let tunnelPortBits: UInt64 = 0x60_0120_0105_0002

    @inline(__always)
    static func mayBeTunnelPort(_ port: UInt16) -> Bool { tunnelPortBits & (1 << UInt64(port & 63)) != 0 }

    mutating func udpTunnel(into packet: inout DecodedPacket, decoder: PacketDecoder) -> DecodeOutcome {
        let payload = packet.payload
        switch packet.destinationPort {
        case 4789, 8472:
            // VXLAN: the I flag, then the VNI and an Ethernet frame.
            guard payload.count >= 16, payload.u8(0) & 0x08 != 0 else { return .packet }
            let vni = payload.u32(4) >> 8
            return tunnelled(.vxlan, id: vni, into: &packet, decoder: decoder) { layers, packet in
                layers.ethernet(payload.tail(from: 8), into: &packet, decoder: decoder)
            }
        case 4790:
            // VXLAN-GPE: next protocol 1 IPv4, 2 IPv6, 3 Ethernet.
            guard payload.count >= 9, payload.u8(0) & 0x08 != 0 else { return .packet }
            let vni = payload.u32(4) >> 8
            let next = payload.u8(3)
            return tunnelled(.vxlan, id: vni, into: &packet, decoder: decoder) { layers, packet in
                switch next {
                case 1: layers.ipv4(payload.tail(from: 8), into: &packet, decoder: decoder)
                case 2: layers.ipv6(payload.tail(from: 8), into: &packet, decoder: decoder)
                case 3: layers.ethernet(payload.tail(from: 8), into: &packet, decoder: decoder)
                default: .failed(.unsupportedLinkType)
                }
            }
        case 6081:
            guard payload.count >= 8, payload.u8(0) >> 6 == 0 else { return .packet }
            let headerLength = 8 + Int(payload.u8(0) & 0x3F) * 4
            let type = payload.u16(2)
            let vni = payload.u32(4) >> 8
            guard payload.count > headerLength else { return .packet }
            return tunnelled(.geneve, id: vni, into: &packet, decoder: decoder) { layers, packet in
                layers.etherType(type, payload.tail(from: headerLength), into: &packet, decoder: decoder)
            }
        case 2152:
            return gtpU(payload, into: &packet, decoder: decoder)
        case 4754:
            return greInUDP(payload, into: &packet, decoder: decoder)
        default:
            switch (packet.sourcePort, packet.destinationPort) {
            case (2152, _): return gtpU(payload, into: &packet, decoder: decoder)
            case (4754, _): return greInUDP(payload, into: &packet, decoder: decoder)
            case (3544, _), (_, 3544): return teredo(payload, into: &packet, decoder: decoder)
            case (5072, _), (_, 5072): return ayiya(payload, into: &packet, decoder: decoder)
            case (1701, _), (_, 1701): return l2tp(payload, into: &packet, decoder: decoder)
            default: return .packet
            }
        }
    }

    mutating func gtpU(_ payload: UnsafeRawBufferPointer, into packet: inout DecodedPacket, decoder: PacketDecoder) -> DecodeOutcome {
        // Version 1, protocol type GTP, message G-PDU; signalling stays a UDP flow.
        guard payload.count >= 8 else { return .packet }
        let flags = payload.u8(0)
        guard flags >> 5 == 1, flags & 0x10 != 0, payload.u8(1) == 0xFF else { return .packet }
        let teid = payload.u32(4)
        var offset = 8
        if flags & 0x07 != 0 {
            guard payload.count >= 12 else { return .packet }
            var nextExtension = payload.u8(11)
            offset = 12
            var count = 0
            while flags & 0x04 != 0 && nextExtension != 0 {
                count += 1
                guard count <= 8, payload.count > offset else { return .packet }
                let length = Int(payload.u8(offset)) * 4
                guard length > 0, payload.count >= offset + length else { return .packet }
                nextExtension = payload.u8(offset + length - 1)
                offset += length
            }
        }
        guard payload.count > offset else { return .packet }
        let inner = payload.tail(from: offset)
        return tunnelled(.gtpu, id: teid, into: &packet, decoder: decoder) { layers, packet in
            layers.ipByVersion(inner, into: &packet, decoder: decoder)
        }
    }

    /// A GRE packet; `kind` is `.greUDP` when it came in UDP (RFC 8086). ERSPAN is
    /// recorded as ERSPAN either way.
    mutating func gre(_ body: UnsafeRawBufferPointer, kind: TunnelKind = .gre, into packet: inout DecodedPacket, decoder: PacketDecoder) -> DecodeOutcome {
        guard body.count >= 4 else { return .packet }
        let flags = body.u8(0)
        let version = body.u8(1) & 0x07
        let type = body.u16(2)
        guard flags & 0x40 == 0, version <= 1 else { return .packet }  // no source routing
        var offset = 4
        if flags & 0x80 != 0 { offset += 4 }
        var key: UInt32?
        if flags & 0x20 != 0 {
            guard body.count >= offset + 4 else { return .packet }
            key = body.u32(offset)
            offset += 4
        }
        let hasSequence = flags & 0x10 != 0
        if hasSequence { offset += 4 }
        if version == 1 && body.u8(1) & 0x80 != 0 { offset += 4 }
        guard body.count > offset else { return .packet }
        let inner = body.tail(from: offset)
        switch type {
        case 0x88BE:
            // ERSPAN type II has an 8-byte header (and a GRE sequence); type I has none.
            let header = hasSequence ? 8 : 0
            guard inner.count > header else { return .packet }
            let session: UInt32? = hasSequence ? UInt32(inner.u16(2) & 0x03FF) : nil
            return tunnelled(.erspan, id: session, into: &packet, decoder: decoder) { layers, packet in
                layers.ethernet(inner.tail(from: header), into: &packet, decoder: decoder)
            }
        case 0x22EB:
            // ERSPAN type III: 12 bytes, plus an 8-byte platform subheader when O is set.
            guard inner.count > 12 else { return .packet }
            let header = inner.u8(11) & 0x01 != 0 ? 20 : 12
            let session = UInt32(inner.u16(2) & 0x03FF)
            return tunnelled(.erspan, id: session, into: &packet, decoder: decoder) { layers, packet in
                layers.ethernet(inner.tail(from: header), into: &packet, decoder: decoder)
            }
        case 0x880B:
            // PPTP's enhanced GRE carries PPP: optional address/control, then the protocol.
            guard let (protocolField, body) = PPPHeader.split(inner) else { return .packet }
            return tunnelled(kind, id: key, into: &packet, decoder: decoder) { layers, packet in
                layers.ppp(protocol: protocolField, body, into: &packet, decoder: decoder)
            }
        default:
            return tunnelled(kind, id: key, into: &packet, decoder: decoder) { layers, packet in
                layers.etherType(type, inner, into: &packet, decoder: decoder)
            }
        }
    }
}
