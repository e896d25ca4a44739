import Flows
import Reports
import Schema

extension FlowRow {
    /// The stored form of a flow: its typed columns, read from the same field
    /// descriptions every output reads, and its whole `analyze` JSON Lines record.
    public init(report: FlowReport, fileID: Int64) {
        var columns = ColumnSink()
        report.describe(into: &columns)
        var values = columns.values
        values[FlowColumn.fileID.rawValue] = .integer(fileID)
        values[FlowColumn.srcIP.rawValue] = .blob(report.summary.clientAddress.sixteenBytes)
        values[FlowColumn.dstIP.rawValue] = .blob(report.summary.serverAddress.sixteenBytes)
        var line = JSONLinesWriter.lineBytes(for: report)
        line.removeLast()  // the newline
        values[FlowColumn.record.rawValue] = .text(String(decoding: line, as: UTF8.self))
        self.init(values: values)
    }
}

/// Picks the values of the fields that are `flows` columns (the first value of a
/// list: a flow's leaf certificate for `tls_certificates_ja4x`).
struct ColumnSink: FlatFieldSink {
    var values = [SQLValue](repeating: .null, count: FlowColumn.allCases.count)

    /// By `Field.rawValue`: the column it fills.
    static let columnByField: [FlowColumn?] = {
        var table = [FlowColumn?](repeating: nil, count: Field.allCases.count)
        for column in FlowColumn.allCases {
            // Addresses are taken typed from the summary, not from their text.
            if let field = column.field, column.kind != .address { table[field.rawValue] = column }
        }
        return table
    }()

    func wants(_ field: Field) -> Bool { ColumnSink.columnByField[field.rawValue] != nil }

    private mutating func set(_ field: Field, _ value: SQLValue) {
        guard let column = ColumnSink.columnByField[field.rawValue], values[column.rawValue] == .null else { return }
        values[column.rawValue] = value
    }

    mutating func text(_ field: Field, _ value: String) {
        guard wants(field) else { return }
        let column = ColumnSink.columnByField[field.rawValue]
        set(field, .text(column == .tlsSNI || column == .dnsName ? NamePattern.normalised(value) : value))
    }

    mutating func texts(_ field: Field, _ values: [String]) {
        if let first = values.first { text(field, first) }
    }

    mutating func number<T: BinaryInteger>(_ field: Field, _ value: T) {
        if wants(field) { set(field, .integer(Int64(truncatingIfNeeded: value))) }
    }

    mutating func numbers<T: BinaryInteger>(_ field: Field, _ values: [T]) {
        if let first = values.first { number(field, first) }
    }

    mutating func bool(_ field: Field, _ value: Bool) {
        if wants(field) { set(field, .integer(value ? 1 : 0)) }
    }

    mutating func time(_ field: Field, nanoseconds: Int64) {
        if wants(field) { set(field, .integer(nanoseconds)) }
    }

    mutating func seconds(_ field: Field, nanoseconds: Int64) {
        if wants(field) { set(field, .integer(nanoseconds)) }
    }
}
