extension ByteReader {
    /// A QUIC variable-length integer (RFC 9000 §16): the two high bits of the
    /// first byte give the encoded length (1, 2, 4 or 8 bytes).
    public mutating func quicVarint() -> UInt64? {
        guard let first = peek() else { return nil }
        let length = 1 << Int(first >> 6)
        guard let encoded = bytes(length) else { return nil }
        var value = UInt64(first & 0x3f)
        for byte in encoded.dropFirst() {
            value = value << 8 | UInt64(byte)
        }
        return value
    }

    /// A varint used as a length or count inside this buffer, as an Int.
    public mutating func quicLength() -> Int? {
        guard let value = quicVarint(), value <= UInt64(Int32.max) else { return nil }
        return Int(value)
    }
}

/// The cleartext part of a QUIC long-header packet (RFC 8999 invariants, RFC 9000 §17.2),
/// before header protection is removed. Offsets are relative to the packet's first byte.
public struct QUICLongHeader: Hashable, Sendable {
    /// Longest connection ID allowed by QUIC v1 (RFC 9000 §17.2).
    public static let maxConnectionIDLength = 20

    /// The first byte as on the wire (its low 4 bits are still protected).
    public let firstByte: UInt8
    public let version: QUICVersion
    public let destinationConnectionID: [UInt8]
    public let sourceConnectionID: [UInt8]
    /// nil for Version Negotiation packets (version 0).
    public let packetType: QUICLongPacketType?
    /// Initial packets only: the token (empty when absent).
    public let token: [UInt8]
    /// Offset of the (protected) packet number; for Retry and Version Negotiation,
    /// where there is none, the offset of the rest of the packet.
    public let packetNumberOffset: Int
    /// Bytes this packet occupies in its datagram (coalesced packets follow it).
    public let packetLength: Int

    /// Parses the long header at the start of `packet`. Returns nil when the bytes
    /// are not a well-formed long-header packet that fits in `packet`.
    ///
    /// Connection IDs are capped at 20 bytes for versions we know follow v1 and at
    /// 255 (the invariants' limit) for any other version.
    public static func parse(_ packet: UnsafeRawBufferPointer) -> QUICLongHeader? {
        var reader = ByteReader(packet)
        guard let firstByte = reader.u8(), firstByte & 0x80 != 0,
              let rawVersion = reader.u32() else { return nil }
        let version = QUICVersion(rawVersion)
        let cidLimit = version.isKnown ? maxConnectionIDLength : 255
        guard let dcidLength = reader.u8(), Int(dcidLength) <= cidLimit,
              let dcid = reader.array(Int(dcidLength)),
              let scidLength = reader.u8(), Int(scidLength) <= cidLimit,
              let scid = reader.array(Int(scidLength)) else { return nil }

        if version == .versionNegotiation {
            // The rest is a list of supported versions; it fills the datagram.
            return QUICLongHeader(firstByte: firstByte, version: version, destinationConnectionID: dcid,
                                  sourceConnectionID: scid, packetType: nil, token: [],
                                  packetNumberOffset: reader.offset, packetLength: packet.count)
        }
        // The fixed bit (0x40) is not checked: peers that negotiated grease_quic_bit
        // (RFC 9287) clear it, as the servers in quic-v2.pcapng and quic_0RTT.pcap do.
        let type = version.longPacketType(firstByte: firstByte)
        var token: [UInt8] = []
        switch type {
        case .retry:
            return QUICLongHeader(firstByte: firstByte, version: version, destinationConnectionID: dcid,
                                  sourceConnectionID: scid, packetType: type, token: [],
                                  packetNumberOffset: reader.offset, packetLength: packet.count)
        case .initial:
            guard let tokenLength = reader.quicLength(), let bytes = reader.array(tokenLength) else { return nil }
            token = bytes
        case .zeroRTT, .handshake:
            break
        }
        // Length covers the packet number and the protected payload.
        guard let length = reader.quicLength(), length <= reader.remaining else { return nil }
        return QUICLongHeader(firstByte: firstByte, version: version, destinationConnectionID: dcid,
                              sourceConnectionID: scid, packetType: type, token: token,
                              packetNumberOffset: reader.offset, packetLength: reader.offset + length)
    }
}

/// Splits a UDP datagram into its coalesced QUIC packets (RFC 9000 §12.2).
public enum QUICDatagram {
    /// Coalesced packets beyond this are ignored; real stacks send at most a few
    /// (Initial + 0-RTT, or Initial + Handshake + 1-RTT).
    public static let maxCoalescedPackets = 8

    /// The byte ranges of the long-header packets in `datagram`, in order. Bytes
    /// after them that do not start a long header (a short-header packet, which
    /// has no length and so ends the datagram) are returned as the last range.
    /// Parsing stops at the first malformed packet. A datagram that starts with a
    /// short header yields no range.
    public static func packetRanges(in datagram: UnsafeRawBufferPointer,
                                    limit: Int = maxCoalescedPackets) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        while start < datagram.count, ranges.count < limit {
            let rest = UnsafeRawBufferPointer(rebasing: datagram[start...])
            guard let first = rest.first else { break }
            if first & 0x80 == 0 {
                // A short-header packet has no length, so it runs to the end of the
                // datagram. The fixed bit may be greased (RFC 9287), so trailing bytes
                // after a long-header packet are returned as they are (they may also be
                // zero padding some stacks add outside any packet).
                if !ranges.isEmpty { ranges.append(start..<datagram.count) }
                break
            }
            guard let header = QUICLongHeader.parse(rest), header.packetLength > 0 else { break }
            ranges.append(start..<start + header.packetLength)
            start += header.packetLength
        }
        return ranges
    }
}
