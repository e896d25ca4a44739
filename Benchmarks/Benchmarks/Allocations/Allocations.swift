import Analysis
import Benchmark
import Classifier
import Foundation
import MallocInterposerSwift
import Reports
import Rules

// Allocations of `cipherscope analyze` on one thread, as the CLI runs it with the
// shipped packs and JSON Lines (each record rendered, then dropped): one benchmark
// per capture, counting mallocs over the whole analysis (reading, decoding, the
// flow table, dissection, labelling, the record). Besides the total, two ratios
// as custom metrics: mallocs per flow, and mallocs per 1,000 packets.
//
// Captures: the bundled ones (Captures/*.pcap), floods made by
// Scripts/make-floods.py into .build/floods (100,000 flows of one or two packets;
// 20,000 TCP connections with many segments each), and the benchmark capture
// mid.pcap when it is there (../.bench/mid.pcap, or MID_PCAP).

/// The repository root: two levels above this package.
let root: String = {
    var path = #filePath
    for _ in 0..<4 { path = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)]) }
    return path
}()

/// Renders every flow record as `analyze --format jsonl` does (into one reused
/// buffer, as the writer fills its output's), and drops it.
final class DiscardingWriter: FlowReportWriter {
    var bytes = 0
    private var buffer: [UInt8] = []
    func write(_ report: FlowReport) throws(OutputError) {
        buffer.removeAll(keepingCapacity: true)
        JSONLinesWriter.appendLine(for: report, to: &buffer)
        bytes &+= buffer.count
    }
    func finish() throws(OutputError) {}
}

/// The flood captures, made once (a few seconds) and kept in .build/floods.
func floods() -> [String] {
    let folder = root + "/Benchmarks/.build/floods"
    let wanted = [("flows", ["--flows", "100000"]), ("tcpseq", ["--tcp-flows", "20000"])]
    var paths: [String] = []
    for (kind, options) in wanted {
        let path = "\(folder)/flood-\(kind).pcap"
        if !FileManager.default.fileExists(atPath: path) {
            let maker = Process()
            maker.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            maker.arguments = ["python3", root + "/Scripts/make-floods.py", folder, "--only", kind] + options
            try? maker.run()
            maker.waitUntilExit()
        }
        if FileManager.default.fileExists(atPath: path) { paths.append(path) }
    }
    return paths
}

func captures() -> [String] {
    let bundled = ((try? FileManager.default.contentsOfDirectory(atPath: root + "/Captures")) ?? [])
        .filter { $0.hasSuffix(".pcap") }.sorted().map { root + "/Captures/" + $0 }
    let mid = ProcessInfo.processInfo.environment["MID_PCAP"] ?? root + "/.bench/mid.pcap"
    return bundled + floods() + (FileManager.default.fileExists(atPath: mid) ? [mid] : [])
}

let mallocsPerFlow = BenchmarkMetric.custom("mallocs / flow", polarity: .prefersSmaller, useScalingFactor: false)
let mallocsPerThousandPackets = BenchmarkMetric.custom("mallocs / 1k packets", polarity: .prefersSmaller, useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    // Loaded once, outside the measured region, as the CLI loads them before reading.
    guard let rules = try? PackCollection.load([root + "/Rules"]).rules else {
        fatalError("cannot load the shipped packs from \(root)/Rules")
    }
    let classifier = Classifier(source: rules)
    // Allocation counts do not vary between runs: a few iterations are enough.
    let configuration = Benchmark.Configuration(
        metrics: [.mallocCountTotal, .wallClock, mallocsPerFlow, mallocsPerThousandPackets],
        warmupIterations: 1, maxDuration: .seconds(20), maxIterations: 3)
    for path in captures() {
        let name = String(path.split(separator: "/").last ?? "")
        Benchmark("analyze \(name)", configuration: configuration) { benchmark in
            for _ in benchmark.scaledIterations {
                let before = MallocInterposerSwift.getStatistics().mallocCount
                let writer = DiscardingWriter()
                let analyzer = Analyzer(options: AnalysisOptions(), writer: writer, classifier: classifier)
                let summary = analyzer.run(paths: [path])
                let mallocs = MallocInterposerSwift.getStatistics().mallocCount - before
                blackHole(writer.bytes)
                benchmark.measurement(mallocsPerFlow, Int((Double(mallocs) / Double(max(summary.flows, 1))).rounded()))
                benchmark.measurement(mallocsPerThousandPackets, Int((1000 * Double(mallocs) / Double(max(summary.packets, 1))).rounded()))
            }
        }
    }
}
