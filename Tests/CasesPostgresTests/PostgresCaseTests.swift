import Foundation
import TestSupport
import XCTest

/// `case` commands on a real PostgreSQL 15 server: per file the records `analyze`
/// writes, idempotent re-ingest, every query filter equal to the SQLite case's
/// answer on the same inputs, refused databases.
final class PostgresCaseTests: XCTestCase {
    var server: PostgresServer!
    var url: String!
    var folder: URL!

    override class func tearDown() { PostgresCaseFixture.stop() }

    override func setUpWithError() throws {
        server = try PostgresCaseFixture.shared()
        url = try PostgresCaseFixture.newDatabase(server)
        folder = try Binary.scratch()
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func initCase(_ location: String) throws {
        let result = try Binary.run(["case", "init", location, "--case-id", "T-PG", "--operator", "tests", "--tlp", "amber"])
        XCTAssertEqual(result.status, 0, result.stderr)
    }

    /// What the case holds, but ingest times: files, then each flow's file, pointer and record.
    func dump(_ location: String) throws -> [String] {
        try PostgresCaseFixture.sql(server, location, """
            SELECT 'file', id, sha256, size, path, first_packet, last_packet, packets, status, error, chain FROM files ORDER BY id;
            SELECT 'flow', file_id, first_frame, first_offset, src_ip, dst_ip, record FROM flows ORDER BY id;
            """)
    }

    func testBundledCapturesStoreWhatAnalyzeWritesAndReingestChangesNothing() throws {
        try initCase(url)
        for capture in Binary.bundledCaptures {
            let result = try Binary.run(["case", "ingest", url, capture])
            XCTAssertEqual(result.status, 0, result.stderr)
        }
        for capture in Binary.bundledCaptures {
            let stored = try Binary.query(url, ["--file", capture])
            XCTAssertFalse(stored.isEmpty, capture)
            XCTAssertEqual(stored.sorted(), try Binary.analyze([capture]).sorted(), capture)
        }
        let before = try dump(url)
        let again = try Binary.run(["case", "ingest", url] + Binary.bundledCaptures)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stderr.contains("already in the case"), again.stderr)
        XCTAssertEqual(try dump(url), before)
        // Addresses are typed: inet, so the server itself can answer CIDR questions.
        XCTAssertEqual(try PostgresCaseFixture.sql(server, url, "SELECT pg_typeof(src_ip) FROM flows LIMIT 1"), ["inet"])
        let summary = try Binary.run(["case", "summary", url])
        XCTAssertEqual(summary.status, 0, summary.stderr)
        XCTAssertTrue(summary.stdout.contains("Signal"), summary.stdout)
    }

    func testPeerCapturesAsOneChainPerFileEqualAnalyze() throws {
        guard let peers = Binary.peerCaptures else { throw XCTSkip("../shared/captures/ndpi is absent: peer-capture PostgreSQL test skipped") }
        try initCase(url)
        let result = try Binary.run(["case", "ingest", "-q", url] + peers)
        XCTAssert(result.status == 0 || result.status == 2, result.stderr)
        let analyzed = try Binary.analyze(peers)
        var byFile: [String: [String]] = [:]
        for line in analyzed { byFile[Self.text(line, "source_file") ?? "", default: []].append(line) }
        for peer in peers {
            XCTAssertEqual(try Binary.query(url, ["--file", peer]).sorted(), (byFile[peer] ?? []).sorted(), peer)
        }
        XCTAssertEqual(try Binary.query(url).count, analyzed.count)
    }

    /// The same inputs in an SQLite case and a PostgreSQL case: every filter gives the same lines, in the same order.
    func testEveryFilterAnswersAsTheSQLiteCase() throws {
        let inputs = Binary.bundledCaptures + (Binary.peerCaptures ?? [])
        let sqlite = folder.appendingPathComponent("case.db").path
        for location in [url!, sqlite] {
            try initCase(location)
            let result = try Binary.run(["case", "ingest", "-q", location] + inputs)
            XCTAssert(result.status == 0 || result.status == 2, result.stderr)
        }
        let records = try Binary.query(sqlite)
        XCTAssertGreaterThan(records.count, 20)
        func some(_ dotted: String) -> String? { records.lazy.compactMap { Self.text($0, dotted) }.first }
        let times = records.compactMap { Self.text($0, "first_seen") }.sorted()
        let middle = times[times.count / 2]
        var filters: [[String]] = [
            [], ["--from", middle], ["--to", middle], ["--from", String(middle.prefix(10)), "--to", String(middle.prefix(10))],
            ["--addr", "127.0.0.0/8"], ["--addr", "::1/128", "--addr", "10.0.0.0/8"], ["--port", "443"], ["--port", "53", "--proto", "udp"],
            ["--proto", "tcp"], ["--platform", "Signal"], ["--min-confidence", "medium"], ["--min-confidence", "high", "--platform", "Signal"],
            ["--file", Binary.bundledCaptures[0]], ["--ja4", "t13d000000_000000000000_000000000000"],
        ]
        if let address = some("dst_ip") { filters.append(["--addr", address]) }
        if let address = some("src_ip"), let v4 = address.split(separator: ".").count == 4 ? address : nil {
            filters.append(["--addr", v4.split(separator: ".").prefix(3).joined(separator: ".") + ".0/24"])
        }
        for (option, dotted) in [("--service", "service"), ("--activity", "activity"), ("--sni", "tls.sni"), ("--dns", "dns_name"),
                                 ("--ja3", "tls.ja3"), ("--ja4", "tls.ja4"), ("--ja4s", "tls.ja4s"),
                                 ("--ja4x", "tls.certificates.ja4x"), ("--community-id", "community_id")] {
            if let value = some(dotted) { filters.append([option, value]) }
        }
        if let sni = some("tls.sni") { filters.append(["--sni", "*." + sni.split(separator: ".").suffix(2).joined(separator: ".")]) }
        if let dns = some("dns_name") { filters.append(["--dns", "." + String(dns.split(separator: ".").last!)]) }
        var nonEmpty = 0
        for filter in filters {
            let expected = try Binary.query(sqlite, filter)
            XCTAssertEqual(try Binary.query(url, filter), expected, filter.joined(separator: " "))
            if !expected.isEmpty { nonEmpty += 1 }
        }
        XCTAssertGreaterThan(nonEmpty, filters.count * 2 / 3, "most filters select something")
        XCTAssertEqual(try Binary.run(["case", "files", url]).lines.count, try Binary.run(["case", "files", sqlite]).lines.count)
    }

    /// A capture cut mid-record in a chain: recorded damaged with its error, its readable flows stored, the chain goes on.
    func testDamagedCaptureIsRecordedAndTheChainContinues() throws {
        let lab = try XCTUnwrap(Binary.bundledCaptures.first { $0.hasSuffix("lab-basic.pcap") })
        let data = try Data(contentsOf: URL(fileURLWithPath: lab))
        let cut = folder.appendingPathComponent("cut.pcap")
        try data.prefix(data.count * 2 / 3).write(to: cut)
        let good = try XCTUnwrap(Binary.bundledCaptures.first { $0.hasSuffix("lab-ssh.pcap") })
        try initCase(url)
        let result = try Binary.run(["case", "ingest", url, cut.path, good])
        XCTAssertEqual(result.status, 2, result.stderr)
        let files = try PostgresCaseFixture.sql(server, url, "SELECT status, error IS NOT NULL, error LIKE '%byte offset%' FROM files ORDER BY id")
        XCTAssertEqual(files, ["damaged|t|t", "ok|f|"])
        XCTAssertEqual(try Binary.query(url).sorted(), try Binary.analyze([cut.path, good]).sorted())
    }

    func testNotACaseAndNewerSchemaAreRefused() throws {
        try PostgresCaseFixture.sql(server, url, "CREATE TABLE customers (id int)")
        let notACase = try Binary.run(["case", "query", url])
        XCTAssertEqual(notACase.status, 1)
        XCTAssertTrue(notACase.stderr.contains("not a cipherscope case"), notACase.stderr)

        let newer = try PostgresCaseFixture.newDatabase(server)
        try initCase(newer)
        XCTAssertEqual(try Binary.run(["case", "init", newer]).status, 1, "a second init on a case is refused")
        try PostgresCaseFixture.sql(server, newer, "UPDATE case_info SET schema_version = 99")
        let refused = try Binary.run(["case", "ingest", newer, Binary.bundledCaptures[0]])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("newer cipherscope"), refused.stderr)
        XCTAssertEqual(try PostgresCaseFixture.sql(server, newer, "SELECT count(*) FROM files"), ["0"])

        let unreachable = try Binary.run(["case", "query", "postgresql://nobody@127.0.0.1:1/none"])
        XCTAssertEqual(unreachable.status, 1)
        XCTAssertTrue(unreachable.stderr.contains("cannot connect"), unreachable.stderr)
    }

    static func text(_ line: String, _ dotted: String) -> String? {
        guard var value = try? JSONSerialization.jsonObject(with: Data(line.utf8)) else { return nil }
        for key in dotted.split(separator: ".") {
            if let list = value as? [Any] { guard let first = list.first else { return nil }; value = first }
            guard let object = value as? [String: Any], let next = object[String(key)] else { return nil }
            value = next
        }
        if let list = value as? [Any] { return list.first.map { "\($0)" } }
        return "\(value)"
    }
}
