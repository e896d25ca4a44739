/// Checks rule packs and reports every problem with its place and a hint.
///
/// Errors: anything that stops a pack from loading (YAML syntax, anchors/aliases,
/// duplicate keys, depth and size limits, unknown keys/fields/modes/platforms,
/// regexes outside the safe subset, bad values), duplicate rule ids (also across the
/// packs linted together), rules that can never match, failing synthetic tests and
/// missing test captures. Warnings: missing metadata, rules without an indexable
/// condition, rules shadowed by or duplicating another, manifest file list out of date.
public enum RuleLinter {
    /// Lints each path: a pack folder (holding `pack.yaml`) or a folder of pack folders.
    /// Diagnostics are ordered by file, line and column.
    public static func lint(paths: [String]) -> [Diagnostic] {
        var diagnostics = [Diagnostic]()
        var packs = [RulePack]()
        for path in paths {
            let roots = packRoots(path)
            if roots.isEmpty {
                diagnostics.append(Diagnostic(severity: .error, file: path, message: "no pack found", hint: "a pack is a folder holding \(PackLoader.manifestName)"))
            }
            for root in roots {
                var loader = PackLoader(root: root, collectAll: true)
                do throws(RuleError) {
                    let pack = try loader.load()
                    packs.append(pack)
                    diagnostics += loader.diagnostics
                    diagnostics += lintPack(pack)
                } catch {
                    diagnostics += loader.diagnostics
                    diagnostics.append(Diagnostic(error))
                }
            }
        }
        // Rule ids are unique across everything linted together.
        var seen = [String: (RulePack, Rule)]()
        for pack in packs {
            for rule in pack.rules {
                if let (otherPack, other) = seen[rule.id], otherPack.path != pack.path {
                    diagnostics.append(Diagnostic(severity: .error, file: FileAccess.join(pack.path, rule.file), line: rule.line, column: 1,
                                                  message: "duplicate rule id \(rule.id): also '\(other.name)' in \(FileAccess.join(otherPack.path, other.file)):\(other.line)",
                                                  hint: "give each rule its own UUID"))
                }
                seen[rule.id] = (pack, rule)
            }
        }
        return Array(Set(diagnostics)).sorted {
            ($0.file, $0.line, $0.column, $0.severity, $0.message) < ($1.file, $1.line, $1.column, $1.severity, $1.message)
        }
    }

    static func packRoots(_ path: String) -> [String] {
        if FileAccess.kind(FileAccess.join(path, PackLoader.manifestName)) == .file { return [path] }
        guard FileAccess.kind(path) == .directory, let names = try? FileAccess.entries(path) else { return [] }
        return names.map { FileAccess.join(path, $0) }.filter { FileAccess.kind(FileAccess.join($0, PackLoader.manifestName)) == .file }
    }

    static func lintPack(_ pack: RulePack) -> [Diagnostic] {
        var out = [Diagnostic]()
        let manifestPath = FileAccess.join(pack.path, PackLoader.manifestName)
        func warn(_ file: String, _ line: Int, _ column: Int, _ message: String, _ hint: String) {
            out.append(Diagnostic(severity: .warning, file: file, line: line, column: column, message: message, hint: hint))
        }
        func error(_ file: String, _ line: Int, _ column: Int, _ message: String, _ hint: String) {
            out.append(Diagnostic(severity: .error, file: file, line: line, column: column, message: message, hint: hint))
        }
        let m = pack.manifest
        for (key, value) in [("description", m.description), ("author", m.author), ("created", m.created), ("modified", m.modified)] where value.isEmpty {
            warn(manifestPath, 1, 1, "the manifest has no '\(key)'", "reviewers of other organisations rely on it")
        }
        if !m.created.isEmpty, !m.modified.isEmpty, m.modified < m.created { warn(manifestPath, 1, 1, "'modified' is before 'created'", "check the dates") }

        // The manifest's file list against the folder.
        if m.files.isEmpty {
            warn(manifestPath, 1, 1, "the manifest pins no files", "sign the pack to pin every file's SHA-256")
        } else if let actual = try? PackFiles.hashes(pack.path) {
            var present = [String: String]()
            for entry in actual { present[entry.path] = entry.sha256 }
            for entry in m.files {
                if let hash = present[entry.path] {
                    if hash != entry.sha256 { warn(manifestPath, entry.line, 1, "'\(entry.path)' changed since it was pinned", "re-sign the pack") }
                } else {
                    error(manifestPath, entry.line, 1, "'\(entry.path)' is pinned but missing", "restore the file or re-sign the pack")
                }
            }
            let listed = Set(m.files.map(\.path))
            for entry in actual where !listed.contains(entry.path) {
                warn(FileAccess.join(pack.path, entry.path), 0, 0, "not pinned in the manifest", "re-sign the pack")
            }
        }

        let ruleSet = try? RuleSet.compile([pack], statuses: Set(RuleStatus.allCases))
        for rule in pack.rules {
            let file = FileAccess.join(pack.path, rule.file)
            for (key, value) in [("created", rule.created), ("modified", rule.modified), ("last_checked", rule.lastChecked)] where value == nil {
                warn(file, rule.line, 1, "rule '\(rule.name)' has no '\(key)'", "dates tell reviewers how fresh the indicator is")
            }
            if rule.references.isEmpty { warn(file, rule.line, 1, "rule '\(rule.name)' has no 'references'", "cite the analysis or source behind the indicator") }
            if rule.description == nil { warn(file, rule.line, 1, "rule '\(rule.name)' has no 'description'", "say what the rule recognises and why") }
            if let c = rule.created, let mo = rule.modified, mo < c { warn(file, rule.line, 1, "rule '\(rule.name)': 'modified' is before 'created'", "check the dates") }
            if Anchor.select(rule.match) == nil {
                warn(file, rule.line, 1, "rule '\(rule.name)' has no indexable condition and is evaluated for every flow",
                     "add an exact, suffix, prefix, cidr, port, payload or sequence condition under all:")
            }
            for problem in contradictions(rule.match) { error(file, problem.line == 0 ? rule.line : problem.line, max(problem.column, 1), "rule '\(rule.name)' can never match: \(problem.message)", "remove one of the conflicting conditions") }
        }
        out += shadowing(pack)

        // Tests: platforms known, captures present, synthetic cases pass.
        if let tests = pack.tests {
            let platforms = Platforms.known + m.platforms
            for test in tests.cases {
                switch test.kind {
                case .capture(let capture):
                    if FileAccess.kind(capture.path) != .file {
                        error(tests.file, test.line, 1, "capture '\(capture.relativePath)' of test '\(test.name)' not found", "captures live in the pack, e.g. captures/")
                    }
                    for name in capture.flows.compactMap(\.platform) + capture.counts.compactMap(\.platform) where !platforms.contains(name) {
                        warn(tests.file, test.line, 1, "test '\(test.name)' expects unknown platform '\(name)'", suggestion(for: name, among: platforms))
                    }
                case .facts(let facts):
                    if let name = facts.platform, !platforms.contains(name) {
                        warn(tests.file, test.line, 1, "test '\(test.name)' expects unknown platform '\(name)'", suggestion(for: name, among: platforms))
                    }
                }
            }
            if let ruleSet {
                for failure in tests.runFactCases(with: ruleSet) {
                    error(tests.file, failure.line, 1, "test '\(failure.test)' fails: \(failure.message)", "fix the rule or the expectation")
                }
            }
        }
        return out
    }

    // MARK: Shadowing

    /// Positive conditions of a pure conjunction, without places; nil for other trees.
    static func conjunction(_ condition: Condition) -> Set<Condition>? {
        switch condition {
        case .all(let children):
            var out = Set<Condition>()
            for child in children {
                guard let inner = conjunction(child) else { return nil }
                out.formUnion(inner)
            }
            return out
        case .any, .not: return nil
        default: return [condition.withoutPlaces]
        }
    }

    static func shadowing(_ pack: RulePack) -> [Diagnostic] {
        let rules = pack.rules.filter { $0.status != .deprecated }
        let sets = rules.map { conjunction($0.match) }
        var byCondition = [Condition: [Int]]()
        for (i, set) in sets.enumerated() {
            for c in set ?? [] { byCondition[c, default: []].append(i) }
        }
        var out = [Diagnostic]()
        var budget = 5_000_000
        for (b, setB) in sets.enumerated() {
            guard let setB else { continue }
            var hits = [Int: Int]()
            for c in setB {
                for a in byCondition[c] ?? [] where a != b {
                    hits[a, default: 0] += 1
                    budget -= 1
                }
            }
            if budget < 0 { break }
            for (a, count) in hits.sorted(by: { $0.key < $1.key }) where count == sets[a]!.count {
                let ruleA = rules[a], ruleB = rules[b]
                let place = FileAccess.join(pack.path, ruleB.file)
                if sets[a]! == setB {
                    // Report a pair of equal rules once, on the later one.
                    guard a < b else { continue }
                    if ruleA.platform == ruleB.platform {
                        out.append(Diagnostic(severity: .warning, file: place, line: ruleB.line, column: 1,
                                              message: "rule '\(ruleB.name)' has the same conditions as '\(ruleA.name)'", hint: "merge the two rules"))
                    } else {
                        out.append(Diagnostic(severity: .warning, file: place, line: ruleB.line, column: 1,
                                              message: "rule '\(ruleB.name)' (\(ruleB.platform)) has the same conditions as '\(ruleA.name)' (\(ruleA.platform))",
                                              hint: "the labels conflict; make one of them more specific"))
                    }
                } else if ruleA.platform == ruleB.platform && ruleA.confidence > ruleB.confidence {
                    out.append(Diagnostic(severity: .warning, file: place, line: ruleB.line, column: 1,
                                          message: "rule '\(ruleB.name)' is shadowed by '\(ruleA.name)': whenever it matches, '\(ruleA.name)' matches too and ranks first",
                                          hint: "remove it, or raise its confidence"))
                }
            }
        }
        return out
    }

    // MARK: Contradictions

    struct Problem {
        var line: Int
        var column: Int
        var message: String
    }

    /// Fields with one value per flow (two disjoint exact sets cannot both hold).
    static let singleValued: Set<String> = ["proto", "app_proto", "src_port", "dst_port", "src_ip", "dst_ip", "tls.sni", "tls.ja3", "tls.ja4",
                                            "tls.ja4s", "tcp.ja4t", "quic.version", "mtproto.transport"]

    static func contradictions(_ condition: Condition) -> [Problem] {
        var out = [Problem]()
        switch condition {
        case .any(let children):
            for c in children { out += contradictions(c) }
        case .not(let c):
            out += contradictions(c)
        case .all(let children):
            for c in children { out += contradictions(c) }
            let leaves = children.filter { if case .field = $0 { return true } else { return false } }
            for (i, a) in leaves.enumerated() {
                for b in leaves[(i + 1)...] {
                    if case .field(let x) = a, case .field(let y) = b, let message = disjoint(x, y) {
                        out.append(Problem(line: y.line, column: y.column, message: message))
                    }
                }
            }
            for child in children {
                if case .not(let inner) = child, children.contains(where: { $0.withoutPlaces == inner.withoutPlaces }) {
                    out.append(Problem(line: 0, column: 0, message: "a condition and its 'not' in the same 'all'"))
                }
            }
            var counters = [String: (Int64, Int64)]()
            for case .counter(let c) in children {
                let current = counters[c.name] ?? (0, Int64.max)
                let bounds = (max(current.0, c.minimum ?? 0), min(current.1, c.maximum ?? Int64.max))
                if bounds.0 > bounds.1 { out.append(Problem(line: c.line, column: c.column, message: "counter '\(c.name)' bounds exclude each other")) }
                counters[c.name] = bounds
            }
            var bytes = [Int: UInt8]()
            for case .payload(let p) in children where p.direction != .any {
                for (i, b) in p.pattern.enumerated() {
                    guard let b else { continue }
                    let key = (p.direction == .c2s ? 0 : 1000) + p.offset + i
                    if let other = bytes[key], other != b {
                        out.append(Problem(line: p.line, column: p.column, message: "payload byte \(p.offset + i) must be both \(hex([other])) and \(hex([b]))"))
                        break
                    }
                    bytes[key] = b
                }
            }
        default:
            break
        }
        return out
    }

    static func disjoint(_ x: FieldCondition, _ y: FieldCondition) -> String? {
        guard x.field == y.field, singleValued.contains(x.field) else { return nil }
        switch (x.mode, x.values, y.mode, y.values) {
        case (.exact, .text(let a), .exact, .text(let b)):
            return Set(a).isDisjoint(with: b) ? "'\(x.field)' cannot equal \(a.prefix(3)) and \(b.prefix(3))" : nil
        case (_, .ranges(let a), _, .ranges(let b)):
            let overlap = a.contains { r in b.contains { $0.overlaps(r) } }
            return overlap ? nil : "'\(x.field)' ranges do not overlap"
        case (.cidr, .prefixes(let a), .cidr, .prefixes(let b)) where a.count * b.count <= 1_000_000:
            let overlap = a.contains { p in b.contains { $0.contains(p.network) || p.contains($0.network) } }
            return overlap ? nil : "'\(x.field)' prefixes do not overlap"
        default:
            return nil
        }
    }
}

extension Condition {
    /// The same condition with line and column zeroed, to compare conditions by meaning.
    var withoutPlaces: Condition {
        switch self {
        case .all(let c): return .all(c.map(\.withoutPlaces))
        case .any(let c): return .any(c.map(\.withoutPlaces))
        case .not(let c): return .not(c.withoutPlaces)
        case .field(var f): f.line = 0; f.column = 0; f.listFile = nil; return .field(f)
        case .payload(var p): p.line = 0; p.column = 0; return .payload(p)
        case .sequence(var s): s.line = 0; s.column = 0; return .sequence(s)
        case .counter(var c): c.line = 0; c.column = 0; return .counter(c)
        }
    }
}
