import Foundation
import Testing

/// `cipherscope report` without a browser: refusals (one line, exit 1, no file) and
/// what the written HTML holds.
struct ReportCommandTests {
    static let lab = Tools.captures.appendingPathComponent("lab-basic.pcap").path

    /// Runs a report that must be refused: exit 1, one line on standard error naming
    /// `problem`, and no report (nor any other file) in the folder.
    static func expectRefused(_ arguments: [String], _ problem: String) throws {
        let scratch = try Tools.scratch()
        let output = scratch.appendingPathComponent("report.html")
        let before = try FileManager.default.contentsOfDirectory(atPath: scratch.path)
        let result = try Tools.run(["report"] + arguments.map { $0.replacingOccurrences(of: "SCRATCH", with: scratch.path) } + ["-o", output.path])
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains(problem), "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path) == before)
    }

    @Test func unknownLanguage() throws {
        try Self.expectRefused([Self.lab, "--lang", "de"], "unknown language 'de' (known: en, es, pt, fr)")
    }

    @Test func missingKeyFile() throws {
        try Self.expectRefused([Self.lab, "--pseudonymise", "/nonexistent/key.hex"], "pseudonymisation key /nonexistent/key.hex: cannot open")
    }

    @Test func malformedKeyFile() throws {
        let folder = try Tools.scratch()
        let key = folder.appendingPathComponent("short.key")
        try "0123abcd\n".write(to: key, atomically: true, encoding: .utf8)
        try Self.expectRefused([Self.lab, "--pseudonymise", key.path], "expected exactly 64 hex digits")
    }

    @Test func emptySelection() throws {
        try Self.expectRefused([Self.lab, "--platform", "NoSuchPlatform"], "no flow matches the selection (--platform NoSuchPlatform); nothing written")
        try Self.expectRefused([Self.lab, "--from", "2030-01-01", "--manifest", "SCRATCH/m.json"], "no flow matches the selection")
    }

    @Test func badTime() throws {
        let result = try Tools.run(["report", Self.lab, "--until", "yesterday", "-o", "/dev/null"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("--until 'yesterday': expected a UTC time"))
    }

    @Test func selectionByPlatformAndTime() throws {
        let scratch = try Tools.scratch()
        let html = try Tools.report([Self.lab, "--platform", "signal", "--until", "2100-01-01T00:00:00Z", "--lang", "es"], in: scratch)
        let text = try String(contentsOf: html, encoding: .utf8)
        #expect(Set(Tools.texts(text, class: "platform-name")) == ["Signal"])
        #expect(text.contains("--platform signal --until 2100-01-01T00:00:00.000000Z"))
        #expect(text.contains("Todas las horas se expresan en Tiempo Universal Coordinado"))
    }

    @Test func pseudonymisedReportShowsNoCapturedAddress() throws {
        let scratch = try Tools.scratch()
        let key = scratch.appendingPathComponent("wg.key")
        try String(repeating: "5a", count: 32).write(to: key, atomically: true, encoding: .utf8)
        let plain = try String(contentsOf: try Tools.report([Self.lab], in: scratch, name: "plain.html"), encoding: .utf8)
        let mapped = try String(contentsOf: try Tools.report([Self.lab, "--pseudonymise", key.path], in: scratch, name: "mapped.html"), encoding: .utf8)
        // The lab's address (loopback) appears in the plain report only.
        #expect(plain.contains("127.0.0.1"))
        #expect(!mapped.contains("127.0.0.1"))
        let keyID = Tools.texts(mapped, class: "mono\" id=\"pseudonymisation-key")
        #expect(keyID.count == 1 && keyID.first?.count ?? 0 >= 8, "\(keyID)")
        // Same flows, same platforms.
        #expect(Tools.texts(mapped, class: "platform-name") == Tools.texts(plain, class: "platform-name"))
    }

    @Test func existingReportIsKeptWithoutForce() throws {
        let scratch = try Tools.scratch()
        let output = scratch.appendingPathComponent("report.html")
        try "keep".write(to: output, atomically: true, encoding: .utf8)
        let result = try Tools.run(["report", Self.lab, "-o", output.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("already exists"))
        #expect(try String(contentsOf: output, encoding: .utf8) == "keep")
    }
}
