import Foundation
import TestSupport
import XCTest

/// Scale-out: chains queued on one PostgreSQL case, two `cipherscope worker`
/// processes (as two machines would run them), one SIGKILLed while it holds a unit
/// with its flows written but not committed. The other redoes that unit once the
/// lease runs out: every flow is stored exactly once, as a single-machine ingest stores them.
final class WorkerTests: XCTestCase {
    var server: PostgresServer!
    var folder: URL!

    override class func tearDown() { PostgresCaseFixture.stop() }

    override func setUpWithError() throws {
        server = try PostgresCaseFixture.shared()
        folder = try Binary.scratch()
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    /// The chains: each bundled capture alone, and the peer captures (when present) in chains of six.
    var chains: [[String]] {
        var chains = Binary.bundledCaptures.map { [$0] }
        if let peers = Binary.peerCaptures {
            chains += stride(from: 0, to: peers.count, by: 6).map { Array(peers[$0..<min($0 + 6, peers.count)]) }
        }
        return chains
    }

    func newCase() throws -> String {
        let url = try PostgresCaseFixture.newDatabase(server)
        let result = try Binary.run(["case", "init", url])
        XCTAssertEqual(result.status, 0, result.stderr)
        return url
    }

    /// Per file (by hash): its chain and its flows' pointers and records, sorted; and the flow count.
    func content(_ url: String) throws -> (files: [String], flows: [String]) {
        let files = try PostgresCaseFixture.sql(server, url, "SELECT sha256, size, packets, status, chain FROM files ORDER BY sha256")
        let flows = try PostgresCaseFixture.sql(server, url, """
            SELECT f.sha256, l.first_frame, l.first_offset, md5(l.record) FROM flows l JOIN files f ON f.id = l.file_id \
            ORDER BY 1, 2, 4
            """)
        return (files, flows)
    }

    func testKilledWorkerUnitIsRedoneOnceByTheOther() throws {
        let reference = try newCase()
        for chain in chains {
            let result = try Binary.run(["case", "ingest", "-q", reference] + chain)
            XCTAssert(result.status == 0 || result.status == 2, result.stderr)
        }
        let expected = try content(reference)
        XCTAssertFalse(expected.flows.isEmpty)

        let url = try newCase()
        for chain in chains {
            let result = try Binary.run(["case", "ingest", "--queue", url] + chain)
            XCTAssertEqual(result.status, 0, result.stderr)
        }
        let requeued = try Binary.run(["case", "ingest", "--queue", url] + chains[0])
        XCTAssertTrue(requeued.stderr.contains("already queued"), requeued.stderr)

        // Worker A holds each finished unit 60 s before its commit: it is killed while holding the first.
        let victim = try Binary.start(["worker", url, "--lease-seconds", "3"],
                                      environment: ["CIPHERSCOPE_WORKER_HOLD_SECONDS": "60"],
                                      log: folder.appendingPathComponent("a.log"))
        let claimed = try waitFor(seconds: 60) {
            try PostgresCaseFixture.sql(self.server, url, "SELECT id FROM work_units WHERE state = 'claimed'").first
        }
        let unit = try XCTUnwrap(claimed, "worker A never claimed a unit")
        // Its flows are in its open transaction, not visible, and the unit stays claimed.
        let heldFlows = try waitFor(seconds: 60) { () -> String? in
            let state = try PostgresCaseFixture.sql(self.server, url, """
                SELECT state FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'
                """)
            return state.isEmpty ? nil : "held"
        }
        XCTAssertEqual(heldFlows, "held", "worker A should be holding an open ingest transaction")
        let survivor = try Binary.start(["worker", url, "--until-idle", "--lease-seconds", "3", "--poll-seconds", "0.2"],
                                        log: folder.appendingPathComponent("b.log"))
        kill(victim.processIdentifier, SIGKILL)
        victim.waitUntilExit()
        XCTAssertEqual(victim.terminationReason, .uncaughtSignal)

        let finished = try waitFor(seconds: 240) { survivor.isRunning ? nil : true }
        if finished == nil { survivor.terminate() }
        survivor.waitUntilExit()
        let log = (try? String(contentsOf: folder.appendingPathComponent("b.log"), encoding: .utf8)) ?? ""
        XCTAssertEqual(survivor.terminationStatus, 0, log)

        let states = try PostgresCaseFixture.sql(server, url, "SELECT id, state, attempts FROM work_units ORDER BY id")
        XCTAssertEqual(states.count, chains.count)
        XCTAssertTrue(states.allSatisfy { $0.contains("|done|") }, states.joined(separator: "\n"))
        XCTAssertTrue(states.contains("\(unit)|done|2"), "the killed worker's unit was redone: \(states)")
        let stored = try content(url)
        XCTAssertEqual(stored.flows.count, expected.flows.count)
        XCTAssertEqual(stored.flows, expected.flows)
        XCTAssertEqual(stored.files.count, expected.files.count)
        let duplicates = try PostgresCaseFixture.sql(server, url, """
            SELECT count(*) FROM (SELECT file_id, first_frame, record FROM flows GROUP BY 1, 2, 3 HAVING count(*) > 1) d
            """)
        XCTAssertEqual(duplicates, ["0"])
    }

    func testWorkerRefusesAnSQLiteCase() throws {
        let result = try Binary.run(["worker", folder.appendingPathComponent("case.db").path, "--until-idle"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("PostgreSQL"), result.stderr)
        let queued = try Binary.run(["case", "ingest", "--queue", folder.appendingPathComponent("case.db").path, Binary.bundledCaptures[0]])
        XCTAssertEqual(queued.status, 1)
    }

    /// Polls `probe` every 100 ms until it returns a value or `seconds` pass (a bound, not a measurement).
    func waitFor<T>(seconds: Double, _ probe: () throws -> T?) throws -> T? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let value = try probe() { return value }
            usleep(100_000)
        }
        return nil
    }
}
