import Basics

/// The byte-level writing every JSON projection shares: decimal numbers and quoted
/// strings appended straight into a UTF-8 buffer, each in one copy (no String, no
/// per-digit append).
enum JSONBytes {
    /// `value` in decimal, zero-padded to at least `minimumDigits` (at most 20).
    @inline(__always)
    static func appendDecimal(_ value: UInt64, minimumDigits: Int = 1, to bytes: inout [UInt8]) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let width = min(max(minimumDigits, 1), 20)
        // The tuple is 20 UInt8s: binding its memory to UInt8 reads it as what it is.
        withUnsafeMutableBytes(of: &digits) { raw in
            let buffer = raw.bindMemory(to: UInt8.self)
            var magnitude = value
            var start = 20
            repeat {
                start -= 1
                buffer[start] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            while 20 - start < width {
                start -= 1
                buffer[start] = UInt8(ascii: "0")
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start...]))
        }
    }

    /// A signed or unsigned integer in decimal (a 64-bit magnitude at most).
    @inline(__always)
    static func appendInteger<T: BinaryInteger>(_ value: T, to bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        appendDecimal(UInt64(truncatingIfNeeded: value.magnitude), to: &bytes)
    }

    /// Whether any of the 8 bytes of `word` needs escaping in a JSON string: a control
    /// character (below 0x20, or 0x7F), a quote or a backslash. May answer true for a
    /// word that needs none (the caller then checks byte by byte), never false for one
    /// that does.
    @inline(__always)
    static func mayNeedEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        func hasZeroByte(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & high }
        let control = (word &- 0x20 &* ones) & ~word & high  // a byte below 0x20
        return (control | hasZeroByte(word ^ (0x22 &* ones)) | hasZeroByte(word ^ (0x5C &* ones))
                | hasZeroByte(word ^ (0x7F &* ones))) != 0
    }

    @inline(__always)
    static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == 0x7F || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    /// Whether `utf8` holds a byte that needs escaping (8 bytes at a time).
    static func needsEscape(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = utf8.baseAddress else { return false }
        let raw = UnsafeRawPointer(base)
        var offset = 0
        while offset + 8 <= utf8.count {
            if mayNeedEscape(raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) {
                for byte in utf8[offset..<offset + 8] where needsEscape(byte) { return true }
            }
            offset += 8
        }
        for byte in utf8[offset...] where needsEscape(byte) { return true }
        return false
    }

    /// Appends `value` as a JSON string, escaping quotes, backslashes and control characters.
    static func appendQuoted(_ value: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        // Nearly every value needs no escaping: copy it in one go.
        let copied: Bool? = value.utf8.withContiguousStorageIfAvailable { utf8 in
            if needsEscape(utf8) { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        if copied != true { appendEscaped(value, to: &bytes) }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func appendEscaped(_ value: String, to bytes: inout [UInt8]) {
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\\")); bytes.append(byte)
            case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\")); bytes.append(byte)
            case 0x0A: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
            case 0..<0x20, 0x7F:
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(UInt8(ascii: "u"))
                bytes.append(UInt8(ascii: "0"))
                bytes.append(UInt8(ascii: "0"))
                bytes.append(Hex.digit(byte >> 4))
                bytes.append(Hex.digit(byte))
            default:
                bytes.append(byte)
            }
        }
    }
}
