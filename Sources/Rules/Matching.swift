import Decoding

/// One fact that satisfied a condition of a matching rule: why the label was given.
public struct Evidence: Sendable, Hashable, CustomStringConvertible {
    /// The field (`tls.sni`, `dst_ip`, `payload`, `sequence`, `counter.packets_c2s`, …).
    public var field: String
    /// The flow's value that satisfied it (`chat.signal.org`, `203.0.113.10`, the bytes in hex, …).
    public var value: String
    /// Name of the rule.
    public var rule: String
    /// The condition part that matched (`suffix signal.org`, `cidr 203.0.113.0/24`, …).
    public var condition: String

    public var description: String { "\(field)=\(value) (\(condition), rule \(rule))" }
}

/// A rule that matched a flow, with its evidence.
public struct RuleMatch: Sendable, Hashable {
    public var rule: Rule
    /// The facts that satisfied the rule's positive conditions, in rule order.
    public var evidence: [Evidence]
    /// How many positive conditions held (the second ordering key).
    public var positiveConditions: Int
    /// Specificity of the most specific condition that held (the third ordering key); see `Specificity`.
    public var specificity: Int

    /// The deterministic order of matches: confidence, then positive conditions, then
    /// specificity (all higher first), then rule name, pack id and rule id.
    public static func ranksBefore(_ a: RuleMatch, _ b: RuleMatch) -> Bool {
        if a.rule.confidence != b.rule.confidence { return a.rule.confidence > b.rule.confidence }
        if a.positiveConditions != b.positiveConditions { return a.positiveConditions > b.positiveConditions }
        if a.specificity != b.specificity { return a.specificity > b.specificity }
        if a.rule.name != b.rule.name { return a.rule.name < b.rule.name }
        if a.rule.pack.id != b.rule.pack.id { return a.rule.pack.id < b.rule.pack.id }
        return a.rule.id < b.rule.id
    }
}

/// Specificity scores of matched conditions: exact text > domain suffix (more labels
/// first) > prefix/suffix text (longer first) > payload bytes > CIDR (longer prefix
/// first) > packet sequence > contains/regex > exact port > port range > counter.
public enum Specificity {
    public static let exactText = 5000
    public static let domainSuffix = 4000  // + labels
    public static let textAffix = 3000     // + length
    public static let payload = 2600       // + fixed bytes
    public static let cidr = 2000          // + prefix length (0…128)
    public static let sequence = 1500      // + steps
    public static let pattern = 1200       // contains, regex
    public static let exactNumber = 1000
    public static let numberRange = 900
    public static let counter = 100
}

/// A compiled leaf condition: evaluates itself against facts.
struct Leaf: Sendable {
    enum Test: Sendable {
        case exact(field: String, values: Set<String>)
        case domainSuffix(field: String, values: Set<String>)
        /// Plain prefix or suffix: values grouped by length (longest first).
        case affix(field: String, prefix: Bool, byLength: [(length: Int, values: Set<String>)])
        case contains(field: String, values: [String])
        case regex(field: String, patterns: [SafeRegex])
        case cidr(field: String, table: PrefixTable<Bool>)
        case numbers(field: String, exact: Set<Int>, ranges: [ClosedRange<Int>])
        case payload(PayloadCondition)
        case sequence(SequenceCondition)
        case counter(CounterCondition)
    }

    var test: Test

    init(_ condition: Condition) {
        switch condition {
        case .field(let c): test = Leaf.compile(c)
        case .payload(let c): test = .payload(c)
        case .sequence(let c): test = .sequence(c)
        case .counter(let c): test = .counter(c)
        default: fatalError("not a leaf")
        }
    }

    static func compile(_ c: FieldCondition) -> Test {
        switch c.values {
        case .text(let values):
            switch c.mode {
            case .exact: return .exact(field: c.field, values: Set(values))
            case .suffix where RuleFields.domainFields.contains(c.field): return .domainSuffix(field: c.field, values: Set(values))
            case .prefix, .suffix:
                let grouped = Dictionary(grouping: values) { $0.utf8.count }
                return .affix(field: c.field, prefix: c.mode == .prefix,
                              byLength: grouped.keys.sorted(by: >).map { ($0, Set(grouped[$0]!)) })
            default: return .contains(field: c.field, values: values)
            }
        case .regexes(let patterns): return .regex(field: c.field, patterns: patterns)
        case .prefixes(let prefixes):
            var table = PrefixTable<Bool>()
            for p in prefixes { table.insert(p, true) }
            return .cidr(field: c.field, table: table)
        case .ranges(let ranges):
            var exact = Set<Int>(), wide = [ClosedRange<Int>]()
            for r in ranges { if r.count == 1 { exact.insert(r.lowerBound) } else { wide.append(r) } }
            return .numbers(field: c.field, exact: exact, ranges: wide)
        }
    }

    /// Evidence (field, value, condition, specificity) when the condition holds.
    func evaluate(_ facts: FlowFacts) -> (field: String, value: String, condition: String, specificity: Int)? {
        switch test {
        case .exact(let field, let values):
            for v in RuleFields.text(field, of: facts) where values.contains(v) {
                return (field, v, "exact \(v)", Specificity.exactText)
            }
        case .domainSuffix(let field, let values):
            // Longest suffix first, so the evidence names the most specific entry.
            for v in RuleFields.text(field, of: facts) {
                for suffix in domainSuffixes(v) where values.contains(suffix) {
                    return (field, v, "suffix \(suffix)", Specificity.domainSuffix + min(labelCount(suffix), 99))
                }
            }
        case .affix(let field, let prefix, let byLength):
            for v in RuleFields.text(field, of: facts) {
                let bytes = v.utf8
                for (length, values) in byLength where length <= bytes.count {
                    let part = prefix ? String(decoding: bytes.prefix(length), as: UTF8.self) : String(decoding: bytes.suffix(length), as: UTF8.self)
                    if values.contains(part) {
                        return (field, v, "\(prefix ? "prefix" : "suffix") \(part)", Specificity.textAffix + min(length, 900))
                    }
                }
            }
        case .contains(let field, let values):
            let fold = RuleFields.domainFields.contains(field)
            for v in RuleFields.text(field, of: facts) {
                for needle in values where (fold ? v : v).contains(fold ? needle.lowercased() : needle) {
                    return (field, v, "contains \(needle)", Specificity.pattern)
                }
            }
        case .regex(let field, let patterns):
            for v in RuleFields.text(field, of: facts) {
                for p in patterns where p.matches(v) { return (field, v, "regex \(p.pattern)", Specificity.pattern) }
            }
        case .cidr(let field, let table):
            for a in RuleFields.addresses(field, of: facts) {
                if let (prefix, _) = table.longestMatch(a) {
                    return (field, a.description, "cidr \(prefix)", Specificity.cidr + prefix.length - (prefix.network.isIPv4 ? 96 : 0))
                }
            }
        case .numbers(let field, let exact, let ranges):
            for n in RuleFields.numbers(field, of: facts) {
                if exact.contains(n) { return (field, String(n), "exact \(n)", Specificity.exactNumber) }
                if let r = ranges.first(where: { $0.contains(n) }) {
                    return (field, String(n), "range \(r.lowerBound)-\(r.upperBound)", Specificity.numberRange)
                }
            }
        case .payload(let c):
            let directions = c.direction == .any ? [0, 1] : [c.direction == .c2s ? 0 : 1]
            for d in directions where d < facts.firstPayload.count {
                let bytes = facts.firstPayload[d]
                guard c.offset + c.pattern.count <= bytes.count else { continue }
                var ok = true
                for (i, expected) in c.pattern.enumerated() where expected != nil && bytes[c.offset + i] != expected! { ok = false; break }
                if ok {
                    let shown = hex(Array(bytes[c.offset..<(c.offset + c.pattern.count)]))
                    return ("payload." + (d == 0 ? "c2s" : "s2c"), shown, "payload@\(c.offset) \(patternText(c.pattern))",
                            Specificity.payload + c.pattern.filter { $0 != nil }.count)
                }
            }
        case .sequence(let c):
            if let start = sequenceMatch(c, facts.payloadLengths) {
                let shown = facts.payloadLengths[start..<(start + c.steps.count)].map { $0 >= 0 ? "c2s:\($0)" : "s2c:\(-$0)" }
                return ("sequence", shown.joined(separator: " "), "sequence " + c.steps.map(stepText).joined(separator: " "),
                        Specificity.sequence + c.steps.count)
            }
        case .counter(let c):
            if let value = facts.counters[c.name], c.minimum.map({ value >= $0 }) ?? true, c.maximum.map({ value <= $0 }) ?? true {
                let bounds = [c.minimum.map { "min \($0)" }, c.maximum.map { "max \($0)" }].compactMap { $0 }.joined(separator: " ")
                return ("counter." + c.name, String(value), "counter \(bounds)", Specificity.counter)
            }
        }
        return nil
    }
}

func sequenceMatch(_ c: SequenceCondition, _ lengths: [Int32]) -> Int? {
    let starts = c.anywhere ? Array(0..<max(0, lengths.count - c.steps.count + 1)) : [0]
    outer: for start in starts where start + c.steps.count <= lengths.count {
        for (i, step) in c.steps.enumerated() {
            let signed = Int(lengths[start + i])
            let direction: Direction = signed >= 0 ? .c2s : .s2c
            guard step.direction == .any || step.direction == direction, step.lengths.contains(abs(signed)) else { continue outer }
        }
        return start
    }
    return nil
}

/// `a.b.c` → `a.b.c`, `b.c`, `c` (longest first).
func domainSuffixes(_ name: String) -> [String] {
    var out = [name]
    var rest = Substring(name)
    while let dot = rest.firstIndex(of: ".") {
        rest = rest[rest.index(after: dot)...]
        if !rest.isEmpty { out.append(String(rest)) }
    }
    return out
}

func labelCount(_ name: String) -> Int { name.split(separator: ".").count }

func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef")
    return bytes.map { String([digits[Int($0 >> 4)], digits[Int($0 & 15)]]) }.joined(separator: " ")
}

func patternText(_ pattern: [UInt8?]) -> String { pattern.map { $0.map { hex([$0]) } ?? "??" }.joined(separator: " ") }

func stepText(_ s: SequenceCondition.Step) -> String {
    "\(s.direction.rawValue):" + (s.lengths.count == 1 ? "\(s.lengths.lowerBound)" : "\(s.lengths.lowerBound)-\(s.lengths.upperBound)")
}

/// Prefixes of both families, one hash table per prefix length: a lookup costs one
/// probe per distinct length (at most 129), whatever the number of prefixes.
struct PrefixTable<Value: Sendable>: Sendable {
    private var tables: [Int: [IPAddress: Value]] = [:]
    /// Distinct lengths, longest first.
    private(set) var lengths: [Int] = []

    var isEmpty: Bool { lengths.isEmpty }

    mutating func insert(_ prefix: IPPrefix, _ value: Value) {
        if tables[prefix.length] == nil {
            lengths.append(prefix.length)
            lengths.sort(by: >)
        }
        tables[prefix.length, default: [:]][prefix.network] = value
    }

    subscript(prefix: IPPrefix) -> Value? {
        get { tables[prefix.length]?[prefix.network] }
        set {
            if let newValue { insert(prefix, newValue) }
        }
    }

    func longestMatch(_ address: IPAddress) -> (IPPrefix, Value)? {
        for length in lengths {
            let key = IPPrefix.mask(address, length)
            if let value = tables[length]?[key] { return (IPPrefix(network: key, length: length), value) }
        }
        return nil
    }

    /// Every prefix containing `address`, longest first.
    func allMatches(_ address: IPAddress) -> [Value] {
        var out = [Value]()
        for length in lengths {
            if let value = tables[length]?[IPPrefix.mask(address, length)] { out.append(value) }
        }
        return out
    }
}

/// A rule's condition tree with compiled leaves.
indirect enum CompiledNode: Sendable {
    case all([CompiledNode])
    case any([CompiledNode])
    case not(CompiledNode)
    case leaf(Leaf)

    init(_ condition: Condition) {
        switch condition {
        case .all(let c): self = .all(c.map(CompiledNode.init))
        case .any(let c): self = .any(c.map(CompiledNode.init))
        case .not(let c): self = .not(CompiledNode(c))
        default: self = .leaf(Leaf(condition))
        }
    }

    /// Whether the tree holds; evidence of positive leaves that held is appended.
    func evaluate(_ facts: FlowFacts, rule: String, into evidence: inout [Evidence], specificity: inout Int) -> Bool {
        switch self {
        case .leaf(let leaf):
            guard let hit = leaf.evaluate(facts) else { return false }
            evidence.append(Evidence(field: hit.field, value: hit.value, rule: rule, condition: hit.condition))
            specificity = max(specificity, hit.specificity)
            return true
        case .all(let children):
            let mark = evidence.count, savedSpecificity = specificity
            for child in children where !child.evaluate(facts, rule: rule, into: &evidence, specificity: &specificity) {
                evidence.removeSubrange(mark...)
                specificity = savedSpecificity
                return false
            }
            return true
        case .any(let children):
            var held = false
            // Every branch that holds adds its evidence: all reasons are shown.
            for child in children where child.evaluate(facts, rule: rule, into: &evidence, specificity: &specificity) { held = true }
            return held
        case .not(let child):
            var scratch = [Evidence](), ignored = 0
            return !child.evaluate(facts, rule: rule, into: &scratch, specificity: &ignored)
        }
    }
}

/// A rule ready to evaluate.
struct CompiledRule: Sendable {
    var rule: Rule
    var root: CompiledNode

    func match(_ facts: FlowFacts) -> RuleMatch? {
        var evidence = [Evidence](), specificity = 0
        guard root.evaluate(facts, rule: rule.name, into: &evidence, specificity: &specificity) else { return nil }
        return RuleMatch(rule: rule, evidence: evidence, positiveConditions: evidence.count, specificity: specificity)
    }
}
