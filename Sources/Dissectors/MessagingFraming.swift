// On-wire framings of messaging/calling apps that are documented as facts in
// /work/shared/reference/platforms.md and ndpi-detection-facts.md (nDPI 3b1286a).
// Each check cites its source; nothing here goes beyond what those notes state.
// Port and IP conditions named in the sources are left to the caller (rules layer),
// which knows the flow; these functions look at payload bytes only.

// MARK: - WhatsApp

/// The clear-text prologue WhatsApp mobile clients send before the Noise handshake.
public struct WhatsAppNoisePrologue: Sendable, Equatable {
    /// The two bytes after "WA" (e.g. 6/3 current, 5/2 and 1/5 older), nil when the
    /// bytes end before the "WA" header.
    public var version: [UInt8]?
    /// "ED" 00 01 routing header present (edge routing, newer clients).
    public var edgeRouting: Bool
    /// Length of the routing-info blob after the "ED" header.
    public var routingInfoLength: Int?
}

public enum WhatsAppFraming {
    /// First client payload of a chat connection (TCP 443/5222).
    /// platforms.md §1.2 "Distinctive bytes": plain `57 41 <magic> <dict>` ("WA"), or
    /// `45 44 00 01` ("ED" 0 1) + 3-byte BE length + routing info + "WA" header; nDPI
    /// whatsapp.c (facts §2) matches `45 44 00 01 00 00 04|02 08` and `57 41 01 05`.
    /// whatsapp.pcap shows the 4-byte "ED" header in a segment of its own, so a bare
    /// `45 44 00 01` is accepted (version nil).
    public static func parsePrologue(_ bytes: UnsafeRawBufferPointer) -> WhatsAppNoisePrologue? {
        var reader = ByteReader(bytes)
        guard let first = reader.u8(), let second = reader.u8() else { return nil }
        switch (first, second) {
        case (0x57, 0x41):  // "WA"
            guard let magic = reader.u8(), let dictionary = reader.u8() else { return nil }
            return WhatsAppNoisePrologue(version: [magic, dictionary], edgeRouting: false)
        case (0x45, 0x44):  // "ED"
            guard reader.u8() == 0x00, reader.u8() == 0x01 else { return nil }
            if reader.isAtEnd { return WhatsAppNoisePrologue(edgeRouting: true) }
            guard let length = reader.u24() else { return nil }
            // nDPI's patterns: routing info of 2 or 4 bytes starting with protobuf tag 08.
            guard length > 0, length <= 255, reader.peek() == 0x08 || reader.remaining == 0 else { return nil }
            guard reader.skip(Int(length)) else {
                return WhatsAppNoisePrologue(edgeRouting: true, routingInfoLength: Int(length))
            }
            var version: [UInt8]?
            if reader.remaining >= 4 {
                guard reader.u8() == 0x57, reader.u8() == 0x41, let magic = reader.u8(), let dictionary = reader.u8() else { return nil }
                version = [magic, dictionary]
            }
            return WhatsAppNoisePrologue(version: version, edgeRouting: true, routingInfoLength: Int(length))
        default:
            return nil
        }
    }

    public static func parsePrologue(_ bytes: [UInt8]) -> WhatsAppNoisePrologue? {
        bytes.withUnsafeBytes { parsePrologue($0) }
    }
}

// MARK: - Threema

public enum ThreemaFraming {
    /// Handshake payload sizes in order: client hello 48, server hello 80, login 191
    /// (facts §4, nDPI threema.c; platforms.md §1.4). nDPI also requires TCP port 5222.
    public static let handshakeSizes = [48, 80, 191]

    /// True when the first payload sizes of a connection (both directions, in order)
    /// match the handshake; needs at least the three sizes.
    public static func handshakeMatches(payloadSizes: [Int]) -> Bool {
        payloadSizes.count >= 3 && Array(payloadSizes.prefix(3)) == handshakeSizes
    }

    /// After the handshake (packet 5 on): 2-byte little-endian length == payload size − 2.
    /// Returns the declared frame length, or nil when it does not match.
    public static func frameLength(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var reader = ByteReader(bytes)
        guard let raw = reader.u16() else { return nil }
        let length = Int(raw.byteSwapped)
        return length == reader.remaining ? length : nil
    }

    public static func frameLength(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBytes { frameLength($0) }
    }
}

// MARK: - Viber

public struct ViberPacket: Sendable, Equatable {
    public enum Marker: Sendable, Equatable {
        /// TCP: bytes 6–7 `fc ff` and byte 9 `80`.
        case tcpFCFF
        /// TCP: bytes 4–5 `03 80` and byte 10 `0a`.
        case tcp0380
        /// UDP: bytes 2–3 `03 00`.
        case udp0300
        /// UDP: 20 bytes with bytes 2–3 `09 00`.
        case udp0900
        /// UDP: bytes 2–5 `01 00 05 00`.
        case udp01000500
        /// UDP: 34 bytes with bytes 2–3 `19 00` or `1b 00`.
        case udp34
    }
    public var marker: Marker
}

public enum ViberFraming {
    /// TCP payload ≥ 11 bytes whose first 2 bytes (LE) equal the payload length, plus
    /// one of two marker sets (facts §5, nDPI viber.c; platforms.md §1.6).
    public static func parseTCP(_ bytes: UnsafeRawBufferPointer) -> ViberPacket? {
        guard bytes.count >= 11 else { return nil }
        var reader = ByteReader(bytes)
        guard let raw = reader.u16(), Int(raw.byteSwapped) == bytes.count else { return nil }
        let at = { (index: Int) -> UInt8? in ByteReader(bytes).peek(index) }
        if at(6) == 0xFC, at(7) == 0xFF, at(9) == 0x80 { return ViberPacket(marker: .tcpFCFF) }
        if at(4) == 0x03, at(5) == 0x80, at(10) == 0x0A { return ViberPacket(marker: .tcp0380) }
        return nil
    }

    /// UDP payload > 5 bytes (not RTP/RTCP, not broadcast: caller's part), facts §5.
    public static func parseUDP(_ bytes: UnsafeRawBufferPointer) -> ViberPacket? {
        let reader = ByteReader(bytes)
        guard bytes.count > 5, let b2 = reader.peek(2), let b3 = reader.peek(3),
              let b4 = reader.peek(4), let b5 = reader.peek(5) else { return nil }
        if b2 == 0x03, b3 == 0x00 { return ViberPacket(marker: .udp0300) }
        if bytes.count == 20, b2 == 0x09, b3 == 0x00 { return ViberPacket(marker: .udp0900) }
        if b2 == 0x01, b3 == 0x00, b4 == 0x05, b5 == 0x00 { return ViberPacket(marker: .udp01000500) }
        if bytes.count == 34, b2 == 0x19 || b2 == 0x1B, b3 == 0x00 { return ViberPacket(marker: .udp34) }
        return nil
    }

    public static func parseTCP(_ bytes: [UInt8]) -> ViberPacket? { bytes.withUnsafeBytes { parseTCP($0) } }
    public static func parseUDP(_ bytes: [UInt8]) -> ViberPacket? { bytes.withUnsafeBytes { parseUDP($0) } }
}

// MARK: - Discord voice

public enum DiscordVoicePacket: Sendable, Equatable {
    /// 74-byte IP-discovery request `00 01 00 46` + SSRC.
    case ipDiscoveryRequest(ssrc: UInt32)
    /// 74-byte reply `00 02 00 46` + SSRC + the client's public IP as text at offset 8
    /// and its port in the last two bytes (big-endian).
    case ipDiscoveryResponse(ssrc: UInt32, address: String, port: UInt16)
    /// 8-byte keep-alive starting `13 37 ca fe`.
    case keepAlive
}

public enum DiscordFraming {
    /// facts §12 (nDPI discord.c), platforms.md §1.16; bytes in discord.pcap.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> DiscordVoicePacket? {
        var reader = ByteReader(bytes)
        if bytes.count == 8 {
            return reader.u32() == 0x1337_CAFE ? .keepAlive : nil
        }
        guard bytes.count == 74, let type = reader.u16(), reader.u16() == 0x0046, let ssrc = reader.u32() else { return nil }
        switch type {
        case 0x0001:
            return .ipDiscoveryRequest(ssrc: ssrc)
        case 0x0002:
            // Address: 64 bytes, NUL-padded text; then the port.
            guard let field = reader.bytes(64), let port = reader.u16() else { return nil }
            let text = field.prefix { $0 != 0 }
            guard !text.isEmpty, text.allSatisfy({ $0 == 0x2E || $0 == 0x3A || (0x30...0x39).contains($0) || (0x61...0x66).contains($0) || (0x41...0x46).contains($0) }) else { return nil }
            return .ipDiscoveryResponse(ssrc: ssrc, address: String(decoding: text, as: UTF8.self), port: port)
        default:
            return nil
        }
    }

    public static func parse(_ bytes: [UInt8]) -> DiscordVoicePacket? { bytes.withUnsafeBytes { parse($0) } }
}

// MARK: - Zoom

public struct ZoomSFUPacket: Sendable, Equatable {
    /// First byte: SFU packet type (1/2 handshake, 3/4 seen after it, 5 media encapsulation).
    public var sfuType: UInt8
    /// Types 1/2 followed by `00 02` or `00 03`: the pattern nDPI takes as the SFU start.
    public var isHandshake: Bool
}

public enum ZoomFraming {
    /// UDP 8801–8810 (caller checks the port): facts §12 (nDPI zoom.c) — packets starting
    /// `01 00 02|03` or `02 00 02|03`, later types 3/4, and type 5 with a media header.
    /// Only the first byte is interpreted beyond the handshake pattern.
    public static func parseSFU(_ bytes: UnsafeRawBufferPointer) -> ZoomSFUPacket? {
        let reader = ByteReader(bytes)
        guard let type = reader.peek(0), (1...5).contains(type), bytes.count >= 3 else { return nil }
        let handshake = (type == 1 || type == 2) && reader.peek(1) == 0x00 && (reader.peek(2) == 0x02 || reader.peek(2) == 0x03)
        return ZoomSFUPacket(sfuType: type, isHandshake: handshake)
    }

    public static func parseSFU(_ bytes: [UInt8]) -> ZoomSFUPacket? { bytes.withUnsafeBytes { parseSFU($0) } }
}

// MARK: - IMO

public enum IMOPattern: Sendable, Equatable {
    /// 10 bytes starting `09 02`.
    case tenBytes0902
    /// 11 bytes starting `00 09 03`.
    case elevenBytes000903
    /// 1099 bytes starting `88 49 1a 00`.
    case large88491A00
    /// A 1-byte packet (nDPI wants two in a row with the same byte: caller's part).
    case singleByte(UInt8)
}

public enum IMOFraming {
    /// facts §12 (nDPI imo.c); bytes in imo.pcap.
    public static func match(_ bytes: UnsafeRawBufferPointer) -> IMOPattern? {
        let reader = ByteReader(bytes)
        switch bytes.count {
        case 1: return reader.peek(0).map { .singleByte($0) }
        case 10 where reader.peek(0) == 0x09 && reader.peek(1) == 0x02: return .tenBytes0902
        case 11 where reader.peek(0) == 0x00 && reader.peek(1) == 0x09 && reader.peek(2) == 0x03: return .elevenBytes000903
        case 1099 where reader.peek(0) == 0x88 && reader.peek(1) == 0x49 && reader.peek(2) == 0x1A && reader.peek(3) == 0x00:
            return .large88491A00
        default: return nil
        }
    }

    public static func match(_ bytes: [UInt8]) -> IMOPattern? { bytes.withUnsafeBytes { match($0) } }
}

// MARK: - LINE calls

public enum LINECallPattern: Sendable, Equatable {
    case b618006a, dadb0602, d8d90602, b6130006, b6070004, b609000c, d0Marker
}

public enum LINEFraming {
    /// Per-packet LineCall patterns of facts §8 (nDPI line.c), which nDPI applies only to
    /// IPv4 UDP with one endpoint in the LINE IP list (caller's part). The per-direction
    /// byte-3 counter rule needs flow state and is not here.
    public static func match(_ bytes: UnsafeRawBufferPointer) -> LINECallPattern? {
        let reader = ByteReader(bytes)
        let count = bytes.count
        guard let b0 = reader.peek(0), let b1 = reader.peek(1) else { return nil }
        let b2 = reader.peek(2), b3 = reader.peek(3), b4 = reader.peek(4), b5 = reader.peek(5)
        if count == 110, b0 == 0xB6, b1 == 0x18, b2 == 0x00, b3 == 0x6A { return .b618006a }
        if count >= 738, b0 == 0xDA || b0 == 0xDB, b4 == 0x06, b5 == 0x02 { return .dadb0602 }
        if count >= 150, b0 == 0xD8 || b0 == 0xD9, [0x9, 0xD, 0xE].contains(b1 >> 4), b4 == 0x06, b5 == 0x02 { return .d8d90602 }
        if count == 46, b0 == 0xB6, b1 == 0x13, b2 == 0x00, b3 == 0x06 { return .b6130006 }
        if count == 8, b0 == 0xB6, b1 == 0x07, b2 == 0x00, b3 == 0x04 { return .b6070004 }
        if count == 16, b0 == 0xB6, b1 == 0x09, b2 == 0x00, b3 == 0x0C { return .b609000c }
        if b0 == 0xD0, [0xB3, 0xB4, 0xDA, 0xDB].contains(b1) { return .d0Marker }
        return nil
    }

    public static func match(_ bytes: [UInt8]) -> LINECallPattern? { bytes.withUnsafeBytes { match($0) } }
}

// Signal: no framing of its own — plain TLS 1.2/1.3 (+ WebSocket) on TCP 443 (platforms.md
// §1.1, facts §1); it is recognised by SNI/DNS and STUN REALM, not here.
