/// An IPv4 or IPv6 address held in 16 bytes, without allocation.
///
/// IPv4 addresses are stored as IPv4-mapped IPv6 (`::ffff:a.b.c.d`) so that both
/// families compare, hash and order the same way; `isIPv4` tells them apart.
public struct IPAddress: Hashable, Comparable, Sendable {
    /// Most significant 8 bytes, in network order when read big-endian.
    public var high: UInt64
    /// Least significant 8 bytes.
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// An IPv4 address from its 32-bit big-endian value.
    public init(ipv4 value: UInt32) {
        high = 0
        low = 0x0000_FFFF_0000_0000 | UInt64(value)
    }

    public static let zero = IPAddress(high: 0, low: 0)

    public var isIPv4: Bool { high == 0 && (low >> 32) == 0x0000_FFFF }

    /// The 32-bit IPv4 value; meaningful only when `isIPv4`.
    public var ipv4Value: UInt32 { UInt32(truncatingIfNeeded: low) }

    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        lhs.high != rhs.high ? lhs.high < rhs.high : lhs.low < rhs.low
    }

    /// The address in network byte order: 4 bytes for IPv4, 16 for IPv6.
    public var bytes: [UInt8] {
        if isIPv4 {
            let v = ipv4Value
            return [UInt8(v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)]
        }
        var out = [UInt8]()
        out.reserveCapacity(16)
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: high >> UInt64(shift))) }
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: low >> UInt64(shift))) }
        return out
    }
}

extension IPAddress: CustomStringConvertible {
    /// Dotted quad for IPv4; RFC 5952 text (lower case, longest zero run compressed) for IPv6.
    public var description: String {
        if isIPv4 {
            // Every flow record prints two addresses: build the dotted quad in place.
            let v = ipv4Value
            return String(unsafeUninitializedCapacity: 15) { text in
                var at = 0
                for shift in stride(from: 24, through: 0, by: -8) {
                    let octet = Int((v >> UInt32(shift)) & 0xFF)
                    if octet >= 100 { text[at] = UInt8(ascii: "0") + UInt8(octet / 100); at += 1 }
                    if octet >= 10 { text[at] = UInt8(ascii: "0") + UInt8(octet / 10 % 10); at += 1 }
                    text[at] = UInt8(ascii: "0") + UInt8(octet % 10)
                    at += 1
                    if shift > 0 { text[at] = UInt8(ascii: "."); at += 1 }
                }
                return at
            }
        }
        var groups = [UInt16](repeating: 0, count: 8)
        for i in 0..<4 {
            groups[i] = UInt16(truncatingIfNeeded: high >> UInt64(48 - 16 * i))
            groups[i + 4] = UInt16(truncatingIfNeeded: low >> UInt64(48 - 16 * i))
        }
        // Longest run of zero groups (at least two) is compressed to "::".
        var bestStart = -1, bestLength = 0, runStart = -1
        for i in 0...8 {
            if i < 8 && groups[i] == 0 {
                if runStart < 0 { runStart = i }
            } else if runStart >= 0 {
                if i - runStart > bestLength { bestStart = runStart; bestLength = i - runStart }
                runStart = -1
            }
        }
        if bestLength < 2 { bestStart = -1 }
        var text = ""
        var i = 0
        while i < 8 {
            if i == bestStart {
                text += "::"
                i += bestLength
                continue
            }
            if !text.isEmpty && !text.hasSuffix(":") { text += ":" }
            text += String(groups[i], radix: 16)
            i += 1
        }
        return text
    }

    /// Parses dotted-quad IPv4 or textual IPv6 (with "::" and an embedded IPv4 tail).
    public init?(_ text: Substring) {
        if !text.contains(":") {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 4 else { return nil }
            var value: UInt32 = 0
            for part in parts {
                guard !part.isEmpty, part.count <= 3, let octet = UInt32(part), octet <= 255 else { return nil }
                value = value << 8 | octet
            }
            self.init(ipv4: value)
            return
        }
        var head = [UInt16](), tail = [UInt16]()
        var halves: [String]
        if let gap = text.firstRange(of: "::") {
            halves = [String(text[..<gap.lowerBound]), String(text[gap.upperBound...])]
            guard halves[1].firstRange(of: "::") == nil else { return nil }
        } else {
            halves = [String(text)]
        }
        func parseGroups(_ s: String, into groups: inout [UInt16]) -> Bool {
            if s.isEmpty { return true }
            let fields = s.split(separator: ":", omittingEmptySubsequences: false)
            for (index, field) in fields.enumerated() {
                if index == fields.count - 1, field.contains(".") {
                    guard let v4 = IPAddress(field), v4.isIPv4 else { return false }
                    groups.append(UInt16(v4.ipv4Value >> 16))
                    groups.append(UInt16(v4.ipv4Value & 0xFFFF))
                } else {
                    guard !field.isEmpty, field.count <= 4, let g = UInt16(field, radix: 16) else { return false }
                    groups.append(g)
                }
            }
            return true
        }
        guard parseGroups(halves[0], into: &head) else { return nil }
        if halves.count == 2 {
            guard parseGroups(halves[1], into: &tail), head.count + tail.count <= 7 else { return nil }
        } else {
            guard head.count == 8 else { return nil }
        }
        let groups = head + [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
        var high: UInt64 = 0, low: UInt64 = 0
        for i in 0..<4 { high = high << 16 | UInt64(groups[i]) }
        for i in 4..<8 { low = low << 16 | UInt64(groups[i]) }
        self.init(high: high, low: low)
    }

    public init?(_ text: String) { self.init(Substring(text)) }
}
