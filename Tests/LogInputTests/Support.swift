import Classifier
import Flows
import Foundation
import LogInput
import Reports
import Rules
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The package root (tests run from anywhere).
let packageRoot: String = {
    var parts = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().path.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)  // Tests/LogInputTests/Support.swift
    return parts.joined(separator: "/")
}()

let logsFolder = packageRoot + "/Tests/LogInputTests/Logs"

/// Keeps the reports written.
final class CollectingWriter: FlowReportWriter {
    var reports: [FlowReport] = []
    var finished = false
    func write(_ report: FlowReport) throws(OutputError) { reports.append(report) }
    func finish() throws(OutputError) { finished = true }
}

/// The shipped packs, loaded once per call (cheap enough for a handful of tests).
func shippedPacks() throws -> [RulePack] {
    try PackCollection.load([packageRoot + "/Rules"]).packs
}

struct Run {
    var reports: [FlowReport]
    var errors: [LogInputError]
    var applicability: RuleApplicability
    var summary: RunSummary
    var unjoined: Int
}

/// Classifies logs as `cipherscope classify` does: applicable rules only.
func classify(_ source: LogSource, _ paths: [String], maximumLineLength: Int = LineReader.defaultMaximumLength,
              window: Int = 65_536, maximumPending: Int? = nil) throws -> Run {
    let packs = try shippedPacks()
    let applicability = RuleApplicability(rules: try RuleSet.compile(packs).rules, source: source)
    let classifier = Classifier(source: try RuleSet.compile(applicability.filtered(packs)))
    let writer = CollectingWriter()
    let logs = LogClassifier(writer: writer, classifier: classifier, window: window)
    var errors: [LogInputError] = []
    var unjoined = 0
    switch source {
    case .eve:
        var reader = EVEReader(classifier: logs, maximumLineLength: maximumLineLength, maximumPending: maximumPending ?? EVEReader.maximumPending)
        for path in paths { reader.read(path: path) { errors.append($0) } }
        reader.finish()
        unjoined = reader.unjoined
    case .zeek:
        let expanded = ZeekReader.expand(paths)
        errors += expanded.errors
        var reader = ZeekReader(classifier: logs, maximumLineLength: maximumLineLength, maximumPending: maximumPending ?? ZeekReader.maximumPending)
        reader.read(expanded.files) { errors.append($0) }
        unjoined = reader.unjoined
    }
    logs.finish()
    #expect(writer.finished)
    return Run(reports: writer.reports, errors: errors, applicability: applicability, summary: logs.summary, unjoined: unjoined)
}

/// A flow as `analyze` reported it (a line of Tests/Golden/NAME.jsonl).
struct AnalyzedFlow {
    var key: String
    var platform: String?
    var evidenceFields: [String]
    var crossFlow: Bool
}

func analyzedFlows(_ capture: String) throws -> [AnalyzedFlow] {
    let path = packageRoot + "/Tests/Golden/\(capture).jsonl"
    let reader = try LineReader(path: path)
    var flows: [AnalyzedFlow] = []
    while case .line(_, let bytes) = reader.next() {
        let record = try JSONParser.parse(bytes)
        let key = [record["proto"], record["src_ip"], record["src_port"], record["dst_ip"], record["dst_port"]]
            .map { $0?.string ?? "" }.joined(separator: " ")
        let evidence = record["evidence"]?.array ?? []
        flows.append(AnalyzedFlow(
            key: key, platform: record["platform"]?.string,
            evidenceFields: evidence.compactMap { $0["field"]?.string },
            crossFlow: evidence.contains { $0["cross_flow"] != nil }))
    }
    return flows
}

extension FlowReport {
    var fiveTuple: String {
        "\(ProtocolNames.name(summary.proto)) \(summary.clientAddress) \(summary.clientPort) \(summary.serverAddress) \(summary.serverPort)"
    }
}

/// A scratch folder for damaged logs, removed by the caller.
func scratchFolder() -> String {
    var template = Array("/tmp/cipherscope-loginput-XXXXXX".utf8CString)
    let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    precondition(made != nil)
    return String(cString: made!)
}

func writeFile(_ path: String, _ bytes: [UInt8]) {
    let file = fopen(path, "wb")!
    _ = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) }
    fclose(file)
}

func readFile(_ path: String) -> [UInt8] {
    guard let file = fopen(path, "rb") else { return [] }
    defer { fclose(file) }
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = fread(&buffer, 1, buffer.count, file)
        if count <= 0 { break }
        out.append(contentsOf: buffer[0..<count])
    }
    return out
}

func removeTree(_ path: String) {
    _ = system("rm -rf '\(path)'")
}
