import Foundation
@testable import Reports
import Testing

/// CSV fields as `CSVWriter` writes them: RFC 4180 quoting, and a leading `'` before
/// text a spreadsheet would run as a formula (= + - @), never before a number.
struct CSVQuotingTests {
    @Test func plainFieldsAreLeftAlone() {
        for field in ["", "tcp", "192.0.2.1", "2001:db8::1", "2023-11-14T22:13:20.123456Z", "capture file.pcap", "é😀", "a'b"] {
            #expect(CSVWriter.quoted(field) == field)
        }
    }

    @Test func separatorsQuotesAndLineBreaksAreQuoted() {
        #expect(CSVWriter.quoted("a,b") == #""a,b""#)
        #expect(CSVWriter.quoted(#"say "hi""#) == #""say ""hi""""#)
        #expect(CSVWriter.quoted("\"") == #""""""#)
        #expect(CSVWriter.quoted("line\nbreak") == "\"line\nbreak\"")
        #expect(CSVWriter.quoted("carriage\rreturn") == "\"carriage\rreturn\"")
        #expect(CSVWriter.quoted(#"all, "of\#n them"#) == "\"all, \"\"of\n them\"")
    }

    @Test func formulaLeadersGetAQuoteMark() {
        #expect(CSVWriter.quoted("=1+2") == "'=1+2")
        #expect(CSVWriter.quoted("+cmd") == "'+cmd")
        #expect(CSVWriter.quoted("-cmd|' /C calc'!A0") == "'-cmd|' /C calc'!A0")
        #expect(CSVWriter.quoted("@SUM(A1:A9)") == "'@SUM(A1:A9)")
        #expect(CSVWriter.quoted("-") == "'-")
        #expect(CSVWriter.quoted("=") == "'=")
        // Guarded first, then quoted: the quote mark is inside the quotes.
        #expect(CSVWriter.quoted(#"=HYPERLINK("http://x","y")"#) == #""'=HYPERLINK(""http://x"",""y"")""#)
        #expect(CSVWriter.quoted("-1+2") == "'-1+2")
        // Only a leading character counts.
        #expect(CSVWriter.quoted("a=b") == "a=b")
        #expect(CSVWriter.quoted("user@example.org") == "user@example.org")
    }

    @Test func numbersAreNotPrefixed() {
        for number in ["0", "-1", "+5", "-0.25", "1.500000", "-1.500000", "1e5", "-1.5e-3", "18446744073709551615", "-9223372036854775808"] {
            #expect(CSVWriter.quoted(number) == number)
        }
    }

    /// A field holding a CR LF pair must be quoted like one holding CR or LF alone
    /// ("\r\n" is one Swift Character, equal to neither; `quoted` looks at scalars).
    /// Reachable through `source_file` (a capture path).
    @Test func crlfIsQuoted() {
        #expect(CSVWriter.quoted("a\r\nb") == "\"a\r\nb\"")
    }

    /// A comma or quote followed by a combining mark must still be quoted (the bytes
    /// hold a separator): "," + U+0301 is one Character, not equal to ",".
    @Test func separatorFollowedByACombiningMarkIsQuoted() {
        #expect(CSVWriter.quoted("a,\u{301}b") == "\"a,\u{301}b\"")
        #expect(CSVWriter.quoted("a\"\u{301}b") == "\"a\"\"\u{301}b\"")
    }

    /// The writer: a header of the flat keys, one row per flow, fields that a CSV
    /// reader splits back into the values written.
    @Test func writerRowsParseBackToTheirValues() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("flows.csv").path
        let writer = CSVWriter(output: try OutputFile.open(path, force: false))
        let names = ["plain.pcap", "with,comma.pcap", #"with"quote.pcap"#, "with\nnewline.pcap", "=cmd.pcap", "-", "@x"]
        for name in names { try writer.write(report(sourceFile: name)) }
        try writer.finish()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let records = parseCSV(text)
        #expect(records.count == 1 + names.count)
        #expect(records.first == CSVWriter.columns)
        let column = try #require(CSVWriter.columns.firstIndex(of: "source_file"))
        for (index, name) in names.enumerated() {
            let record = records[index + 1]
            #expect(record.count == CSVWriter.columns.count, "\(record)")
            let expected = name.first.map { "=+-@".contains($0) } == true ? "'" + name : name
            #expect(record[column] == expected)
        }
        let row = records[1]
        // The flat columns, then the label and evidence columns (empty: this flow has none).
        #expect(row.count == CSVWriter.columns.count && row.dropFirst(21).allSatisfy(\.isEmpty))
        #expect(Array(row.prefix(21)) == ["7", "1:abc+/=", "tcp", "192.0.2.1", "40000", "203.0.113.5", "443", "", "",
                        "2023-11-14T22:13:20.123456Z", "2023-11-14T22:13:21.623456Z", "1.500000",
                        "3", "2", "300", "1200", "180", "1100", "fin", "plain.pcap", "1"])
    }

    @Test func writerWithoutFlowsWritesTheHeader() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("empty.csv").path
        let writer = CSVWriter(output: try OutputFile.open(path, force: false))
        try writer.finish()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == CSVWriter.columns.joined(separator: ",") + "\n")
    }
}
