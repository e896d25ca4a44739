// RTP / RTCP (RFC 3550) recognition on UDP, RTP/RTCP multiplexing on one port
// (RFC 5761 §4) and first-byte demultiplexing of media ports (RFC 7983).
// SRTP/SRTCP (RFC 3711) keep the same clear headers, so the same parsers apply;
// only the payload (and RTCP after the first 8 bytes) is encrypted.

/// What the first byte of a UDP payload on a media port says (RFC 7983 §7, plus
/// the ZRTP range of RFC 7983 / RFC 6189).
public enum MediaPacketClass: Sendable, Equatable {
    case stun            // 0–3
    case zrtp            // 16–19
    case dtls            // 20–63
    case turnChannelData // 64–79
    case rtpOrRTCP       // 128–191
    case unknown
}

public enum MediaDemux {
    public static func classify(firstByte: UInt8) -> MediaPacketClass {
        switch firstByte {
        case 0...3: return .stun
        case 16...19: return .zrtp
        case 20...63: return .dtls
        case 64...79: return .turnChannelData
        case 128...191: return .rtpOrRTCP
        default: return .unknown
        }
    }
}

public struct RTPHeader: Sendable, Equatable {
    public var version: UInt8
    public var hasPadding: Bool
    public var hasExtension: Bool
    public var csrcCount: Int
    public var marker: Bool
    public var payloadType: UInt8
    public var sequenceNumber: UInt16
    public var timestamp: UInt32
    public var ssrc: UInt32
    public var csrcs: [UInt32]
    /// Header extension profile (RFC 8285: 0xBEDE one-byte, 0x100x two-byte; others vendor).
    public var extensionProfile: UInt16?
    /// Header extension length in 32-bit words (not counting its 4-byte header).
    public var extensionWords: Int?
    /// Bytes of fixed header + CSRCs + extension.
    public var headerLength: Int
    /// Bytes after the header (for SRTP: encrypted payload plus auth tag).
    public var payloadLength: Int
}

public struct RTCPPacket: Sendable, Equatable {
    /// 200 SR, 201 RR, 202 SDES, 203 BYE, 204 APP, 205 RTPFB, 206 PSFB, 207 XR.
    public var packetType: UInt8
    /// Reception-report count, source count or feedback message type (5 bits).
    public var count: UInt8
    public var hasPadding: Bool
    /// Length field: size in 32-bit words minus one.
    public var lengthWords: UInt16
    /// SSRC of the sender (absent only in malformed or empty packets).
    public var senderSSRC: UInt32?
    public var size: Int { (Int(lengthWords) + 1) * 4 }

    public var typeName: String {
        switch packetType {
        case 200: return "SR"
        case 201: return "RR"
        case 202: return "SDES"
        case 203: return "BYE"
        case 204: return "APP"
        case 205: return "RTPFB"
        case 206: return "PSFB"
        case 207: return "XR"
        default: return String(packetType)
        }
    }
}

/// An RTCP compound packet: the packets whose headers chain correctly, plus what is left.
public struct RTCPCompound: Sendable, Equatable {
    public var packets: [RTCPPacket]
    /// Bytes after the last well-formed packet: for SRTCP the encrypted remainder,
    /// E-flag/index and authentication tag; 0 for plain RTCP that walks exactly.
    public var trailingBytes: Int
}

public enum RTPPacket: Sendable, Equatable {
    case rtp(RTPHeader)
    case rtcp(RTCPCompound)
}

public enum RTP {
    /// RTP or RTCP on a UDP payload, told apart by the second byte (RFC 5761 §4):
    /// 192–223 is RTCP (packet types 200–206 in use), anything else is an RTP payload
    /// type (with marker bit). Version must be 2.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> RTPPacket? {
        guard bytes.count >= 2, bytes[0] >> 6 == 2 else { return nil }
        if (192...223).contains(bytes[1]) {
            return parseRTCP(bytes).map { .rtcp($0) }
        }
        return parseRTPHeader(bytes).map { .rtp($0) }
    }

    public static func parse(_ bytes: [UInt8]) -> RTPPacket? {
        bytes.withUnsafeBytes { parse($0) }
    }

    /// The RTP (or SRTP) header at the start of `bytes`.
    public static func parseRTPHeader(_ bytes: UnsafeRawBufferPointer) -> RTPHeader? {
        var reader = ByteReader(bytes)
        guard let first = reader.u8(), let second = reader.u8(), let sequence = reader.u16(),
              let timestamp = reader.u32(), let ssrc = reader.u32() else { return nil }
        guard first >> 6 == 2 else { return nil }
        let payloadType = second & 0x7F
        // 72–76 would collide with RTCP SR/RR/SDES/BYE/APP when multiplexed (RFC 5761 §4).
        guard !(72...76).contains(payloadType) else { return nil }
        let csrcCount = Int(first & 0x0F)
        var csrcs: [UInt32] = []
        for _ in 0..<csrcCount {
            guard let csrc = reader.u32() else { return nil }
            csrcs.append(csrc)
        }
        var profile: UInt16?
        var words: Int?
        if first & 0x10 != 0 {
            guard let extensionProfile = reader.u16(), let extensionLength = reader.u16(),
                  reader.skip(Int(extensionLength) * 4) else { return nil }
            profile = extensionProfile
            words = Int(extensionLength)
        }
        return RTPHeader(
            version: 2, hasPadding: first & 0x20 != 0, hasExtension: first & 0x10 != 0,
            csrcCount: csrcCount, marker: second & 0x80 != 0, payloadType: payloadType,
            sequenceNumber: sequence, timestamp: timestamp, ssrc: ssrc, csrcs: csrcs,
            extensionProfile: profile, extensionWords: words,
            headerLength: reader.offset, payloadLength: reader.remaining)
    }

    public static func parseRTPHeader(_ bytes: [UInt8]) -> RTPHeader? {
        bytes.withUnsafeBytes { parseRTPHeader($0) }
    }

    /// Walks an RTCP compound packet. The first packet must be complete, version 2, of
    /// type 192–223; the walk then continues while headers chain (SRTCP stops it early).
    public static func parseRTCP(_ bytes: UnsafeRawBufferPointer) -> RTCPCompound? {
        var reader = ByteReader(bytes)
        var packets: [RTCPPacket] = []
        while reader.remaining >= 4 {
            let start = reader.offset
            guard let first = reader.u8(), let type = reader.u8(), let length = reader.u16() else { break }
            let size = (Int(length) + 1) * 4
            guard first >> 6 == 2, (192...223).contains(type), size <= reader.remaining + 4 else {
                reader = ByteReader(bytes, offset: start)
                break
            }
            var body = ByteReader(bytes, offset: reader.offset)
            let ssrc = size >= 8 ? body.u32() : nil
            packets.append(RTCPPacket(packetType: type, count: first & 0x1F, hasPadding: first & 0x20 != 0,
                                      lengthWords: length, senderSSRC: ssrc))
            reader.skip(size - 4)
        }
        guard !packets.isEmpty else { return nil }
        return RTCPCompound(packets: packets, trailingBytes: reader.remaining)
    }

    public static func parseRTCP(_ bytes: [UInt8]) -> RTCPCompound? {
        bytes.withUnsafeBytes { parseRTCP($0) }
    }
}
