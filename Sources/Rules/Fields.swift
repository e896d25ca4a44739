import Decoding
import Schema

/// How rules may compare one field of `FlowFacts`.
public enum MatchMode: String, Sendable, Hashable, CaseIterable {
    /// Equal text (or number).
    case exact
    /// Ends with; for domain fields only on a label boundary (`signal.org` matches `chat.signal.org`, not `notsignal.org`).
    case suffix
    /// Starts with (e.g. the first section of a JA4: `t13d1516h2_`).
    case prefix
    /// Contains somewhere.
    case contains
    /// A pattern of the safe subset (`SafeRegex`).
    case regex
    /// Address within a prefix (`203.0.113.0/24`, `2001:db8::/32`, or a single address).
    case cidr
    /// Number within `low-high` (or equal to a single number).
    case range
}

/// What kind of values a field carries, which decides its modes.
public enum FieldKind: Sendable, Hashable {
    /// Text; domains compare without case and on label boundaries.
    case text(domain: Bool)
    /// An IP address (src, dst, or either).
    case address
    /// A port or another small number.
    case number

    public var modes: [MatchMode] {
        switch self {
        case .text: return [.exact, .suffix, .prefix, .contains, .regex]
        case .address: return [.cidr]
        case .number: return [.exact, .range]
        }
    }
}

/// The field names rules may use (the keys of the flow records, flattened with
/// dots), derived from the field declarations (`Schema.Field`): a field is a rule
/// field when its declaration gives it a `RuleKind`.
public enum RuleFields {
    private static func names(_ kinds: Set<RuleKind>) -> [String] {
        Field.ruleFields.filter { kinds.contains(Field.declarations[$0.rawValue].rule!) }.map(\.ruleName)
    }

    /// Domain-name fields: compared in lower case, trailing dot ignored, suffix on labels.
    public static let domainFields = Set(names([.domain]))

    /// Other text fields `FlowFacts.text` may carry.
    public static let textFields = Set(names([.text])).subtracting(flowTextFields)

    public static let addressFields = Set(names([.address]))
    public static let numberFields = Set(names([.number]))
    /// Fields read from the flow itself rather than from `FlowFacts.text`.
    public static let flowTextFields: Set<String> = [Field.proto.ruleName, Field.appProto.ruleName]

    /// Counter names usable in `counter:` conditions, in `FlowCounter` order.
    public static let counters: [String] = Field.allCases.filter { Field.declarations[$0.rawValue].rule == .counter }.map(\.ruleName)

    public static let allNames: [String] = Field.ruleFields.filter { Field.declarations[$0.rawValue].rule != .counter }.map(\.ruleName)

    /// The kind of `name`, or nil for an unknown field.
    public static func kind(of name: String) -> FieldKind? {
        if domainFields.contains(name) { return .text(domain: true) }
        if textFields.contains(name) || flowTextFields.contains(name) { return .text(domain: false) }
        if addressFields.contains(name) { return .address }
        if numberFields.contains(name) { return .number }
        return nil
    }

    /// Text values of a text field, normalised as rules see them.
    static func text(_ field: TextRef, of facts: FlowFacts) -> RuleTexts {
        switch field {
        case .field(let i): return facts.ruleText(i)
        case .other(let name): return RuleTexts(list: facts.extraText[name] ?? [])
        }
    }

    static func addresses(_ field: AddressRef, of facts: FlowFacts) -> [IPAddress] {
        switch field {
        case .source: return [facts.sourceAddress]
        case .destination: return [facts.destinationAddress]
        case .either: return [facts.sourceAddress, facts.destinationAddress]
        }
    }

    static func numbers(_ field: NumberRef, of facts: FlowFacts) -> [Int] {
        switch field {
        case .sourcePort: return [Int(facts.sourcePort)]
        case .destinationPort: return [Int(facts.destinationPort)]
        case .eitherPort: return [Int(facts.sourcePort), Int(facts.destinationPort)]
        case .stunAttributes: return facts.stunAttributes.map { Int($0) }
        }
    }

    static func normaliseDomain(_ name: String) -> String {
        // Already normal (ASCII, no upper case, no trailing dot): the same string.
        var plain = true
        for byte in name.utf8 where byte >= 0x80 || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) {
            plain = false
            break
        }
        if plain && name.utf8.last != UInt8(ascii: ".") { return name }
        var text = name.lowercased()
        while text.hasSuffix(".") { text.removeLast() }
        return text
    }
}

/// A text field as compiled: its number, or (for a name that is no text field) the name.
enum TextRef: Sendable, Hashable {
    case field(Int)
    case other(String)

    init(_ name: String) {
        if let id = TextFieldID(name) { self = .field(id.index) } else { self = .other(name) }
    }
}

/// An address field as compiled (any name but `src_ip` and `dst_ip` reads both addresses).
enum AddressRef: Int, Sendable {
    case source, destination, either

    init(_ name: String) {
        switch name {
        case "src_ip": self = .source
        case "dst_ip": self = .destination
        default: self = .either
        }
    }
}

/// A number field as compiled (any name but the port fields reads the STUN attributes).
enum NumberRef: Int, Sendable {
    case sourcePort, destinationPort, eitherPort, stunAttributes

    init(_ name: String) {
        switch name {
        case "src_port": self = .sourcePort
        case "dst_port": self = .destinationPort
        case "any_port": self = .eitherPort
        default: self = .stunAttributes
        }
    }
}

/// An IPv4 or IPv6 prefix, held in the IPv4-mapped IPv6 space of `IPAddress`
/// (an IPv4 /24 is a /120 there), so one table serves both families.
public struct IPPrefix: Sendable, Hashable, CustomStringConvertible {
    /// The network address (host bits zero).
    public let network: IPAddress
    /// Prefix length in the 128-bit space.
    public let length: Int

    public init(network: IPAddress, length: Int) {
        self.length = max(0, min(128, length))
        self.network = IPPrefix.mask(network, self.length)
    }

    /// Parses `a.b.c.d/n`, `x::y/n` or a single address.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = IPAddress(parts[0]) else { return nil }
        var length = address.isIPv4 ? 32 : 128
        if parts.count == 2 {
            guard let n = Int(parts[1]), n >= 0, n <= length, parts[1].utf8.count <= 3 else { return nil }
            length = n
        }
        self.init(network: address, length: address.isIPv4 ? 96 + length : length)
    }

    public func contains(_ address: IPAddress) -> Bool { IPPrefix.mask(address, length) == network }

    /// The length as written (32-bit space for IPv4).
    public var writtenLength: Int { network.isIPv4 && length >= 96 ? length - 96 : length }

    public var description: String { "\(network)/\(writtenLength)" }

    static func mask(_ address: IPAddress, _ length: Int) -> IPAddress {
        func bits(_ n: Int) -> UInt64 { n <= 0 ? 0 : n >= 64 ? ~0 : ~(~UInt64(0) >> UInt64(n)) }
        return IPAddress(high: address.high & bits(length), low: address.low & bits(length - 64))
    }
}
