import Foundation
import Testing

/// Hostile load from `Scripts/make-floods.py`, at a size the debug build reads in
/// seconds: a flood of distinct flows against a small flow table, fragments that
/// never complete, and TCP segments with random sequence numbers. Every flow must
/// be reported, the run summary must tell what was evicted and dropped, and memory
/// must stay bounded. (`Scripts/floods.sh` runs the million-flow sizes on a
/// release build and prints wall time and peak memory.)
@Suite(.enabled(if: Runner.python3 != nil, "python3 not found: flood tests skipped"), .serialized)
struct FloodTests {
    static let flows = 100_000
    static let fragmentDatagrams = 100_000
    static let tcpFlows = 4_000
    static let maxFlows = 10_000

    /// The folder the floods are written to.
    static let folder: Result<URL, Error> = Result { try Runner.scratch() }

    /// Writes one flood (`flows`, `fragments` or `tcpseq`) with the test sizes.
    static func generate(_ which: String) -> Result<Void, Error> {
        Result {
            let script = Runner.packageRoot.appendingPathComponent("Scripts/make-floods.py").path
            let result = try Runner.runTool(Runner.python3!, [
                script, folder.get().path, "--only", which,
                "--flows", "\(flows)", "--fragments", "\(fragmentDatagrams)", "--tcp-flows", "\(tcpFlows)",
            ])
            guard result.status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: result.stderr]) }
        }
    }
    static let flowFlood = generate("flows")
    static let fragmentFlood = generate("fragments")
    static let tcpSequenceFlood = generate("tcpseq")

    /// Runs `analyze` under `/usr/bin/time` when there is one (peak RSS in KiB), with
    /// the summary as JSON and the flows in a file.
    static func analyze(_ capture: String, _ extra: [String] = []) throws -> (result: Runner.Result, flows: [Substring], summary: [String: Any], peakKiB: Int?) {
        try analyze(folder.get().appendingPathComponent(capture), extra)
    }

    static func analyze(_ capture: URL, _ extra: [String] = []) throws -> (result: Runner.Result, flows: [Substring], summary: [String: Any], peakKiB: Int?) {
        let folder = try folder.get()
        let stats = folder.appendingPathComponent(capture.lastPathComponent + ".stats.json")
        let output = folder.appendingPathComponent(capture.lastPathComponent + ".jsonl")
        let arguments = ["analyze", "--format", "jsonl", "--no-rules", "--force", "-q", "--stats", stats.path, "-o", output.path] + extra
            + [capture.path]
        var result: Runner.Result
        var peak: Int?
        let time = URL(fileURLWithPath: "/usr/bin/time")
        if FileManager.default.isExecutableFile(atPath: time.path) {
            result = try Runner.runTool(time, ["-f", "peak-kib %M"] + [Runner.binary.path] + arguments)
            if let line = result.stderr.split(separator: "\n").last(where: { $0.hasPrefix("peak-kib ") }) {
                peak = Int(line.dropFirst("peak-kib ".count))
            }
        } else {
            result = try Runner.run(arguments)
        }
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        let summary = (try? JSONSerialization.jsonObject(with: Data(contentsOf: stats))) as? [String: Any] ?? [:]
        return (result, text.split(separator: "\n"), summary, peak)
    }

    /// The value of `"key":` in one JSON line (string or number), without parsing the line.
    static func field(_ line: Substring, _ key: String) -> Substring? {
        guard let range = line.range(of: "\"\(key)\":") else { return nil }
        var rest = line[range.upperBound...]
        if rest.first == "\"" {
            rest = rest.dropFirst()
            return rest.firstIndex(of: "\"").map { rest[..<$0] }
        }
        let end = rest.firstIndex { $0 == "," || $0 == "}" } ?? rest.endIndex
        return rest[..<end]
    }

    /// The peak memory of a run on the bundled lab capture: the baseline. None under a
    /// sanitizer, whose shadow memory and quarantine, not cipherscope, decide the peak.
    static let baselineKiB: Int? = Runner.sanitizer != nil ? nil : try? analyze(Runner.labCapture).peakKiB

    @Test func flowFloodIsReportedWhole() throws {
        try Self.flowFlood.get()
        let (result, lines, summary, peak) = try Self.analyze("flood-flows.pcap", ["--max-flows", "\(Self.maxFlows)"])
        #expect(result.status == 0, "\(result.stderr)")
        // One record per flow, each flow once.
        #expect(lines.count == Self.flows)
        let ids = Set(lines.compactMap { Self.field($0, "community_id") })
        #expect(ids.count == Self.flows)
        let evicted = lines.filter { Self.field($0, "end_reason") == "evicted" }.count
        let atEnd = lines.filter { Self.field($0, "end_reason") == "eof" }.count
        // All flows are open at once: beyond the table's room every new flow evicts one.
        #expect(evicted + atEnd == Self.flows)
        #expect(atEnd <= Self.maxFlows)
        #expect(evicted >= Self.flows - Self.maxFlows)
        // The run summary tells the same.
        #expect(summary["flows"] as? Int == Self.flows)
        #expect(summary["evicted_flows"] as? Int == evicted)
        #expect((summary["flows_by_end_reason"] as? [String: Any])?["evicted"] as? Int == evicted)
        #expect(summary["max_flows"] as? Int == Self.maxFlows)
        let peakActive = try #require(summary["peak_active_flows"] as? Int)
        #expect(peakActive <= Self.maxFlows && peakActive > 0)
        // Memory: a bounded table, not 100,000 flows' worth (about 1 KiB each).
        if let peak, let baseline = Self.baselineKiB {
            #expect(peak - baseline < 96 * 1024, "peak \(peak) KiB, baseline \(baseline) KiB")
        }
    }

    @Test func fragmentFloodIsCountedAndBounded() throws {
        try Self.fragmentFlood.get()
        let (result, lines, summary, peak) = try Self.analyze("flood-fragments.pcap")
        #expect(result.status == 0, "\(result.stderr)")
        // Only the datagrams whose last fragment was sent complete: 998 and 999 of each 1000.
        let complete = (0..<Self.fragmentDatagrams).filter { $0 % 1000 >= 998 }.count
        #expect(lines.count == complete)
        #expect(summary["fragments_reassembled"] as? Int == complete)
        // Every other fragment is accounted for as incomplete or over the limits.
        let undecodable = summary["undecodable"] as? [String: Int] ?? [:]
        let incomplete = undecodable["fragment_incomplete"] ?? 0
        let limit = undecodable["fragment_limit"] ?? 0
        #expect(limit > 0, "\(undecodable): 4096 datagrams at most are held, the flood has \(Self.fragmentDatagrams)")
        #expect(incomplete > 0)
        let packets = try #require(summary["packets"] as? Int)
        #expect((summary["flow_packets"] as? Int ?? 0) + (summary["undecodable_packets"] as? Int ?? 0) == packets)
        #expect(incomplete + limit + (undecodable["fragment_invalid"] ?? 0) == summary["undecodable_packets"] as? Int)
        // Bounded: 4096 datagrams and 32 MiB at most are held.
        if let peak, let baseline = Self.baselineKiB {
            #expect(peak - baseline < 64 * 1024, "peak \(peak) KiB, baseline \(baseline) KiB")
        }
    }

    @Test func tcpSequenceFloodReportsEveryFlow() throws {
        try Self.tcpSequenceFlood.get()
        let (result, lines, summary, _) = try Self.analyze("flood-tcpseq.pcap")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(lines.count == Self.tcpFlows)
        #expect(Set(lines.compactMap { Self.field($0, "community_id") }).count == Self.tcpFlows)
        #expect(lines.allSatisfy { Self.field($0, "proto") == "tcp" && Self.field($0, "tcp_handshake") == "complete" })
        #expect(summary["flows"] as? Int == Self.tcpFlows)
        #expect(summary["undecodable_packets"] as? Int == 0)
        // The port-443 flows start with a TLS record header: they are seen as TLS.
        #expect(lines.contains { Self.field($0, "app_proto") == "tls" })
    }
}
