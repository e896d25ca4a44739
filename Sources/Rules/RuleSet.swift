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
    public var alwaysCheckedRules: [String] { storage.alwaysChecked.map { compiled[Int($0)].rule.name } }

    /// What classification reads, behind one reference: a RuleSet is copied (into
    /// closures, existentials) per flow, and a copy is then one retain, not five.
    private final class Compiled: Sendable {
        let rules: [CompiledRule]
        let index: AnchorIndex
        /// The rules without an indexable condition, evaluated for every flow.
        let alwaysChecked: [Int32]
        /// `alwaysChecked` as a bit per rule: where each classification's candidate set starts.
        let alwaysMask: [UInt64]
        /// The words of `alwaysMask` that are not zero (see `CandidateBits`).
        let alwaysSummary: [UInt64]

        init(rules: [CompiledRule], index: AnchorIndex, alwaysChecked: [Int32], alwaysMask: [UInt64], alwaysSummary: [UInt64]) {
            self.rules = rules
            self.index = index
            self.alwaysChecked = alwaysChecked
            self.alwaysMask = alwaysMask
            self.alwaysSummary = alwaysSummary
        }
    }

    private let storage: Compiled
    var compiled: [CompiledRule] { storage.rules }

    private init(packs: [PackInfo], compiled: [CompiledRule], index: AnchorIndex, alwaysChecked: [Int32], alwaysMask: [UInt64], alwaysSummary: [UInt64]) {
        self.packs = packs
        storage = Compiled(rules: compiled, index: index, alwaysChecked: alwaysChecked, alwaysMask: alwaysMask, alwaysSummary: alwaysSummary)
    }

    /// Statuses compiled by default: deprecated rules are kept out of classification.
    public static let defaultStatuses: Set<RuleStatus> = [.stable, .test, .experimental]

    /// Compiles `packs`; rule ids must be unique across them, and so must pack ids.
    public static func compile(_ packs: [RulePack], statuses: Set<RuleStatus> = defaultStatuses) throws(RuleError) -> RuleSet {
        var rules = [Rule]()
        var ids = [String: Int]()  // positions in `rules`
        ids.reserveCapacity(packs.reduce(0) { $0 + $1.rules.count })
        var packIDs = [String: String]()
        for pack in packs {
            if let other = packIDs[pack.manifest.id] {
                throw RuleError(file: FileAccess.join(pack.path, PackLoader.manifestName), message: "pack id '\(pack.manifest.id)' is also the id of \(other)",
                                hint: "load one version of a pack at a time")
            }
            packIDs[pack.manifest.id] = pack.path
            for rule in pack.rules where statuses.contains(rule.status) {
                if let other = ids[rule.id].map({ rules[$0] }) {
                    throw RuleError(file: FileAccess.join(pack.path, rule.file), line: rule.line, column: 1,
                                    message: "rule id \(rule.id) of '\(rule.name)' is also used by '\(other.name)' in pack \(other.pack.id)",
                                    hint: "rule ids must be unique across packs")
                }
                ids[rule.id] = rules.count
                rules.append(rule)
            }
        }
        // The last keys of `RuleMatch.ranksBefore` (name, pack id, rule id) as one number per rule.
        let byName = rules.indices.sorted { a, b in
            let x = rules[a], y = rules[b]
            if x.name != y.name { return x.name < y.name }
            if x.pack.id != y.pack.id { return x.pack.id < y.pack.id }
            return x.id < y.id
        }
        var order = [Int32](repeating: 0, count: rules.count)
        for (position, i) in byName.enumerated() { order[i] = Int32(position) }
        let compiled = rules.indices.map { CompiledRule(rule: rules[$0], root: CompiledNode(rules[$0].match), order: order[$0]) }

        var builder = AnchorIndex.Builder()
        var always = [Int32]()
        for (i, rule) in compiled.enumerated() {
            if let anchors = Anchor.select(rule.rule.match), anchors.allSatisfy(\.isIndexable) {
                for anchor in anchors { builder.add(anchor, rule: Int32(i)) }
            } else {
                always.append(Int32(i))
            }
        }
        var mask = [UInt64](repeating: 0, count: (compiled.count + 63) / 64)
        var summary = [UInt64](repeating: 0, count: CandidateBits.summaryWords(mask.count))
        for i in always {
            mask[Int(i) >> 6] |= 1 << UInt64(i & 63)
            summary[Int(i) >> 12] |= 1 << UInt64((i >> 6) & 63)
        }
        return RuleSet(packs: packs.map(\.info), compiled: compiled, index: builder.build(), alwaysChecked: always,
                       alwaysMask: mask, alwaysSummary: summary)
    }

    /// Every rule that matches `facts`, best first (see `RuleMatch.ranksBefore`).
    public func classify(_ facts: FlowFacts) -> [RuleMatch] {
        var matches = [(order: Int32, match: RuleMatch)]()
        let compiled = storage.rules
        withCandidates(facts) { i in
            let rule = compiled[i]
            if let match = rule.match(facts) { matches.append((rule.order, match)) }
        }
        if matches.count > 1 {
            // `RuleMatch.ranksBefore`, with the names compared once at compile time.
            matches.sort { a, b in
                let x = a.match, y = b.match
                if x.rule.confidence != y.rule.confidence { return x.rule.confidence > y.rule.confidence }
                if x.positiveConditions != y.positiveConditions { return x.positiveConditions > y.positiveConditions }
                if x.specificity != y.specificity { return x.specificity > y.specificity }
                return a.order < b.order
            }
        }
        return matches.map(\.match)
    }

    /// Calls `body` with the number of each candidate rule of `facts` (the rules found in
    /// the indexes and those always checked), once each, in rule order. The candidate
    /// set lives on the stack for the call: nothing is allocated per flow.
    func withCandidates(_ facts: FlowFacts, _ body: (Int) -> Void) {
        let set = storage
        let words = set.alwaysMask.count, summaryWords = CandidateBits.summaryWords(words)
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: words + summaryWords) { bits in
            let candidates = CandidateBits(bits, words: words)
            candidates.start(set.alwaysMask, summary: set.alwaysSummary)
            set.index.mark(facts, in: candidates)
            candidates.forEach(body)
        }
    }

    /// How many rules `classify` evaluates for `facts` (the work the indexes save, for tests).
    func candidateCount(_ facts: FlowFacts) -> Int {
        var count = 0
        withCandidates(facts) { _ in count += 1 }
        return count
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
    /// The first run of fixed bytes of a payload pattern (up to `maxPayloadRun` bytes).
    case payload(direction: Direction, position: Int, bytes: [UInt8])
    case firstLength(Int)

    /// Whether the index can hold it (text anchors need a text field with a number).
    var isIndexable: Bool {
        switch self {
        case .exact(let field, _), .domainSuffix(let field, _), .affix(let field, _, _): return TextFieldID(field) != nil
        default: return true
        }
    }

    /// Text fields with a handful of values shared by most flows (`proto: tcp`): an
    /// anchor there selects little, so any other anchor of an `all` is preferred.
    static let fewValues: Set<String> = ["proto", "app_proto", "ip_version", "end_reason", "tcp_handshake", "tls.ech", "tls.version", "tunnel.type"]

    /// Higher is more selective; `all` anchors on its most selective child.
    var rank: Int {
        switch self {
        case .exact(let field, _) where Anchor.fewValues.contains(field): return 0
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
            let run = p.pattern[i...].prefix { $0 != nil }.prefix(AnchorIndex.maxPayloadRun).map { $0! }
            return [.payload(direction: p.direction, position: p.offset + i, bytes: run)]
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

/// The indexes from fact values to candidate rules, per field by number.
struct AnchorIndex: Sendable {
    /// Per text field (`TextFieldID`): rules by exact value, by domain suffix, and
    /// values by length (longest first) for prefix and for suffix.
    var exact: [[String: [Int32]]]
    var domainSuffix: [[String: [Int32]]]
    var prefixes: [[(length: Int, values: [String: [Int32]])]]
    var suffixes: [[(length: Int, values: [String: [Int32]])]]
    /// Text fields with any table (bit per `TextFieldID`).
    var textFields: UInt64 = 0
    /// Per text field: quick filters in front of `exact` (keys hashed forward) and
    /// `domainSuffix` (keys hashed backward, so that one backward pass over a name
    /// hashes all its suffixes); see `QuickFilter`.
    var exactFilter: [QuickFilter]
    var suffixFilter: [QuickFilter]
    /// Per `AddressRef`.
    var cidr: [PrefixTable<[Int32]>]
    /// `cidr` split by address family (built from it).
    var cidrByFamily: [CIDRIndex] = []
    /// Per `NumberRef`: exact numbers (narrow ranges expanded) and wide ranges.
    var numbers: [[Int: [Int32]]]
    var wideRanges: [[(range: ClosedRange<Int>, rule: Int32)]]
    /// Payload byte by direction (0 c2s, 1 s2c), position and value.
    var payload: [[[Int32]]] = []
    var payloadPositions: [Int] = []
    /// Runs of 2 to `maxPayloadRun` fixed bytes by direction, position and length: the
    /// rules by the run's bytes (big-endian), one probe per distinct place.
    var payloadRuns: [(direction: Int, position: Int, length: Int, rules: [UInt32: [Int32]])] = []
    var firstLength: [Int: [Int32]] = [:]

    /// Ranges up to this width go into the exact-number table.
    static let expandLimit = 4096
    /// Fixed payload bytes a payload anchor keys on (one byte selects little: a 10,000
    /// rule pack has hundreds of patterns per first byte).
    static let maxPayloadRun = 4

    init() {
        let fields = TextFieldID.count
        exact = Array(repeating: [:], count: fields)
        domainSuffix = Array(repeating: [:], count: fields)
        prefixes = Array(repeating: [], count: fields)
        suffixes = Array(repeating: [], count: fields)
        exactFilter = Array(repeating: QuickFilter(), count: fields)
        suffixFilter = Array(repeating: QuickFilter(), count: fields)
        cidr = Array(repeating: PrefixTable(), count: 3)
        numbers = Array(repeating: [:], count: 4)
        wideRanges = Array(repeating: [], count: 4)
    }

    struct Builder {
        var index = AnchorIndex()
        var payloadTable: [Int: [Int32]] = [:]  // key: direction << 16 | position << 8 | byte
        var runTable: [Int: [UInt32: [Int32]]] = [:]  // key: direction << 16 | position << 8 | length

        /// Adds a rule's anchor (text anchors only for text fields: see `Anchor.isIndexable`).
        mutating func add(_ anchor: Anchor, rule: Int32) {
            switch anchor {
            case .exact(let field, let values):
                guard let f = TextFieldID(field)?.index else { return }
                index.textFields |= 1 << UInt64(f)
                for v in values {
                    index.exact[f][v, default: []].append(rule)
                    index.exactFilter[f].insert(v, backward: false)
                }
            case .domainSuffix(let field, let values):
                guard let f = TextFieldID(field)?.index else { return }
                index.textFields |= 1 << UInt64(f)
                for v in values {
                    index.domainSuffix[f][v, default: []].append(rule)
                    index.suffixFilter[f].insert(v, backward: true)
                }
            case .affix(let field, let prefix, let values):
                guard let f = TextFieldID(field)?.index else { return }
                index.textFields |= 1 << UInt64(f)
                var table = prefix ? index.prefixes[f] : index.suffixes[f]
                for v in values {
                    let length = v.utf8.count
                    if let i = table.firstIndex(where: { $0.length == length }) {
                        table[i].values[v, default: []].append(rule)
                    } else {
                        table.append((length, [v: [rule]]))
                        table.sort { $0.length > $1.length }
                    }
                }
                if prefix { index.prefixes[f] = table } else { index.suffixes[f] = table }
            case .cidr(let field, let prefixes):
                let f = AddressRef(field).rawValue
                for p in prefixes { index.cidr[f][p] = (index.cidr[f][p] ?? []) + [rule] }
            case .numbers(let field, let ranges):
                let f = NumberRef(field).rawValue
                for r in ranges {
                    if r.count <= AnchorIndex.expandLimit {
                        for n in r { index.numbers[f][n, default: []].append(rule) }
                    } else {
                        index.wideRanges[f].append((r, rule))
                    }
                }
            case .payload(let direction, let position, let bytes):
                for d in direction == .any ? [0, 1] : [direction == .c2s ? 0 : 1] {
                    if bytes.count == 1 {
                        payloadTable[d << 16 | position << 8 | Int(bytes[0]), default: []].append(rule)
                    } else {
                        let key = bytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                        runTable[d << 16 | position << 8 | bytes.count, default: [:]][key, default: []].append(rule)
                    }
                }
            case .firstLength(let length):
                index.firstLength[length, default: []].append(rule)
            }
        }

        func build() -> AnchorIndex {
            var index = self.index
            index.cidrByFamily = index.cidr.map(CIDRIndex.init)
            index.payloadPositions = Array(Set(payloadTable.keys.map { ($0 >> 8) & 0xFF })).sorted()
            index.payload = Array(repeating: Array(repeating: [], count: 256 * FlowFacts.firstPayloadLimit), count: 2)
            if payloadTable.isEmpty { index.payload = [] }
            for (key, rules) in payloadTable {
                index.payload[key >> 16][((key >> 8) & 0xFF) * 256 + (key & 0xFF)] = rules
            }
            index.payloadRuns = runTable.keys.sorted().map { key in
                (direction: key >> 16, position: (key >> 8) & 0xFF, length: key & 0xFF, rules: runTable[key]!)
            }
            return index
        }
    }

    /// Adds every rule whose anchor the facts satisfy.
    func mark(_ facts: FlowFacts, in bits: CandidateBits) {
        if textFields != 0 {
            let proto = TextFieldID.proto, app = TextFieldID.appProto
            if textFields & (1 << UInt64(proto)) != 0 { probe(proto, facts.proto, bits) }
            if textFields & (1 << UInt64(app)) != 0, let value = facts.appProto { probe(app, value, bits) }
            if facts.textPresent & textFields != 0 {
                for entry in facts.entries where textFields & (1 << UInt64(entry.field)) != 0 && entry.field != proto && entry.field != app {
                    probe(entry.field, entry.seen, bits)
                }
            }
        }
        cidrByFamily[AddressRef.source.rawValue].mark(facts.sourceAddress, in: bits)
        cidrByFamily[AddressRef.destination.rawValue].mark(facts.destinationAddress, in: bits)
        cidrByFamily[AddressRef.either.rawValue].mark(facts.sourceAddress, in: bits)
        cidrByFamily[AddressRef.either.rawValue].mark(facts.destinationAddress, in: bits)
        for raw in 0..<4 {
            let table = self.numbers[raw], wide = wideRanges[raw]
            if table.isEmpty && wide.isEmpty { continue }
            func mark(_ n: Int) {
                if !table.isEmpty, let r = table[n] { bits.insert(r) }
                for (range, rule) in wide where range.contains(n) { bits.insert(rule) }
            }
            switch NumberRef(rawValue: raw)! {
            case .sourcePort: mark(Int(facts.sourcePort))
            case .destinationPort: mark(Int(facts.destinationPort))
            case .eitherPort:
                mark(Int(facts.sourcePort))
                mark(Int(facts.destinationPort))
            case .stunAttributes: for n in facts.stunAttributes { mark(Int(n)) }
            }
        }
        if !payload.isEmpty {
            for d in 0..<2 {
                let bytes = facts.firstPayload[d]
                for position in payloadPositions where position < bytes.count {
                    bits.insert(payload[d][position * 256 + Int(bytes[position])])
                }
            }
        }
        for run in payloadRuns {
            let bytes = facts.firstPayload[run.direction]
            guard run.position + run.length <= bytes.count else { continue }
            var key: UInt32 = 0
            for i in run.position..<(run.position + run.length) { key = key << 8 | UInt32(bytes[i]) }
            if let r = run.rules[key] { bits.insert(r) }
        }
        if !firstLength.isEmpty, let first = facts.payloadLengths.first, let r = firstLength[Int(first)] { bits.insert(r) }
    }

    /// The text tables of field `f` for one value.
    private func probe(_ f: Int, _ v: String, _ bits: CandidateBits) {
        let exact = self.exact[f]
        if !exact.isEmpty, QuickFilter.asciiHash(v).map(exactFilter[f].mayContain) ?? true, let r = exact[v] { bits.insert(r) }
        let domainSuffix = self.domainSuffix[f]
        if !domainSuffix.isEmpty {
            let filter = suffixFilter[f]
            // ASCII names: one backward pass hashes every suffix; the table is asked only
            // about suffixes the filter may hold. Others: every suffix in turn.
            let done: Bool? = v.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
                guard !bytes.isEmpty, !bytes.contains(where: { $0 >= 0x80 }) else { return false }
                var h = QuickFilter.basis
                var i = bytes.count
                while i > 0 {
                    i -= 1
                    h = (h ^ UInt64(bytes[i])) &* QuickFilter.prime
                    if i == 0 || bytes[i - 1] == UInt8(ascii: ".") {
                        if filter.mayContain(h),
                           let r = domainSuffix[String(decoding: UnsafeBufferPointer(rebasing: bytes[i...]), as: UTF8.self)] {
                            bits.insert(r)
                        }
                    }
                }
                return true
            }
            if done != true {
                var walk = DomainSuffixWalk(v)
                while let (suffix, _) = walk.next() {
                    if let r = domainSuffix[suffix] { bits.insert(r) }
                }
            }
        }
        let prefixes = self.prefixes[f]
        if !prefixes.isEmpty {
            let bytes = v.utf8
            for (length, table) in prefixes where length <= bytes.count {
                if let r = table[String(decoding: bytes.prefix(length), as: UTF8.self)] { bits.insert(r) }
            }
        }
        let suffixes = self.suffixes[f]
        if !suffixes.isEmpty {
            let bytes = v.utf8
            for (length, table) in suffixes where length <= bytes.count {
                if let r = table[String(decoding: bytes.suffix(length), as: UTF8.self)] { bits.insert(r) }
            }
        }
    }

}

/// A bit filter in front of a hash table: "no" for most values that are not keys,
/// for the price of an FNV-1a hash of the bytes (no `Hasher`, no `String`). Asked
/// only about ASCII text, and off ("maybe" always) once a key has other characters:
/// `String` equality is canonical equivalence, which bytes alone cannot decide there
/// (KELVIN SIGN equals K).
struct QuickFilter: Sendable {
    private var words: [UInt64] = []
    private var off = false
    static let wordCount = 1 << 10  // 65,536 bits
    static let basis: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x100_0000_01b3

    /// The hash of the bytes first to last, nil when the text is not all ASCII.
    static func asciiHash(_ text: String) -> UInt64? {
        var h = basis
        for byte in text.utf8 {
            if byte >= 0x80 { return nil }
            h = (h ^ UInt64(byte)) &* prime
        }
        return h
    }

    /// Adds a key, hashed first to last or (for suffix tables) last to first.
    mutating func insert(_ key: String, backward: Bool) {
        guard key.utf8.allSatisfy({ $0 < 0x80 }) else {
            off = true
            return
        }
        var h = QuickFilter.basis
        if backward {
            for byte in key.utf8.reversed() { h = (h ^ UInt64(byte)) &* QuickFilter.prime }
        } else {
            for byte in key.utf8 { h = (h ^ UInt64(byte)) &* QuickFilter.prime }
        }
        insert(h)
    }

    private static func bits(_ h: UInt64) -> (Int, Int) {
        let m = h &* 0x9E37_79B9_7F4A_7C15
        return (Int(m >> 48), Int((m >> 32) & 0xFFFF))
    }

    private mutating func insert(_ h: UInt64) {
        if words.isEmpty { words = Array(repeating: 0, count: QuickFilter.wordCount) }
        let (a, b) = QuickFilter.bits(h)
        words[a >> 6] |= 1 << UInt64(a & 63)
        words[b >> 6] |= 1 << UInt64(b & 63)
    }

    /// False only when no key inserted has this hash.
    @inline(__always)
    func mayContain(_ h: UInt64) -> Bool {
        if off { return true }
        guard !words.isEmpty else { return false }
        let (a, b) = QuickFilter.bits(h)
        return words[a >> 6] & (1 << UInt64(a & 63)) != 0 && words[b >> 6] & (1 << UInt64(b & 63)) != 0
    }
}

/// A CIDR table arranged by address family. IPv4 prefixes become disjoint intervals
/// of the 32-bit space, each with the rules of every prefix covering it: one binary
/// search per address. Masked below 96 (in the IPv4-mapped space) every IPv4 address
/// gives the same key, looked up once when built. Other addresses probe the tables
/// per length, skipping lengths of 96 or more that hold only IPv4 networks.
struct CIDRIndex: Sendable {
    private var starts: [UInt32] = []
    private var covering: [[Int32]] = []
    private var v4Short: [[Int32]] = []
    private var other: [(length: Int, entries: [IPAddress: [Int32]])] = []

    init(_ table: PrefixTable<[Int32]>) {
        var intervals = [(start: UInt64, end: UInt64, rules: [Int32])]()
        for (length, entries) in table.tables {
            if length < 96 {
                if let rules = entries[IPPrefix.mask(IPAddress(ipv4: 0), length)] { v4Short.append(rules) }
                other.append((length, entries))
                continue
            }
            var hasOther = false
            for (network, rules) in entries {
                guard network.isIPv4 else {
                    hasOther = true
                    continue
                }
                let start = UInt64(network.ipv4Value)
                intervals.append((start, start + (UInt64(1) << UInt64(128 - length)) - 1, rules))
            }
            if hasOther { other.append((length, entries)) }
        }
        guard !intervals.isEmpty else { return }
        // Sweep the boundaries: rules start covering at `start` and stop after `end`.
        var boundaries = Set<UInt64>([0])
        var adding = [UInt64: [Int32]](), removing = [UInt64: [Int32]]()
        for (start, end, rules) in intervals {
            boundaries.insert(start)
            adding[start, default: []] += rules
            if end < UInt64(UInt32.max) {
                boundaries.insert(end + 1)
                removing[end + 1, default: []] += rules
            }
        }
        var active = [Int32: Int]()
        for boundary in boundaries.sorted() {
            for rule in removing[boundary] ?? [] {
                active[rule, default: 0] -= 1
                if active[rule] == 0 { active[rule] = nil }
            }
            for rule in adding[boundary] ?? [] { active[rule, default: 0] += 1 }
            starts.append(UInt32(boundary))
            covering.append(active.keys.sorted())
        }
    }

    func mark(_ address: IPAddress, in bits: CandidateBits) {
        if address.isIPv4 {
            if !starts.isEmpty {
                // The last interval starting at or before the address (the first starts at 0).
                let value = address.ipv4Value
                var low = 0, high = starts.count - 1
                while low < high {
                    let middle = (low + high + 1) / 2
                    if starts[middle] <= value { low = middle } else { high = middle - 1 }
                }
                bits.insert(covering[low])
            }
            for r in v4Short { bits.insert(r) }
        } else {
            for (length, entries) in other {
                if let r = entries[IPPrefix.mask(address, length)] { bits.insert(r) }
            }
        }
    }
}
