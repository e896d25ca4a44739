import Flows

/// One EVE (`--format eve`) or ECS (`--format ecs`) JSON object per flow and line,
/// written as flows end: the `TreeFieldWriter` projection of each flow's fields.
public final class TreeLinesWriter: FlowReportWriter {
    private let output: OutputFile
    private let format: TreeFormat

    public init(output: OutputFile, format: TreeFormat) {
        self.output = output
        self.format = format
    }

    public func write(_ report: FlowReport) throws(OutputError) {
        try output.write(bytes: TreeLinesWriter.lineBytes(for: report, format: format))
        try output.endRecord()
    }

    public func finish() throws(OutputError) {
        try output.commit()
    }

    /// The record of one flow in `format`, with its newline.
    public static func line(for report: FlowReport, format: TreeFormat) -> String {
        String(decoding: lineBytes(for: report, format: format), as: UTF8.self)
    }

    public static func lineBytes(for report: FlowReport, format: TreeFormat) -> [UInt8] {
        var tree = TreeFieldWriter(format: format, nanosecondDigits: report.nanosecondTimes)
        report.describe(into: &tree)
        return tree.line()
    }
}
