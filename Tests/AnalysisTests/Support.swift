import Analysis
import Foundation
import Reports

/// Where the package, its bundled captures and the shared peer captures are.
enum Paths {
    static let packageRoot: URL = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let captures = packageRoot.appendingPathComponent("Captures")
    static let crafted = captures.appendingPathComponent("crafted")

    /// `../shared/captures/ndpi` beside the clone, or nil (tests that need it are skipped).
    static let peerCaptures: URL? = {
        let url = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/captures/ndpi")
        return FileManager.default.fileExists(atPath: url.appendingPathComponent("MANIFEST.md").path) ? url : nil
    }()
}

/// Keeps every report in memory.
final class CollectingWriter: FlowReportWriter {
    var reports: [FlowReport] = []
    func write(_ report: FlowReport) throws(OutputError) { reports.append(report) }
    func finish() throws(OutputError) {}
}

/// Runs the analysis pipeline in-process.
func analyze(_ paths: [String], configure: (inout AnalysisOptions) -> Void = { _ in }) -> (reports: [FlowReport], summary: RunSummary) {
    var options = AnalysisOptions()
    configure(&options)
    let writer = CollectingWriter()
    let analyzer = Analyzer(options: options, writer: writer)
    let summary = analyzer.run(paths: paths)
    return (writer.reports, summary)
}
