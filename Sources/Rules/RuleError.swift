/// A problem found in a rule pack, with where it is and how to fix it.
///
/// Prints as `file:line:column: error: message (hint)`, the form compilers and
/// editors understand. `line` and `column` are 1-based; 0 means "the whole file".
public struct RuleError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String
    public var hint: String

    public init(file: String, line: Int = 0, column: Int = 0, message: String, hint: String = "") {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.hint = hint
    }

    public var description: String {
        Diagnostic(severity: .error, file: file, line: line, column: column, message: message, hint: hint).description
    }
}

/// One finding of the linter (or of loading): an error or a warning at a place in a file.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable, Comparable {
        case error, warning

        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs == .error && rhs == .warning }
    }

    public var severity: Severity
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String
    public var hint: String

    public init(severity: Severity, file: String, line: Int = 0, column: Int = 0, message: String, hint: String = "") {
        self.severity = severity
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.hint = hint
    }

    init(_ error: RuleError) {
        self.init(severity: .error, file: error.file, line: error.line, column: error.column, message: error.message, hint: error.hint)
    }

    /// `file:line:column: severity: message (hint)`; line and column are left out when unknown.
    public var description: String {
        var place = file
        if line > 0 { place += ":\(line):\(max(column, 1))" }
        return "\(place): \(severity.rawValue): \(message)" + (hint.isEmpty ? "" : " (\(hint))")
    }
}

/// A position in a file (1-based) used while loading.
struct SourcePlace: Sendable, Hashable {
    var file: String
    var line: Int
    var column: Int

    func error(_ message: String, hint: String = "") -> RuleError {
        RuleError(file: file, line: line, column: column, message: message, hint: hint)
    }
}
