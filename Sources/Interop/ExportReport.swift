import Basics
import Decoding
import Crypto
import Rules
import Schema

/// The formats `cipherscope rules export` writes.
public enum ExportFormat: String, Sendable, CaseIterable {
    case suricata
    case zeekIntel = "zeek-intel"
    case misp
    case stix
}

/// One value a format received, with where it came from: the semantic tests build
/// a flow with `field = value` and check the pack matches it with `rule`.
public struct ExportedIndicator: Sendable, Hashable {
    public var ruleID: String
    public var ruleName: String
    /// The values a flow needs for the exported item to match (one for indicator formats).
    public var values: [ExportedValue]
    /// What the format holds (a Suricata rule, a Zeek line, a STIX pattern, a MISP attribute).
    public var exported: String
}

/// One field value an exported item stands for.
public struct ExportedValue: Sendable, Hashable {
    public var field: Field
    public var mode: MatchMode
    /// The value as the pack has it (a domain, a CIDR, a fingerprint, a port range …).
    public var value: String
}

/// A condition (or a combination of conditions) of a rule the format cannot express.
public struct Unexpressed: Sendable, Hashable, CustomStringConvertible {
    public var ruleID: String
    public var ruleName: String
    /// `file:line` of the condition.
    public var place: String
    public var condition: String
    public var reason: String
    public var description: String { "\(ruleName) (\(place)): \(condition): \(reason)" }
}

/// What an export produced: the main text, files written beside it (Suricata
/// datasets), what went out and what could not.
public struct ExportResult: Sendable {
    public var format: ExportFormat
    public var text: String
    /// File name (relative to the output's folder) and content.
    public var sideFiles: [(name: String, content: String)] = []
    public var exported: [ExportedIndicator] = []
    public var unexpressed: [Unexpressed] = []
    /// Rules (Suricata), lines (Zeek), objects (MISP) or indicators (STIX) written.
    public var units = 0

    public init(format: ExportFormat, text: String = "") {
        self.format = format
        self.text = text
    }

    /// The "not expressible" list as comment lines with the given prefix.
    public func commentBlock(prefix: String) -> String {
        guard !unexpressed.isEmpty else { return "\(prefix) every condition of the packs is expressed\n" }
        var out = "\(prefix) NOT EXPRESSIBLE in \(format.rawValue) (\(unexpressed.count)), per rule and condition:\n"
        for item in unexpressed { out += "\(prefix)   \(oneLine(item.description))\n" }
        return out
    }
}

/// Options shared by the exporters.
public struct ExportOptions: Sendable {
    /// First Suricata sid.
    public var sidBase: Int = 9_900_000
    /// Exact lists longer than this become a Suricata dataset.
    public var datasetThreshold: Int = 20
    /// Base name for side files (the output file's name without folder).
    public var sideFileBase: String = "cipherscope"
    public init() {}
}

public enum RuleExporter {
    /// Exports the rules of `packs` (deprecated rules excepted, listed as unexpressed).
    public static func export(_ packs: [RulePack], to format: ExportFormat, options: ExportOptions = ExportOptions()) -> ExportResult {
        switch format {
        case .suricata: return SuricataExport.export(packs, options: options)
        case .zeekIntel: return ZeekIntelExport.export(packs)
        case .misp: return MISPExport.export(packs)
        case .stix: return STIXExport.export(packs)
        }
    }

    /// Writes the result atomically (0600) to `path`, side files beside it.
    public static func write(_ result: ExportResult, to path: String) throws(SystemError) {
        let folder = path.lastIndex(of: "/").map { String(path[...$0]) } ?? ""
        for side in result.sideFiles { try AtomicFile.write(folder + side.name, Array(side.content.utf8)) }
        try AtomicFile.write(path, Array(result.text.utf8))
    }
}

// MARK: - Conditions as sums of products

/// One term of a conjunction: a positive condition or a negated one.
enum Atom: Sendable {
    case field(FieldCondition)
    case payload(PayloadCondition)
    case sequence(SequenceCondition)
    case counter(CounterCondition)
    case negated(Condition)

    var line: Int {
        switch self {
        case .field(let c): return c.line
        case .payload(let c): return c.line
        case .sequence(let c): return c.line
        case .counter(let c): return c.line
        case .negated(let c): return Atom.line(of: c)
        }
    }

    static func line(of condition: Condition) -> Int {
        switch condition {
        case .field(let c): return c.line
        case .payload(let c): return c.line
        case .sequence(let c): return c.line
        case .counter(let c): return c.line
        case .not(let c): return line(of: c)
        case .all(let l), .any(let l): return l.first.map(line(of:)) ?? 0
        }
    }

    var text: String {
        switch self {
        case .field(let c): return describeField(c)
        case .payload(let c):
            let hex = c.pattern.map { $0.map { hexByte($0) } ?? "??" }.joined(separator: " ")
            return "payload \(c.direction.rawValue) offset \(c.offset) hex \"\(hex)\""
        case .sequence(let c):
            let steps = c.steps.map { "\($0.direction.rawValue):\($0.lengths.lowerBound == $0.lengths.upperBound ? "\($0.lengths.lowerBound)" : "\($0.lengths.lowerBound)-\($0.lengths.upperBound)")" }
            return "sequence [\(steps.joined(separator: ", "))]\(c.anywhere ? " anywhere" : "")"
        case .counter(let c): return "counter \(c.name) min \(c.minimum.map(String.init) ?? "-") max \(c.maximum.map(String.init) ?? "-")"
        case .negated(let c): return "not (\(Atom.describe(c)))"
        }
    }

    static func describe(_ condition: Condition) -> String {
        switch condition {
        case .field(let c): return Atom.field(c).text
        case .payload(let c): return Atom.payload(c).text
        case .sequence(let c): return Atom.sequence(c).text
        case .counter(let c): return Atom.counter(c).text
        case .not(let c): return "not (\(describe(c)))"
        case .all(let l): return "all [" + l.map(describe).joined(separator: "; ") + "]"
        case .any(let l): return "any [" + l.map(describe).joined(separator: "; ") + "]"
        }
    }
}

func describeField(_ c: FieldCondition) -> String {
    let values = valueTexts(c.values)
    let shown: String
    if let list = c.listFile { shown = "list \(list) (\(values.count) value\(values.count == 1 ? "" : "s"))" }
    else if values.count == 1 { shown = values[0] }
    else if values.count <= 4 { shown = "[" + values.joined(separator: ", ") + "]" }
    else { shown = "[\(values.prefix(3).joined(separator: ", ")), … \(values.count) values]" }
    return "\(c.field) \(c.mode.rawValue) \(shown)"
}

func valueTexts(_ values: ConditionValues) -> [String] {
    switch values {
    case .text(let v): return v
    case .ranges(let v): return v.map { $0.lowerBound == $0.upperBound ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }
    case .prefixes(let v): return v.map(\.description)
    case .regexes(let v): return v.map(\.pattern)
    }
}

func hexByte(_ b: UInt8) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[Int(b >> 4)], digits[Int(b & 15)]])
}

func oneLine(_ text: String) -> String {
    String(text.map { $0 == "\n" || $0 == "\r" || $0 == "\t" ? " " : $0 })
}

/// A rule's `match:` as alternatives, each a conjunction of atoms (a flow matches
/// the rule when all atoms of one alternative hold). Nil when the expansion would
/// exceed `limit` alternatives.
func alternatives(_ condition: Condition, limit: Int = 256) -> [[Atom]]? {
    switch condition {
    case .field(let c): return [[.field(c)]]
    case .payload(let c): return [[.payload(c)]]
    case .sequence(let c): return [[.sequence(c)]]
    case .counter(let c): return [[.counter(c)]]
    case .not(let c): return [[.negated(c)]]
    case .any(let list):
        var out: [[Atom]] = []
        for child in list {
            guard let sub = alternatives(child, limit: limit) else { return nil }
            out += sub
            if out.count > limit { return nil }
        }
        return out
    case .all(let list):
        var out: [[Atom]] = [[]]
        for child in list {
            guard let sub = alternatives(child, limit: limit) else { return nil }
            var next: [[Atom]] = []
            for a in out { for b in sub { next.append(a + b) } }
            if next.count > limit { return nil }
            out = next
        }
        return out
    }
}

/// The rules to export and, for deprecated ones, why not.
func exportable(_ packs: [RulePack], into result: inout ExportResult) -> [Rule] {
    var rules: [Rule] = []
    for pack in packs {
        for rule in pack.rules {
            if rule.status == .deprecated {
                result.unexpressed.append(Unexpressed(ruleID: rule.id, ruleName: rule.name, place: "\(rule.file):\(rule.line)",
                                                      condition: "status deprecated", reason: "deprecated rules are not exported"))
            } else {
                rules.append(rule)
            }
        }
    }
    return rules
}

/// Splits a rule into its alternatives, reporting a rule too large to expand.
func ruleAlternatives(_ rule: Rule, into result: inout ExportResult) -> [[Atom]] {
    guard let alts = alternatives(rule.match) else {
        result.unexpressed.append(Unexpressed(ruleID: rule.id, ruleName: rule.name, place: "\(rule.file):\(rule.line)",
                                              condition: "match", reason: "more than 256 alternatives once expanded"))
        return []
    }
    return alts
}

func unexpressed(_ rule: Rule, _ atoms: [Atom], _ reason: String) -> Unexpressed {
    let line = atoms.first?.line ?? rule.line
    return Unexpressed(ruleID: rule.id, ruleName: rule.name, place: "\(rule.file):\(line)",
                       condition: atoms.map(\.text).joined(separator: " AND "), reason: reason)
}

/// Why an atom has no equivalent in indicator formats, if it is one of the kinds no format has.
func generalReason(_ atom: Atom) -> String? {
    switch atom {
    case .payload: return "payload bytes of the first packet"
    case .sequence: return "packet length sequence"
    case .counter: return "flow counter"
    case .negated: return "negation (dropping it would export more than the rule matches)"
    case .field(let c):
        if c.field == Field.dnsName.ruleName { return "cross-flow inheritance (name learned from an earlier DNS answer)" }
        return nil
    }
}

// MARK: - Deterministic identifiers

enum UUIDv5 {
    /// RFC 4122 name-based UUID (SHA-1) in a fixed namespace.
    static func make(namespace: [UInt8], name: String) -> String {
        var hasher = Insecure.SHA1()
        hasher.update(data: namespace)
        hasher.update(data: Array(name.utf8))
        var bytes = Array(hasher.finalize().prefix(16))
        bytes[6] = (bytes[6] & 0x0f) | 0x50
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        var text = ""
        for (i, b) in bytes.enumerated() {
            if i == 4 || i == 6 || i == 8 || i == 10 { text += "-" }
            text += hexByte(b)
        }
        return text
    }

    /// The namespace of cipherscope exports (UUIDv5 of "cipherscope" in the URL namespace, fixed).
    static let namespace: [UInt8] = [0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8]

    static func make(_ name: String) -> String { make(namespace: namespace, name: "cipherscope:" + name) }
}

// MARK: - JSON

/// A JSON value written with members in the order given (stable output).
indirect enum JSONValue: Sendable {
    case string(String)
    case number(Int)
    case bool(Bool)
    case array([JSONValue])
    case object([(String, JSONValue)])

    func render(indent: Int = 0) -> String {
        let pad = String(repeating: "  ", count: indent + 1), close = String(repeating: "  ", count: indent)
        switch self {
        case .string(let s): return JSONValue.quote(s)
        case .number(let n): return String(n)
        case .bool(let b): return b ? "true" : "false"
        case .array(let items):
            if items.isEmpty { return "[]" }
            return "[\n" + items.map { pad + $0.render(indent: indent + 1) }.joined(separator: ",\n") + "\n" + close + "]"
        case .object(let members):
            if members.isEmpty { return "{}" }
            return "{\n" + members.map { pad + JSONValue.quote($0.0) + ": " + $0.1.render(indent: indent + 1) }.joined(separator: ",\n") + "\n" + close + "}"
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += "\\u00" + hexByte(UInt8(scalar.value))
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

/// `2026-11-30` → `2026-11-30T00:00:00.000Z` (a pack's dates are days).
func timestamp(_ day: String) -> String {
    let valid = day.count == 10 && day.allSatisfy { $0.isNumber || $0 == "-" }
    return (valid ? day : "1970-01-01") + "T00:00:00.000Z"
}

enum Base64 {
    static func encode(_ bytes: [UInt8]) -> String {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        var out = ""
        var i = 0
        while i < bytes.count {
            let b0 = Int(bytes[i]), b1 = i + 1 < bytes.count ? Int(bytes[i + 1]) : 0, b2 = i + 2 < bytes.count ? Int(bytes[i + 2]) : 0
            out.append(table[b0 >> 2])
            out.append(table[((b0 & 3) << 4) | (b1 >> 4)])
            out.append(i + 1 < bytes.count ? table[((b1 & 15) << 2) | (b2 >> 6)] : "=")
            out.append(i + 2 < bytes.count ? table[b2 & 63] : "=")
            i += 3
        }
        return out
    }
}

/// For indicator formats: the alternatives that are one positive field condition;
/// every other alternative is reported as not expressible.
func singleConditions(_ packs: [RulePack], into result: inout ExportResult) -> [(Rule, FieldCondition)] {
    var out: [(Rule, FieldCondition)] = []
    for rule in exportable(packs, into: &result) {
        for atoms in ruleAlternatives(rule, into: &result) {
            if atoms.count == 1, case .field(let c) = atoms[0], generalReason(atoms[0]) == nil {
                out.append((rule, c))
                continue
            }
            for atom in atoms { if let reason = generalReason(atom) { result.unexpressed.append(unexpressed(rule, [atom], reason)) } }
            if atoms.count > 1 {
                result.unexpressed.append(unexpressed(rule, atoms, "a combination of conditions (AND) is not one indicator"))
            }
        }
    }
    return out
}

/// The rule fields holding domain names in flows (not the DNS-learned `dns_name`).
let observedDomainFields: Set<Field> = [.tlsSNI, .dnsQueryName, .httpHost, .tlsCertificateSAN]

/// The address of a prefix as indicator text: the bare address for a host prefix.
func addressText(_ prefix: IPPrefix) -> (text: String, host: Bool, v6: Bool) {
    let host = prefix.network.isIPv4 ? prefix.writtenLength == 32 : prefix.length == 128
    return (host ? prefix.network.description : prefix.description, host, !prefix.network.isIPv4)
}
