import Decoding
import Schema

/// A text field rules may read from `FlowFacts`, by number: looking it up costs an
/// array index instead of hashing its name.
public struct TextFieldID: Sendable, Hashable, CustomStringConvertible {
    /// Position in `TextFieldID.names`.
    public let index: Int

    /// The field called `name` (see `RuleFields`), or nil if it is not a text field.
    public init?(_ name: String) {
        guard let index = TextFieldID.ids[name] else { return nil }
        self.index = index
    }

    init(index: Int) { self.index = index }

    /// The text field a declared field is for rules, or nil if rules read it otherwise.
    public init?(_ field: Field) {
        guard let index = TextFieldID.byField[field.rawValue] else { return nil }
        self.index = index
    }

    public var name: String { TextFieldID.names[index] }
    public var description: String { name }
    /// Whether values are domain names (normalised as rules see them).
    public var isDomain: Bool { TextFieldID.domain[index] }

    /// Every text field, domain fields included, `proto` and `app_proto` too, sorted.
    public static let names: [String] = {
        let names = RuleFields.domainFields.union(RuleFields.textFields).union(RuleFields.flowTextFields).sorted()
        precondition(names.count <= 64, "text fields must fit a 64-bit mask")
        return names
    }()
    static let ids: [String: Int] = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
    /// The text field number of each declared field, by `rawValue`.
    static let byField: [Int?] = Field.allCases.map { Field.declarations[$0.rawValue].rule == nil ? nil : ids[$0.ruleName] }
    static let domain: [Bool] = names.map { RuleFields.domainFields.contains($0) }
    public static var count: Int { names.count }
    static let proto = ids["proto"]!
    static let appProto = ids["app_proto"]!
}

/// The flow counters rules may bound (`counter:` conditions).
public enum FlowCounter: Int, Sendable, CaseIterable {
    case packetsC2S, packetsS2C, bytesC2S, bytesS2C, payloadC2S, payloadS2C, durationMS

    /// `packets_c2s`, … as rules name it.
    public var name: String { RuleFields.counters[rawValue] }

    public init?(name: String) {
        guard let i = RuleFields.counters.firstIndex(of: name) else { return nil }
        self.init(rawValue: i)
    }
}

/// What the rules can see of one flow: the flow-table counters and the evidence
/// of its first packets, flattened into named fields. The classifier fills it
/// from a flow report; the rule engine only reads it.
public struct FlowFacts: Sendable {
    /// `tcp`, `udp`, `icmp`, `icmpv6`, `sctp`, or the protocol number as text.
    public var proto: String
    public var sourceAddress: IPAddress
    public var sourcePort: UInt16
    public var destinationAddress: IPAddress
    public var destinationPort: UInt16
    /// `tls`, `quic`, `dtls`, `dns`, `http`, `ssh`, `stun`, `rtp`, `mtproto`, `whatsapp-noise`, …
    public var appProto: String?
    /// STUN attribute type numbers seen, in order.
    public var stunAttributes: [UInt16]
    /// The first bytes (at most `firstPayloadLimit`) of the first payload packet
    /// of each direction: index 0 client to server, 1 server to client.
    public var firstPayload: FirstPayloads
    /// Signed lengths of the first payload packets (positive client to server).
    public var payloadLengths: [Int32]

    /// One value of a text field: as given, and as rules see it (domain fields in
    /// lower case without trailing dots).
    struct TextEntry: Sendable {
        var field: Int
        var raw: String
        var seen: String
    }

    /// The text values in the order given (one array for all fields: few per flow).
    private(set) var entries: [TextEntry] = []
    /// Bit `i` is set when field `i` has values.
    private(set) var textPresent: UInt64 = 0
    /// Text under names that are not text fields (kept for `text`, read by rules by name).
    private(set) var extraText: [String: [String]] = [:]
    private var counterValues = (Int64(0), Int64(0), Int64(0), Int64(0), Int64(0), Int64(0), Int64(0))
    private var counterPresent: UInt8 = 0
    private var extraCounters: [String: Int64] = [:]

    public static let firstPayloadLimit = 64

    public init(
        proto: String, sourceAddress: IPAddress, sourcePort: UInt16, destinationAddress: IPAddress, destinationPort: UInt16,
        appProto: String? = nil, text: [String: [String]] = [:], stunAttributes: [UInt16] = [],
        firstPayload: FirstPayloads = FirstPayloads(), payloadLengths: [Int32] = [], counters: [String: Int64] = [:]
    ) {
        self.proto = proto
        self.sourceAddress = sourceAddress
        self.sourcePort = sourcePort
        self.destinationAddress = destinationAddress
        self.destinationPort = destinationPort
        self.appProto = appProto
        self.stunAttributes = stunAttributes
        self.firstPayload = firstPayload
        self.payloadLengths = payloadLengths
        if !text.isEmpty { self.text = text }
        if !counters.isEmpty { self.counters = counters }
    }

    /// Text fields by name: `tls.sni`, `dns_name`, `dns.queries`, `http.host`,
    /// `tls.alpn`, `tls.ja3`, `tls.ja3s`, `tls.ja4`, `tls.ja4s`, `tcp.ja4t`,
    /// `tls.certificates.issuer`, `tls.certificates.subject`, `stun.realm`,
    /// `stun.software`, `mtproto.transport`, `quic.version`, `ssh.client_banner`,
    /// `ssh.hassh`, `http.user_agent`, `framings`, … (several values where the
    /// record has a list). Absent fields are simply missing. `RuleFields` lists every
    /// name rules may use; domain fields need no normalising (the engine lower-cases them).
    /// (A view: `append(_:to:)` and `values(_:)` are the fast way to fill and read it.)
    public var text: [String: [String]] {
        get {
            var out = extraText
            for entry in entries { out[TextFieldID.names[entry.field], default: []].append(entry.raw) }
            return out
        }
        set {
            entries = []
            textPresent = 0
            extraText = [:]
            for (name, values) in newValue {
                if let id = TextFieldID(name) {
                    for value in values { append(value, to: id) }
                } else {
                    extraText[name] = values
                }
            }
        }
    }

    /// Adds one value to a text field (after those already there).
    public mutating func append(_ value: String, to field: TextFieldID) {
        let i = field.index
        if entries.isEmpty { entries.reserveCapacity(16) }
        entries.append(TextEntry(field: i, raw: value, seen: TextFieldID.domain[i] ? RuleFields.normaliseDomain(value) : value))
        textPresent |= 1 << UInt64(i)
    }

    /// The values of a text field, as given (empty when absent).
    public func values(_ field: TextFieldID) -> [String] {
        guard has(field) else { return [] }
        return entries.compactMap { $0.field == field.index ? $0.raw : nil }
    }

    /// Whether a text field has a value.
    public func has(_ field: TextFieldID) -> Bool { textPresent & (1 << UInt64(field.index)) != 0 }

    /// Values of text field number `i` as rules see them (`proto` and `app_proto` from the flow).
    func ruleText(_ i: Int) -> RuleTexts {
        if i == TextFieldID.proto { return RuleTexts(single: proto) }
        if i == TextFieldID.appProto { return RuleTexts(single: appProto) }
        return RuleTexts(entries: textPresent & (1 << UInt64(i)) != 0 ? entries : [], field: i)
    }

    /// Flow counters by name: `packets_c2s`, `packets_s2c`, `bytes_c2s`,
    /// `bytes_s2c`, `payload_c2s`, `payload_s2c`, `duration_ms`.
    public var counters: [String: Int64] {
        get {
            var out = extraCounters
            for counter in FlowCounter.allCases { if let v = self[counter] { out[counter.name] = v } }
            return out
        }
        set {
            counterPresent = 0
            extraCounters = [:]
            for (name, value) in newValue {
                if let counter = FlowCounter(name: name) { self[counter] = value } else { extraCounters[name] = value }
            }
        }
    }

    /// One flow counter, nil when not set.
    public subscript(counter: FlowCounter) -> Int64? {
        get {
            guard counterPresent & (1 << UInt8(counter.rawValue)) != 0 else { return nil }
            switch counter {
            case .packetsC2S: return counterValues.0
            case .packetsS2C: return counterValues.1
            case .bytesC2S: return counterValues.2
            case .bytesS2C: return counterValues.3
            case .payloadC2S: return counterValues.4
            case .payloadS2C: return counterValues.5
            case .durationMS: return counterValues.6
            }
        }
        set {
            let bit = UInt8(1) << UInt8(counter.rawValue)
            guard let value = newValue else {
                counterPresent &= ~bit
                return
            }
            counterPresent |= bit
            switch counter {
            case .packetsC2S: counterValues.0 = value
            case .packetsS2C: counterValues.1 = value
            case .bytesC2S: counterValues.2 = value
            case .bytesS2C: counterValues.3 = value
            case .payloadC2S: counterValues.4 = value
            case .payloadS2C: counterValues.5 = value
            case .durationMS: counterValues.6 = value
            }
        }
    }

    /// A counter by name (the known ones by number, others from the names given to `counters`).
    func counter(_ id: FlowCounter?, name: String) -> Int64? {
        if let id { return self[id] }
        return extraCounters[name]
    }
}

/// The values of one text field as rules see them, in order, without making an array.
struct RuleTexts: Sequence, IteratorProtocol {
    private let entries: [FlowFacts.TextEntry]
    private let field: Int
    private var position = 0
    private var single: String?
    private let list: [String]
    private var listPosition = 0

    init(entries: [FlowFacts.TextEntry], field: Int) {
        self.entries = entries
        self.field = field
        list = []
    }

    init(single: String?) {
        entries = []
        field = -1
        self.single = single
        list = []
    }

    init(list: [String]) {
        entries = []
        field = -1
        self.list = list
    }

    mutating func next() -> String? {
        if let value = single {
            single = nil
            return value
        }
        while position < entries.count {
            defer { position += 1 }
            if entries[position].field == field { return entries[position].seen }
        }
        if listPosition < list.count {
            defer { listPosition += 1 }
            return list[listPosition]
        }
        return nil
    }
}
