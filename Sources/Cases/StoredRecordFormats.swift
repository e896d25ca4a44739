import LogInput
import Reports
import Schema

/// `case query --format csv|table` from the stored records. A case keeps each flow
/// as its JSON Lines record (not the in-memory report the writers take), so these
/// read the record back: the CSV row has the columns, headers and quoting of
/// `analyze --format csv` (the record carries every CSV column's text as the CSV
/// writer writes it); the table is a shorter overview than `analyze`'s.
public enum StoredRecordFormats {
    public static let csvHeader = CSVWriter.columns.joined(separator: ",") + "\n"

    /// One CSV row, with its newline; nil when the record is not JSON.
    public static func csvRow(_ record: String) -> String? {
        guard let object = try? JSONParser.parse(Array(record.utf8)) else { return nil }
        let cells = Field.csvColumns.map { field -> String in
            guard let value = object.path(Field.declarations[field.rawValue].name) else { return "" }
            return text(of: value)
        }
        return cells.map(CSVWriter.quotedCell).joined(separator: ",") + "\n"
    }

    static func text(of value: JSONValue) -> String {
        if let items = value.array { return items.map(text(of:)).joined(separator: ";") }
        return value.string ?? ""
    }

    public static let tableHeader = ["FIRST SEEN", "CLIENT", "SERVER", "PROTO", "PLATFORM", "SERVICE", "ACTIVITY", "NAME"]

    /// The table's cells for one record.
    public static func tableCells(_ record: String) -> [String] {
        guard let object = try? JSONParser.parse(Array(record.utf8)) else { return ["?"] }
        func field(_ name: String) -> String { object.path(name).map(text(of:)) ?? "" }
        let name = [field("tls.sni"), field("dns_name"), field("http.host")].first { !$0.isEmpty } ?? ""
        return [field("first_seen"), endpoint(field("src_ip"), field("src_port")), endpoint(field("dst_ip"), field("dst_port")),
                field("proto"), field("platform"), field("service"), field("activity"), name]
    }

    static func endpoint(_ address: String, _ port: String) -> String {
        guard !port.isEmpty else { return address }
        return address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"
    }

    /// Rows as aligned columns (two spaces apart), header first.
    public static func table(_ rows: [[String]], header: [String]) -> String {
        var widths = header.map(\.count)
        for row in rows { for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) } }
        func line(_ cells: [String]) -> String {
            var text = ""
            for (index, cell) in cells.enumerated() {
                text += cell
                if index < cells.count - 1 { text += String(repeating: " ", count: max(0, widths[index] - cell.count) + 2) }
            }
            return text + "\n"
        }
        return ([header] + rows).map(line).joined()
    }
}
