/// An ACK frame (RFC 9000 §19.3). Ranges are kept as sent: a gap and a range
/// length per additional range, counted downwards from `largestAcknowledged`.
public struct QUICAckFrame: Hashable, Sendable {
    public struct Range: Hashable, Sendable {
        public let gap: UInt64
        public let length: UInt64
    }

    public struct ECNCounts: Hashable, Sendable {
        public let ect0: UInt64
        public let ect1: UInt64
        public let ce: UInt64
    }

    public let largestAcknowledged: UInt64
    public let ackDelay: UInt64
    public let firstRange: UInt64
    public let additionalRanges: [Range]
    /// Present for frame type 0x03.
    public let ecnCounts: ECNCounts?
}

/// A frame that may appear in an Initial packet (RFC 9000 §12.4, table 3).
/// `crypto.data` points into the buffer the `QUICFrameReader` reads; it is valid
/// only as long as that buffer is.
public enum QUICFrame {
    /// A run of consecutive PADDING bytes.
    case padding(count: Int)
    case ping
    case ack(QUICAckFrame)
    case crypto(offset: UInt64, data: UnsafeRawBufferPointer)
    /// `frameType` is nil for the application variant (0x1d).
    case connectionClose(errorCode: UInt64, frameType: UInt64?, reason: [UInt8])
}

/// Walks the frames of a decrypted Initial (or Handshake) payload. Stops at the
/// end, at the first malformed frame, or at a frame type not allowed in these
/// packets (whose length it could not know); `stopReason` says which.
public struct QUICFrameReader {
    public enum StopReason: Hashable, Sendable {
        case endOfPayload
        case malformed(frameType: UInt64)
        case unexpectedFrameType(UInt64)
    }

    private var reader: ByteReader
    public private(set) var stopReason: StopReason?

    public init(_ payload: UnsafeRawBufferPointer) {
        reader = ByteReader(payload)
    }

    public mutating func next() -> QUICFrame? {
        guard stopReason == nil else { return nil }
        guard !reader.isAtEnd else { stopReason = .endOfPayload; return nil }
        guard let type = reader.quicVarint() else { stopReason = .malformed(frameType: 0); return nil }
        let frame: QUICFrame?
        switch type {
        case 0x00:
            var count = 1
            while reader.peek() == 0 { reader.skip(1); count += 1 }
            frame = .padding(count: count)
        case 0x01:
            frame = .ping
        case 0x02, 0x03:
            frame = readAck(withECN: type == 0x03).map(QUICFrame.ack)
        case 0x06:
            if let offset = reader.quicVarint(), let length = reader.quicLength(),
               let data = reader.bytes(length) {
                frame = .crypto(offset: offset, data: data)
            } else {
                frame = nil
            }
        case 0x1c, 0x1d:
            frame = readConnectionClose(hasFrameType: type == 0x1c)
        default:
            stopReason = .unexpectedFrameType(type)
            return nil
        }
        if frame == nil { stopReason = .malformed(frameType: type) }
        return frame
    }

    private mutating func readAck(withECN: Bool) -> QUICAckFrame? {
        guard let largest = reader.quicVarint(), let delay = reader.quicVarint(),
              let rangeCount = reader.quicVarint(), let firstRange = reader.quicVarint() else { return nil }
        // Each range takes at least 2 bytes, so a count larger than that is a lie;
        // checking first keeps a hostile count from driving the loop.
        guard rangeCount <= UInt64(reader.remaining / 2) else { return nil }
        var ranges: [QUICAckFrame.Range] = []
        ranges.reserveCapacity(Int(rangeCount))
        for _ in 0..<rangeCount {
            guard let gap = reader.quicVarint(), let length = reader.quicVarint() else { return nil }
            ranges.append(.init(gap: gap, length: length))
        }
        var ecn: QUICAckFrame.ECNCounts?
        if withECN {
            guard let ect0 = reader.quicVarint(), let ect1 = reader.quicVarint(),
                  let ce = reader.quicVarint() else { return nil }
            ecn = .init(ect0: ect0, ect1: ect1, ce: ce)
        }
        return QUICAckFrame(largestAcknowledged: largest, ackDelay: delay, firstRange: firstRange,
                            additionalRanges: ranges, ecnCounts: ecn)
    }

    private mutating func readConnectionClose(hasFrameType: Bool) -> QUICFrame? {
        guard let errorCode = reader.quicVarint() else { return nil }
        var frameType: UInt64?
        if hasFrameType {
            guard let type = reader.quicVarint() else { return nil }
            frameType = type
        }
        guard let reasonLength = reader.quicLength(), let reason = reader.array(reasonLength) else { return nil }
        return .connectionClose(errorCode: errorCode, frameType: frameType, reason: reason)
    }
}
