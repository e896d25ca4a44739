import Foundation
import XCTest

/// `extract CASE`: the flows a case selects, cut from the delivered files it points to,
/// equal to the extract of the same captures; a changed or missing file is refused.
final class CaseExtractTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws { folder = try CaseRunner.scratch() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    static let tshark: String? = ["/usr/bin/tshark", "/usr/local/bin/tshark"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Copies of the lab captures in the scratch folder (the tests change them).
    func copies(_ names: [String]) throws -> [String] {
        try names.map { name in
            let copy = folder.appendingPathComponent(name)
            try FileManager.default.copyItem(at: CaseRunner.packageRoot.appendingPathComponent("Captures/\(name)"), to: copy)
            return copy.path
        }
    }

    func newCase(_ chains: [[String]]) throws -> String {
        let path = folder.appendingPathComponent("case.db").path
        XCTAssertEqual(try CaseRunner.run(["case", "init", path]).status, 0)
        for chain in chains {
            let result = try CaseRunner.run(["case", "ingest", path, "-q"] + chain)
            XCTAssertEqual(result.status, 0, result.stderr)
        }
        return path
    }

    /// Each packet's time, length and comment, as tshark reads the file.
    func packets(_ path: String) throws -> [String] {
        let tshark = try XCTUnwrap(Self.tshark)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tshark)
        process.arguments = ["-r", path, "-T", "fields", "-e", "frame.time_epoch", "-e", "frame.len", "-e", "frame.comment"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    func extract(_ arguments: [String], to name: String) throws -> (CaseRunner.Result, String) {
        let output = folder.appendingPathComponent(name).path
        return (try CaseRunner.run(["extract"] + arguments + ["-o", output]), output)
    }

    func testCaseExtractEqualsTheCapturesExtract() throws {
        try XCTSkipIf(Self.tshark == nil, "tshark not installed: the extracts are read back with it")
        let inputs = try copies(["lab-basic.pcap", "lab-quic.pcap", "lab-tls-keyshare.pcap"])
        let casePath = try newCase([inputs])
        for selection in [["--platform", "Signal"], ["--platform", "WhatsApp", "--sni", "whatsapp.net"], ["--flow", "1"]] {
            let (fromCase, caseOutput) = try extract([casePath] + selection, to: "case.pcapng")
            XCTAssertEqual(fromCase.status, 0, fromCase.stderr)
            let (fromCaptures, capturesOutput) = try extract(inputs + selection, to: "captures.pcapng")
            XCTAssertEqual(fromCaptures.status, 0, fromCaptures.stderr)
            let packets = try self.packets(caseOutput)
            XCTAssertFalse(packets.isEmpty, "\(selection)")
            XCTAssertEqual(packets, try self.packets(capturesOutput), "\(selection)")
            try FileManager.default.removeItem(atPath: caseOutput)
            try FileManager.default.removeItem(atPath: capturesOutput)
        }
    }

    func testFlowIDsAreNamedWithinADeliveryChain() throws {
        let inputs = try copies(["lab-basic.pcap", "lab-tcp.pcap"])
        let casePath = try newCase([[inputs[0]], [inputs[1]]])
        let (ambiguous, output) = try extract([casePath, "--flow", "1"], to: "one.pcapng")
        XCTAssertEqual(ambiguous.status, 1)
        XCTAssert(ambiguous.stderr.contains("2 delivery chains") && ambiguous.stderr.contains("--chain"), ambiguous.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
        let files = try CaseRunner.run(["case", "files", casePath]).lines
        let chain = try XCTUnwrap(files.first { $0.contains("lab-tcp.pcap") }?.split(separator: " ", omittingEmptySubsequences: true)
            .first { $0.hasPrefix("chain-") })
        let (chosen, _) = try extract([casePath, "--flow", "1", "--chain", String(chain)], to: "one.pcapng")
        XCTAssertEqual(chosen.status, 0, chosen.stderr)
        XCTAssert(chosen.stderr.contains("of 1 flows"), chosen.stderr)
    }

    func testAChangedOrMissingDeliveredFileIsRefused() throws {
        let inputs = try copies(["lab-basic.pcap", "lab-quic.pcap"])
        let casePath = try newCase([inputs])
        // One byte of a packet's payload changed: same size, other SHA-256.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: inputs[1]))
        bytes[bytes.count - 1] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: inputs[1]))
        let (changed, output) = try extract([casePath, "--platform", "Signal"], to: "out.pcapng")
        XCTAssertEqual(changed.status, 1)
        XCTAssert(changed.stderr.contains("\(inputs[1]): changed since ingest"), changed.stderr)
        XCTAssertEqual(changed.stderr.split(separator: "\n").count, 1, changed.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))

        try FileManager.default.removeItem(atPath: inputs[1])
        let (missing, _) = try extract([casePath, "--platform", "Signal"], to: "out.pcapng")
        XCTAssertEqual(missing.status, 1)
        XCTAssert(missing.stderr.contains("\(inputs[1]): cannot read the delivered file"), missing.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
    }

    func testEmptySelectionWritesNothing() throws {
        let casePath = try newCase([try copies(["lab-basic.pcap"])])
        let (empty, output) = try extract([casePath, "--platform", "NoSuchPlatform"], to: "out.pcapng")
        XCTAssertEqual(empty.status, 1)
        XCTAssert(empty.stderr.contains("no flow of the case matches the selection"), empty.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
    }

    /// tshark's fields for each packet, tab-separated.
    func fields(_ path: String, _ names: [String], options: [String] = []) throws -> [String] {
        let tshark = try XCTUnwrap(Self.tshark)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tshark)
        process.arguments = ["-r", path] + options + ["-T", "fields"] + names.flatMap { ["-e", $0] }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// What must survive a pseudonymised round trip: tuple, Community ID, label, counts.
    static func flowFacts(_ lines: [String]) -> [String] {
        lines.map { line in
            ["community_id", "src_ip", "src_port", "dst_ip", "dst_port", "platform", "packets_c2s", "packets_s2c", "bytes_c2s", "bytes_s2c"]
                .map { "\(CaseIngestTests.field(line, $0) ?? "-")" }.joined(separator: " ")
        }.sorted()
    }

    func testPseudonymisedExtractHasValidChecksumsAndReanalysesAsAnalyzePseudonymised() throws {
        try XCTSkipIf(Self.tshark == nil, "tshark not installed: the checksums are checked with it")
        let inputs = try copies(["lab-basic.pcap", "lab-quic.pcap", "lab-tls-keyshare.pcap", "lab-tcp.pcap"])
        let casePath = try newCase([inputs])
        let key = folder.appendingPathComponent("key").path
        try "2b7e151628aed2a6abf7158809cf4f3c762e7160f38b4da56a784d9045190cfe\n".write(toFile: key, atomically: true, encoding: .utf8)
        for platform in ["Signal", "WhatsApp", "Telegram"] {
            let (result, output) = try extract([casePath, "--platform", platform, "--pseudonymise", key], to: "\(platform).pcapng")
            XCTAssertEqual(result.status, 0, result.stderr)
            // Every IP, TCP and UDP checksum verified good (status 1); the originals (loopback, offloaded) are not.
            let checks = ["-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE"]
            let statuses = try fields(output, ["ip.checksum.status", "tcp.checksum.status", "udp.checksum.status"], options: checks)
            XCTAssertFalse(statuses.isEmpty)
            for line in statuses { XCTAssert(line.split(separator: "\t").allSatisfy { $0 == "1" }, "\(platform): \(line)") }
            let original = try fields(inputs[0], ["tcp.checksum.status"], options: checks)
            XCTAssertFalse(original.allSatisfy { $0 == "1" }, "the loopback capture's offloaded checksums were expected bad")
            // No real address left in the packets.
            let addresses = Set(try fields(output, ["ip.src", "ip.dst", "ipv6.src", "ipv6.dst"]).flatMap { $0.split(separator: "\t").map(String.init) })
            for real in ["127.0.0.1", "10.99.7.1", "10.99.7.2"] { XCTAssertFalse(addresses.contains(real), "\(platform): \(real)") }
            // Re-analysed: the flows analyze --pseudonymise reports for the platform.
            let reanalysed = try CaseRunner.run(["analyze", "--format", "jsonl", "-q", output]).lines
            let expected = try CaseRunner.run(["analyze", "--format", "jsonl", "-q", "--pseudonymise", key] + inputs).lines
                .filter { CaseIngestTests.field($0, "platform") as? String == platform }
            XCTAssertFalse(expected.isEmpty)
            XCTAssertEqual(Self.flowFacts(reanalysed), Self.flowFacts(expected), platform)
        }
        let (missing, output) = try extract([casePath, "--platform", "Signal", "--pseudonymise", key + ".absent"], to: "none.pcapng")
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.stderr.split(separator: "\n").count, 1, missing.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
    }
}
