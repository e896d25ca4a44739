import Foundation
import Testing
@testable import Rules

@Suite struct LoaderTests {
    @Test func brokenYAMLHasExactPlace() throws {
        let error = try #require(try loadError("  - id: [unclosed\n    name: x\n"))
        #expect(error.file.hasSuffix("rules/rules.yaml"))
        #expect(error.line == 3 && error.column == 9)
        #expect(error.description.hasPrefix(error.file + ":3:9: error: YAML syntax"))
        // A tab-indented line.
        let tab = try #require(try loadError("  - id: x\n\tname: y\n"))
        #expect(tab.line == 3 && tab.column == 1 && tab.message.contains("tab"))
    }

    @Test func unknownFieldKeyAndModeArePointedAt() throws {
        let field = try #require(try loadError(ruleYAML("r", id: 1, match: "      tls.snii: {exact: a.example.net}")))
        #expect(field.line == 11 && field.column == 7)
        #expect(field.message == "unknown field 'tls.snii'" && field.hint == "did you mean 'tls.sni'?")
        let mode = try #require(try loadError(ruleYAML("r", id: 1, match: "      tls.sni: {endswith: a.example.net}")))
        #expect(mode.line == 11 && mode.column == 17 && mode.message == "unknown mode 'endswith' for 'tls.sni'")
        let wrongMode = try #require(try loadError(ruleYAML("r", id: 1, match: "      dst_port: {suffix: \"43\"}")))
        #expect(wrongMode.message == "mode 'suffix' does not apply to 'dst_port'")
        let key = try #require(try loadError(ruleYAML("r", id: 1, match: "      dst_port: {exact: 1}", extra: "    confidance: high\n")))
        #expect(key.line == 10 && key.column == 5 && key.hint == "did you mean 'confidence'?")
        let bare = try #require(try loadError(ruleYAML("r", id: 1, match: "      tls.sni: a.example.net")))
        #expect(bare.message == "'tls.sni' needs a mode")
    }

    @Test func metadataIsChecked() throws {
        let platform = try #require(try loadError(ruleYAML("r", id: 1, platform: "whatsapp", match: "      dst_port: {exact: 1}")))
        #expect(platform.message == "unknown platform 'whatsapp'" && platform.hint.hasPrefix("write 'WhatsApp'"))
        #expect(try loadError(ruleYAML("r", id: 1, platform: "ExampleMessenger", match: "      dst_port: {exact: 1}")) == nil)
        let confidence = try #require(try loadError(ruleYAML("r", id: 1, confidence: "certain", match: "      dst_port: {exact: 1}")))
        #expect(confidence.message.hasPrefix("'confidence' must be one of low, medium, high"))
        let missing = try #require(try loadError("  - id: 00000000-0000-4000-8000-000000000001\n    name: r\n"))
        #expect(missing.message == "missing 'rev'" && missing.line == 2 && missing.column == 5)
        let badID = try #require(try loadError(ruleYAML("r", id: 1, match: "      dst_port: {exact: 1}").replacingOccurrences(of: "00000000-0000-4000-8000-000000000001", with: "not-a-uuid")))
        #expect(badID.message.contains("is not a UUID"))
    }

    @Test func duplicateIDsAndKeys() throws {
        let twice = ruleYAML("a", id: 7, match: "      dst_port: {exact: 1}") + ruleYAML("b", id: 7, match: "      dst_port: {exact: 2}")
        let error = try #require(try loadError(twice))
        #expect(error.message.hasPrefix("duplicate rule id 00000000-0000-4000-8000-000000000007") && error.line == 12 && error.column == 1)
        let key = try #require(try loadError(ruleYAML("a", id: 1, match: "      dst_port: {exact: 1}", extra: "    rev: 2\n")))
        #expect(key.message.contains("duplicate key") && key.message.contains("rev"))
        // Across packs.
        let p1 = try TempPack(rules: ruleYAML("a", id: 9, match: "      dst_port: {exact: 1}"))
        let p2 = try TempPack(["rules/r.yaml": "rules:\n" + ruleYAML("b", id: 9, match: "      dst_port: {exact: 1}"),
                               "pack.yaml": TempPack.manifest.replacingOccurrences(of: "org.example.test", with: "org.example.other")])
        defer { p1.remove(); p2.remove() }
        #expect(throws: RuleError.self) { try RuleSet.compile([RulePack.load(path: p1.path), RulePack.load(path: p2.path)]) }
    }

    @Test func aliasBombAndHostileYAMLAreRefused() throws {
        var bomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        for i in 1...9 { bomb += "\(Character(Unicode.Scalar(97 + i)!)): &\(Character(Unicode.Scalar(97 + i)!)) [" + Array(repeating: "*\(Character(Unicode.Scalar(96 + i)!))", count: 9).joined(separator: ",") + "]\n" }
        bomb += "rules: *j\n"
        let pack = try TempPack(["rules/bomb.yaml": bomb])
        defer { pack.remove() }
        #expect(throws: RuleError.self) { try RulePack.load(path: pack.path) }
        do { _ = try RulePack.load(path: pack.path) } catch {
            #expect(error.line == 1 && error.message.contains("anchors"))
        }
        // Aliases used as keys (Yams would hash the expansion) and deep nesting.
        let keyBomb = try TempPack(["rules/k.yaml": "x: &x [1, 2]\ny: {? *x : 1}\n"])
        let deep = try TempPack(["rules/d.yaml": "rules: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "\n"])
        let docs = try TempPack(["rules/m.yaml": "rules: []\n---\nrules: []\n"])
        defer { keyBomb.remove(); deep.remove(); docs.remove() }
        #expect(throws: RuleError.self) { try RulePack.load(path: keyBomb.path) }
        #expect(throws: RuleError.self) { try RulePack.load(path: deep.path) }
        let nested = try TempPack(["rules/n.yaml": "rules: " + String(repeating: "[", count: 40) + String(repeating: "]", count: 40) + "\n"])
        defer { nested.remove() }
        do { _ = try RulePack.load(path: nested.path); Issue.record("loaded") } catch {
            #expect(error.message.contains("nesting deeper than 32") && error.line == 1 && error.column == 39)
        }
        #expect(throws: RuleError.self) { try RulePack.load(path: docs.path) }
    }

    @Test func sizeLimits() throws {
        let big = String(repeating: "# padding line of a rule file that is far too large\n", count: (5 << 20) / 52)
        let pack = try TempPack(["rules/big.yaml": big])
        defer { pack.remove() }
        do { _ = try RulePack.load(path: pack.path); Issue.record("loaded") } catch {
            #expect(error.message.contains("more than the limit"))
        }
    }

    @Test func regexSafeSubset() throws {
        for good in ["^chat\\.signal\\.org$", "(a|b)+c?", "[a-z0-9-]{1,32}\\.example\\.net", "x{3}", "(?:ab)*", "[^.]+\\.org", "\\d\\w\\s", "a{2,}"] {
            #expect((try? SafeRegex(good)) != nil, "\(good)")
        }
        for bad in ["(a)\\1", "(?=a)", "(?<n>a)", "a*?", "a++", "a{1,100}", "[[:alpha:]]", "(a", "a)", "*a", "\\p{L}", "(?i)a", "[z-a]", "a{3,2}"] {
            #expect((try? SafeRegex(bad)) == nil, "\(bad)")
        }
        let r = try SafeRegex("^(chat|media)[0-9]*\\.example\\.net$", caseInsensitive: true)
        #expect(r.matches("Chat12.Example.NET") && !r.matches("xchat1.example.net") && !r.matches("chat1.example.net.evil"))
        let search = try SafeRegex("b+c")
        #expect(search.matches("aaabbbcd") && !search.matches("aaac"))
        #expect(try SafeRegex("a|").matches("zzz"))
        let evil = try SafeRegex("(a*)*b")
        let evil2 = try SafeRegex("^(a|a)*(a|aa)*(a+)+$")
        // Catastrophic for backtracking engines; here each instruction is visited at
        // most once per input position, whatever the pattern (counted, not timed).
        let input = String(repeating: "a", count: 100_000)
        for (regex, text) in [(evil, input), (evil2, input + "!")] {
            let run = regex.matchesCountingSteps(text)
            #expect(!run.matched)
            #expect(run.steps <= regex.program.count * (text.utf8.count + 1), "\(regex.pattern): \(run.steps) steps")
        }
        // Refused regexes are load errors with a place.
        let error = try #require(try loadError(ruleYAML("r", id: 1, match: "      tls.sni: {regex: \"(a)\\\\1\"}")))
        #expect(error.line == 11 && error.column == 24 && error.message.contains("refused at character 4"))
    }
}

@Suite struct HostilePackTests {
    @Test func listFilesBehindSymbolicLinksAreRefused() throws {
        let pack = try TempPack(rules: ruleYAML("r", id: 1, match: "      dst_ip: {cidr: {list: hosts}}"))
        defer { pack.remove() }
        try FileManager.default.createSymbolicLink(atPath: pack.file("lists"), withDestinationPath: "/etc")
        var error: RuleError? = nil
        do { _ = try RulePack.load(path: pack.path) } catch let e { error = e }
        #expect(error?.message == "list file 'hosts' not found")
    }
}
