import Rules
import Schema

/// Which rules can be decided from the facts a log source carries. A rule is not
/// applicable when its match needs a fact the logs lack: a `payload:` or
/// `sequence:` condition, a field or counter outside `LogSource.providedFields`.
/// `all:` and `not:` need every part; `any:` needs one applicable branch (the
/// others then simply never match). Not-applicable rules are left out of the
/// rule set and reported, never counted as non-matching.
public struct RuleApplicability: Sendable {
    public struct Entry: Sendable {
        public var rule: Rule
        /// What the rule needs that the logs lack: `payload`, `sequence`, field names, `counter bytes_c2s`.
        public var missing: [String]
    }

    public var source: LogSource
    public var applicable: [Rule] = []
    public var notApplicable: [Entry] = []

    public init(rules: [Rule], source: LogSource) {
        self.source = source
        let provided = source.providedFields
        for rule in rules {
            let missing = RuleApplicability.missing(rule.match, provided: provided, appProtocols: source.appProtocols)
            if missing.isEmpty { applicable.append(rule) } else { notApplicable.append(Entry(rule: rule, missing: missing)) }
        }
    }

    /// The facts `condition` needs that are not in `provided` (empty: applicable).
    /// `app_proto` conditions count as missing facts when they only accept protocols
    /// the logs never name (`app_proto: {exact: mtproto}` cannot hold for a Zeek flow).
    public static func missing(_ condition: Condition, provided: Set<Field>, appProtocols: Set<String> = []) -> [String] {
        func missing(_ condition: Condition, provided: Set<Field>) -> [String] {
            RuleApplicability.missing(condition, provided: provided, appProtocols: appProtocols)
        }
        switch condition {
        case .payload: return ["payload"]
        case .sequence: return ["sequence"]
        case .counter(let counter):
            guard let field = Field(ruleName: counter.name), provided.contains(field) else { return ["counter \(counter.name)"] }
            return []
        case .field(let field):
            guard let known = Field(ruleName: field.field), provided.contains(known) else { return [field.field] }
            if known == .appProto, field.mode == .exact, !appProtocols.isEmpty, case .text(let values) = field.values,
               !values.contains(where: { appProtocols.contains($0) }) {
                return ["app_proto " + values.joined(separator: "|")]
            }
            return []
        case .not(let inner):
            return missing(inner, provided: provided)
        case .all(let parts):
            return unique(parts.flatMap { missing($0, provided: provided) })
        case .any(let parts):
            let each = parts.map { missing($0, provided: provided) }
            if each.contains(where: \.isEmpty) { return [] }
            return unique(each.flatMap { $0 })
        }
    }

    private static func unique(_ items: [String]) -> [String] {
        var seen = Set<String>()
        return items.filter { seen.insert($0).inserted }
    }

    /// Rules per missing fact, most first (a rule counts once under each fact it lacks).
    public var countsByMissingFact: [(fact: String, rules: Int)] {
        var counts: [String: Int] = [:]
        for entry in notApplicable { for fact in entry.missing { counts[fact, default: 0] += 1 } }
        return counts.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.map { ($0.key, $0.value) }
    }

    /// The report for standard error: the count, by fact, then one line per rule.
    public func text() -> String {
        let total = applicable.count + notApplicable.count
        var lines = ["cipherscope: rules not applicable to \(source.rawValue) logs: \(notApplicable.count) of \(total)"
                     + (notApplicable.isEmpty ? "" : " (" + countsByMissingFact.map { "\($0.fact): \($0.rules)" }.joined(separator: ", ") + ")")]
        for entry in notApplicable {
            lines.append("  not applicable: \(entry.rule.name) (\(entry.rule.pack.id)): needs \(entry.missing.joined(separator: ", "))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The packs with only their applicable rules, to compile.
    public func filtered(_ packs: [RulePack]) -> [RulePack] {
        let keep = Set(applicable.map(\.id))
        return packs.map { pack in
            var copy = pack
            copy.rules = pack.rules.filter { keep.contains($0.id) }
            return copy
        }
    }
}
