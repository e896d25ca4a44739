import Decoding
import Testing
@testable import Rules

/// The indexes must never change the answer: compare with evaluating every rule.
@Suite struct PropertyTests {
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        mutating func pick<T>(_ items: [T]) -> T { items[int(items.count)] }
    }

    static let labels = (0..<40).map { "l\($0)" }
    /// JA4-shaped strings: 200 distinct, sharing their first sections often.
    static let fingerprints = (0..<200).map { "t13d\(10 + $0 % 9)\(10 + $0 % 7)h2_\(String($0 * 7919, radix: 16).leftPadded(12))_e5627efa2ab1" }

    func domain(_ g: inout Generator, labels: Int? = nil) -> String {
        ((0..<(labels ?? 1 + g.int(3))).map { _ in g.pick(Self.labels) } + [g.pick(["net", "org"])]).joined(separator: ".")
    }

    func address(_ g: inout Generator) -> IPAddress {
        g.int(3) == 0 ? IPAddress(high: 0x2001_0db8_0000_0000, low: UInt64(g.int(1 << 16)))
            : IPAddress(ipv4: 0x0A00_0000 | UInt32(g.int(1 << 16)))
    }

    func field(_ name: String, _ mode: MatchMode, _ values: ConditionValues) -> Condition {
        .field(FieldCondition(field: name, mode: mode, values: values, listFile: nil, line: 1, column: 1))
    }

    /// A condition that few flows satisfy, and that the indexes can anchor on.
    func selective(_ g: inout Generator) -> Condition {
        switch g.int(6) {
        case 0: return field(g.pick(["tls.sni", "dns_name"]), .exact, .text([domain(&g), domain(&g)]))
        case 1: return field(g.pick(["tls.sni", "dns_name", "http.host"]), .suffix, .text([domain(&g, labels: 1 + g.int(2))]))
        case 2: return field("tls.ja4", g.pick([.prefix, .exact]), .text([String(g.pick(Self.fingerprints).prefix(12 + g.int(25)))]))
        case 3:
            let a = address(&g)
            return field(g.pick(["src_ip", "dst_ip", "any_ip"]), .cidr, .prefixes([IPPrefix(network: a, length: a.isIPv4 ? 96 + 24 + g.int(9) : 120 + g.int(9))]))
        case 4: return .payload(PayloadCondition(direction: g.pick([.c2s, .s2c, .any]), offset: g.int(3),
                                                 pattern: [UInt8(g.int(16)), g.int(4) == 0 ? nil : UInt8(g.int(16)), UInt8(g.int(16))], line: 1, column: 1))
        default:
            let first = 40 + g.int(100)
            return .sequence(SequenceCondition(steps: [.init(direction: g.pick([.c2s, .s2c]), lengths: first...first), .init(direction: .any, lengths: 100...(100 + g.int(3)))],
                                               anywhere: false, line: 1, column: 1))
        }
    }

    /// A condition many flows satisfy, or that cannot be indexed.
    func broad(_ g: inout Generator) -> Condition {
        switch g.int(6) {
        case 0:
            let low = g.pick([53, 443, 3478, 5222, 8801])
            return field(g.pick(["dst_port", "any_port"]), .range, .ranges([low...(low + g.int(3))]))
        case 1: return .counter(CounterCondition(name: "packets_c2s", minimum: Int64(g.int(10)), maximum: nil, line: 1, column: 1))
        case 2: return field("dns_name", .regex, .regexes([try! SafeRegex("^" + g.pick(Self.labels) + "\\.", caseInsensitive: true)]))
        case 3: return .sequence(SequenceCondition(steps: [.init(direction: .any, lengths: 40...45)], anywhere: true, line: 1, column: 1))
        case 4: return field("tls.sni", .contains, .text([g.pick(Self.labels)]))
        default: return field("proto", .exact, .text([g.pick(["tcp", "udp"])]))
        }
    }

    func condition(_ g: inout Generator) -> Condition {
        switch g.int(20) {
        case 0..<9: return .all([selective(&g), broad(&g)] + (g.int(3) == 0 ? [.not(broad(&g))] : []))
        case 9..<13: return .any([selective(&g), selective(&g)])
        case 13..<17: return selective(&g)
        case 17..<19: return .all([.any([selective(&g), .all([selective(&g), broad(&g)])]), .not(selective(&g))])
        default: return g.int(10) == 0 ? .all([broad(&g), broad(&g)]) : .all([selective(&g), .any([broad(&g), broad(&g)])])
        }
    }

    func randomFacts(_ g: inout Generator) -> FlowFacts {
        var text = [String: [String]]()
        if g.int(3) > 0 { text["tls.sni"] = [domain(&g)] }
        if g.int(2) == 0 { text["dns_name"] = [domain(&g)] }
        if g.int(3) == 0 { text["http.host"] = [domain(&g)] }
        if g.int(2) == 0 { text["tls.ja4"] = [g.pick(Self.fingerprints)] }
        return FlowFacts(proto: g.pick(["tcp", "udp"]), sourceAddress: address(&g), sourcePort: UInt16(g.pick([40000, 443, 3478])),
                         destinationAddress: address(&g), destinationPort: UInt16(g.pick([53, 443, 444, 3478, 3480, 5222, 8801])),
                         text: text, firstPayload: [(0..<5).map { _ in UInt8(g.int(16)) }, (0..<5).map { _ in UInt8(g.int(16)) }],
                         payloadLengths: [Int32(40 + g.int(100)) * Int32(g.pick([1, -1])), Int32(100 + g.int(100)) * Int32(g.pick([1, -1])), 41], counters: ["packets_c2s": Int64(g.int(12))])
    }

    @Test func indexesAgreeWithEvaluatingEveryRule() throws {
        var g = Generator(state: 0x5EED)
        let info = PackInfo(id: "org.example.synthetic", name: "synthetic", version: "1.0.0", tlp: .green)
        var rules = [Rule]()
        for i in 0..<10_000 {
            rules.append(Rule(id: "00000000-0000-4000-8000-\(String(i).leftPadded(12))", name: "rule-\(i)", rev: 1, title: "t", description: nil,
                              platform: g.pick(Platforms.known), service: .chat, confidence: g.pick(Confidence.allCases), status: .stable, ownTLP: nil,
                              author: nil, references: [], tags: [], falsePositives: [], created: nil, modified: nil, lastChecked: nil,
                              match: condition(&g), pack: info, file: "rules/r.yaml", line: i + 1))
        }
        let manifest = PackManifest(format: 1, id: info.id, name: info.name, version: info.version, description: "", author: "", organisation: "o",
                                    licence: "CC0-1.0", tlp: .green, created: "", modified: "", platforms: [], files: [])
        let set = try RuleSet.compile([RulePack(path: "/synthetic", manifest: manifest, rules: rules, tests: nil)])
        #expect(set.alwaysCheckedRules.count < 100)
        var matched = 0
        var evaluated = 0
        for _ in 0..<300 {
            let f = randomFacts(&g)
            let fast = set.classify(f)
            #expect(fast == set.classifyEvaluatingEveryRule(f))
            evaluated += set.candidateCount(f)
            matched += fast.count
        }
        #expect(matched > 300)
        // The point of the indexes: far fewer rules evaluated than all of them
        // (counted, not timed: the machine is shared).
        #expect(evaluated * 20 < 300 * rules.count, "\(evaluated) rule evaluations for 300 flows")
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
