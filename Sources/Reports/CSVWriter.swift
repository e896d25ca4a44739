import Decoding
import Flows

/// Comma-separated values with a header row: the flat keys of the JSON Lines output.
public final class CSVWriter: FlowReportWriter {
    public static let columns = [
        "flow_id", "community_id", "proto", "src_ip", "src_port", "dst_ip", "dst_port", "vlan", "tunnel",
        "first_seen", "last_seen", "duration", "packets_c2s", "packets_s2c", "bytes_c2s", "bytes_s2c",
        "payload_c2s", "payload_s2c", "end_reason", "source_file", "first_frame",
    ]

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
        let flow = report.summary
        let nano = report.nanosecondTimes
        let fields: [String] = [
            String(flow.flowID), flow.communityID, ProtocolNames.name(flow.proto),
            flow.clientAddress.description, String(flow.clientPort),
            flow.serverAddress.description, String(flow.serverPort),
            flow.vlans.map(String.init).joined(separator: ";"),
            flow.tunnel?.kind.name ?? "",
            TimeFormat.rfc3339(flow.firstSeen, nanosecondDigits: nano),
            TimeFormat.rfc3339(flow.lastSeen, nanosecondDigits: nano),
            TimeFormat.seconds(flow.duration, nanosecondDigits: nano),
            String(flow.c2s.packets), String(flow.s2c.packets),
            String(flow.c2s.ipBytes), String(flow.s2c.ipBytes),
            String(flow.c2s.payloadBytes), String(flow.s2c.payloadBytes),
            flow.endReason.name, report.sourceFile, String(report.firstFrame),
        ]
        try output.write(fields.map(CSVWriter.quoted).joined(separator: ",") + "\n")
        try output.endRecord()
    }

    public func finish() throws(OutputError) {
        if !wroteHeader { try output.write(CSVWriter.columns.joined(separator: ",") + "\n") }
        try output.commit()
    }

    /// RFC 4180 quoting, and a leading quote mark against spreadsheet formula injection.
    static func quoted(_ field: String) -> String {
        var value = field
        if let first = value.unicodeScalars.first, "=+-@".unicodeScalars.contains(first), Double(value) == nil {
            value = "'" + value
        }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        var quoted = "\""
        for character in value {
            quoted.append(character)
            if character == "\"" { quoted.append("\"") }
        }
        return quoted + "\""
    }
}
