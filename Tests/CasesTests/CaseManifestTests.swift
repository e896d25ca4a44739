import Foundation
import XCTest

/// `case ingest --manifest`: the files the ingest stored, hashed as `sha256sum` hashes
/// them, the packs used, the case's id and operator.
final class CaseManifestTests: XCTestCase {
    func testIngestManifestListsTheStoredFilesWithTheirSHA256() throws {
        let folder = try CaseRunner.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let casePath = folder.appendingPathComponent("case.db").path
        XCTAssertEqual(try CaseRunner.run(["case", "init", casePath, "--case-id", "M-1", "--operator", "desk"]).status, 0)
        let inputs = Array(CaseRunner.bundledCaptures.prefix(3))
        let manifest = folder.appendingPathComponent("ingest.json")
        let result = try CaseRunner.run(["case", "ingest", casePath, "-q", "--manifest", manifest.path] + inputs)
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: manifest)) as? [String: Any])
        XCTAssertEqual(object["case_id"] as? String, "M-1")
        XCTAssertEqual(object["operator"] as? String, "desk")
        XCTAssertFalse((object["rule_packs"] as? [Any] ?? []).isEmpty)
        let listed = try XCTUnwrap(object["inputs"] as? [[String: Any]])
        XCTAssertEqual(listed.map { $0["path"] as? String }, inputs)
        for (entry, input) in zip(listed, inputs) {
            let sum = Process()
            sum.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
            sum.arguments = [input]
            let out = Pipe()
            sum.standardOutput = out
            try sum.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            sum.waitUntilExit()
            XCTAssertEqual(entry["sha256"] as? String, String(text.prefix(64)), input)
        }
    }
}
