import Cases
import Foundation
import XCTest

/// `case ingest` against `analyze`: the same records per file, idempotent re-ingest,
/// a killed ingest that leaves nothing behind, damaged captures, refused databases.
final class CaseIngestTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws { folder = try CaseRunner.scratch() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func newCase(_ name: String = "case.db") throws -> String {
        let path = folder.appendingPathComponent(name).path
        let result = try CaseRunner.run(["case", "init", path, "--case-id", "T-1", "--operator", "tests", "--tlp", "amber"])
        XCTAssertEqual(result.status, 0, result.stderr)
        return path
    }

    func analyze(_ paths: [String]) throws -> [String] {
        let result = try CaseRunner.run(["analyze", "--format", "jsonl", "-q"] + paths)
        XCTAssert(result.status == 0 || result.status == 2, result.stderr)
        return result.lines
    }

    func query(_ casePath: String, _ filters: [String] = []) throws -> [String] {
        let result = try CaseRunner.run(["case", "query", casePath, "--format", "jsonl"] + filters)
        XCTAssertEqual(result.status, 0, result.stderr)
        return result.lines
    }

    /// Everything a case holds but the ingest times: files and, per flow, file, frame and record.
    func dump(_ casePath: String) throws -> [String] {
        let store = try SQLiteCaseStore.open(.sqlite(path: casePath))
        defer { store.close() }
        var lines = try store.files().map { file in
            "file \(file.id) \(file.sha256) \(file.size) \(file.path) \(file.firstPacket ?? -1) \(file.lastPacket ?? -1) \(file.packets) \(file.status) \(file.error ?? "") \(file.chain) \(file.flows)"
        }
        try store.flows(matching: FlowQuery()) { lines.append("flow \($0.fileID) \($0.firstFrame) \($0.record)") }
        return lines
    }

    func testBundledCapturesStoreWhatAnalyzeWritesAndReingestChangesNothing() throws {
        let casePath = try newCase()
        for capture in CaseRunner.bundledCaptures {
            let result = try CaseRunner.run(["case", "ingest", casePath, capture])
            XCTAssertEqual(result.status, 0, result.stderr)
        }
        for capture in CaseRunner.bundledCaptures {
            let stored = try query(casePath, ["--file", capture])
            XCTAssertFalse(stored.isEmpty, capture)
            XCTAssertEqual(stored.sorted(), try analyze([capture]).sorted(), capture)
        }
        let before = try dump(casePath)
        let again = try CaseRunner.run(["case", "ingest", casePath] + CaseRunner.bundledCaptures)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stderr.contains("already in the case"), again.stderr)
        XCTAssertEqual(try dump(casePath), before)

        let files = try CaseRunner.run(["case", "files", casePath])
        XCTAssertEqual(files.status, 0)
        XCTAssertEqual(files.lines.count, CaseRunner.bundledCaptures.count + 1)
        let summary = try CaseRunner.run(["case", "summary", casePath])
        XCTAssertEqual(summary.status, 0, summary.stderr)
        XCTAssertTrue(summary.stdout.contains("Signal"), summary.stdout)
    }

    /// The peer captures as one delivery chain: per file, the records `analyze` writes
    /// for that file in the same run.
    func testPeerCapturesAsOneChain() throws {
        guard let peers = CaseRunner.peerCaptures else { throw XCTSkip("../shared/captures/ndpi is absent: peer-capture case test skipped") }
        let casePath = try newCase()
        let result = try CaseRunner.run(["case", "ingest", "-q", casePath] + peers)
        XCTAssert(result.status == 0 || result.status == 2, result.stderr)
        let analyzed = try analyze(peers)
        var byFile: [String: [String]] = [:]
        for line in analyzed { byFile[Self.field(line, "source_file") as? String ?? "", default: []].append(line) }
        for peer in peers {
            XCTAssertEqual(try query(casePath, ["--file", peer]).sorted(), (byFile[peer] ?? []).sorted(), peer)
        }
        XCTAssertEqual(try query(casePath).count, analyzed.count)
    }

    func testKilledIngestRerunGivesTheCleanDatabase() throws {
        let big = folder.appendingPathComponent("repeated.pcap")
        try CaseRunner.repeated(CaseRunner.bundledCaptures.first { $0.hasSuffix("lab-basic.pcap") }!, copies: 1_500).write(to: big)
        let second = folder.appendingPathComponent("second.pcap")
        try CaseRunner.repeated(CaseRunner.bundledCaptures.first { $0.hasSuffix("lab-quic.pcap") }!, copies: 100).write(to: second)

        let clean = try newCase("clean.db")
        XCTAssertEqual(try CaseRunner.run(["case", "ingest", "-q", "--chain", "d1", clean, big.path, second.path]).status, 0)

        let killed = try newCase("killed.db")
        let process = Process()
        process.executableURL = CaseRunner.binary
        process.arguments = ["case", "ingest", "-q", "--chain", "d1", killed, big.path, second.path]
        process.currentDirectoryURL = CaseRunner.packageRoot
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Kill once the ingest has been working for a while (half a second of CPU: its
        // transaction is open, its flows being stored), checked as it runs, not timed.
        while process.isRunning && CaseIngestTests.cpuTicks(of: process.processIdentifier) < 50 { usleep(2_000) }
        XCTAssertTrue(process.isRunning, "the ingest ended before it could be killed: make the input bigger")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal)

        XCTAssertEqual(try dump(killed).filter { $0.hasPrefix("flow") }.count, 0, "a killed ingest left flows behind")
        XCTAssertEqual(try CaseRunner.run(["case", "ingest", "-q", "--chain", "d1", killed, big.path, second.path]).status, 0)
        XCTAssertEqual(try dump(killed), try dump(clean))
        XCTAssertGreaterThan(try dump(clean).count, 10_000)
    }

    func testDamagedCaptureIsRecordedWithItsReadableFlowsAndTheChainContinues() throws {
        let lab = CaseRunner.bundledCaptures.first { $0.hasSuffix("lab-basic.pcap") }!
        let data = try Data(contentsOf: URL(fileURLWithPath: lab))
        let cut = folder.appendingPathComponent("cut.pcap")
        try data.prefix(data.count * 2 / 3).write(to: cut)
        let good = CaseRunner.bundledCaptures.first { $0.hasSuffix("lab-ssh.pcap") }!
        let casePath = try newCase()
        let result = try CaseRunner.run(["case", "ingest", casePath, cut.path, good])
        XCTAssertEqual(result.status, 2, result.stderr)

        let store = try SQLiteCaseStore.open(.sqlite(path: casePath))
        let files = try store.files()
        store.close()
        XCTAssertEqual(files.map(\.status), ["damaged", "ok"])
        XCTAssertTrue(files[0].error?.contains("byte offset") ?? false, files[0].error ?? "no error")
        XCTAssertGreaterThan(files[0].flows, 0)
        let analyzed = try analyze([cut.path, good])
        XCTAssertEqual(try query(casePath).sorted(), analyzed.sorted())
    }

    func testNotACaseAndNewerSchemaAreRefused() throws {
        let text = folder.appendingPathComponent("notes.txt")
        try Data("not a database at all, just words\n".utf8 + Data(repeating: 0x41, count: 4096)).write(to: text)
        let refused = try CaseRunner.run(["case", "files", text.path])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("not a cipherscope case"), refused.stderr)

        let other = folder.appendingPathComponent("other.db").path
        let sqlite = try OtherDatabase(path: other)
        try sqlite.execute("CREATE TABLE t (x INTEGER)")
        let foreign = try CaseRunner.run(["case", "query", other, "--format", "jsonl"])
        XCTAssertEqual(foreign.status, 1)
        XCTAssertTrue(foreign.stderr.contains("not a cipherscope case"), foreign.stderr)

        let casePath = try newCase()
        try OtherDatabase(path: casePath).execute("UPDATE case_info SET schema_version = \(CaseSchema.version + 1)")
        let newer = try CaseRunner.run(["case", "ingest", casePath, CaseRunner.bundledCaptures[0]])
        XCTAssertEqual(newer.status, 1)
        XCTAssertTrue(newer.stderr.contains("newer cipherscope"), newer.stderr)

        let missing = try CaseRunner.run(["case", "summary", folder.appendingPathComponent("nothing.db").path])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("no such case"), missing.stderr)
        XCTAssertEqual(try CaseRunner.run(["case", "init", casePath]).status, 1, "init over an existing case")
    }

    func testVerifyNamesAChangedFileAndReportsMissingOnes() throws {
        let copy = folder.appendingPathComponent("copy.pcap")
        try FileManager.default.copyItem(atPath: CaseRunner.bundledCaptures[0], toPath: copy.path)
        let moved = folder.appendingPathComponent("moved.pcap")
        try FileManager.default.copyItem(atPath: CaseRunner.bundledCaptures[1], toPath: moved.path)
        let casePath = try newCase()
        XCTAssertEqual(try CaseRunner.run(["case", "ingest", casePath, copy.path, moved.path]).status, 0)
        XCTAssertEqual(try CaseRunner.run(["case", "verify", casePath]).status, 0)

        try FileManager.default.removeItem(at: moved)
        let missing = try CaseRunner.run(["case", "verify", casePath])
        XCTAssertEqual(missing.status, 0, "a missing file is reported, not an error")
        XCTAssertTrue(missing.stdout.contains("missing  \(moved.path)"), missing.stdout)

        var bytes = try Data(contentsOf: copy)
        bytes[bytes.count - 1] ^= 0xFF
        try bytes.write(to: copy)
        let changed = try CaseRunner.run(["case", "verify", casePath])
        XCTAssertEqual(changed.status, 1)
        XCTAssertTrue(changed.stdout.contains("CHANGED  \(copy.path)"), changed.stdout)
    }

    /// User and system CPU time of a process, in clock ticks (/proc/PID/stat).
    static func cpuTicks(of pid: Int32) -> Int {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, utime 14, stime 15.
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return 0 }
        return user + system
    }

    static func field(_ line: String, _ dotted: String) -> Any? {
        var value: Any? = try? JSONSerialization.jsonObject(with: Data(line.utf8))
        for part in dotted.split(separator: ".") {
            if let list = value as? [Any] { value = list.first }
            value = (value as? [String: Any])?[String(part)]
        }
        if let list = value as? [Any] { return list.first }
        return value
    }
}
