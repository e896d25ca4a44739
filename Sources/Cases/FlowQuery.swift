import Decoding

/// What `case query` asks for; every condition set must hold (AND), a list holds
/// when any of its items does. Engines turn it into SQL with `whereClause`.
public struct FlowQuery: Sendable {
    /// Flows seen during [from, to] (ns): first_seen ≤ to and last_seen ≥ from.
    public var from: Int64?
    public var to: Int64?
    /// Either end in one of these networks.
    public var networks: [AddressRange] = []
    /// Either end on one of these ports.
    public var ports: [UInt16] = []
    public var proto: String?
    public var platform: String?
    public var service: String?
    public var activity: String?
    /// `low`, `medium` or `high`: flows at least this sure.
    public var minConfidence: String?
    public var sni: NamePattern?
    public var dnsName: NamePattern?
    public var ja3: String?
    public var ja4: String?
    public var ja4s: String?
    public var ja4x: String?
    public var communityID: String?
    /// Flows whose first packet came from one of these files (ids in `files`).
    public var fileIDs: [Int64]?

    public init() {}

    public static let confidences = ["low", "medium", "high"]

    /// The `WHERE` clause (empty when nothing is asked) and its bound values.
    public func whereClause(_ dialect: SQLDialect) -> (sql: String, values: [SQLValue]) {
        var conditions: [String] = []
        var values: [SQLValue] = []
        func bind(_ value: SQLValue) -> String {
            values.append(value)
            return dialect.placeholder(values.count)
        }
        if let to { conditions.append("first_seen <= \(bind(.integer(to)))") }
        if let from { conditions.append("last_seen >= \(bind(.integer(from)))") }
        if !networks.isEmpty {
            let either = networks.map { range -> String in
                switch dialect {
                case .sqlite:
                    let low = bind(.blob(range.low.sixteenBytes)), high = bind(.blob(range.high.sixteenBytes))
                    let low2 = bind(.blob(range.low.sixteenBytes)), high2 = bind(.blob(range.high.sixteenBytes))
                    return "src_ip BETWEEN \(low) AND \(high) OR dst_ip BETWEEN \(low2) AND \(high2)"
                case .postgres:
                    let network = bind(.text(range.cidr))
                    return "src_ip <<= \(network)::inet OR dst_ip <<= \(network)::inet"
                }
            }
            conditions.append("(" + either.joined(separator: " OR ") + ")")
        }
        if !ports.isEmpty {
            let list = ports.map { bind(.integer(Int64($0))) }.joined(separator: ", ")
            let list2 = ports.map { bind(.integer(Int64($0))) }.joined(separator: ", ")
            conditions.append("(src_port IN (\(list)) OR dst_port IN (\(list2)))")
        }
        for (column, value) in [(FlowColumn.proto, proto), (.platform, platform), (.service, service), (.activity, activity),
                                 (.tlsJA3, ja3), (.tlsJA4, ja4), (.tlsJA4S, ja4s), (.tlsJA4X, ja4x), (.communityID, communityID)] {
            if let value { conditions.append("\(column.name) = \(bind(.text(value)))") }
        }
        if let minConfidence, let rank = FlowQuery.confidences.firstIndex(of: minConfidence) {
            let list = FlowQuery.confidences[rank...].map { bind(.text($0)) }.joined(separator: ", ")
            conditions.append("confidence IN (\(list))")
        }
        for (column, pattern) in [(FlowColumn.tlsSNI, sni), (.dnsName, dnsName)] {
            guard let pattern else { continue }
            let exact = bind(.text(pattern.name))
            if pattern.suffix {
                let like = bind(.text("%." + FlowQuery.escapedForLike(pattern.name)))
                conditions.append("(\(column.name) = \(exact) OR \(column.name) LIKE \(like) ESCAPE '\\')")
            } else {
                conditions.append("\(column.name) = \(exact)")
            }
        }
        if let fileIDs {
            let list = fileIDs.isEmpty ? "NULL" : fileIDs.map { bind(.integer($0)) }.joined(separator: ", ")
            conditions.append("file_id IN (\(list))")
        }
        return (conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "), values)
    }

    static func escapedForLike(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}

/// A domain name to match: exact, or (given as `.name` or `*.name`) the name and
/// every name below it. Compared in lower case, without a trailing dot.
public struct NamePattern: Sendable, Equatable {
    public var name: String
    public var suffix: Bool

    public init(_ text: String) {
        var name = text.lowercased()
        suffix = false
        if name.hasPrefix("*.") { name.removeFirst(2); suffix = true } else if name.hasPrefix(".") { name.removeFirst(); suffix = true }
        if name.hasSuffix(".") { name.removeLast() }
        self.name = name
    }

    /// The stored form of a name (`tls_sni`, `dns_name` columns).
    public static func normalised(_ name: String) -> String {
        var lower = name.lowercased()
        if lower.hasSuffix(".") { lower.removeLast() }
        return lower
    }

    public func matches(_ candidate: String?) -> Bool {
        guard let candidate else { return false }
        let value = NamePattern.normalised(candidate)
        return value == name || (suffix && value.hasSuffix("." + name))
    }
}

/// An address or CIDR network, as the inclusive range of its 16-byte forms.
public struct AddressRange: Sendable, Equatable {
    public var low: IPAddress
    public var high: IPAddress
    /// As given, normalised (`10.1.2.0/24`, `2001:db8::/32`).
    public var cidr: String

    /// Parses `ADDR` or `ADDR/BITS`; nil when malformed.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(parts[0]) else { return nil }
        let width = address.isIPv4 ? 32 : 128
        var bits = width
        if parts.count == 2 {
            guard let given = Int(parts[1]), (0...width).contains(given) else { return nil }
            bits = given
        }
        let hostBits = width - bits
        let prefixBits = 128 - hostBits
        low = AddressRange.masked(address, prefixBits: prefixBits, ones: false)
        high = AddressRange.masked(address, prefixBits: prefixBits, ones: true)
        cidr = "\(low)/\(bits)"
    }

    public func contains(_ address: IPAddress) -> Bool { low <= address && address <= high }

    /// `address` with the bits after the first `prefixBits` (of 128) all cleared or all set.
    static func masked(_ address: IPAddress, prefixBits: Int, ones: Bool) -> IPAddress {
        func part(_ value: UInt64, keeping bits: Int) -> UInt64 {
            if bits >= 64 { return value }
            if bits <= 0 { return ones ? .max : 0 }
            let hostMask: UInt64 = (1 << UInt64(64 - bits)) - 1
            return ones ? value | hostMask : value & ~hostMask
        }
        return IPAddress(high: part(address.high, keeping: prefixBits), low: part(address.low, keeping: prefixBits - 64))
    }
}

extension IPAddress {
    /// The stored form of an address: always 16 bytes, big-endian (IPv4 as ::ffff:a.b.c.d).
    public var sixteenBytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 16)
        for index in 0..<8 {
            out[index] = UInt8(truncatingIfNeeded: high >> UInt64(56 - 8 * index))
            out[8 + index] = UInt8(truncatingIfNeeded: low >> UInt64(56 - 8 * index))
        }
        return out
    }

    /// The address of a stored 16-byte form.
    public init?(sixteenBytes bytes: [UInt8]) {
        guard bytes.count == 16 else { return nil }
        var high: UInt64 = 0, low: UInt64 = 0
        for index in 0..<8 {
            high = high << 8 | UInt64(bytes[index])
            low = low << 8 | UInt64(bytes[8 + index])
        }
        self.init(high: high, low: low)
    }
}
