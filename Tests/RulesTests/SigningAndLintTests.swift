import Foundation
import Testing
@testable import Rules

@Suite struct SigningTests {
    func signedPack() throws -> (TempPack, SigningKey) {
        let pack = try TempPack(rules: ruleYAML("r", id: 1, match: "      tls.sni: {suffix: {list: d.txt}}"), extra: ["lists/d.txt": "example.net\n"])
        let key = PackKeys.generate()
        let report = try PackSigner.sign(packPath: pack.path, privateKey: key)
        #expect(report.files == ["lists/d.txt", "rules/rules.yaml"])
        return (pack, key)
    }

    @Test func signThenVerify() throws {
        let (pack, key) = try signedPack()
        defer { pack.remove() }
        let report = try PackVerifier.verify(packPath: pack.path, trustedKeys: [key.publicKey])
        #expect(report.packID == "org.example.test" && report.files == 2 && report.key == key.publicKey)
        // The pinned manifest still loads and lints without file warnings.
        #expect(try RulePack.load(path: pack.path).manifest.files.count == 2)
        let manifest = try String(contentsOfFile: pack.file("pack.yaml"), encoding: .utf8)
        #expect(manifest.hasPrefix("id: org.example.test") && manifest.contains("  - path: lists/d.txt\n    sha256: "))
    }

    @Test func tamperedFileIsNamed() throws {
        let (pack, key) = try signedPack()
        defer { pack.remove() }
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: pack.file("lists/d.txt"))))
        bytes[0] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: pack.file("lists/d.txt")))
        do { try PackVerifier.verify(packPath: pack.path, trustedKeys: [key.publicKey]); Issue.record("verified") } catch {
            #expect(error.file.hasSuffix("lists/d.txt") && error.message.hasPrefix("tampered"))
        }
    }

    @Test func manifestExtraAndMissingFiles() throws {
        let (pack, key) = try signedPack()
        defer { pack.remove() }
        try pack.write("lists/extra.txt", "x\n")
        do { try PackVerifier.verify(packPath: pack.path, trustedKeys: [key.publicKey]); Issue.record("verified") } catch {
            #expect(error.file.hasSuffix("lists/extra.txt") && error.message.hasPrefix("extra file"))
        }
        try FileManager.default.removeItem(atPath: pack.file("lists/extra.txt"))
        try FileManager.default.removeItem(atPath: pack.file("lists/d.txt"))
        do { try PackVerifier.verify(packPath: pack.path, trustedKeys: [key.publicKey]); Issue.record("verified") } catch {
            #expect(error.file.hasSuffix("lists/d.txt") && error.message.hasPrefix("missing"))
        }
        // A changed manifest breaks the signature.
        let manifest = try String(contentsOfFile: pack.file("pack.yaml"), encoding: .utf8)
        try pack.write("pack.yaml", manifest.replacingOccurrences(of: "tlp: green", with: "tlp: clear"))
        do { try PackVerifier.verify(packPath: pack.path, trustedKeys: [key.publicKey]); Issue.record("verified") } catch {
            #expect(error.message.contains("manifest was changed after signing"))
        }
    }

    @Test func wrongKeyAndUnsigned() throws {
        let (pack, _) = try signedPack()
        defer { pack.remove() }
        let other = PackKeys.generate().publicKey
        do { try PackVerifier.verify(packPath: pack.path, trustedKeys: [other]); Issue.record("verified") } catch {
            #expect(error.message.hasPrefix("signed by untrusted key"))
        }
        try FileManager.default.removeItem(atPath: pack.file("pack.sig"))
        do { try PackVerifier.verify(packPath: pack.path, trustedKeys: [other]); Issue.record("verified") } catch {
            #expect(error.message.hasPrefix("unsigned pack"))
        }
    }

    @Test func keyFilesRoundTrip() throws {
        let dir = try TempPack([:])
        defer { dir.remove() }
        let publicKey = try PackKeys.generateFiles(privateKeyPath: dir.file("signing.key"), publicKeyPath: dir.file("signing.pub"))
        let privateKey = try PackKeys.readPrivateKey(path: dir.file("signing.key"))
        #expect(privateKey.publicKey == publicKey)
        #expect(try PackKeys.readPublicKeys(path: dir.file("signing.pub")) == [publicKey])
        let mode = try FileManager.default.attributesOfItem(atPath: dir.file("signing.key"))[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(Base64.decode(Base64.encode([1, 2, 3, 4, 5])) == [1, 2, 3, 4, 5] && Base64.encode([0xFF]) == "/w==")
    }
}

@Suite struct LintTests {
    func lint(_ rules: String, extra: [String: String] = [:]) throws -> [Diagnostic] {
        let pack = try TempPack(rules: rules, extra: extra)
        defer { pack.remove() }
        return RuleLinter.lint(paths: [pack.path]).map {
            var d = $0
            d.file = String(d.file.dropFirst(pack.path.count + 1))
            return d
        }
    }

    let metadata = "    description: d\n    references: [r]\n    created: 2026-01-01\n    modified: 2026-01-01\n    last_checked: 2026-01-01\n"

    @Test func collectsEveryErrorWithPlaces() throws {
        let rules = ruleYAML("a", id: 1, match: "      tls.snii: {exact: x}", extra: metadata)
            + ruleYAML("b", id: 2, match: "      tls.sni: {sufix: x}", extra: metadata)
            + ruleYAML("c", id: 2, match: "      dst_port: {exact: 1}", extra: metadata)
            + ruleYAML("d", id: 5, match: "      dst_port: {exact: 2}", extra: metadata)
            + ruleYAML("e", id: 5, match: "      dst_port: {exact: 3}", extra: metadata)
        let errors = try lint(rules).filter { $0.severity == .error }
        #expect(errors.map { "\($0.file):\($0.line):\($0.column)" } == ["rules/rules.yaml:16:7", "rules/rules.yaml:31:17", "rules/rules.yaml:62:1"])
        #expect(errors.map(\.hint).prefix(2) == ["did you mean 'tls.sni'?", "did you mean 'suffix'?"])
        #expect(errors.allSatisfy { !$0.hint.isEmpty })
    }

    @Test func warnsAboutAnchorsShadowsAndMetadata() throws {
        let rules = ruleYAML("wide", id: 1, confidence: "high", match: "      tls.sni: {suffix: example.net}", extra: metadata)
            + ruleYAML("narrow", id: 2, confidence: "low", match: "      tls.sni: {suffix: example.net}\n      dst_port: {exact: 443}", extra: metadata)
            + ruleYAML("counter-only", id: 3, match: "      counter: {name: packets_c2s, min: 3}", extra: metadata)
            + ruleYAML("never", id: 4, match: "      proto: {exact: tcp}\n      all:\n        - proto: {exact: udp}", extra: metadata)
            + ruleYAML("bare", id: 5, match: "      dst_port: {exact: 9}")
        let diagnostics = try lint(rules)
        let text = diagnostics.map(\.description)
        #expect(text.contains { $0.contains("'narrow' is shadowed by 'wide'") })
        #expect(text.contains { $0.contains("'counter-only' has no indexable condition") })
        #expect(text.contains { $0.contains("error: rule 'never' can never match") } == false)  // nested all is not flattened
        #expect(text.contains { $0.contains("rule 'bare' has no 'references'") })
        let contradiction = try lint(ruleYAML("never", id: 4, match: "      all:\n        - proto: {exact: tcp}\n        - proto: {exact: udp}", extra: metadata))
        #expect(contradiction.contains { $0.severity == .error && $0.message.hasPrefix("rule 'never' can never match") && $0.line == 18 && $0.column == 11 })
    }

    @Test func examplePackLintsCleanAndItsTestsPass() throws {
        let path = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Rules/examples/template").path
        let diagnostics = RuleLinter.lint(paths: [path])
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.description))")
        let pack = try RulePack.load(path: path)
        #expect(pack.manifest.tlp == .amber && pack.rules.count == 3)
        #expect(pack.rules.first { $0.name == "case-server-addresses" }?.tlp == .amberStrict)
        let set = try RuleSet.compile([pack])
        let tests = try #require(pack.tests)
        #expect(tests.cases.count == 6)
        #expect(tests.runFactCases(with: set).isEmpty)
        let keys = try PackKeys.readPublicKeys(path: path + "/../template.pub")
        #expect(try PackVerifier.verify(packPath: path, trustedKeys: keys).files == 4)
        let m = try #require(set.classify(facts(dst: "203.0.113.200", dport: 443)).first)
        #expect(m.rule.name == "case-server-addresses" && m.evidence.map(\.condition) == ["cidr 203.0.113.200/32", "exact 443"])
    }

    @Test func captureTestsAreCheckedAgainstResults() throws {
        let pack = try TempPack(rules: ruleYAML("r", id: 1, match: "      dst_port: {exact: 1}"), extra: ["tests.yaml": """
            tests:
              - name: lab
                capture: captures/lab.pcapng
                flows:
                  - select: {dst_ip: 203.0.113.10, dst_port: "443"}
                    platform: Signal
                  - select: {dst_port: "53"}
                    platform: none
                counts:
                  Signal: 1
                  WhatsApp: {min: 1}
            """])
        defer { pack.remove() }
        let tests = try #require(try RulePack.load(path: pack.path).tests)
        let test = tests.cases[0]
        guard case .capture(let capture) = test.kind else { Issue.record("not a capture test"); return }
        #expect(capture.path == pack.path + "/captures/lab.pcapng")
        let good = [FlowResult(fields: ["dst_ip": "203.0.113.10", "dst_port": "443"], platform: "Signal"),
                    FlowResult(fields: ["dst_ip": "192.0.2.1", "dst_port": "53"], platform: nil),
                    FlowResult(fields: ["dst_ip": "192.0.2.2", "dst_port": "5222"], platform: "WhatsApp")]
        #expect(PackTests.check(test, results: good).isEmpty)
        let bad = [FlowResult(fields: ["dst_ip": "203.0.113.10", "dst_port": "443"], platform: "Telegram")]
        #expect(PackTests.check(test, results: bad).map(\.message) == [
            "flow {dst_ip: 203.0.113.10, dst_port: 443}: expected Signal, got Telegram",
            "no flow matches {dst_port: 53}", "Signal: expected 1 flows, got 0", "WhatsApp: expected 1… flows, got 0"])
        // The linter reports the missing capture.
        #expect(RuleLinter.lint(paths: [pack.path]).contains { $0.severity == .error && $0.message.contains("capture 'captures/lab.pcapng'") })
    }
}
