import Foundation
import Testing

/// `cipherscope rules …` and `analyze --rules/--trust` on the template pack, as a
/// new user would run them, and on broken copies of it.
struct RulesCommandTests {
    static let template = Runner.packageRoot.appendingPathComponent("Rules/examples/template")

    func copyOfTemplate() throws -> URL {
        let folder = try Runner.scratch().appendingPathComponent("pack")
        try FileManager.default.copyItem(at: Self.template, to: folder)
        return folder
    }

    @Test func templateLintsAndItsTestsPass() throws {
        let lint = try Runner.run(["rules", "lint", Self.template.path])
        #expect(lint.status == 0, "\(lint.stdout)\(lint.stderr)")
        #expect(lint.stderr.contains("0 errors"))
        let test = try Runner.run(["rules", "test", Self.template.path])
        #expect(test.status == 0, "\(test.stdout)")
        #expect(test.stdout.contains(" passed, 0 failed"))
        let list = try Runner.run(["rules", "list", "--rules", Self.template.path])
        #expect(list.stdout.contains("case-front-door-sni"))
        let show = try Runner.run(["rules", "show", "case-server-addresses", "--rules", Self.template.path])
        #expect(show.status == 0 && show.stdout.contains("platform: ExampleMessenger"))
    }

    @Test func labelsComeWithTheirEvidence() throws {
        // encap-ethernet.pcap talks to 203.0.113.x (documentation addresses), as the template's worked example does.
        let capture = Runner.packageRoot.appendingPathComponent("Captures/crafted/encap-ethernet.pcap").path
        let result = try Runner.run(["analyze", "--format", "jsonl", "--rules", Self.template.path, capture])
        #expect(result.status == 0, "\(result.stderr)")
        let labelled = result.flows.filter { $0["platform"] as? String == "ExampleMessenger" }
        #expect(!labelled.isEmpty)
        for flow in labelled {
            #expect(flow["rules"] as? [String] == ["case-server-addresses"])
            let evidence = try #require(flow["evidence"] as? [[String: Any]])
            #expect(evidence.contains { $0["field"] as? String == "dst_ip" && $0["rule"] as? String == "case-server-addresses" })
            #expect(flow["confidence"] as? String == "medium")
            #expect(flow["activity"] != nil)
        }
        #expect(result.stderr.contains("ExampleMessenger:"))
    }

    @Test func brokenPacksGiveThePreciseErrorAndDoNotLoad() throws {
        // Bad YAML: an unclosed flow mapping.
        let badYAML = try copyOfTemplate()
        let rulesFile = badYAML.appendingPathComponent("rules/case-servers.yaml")
        var text = try String(contentsOf: rulesFile, encoding: .utf8)
        text = text.replacingOccurrences(of: "tls.sni: {suffix: {list: case-domains.txt}}", with: "tls.sni: {suffix: {list: case-domains.txt}")
        try text.write(to: rulesFile, atomically: true, encoding: .utf8)
        let lint = try Runner.run(["rules", "lint", badYAML.path])
        #expect(lint.status == 1)
        #expect(lint.stdout.contains("case-servers.yaml:"), "\(lint.stdout)")
        let analyze = try Runner.run(["analyze", "--rules", badYAML.path, "--format", "jsonl", Runner.labCapture.path])
        #expect(analyze.status == 1)
        #expect(analyze.stderr.contains("case-servers.yaml:"))

        // An unknown field, reported with line and column.
        let unknown = try copyOfTemplate()
        let unknownFile = unknown.appendingPathComponent("rules/case-servers.yaml")
        text = try String(contentsOf: unknownFile, encoding: .utf8)
        text = text.replacingOccurrences(of: "tls.sni: {suffix: {list: case-domains.txt}}", with: "tls.snii: {suffix: {list: case-domains.txt}}")
        try text.write(to: unknownFile, atomically: true, encoding: .utf8)
        let unknownLint = try Runner.run(["rules", "lint", unknown.path])
        #expect(unknownLint.status == 1)
        #expect(unknownLint.stdout.range(of: #"case-servers\.yaml:\d+:\d+: error: .*tls\.snii"#, options: .regularExpression) != nil, "\(unknownLint.stdout)")

        // A duplicate rule id.
        let duplicate = try copyOfTemplate()
        let duplicateFile = duplicate.appendingPathComponent("rules/case-servers.yaml")
        text = try String(contentsOf: duplicateFile, encoding: .utf8)
        text = text.replacingOccurrences(of: "5b0e9a0c-3f7e-4c1a-9e55-0a6d2f1c7b02", with: "5b0e9a0c-3f7e-4c1a-9e55-0a6d2f1c7b01")
        try text.write(to: duplicateFile, atomically: true, encoding: .utf8)
        let duplicateLint = try Runner.run(["rules", "lint", duplicate.path])
        #expect(duplicateLint.status == 1)
        #expect(duplicateLint.stdout.contains("5b0e9a0c-3f7e-4c1a-9e55-0a6d2f1c7b01"))
    }

    @Test func signedPacksVerifyAndTamperingIsRefused() throws {
        let pack = try copyOfTemplate()
        let keys = pack.deletingLastPathComponent()
        let privateKey = keys.appendingPathComponent("signer.key").path
        let publicKey = keys.appendingPathComponent("signer.pub").path
        #expect(try Runner.run(["rules", "keygen", "--private-key", privateKey, "--public-key", publicKey]).status == 0)
        #expect(try Runner.run(["rules", "sign", pack.path, "--key", privateKey]).status == 0)
        let verified = try Runner.run(["rules", "verify", pack.path, "--trust", publicKey])
        #expect(verified.status == 0, "\(verified.stderr)")
        #expect(try Runner.run(["analyze", "--rules", pack.path, "--trust", publicKey, "--format", "jsonl", Runner.labCapture.path]).status == 0)

        // One byte changed after signing: refused, naming the file.
        let list = pack.appendingPathComponent("lists/case-domains.txt")
        try (try String(contentsOf: list, encoding: .utf8) + "evil.example\n").write(to: list, atomically: true, encoding: .utf8)
        let tampered = try Runner.run(["rules", "verify", pack.path, "--trust", publicKey])
        #expect(tampered.status == 1)
        #expect(tampered.stderr.contains("case-domains.txt") && tampered.stderr.contains("tampered"))
        let refused = try Runner.run(["analyze", "--rules", pack.path, "--trust", publicKey, "--format", "jsonl", Runner.labCapture.path])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("tampered"))

        // Another key is not trusted.
        let otherPrivate = keys.appendingPathComponent("other.key").path, otherPublic = keys.appendingPathComponent("other.pub").path
        _ = try Runner.run(["rules", "keygen", "--private-key", otherPrivate, "--public-key", otherPublic])
        #expect(try Runner.run(["rules", "verify", pack.path, "--trust", otherPublic]).status == 1)
    }
}
