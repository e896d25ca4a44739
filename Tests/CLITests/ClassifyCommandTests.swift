import Foundation
import Testing

/// `cipherscope classify`: the built binary on the lab logs, exit status, the
/// not-applicable report and FILE:LINE errors on standard error.
@Suite struct ClassifyCommandTests {
    static let logs = Runner.packageRoot.appendingPathComponent("Tests/LogInputTests/Logs/lab-basic")

    @Test func labelsEVEAndZeekLikeAnalyze() throws {
        let analyzed = try Runner.run(["analyze", "--format", "jsonl", "-q", Runner.labCapture.path])
        let platforms = Dictionary(analyzed.flows.map { ("\($0["src_port"]!)-\($0["dst_port"]!)", $0["platform"] as? String ?? "-") },
                                   uniquingKeysWith: { a, _ in a })
        for arguments in [["--from", "eve", ClassifyCommandTests.logs.appendingPathComponent("eve.json").path],
                          ["--from", "zeek", ClassifyCommandTests.logs.appendingPathComponent("zeek/tsv").path],
                          ["--from", "zeek", ClassifyCommandTests.logs.appendingPathComponent("zeek/json").path]] {
            let result = try Runner.run(["classify", "--format", "jsonl"] + arguments)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.flows.count == 8)
            for flow in result.flows {
                #expect(platforms["\(flow["src_port"]!)-\(flow["dst_port"]!)"] == (flow["platform"] as? String ?? "-"))
            }
            #expect(result.stderr.contains("rules not applicable to \(arguments[1]) logs: "))
            #expect(result.stderr.contains("  not applicable: threema-handshake (org.cipherscope.messaging): needs sequence"))
        }
    }

    @Test func badLinesExitWithTwo() throws {
        let folder = try Runner.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        var text = try String(contentsOf: ClassifyCommandTests.logs.appendingPathComponent("eve.json"), encoding: .utf8)
        text = "not json\n" + text + "{\"event_type\":"
        let path = folder.appendingPathComponent("eve.json")
        try text.write(to: path, atomically: true, encoding: .utf8)
        let result = try Runner.run(["classify", "--from", "eve", "--format", "csv", path.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("cipherscope: error: \(path.path):1: not JSON"))
        #expect(result.stderr.contains("cipherscope: error: \(path.path):16: not JSON: truncated JSON"))
        #expect(result.lines.count == 9)  // header and the 8 flows
        let missing = try Runner.run(["classify", "--from", "zeek", "--no-rules", folder.appendingPathComponent("none").path])
        #expect(missing.status == 2)
        #expect(!missing.stderr.contains("not applicable"))
    }

    @Test func manifestRecordsTheLogFilesAndTheOutput() throws {
        let scratch = try Runner.scratch()
        let output = scratch.appendingPathComponent("flows.jsonl"), file = scratch.appendingPathComponent("custody.json")
        let eve = ClassifyCommandTests.logs.appendingPathComponent("eve.json")
        let result = try Runner.run(["classify", "--from", "eve", "-q", "-o", output.path, "--manifest", file.path, "--case-id", "WG-9", eve.path])
        #expect(result.status == 0, "\(result.stderr)")
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any] ?? [:]
        #expect(manifest["case_id"] as? String == "WG-9")
        let inputs = manifest["inputs"] as? [[String: Any]] ?? []
        #expect(inputs.map { $0["sha256"] as? String } == [try CustodyManifestTests.sha256sum(eve).sha])
        let outputs = manifest["outputs"] as? [[String: Any]] ?? []
        #expect(outputs.map { $0["sha256"] as? String } == [try CustodyManifestTests.sha256sum(output).sha])
        #expect((manifest["summary"] as? [String: Any])?["flows"] as? Int == 8)
        #expect((manifest["rule_packs"] as? [Any])?.count == 3)
    }
}
