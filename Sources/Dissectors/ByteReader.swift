import Basics

/// A bounds-checked, zero-copy cursor over untrusted bytes. Every read returns
/// nil (or false) instead of trapping when the bytes run out, so a dissector can
/// stop at the first inconsistency: `guard let x = reader.u16() else { return nil }`.
public struct ByteReader {
    public let bytes: UnsafeRawBufferPointer
    public private(set) var offset: Int

    public init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.offset = min(max(offset, 0), bytes.count)
    }

    public var remaining: Int { bytes.count - offset }
    public var isAtEnd: Bool { offset >= bytes.count }

    @inline(__always)
    public mutating func u8() -> UInt8? {
        guard remaining >= 1 else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    @inline(__always)
    public mutating func u16() -> UInt16? {
        guard remaining >= 2 else { return nil }
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    @inline(__always)
    public mutating func u24() -> UInt32? {
        guard remaining >= 3 else { return nil }
        defer { offset += 3 }
        return UInt32(bytes[offset]) << 16 | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2])
    }

    @inline(__always)
    public mutating func u32() -> UInt32? {
        guard remaining >= 4 else { return nil }
        defer { offset += 4 }
        return UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    @inline(__always)
    public mutating func u64() -> UInt64? {
        guard let high = u32(), let low = u32() else { return nil }
        return UInt64(high) << 32 | UInt64(low)
    }

    /// The next `count` bytes, as a view (no copy).
    public mutating func bytes(_ count: Int) -> UnsafeRawBufferPointer? {
        guard count >= 0, remaining >= count else { return nil }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count])
    }

    /// The next `count` bytes, copied into an array.
    public mutating func array(_ count: Int) -> [UInt8]? {
        bytes(count).map { Array($0) }
    }

    @discardableResult
    public mutating func skip(_ count: Int) -> Bool {
        guard count >= 0, remaining >= count else { return false }
        offset += count
        return true
    }

    /// A reader over the next `count` bytes; this reader moves past them.
    public mutating func sub(_ count: Int) -> ByteReader? {
        bytes(count).map { ByteReader($0) }
    }

    /// A length-prefixed block (1-, 2- or 3-byte big-endian length), as a sub-reader.
    public mutating func vector8() -> ByteReader? {
        let start = offset
        guard let length = u8(), let reader = sub(Int(length)) else { offset = start; return nil }
        return reader
    }

    public mutating func vector16() -> ByteReader? {
        let start = offset
        guard let length = u16(), let reader = sub(Int(length)) else { offset = start; return nil }
        return reader
    }

    public mutating func vector24() -> ByteReader? {
        let start = offset
        guard let length = u24(), let reader = sub(Int(length)) else { offset = start; return nil }
        return reader
    }

    /// The byte at `offset + index` without moving, or nil.
    public func peek(_ index: Int = 0) -> UInt8? {
        let position = offset + index
        guard index >= 0, position < bytes.count else { return nil }
        return bytes[position]
    }

    /// The rest of the bytes, as a view; the reader moves to the end.
    public mutating func rest() -> UnsafeRawBufferPointer {
        defer { offset = bytes.count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset...])
    }
}

extension ByteReader {
    /// Printable text of untrusted bytes: UTF-8 with invalid sequences replaced and
    /// control characters escaped as \xNN, so output stays one safe line.
    public static func printable(_ bytes: UnsafeRawBufferPointer) -> String {
        let decoded = String(decoding: bytes, as: UTF8.self)
        guard decoded.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return decoded }
        var text = ""
        for scalar in decoded.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F {
                text += "\\x" + Hex.lowercase(scalar.value, digits: 2)
            } else {
                text.unicodeScalars.append(scalar)
            }
        }
        return text
    }
}
