/// Reads a pack folder into a `RulePack`: stops at the first error, or (for the
/// linter) records every error and goes on with the next rule.
struct PackLoader {
    static let manifestName = "pack.yaml"
    static let signatureName = "pack.sig"
    static let testsName = "tests.yaml"
    static let rulesFolder = "rules"
    static let maxListEntries = 1_000_000
    static let maxPackListEntries = 4_000_000

    let root: String
    let collectAll: Bool
    var diagnostics: [Diagnostic] = []
    /// Rule files read, relative to the pack root (for the linter).
    var ruleFiles: [String] = []
    private var listCache: [String: [ListEntry]] = [:]
    private var listEntriesLoaded = 0
    private var extraPlatforms: [String] = []

    struct ListEntry {
        var text: String
        var line: Int
        var column: Int
    }

    init(root: String, collectAll: Bool) {
        self.root = root
        self.collectAll = collectAll
    }

    func path(_ relative: String) -> String { FileAccess.join(root, relative) }

    /// Records `error` when collecting, else throws it.
    mutating func report(_ error: RuleError) throws(RuleError) {
        guard collectAll else { throw error }
        diagnostics.append(Diagnostic(error))
    }

    mutating func warn(_ place: SourcePlace, _ message: String, hint: String) {
        diagnostics.append(Diagnostic(severity: .warning, file: place.file, line: place.line, column: place.column, message: message, hint: hint))
    }

    // MARK: Pack

    mutating func load() throws(RuleError) -> RulePack {
        guard FileAccess.kind(root) == .directory else {
            throw RuleError(file: root, message: "not a pack folder", hint: "a pack is a folder holding \(Self.manifestName)")
        }
        let manifest = try loadManifest()
        extraPlatforms = manifest.platforms
        let info = PackInfo(id: manifest.id, name: manifest.name, version: manifest.version, tlp: manifest.tlp)

        let folder = path(Self.rulesFolder)
        guard FileAccess.kind(folder) == .directory else {
            throw RuleError(file: folder, message: "the pack has no '\(Self.rulesFolder)' folder", hint: "put rule files (*.yaml) in \(Self.rulesFolder)/")
        }
        let files = try FileAccess.walk(folder).files.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
        guard !files.isEmpty else {
            throw RuleError(file: folder, message: "no rule files", hint: "put rule files (*.yaml) in \(Self.rulesFolder)/")
        }
        var rules = [Rule]()
        // Positions in `rules` (a `Rule` is large: a dictionary of them copies each on every resize).
        var ids = [String: Int]()
        var names = [String: Int]()
        for name in files {
            let relative = Self.rulesFolder + "/" + name
            ruleFiles.append(relative)
            let loaded: [Rule]
            do throws(RuleError) {
                loaded = try loadRuleFile(relative, pack: info)
            } catch {
                try report(error)
                continue
            }
            ids.reserveCapacity(rules.count + loaded.count)
            names.reserveCapacity(rules.count + loaded.count)
            for rule in loaded {
                if let other = ids[rule.id].map({ rules[$0] }) {
                    try report(RuleError(file: path(rule.file), line: rule.line, column: 1,
                                         message: "duplicate rule id \(rule.id) (also '\(other.name)' at \(other.file):\(other.line))",
                                         hint: "give each rule its own UUID; keep the id when revising a rule, bump 'rev'"))
                    continue
                }
                if let other = names[rule.name].map({ rules[$0] }) {
                    try report(RuleError(file: path(rule.file), line: rule.line, column: 1,
                                         message: "duplicate rule name '\(rule.name)' (also at \(other.file):\(other.line))",
                                         hint: "rule names are unique in a pack"))
                    continue
                }
                ids[rule.id] = rules.count
                names[rule.name] = rules.count
                rules.append(rule)
            }
        }
        var tests: PackTests? = nil
        if FileAccess.kind(path(Self.testsName)) != .missing {
            do throws(RuleError) {
                tests = try PackTests.load(file: path(Self.testsName), packPath: root)
            } catch {
                try report(error)
            }
        }
        return RulePack(path: root, manifest: manifest, rules: rules, tests: tests)
    }

    mutating func loadManifest() throws(RuleError) -> PackManifest {
        let file = path(Self.manifestName)
        guard FileAccess.kind(file) != .missing else {
            throw RuleError(file: file, message: "missing pack manifest", hint: "create \(Self.manifestName) with id, name, version, organisation, licence, tlp and files")
        }
        let text = try FileAccess.readText(file)
        guard let node = try SafeYAML.parse(text, file: file) else {
            throw RuleError(file: file, line: 1, column: 1, message: "empty manifest", hint: "see Rules/FORMAT.md for the manifest keys")
        }
        let map = try MappingReader(node, file: file, what: "the manifest")
        try map.rejectUnknown(["format", "id", "name", "version", "description", "author", "organisation", "licence", "tlp",
                               "created", "modified", "platforms", "files"], what: "the manifest")
        var format = 1
        if let node = map["format"] {
            guard let value = node.string.flatMap({ Int($0) }), value >= 1 else { throw node.place(file).error("'format' must be a whole number", hint: "write 'format: 1'") }
            guard value == 1 else { throw node.place(file).error("pack format \(value) is newer than this engine reads (1)", hint: "update cipherscope") }
            format = value
        }
        let id = try map.requiredText("id", hint: "a stable lower-case identity such as 'eu.wg-li.messaging'")
        guard isPackID(id) else {
            throw map["id"]!.place(file).error("pack id '\(id)' must be lower-case letters, digits, '.', '-' or '_'", hint: "for example 'eu.wg-li.messaging'")
        }
        let version = try map.requiredText("version", hint: "MAJOR.MINOR.PATCH, e.g. 1.0.0")
        guard isVersion(version) else { throw map["version"]!.place(file).error("version '\(version)' is not MAJOR.MINOR.PATCH", hint: "for example 1.4.0") }
        let tlpNode = try map.required("tlp", hint: "the pack's TLP marking: clear, green, amber, amber+strict or red")
        guard let tlp = tlpNode.string.flatMap({ TLP(marking: $0) }) else {
            throw tlpNode.place(file).error("unknown TLP marking '\(tlpNode.string ?? "")'", hint: "one of clear, green, amber, amber+strict, red")
        }
        var dates = [String: String]()
        for key in ["created", "modified"] {
            guard let value = try map.text(key) else { continue }
            guard isISODate(value) else { throw map[key]!.place(file).error("'\(key)' must be a date YYYY-MM-DD, found '\(value)'", hint: "for example 2026-11-30") }
            dates[key] = value
        }
        var platforms = [String]()
        for (i, name) in try map.textList("platforms").enumerated() {
            guard isPlatformName(name) else {
                throw map["platforms"]!.place(file).error("platform name '\(name)' (entry \(i + 1)) must be letters, digits, '+', '-' or '_'", hint: "for example ExampleMessenger")
            }
            if Platforms.canonical(name) != nil {
                warn(map["platforms"]!.place(file), "platform '\(name)' is already known", hint: "remove it from 'platforms'")
            }
            platforms.append(name)
        }
        var files = [PackManifest.FileEntry]()
        if let list = map["files"] {
            guard case .sequence(let items) = list.value else { throw list.place(file).error("'files' must be a list of {path, sha256}") }
            var seen = Set<String>()
            for item in items {
                let entry = try MappingReader(item, file: file, what: "a 'files' entry")
                try entry.rejectUnknown(["path", "sha256"], what: "a 'files' entry")
                let relative = try entry.requiredText("path")
                guard isSafeRelativePath(relative) else {
                    throw entry["path"]!.place(file).error("unsafe path '\(relative)'", hint: "paths are relative to the pack, '/'-separated, without '..'")
                }
                let hash = try entry.requiredText("sha256").lowercased()
                guard hash.utf8.count == 64, hash.utf8.allSatisfy(isHexDigit) else {
                    throw entry["sha256"]!.place(file).error("'sha256' must be 64 hex digits", hint: "run 'cipherscope rules sign' to pin the files")
                }
                guard seen.insert(relative).inserted else { throw item.place(file).error("'\(relative)' is listed twice") }
                files.append(.init(path: relative, sha256: hash, line: item.line))
            }
        }
        return PackManifest(
            format: format, id: id, name: try map.requiredText("name"), version: version,
            description: try map.text("description") ?? "", author: try map.text("author") ?? "",
            organisation: try map.requiredText("organisation", hint: "the body that maintains the pack"),
            licence: try map.requiredText("licence", hint: "an SPDX identifier such as CC-BY-4.0, or 'restricted'"),
            tlp: tlp, created: dates["created"] ?? "", modified: dates["modified"] ?? "", platforms: platforms, files: files)
    }

    // MARK: Rules

    mutating func loadRuleFile(_ relative: String, pack: PackInfo) throws(RuleError) -> [Rule] {
        let file = path(relative)
        let text = try FileAccess.readText(file)
        guard let node = try SafeYAML.parse(text, file: file) else {
            throw RuleError(file: file, line: 1, column: 1, message: "empty rule file", hint: "a rule file holds 'rules:' and a list of rules")
        }
        let map = try MappingReader(node, file: file, what: "a rule file")
        try map.rejectUnknown(["rules"], what: "a rule file")
        let list = try map.required("rules", hint: "a rule file holds 'rules:' and a list of rules")
        guard case .sequence(let items) = list.value else { throw list.place(file).error("'rules' must be a list", hint: "start each rule with '- id: …'") }
        var rules = [Rule]()
        for item in items {
            do throws(RuleError) {
                rules.append(try parseRule(item, file: file, relative: relative, pack: pack))
            } catch {
                try report(error)
            }
        }
        return rules
    }

    static let ruleKeys = ["id", "name", "rev", "title", "description", "platform", "service", "confidence", "status", "tlp",
                           "author", "references", "tags", "falsepositives", "created", "modified", "last_checked", "match"]

    mutating func parseRule(_ node: YNode, file: String, relative: String, pack: PackInfo) throws(RuleError) -> Rule {
        let map = try MappingReader(node, file: file, what: "a rule")
        try map.rejectUnknown(Self.ruleKeys, what: "a rule")
        let id = try map.requiredText("id", hint: "a UUID; generate one with 'uuidgen'").lowercased()
        guard isUUID(id) else { throw map["id"]!.place(file).error("rule id '\(id)' is not a UUID", hint: "generate one with 'uuidgen'") }
        let name = try map.requiredText("name", hint: "a short lower-case name such as 'signal-sni'")
        guard isRuleName(name) else {
            throw map["name"]!.place(file).error("rule name '\(name)' must be lower-case letters, digits, '.', '-' or '_' (at most 128)", hint: "for example 'signal-sni'")
        }
        let revNode = try map.required("rev", hint: "the revision, 1 for a new rule")
        guard let rev = revNode.string.flatMap({ Int($0) }), rev >= 1 else { throw revNode.place(file).error("'rev' must be a whole number from 1", hint: "1 for a new rule; bump it on every change") }
        let platformNode = try map.required("platform")
        let platformText = platformNode.string ?? ""
        guard let platform = Platforms.canonical(platformText, extra: extraPlatforms), platform == platformText else {
            let known = Platforms.known + extraPlatforms
            let hint = Platforms.canonical(platformText, extra: extraPlatforms).map { "write '\($0)'" } ?? suggestion(for: platformText, among: known)
            throw platformNode.place(file).error("unknown platform '\(platformText)'", hint: hint + "; new names go in the manifest's 'platforms'")
        }
        var ownTLP: TLP? = nil
        if let node = map["tlp"] {
            guard let value = node.string.flatMap({ TLP(marking: $0) }) else { throw node.place(file).error("unknown TLP marking '\(node.string ?? "")'", hint: "one of clear, green, amber, amber+strict, red") }
            ownTLP = value
        }
        var dates = [String: String]()
        for key in ["created", "modified", "last_checked"] {
            guard let value = try map.text(key) else { continue }
            guard isISODate(value) else { throw map[key]!.place(file).error("'\(key)' must be a date YYYY-MM-DD, found '\(value)'", hint: "for example 2026-11-30") }
            dates[key] = value
        }
        let matchNode = try map.required("match", hint: "the conditions; see Rules/FORMAT.md")
        return Rule(
            id: id, name: name, rev: rev, title: try map.requiredText("title"), description: try map.text("description"),
            platform: platform,
            service: try parseEnum(try map.required("service"), file: file, key: "service", as: Service.self),
            confidence: try parseEnum(try map.required("confidence"), file: file, key: "confidence", as: Confidence.self),
            status: try parseEnum(try map.required("status"), file: file, key: "status", as: RuleStatus.self),
            ownTLP: ownTLP, author: try map.text("author"), references: try map.textList("references"), tags: try map.textList("tags"),
            falsePositives: try map.textList("falsepositives"),
            created: dates["created"], modified: dates["modified"], lastChecked: dates["last_checked"],
            match: try parseCondition(matchNode, file: file), pack: pack, file: relative, line: node.line)
    }

    // MARK: Conditions

    mutating func parseCondition(_ node: YNode, file: String) throws(RuleError) -> Condition {
        guard case .mapping(let pairs) = node.value, !pairs.isEmpty else {
            throw node.place(file).error("a condition must be a mapping such as 'tls.sni: {suffix: example.org}', found \(node.kindName)",
                                         hint: "combine conditions with all:, any: and not:")
        }
        var parts = [Condition]()
        for (keyNode, value) in pairs {
            let key = keyNode.string ?? ""
            switch key {
            case "all", "any":
                guard case .sequence(let items) = value.value, !items.isEmpty else {
                    throw value.place(file).error("'\(key)' takes a non-empty list of conditions", hint: "start each condition with '- '")
                }
                var children = [Condition]()
                for item in items { children.append(try parseCondition(item, file: file)) }
                parts.append(key == "all" ? .all(children) : .any(children))
            case "not":
                if case .sequence(let items) = value.value {
                    guard !items.isEmpty else { throw value.place(file).error("'not' takes a condition or a non-empty list") }
                    var children = [Condition]()
                    for item in items { children.append(try parseCondition(item, file: file)) }
                    parts.append(.not(.any(children)))
                } else {
                    parts.append(.not(try parseCondition(value, file: file)))
                }
            case "payload": parts.append(.payload(try parsePayload(value, file: file)))
            case "sequence": parts.append(.sequence(try parseSequence(value, file: file)))
            case "counter": parts.append(.counter(try parseCounter(value, file: file)))
            default: parts.append(.field(try parseField(keyNode, value, file: file)))
            }
        }
        return parts.count == 1 ? parts[0] : .all(parts)
    }

    mutating func parseField(_ keyNode: YNode, _ value: YNode, file: String) throws(RuleError) -> FieldCondition {
        let field = keyNode.string ?? ""
        guard let kind = RuleFields.kind(of: field) else {
            throw keyNode.place(file).error("unknown field '\(field)'",
                                            hint: suggestion(for: field, among: RuleFields.allNames + ["all", "any", "not", "payload", "sequence", "counter"]))
        }
        guard case .mapping(let pairs) = value.value else {
            throw value.place(file).error("'\(field)' needs a mode", hint: "write '\(field): {\(kind.modes[0].rawValue): \(value.string ?? "…")}'; modes: \(kind.modes.map(\.rawValue).joined(separator: ", "))")
        }
        guard pairs.count == 1 else {
            throw value.place(file).error("'\(field)' takes exactly one mode, found \(pairs.count)", hint: "combine several with all: or any:")
        }
        let (modeNode, valuesNode) = pairs[0]
        let modeText = modeNode.string ?? ""
        guard let mode = MatchMode(rawValue: modeText) else {
            throw modeNode.place(file).error("unknown mode '\(modeText)' for '\(field)'", hint: suggestion(for: modeText, among: kind.modes.map(\.rawValue)))
        }
        guard kind.modes.contains(mode) else {
            throw modeNode.place(file).error("mode '\(mode.rawValue)' does not apply to '\(field)'", hint: "use one of: \(kind.modes.map(\.rawValue).joined(separator: ", "))")
        }
        var entries = [ListEntry]()
        var listFile: String? = nil
        var entryFile = file
        switch valuesNode.value {
        case .scalar(let text, _):
            entries = [ListEntry(text: text, line: valuesNode.line, column: valuesNode.column)]
        case .sequence(let items):
            for item in items {
                guard let text = item.string else { throw item.place(file).error("values must be plain text or numbers, found \(item.kindName)") }
                entries.append(ListEntry(text: text, line: item.line, column: item.column))
            }
        case .mapping:
            let map = try MappingReader(valuesNode, file: file, what: "a value list")
            try map.rejectUnknown(["list"], what: "a value list")
            let name = try map.requiredText("list", hint: "the list file, e.g. 'list: signal-domains.txt'")
            let resolved = try resolveList(name, at: map["list"]!.place(file))
            entries = try loadList(resolved)
            listFile = resolved
            entryFile = path(resolved)
        }
        guard !entries.isEmpty else { throw valuesNode.place(file).error("no values for '\(field)'", hint: "give a value, a list, or {list: file}") }
        let domain = kind == .text(domain: true)
        let values: ConditionValues
        switch mode {
        case .exact where kind == .number, .range:
            var ranges = [ClosedRange<Int>]()
            for entry in entries {
                guard let range = parseRange(entry.text, allowRange: mode == .range) else {
                    throw RuleError(file: entryFile, line: entry.line, column: entry.column,
                                    message: "'\(entry.text)' is not \(mode == .range ? "a number or a range low-high" : "a number") from 0 to 65535",
                                    hint: mode == .range ? "for example 3478-3481" : "for example 443; use 'range' for low-high")
                }
                ranges.append(range)
            }
            values = .ranges(ranges)
        case .cidr:
            var prefixes = [IPPrefix]()
            for entry in entries {
                guard let prefix = IPPrefix(entry.text.trimmingSpaces) else {
                    throw RuleError(file: entryFile, line: entry.line, column: entry.column, message: "'\(entry.text)' is not an IP address or prefix",
                                    hint: "for example 203.0.113.0/24 or 2001:db8::/32")
                }
                prefixes.append(prefix)
            }
            values = .prefixes(prefixes)
        case .regex:
            var regexes = [SafeRegex]()
            for entry in entries {
                do throws(SafeRegex.SyntaxError) {
                    regexes.append(try SafeRegex(entry.text, caseInsensitive: domain))
                } catch {
                    throw RuleError(file: entryFile, line: entry.line, column: entry.column,
                                    message: "regex '\(entry.text)' refused at character \(error.position): \(error.message)",
                                    hint: "the safe subset has literals, ., [classes], ^ $, ? * + {m,n} (n ≤ 32), | and groups")
                }
            }
            values = .regexes(regexes)
        default:
            var texts = [String]()
            texts.reserveCapacity(entries.count)
            for entry in entries {
                var text = entry.text
                if domain {
                    text = RuleFields.normaliseDomain(text)
                    if mode == .suffix {
                        if text.hasPrefix("*.") { text.removeFirst(2) } else if text.hasPrefix(".") { text.removeFirst() }
                    }
                }
                guard !text.isEmpty else {
                    throw RuleError(file: entryFile, line: entry.line, column: entry.column, message: "empty value for '\(field)'", hint: "remove the entry")
                }
                texts.append(text)
            }
            values = .text(texts)
        }
        return FieldCondition(field: field, mode: mode, values: values, listFile: listFile, line: keyNode.line, column: keyNode.column)
    }

    func parseRange(_ text: String, allowRange: Bool) -> ClosedRange<Int>? {
        func number(_ s: Substring) -> Int? {
            let t = s.trimmingSpaces
            let value = t.hasPrefix("0x") ? Int(t.dropFirst(2), radix: 16) : Int(t)
            guard let value, (0...65535).contains(value), t.utf8.count <= 7 else { return nil }
            return value
        }
        let parts = text.split(separator: "-", maxSplits: 2, omittingEmptySubsequences: false)
        if parts.count == 1, let n = number(parts[0]) { return n...n }
        guard allowRange, parts.count == 2, let low = number(parts[0]), let high = number(parts[1]), low <= high else { return nil }
        return low...high
    }

    func resolveList(_ name: String, at place: SourcePlace) throws(RuleError) -> String {
        guard isSafeRelativePath(name) else {
            throw place.error("unsafe list path '\(name)'", hint: "list files live in the pack: a relative path without '..'")
        }
        // Every component must be a real folder or file: a symbolic link could point out of the pack.
        func insidePack(_ relative: String) -> Bool {
            let parts = relative.split(separator: "/")
            for i in 1..<parts.count where FileAccess.kind(path(parts[..<i].joined(separator: "/"))) != .directory { return false }
            return FileAccess.kind(path(relative)) == .file
        }
        for candidate in [name, "lists/" + name] where insidePack(candidate) { return candidate }
        throw place.error("list file '\(name)' not found", hint: "list files are looked up in the pack folder, then in its lists/ folder")
    }

    /// One entry per line; `#` starts a comment at the line start or after a space.
    mutating func loadList(_ relative: String) throws(RuleError) -> [ListEntry] {
        if let cached = listCache[relative] { return cached }
        let file = path(relative)
        let text = try FileAccess.readText(file, limit: FileAccess.maxListBytes)
        var entries = [ListEntry]()
        var lineNumber = 0
        for rawLine in text.textLines {
            lineNumber += 1
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line.removeLast() }
            if let hash = commentStart(line) { line = line[..<hash] }
            let leading = line.prefix { $0 == " " || $0 == "\t" }.count
            let value = line.trimmingSpaces
            guard !value.isEmpty else { continue }
            entries.append(ListEntry(text: value, line: lineNumber, column: leading + 1))
            guard entries.count <= Self.maxListEntries else {
                throw RuleError(file: file, line: lineNumber, column: 1, message: "more than \(Self.maxListEntries) entries", hint: "split the list")
            }
        }
        listEntriesLoaded += entries.count
        guard listEntriesLoaded <= Self.maxPackListEntries else {
            throw RuleError(file: file, message: "the pack's lists hold more than \(Self.maxPackListEntries) entries", hint: "split the pack")
        }
        listCache[relative] = entries
        return entries
    }

    func commentStart(_ line: Substring) -> Substring.Index? {
        var previous: Character = " "
        for index in line.indices {
            let c = line[index]
            if c == "#" && (previous == " " || previous == "\t") { return index }
            previous = c
        }
        return nil
    }

    // MARK: Special conditions

    func parsePayload(_ node: YNode, file: String) throws(RuleError) -> PayloadCondition {
        let map = try MappingReader(node, file: file, what: "'payload'")
        try map.rejectUnknown(["direction", "offset", "hex"], what: "'payload'")
        let direction = try map["direction"].map { (n: YNode) throws(RuleError) in try parseEnum(n, file: file, key: "direction", as: Direction.self) } ?? .any
        var offset = 0
        if let node = map["offset"] {
            guard let value = node.string.flatMap({ Int($0) }), (0..<FlowFacts.firstPayloadLimit).contains(value) else {
                throw node.place(file).error("'offset' must be a number from 0 to \(FlowFacts.firstPayloadLimit - 1)", hint: "only the first \(FlowFacts.firstPayloadLimit) bytes are kept")
            }
            offset = value
        }
        let hexNode = try map.required("hex", hint: "bytes in hex, '??' for any byte: hex: \"16 03 ?? 00\"")
        let hex = hexNode.string ?? ""
        var pattern = [UInt8?]()
        let digits = Array(hex.utf8.filter { $0 != UInt8(ascii: " ") })
        guard digits.count % 2 == 0, !digits.isEmpty else {
            throw hexNode.place(file).error("'hex' must hold whole bytes (two hex digits or '??' each)", hint: "for example \"16 03 ?? 00\"")
        }
        for i in stride(from: 0, to: digits.count, by: 2) {
            if digits[i] == UInt8(ascii: "?") && digits[i + 1] == UInt8(ascii: "?") {
                pattern.append(nil)
            } else if let high = hexValue(digits[i]), let low = hexValue(digits[i + 1]) {
                pattern.append(high << 4 | low)
            } else {
                throw hexNode.place(file).error("'hex' byte \(i / 2 + 1) is not two hex digits or '??'", hint: "for example \"16 03 ?? 00\"")
            }
        }
        guard pattern.contains(where: { $0 != nil }) else { throw hexNode.place(file).error("'hex' has only wildcards", hint: "give at least one byte") }
        guard offset + pattern.count <= FlowFacts.firstPayloadLimit else {
            throw hexNode.place(file).error("offset \(offset) + \(pattern.count) bytes goes past the \(FlowFacts.firstPayloadLimit) bytes kept", hint: "shorten the pattern")
        }
        return PayloadCondition(direction: direction, offset: offset, pattern: pattern, line: node.line, column: node.column)
    }

    func parseSequence(_ node: YNode, file: String) throws(RuleError) -> SequenceCondition {
        var stepsNode = node
        var anywhere = false
        if case .mapping = node.value {
            let map = try MappingReader(node, file: file, what: "'sequence'")
            try map.rejectUnknown(["steps", "anywhere"], what: "'sequence'")
            stepsNode = try map.required("steps", hint: "steps: [\"c2s:48\", \"s2c:80\"]")
            if let flag = map["anywhere"] {
                guard let text = flag.string, text == "true" || text == "false" else { throw flag.place(file).error("'anywhere' must be true or false") }
                anywhere = text == "true"
            }
        }
        guard case .sequence(let items) = stepsNode.value, !items.isEmpty, items.count <= 32 else {
            throw stepsNode.place(file).error("'sequence' takes a list of 1 to 32 steps", hint: "for example [\"c2s:48\", \"s2c:80\", \"c2s:100-200\"]")
        }
        var steps = [SequenceCondition.Step]()
        for item in items {
            let text = item.string ?? ""
            let parts = text.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let direction = Direction(rawValue: String(parts[0])),
                  let lengths = parseRange(String(parts[1]), allowRange: true) else {
                throw item.place(file).error("step '\(text)' is not direction:length", hint: "c2s:48, s2c:80-120 or any:100")
            }
            steps.append(.init(direction: direction, lengths: lengths))
        }
        return SequenceCondition(steps: steps, anywhere: anywhere, line: node.line, column: node.column)
    }

    func parseCounter(_ node: YNode, file: String) throws(RuleError) -> CounterCondition {
        let map = try MappingReader(node, file: file, what: "'counter'")
        try map.rejectUnknown(["name", "min", "max"], what: "'counter'")
        let name = try map.requiredText("name", hint: RuleFields.counters.joined(separator: ", "))
        guard RuleFields.counters.contains(name) else {
            throw map["name"]!.place(file).error("unknown counter '\(name)'", hint: suggestion(for: name, among: RuleFields.counters))
        }
        func bound(_ key: String) throws(RuleError) -> Int64? {
            guard let node = map[key] else { return nil }
            guard let value = node.string.flatMap({ Int64($0) }), value >= 0 else { throw node.place(file).error("'\(key)' must be a whole number from 0") }
            return value
        }
        let minimum = try bound("min"), maximum = try bound("max")
        guard minimum != nil || maximum != nil else { throw node.place(file).error("'counter' needs 'min' or 'max'") }
        if let minimum, let maximum, minimum > maximum {
            throw node.place(file).error("'min' \(minimum) is larger than 'max' \(maximum)", hint: "the rule could never match")
        }
        return CounterCondition(name: name, minimum: minimum, maximum: maximum, line: node.line, column: node.column)
    }
}

// MARK: Name checks

func isPackID(_ text: String) -> Bool {
    let b = text.utf8
    guard let first = b.first, (1...128).contains(b.count), isLowerAlnum(first) else { return false }
    return b.allSatisfy { isLowerAlnum($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
}

func isRuleName(_ text: String) -> Bool { isPackID(text) }

func isPlatformName(_ text: String) -> Bool {
    let b = text.utf8
    return (1...64).contains(b.count) && b.allSatisfy {
        isLowerAlnum($0) || (65...90).contains($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_")
    }
}

func isLowerAlnum(_ c: UInt8) -> Bool { (97...122).contains(c) || (48...57).contains(c) }

func isVersion(_ text: String) -> Bool {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    return parts.count == 3 && parts.allSatisfy { !$0.isEmpty && $0.count <= 9 && $0.utf8.allSatisfy { (48...57).contains($0) } }
}

/// A relative `/`-separated path that stays inside the pack.
func isSafeRelativePath(_ text: String) -> Bool {
    guard !text.isEmpty, text.utf8.count <= 512, !text.hasPrefix("/"), !text.contains("\\"), !text.utf8.contains(0) else { return false }
    return text.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
}

extension StringProtocol {
    var trimmingSpaces: String {
        let text = String(self)
        guard let start = text.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        let end = text.lastIndex(where: { $0 != " " && $0 != "\t" })!
        return String(text[start...end])
    }
}

extension String {
    /// Lines split at LF, CRLF or CR (Swift counts CRLF as one character, so a plain
    /// split at "\n" would miss Windows line ends).
    var textLines: [Substring] {
        split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
    }
}
