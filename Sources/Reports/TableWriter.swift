import Decoding
import Flows
import Schema

/// An aligned table for people, at most 100 columns wide, sorted by first packet.
/// Flows are held until the end of the run to sort them.
public final class TableWriter: FlowReportWriter {
    private let output: OutputFile
    private var reports: [FlowReport] = []

    public init(output: OutputFile) {
        self.output = output
    }

    public func write(_ report: FlowReport) throws(OutputError) {
        reports.append(report)
    }

    public func finish() throws(OutputError) {
        reports.sort { ($0.summary.firstSeen, $0.summary.flowID) < ($1.summary.firstSeen, $1.summary.flowID) }
        for line in TableWriter.render(reports) { try output.write(line + "\n") }
        try output.commit()
    }

    /// Columns (title, width, right-aligned): 100 characters at most. WHAT is the
    /// application protocol and the most telling fact (SNI, DNS name, realm, …).
    static let header = [
        ("UTC", 8, false), ("PLATFORM", 9, false), ("CLIENT", 21, false), ("SERVER", 21, false),
        ("PKTS >/<", 9, true), ("BYTES", 6, true), ("WHAT", 19, false),
    ]

    /// The table's lines: a header, then one line per flow; a line names the date
    /// whenever it changes.
    public static func render(_ reports: [FlowReport]) -> [String] {
        var lines = [row(header.map { $0.0 })]
        var currentDate = ""
        for report in reports {
            let flow = report.summary
            let seconds = flow.firstSeen / 1_000_000_000
            let (date, time) = TimeFormat.civil(flow.firstSeen >= 0 ? seconds : seconds - 1)
            if date != currentDate {
                currentDate = date
                lines.append("-- \(date)")
            }
            // The platform when labelled, else the application protocol, else the transport.
            let app = report.classification?.platform ?? report.evidence?.appProto?.name ?? ProtocolNames.name(flow.proto)
            lines.append(row([
                time, app,
                client(of: flow),
                server(of: flow),
                "\(flow.c2s.packets)/\(flow.s2c.packets)",
                humanBytes(flow.c2s.ipBytes + flow.s2c.ipBytes),
                what(report),
            ]))
        }
        lines.append("\(reports.count) flow\(reports.count == 1 ? "" : "s")")
        return lines
    }

    static func what(_ report: FlowReport) -> String {
        let headline = report.evidence?.headline ?? ""
        return report.addressMap?.mapText(headline) ?? headline
    }

    static func row(_ cells: [String]) -> String {
        var line = ""
        for (i, cell) in cells.enumerated() {
            let (_, width, right) = header[i]
            let text = fit(cell, width)
            let padding = String(repeating: " ", count: max(0, width - text.count))
            if i > 0 { line += " " }
            line += right ? padding + text : (i == cells.count - 1 ? text : text + padding)
        }
        return line
    }

    /// `address:port` (`[v6]:port`) for the transports with ports, else the address.
    static func endpoint(_ address: IPAddress, _ port: UInt16, proto: UInt8) -> String {
        guard IPProtocol.hasPorts(proto) else { return address.description }
        return address.isIPv4 ? "\(address):\(port)" : "[\(address)]:\(port)"
    }

    static func client(of flow: FlowSummary) -> String { endpoint(flow.clientAddress, flow.clientPort, proto: flow.proto) }
    static func server(of flow: FlowSummary) -> String { endpoint(flow.serverAddress, flow.serverPort, proto: flow.proto) }

    /// Shortens text to `width` by eliding its middle, so both ends stay readable.
    static func fit(_ text: String, _ width: Int) -> String {
        guard text.count > width else { return text }
        let keep = width - 1
        let head = keep / 2
        return String(text.prefix(head)) + "…" + String(text.suffix(keep - head))
    }

    static func humanBytes(_ bytes: UInt64) -> String {
        if bytes < 100_000 { return String(bytes) }
        let units = ["k", "M", "G", "T"]
        var value = Double(bytes) / 1000
        var unit = 0
        while value >= 999.5 && unit < units.count - 1 { value /= 1000; unit += 1 }
        return oneDecimal(value) + units[unit]
    }

    static func oneDecimal(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
