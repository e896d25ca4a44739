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
    /// One row's cells, reused from flow to flow.
    private var row = CSVRow()

    public init(output: OutputFile) {
        self.output = output
    }

    public func write(_ report: FlowReport) throws(OutputError) {
        if !wroteHeader {
            try output.write(CSVWriter.columns.joined(separator: ",") + "\n")
            wroteHeader = true
        }
        row.reset(nanosecondDigits: report.nanosecondTimes)
        report.describe(into: &row)
        // Straight into the output's buffer: no String per cell or per row.
        try output.writeRecord { row.appendLine(to: &$0) }
    }

    public func finish() throws(OutputError) {
        if !wroteHeader { try output.write(CSVWriter.columns.joined(separator: ",") + "\n") }
        try output.commit()
    }

    /// One flow's row, with its newline.
    public static func row(for report: FlowReport) -> String {
        var row = CSVRow()
        row.reset(nanosecondDigits: report.nanosecondTimes)
        report.describe(into: &row)
        var bytes: [UInt8] = []
        row.appendLine(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// RFC 4180 quoting, and a leading quote mark against spreadsheet formula
    /// injection (OWASP: `=`, `+`, `-`, `@`, tab, carriage return). Works on bytes,
    /// not Characters: a CR LF pair or a comma followed by a combining mark is one
    /// Character but still separates fields (and no byte of a multi-byte UTF-8
    /// sequence is ASCII).
    public static func quotedCell(_ field: String) -> String { quoted(field) }

    static func quoted(_ field: String) -> String {
        var bytes: [UInt8] = []
        appendQuoted(Array(field.utf8)[...], to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `cell` (UTF-8) quoted as `quotedCell` says.
    static func appendQuoted(_ cell: ArraySlice<UInt8>, to bytes: inout [UInt8]) {
        var formula = false
        if let first = cell.first, CSVWriter.formulaStarts.contains(first) {
            // A number ("-1", "+2.5") is data, not a formula (rare: parsed only here).
            formula = Double(String(decoding: cell, as: UTF8.self)) == nil
        }
        let quote = UInt8(ascii: "\"")
        guard cell.contains(where: { $0 == UInt8(ascii: ",") || $0 == quote || $0 == 0x0A || $0 == 0x0D }) else {
            if formula { bytes.append(UInt8(ascii: "'")) }
            bytes.append(contentsOf: cell)
            return
        }
        bytes.append(quote)
        if formula { bytes.append(UInt8(ascii: "'")) }
        for byte in cell {
            bytes.append(byte)
            if byte == quote { bytes.append(quote) }
        }
        bytes.append(quote)
    }

    static let formulaStarts: [UInt8] = Array("=+-@\t\r".utf8)
}

/// The CSV projection: the first value of each column's field (lists joined with `;`),
/// kept as UTF-8 in one buffer that a writer reuses from row to row.
struct CSVRow: FlatFieldSink {
    /// The cells' bytes, one after another.
    private var text: [UInt8] = []
    /// Where each column's cell lies in `text` (nil: no value).
    private var cells: [Range<Int>?] = Array(repeating: nil, count: Field.csvColumns.count)
    private var nanosecondDigits = false

    /// The column of each field, by `rawValue` (-1: not a column).
    static let columnOf: [Int] = {
        var columns = Array(repeating: -1, count: Field.allCases.count)
        for (column, field) in Field.csvColumns.enumerated() { columns[field.rawValue] = column }
        return columns
    }()

    /// Empties the row (keeping its storage) for the next flow.
    mutating func reset(nanosecondDigits: Bool) {
        text.removeAll(keepingCapacity: true)
        for column in cells.indices { cells[column] = nil }
        self.nanosecondDigits = nanosecondDigits
    }

    /// The row, quoted, with its newline.
    func appendLine(to bytes: inout [UInt8]) {
        for (column, cell) in cells.enumerated() {
            if column > 0 { bytes.append(UInt8(ascii: ",")) }
            if let cell { CSVWriter.appendQuoted(text[cell], to: &bytes) }
        }
        bytes.append(UInt8(ascii: "\n"))
    }

    func wants(_ field: Field) -> Bool { CSVRow.columnOf[field.rawValue] >= 0 }

    /// Writes the cell of `field` with `value` unless the column has one already.
    @inline(__always)
    private mutating func set(_ field: Field, _ value: (inout [UInt8]) -> Void) {
        let column = CSVRow.columnOf[field.rawValue]
        guard column >= 0 && cells[column] == nil else { return }
        let start = text.count
        value(&text)
        cells[column] = start..<text.count
    }

    mutating func text(_ field: Field, _ value: String) { set(field) { $0.append(contentsOf: value.utf8) } }
    mutating func texts(_ field: Field, _ values: [String]) {
        set(field) { text in
            for (i, value) in values.enumerated() {
                if i > 0 { text.append(UInt8(ascii: ";")) }
                text.append(contentsOf: value.utf8)
            }
        }
    }
    mutating func number<T: BinaryInteger>(_ field: Field, _ value: T) { set(field) { JSONBytes.appendInteger(value, to: &$0) } }
    mutating func numbers<T: BinaryInteger>(_ field: Field, _ values: [T]) {
        set(field) { text in
            for (i, value) in values.enumerated() {
                if i > 0 { text.append(UInt8(ascii: ";")) }
                JSONBytes.appendInteger(value, to: &text)
            }
        }
    }
    mutating func bool(_ field: Field, _ value: Bool) {
        set(field) { text in
            let word: StaticString = value ? "true" : "false"
            word.withUTF8Buffer { text.append(contentsOf: $0) }
        }
    }
    mutating func time(_ field: Field, nanoseconds: Int64) {
        let digits = nanosecondDigits
        set(field) { TimeFormat.appendRFC3339(nanoseconds, nanosecondDigits: digits, to: &$0) }
    }
    mutating func seconds(_ field: Field, nanoseconds: Int64) {
        let digits = nanosecondDigits
        set(field) { TimeFormat.appendSeconds(nanoseconds, nanosecondDigits: digits, to: &$0) }
    }
}
