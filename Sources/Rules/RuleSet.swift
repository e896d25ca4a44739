import Decoding

/// Rules of one or more packs compiled into indexes, ready to classify flows.
///
/// Classification looks facts up in the indexes (one hash probe per domain label,
/// per fingerprint, per distinct prefix or CIDR length, per port, per payload
/// position), evaluates only the rules found there plus the few rules without an
/// indexable condition, and orders the matches with `RuleMatch.ranksBefore`.
/// Immutable and `Sendable`: classify from as many tasks as you like.
public struct RuleSet: Sendable {
    /// The rules compiled, in pack then file order.
    public var rules: [Rule] { compiled.map(\.rule) }
    /// The packs compiled, in the order given.
    public let packs: [PackInfo]
    /// Names of the rules that have no indexable condition and are evaluated for every flow.
    public var alwaysCheckedRules: [String] { alwaysChecked.map { compiled[Int($0)].rule.name } }

    let compiled: [CompiledRule]
    let index: AnchorIndex
    let alwaysChecked: [Int32]

    /// Statuses compiled by default: deprecated rules are kept out of classification.
    public static let defaultStatuses: Set<RuleStatus> = [.stable, .test, .experimental]

    /// Compiles `packs`; rule ids must be unique across them, and so must pack ids.
    public static func compile(_ packs: [RulePack], statuses: Set<RuleStatus> = defaultStatuses) throws(RuleError) -> RuleSet {
        var compiled = [CompiledRule]()
        var ids = [String: Rule]()
        var packIDs = [String: String]()
        for pack in packs {
            if let other = packIDs[pack.manifest.id] {
                throw RuleError(file: FileAccess.join(pack.path, PackLoader.manifestName), message: "pack id '\(pack.manifest.id)' is also the id of \(other)",
                                hint: "load one version of a pack at a time")
            }
            packIDs[pack.manifest.id] = pack.path
            for rule in pack.rules where statuses.contains(rule.status) {
                if let other = ids[rule.id] {
                    throw RuleError(file: FileAccess.join(pack.path, rule.file), line: rule.line, column: 1,
                                    message: "rule id \(rule.id) of '\(rule.name)' is also used by '\(other.name)' in pack \(other.pack.id)",
                                    hint: "rule ids must be unique across packs")
                }
                ids[rule.id] = rule
                compiled.append(CompiledRule(rule: rule, root: CompiledNode(rule.match)))
            }
        }
        var builder = AnchorIndex.Builder()
        var always = [Int32]()
        for (i, rule) in compiled.enumerated() {
            if let anchors = Anchor.select(rule.rule.match) {
                for anchor in anchors { builder.add(anchor, rule: Int32(i)) }
            } else {
                always.append(Int32(i))
            }
        }
        return RuleSet(packs: packs.map(\.info), compiled: compiled, index: builder.build(), alwaysChecked: always)
    }

    /// Every rule that matches `facts`, best first (see `RuleMatch.ranksBefore`).
    public func classify(_ facts: FlowFacts) -> [RuleMatch] {
        var candidates = index.candidates(facts)
        candidates.append(contentsOf: alwaysChecked)
        candidates.sort()
        var matches = [RuleMatch]()
        var previous: Int32 = -1
        for candidate in candidates where candidate != previous {
            previous = candidate
            if let match = compiled[Int(candidate)].match(facts) { matches.append(match) }
        }
        matches.sort(by: RuleMatch.ranksBefore)
        return matches
    }

    /// The reference: evaluates every rule (for tests and for checking the indexes).
    public func classifyEvaluatingEveryRule(_ facts: FlowFacts) -> [RuleMatch] {
        compiled.compactMap { $0.match(facts) }.sorted(by: RuleMatch.ranksBefore)
    }

    /// The rule with this name (or id), if compiled.
    public func rule(_ nameOrID: String) -> Rule? {
        compiled.first { $0.rule.name == nameOrID || $0.rule.id == nameOrID.lowercased() }?.rule
    }
}

/// An indexable condition: if the rule matches, the facts satisfy one of its anchors.
enum Anchor: Hashable {
    case exact(field: String, values: [String])
    case domainSuffix(field: String, values: [String])
    case affix(field: String, prefix: Bool, values: [String])
    case cidr(field: String, prefixes: [IPPrefix])
    case numbers(field: String, ranges: [ClosedRange<Int>])
    case payload(direction: Direction, position: Int, byte: UInt8)
    case firstLength(Int)

    /// Higher is more selective; `all` anchors on its most selective child.
    var rank: Int {
        switch self {
        case .exact: return 6
        case .domainSuffix: return 5
        case .affix, .payload: return 4
        case .cidr: return 3
        case .firstLength: return 2
        case .numbers: return 1
        }
    }

    /// The anchors of a condition tree, or nil when it has none (evaluate always).
    static func select(_ condition: Condition) -> [Anchor]? {
        switch condition {
        case .field(let c):
            switch (c.mode, c.values) {
            case (.exact, .text(let v)): return [.exact(field: c.field, values: v)]
            case (.suffix, .text(let v)):
                return RuleFields.domainFields.contains(c.field) ? [.domainSuffix(field: c.field, values: v)] : [.affix(field: c.field, prefix: false, values: v)]
            case (.prefix, .text(let v)): return [.affix(field: c.field, prefix: true, values: v)]
            case (.cidr, .prefixes(let p)): return [.cidr(field: c.field, prefixes: p)]
            case (_, .ranges(let r)): return [.numbers(field: c.field, ranges: r)]
            default: return nil
            }
        case .payload(let p):
            guard let i = p.pattern.firstIndex(where: { $0 != nil }) else { return nil }
            return [.payload(direction: p.direction, position: p.offset + i, byte: p.pattern[i]!)]
        case .sequence(let s):
            guard !s.anywhere, let first = s.steps.first, first.direction != .any, first.lengths.count == 1 else { return nil }
            return [.firstLength(first.direction == .c2s ? first.lengths.lowerBound : -first.lengths.lowerBound)]
        case .counter, .not:
            return nil
        case .all(let children):
            var best: [Anchor]? = nil
            for child in children {
                guard let anchors = select(child) else { continue }
                if let current = best {
                    let a = anchors.map(\.rank).min()!, b = current.map(\.rank).min()!
                    if a > b || (a == b && anchors.map(\.weight).reduce(0, +) < current.map(\.weight).reduce(0, +)) { best = anchors }
                } else {
                    best = anchors
                }
            }
            return best
        case .any(let children):
            var all = [Anchor]()
            for child in children {
                guard let anchors = select(child) else { return nil }
                all += anchors
            }
            return all
        }
    }

    /// Number of keys the anchor puts in the index (fewer is better at equal rank).
    var weight: Int {
        switch self {
        case .exact(_, let v), .domainSuffix(_, let v), .affix(_, _, let v): return v.count
        case .cidr(_, let p): return p.count
        case .numbers(_, let r): return r.count
        case .payload, .firstLength: return 1
        }
    }
}

/// The indexes from fact values to candidate rules.
struct AnchorIndex: Sendable {
    var exact: [String: [String: [Int32]]] = [:]
    var domainSuffix: [String: [String: [Int32]]] = [:]
    /// Per field: values by length (longest first) for prefix and for suffix.
    var prefixes: [String: [(length: Int, values: [String: [Int32]])]] = [:]
    var suffixes: [String: [(length: Int, values: [String: [Int32]])]] = [:]
    var cidr: [String: PrefixTable<[Int32]>] = [:]
    /// Per number field: exact numbers (narrow ranges expanded) and wide ranges.
    var numbers: [String: [Int: [Int32]]] = [:]
    var wideRanges: [String: [(range: ClosedRange<Int>, rule: Int32)]] = [:]
    /// Payload byte by direction (0 c2s, 1 s2c), position and value.
    var payload: [[[Int32]]] = []
    var payloadPositions: [Int] = []
    var firstLength: [Int: [Int32]] = [:]

    /// Ranges up to this width go into the exact-number table.
    static let expandLimit = 4096

    struct Builder {
        var index = AnchorIndex()
        var payloadTable: [Int: [Int32]] = [:]  // key: direction << 16 | position << 8 | byte

        mutating func add(_ anchor: Anchor, rule: Int32) {
            switch anchor {
            case .exact(let field, let values):
                for v in values { index.exact[field, default: [:]][v, default: []].append(rule) }
            case .domainSuffix(let field, let values):
                for v in values { index.domainSuffix[field, default: [:]][v, default: []].append(rule) }
            case .affix(let field, let prefix, let values):
                var table = (prefix ? index.prefixes[field] : index.suffixes[field]) ?? []
                for v in values {
                    let length = v.utf8.count
                    if let i = table.firstIndex(where: { $0.length == length }) {
                        table[i].values[v, default: []].append(rule)
                    } else {
                        table.append((length, [v: [rule]]))
                        table.sort { $0.length > $1.length }
                    }
                }
                if prefix { index.prefixes[field] = table } else { index.suffixes[field] = table }
            case .cidr(let field, let prefixes):
                var table = index.cidr[field] ?? PrefixTable<[Int32]>()
                for p in prefixes { table[p] = (table[p] ?? []) + [rule] }
                index.cidr[field] = table
            case .numbers(let field, let ranges):
                for r in ranges {
                    if r.count <= AnchorIndex.expandLimit {
                        for n in r { index.numbers[field, default: [:]][n, default: []].append(rule) }
                    } else {
                        index.wideRanges[field, default: []].append((r, rule))
                    }
                }
            case .payload(let direction, let position, let byte):
                for d in direction == .any ? [0, 1] : [direction == .c2s ? 0 : 1] {
                    payloadTable[d << 16 | position << 8 | Int(byte), default: []].append(rule)
                }
            case .firstLength(let length):
                index.firstLength[length, default: []].append(rule)
            }
        }

        func build() -> AnchorIndex {
            var index = self.index
            index.payloadPositions = Array(Set(payloadTable.keys.map { ($0 >> 8) & 0xFF })).sorted()
            index.payload = Array(repeating: Array(repeating: [], count: 256 * FlowFacts.firstPayloadLimit), count: 2)
            if payloadTable.isEmpty { index.payload = [] }
            for (key, rules) in payloadTable {
                index.payload[key >> 16][((key >> 8) & 0xFF) * 256 + (key & 0xFF)] = rules
            }
            return index
        }
    }

    /// Rules whose anchor the facts satisfy (may repeat).
    func candidates(_ facts: FlowFacts) -> [Int32] {
        var out = [Int32]()
        for (field, table) in exact {
            for v in RuleFields.text(field, of: facts) { if let r = table[v] { out += r } }
        }
        for (field, table) in domainSuffix {
            for v in RuleFields.text(field, of: facts) {
                for suffix in domainSuffixes(v) { if let r = table[suffix] { out += r } }
            }
        }
        for (field, table) in prefixes {
            for v in RuleFields.text(field, of: facts) {
                let bytes = v.utf8
                for (length, values) in table where length <= bytes.count {
                    if let r = values[String(decoding: bytes.prefix(length), as: UTF8.self)] { out += r }
                }
            }
        }
        for (field, table) in suffixes {
            for v in RuleFields.text(field, of: facts) {
                let bytes = v.utf8
                for (length, values) in table where length <= bytes.count {
                    if let r = values[String(decoding: bytes.suffix(length), as: UTF8.self)] { out += r }
                }
            }
        }
        for (field, table) in cidr {
            for a in RuleFields.addresses(field, of: facts) {
                for r in table.allMatches(a) { out += r }
            }
        }
        for (field, table) in numbers {
            for n in RuleFields.numbers(field, of: facts) { if let r = table[n] { out += r } }
        }
        for (field, ranges) in wideRanges {
            let values = RuleFields.numbers(field, of: facts)
            for (range, rule) in ranges where values.contains(where: range.contains) { out.append(rule) }
        }
        if !payload.isEmpty {
            for d in 0..<min(2, facts.firstPayload.count) {
                let bytes = facts.firstPayload[d]
                for position in payloadPositions where position < bytes.count {
                    out += payload[d][position * 256 + Int(bytes[position])]
                }
            }
        }
        if !firstLength.isEmpty, let first = facts.payloadLengths.first, let r = firstLength[Int(first)] { out += r }
        return out
    }
}
