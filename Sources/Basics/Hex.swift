/// Lower-case hexadecimal text, the one implementation every module uses.
public enum Hex {
    /// The lower-case hex digit (ASCII) of the low four bits of `value`.
    @inlinable @inline(__always)
    public static func digit(_ value: UInt8) -> UInt8 {
        let nibble = value & 0x0F
        return nibble < 10 ? 0x30 + nibble : 0x57 + nibble
    }

    /// Two digits per byte, with `separator` between bytes when given: `16030100`, `16 03 01 00`.
    @inlinable
    public static func lowercase<Bytes: Sequence>(_ bytes: Bytes, separator: UInt8? = nil) -> String where Bytes.Element == UInt8 {
        if let text = bytes.withContiguousStorageIfAvailable({ encode(UnsafeRawBufferPointer($0), separator: separator) }) {
            return text
        }
        return Array(bytes).withUnsafeBytes { encode($0, separator: separator) }
    }

    /// Two digits per byte, with `separator` between bytes when given.
    @inlinable
    public static func lowercase(_ bytes: UnsafeRawBufferPointer, separator: UInt8? = nil) -> String {
        encode(bytes, separator: separator)
    }

    /// An unsigned integer, zero-padded to at least `digits` digits (by default all
    /// the digits of its type: 2 for `UInt8`, 4 for `UInt16`, 8 for `UInt32`).
    @inlinable
    public static func lowercase<Value: FixedWidthInteger & UnsignedInteger>(_ value: Value, digits: Int = Value.bitWidth / 4) -> String {
        let count = max(digits, (Value.bitWidth - value.leadingZeroBitCount + 3) / 4, 1)
        return String(unsafeUninitializedCapacity: count) { text in
            var rest = value
            for index in stride(from: count - 1, through: 0, by: -1) {
                text[index] = digit(UInt8(truncatingIfNeeded: rest))
                rest >>= 4
            }
            return count
        }
    }

    /// 16-bit values as 4 digits each, `separator` between them: `002f,0035,c02b`.
    public static func list(_ values: [UInt16], separator: UInt8 = UInt8(ascii: ",")) -> String {
        guard !values.isEmpty else { return "" }
        return String(unsafeUninitializedCapacity: values.count * 5 - 1) { text in
            var at = 0
            for (index, value) in values.enumerated() {
                if index > 0 { text[at] = separator; at += 1 }
                text[at] = digit(UInt8(truncatingIfNeeded: value >> 12))
                text[at + 1] = digit(UInt8(truncatingIfNeeded: value >> 8))
                text[at + 2] = digit(UInt8(truncatingIfNeeded: value >> 4))
                text[at + 3] = digit(UInt8(truncatingIfNeeded: value))
                at += 4
            }
            return at
        }
    }

    @usableFromInline
    static func encode(_ bytes: UnsafeRawBufferPointer, separator: UInt8?) -> String {
        guard !bytes.isEmpty else { return "" }
        let count = separator == nil ? bytes.count * 2 : bytes.count * 3 - 1
        return String(unsafeUninitializedCapacity: count) { text in
            var at = 0
            for byte in bytes {
                if let separator, at > 0 { text[at] = separator; at += 1 }
                text[at] = digit(byte >> 4)
                text[at + 1] = digit(byte)
                at += 2
            }
            return at
        }
    }
}
