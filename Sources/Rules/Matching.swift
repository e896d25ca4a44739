import Basics
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
    /// The rule as compiled: a reference, so that copying a match while ranking
    /// and labelling costs one retain instead of one per string of the rule.
    @usableFromInline let compiled: CompiledRule
    /// Inlinable, so that reading one field of it elsewhere does not copy the whole rule.
    @inlinable public var rule: Rule { compiled.rule }
    /// The facts that satisfied the rule's positive conditions, in rule order.
    public var evidence: [Evidence]
    /// How many positive conditions held (the second ordering key).
    public var positiveConditions: Int
    /// Specificity of the most specific condition that held (the third ordering key); see `Specificity`.
    public var specificity: Int

    init(compiled: CompiledRule, evidence: [Evidence], positiveConditions: Int, specificity: Int) {
        self.compiled = compiled
        self.evidence = evidence
        self.positiveConditions = positiveConditions
        self.specificity = specificity
    }

    public static func == (a: RuleMatch, b: RuleMatch) -> Bool {
        a.rule == b.rule && a.evidence == b.evidence && a.positiveConditions == b.positiveConditions && a.specificity == b.specificity
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(rule)
        hasher.combine(evidence)
        hasher.combine(positiveConditions)
        hasher.combine(specificity)
    }

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

/// A compiled leaf condition: evaluates itself against facts. A class, so that
/// holding it in a hit costs one retain.
final class Leaf: Sendable {
    enum Test: Sendable {
        /// `few` holds the values when there are only a few (compared in turn, no hashing).
        case exact(TextRef, values: Set<String>, few: [String]?)
        case domainSuffix(TextRef, values: Set<String>)
        /// Plain prefix or suffix: values grouped by length (longest first).
        case affix(TextRef, prefix: Bool, byLength: [(length: Int, values: Set<String>)])
        /// Needles as written, and as compared (lower case for domain fields).
        case contains(TextRef, values: [String], needles: [String])
        case regex(TextRef, patterns: [SafeRegex])
        case cidr(AddressRef, table: PrefixTable<Bool>)
        case numbers(NumberRef, exact: Set<Int>, ranges: [ClosedRange<Int>])
        case payload(PayloadCondition)
        case sequence(SequenceCondition)
        case counter(CounterCondition, FlowCounter?)
    }

    /// What held, kept until the rule is known to match; `describe` makes the evidence.
    enum Hit {
        /// A text value, and a detail: the UTF-8 offset of the domain suffix, the prefix
        /// or suffix length, or the index of the needle or pattern.
        case text(String, Int)
        case address(IPAddress, IPPrefix)
        /// A number and the index of the range it fell in (-1: an exact number).
        case number(Int, Int)
        case payload(direction: Int)
        case sequence(start: Int)
        case counter(Int64)
    }

    let test: Test
    /// The field name shown in evidence (for field conditions).
    let field: String

    init(_ condition: Condition) {
        switch condition {
        case .field(let c):
            test = Leaf.compile(c)
            field = c.field
        case .payload(let c):
            test = .payload(c)
            field = "payload"
        case .sequence(let c):
            test = .sequence(c)
            field = "sequence"
        case .counter(let c):
            test = .counter(c, FlowCounter(name: c.name))
            field = "counter." + c.name
        default: fatalError("not a leaf")
        }
    }

    static func compile(_ c: FieldCondition) -> Test {
        switch c.values {
        case .text(let values):
            let ref = TextRef(c.field)
            switch c.mode {
            case .exact:
                let set = Set(values)
                return .exact(ref, values: set, few: set.count <= 4 ? Array(set) : nil)
            case .suffix where RuleFields.domainFields.contains(c.field): return .domainSuffix(ref, values: Set(values))
            case .prefix, .suffix:
                let grouped = Dictionary(grouping: values) { $0.utf8.count }
                return .affix(ref, prefix: c.mode == .prefix,
                              byLength: grouped.keys.sorted(by: >).map { ($0, Set(grouped[$0]!)) })
            default:
                let fold = RuleFields.domainFields.contains(c.field)
                return .contains(ref, values: values, needles: values.map { fold ? $0.lowercased() : $0 })
            }
        case .regexes(let patterns): return .regex(TextRef(c.field), patterns: patterns)
        case .prefixes(let prefixes):
            var table = PrefixTable<Bool>()
            for p in prefixes { table.insert(p, true) }
            return .cidr(AddressRef(c.field), table: table)
        case .ranges(let ranges):
            var exact = Set<Int>(), wide = [ClosedRange<Int>]()
            for r in ranges { if r.count == 1 { exact.insert(r.lowerBound) } else { wide.append(r) } }
            return .numbers(NumberRef(c.field), exact: exact, ranges: wide)
        }
    }

    /// What held, when the condition holds.
    func evaluate(_ facts: FlowFacts) -> Hit? {
        switch test {
        case .exact(let field, let values, let few):
            if let few {
                for v in RuleFields.text(field, of: facts) where few.contains(v) { return .text(v, 0) }
            } else {
                for v in RuleFields.text(field, of: facts) where values.contains(v) { return .text(v, 0) }
            }
        case .domainSuffix(let field, let values):
            // Longest suffix first, so the evidence names the most specific entry.
            for v in RuleFields.text(field, of: facts) {
                var walk = DomainSuffixWalk(v)
                while let (suffix, offset) = walk.next() {
                    if values.contains(suffix) { return .text(v, offset) }
                }
            }
        case .affix(let field, let prefix, let byLength):
            for v in RuleFields.text(field, of: facts) {
                let bytes = v.utf8
                for (length, values) in byLength where length <= bytes.count {
                    let part = prefix ? String(decoding: bytes.prefix(length), as: UTF8.self) : String(decoding: bytes.suffix(length), as: UTF8.self)
                    if values.contains(part) { return .text(v, length) }
                }
            }
        case .contains(let field, _, let needles):
            for v in RuleFields.text(field, of: facts) {
                for (i, needle) in needles.enumerated() where textContains(v, needle) { return .text(v, i) }
            }
        case .regex(let field, let patterns):
            for v in RuleFields.text(field, of: facts) {
                for (i, p) in patterns.enumerated() where p.matches(v) { return .text(v, i) }
            }
        case .cidr(let field, let table):
            switch field {
            case .source: if let (prefix, _) = table.longestMatch(facts.sourceAddress) { return .address(facts.sourceAddress, prefix) }
            case .destination: if let (prefix, _) = table.longestMatch(facts.destinationAddress) { return .address(facts.destinationAddress, prefix) }
            case .either:
                if let (prefix, _) = table.longestMatch(facts.sourceAddress) { return .address(facts.sourceAddress, prefix) }
                if let (prefix, _) = table.longestMatch(facts.destinationAddress) { return .address(facts.destinationAddress, prefix) }
            }
        case .numbers(let field, let exact, let ranges):
            func test(_ n: Int) -> Hit? {
                if exact.contains(n) { return .number(n, -1) }
                if let r = ranges.firstIndex(where: { $0.contains(n) }) { return .number(n, r) }
                return nil
            }
            switch field {
            case .sourcePort: return test(Int(facts.sourcePort))
            case .destinationPort: return test(Int(facts.destinationPort))
            case .eitherPort: return test(Int(facts.sourcePort)) ?? test(Int(facts.destinationPort))
            case .stunAttributes:
                for n in facts.stunAttributes { if let hit = test(Int(n)) { return hit } }
            }
        case .payload(let c):
            for d in 0..<2 where c.direction == .any || (c.direction == .c2s) == (d == 0) {
                let bytes = facts.firstPayload[d]
                guard c.offset + c.pattern.count <= bytes.count else { continue }
                var ok = true
                for (i, expected) in c.pattern.enumerated() where expected != nil && bytes[c.offset + i] != expected! { ok = false; break }
                if ok { return .payload(direction: d) }
            }
        case .sequence(let c):
            if let start = sequenceMatch(c, facts.payloadLengths) { return .sequence(start: start) }
        case .counter(let c, let id):
            if let value = facts.counter(id, name: c.name), c.minimum.map({ value >= $0 }) ?? true, c.maximum.map({ value <= $0 }) ?? true {
                return .counter(value)
            }
        }
        return nil
    }

    /// The evidence (field, value, condition, specificity) of a hit of this leaf.
    func describe(_ hit: Hit, _ facts: FlowFacts) -> (field: String, value: String, condition: String, specificity: Int) {
        switch (test, hit) {
        case (.exact, .text(let v, _)):
            return (field, v, "exact \(v)", Specificity.exactText)
        case (.domainSuffix, .text(let v, let offset)):
            let suffix = offset == 0 ? v : String(decoding: v.utf8.dropFirst(offset), as: UTF8.self)
            return (field, v, "suffix \(suffix)", Specificity.domainSuffix + min(labelCount(suffix), 99))
        case (.affix(_, let prefix, _), .text(let v, let length)):
            let bytes = v.utf8
            let part = prefix ? String(decoding: bytes.prefix(length), as: UTF8.self) : String(decoding: bytes.suffix(length), as: UTF8.self)
            return (field, v, "\(prefix ? "prefix" : "suffix") \(part)", Specificity.textAffix + min(length, 900))
        case (.contains(_, let values, _), .text(let v, let i)):
            return (field, v, "contains \(values[i])", Specificity.pattern)
        case (.regex(_, let patterns), .text(let v, let i)):
            return (field, v, "regex \(patterns[i].pattern)", Specificity.pattern)
        case (.cidr, .address(let a, let prefix)):
            return (field, a.description, "cidr \(prefix)", Specificity.cidr + prefix.length - (prefix.network.isIPv4 ? 96 : 0))
        case (.numbers(_, _, let ranges), .number(let n, let r)):
            if r < 0 { return (field, String(n), "exact \(n)", Specificity.exactNumber) }
            return (field, String(n), "range \(ranges[r].lowerBound)-\(ranges[r].upperBound)", Specificity.numberRange)
        case (.payload(let c), .payload(let d)):
            let bytes = facts.firstPayload[d]
            let shown = hex(Array(bytes[c.offset..<(c.offset + c.pattern.count)]))
            return ("payload." + (d == 0 ? "c2s" : "s2c"), shown, "payload@\(c.offset) \(patternText(c.pattern))",
                    Specificity.payload + c.pattern.filter { $0 != nil }.count)
        case (.sequence(let c), .sequence(let start)):
            let shown = facts.payloadLengths[start..<(start + c.steps.count)].map { $0 >= 0 ? "c2s:\($0)" : "s2c:\(-$0)" }
            return ("sequence", shown.joined(separator: " "), "sequence " + c.steps.map(stepText).joined(separator: " "),
                    Specificity.sequence + c.steps.count)
        case (.counter(let c, _), .counter(let value)):
            let bounds = [c.minimum.map { "min \($0)" }, c.maximum.map { "max \($0)" }].compactMap { $0 }.joined(separator: " ")
            return (field, String(value), "counter \(bounds)", Specificity.counter)
        default:
            fatalError("a hit of another kind of leaf")
        }
    }
}

func sequenceMatch(_ c: SequenceCondition, _ lengths: [Int32]) -> Int? {
    let starts = c.anywhere ? 0..<max(0, lengths.count - c.steps.count + 1) : 0..<1
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

/// `haystack.contains(needle)`, on the bytes when both are printable ASCII (the
/// same answer, without bridging to a Foundation search).
func textContains(_ haystack: String, _ needle: String) -> Bool {
    func printable(_ text: String) -> Bool { text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F } }
    if !needle.isEmpty, printable(haystack), printable(needle) {
        let h = Array(haystack.utf8), n = Array(needle.utf8)
        guard n.count <= h.count else { return false }
        outer: for start in 0...(h.count - n.count) {
            for i in 0..<n.count where h[start + i] != n[i] { continue outer }
            return true
        }
        return false
    }
    return haystack.contains(needle)
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

/// The suffixes `domainSuffixes` gives, longest first, each with the UTF-8 offset
/// where it starts. ASCII names (nearly all) are walked on their bytes; no array is made.
struct DomainSuffixWalk: IteratorProtocol {
    private let name: String
    private var index: String.Index
    private var offset = 0
    private var started = false
    /// For names with other characters: `domainSuffixes` minus the name itself.
    private var others: [String]?
    private var position = 0

    init(_ name: String) {
        self.name = name
        index = name.utf8.startIndex
        for byte in name.utf8 where byte >= 0x80 {
            others = Array(domainSuffixes(name).dropFirst())
            break
        }
    }

    mutating func next() -> (String, Int)? {
        if !started {
            started = true
            return (name, 0)
        }
        if let others {
            guard position < others.count else { return nil }
            let suffix = others[position]
            position += 1
            return (suffix, name.utf8.count - suffix.utf8.count)
        }
        let utf8 = name.utf8
        while index != utf8.endIndex {
            let byte = utf8[index]
            index = utf8.index(after: index)
            offset += 1
            if byte == UInt8(ascii: "."), index != utf8.endIndex { return (String(name[index...]), offset) }
        }
        return nil
    }
}

func labelCount(_ name: String) -> Int { name.split(separator: ".").count }

func hex(_ bytes: [UInt8]) -> String { Hex.lowercase(bytes, separator: UInt8(ascii: " ")) }

func patternText(_ pattern: [UInt8?]) -> String { pattern.map { $0.map { hex([$0]) } ?? "??" }.joined(separator: " ") }

func stepText(_ s: SequenceCondition.Step) -> String {
    "\(s.direction.rawValue):" + (s.lengths.count == 1 ? "\(s.lengths.lowerBound)" : "\(s.lengths.lowerBound)-\(s.lengths.upperBound)")
}

/// Prefixes of both families, one hash table per prefix length: a lookup costs one
/// probe per distinct length (at most 129), whatever the number of prefixes.
struct PrefixTable<Value: Sendable>: Sendable {
    /// One table per distinct length, longest first.
    private(set) var tables: [(length: Int, entries: [IPAddress: Value])] = []

    /// Distinct lengths, longest first.
    var lengths: [Int] { tables.map(\.length) }
    var isEmpty: Bool { tables.isEmpty }

    mutating func insert(_ prefix: IPPrefix, _ value: Value) {
        if let i = tables.firstIndex(where: { $0.length == prefix.length }) {
            tables[i].entries[prefix.network] = value
        } else {
            tables.append((prefix.length, [prefix.network: value]))
            tables.sort { $0.length > $1.length }
        }
    }

    subscript(prefix: IPPrefix) -> Value? {
        get { tables.first { $0.length == prefix.length }?.entries[prefix.network] }
        set {
            if let newValue { insert(prefix, newValue) }
        }
    }

    func longestMatch(_ address: IPAddress) -> (IPPrefix, Value)? {
        for (length, entries) in tables {
            let key = IPPrefix.mask(address, length)
            if let value = entries[key] { return (IPPrefix(network: key, length: length), value) }
        }
        return nil
    }

    /// Every prefix containing `address`, longest first.
    func allMatches(_ address: IPAddress) -> [Value] {
        var out = [Value]()
        for (length, entries) in tables {
            if let value = entries[IPPrefix.mask(address, length)] { out.append(value) }
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

    /// Whether the tree holds; when `record`, the hits of positive leaves that held are
    /// appended (their evidence is made only once the whole rule holds).
    func evaluate(_ facts: FlowFacts, hits: inout [(leaf: Leaf, hit: Leaf.Hit)], record: Bool) -> Bool {
        switch self {
        case .leaf(let leaf):
            guard let hit = leaf.evaluate(facts) else { return false }
            if record { hits.append((leaf, hit)) }
            return true
        case .all(let children):
            let mark = hits.count
            for child in children where !child.evaluate(facts, hits: &hits, record: record) {
                if record { hits.removeSubrange(mark...) }
                return false
            }
            return true
        case .any(let children):
            var held = false
            // Every branch that holds adds its evidence: all reasons are shown.
            for child in children where child.evaluate(facts, hits: &hits, record: record) {
                held = true
                if !record { break }
            }
            return held
        case .not(let child):
            return !child.evaluate(facts, hits: &hits, record: false)
        }
    }
}

/// A rule ready to evaluate (a class: looking one up costs no copy of the rule).
@usableFromInline
final class CompiledRule: Sendable {
    @usableFromInline let rule: Rule
    let root: CompiledNode
    /// Position in the order of (name, pack id, rule id): the last keys of `RuleMatch.ranksBefore`.
    let order: Int32

    init(rule: Rule, root: CompiledNode, order: Int32) {
        self.rule = rule
        self.root = root
        self.order = order
    }

    func match(_ facts: FlowFacts) -> RuleMatch? {
        var hits = [(leaf: Leaf, hit: Leaf.Hit)]()
        guard root.evaluate(facts, hits: &hits, record: true) else { return nil }
        var evidence = [Evidence]()
        evidence.reserveCapacity(hits.count)
        var specificity = 0
        for (leaf, hit) in hits {
            let shown = leaf.describe(hit, facts)
            evidence.append(Evidence(field: shown.field, value: shown.value, rule: rule.name, condition: shown.condition))
            specificity = max(specificity, shown.specificity)
        }
        return RuleMatch(compiled: self, evidence: evidence, positiveConditions: evidence.count, specificity: specificity)
    }
}
