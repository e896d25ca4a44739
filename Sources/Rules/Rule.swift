/// Which way a payload packet went: initiator to responder or back.
public enum Direction: String, Sendable, Hashable, CaseIterable {
    case c2s, s2c, any
}

/// The values a field condition compares with, parsed for its mode.
public enum ConditionValues: Sendable, Hashable {
    /// Text (domains already in lower case, without trailing dot or leading dot).
    case text([String])
    /// Inclusive number ranges (a single number is `n...n`).
    case ranges([ClosedRange<Int>])
    case prefixes([IPPrefix])
    case regexes([SafeRegex])

    public var count: Int {
        switch self {
        case .text(let v): return v.count
        case .ranges(let v): return v.count
        case .prefixes(let v): return v.count
        case .regexes(let v): return v.count
        }
    }
}

/// `field: {mode: values}`: one field compared with a set of values (any may match).
public struct FieldCondition: Sendable, Hashable {
    public var field: String
    public var mode: MatchMode
    public var values: ConditionValues
    /// The list file the values came from, relative to the pack, if any.
    public var listFile: String?
    public var line: Int
    public var column: Int
}

/// `payload: {direction, offset, hex}`: bytes of the first payload packet of a direction.
public struct PayloadCondition: Sendable, Hashable {
    public var direction: Direction
    public var offset: Int
    /// Bytes to compare from `offset`; nil is the `??` wildcard.
    public var pattern: [UInt8?]
    public var line: Int
    public var column: Int
}

/// `sequence: [...]`: directions and lengths of the first payload packets.
public struct SequenceCondition: Sendable, Hashable {
    public struct Step: Sendable, Hashable {
        public var direction: Direction
        public var lengths: ClosedRange<Int>
    }

    public var steps: [Step]
    /// Whether the steps may start at any packet rather than the first.
    public var anywhere: Bool
    public var line: Int
    public var column: Int
}

/// `counter: {name, min, max}`: a flow counter within bounds.
public struct CounterCondition: Sendable, Hashable {
    public var name: String
    public var minimum: Int64?
    public var maximum: Int64?
    public var line: Int
    public var column: Int
}

/// The `match:` tree of a rule.
public indirect enum Condition: Sendable, Hashable {
    case all([Condition])
    case any([Condition])
    case not(Condition)
    case field(FieldCondition)
    case payload(PayloadCondition)
    case sequence(SequenceCondition)
    case counter(CounterCondition)
}

/// The pack a rule came from.
public struct PackInfo: Sendable, Hashable {
    public var id: String
    public var name: String
    public var version: String
    public var tlp: TLP
}

/// One detection rule, as loaded from a pack.
public struct Rule: Sendable, Hashable {
    /// Stable identity across revisions (a UUID, lower case).
    public var id: String
    /// Short readable name, unique in a pack (`signal-sni`).
    public var name: String
    /// Revision, bumped on every change.
    public var rev: Int
    public var title: String
    public var description: String?
    /// Canonical platform name (see `Platforms`).
    public var platform: String
    public var service: Service
    public var confidence: Confidence
    public var status: RuleStatus
    /// The rule's own marking, if it has one.
    public var ownTLP: TLP?
    /// The marking that applies when sharing the rule: the more restrictive of pack and rule.
    public var tlp: TLP { max(ownTLP ?? pack.tlp, pack.tlp) }
    public var author: String?
    public var references: [String]
    public var tags: [String]
    public var falsePositives: [String]
    public var created: String?
    public var modified: String?
    public var lastChecked: String?
    public var match: Condition
    public var pack: PackInfo
    /// Rule file (relative to the pack) and the line of the rule's `- id:` entry.
    public var file: String
    public var line: Int
}

/// A pack's `pack.yaml`.
public struct PackManifest: Sendable, Hashable {
    public struct FileEntry: Sendable, Hashable {
        /// Path relative to the pack folder, `/`-separated.
        public var path: String
        /// Lower-case hex SHA-256 of the file's bytes.
        public var sha256: String
        public var line: Int
    }

    /// Format version of the pack (this engine reads 1).
    public var format: Int
    /// Stable pack identity, lower case, dots allowed (`eu.wg-li.messaging`).
    public var id: String
    public var name: String
    /// `MAJOR.MINOR.PATCH`.
    public var version: String
    public var description: String
    public var author: String
    public var organisation: String
    public var licence: String
    public var tlp: TLP
    public var created: String
    public var modified: String
    /// Platform names the pack adds to `Platforms.known`.
    public var platforms: [String]
    public var files: [FileEntry]
}

/// A loaded rule pack: manifest, rules (list files already expanded) and test declarations.
public struct RulePack: Sendable {
    public var path: String
    public var manifest: PackManifest
    public var rules: [Rule]
    public var tests: PackTests?

    public var info: PackInfo { PackInfo(id: manifest.id, name: manifest.name, version: manifest.version, tlp: manifest.tlp) }

    /// Loads the pack folder at `path`; the first problem found is thrown with its place.
    /// Does not check signatures or file hashes (see `PackVerifier`).
    public static func load(path: String) throws(RuleError) -> RulePack {
        var loader = PackLoader(root: path, collectAll: false)
        return try loader.load()
    }
}
