import Foundation
import Testing

/// `report CASE`: the report of a case's stored flows shows what the report of the
/// same captures shows (platforms, labels, calls), with the case's custody facts.
@Suite(.enabled(if: Tools.chromium != nil, "headless Chromium not installed (apt-get install chromium): the browser tests are skipped"))
struct CaseReportTests {
    /// A case holding `inputs` as one delivery chain.
    static func newCase(_ inputs: [URL], in scratch: URL) throws -> String {
        let path = scratch.appendingPathComponent("case.db").path
        let created = try Tools.run(["case", "init", path, "--case-id", "WG-2026/021", "--operator", "Inês Costa", "--tlp", "amber"])
        #expect(created.status == 0, "\(created.stderr)")
        let ingested = try Tools.run(["case", "ingest", path, "-q"] + inputs.map(\.path))
        #expect(ingested.status == 0, "\(ingested.stderr)")
        return path
    }

    /// What both reports must show alike: the sections drawn from the flows, as multisets
    /// (the evidence section lists flows as they arrive: in the order analysis ends them,
    /// in first_seen order from a case).
    static func flowSections(_ dom: String) -> [String: [String]] {
        var sections: [String: [String]] = [:]
        for name in ["platform-name", "label-platform", "call-platform", "call-kind", "server-name", "bar", "bar call"] {
            sections[name] = Tools.texts(dom, class: name).sorted()
        }
        return sections
    }

    @Test func caseReportShowsTheCapturesReportAndTheCaseCustody() throws {
        let scratch = try Tools.scratch()
        let inputs = Tools.labCaptures
        let casePath = try Self.newCase(inputs, in: scratch)
        let fromCase = try Tools.dom(try Tools.report([casePath], in: scratch, name: "case.html"))
        let fromCaptures = try Tools.dom(try Tools.report(inputs.map(\.path), in: scratch, name: "captures.html"))
        #expect(Self.flowSections(fromCase) == Self.flowSections(fromCaptures))
        let platforms = Set(Tools.texts(fromCase, class: "platform-name"))
        #expect(platforms == Set(Tools.texts(fromCaptures, class: "platform-name")))
        #expect(platforms.isSuperset(of: ["Signal", "Telegram", "WhatsApp", "XMPP"]))
        // Custody from the case: its id, operator and marking; every file's SHA-256 as sha256sum gives it.
        #expect(fromCase.contains(">WG-2026/021<") && fromCase.contains(">Inês Costa<"))
        #expect(Tools.texts(fromCase, class: "marking tlp-amber") == ["TLP:AMBER"])
        let shown = Tools.texts(fromCase, class: "mono sha256")
        #expect(shown.count == inputs.count)
        for input in inputs { #expect(shown.contains(try Tools.sha256sum(input)), "\(input.lastPathComponent)") }
        #expect(!fromCase.contains("<script"))
    }

    @Test func selectionAndPseudonymisationApplyAsOnCaptures() throws {
        let scratch = try Tools.scratch()
        let inputs = Tools.labCaptures
        let casePath = try Self.newCase(inputs, in: scratch)
        let key = scratch.appendingPathComponent("key")
        try String(repeating: "5a", count: 32).write(to: key, atomically: true, encoding: .utf8)
        let options = ["--platform", "Signal", "--pseudonymise", key.path]
        let fromCase = try Tools.dom(try Tools.report([casePath] + options, in: scratch, name: "case.html"))
        let fromCaptures = try Tools.dom(try Tools.report(inputs.map(\.path) + options, in: scratch, name: "captures.html"))
        #expect(Self.flowSections(fromCase) == Self.flowSections(fromCaptures))
        #expect(Tools.texts(fromCase, class: "platform-name") == ["Signal"])
        #expect(!fromCase.contains("127.0.0.1") && !fromCase.contains("10.99.7.1"))
    }

    @Test(.enabled(if: Tools.peerCaptures != nil, "needs ../shared/captures/ndpi beside the clone"))
    func peerCallsFromACase() throws {
        let folder = try #require(Tools.peerCaptures)
        let inputs = ["stun_signal.pcapng", "stun_wa_call.pcapng", "telegram_videocall.pcapng", "wa_voice.pcap"].map { folder.appendingPathComponent($0) }
        let scratch = try Tools.scratch()
        let casePath = try Self.newCase(inputs, in: scratch)
        let fromCase = try Tools.dom(try Tools.report([casePath], in: scratch, name: "case.html"))
        let fromCaptures = try Tools.dom(try Tools.report(inputs.map(\.path), in: scratch, name: "captures.html"))
        #expect(Tools.texts(fromCase, class: "call-platform").count >= 5)
        #expect(Self.flowSections(fromCase) == Self.flowSections(fromCaptures))
    }

    @Test func emptySelectionOrNotACaseWritesNothing() throws {
        let scratch = try Tools.scratch()
        let casePath = try Self.newCase([Tools.labCaptures[0]], in: scratch)
        let output = scratch.appendingPathComponent("none.html")
        let empty = try Tools.run(["report", casePath, "--platform", "NoSuchPlatform", "-o", output.path])
        #expect(empty.status == 1 && empty.stderr.contains("no flow matches the selection"), "\(empty.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output.path))
        // An SQLite file that is not a case: one clear error, nothing written.
        let other = scratch.appendingPathComponent("other.db")
        try Data("SQLite format 3\u{0}".utf8 + [UInt8](repeating: 0, count: 84)).write(to: other)
        let refused = try Tools.run(["report", other.path, "-o", output.path])
        #expect(refused.status == 1 && refused.stderr.contains("not a cipherscope case"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }
}
