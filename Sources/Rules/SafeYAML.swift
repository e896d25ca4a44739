import CYAML

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

    /// Parses in one pass over libyaml's events (iterative, no recursion), building the
    /// nodes directly: refuses aliases and anchors, more than one document, nesting past
    /// `maxDepth`, more than `maxNodes` nodes, keys that are not plain text and duplicate
    /// keys. (Yams' composer is not used: it hashed whole key subtrees, resolving tags
    /// with regular expressions, and recursed once per nesting level.)
    static func parse(_ text: String, file: String) throws(RuleError) -> YNode? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { throw RuleError(file: file, message: "YAML parser: out of memory") }
        defer { yaml_parser_delete(&parser) }
        let bytes = Array(text.utf8)
        let result: Result<YNode?, RuleError> = bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            return build(&parser, file: file)
        }
        return try result.get()
    }

    /// A sequence or mapping being built.
    private struct Open {
        var line: Int
        var column: Int
        var isMapping: Bool
        var items: [YNode] = []
        var pairs: [(key: YNode, value: YNode)] = []
        var pendingKey: YNode?
        /// The keys by name, kept only past `scanLimit` pairs (smaller mappings, nearly
        /// all, are searched in `pairs`: no dictionary per mapping).
        var keys: [String: YNode] = [:]
        static let scanLimit = 16

        /// The earlier key called `name`, if any (the key being added is not in `pairs` yet).
        func key(named name: String) -> YNode? {
            if pairs.count <= Open.scanLimit { return pairs.first { $0.key.string == name }?.key }
            return keys[name]
        }

        /// Records a new key once the mapping is past `scanLimit` pairs.
        mutating func remember(_ name: String, _ node: YNode) {
            guard pairs.count >= Open.scanLimit else { return }
            if keys.isEmpty {
                for pair in pairs { if let key = pair.key.string, keys[key] == nil { keys[key] = pair.key } }
            }
            keys[name] = node
        }
    }

    private static func build(_ parser: inout yaml_parser_t, file: String) -> Result<YNode?, RuleError> {
        var depth = 0, nodes = 0, documents = 0
        var stack = [Open]()
        var root: YNode?
        // Refusals found in the structure are reported after the whole text parsed (a
        // syntax error anywhere comes first); duplicates first, as when Yams checked them.
        var duplicate: RuleError?, badKey: RuleError?
        func add(_ node: YNode) {
            guard !stack.isEmpty else {
                root = node
                return
            }
            let top = stack.count - 1
            if !stack[top].isMapping {
                stack[top].items.append(node)
            } else if let key = stack[top].pendingKey {
                stack[top].pairs.append((key, node))
                stack[top].pendingKey = nil
            } else {
                stack[top].pendingKey = node
                if let name = node.string {
                    if let first = stack[top].key(named: name) {
                        if duplicate == nil {
                            duplicate = RuleError(file: file, line: first.line, column: first.column, message: "duplicate key '\(name)'",
                                                  hint: "each key may appear once in a mapping")
                        }
                    } else {
                        stack[top].remember(name, node)
                    }
                } else if badKey == nil {
                    badKey = RuleError(file: file, line: node.line, column: node.column, message: "a key must be plain text", hint: "write 'name: value'")
                }
            }
        }
        while true {
            var event = yaml_event_t()
            guard yaml_parser_parse(&parser, &event) == 1 else {
                let problem = parser.problem.map { String(cString: $0) } ?? "syntax error"
                let context = parser.context.map { String(cString: $0) }
                let mark = parser.problem_mark
                return .failure(RuleError(file: file, line: Int(mark.line) + 1, column: Int(mark.column) + 1,
                                          message: "YAML syntax: \(problem)" + (context.map { " \($0)" } ?? ""),
                                          hint: "check indentation, quotes and the ':' after each key"))
            }
            defer { yaml_event_delete(&event) }
            let line = Int(event.start_mark.line) + 1, column = Int(event.start_mark.column) + 1
            func refuse(_ message: String, _ hint: String) -> Result<YNode?, RuleError> {
                .failure(RuleError(file: file, line: line, column: column, message: message, hint: hint))
            }
            var anchor: UnsafeMutablePointer<yaml_char_t>?
            switch event.type {
            case YAML_STREAM_END_EVENT:
                if let error = duplicate ?? badKey { return .failure(error) }
                return .success(root)
            case YAML_DOCUMENT_START_EVENT:
                documents += 1
                if documents > 1 { return refuse("more than one YAML document in the file", "remove the '---' separator; one document per file") }
            case YAML_ALIAS_EVENT:
                return refuse("YAML aliases ('*name') are not allowed", "write the value out in full; quote text that starts with '*'")
            case YAML_SCALAR_EVENT:
                anchor = event.data.scalar.anchor
                nodes += 1
                if anchor == nil && nodes <= maxNodes {
                    let value = String(decoding: UnsafeBufferPointer(start: event.data.scalar.value, count: event.data.scalar.length), as: UTF8.self)
                    add(YNode(value: .scalar(value, plain: event.data.scalar.style == YAML_PLAIN_SCALAR_STYLE), line: line, column: column))
                }
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                let mapping = event.type == YAML_MAPPING_START_EVENT
                anchor = mapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor
                nodes += 1
                depth += 1
                if depth > maxDepth { return refuse("nesting deeper than \(maxDepth) levels", "flatten the structure") }
                stack.append(Open(line: line, column: column, isMapping: mapping))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                depth -= 1
                if let open = stack.popLast() {
                    add(YNode(value: open.isMapping ? .mapping(open.pairs) : .sequence(open.items), line: open.line, column: open.column))
                }
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
