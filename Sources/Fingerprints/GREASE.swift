/// GREASE values (RFC 8701): the 16 code points 0x0a0a, 0x1a1a, ..., 0xfafa.
public enum GREASE {
    /// Whether a 16-bit TLS code point is a GREASE value.
    @inlinable
    public static func isGREASE(_ value: UInt16) -> Bool {
        value & 0x0f0f == 0x0a0a && value >> 8 == value & 0xff
    }

    /// The values with GREASE removed, order kept.
    @inlinable
    public static func removing(from values: [UInt16]) -> [UInt16] {
        // One allocation (`filter` grows its result as it goes).
        var kept = [UInt16]()
        kept.reserveCapacity(values.count)
        for value in values where !isGREASE(value) { kept.append(value) }
        return kept
    }
}
