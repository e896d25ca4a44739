/// Reassembles the CRYPTO stream of one packet number space from frames that
/// arrive in any order, overlap or repeat — Chrome shuffles small CRYPTO frames
/// inside an Initial, and post-quantum ClientHellos span several Initials.
///
/// Memory is bounded by `capacity`: bytes beyond it are dropped, so a message
/// that does not fit never completes (and the caller can give up).
public struct QUICCryptoStream: Hashable, Sendable {
    /// Enough for any real ClientHello (a few KB, even with PQ key shares).
    public static let defaultCapacity = 64 * 1024

    public let capacity: Int
    /// Bytes at their stream offsets; only positions in `received` are meaningful.
    private var buffer: [UInt8] = []
    /// Received byte ranges, sorted, disjoint and not adjacent.
    private var received: [Range<Int>] = []
    /// Set once a frame reached past `capacity`.
    public private(set) var isTruncated = false

    public init(capacity: Int = defaultCapacity) {
        self.capacity = max(0, capacity)
    }

    /// Adds the data of one CRYPTO frame. Overlapping bytes are overwritten by
    /// the newest copy (a conforming sender repeats identical bytes).
    public mutating func insert(offset: UInt64, data: UnsafeRawBufferPointer) {
        guard !data.isEmpty else { return }
        guard offset < UInt64(capacity) else { isTruncated = true; return }
        let start = Int(offset)
        let storable = min(data.count, capacity - start)
        if storable < data.count { isTruncated = true }
        let end = start + storable
        if buffer.count < end {
            buffer.append(contentsOf: repeatElement(0, count: end - buffer.count))
        }
        buffer.withUnsafeMutableBytes { destination in
            let target = UnsafeMutableRawBufferPointer(rebasing: destination[start..<end])
            target.copyMemory(from: UnsafeRawBufferPointer(rebasing: data[0..<storable]))
        }
        markReceived(start..<end)
    }

    public mutating func insert(offset: UInt64, data: [UInt8]) {
        data.withUnsafeBytes { insert(offset: offset, data: $0) }
    }

    private mutating func markReceived(_ range: Range<Int>) {
        var merged = range
        var kept: [Range<Int>] = []
        kept.reserveCapacity(received.count + 1)
        for existing in received {
            if existing.upperBound < merged.lowerBound || existing.lowerBound > merged.upperBound {
                kept.append(existing)
            } else {
                merged = min(existing.lowerBound, merged.lowerBound)..<max(existing.upperBound, merged.upperBound)
            }
        }
        let index = kept.firstIndex { $0.lowerBound > merged.lowerBound } ?? kept.endIndex
        kept.insert(merged, at: index)
        received = kept
    }

    /// Number of bytes received without a hole from offset 0.
    public var contiguousCount: Int {
        guard let first = received.first, first.lowerBound == 0 else { return 0 }
        return first.upperBound
    }

    /// The bytes received without a hole from offset 0.
    public var contiguousPrefix: ArraySlice<UInt8> {
        buffer[0..<contiguousCount]
    }

    /// True when at least one byte has been received (at any offset).
    public var isEmpty: Bool { received.isEmpty }

    /// The first TLS handshake message (type + body without its 4-byte header) once
    /// all of it has arrived; nil while bytes are missing.
    public var firstHandshakeMessage: (type: UInt8, body: ArraySlice<UInt8>)? {
        let prefix = contiguousPrefix
        guard prefix.count >= 4 else { return nil }
        let base = prefix.startIndex
        let length = Int(prefix[base + 1]) << 16 | Int(prefix[base + 2]) << 8 | Int(prefix[base + 3])
        guard prefix.count - 4 >= length else { return nil }
        return (prefix[base], prefix[(base + 4)..<(base + 4 + length)])
    }

    /// Whether a complete TLS handshake message starts at offset 0.
    public var hasCompleteHandshakeMessage: Bool { firstHandshakeMessage != nil }
}
