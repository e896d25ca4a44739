import Rules
import Schema

/// The formats `cipherscope rules import` reads.
public enum ImportFormat: String, CaseIterable, Sendable {
    case zeekIntel = "zeek-intel"
    case misp
    case stix
    case suricata
    case ja4plusCSV = "ja4plus-csv"

    /// Prefix of rule names and list files made from this format.
    var slug: String {
        switch self {
        case .zeekIntel: "zeek"
        case .misp: "misp"
        case .stix: "stix"
        case .suricata: "suricata"
        case .ja4plusCSV: "ja4db"
        }
    }
}

/// Bounds on what one import reads: the files come from other organisations.
/// The values are the pack loader's own where it has one (`FileAccess.maxListBytes`,
/// `PackLoader.maxListEntries`, `SafeYAML.maxDepth`; a test keeps them equal).
public struct ImportLimits: Sendable {
    /// Largest input file (the pack loader's limit for a list file).
    public var maxFileBytes = 64 << 20
    /// Most indicators read from one file (the pack loader's limit for one list file).
    public var maxIndicators = 1_000_000
    /// Longest line of a line-based format (Zeek Intel, Suricata, CSV).
    public var maxLineBytes = 65_536
    /// Deepest JSON nesting (the pack loader's YAML nesting limit).
    public var maxJSONDepth = 32
    /// Issues kept for the report; beyond, they are only counted.
    public var maxIssues = 100_000

    public init() {}
}

/// One problem or unsupported construct of the input, with its place.
public struct ImportIssue: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// Malformed input: the line (or object) is skipped.
        case error
        /// Well-formed, but not expressible as a cipherscope rule: skipped.
        case unsupported
        /// Imported, with something worth knowing (context not used, duplicate, …).
        case note
    }

    public var kind: Kind
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public init(kind: Kind, file: String, line: Int, column: Int = 0, message: String) {
        self.kind = kind
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `file:line:column: kind: message`; line and column are left out when unknown.
    public var description: String {
        var place = file
        if line > 0 { place += ":\(line)" + (column > 0 ? ":\(column)" : "") }
        return "\(place): \(kind.rawValue): \(message)"
    }
}

/// What an import did: counts and every issue, written to `IMPORT-REPORT.txt`.
public struct ImportReport: Sendable {
    public static let fileName = "IMPORT-REPORT.txt"

    public var format: ImportFormat
    public var source: String
    public var packID = ""
    public var packTLP: TLP = .amber
    /// Where the pack's TLP came from (source marking, option, default).
    public var tlpOrigin = "default (no marking in the source)"
    /// Indicators (lines, attributes, indicators, rules, rows) read.
    public var indicatorsRead = 0
    /// Indicators turned into rule conditions.
    public var indicatorsImported = 0
    public var rules = 0
    public var listFiles = 0
    public var issues: [ImportIssue] = []
    /// Issues beyond `ImportLimits.maxIssues`, counted only.
    public var issuesNotKept = 0

    public init(format: ImportFormat, source: String) {
        self.format = format
        self.source = source
    }

    public func count(_ kind: ImportIssue.Kind) -> Int { issues.filter { $0.kind == kind }.count }

    /// The report file's text.
    public func text(date: String) -> String {
        var lines = [
            "cipherscope rules import report",
            "source: \(source)",
            "format: \(format.rawValue)",
            "date: \(date)",
            "pack: \(packID) (unsigned: review, then 'cipherscope rules sign')",
            "tlp: \(packTLP.rawValue) — \(tlpOrigin)",
            "indicators read: \(indicatorsRead), imported: \(indicatorsImported), rules: \(rules), list files: \(listFiles)",
            "errors: \(count(.error)), unsupported: \(count(.unsupported)), notes: \(count(.note))"
                + (issuesNotKept > 0 ? ", not listed (over the limit): \(issuesNotKept)" : ""),
            "",
            "Every line below is a part of the source that was skipped (error, unsupported) or imported with a remark (note).",
            "",
        ]
        lines += issues.map(\.description)
        return lines.joined(separator: "\n") + "\n"
    }
}

/// An import that could not produce a pack.
public struct ImportFailure: Error, Sendable, CustomStringConvertible {
    public var description: String
    public var report: ImportReport?

    init(_ description: String, report: ImportReport? = nil) {
        self.description = description
        self.report = report
    }
}
