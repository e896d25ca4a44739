import Schema

/// Comma-separated values with a header row: every field declared as a CSV column
/// (`FieldDeclaration.csvColumn`), in declaration order, dotted names as headers
/// (`tls.sni`), so that a flow opens in a spreadsheet with its label and its
/// telling facts. Lists are joined with `;`.
public final class CSVWriter: FlowReportWriter {
    /// The header row's names.
    public static let columns: [String] = Field.csvColumns.map { Field.declarations[$0.rawValue].csvColumn! }

    private let output: OutputFile
    private var wroteHeader = false

    public init(output: OutputFile) {
        self.output = output
    }

    public func write(_ report: FlowReport) throws(OutputError) {
        if !wroteHeader {
            try output.write(CSVWriter.columns.joined(separator: ",") + "\n")
            wroteHeader = true
        }
        try output.write(CSVWriter.row(for: report))
        try output.endRecord()
    }

    public func finish() throws(OutputError) {
        if !wroteHeader { try output.write(CSVWriter.columns.joined(separator: ",") + "\n") }
        try output.commit()
    }

    /// One flow's row, with its newline.
    public static func row(for report: FlowReport) -> String {
        var row = CSVRow(nanosecondDigits: report.nanosecondTimes)
        report.describe(into: &row)
        return row.cells.map { CSVWriter.quoted($0 ?? "") }.joined(separator: ",") + "\n"
    }

    /// RFC 4180 quoting, and a leading quote mark against spreadsheet formula
    /// injection (OWASP: `=`, `+`, `-`, `@`, tab, carriage return). Works on Unicode
    /// scalars, not Characters: a CR LF pair or a comma followed by a combining mark
    /// is one Character but still separates fields.
    public static func quotedCell(_ field: String) -> String { quoted(field) }

    static func quoted(_ field: String) -> String {
        var value = field
        if let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first), Double(value) == nil {
            value = "'" + value
        }
        guard value.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return value }
        var quoted = "\""
        for scalar in value.unicodeScalars {
            quoted.unicodeScalars.append(scalar)
            if scalar == "\"" { quoted.unicodeScalars.append(scalar) }
        }
        return quoted + "\""
    }
}

/// The CSV projection: the first value of each column's field (lists joined with `;`).
struct CSVRow: FlatFieldSink {
    var cells: [String?] = Array(repeating: nil, count: Field.csvColumns.count)
    let nanosecondDigits: Bool

    /// The column of each field, by `rawValue` (-1: not a column).
    static let columnOf: [Int] = {
        var columns = Array(repeating: -1, count: Field.allCases.count)
        for (column, field) in Field.csvColumns.enumerated() { columns[field.rawValue] = column }
        return columns
    }()

    func wants(_ field: Field) -> Bool { CSVRow.columnOf[field.rawValue] >= 0 }

    private mutating func set(_ field: Field, _ value: @autoclosure () -> String) {
        let column = CSVRow.columnOf[field.rawValue]
        if column >= 0 && cells[column] == nil { cells[column] = value() }
    }

    mutating func text(_ field: Field, _ value: String) { set(field, value) }
    mutating func texts(_ field: Field, _ values: [String]) { set(field, values.joined(separator: ";")) }
    mutating func number<T: BinaryInteger>(_ field: Field, _ value: T) { set(field, String(value)) }
    mutating func numbers<T: BinaryInteger>(_ field: Field, _ values: [T]) {
        set(field, values.map { String($0) }.joined(separator: ";"))
    }
    mutating func bool(_ field: Field, _ value: Bool) { set(field, value ? "true" : "false") }
    mutating func time(_ field: Field, nanoseconds: Int64) {
        let digits = nanosecondDigits
        set(field, TimeFormat.rfc3339(nanoseconds, nanosecondDigits: digits))
    }
    mutating func seconds(_ field: Field, nanoseconds: Int64) {
        let digits = nanosecondDigits
        set(field, TimeFormat.seconds(nanoseconds, nanosecondDigits: digits))
    }
}
