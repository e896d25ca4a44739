import CYaml
import Yams

/// A YAML node with the place it was written, after the safety checks.
struct YNode: Sendable {
    enum Value: Sendable {
        /// `plain` is false for quoted and block scalars (so `"null"` stays text).
        case scalar(String, plain: Bool)
        case sequence([YNode])
        case mapping([(key: YNode, value: YNode)])
    }

    var value: Value
    var line: Int
    var column: Int

    var string: String? {
        if case .scalar(let text, _) = value { return text }
        return nil
    }

    var isNull: Bool {
        if case .scalar(let text, true) = value { return text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL" }
        return false
    }

    var kindName: String {
        switch value {
        case .scalar: return "a value"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }

    func place(_ file: String) -> SourcePlace { SourcePlace(file: file, line: line, column: column) }
}

/// Parses YAML from other organisations without trusting it: one document, no
/// anchors or aliases (a few bytes of aliases can expand to gigabytes: "billion
/// laughs"), nesting and node count bounded, duplicate keys refused.
enum SafeYAML {
    static let maxDepth = 32
    static let maxNodes = 2_000_000

    static func parse(_ text: String, file: String) throws(RuleError) -> YNode? {
        if let problem = precheck(text, file: file) { throw problem }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw convert(error, file: file)
        } catch {
            throw RuleError(file: file, message: "YAML: \(error)")
        }
        guard let root else { return nil }
        return try convert(root, file: file)
    }

    /// One pass over libyaml's events (iterative, no recursion), before Yams builds
    /// nodes: Yams would resolve aliases and hash whole subtrees of keys, and recurses
    /// once per nesting level.
    private static func precheck(_ text: String, file: String) -> RuleError? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return RuleError(file: file, message: "YAML parser: out of memory") }
        defer { yaml_parser_delete(&parser) }
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer -> RuleError? in
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var depth = 0, nodes = 0, documents = 0
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    let problem = parser.problem.map { String(cString: $0) } ?? "syntax error"
                    let context = parser.context.map { String(cString: $0) }
                    let mark = parser.problem_mark
                    return RuleError(file: file, line: Int(mark.line) + 1, column: Int(mark.column) + 1,
                                     message: "YAML syntax: \(problem)" + (context.map { " \($0)" } ?? ""),
                                     hint: "check indentation, quotes and the ':' after each key")
                }
                defer { yaml_event_delete(&event) }
                let line = Int(event.start_mark.line) + 1, column = Int(event.start_mark.column) + 1
                func refuse(_ message: String, _ hint: String) -> RuleError {
                    RuleError(file: file, line: line, column: column, message: message, hint: hint)
                }
                var anchor: UnsafeMutablePointer<yaml_char_t>?
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return nil
                case YAML_DOCUMENT_START_EVENT:
                    documents += 1
                    if documents > 1 { return refuse("more than one YAML document in the file", "remove the '---' separator; one document per file") }
                case YAML_ALIAS_EVENT:
                    return refuse("YAML aliases ('*name') are not allowed", "write the value out in full; quote text that starts with '*'")
                case YAML_SCALAR_EVENT:
                    anchor = event.data.scalar.anchor
                    nodes += 1
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    anchor = event.type == YAML_SEQUENCE_START_EVENT ? event.data.sequence_start.anchor : event.data.mapping_start.anchor
                    nodes += 1
                    depth += 1
                    if depth > maxDepth { return refuse("nesting deeper than \(maxDepth) levels", "flatten the structure") }
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    depth -= 1
                default:
                    break
                }
                if anchor != nil {
                    return refuse("YAML anchors ('&name') are not allowed", "write the value out in full; quote text that starts with '&'")
                }
                if nodes > maxNodes { return refuse("more than \(maxNodes) YAML nodes", "move large value sets to list files") }
            }
        }
    }

    private static func convert(_ error: YamlError, file: String) -> RuleError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return RuleError(file: file, line: mark.line, column: mark.column, message: "YAML syntax: \(problem)",
                             hint: "check indentation, quotes and the ':' after each key")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return RuleError(file: file, line: context.mark.line, column: context.mark.column,
                             message: "duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", "))",
                             hint: "each key may appear once in a mapping")
        default:
            return RuleError(file: file, line: 1, column: 1, message: "YAML: \(error)")
        }
    }

    private static func convert(_ node: Node, file: String) throws(RuleError) -> YNode {
        let line = node.mark?.line ?? 0, column = node.mark?.column ?? 0
        switch node {
        case .scalar(let scalar):
            return YNode(value: .scalar(scalar.string, plain: scalar.style == .plain), line: line, column: column)
        case .sequence(let sequence):
            var items = [YNode]()
            items.reserveCapacity(sequence.count)
            for item in sequence { items.append(try convert(item, file: file)) }
            return YNode(value: .sequence(items), line: line, column: column)
        case .mapping(let mapping):
            var pairs = [(key: YNode, value: YNode)]()
            var seen = Set<String>()
            for (key, value) in mapping {
                let keyNode = try convert(key, file: file)
                guard let name = keyNode.string else {
                    throw RuleError(file: file, line: keyNode.line, column: keyNode.column, message: "a key must be plain text", hint: "write 'name: value'")
                }
                guard seen.insert(name).inserted else {
                    throw RuleError(file: file, line: keyNode.line, column: keyNode.column, message: "duplicate key '\(name)'", hint: "each key may appear once in a mapping")
                }
                pairs.append((keyNode, try convert(value, file: file)))
            }
            return YNode(value: .mapping(pairs), line: line, column: column)
        case .alias:
            throw RuleError(file: file, line: line, column: column, message: "YAML aliases are not allowed", hint: "write the value out in full")
        }
    }
}

/// Reads a YAML mapping key by key, and refuses keys nobody asked for.
struct MappingReader {
    let node: YNode
    let file: String
    private let pairs: [(key: YNode, value: YNode)]

    init(_ node: YNode, file: String, what: String) throws(RuleError) {
        guard case .mapping(let pairs) = node.value else {
            throw node.place(file).error("\(what) must be a mapping of 'key: value' lines, found \(node.kindName)")
        }
        self.node = node
        self.file = file
        self.pairs = pairs
    }

    var keys: [String] { pairs.compactMap { $0.key.string } }

    func keyNode(_ key: String) -> YNode? { pairs.first { $0.key.string == key }?.key }

    subscript(key: String) -> YNode? {
        guard let value = pairs.first(where: { $0.key.string == key })?.value, !value.isNull else { return nil }
        return value
    }

    func required(_ key: String, hint: String = "") throws(RuleError) -> YNode {
        guard let value = self[key] else {
            throw node.place(file).error("missing '\(key)'", hint: hint.isEmpty ? "add '\(key): …'" : hint)
        }
        return value
    }

    func text(_ key: String) throws(RuleError) -> String? {
        guard let value = self[key] else { return nil }
        guard let text = value.string else { throw value.place(file).error("'\(key)' must be text, found \(value.kindName)") }
        return text
    }

    func requiredText(_ key: String, hint: String = "") throws(RuleError) -> String {
        let value = try required(key, hint: hint)
        guard let text = value.string, !text.isEmpty else { throw value.place(file).error("'\(key)' must be non-empty text", hint: hint) }
        return text
    }

    func textList(_ key: String) throws(RuleError) -> [String] {
        guard let value = self[key] else { return [] }
        return try scalarList(value, file: file, what: "'\(key)'")
    }

    /// Refuses any key not in `allowed`, pointing at it and suggesting the nearest allowed key.
    func rejectUnknown(_ allowed: [String], what: String) throws(RuleError) {
        for pair in pairs {
            guard let key = pair.key.string, !allowed.contains(key) else { continue }
            throw pair.key.place(file).error("unknown key '\(key)' in \(what)", hint: suggestion(for: key, among: allowed))
        }
    }
}

/// A scalar or a list of scalars, as text.
func scalarList(_ node: YNode, file: String, what: String) throws(RuleError) -> [String] {
    switch node.value {
    case .scalar(let text, _): return [text]
    case .sequence(let items):
        var out = [String]()
        for item in items {
            guard let text = item.string else { throw item.place(file).error("\(what) must list plain values, found \(item.kindName)") }
            out.append(text)
        }
        return out
    case .mapping: throw node.place(file).error("\(what) must be a value or a list of values, found a mapping")
    }
}

/// "did you mean 'x'?" for the nearest name, else the list of names.
func suggestion(for word: String, among names: [String]) -> String {
    let scored = names.map { (name: $0, distance: editDistance(word.lowercased(), $0.lowercased())) }
    if let best = scored.min(by: { $0.distance < $1.distance || ($0.distance == $1.distance && $0.name < $1.name) }),
       best.distance <= max(2, word.count / 3) {
        return "did you mean '\(best.name)'?"
    }
    return "expected one of: " + names.joined(separator: ", ")
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.utf8.prefix(64)), b = Array(b.utf8.prefix(64))
    if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
    var previous = Array(0...b.count), current = previous
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
