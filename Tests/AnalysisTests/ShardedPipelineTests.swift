import Analysis
import Classifier
import Foundation
import Reports
import Rules
import Testing

/// `--threads N` shards flows across threads; the output must be the
/// single-thread output, line for line, and so must the run summary's counts.
@Suite struct ShardedPipelineTests {
    static let rules: RuleSet? = try? PackCollection.load([Paths.packageRoot.appendingPathComponent("Rules").path]).rules

    /// The JSON lines and the summary of one run over `paths` with `threads` threads.
    static func run(_ paths: [String], threads: Int, configure: (inout AnalysisOptions) -> Void = { _ in }) -> (lines: [String], summary: RunSummary) {
        var options = AnalysisOptions()
        options.threads = threads
        configure(&options)
        let writer = CollectingWriter()
        let analyzer = Analyzer(options: options, writer: writer, classifier: rules.map { Classifier(source: $0) })
        let summary = analyzer.run(paths: paths)
        return (writer.reports.map { String(decoding: JSONLinesWriter.lineBytes(for: $0), as: UTF8.self) }, summary)
    }

    static func expectSame(_ paths: [String], threads: [Int], configure: (inout AnalysisOptions) -> Void = { _ in }) {
        let single = run(paths, threads: 1, configure: configure)
        #expect(single.lines.count > 0)
        for n in threads {
            let sharded = run(paths, threads: n, configure: configure)
            #expect(sharded.lines.count == single.lines.count, "threads \(n)")
            // Line for line: the first difference, if any, is shown whole.
            if let i = zip(sharded.lines, single.lines).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
                Issue.record("threads \(n): line \(i + 1) differs:\n  1: \(single.lines[i])\n  \(n): \(sharded.lines[i])")
            }
            #expect(sharded.summary.flows == single.summary.flows)
            #expect(sharded.summary.packets == single.summary.packets)
            #expect(sharded.summary.bytes == single.summary.bytes)
            #expect(sharded.summary.flowPackets == single.summary.flowPackets)
            #expect(sharded.summary.flowsByEndReason == single.summary.flowsByEndReason)
            #expect(sharded.summary.peakActiveFlows == single.summary.peakActiveFlows)
            #expect(sharded.summary.undecodable == single.summary.undecodable)
            #expect(sharded.summary.nonIP == single.summary.nonIP)
            #expect(sharded.summary.platforms.json() == single.summary.platforms.json())
        }
    }

    static var bundledCaptures: [String] {
        let folders = [Paths.captures, Paths.crafted]
        return folders.flatMap { folder in
            ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
                .filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.sorted()
                .map { folder.appendingPathComponent($0).path }
        }
    }

    @Test func bundledCapturesGiveTheSameOutputOnAnyNumberOfThreads() {
        #expect(ShardedPipelineTests.rules != nil)
        ShardedPipelineTests.expectSame(ShardedPipelineTests.bundledCaptures, threads: [2, 3, 8])
    }

    @Test(.enabled(if: Paths.peerCaptures != nil, "needs ../shared/captures/ndpi beside the clone"))
    func peerCapturesGiveTheSameOutputOnAnyNumberOfThreads() throws {
        let folder = try #require(Paths.peerCaptures)
        let paths = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.sorted()
            .map { folder.appendingPathComponent($0).path }
        #expect(paths.count == 72)
        ShardedPipelineTests.expectSame(paths, threads: [2, 4])
    }

    /// Short timeouts: idle scans, FIN linger and active-timeout splits all happen
    /// mid-run, and DNS names and cross-flow labels must still come out the same.
    @Test(.enabled(if: Paths.peerCaptures != nil, "needs ../shared/captures/ndpi beside the clone"))
    func shortTimeoutsAndSplitsGiveTheSameOutput() throws {
        let folder = try #require(Paths.peerCaptures)
        let paths = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.sorted()
            .map { folder.appendingPathComponent($0).path }
        ShardedPipelineTests.expectSame(paths, threads: [2, 5]) { options in
            options.flowTable.tcpIdleTimeout = 2_000_000_000
            options.flowTable.udpIdleTimeout = 1_000_000_000
            options.flowTable.otherIdleTimeout = 1_000_000_000
            options.flowTable.closedLinger = 500_000_000
            options.flowTable.activeTimeout = 3_000_000_000
        }
        let split = ShardedPipelineTests.run(paths, threads: 3) { options in options.flowTable.activeTimeout = 3_000_000_000 }
        #expect(split.summary.flowsByEndReason["active", default: 0] > 0, "the test must exercise splits")
        #expect(split.lines.contains { $0.contains("\"dns_name\"") }, "the test must exercise DNS names")
        #expect(split.lines.contains { $0.contains("\"cross_flow\"") }, "the test must exercise cross-flow labels")
    }
}
