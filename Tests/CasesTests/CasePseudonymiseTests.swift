import Foundation
import XCTest

/// `case query --pseudonymise`: the records `analyze --pseudonymise` writes for the
/// same captures, byte for byte, in every format; no real address left; bad keys refused.
final class CasePseudonymiseTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws { folder = try CaseRunner.scratch() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    /// The bundled captures, the crafted ones too (tunnels, IPv6, link types, hostile names).
    static let captures: [String] = {
        let crafted = CaseRunner.packageRoot.appendingPathComponent("Captures/crafted")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: crafted.path)) ?? []
        return CaseRunner.bundledCaptures
            + names.filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.sorted().map { crafted.appendingPathComponent($0).path }
    }()

    func keyFile() throws -> String {
        let key = folder.appendingPathComponent("key")
        try "2b7e151628aed2a6abf7158809cf4f3c762e7160f38b4da56a784d9045190cfe\n".write(to: key, atomically: true, encoding: .utf8)
        return key.path
    }

    /// A case with each capture ingested as its own chain (flow ids as analyze numbers them per file).
    func newCase() throws -> String {
        let path = folder.appendingPathComponent("case.db").path
        XCTAssertEqual(try CaseRunner.run(["case", "init", path, "--case-id", "P-1"]).status, 0)
        for capture in Self.captures {
            let result = try CaseRunner.run(["case", "ingest", path, "-q", capture])
            XCTAssert(result.status == 0 || result.status == 2, result.stderr)
        }
        return path
    }

    func lines(_ arguments: [String]) throws -> [String] {
        let result = try CaseRunner.run(arguments)
        XCTAssert(result.status == 0 || result.status == 2, "\(arguments): \(result.stderr)")
        return result.lines
    }

    func testQueryRecordsEqualAnalyzePseudonymisedInEveryFormat() throws {
        XCTAssertGreaterThan(Self.captures.count, 10)
        let casePath = try newCase(), key = try keyFile()
        var analyzed: [String] = [], analyzedCSV: [String] = []
        for capture in Self.captures {
            analyzed += try lines(["analyze", "--format", "jsonl", "-q", "--pseudonymise", key, capture])
            analyzedCSV += try lines(["analyze", "--format", "csv", "-q", "--pseudonymise", key, capture]).dropFirst()
        }
        let queried = try lines(["case", "query", casePath, "--format", "jsonl", "--pseudonymise", key])
        XCTAssertGreaterThan(queried.count, 50)
        XCTAssertEqual(queried.sorted(), analyzed.sorted())
        let queriedCSV = try lines(["case", "query", casePath, "--format", "csv", "--pseudonymise", key])
        XCTAssertEqual(Array(queriedCSV.dropFirst()).sorted(), analyzedCSV.sorted())

        // No real address in any format: every src_ip/dst_ip of the plain records is gone.
        let plain = try lines(["case", "query", casePath, "--format", "jsonl"])
        var real = Set<String>()
        for record in plain {
            for key in ["src_ip", "dst_ip"] { if let address = CaseIngestTests.field(record, key) as? String { real.insert(address) } }
        }
        XCTAssertGreaterThan(real.count, 5)
        let table = try CaseRunner.run(["case", "query", casePath, "--format", "table", "--pseudonymise", key]).stdout
        for format in [queried.joined(separator: "\n"), queriedCSV.joined(separator: "\n"), table] {
            let tokens = Set(format.split(whereSeparator: { ",\":[] \n;".contains($0) }).map(String.init))
            // IPv6 texts contain colons: look for them whole.
            for address in real where address.contains(":")
                ? ["\"\(address)\"", "[\(address)]", ",\(address),", " \(address) "].contains(where: format.contains) : tokens.contains(address) {
                XCTFail("real address \(address) in a pseudonymised output")
            }
        }
    }

    func testManifestRecordsTheCaseAndTheKeyIDNeverTheKey() throws {
        let casePath = try newCase(), key = try keyFile()
        let manifest = folder.appendingPathComponent("manifest.json")
        let result = try CaseRunner.run(["case", "query", casePath, "--format", "jsonl", "--pseudonymise", key, "--manifest", manifest.path,
                                         "--operator", "tests"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: manifest)) as? [String: Any])
        XCTAssertEqual(object["case_id"] as? String, "P-1")
        XCTAssertEqual(object["operator"] as? String, "tests")
        XCTAssertNotNil(object["pseudonymisation_key_id"] as? String)
        XCTAssertFalse(try String(contentsOf: manifest, encoding: .utf8).contains("2b7e151628aed2a6"))
        let inputs = try XCTUnwrap(object["inputs"] as? [[String: Any]])
        XCTAssertEqual(inputs.count, Self.captures.count)
        XCTAssertEqual((object["summary"] as? [String: Any])?["flows"] as? Int, result.lines.count)
    }

    func testMissingOrMalformedKeyIsOneErrorAndNothingWritten() throws {
        let casePath = try newCase()
        let manifest = folder.appendingPathComponent("manifest.json")
        let bad = folder.appendingPathComponent("bad-key")
        try "not hex\n".write(to: bad, atomically: true, encoding: .utf8)
        for key in [folder.appendingPathComponent("no-such-key").path, bad.path] {
            let result = try CaseRunner.run(["case", "query", casePath, "--pseudonymise", key, "--manifest", manifest.path])
            XCTAssertEqual(result.status, 1)
            XCTAssertEqual(result.stdout, "")
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: manifest.path))
        }
    }
}
