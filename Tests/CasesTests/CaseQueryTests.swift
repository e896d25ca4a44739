import Cases
import Foundation
import XCTest

/// Each `case query` filter against `analyze`'s JSON Lines filtered here, on a case
/// holding the bundled captures (each its own ingest) and, when present, the peer
/// captures (one chain).
final class CaseQueryTests: XCTestCase {
    nonisolated(unsafe) static var prepared: (casePath: String, records: [String], folder: URL)?

    /// One case for every filter test (ingest once).
    func prepared() throws -> (casePath: String, records: [String]) {
        if let prepared = CaseQueryTests.prepared { return (prepared.casePath, prepared.records) }
        let folder = try CaseRunner.scratch()
        let casePath = folder.appendingPathComponent("q.db").path
        XCTAssertEqual(try CaseRunner.run(["case", "init", casePath]).status, 0)
        var records: [String] = []
        for capture in CaseRunner.bundledCaptures {
            XCTAssertEqual(try CaseRunner.run(["case", "ingest", "-q", casePath, capture]).status, 0)
            records += try CaseRunner.run(["analyze", "--format", "jsonl", "-q", capture]).lines
        }
        if let peers = CaseRunner.peerCaptures {
            _ = try CaseRunner.run(["case", "ingest", "-q", casePath] + peers)
            records += try CaseRunner.run(["analyze", "--format", "jsonl", "-q"] + peers).lines
        }
        CaseQueryTests.prepared = (casePath, records, folder)
        return (casePath, records)
    }

    override class func tearDown() {
        if let folder = prepared?.folder { try? FileManager.default.removeItem(at: folder) }
    }

    /// Runs the query and compares with the records `keep` selects; returns how many matched.
    @discardableResult
    func check(_ filters: [String], _ keep: (String) -> Bool, file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        let (casePath, records) = try prepared()
        let result = try CaseRunner.run(["case", "query", casePath, "--format", "jsonl"] + filters)
        XCTAssertEqual(result.status, 0, result.stderr, file: file, line: line)
        let expected = records.filter(keep)
        XCTAssertEqual(result.lines.sorted(), expected.sorted(), "\(filters)", file: file, line: line)
        let times = result.lines.map { CaseTime.parse(text($0, "first_seen") ?? "") ?? 0 }
        XCTAssertEqual(times, times.sorted(), "sorted by first_seen", file: file, line: line)
        return expected.count
    }

    func text(_ record: String, _ dotted: String) -> String? {
        switch CaseIngestTests.field(record, dotted) {
        case let value as String: return value
        case let value as NSNumber: return value.stringValue
        default: return nil
        }
    }

    /// The first value of `dotted` among the records, to filter by.
    func some(_ dotted: String) throws -> String? {
        try prepared().records.lazy.compactMap { self.text($0, dotted) }.first
    }

    func testEveryRecordWithoutFilters() throws {
        XCTAssertGreaterThan(try check([], { _ in true }), 20)
    }

    func testTimeRange() throws {
        let times = try prepared().records.compactMap { text($0, "first_seen") }.sorted()
        let middle = times[times.count / 2]
        let start = CaseTime.parse(middle)!
        let end = start + 60_000_000_000
        let selected = try check(["--from", middle, "--to", String(end / 1_000_000_000)]) { record in
            let first = CaseTime.parse(self.text(record, "first_seen")!)!, last = CaseTime.parse(self.text(record, "last_seen")!)!
            return first <= end / 1_000_000_000 * 1_000_000_000 && last >= start
        }
        XCTAssertGreaterThan(selected, 0)
        let day = String(middle.prefix(10))
        try check(["--from", day, "--to", day]) { $0.contains("\"first_seen\":\"\(day)") || self.text($0, "last_seen")!.hasPrefix(day) }
    }

    func testAddressAndNetworkAtEitherEnd() throws {
        let address = try XCTUnwrap(try some("dst_ip"))
        XCTAssertGreaterThan(try check(["--addr", address]) { self.text($0, "src_ip") == address || self.text($0, "dst_ip") == address }, 0)
        XCTAssertGreaterThan(try check(["--addr", "127.0.0.0/8"]) {
            self.text($0, "src_ip")!.hasPrefix("127.") || self.text($0, "dst_ip")!.hasPrefix("127.")
        }, 0)
        try check(["--addr", "::1/128", "--addr", "10.0.0.0/8"]) { record in
            [self.text(record, "src_ip")!, self.text(record, "dst_ip")!].contains { $0 == "::1" || $0.hasPrefix("10.") }
        }
    }

    func testPortAndProto() throws {
        XCTAssertGreaterThan(try check(["--port", "443"]) { self.text($0, "src_port") == "443" || self.text($0, "dst_port") == "443" }, 0)
        XCTAssertGreaterThan(try check(["--proto", "udp"]) { self.text($0, "proto") == "udp" }, 0)
    }

    func testLabelFilters() throws {
        XCTAssertGreaterThan(try check(["--platform", "Signal"]) { self.text($0, "platform") == "Signal" }, 0)
        let service = try XCTUnwrap(try some("service"))
        XCTAssertGreaterThan(try check(["--service", service]) { self.text($0, "service") == service }, 0)
        let activity = try XCTUnwrap(try some("activity"))
        XCTAssertGreaterThan(try check(["--activity", activity]) { self.text($0, "activity") == activity }, 0)
        XCTAssertGreaterThan(try check(["--min-confidence", "medium"]) { ["medium", "high"].contains(self.text($0, "confidence")) }, 0)
        try check(["--min-confidence", "high", "--platform", "Signal"]) { self.text($0, "confidence") == "high" && self.text($0, "platform") == "Signal" }
    }

    func testNamesExactAndSuffix() throws {
        let sni = try XCTUnwrap(try some("tls.sni"))
        XCTAssertGreaterThan(try check(["--sni", sni]) { self.text($0, "tls.sni")?.lowercased() == sni.lowercased() }, 0)
        let parent = sni.split(separator: ".").suffix(2).joined(separator: ".")
        XCTAssertGreaterThan(try check(["--sni", "*." + parent]) { record in
            guard let name = self.text(record, "tls.sni")?.lowercased() else { return false }
            return name == parent || name.hasSuffix("." + parent)
        }, 0)
        if let dns = try some("dns_name") {
            XCTAssertGreaterThan(try check(["--dns", dns]) { self.text($0, "dns_name")?.lowercased() == dns.lowercased() }, 0)
            let top = String(dns.split(separator: ".").last!)
            try check(["--dns", "." + top]) { record in
                guard let name = self.text(record, "dns_name")?.lowercased() else { return false }
                return name == top || name.hasSuffix("." + top)
            }
        }
    }

    func testFingerprintsAndCommunityID() throws {
        for (option, dotted) in [("--ja3", "tls.ja3"), ("--ja4", "tls.ja4"), ("--ja4s", "tls.ja4s"), ("--ja4x", "tls.certificates.ja4x"),
                                 ("--community-id", "community_id")] {
            guard let value = try some(dotted) else { continue }
            XCTAssertGreaterThan(try check([option, value]) { self.text($0, dotted) == value }, 0, option)
        }
        try check(["--ja4", "t13d000000_000000000000_000000000000"]) { _ in false }
    }

    func testFileBySHA256AndPath() throws {
        let capture = CaseRunner.bundledCaptures[0]
        let (casePath, _) = try prepared()
        let store = try SQLiteCaseStore.open(.sqlite(path: casePath))
        let file = try XCTUnwrap(try store.files().first { $0.path == capture })
        store.close()
        XCTAssertGreaterThan(try check(["--file", file.sha256]) { self.text($0, "source_file") == capture }, 0)
        try check(["--file", capture, "--proto", "tcp"]) { self.text($0, "source_file") == capture && self.text($0, "proto") == "tcp" }
        XCTAssertEqual(try CaseRunner.run(["case", "query", casePath, "--file", "nosuchfile"]).status, 1)
    }

    func testCSVIsAnalyzeCSV() throws {
        let capture = CaseRunner.bundledCaptures.first { $0.hasSuffix("lab-basic.pcap") }!
        let (casePath, _) = try prepared()
        let stored = try CaseRunner.run(["case", "query", casePath, "--file", capture, "--format", "csv"])
        let analyzed = try CaseRunner.run(["analyze", "--format", "csv", "-q", capture])
        XCTAssertEqual(stored.lines.first, analyzed.lines.first)
        XCTAssertEqual(stored.lines.dropFirst().sorted(), analyzed.lines.dropFirst().sorted())
    }
}
