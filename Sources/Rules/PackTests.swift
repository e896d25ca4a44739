import Decoding

/// The tests a pack declares in `tests.yaml`: captures with the platform expected
/// per flow (run by the analysis pipeline, checked with `check(_:results:)`), and
/// synthetic flows given field by field (run here with `runFactCases(with:)`).
public struct PackTests: Sendable {
    /// The `tests.yaml` path.
    public var file: String
    public var cases: [PackTest]

    /// Reads a `tests.yaml`; capture paths are resolved against `packPath`.
    public static func load(file: String, packPath: String) throws(RuleError) -> PackTests {
        let text = try FileAccess.readText(file)
        guard let node = try SafeYAML.parse(text, file: file) else { return PackTests(file: file, cases: []) }
        let map = try MappingReader(node, file: file, what: "tests.yaml")
        try map.rejectUnknown(["tests"], what: "tests.yaml")
        guard let list = map["tests"] else { return PackTests(file: file, cases: []) }
        guard case .sequence(let items) = list.value else { throw list.place(file).error("'tests' must be a list", hint: "start each test with '- name: …'") }
        var cases = [PackTest]()
        for item in items { cases.append(try PackTest.parse(item, file: file, packPath: packPath)) }
        return PackTests(file: file, cases: cases)
    }

    /// Compares what the pipeline labelled in a capture with what `test` expects.
    public static func check(_ test: PackTest, results: [FlowResult]) -> [PackTestFailure] {
        guard case .capture(let capture) = test.kind else { return [] }
        var failures = [PackTestFailure]()
        for expectation in capture.flows {
            let selected = results.filter { expectation.selects($0) }
            let wanted = expectation.platform ?? "none"
            if selected.isEmpty {
                failures.append(.init(test: test.name, line: expectation.line, message: "no flow matches \(expectation.selectorText)"))
            }
            for result in selected where result.platform != expectation.platform {
                failures.append(.init(test: test.name, line: expectation.line,
                                      message: "flow \(expectation.selectorText): expected \(wanted), got \(result.platform ?? "none")"))
            }
        }
        for count in capture.counts {
            let n = results.filter { $0.platform == count.platform }.count
            if n < count.minimum || count.maximum.map({ n > $0 }) == true {
                let bound = count.maximum == count.minimum ? "\(count.minimum)" : "\(count.minimum)…\(count.maximum.map(String.init) ?? "")"
                failures.append(.init(test: test.name, line: count.line, message: "\(count.platform ?? "none"): expected \(bound) flows, got \(n)"))
            }
        }
        return failures
    }

    /// Runs the synthetic-flow cases against `rules` (the first match decides the platform).
    public func runFactCases(with rules: RuleSet) -> [PackTestFailure] {
        var failures = [PackTestFailure]()
        for test in cases {
            guard case .facts(let factsCase) = test.kind else { continue }
            let first = rules.classify(factsCase.facts).first
            if first?.rule.platform != factsCase.platform {
                failures.append(.init(test: test.name, line: test.line,
                                      message: "expected \(factsCase.platform ?? "none"), got \(first.map { "\($0.rule.platform) (rule \($0.rule.name))" } ?? "none")"))
            } else if let rule = factsCase.rule, first?.rule.name != rule {
                failures.append(.init(test: test.name, line: test.line, message: "expected rule \(rule), got \(first?.rule.name ?? "none")"))
            }
        }
        return failures
    }
}

/// One declared test.
public struct PackTest: Sendable {
    public enum Kind: Sendable {
        case capture(CaptureTest)
        case facts(FactsTest)
    }

    public var name: String
    public var line: Int
    public var kind: Kind

    static func parse(_ node: YNode, file: String, packPath: String) throws(RuleError) -> PackTest {
        let map = try MappingReader(node, file: file, what: "a test")
        try map.rejectUnknown(["name", "capture", "flows", "counts", "facts", "platform", "rule"], what: "a test")
        let name = try map.requiredText("name")
        if let capture = try map.text("capture") {
            guard map["facts"] == nil, map["platform"] == nil, map["rule"] == nil else {
                throw node.place(file).error("a capture test takes 'flows' and 'counts', not 'facts', 'platform' or 'rule'")
            }
            guard isSafeRelativePath(capture) else { throw map["capture"]!.place(file).error("unsafe capture path '\(capture)'", hint: "a path relative to the pack, without '..'") }
            var flows = [FlowExpectation]()
            if let list = map["flows"] {
                guard case .sequence(let items) = list.value else { throw list.place(file).error("'flows' must be a list") }
                for item in items {
                    let entry = try MappingReader(item, file: file, what: "a flow expectation")
                    try entry.rejectUnknown(["select", "platform"], what: "a flow expectation")
                    let selectNode = try entry.required("select", hint: "flow record fields, e.g. {dst_ip: 203.0.113.10, dst_port: 443}")
                    let select = try MappingReader(selectNode, file: file, what: "'select'")
                    var selector = [String: String]()
                    for key in select.keys {
                        guard let value = try select.text(key) else { continue }
                        selector[key] = value
                    }
                    guard !selector.isEmpty else { throw selectNode.place(file).error("empty selector") }
                    flows.append(FlowExpectation(selector: selector, platform: try platform(entry, file: file), line: item.line))
                }
            }
            var counts = [CountExpectation]()
            if let countsNode = map["counts"] {
                let countMap = try MappingReader(countsNode, file: file, what: "'counts'")
                for key in countMap.keys {
                    let value = countMap[key]!
                    var minimum = 0, maximum: Int? = nil
                    if let n = value.string.flatMap({ Int($0) }), n >= 0 {
                        minimum = n
                        maximum = n
                    } else {
                        let bounds = try MappingReader(value, file: file, what: "a count")
                        try bounds.rejectUnknown(["min", "max"], what: "a count")
                        minimum = try bounds.text("min").flatMap { Int($0) } ?? 0
                        maximum = try bounds.text("max").flatMap { Int($0) }
                    }
                    counts.append(CountExpectation(platform: key == "none" ? nil : key, minimum: minimum, maximum: maximum, line: value.line))
                }
            }
            guard !flows.isEmpty || !counts.isEmpty else { throw node.place(file).error("capture test '\(name)' expects nothing", hint: "add 'flows' or 'counts'") }
            return PackTest(name: name, line: node.line, kind: .capture(CaptureTest(
                relativePath: capture, path: FileAccess.join(packPath, capture), flows: flows, counts: counts)))
        }
        let factsNode = try map.required("facts", hint: "a test has either 'capture' or 'facts'")
        return PackTest(name: name, line: node.line, kind: .facts(FactsTest(
            facts: try parseFacts(factsNode, file: file), platform: try platform(map, file: file), rule: try map.text("rule"))))
    }

    static func platform(_ map: MappingReader, file: String) throws(RuleError) -> String? {
        let value = try map.requiredText("platform", hint: "a platform name, or 'none' for no label")
        return value == "none" ? nil : value
    }

    static func parseFacts(_ node: YNode, file: String) throws(RuleError) -> FlowFacts {
        let map = try MappingReader(node, file: file, what: "'facts'")
        var facts = FlowFacts(proto: "tcp", sourceAddress: IPAddress("192.0.2.1")!, sourcePort: 40000,
                              destinationAddress: IPAddress("198.51.100.1")!, destinationPort: 443)
        for key in map.keys {
            let value = map[key]
            let place = (map.keyNode(key) ?? node).place(file)
            let texts = try value.map { (v: YNode) throws(RuleError) in try scalarList(v, file: file, what: "'\(key)'") } ?? []
            let first = texts.first ?? ""
            func number(_ text: String, max: Int) throws(RuleError) -> Int {
                guard let n = Int(text), n >= -max, n <= max else { throw place.error("'\(key)' must be a number") }
                return n
            }
            func address(_ text: String) throws(RuleError) -> IPAddress {
                guard let a = IPAddress(text) else { throw place.error("'\(key)' must be an IP address") }
                return a
            }
            func bytes(_ text: String) throws(RuleError) -> [UInt8] {
                let digits = Array(text.utf8.filter { $0 != UInt8(ascii: " ") })
                guard digits.count % 2 == 0 else { throw place.error("'\(key)' must be hex bytes") }
                var out = [UInt8]()
                for i in stride(from: 0, to: digits.count, by: 2) {
                    guard let h = hexValue(digits[i]), let l = hexValue(digits[i + 1]) else { throw place.error("'\(key)' must be hex bytes") }
                    out.append(h << 4 | l)
                }
                return Array(out.prefix(FlowFacts.firstPayloadLimit))
            }
            switch key {
            case "proto": facts.proto = first
            case "app_proto": facts.appProto = first
            case "src_ip": facts.sourceAddress = try address(first)
            case "dst_ip": facts.destinationAddress = try address(first)
            case "src_port": facts.sourcePort = UInt16(try number(first, max: 65535) & 0xFFFF)
            case "dst_port": facts.destinationPort = UInt16(try number(first, max: 65535) & 0xFFFF)
            case "stun.attributes":
                facts.stunAttributes = []
                for t in texts {
                    guard let n = t.hasPrefix("0x") ? Int(t.dropFirst(2), radix: 16) : Int(t), (0...65535).contains(n) else { throw place.error("'\(key)' must list numbers") }
                    facts.stunAttributes.append(UInt16(n))
                }
            case "payload_c2s_bytes": facts.firstPayload[0] = try bytes(first)
            case "payload_s2c_bytes": facts.firstPayload[1] = try bytes(first)
            case "payload_lengths":
                facts.payloadLengths = []
                for t in texts { facts.payloadLengths.append(Int32(try number(t, max: 65535))) }
            default:
                if RuleFields.counters.contains(key) {
                    facts.counters[key] = Int64(try number(first, max: Int(Int32.max)))
                } else if case .text = RuleFields.kind(of: key) {
                    facts.text[key] = texts
                } else {
                    throw place.error("unknown fact '\(key)'", hint: suggestion(for: key, among: RuleFields.allNames + RuleFields.counters + ["payload_c2s_bytes", "payload_s2c_bytes", "payload_lengths"]))
                }
            }
        }
        return facts
    }
}

/// A test over a capture of the pack.
public struct CaptureTest: Sendable {
    /// As written in `tests.yaml`, relative to the pack.
    public var relativePath: String
    /// Resolved against the pack folder.
    public var path: String
    public var flows: [FlowExpectation]
    public var counts: [CountExpectation]
}

/// A synthetic flow and the platform its first match must have.
public struct FactsTest: Sendable {
    public var facts: FlowFacts
    /// nil: no rule may match.
    public var platform: String?
    /// When given, the first match must be this rule (by name).
    public var rule: String?
}

/// "The flows whose fields equal `selector` are labelled `platform`".
public struct FlowExpectation: Sendable, Hashable {
    /// Flow-record keys and values (`dst_ip`, `dst_port`, `proto`, `tls.sni`, `flow_id`, …).
    public var selector: [String: String]
    /// nil means no label.
    public var platform: String?
    public var line: Int

    /// Whether `result` has every selected field; addresses compare as addresses, domains without case.
    public func selects(_ result: FlowResult) -> Bool {
        selector.allSatisfy { key, wanted in
            guard let actual = result.fields[key] else { return false }
            if let a = IPAddress(wanted), let b = IPAddress(actual) { return a == b }
            if RuleFields.domainFields.contains(key) { return RuleFields.normaliseDomain(wanted) == RuleFields.normaliseDomain(actual) }
            return wanted == actual
        }
    }

    var selectorText: String { "{" + selector.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}" }
}

/// "Between `minimum` and `maximum` flows are labelled `platform`" (nil platform: unlabelled).
public struct CountExpectation: Sendable, Hashable {
    public var platform: String?
    public var minimum: Int
    public var maximum: Int?
    public var line: Int
}

/// What the pipeline made of one flow of a test capture.
public struct FlowResult: Sendable, Hashable {
    /// Flow-record fields as text (`src_ip`, `dst_port`, `proto`, `tls.sni`, …).
    public var fields: [String: String]
    /// The platform of the first match, nil when no rule matched.
    public var platform: String?

    public init(fields: [String: String], platform: String?) {
        self.fields = fields
        self.platform = platform
    }
}

/// One unmet expectation, printable as `test 'name' (line N): message`.
public struct PackTestFailure: Sendable, Hashable, CustomStringConvertible {
    public var test: String
    public var line: Int
    public var message: String

    public var description: String { "test '\(test)' (line \(line)): \(message)" }
}
