/// Tunnels found by their UDP port whose headers have to be checked strictly,
/// since ordinary traffic uses those ports too: each header is validated, and if
/// the inner packet does not decode, the datagram stays a plain UDP packet
/// (`tunnelled` restores it).
extension Layers {
    /// Teredo (RFC 4380, UDP 3544): IPv6 in UDP, after an optional authentication
    /// indicator (00 01) and an optional origin indication (00 00).
    mutating func teredo(_ payload: UnsafeRawBufferPointer, into packet: inout DecodedPacket, decoder: PacketDecoder) -> DecodeOutcome {
        var offset = 0
        if payload.count >= 4 && payload.u16(0) == 0x0001 {
            // Client id and authentication value lengths, then an 8-byte nonce and the confirmation byte.
            offset = 4 + Int(payload.u8(2)) + Int(payload.u8(3)) + 9
        }
        if payload.count >= offset + 8 && payload.u16(offset) == 0x0000 {
            offset += 8  // obfuscated origin port and IPv4 address
        }
        guard payload.count >= offset + 40 else { return .packet }
        let inner = payload.tail(from: offset)
        // The IPv6 header must account for exactly the rest of the datagram.
        guard inner.u8(0) >> 4 == 6, 40 + Int(inner.u16(4)) == Int(packet.payloadLength) - offset else { return .packet }
        return tunnelled(.teredo, id: nil, into: &packet, decoder: decoder) { layers, packet in
            layers.ipv6(inner, into: &packet, decoder: decoder)
        }
    }

    /// AYIYA ("Anything In Anything", UDP 5072): an 8-byte header with the sizes of
    /// the identity and signature that follow it; only "forward" messages carrying
    /// IPv4 or IPv6 are tunnelled packets.
    mutating func ayiya(_ payload: UnsafeRawBufferPointer, into packet: inout DecodedPacket, decoder: PacketDecoder) -> DecodeOutcome {
        guard payload.count >= 8 else { return .packet }
        let identityLength = 1 << Int(payload.u8(0) >> 4)
        let identityType = payload.u8(0) & 0x0F
        let signatureLength = Int(payload.u8(1) >> 4) * 4
        let hashMethod = payload.u8(1) & 0x0F
        let authMethod = payload.u8(2) >> 4
        let opcode = payload.u8(2) & 0x0F
        let next = payload.u8(3)
        guard opcode == 1, identityType <= 2, hashMethod <= 2, authMethod <= 2,
              next == IPProtocol.ipip || next == IPProtocol.ipv6 else { return .packet }
        let header = 8 + identityLength + signatureLength
        guard payload.count > header else { return .packet }
        let inner = payload.tail(from: header)
        return tunnelled(.ayiya, id: nil, into: &packet, decoder: decoder) { layers, packet in
            next == IPProtocol.ipip ? layers.ipv4(inner, into: &packet, decoder: decoder) : layers.ipv6(inner, into: &packet, decoder: decoder)
        }
    }

    /// GRE-in-UDP (RFC 8086, UDP 4754): a GRE header, version 0, reserved bits clear.
    mutating func greInUDP(_ payload: UnsafeRawBufferPointer, into packet: inout DecodedPacket, decoder: PacketDecoder) -> DecodeOutcome {
        guard payload.count >= 4, payload.u8(0) & 0x4F == 0, payload.u8(1) == 0 else { return .packet }
        return gre(payload, kind: .greUDP, into: &packet, decoder: decoder)
    }

    /// L2TPv2 (RFC 2661, UDP 1701) data messages: flags and version 2, optional
    /// length, tunnel and session ids, optional Ns/Nr, optional offset padding, then
    /// PPP. Control messages (T bit) and L2TPv3 stay plain UDP.
    mutating func l2tp(_ payload: UnsafeRawBufferPointer, into packet: inout DecodedPacket, decoder: PacketDecoder) -> DecodeOutcome {
        guard payload.count >= 6 else { return .packet }
        let flags = payload.u16(0)
        // Version 2, not control, reserved bits clear.
        guard flags & 0x000F == 2, flags & 0x8000 == 0, flags & 0x34F0 == 0 else { return .packet }
        var offset = 2
        if flags & 0x4000 != 0 {
            guard Int(payload.u16(2)) == Int(packet.payloadLength) else { return .packet }
            offset += 2
        }
        guard payload.count >= offset + 4 else { return .packet }
        let id = UInt32(payload.u16(offset)) << 16 | UInt32(payload.u16(offset + 2))
        offset += 4
        if flags & 0x0800 != 0 { offset += 4 }
        if flags & 0x0200 != 0 {
            guard payload.count >= offset + 2 else { return .packet }
            offset += 2 + Int(payload.u16(offset))
        }
        guard payload.count > offset, let (proto, body) = PPPHeader.split(payload.tail(from: offset)) else { return .packet }
        return tunnelled(.l2tp, id: id, into: &packet, decoder: decoder) { layers, packet in
            layers.ppp(protocol: proto, body, into: &packet, decoder: decoder)
        }
    }
}
