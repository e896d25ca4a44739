import Decoding
import Flows

/// One JSON object per flow and line (JSON Lines), written as flows end.
public final class JSONLinesWriter: FlowReportWriter {
    private let output: OutputFile

    public init(output: OutputFile) {
        self.output = output
    }

    public func write(_ report: FlowReport) throws(OutputError) {
        // Straight into the output's buffer: no line of its own to allocate and copy.
        try output.writeRecord { JSONLinesWriter.appendLine(for: report, to: &$0) }
    }

    public func finish() throws(OutputError) {
        try output.commit()
    }

    /// The JSON object of one flow, with its newline. Key names are a contract
    /// with partners' scripts: extend, never rename.
    public static func line(for report: FlowReport) -> String {
        String(decoding: lineBytes(for: report), as: UTF8.self)
    }

    /// The same line as UTF-8 bytes (what the writer emits, without a String in between).
    public static func lineBytes(for report: FlowReport) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(2048)
        appendLine(for: report, to: &bytes)
        return bytes
    }

    /// Appends the line to `bytes` (a buffer reused from flow to flow allocates nothing).
    public static func appendLine(for report: FlowReport, to bytes: inout [UInt8]) {
        var json = JSONFieldWriter(appendingTo: &bytes, nanosecondDigits: report.nanosecondTimes)
        report.describe(into: &json)
        json.finishLine(into: &bytes)
    }
}
