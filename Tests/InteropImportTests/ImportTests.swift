import Foundation
import Testing
@testable import Interop
@testable import Rules

/// Each format: import → lint clean → the rules match synthetic flows carrying the
/// indicator values; the unsupported parts are reported with their lines.
@Suite struct FormatImportTests {
    @Test func limitsAreThePackLoaders() {
        let limits = ImportLimits()
        #expect(limits.maxFileBytes == FileAccess.maxListBytes)
        #expect(limits.maxIndicators == PackLoader.maxListEntries)
        #expect(limits.maxJSONDepth == SafeYAML.maxDepth)
    }

    @Test func zeekIntel() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let (report, pack) = try importPack(.zeekIntel, Inputs.path("zeek-intel.dat"), in: folder, platform: "LabImport")
        #expect(lint(pack).isEmpty, "\(lint(pack))")
        let set = try ruleSet(pack)
        #expect(set.rules.allSatisfy { $0.status == .test && $0.tlp == .amber && $0.platform == "LabImport" })
        #expect(platform(set, facts(text: ["tls.sni": ["chat.signal.org"]])) == "LabImport")
        #expect(platform(set, facts(proto: "udp", dport: 53, text: ["dns.queries": ["CHAT.signal.org."]])) == "LabImport")
        #expect(platform(set, facts(dst: "192.0.2.200", text: ["tls.sni": ["other.signal.org"]])) == nil)        // exact
        #expect(platform(set, facts(text: ["http.host": ["a.cdn.example.net"]])) == "LabImport")  // *.cdn.example.net: suffix
        #expect(platform(set, facts(dst: "203.0.113.7")) == "LabImport")
        #expect(platform(set, facts(src: "2001:db8:17::9", dst: "2001:db8::1")) == "LabImport")
        #expect(platform(set, facts(dst: "198.51.100.200")) == "LabImport")
        #expect(platform(set, facts(text: ["http.host": ["example.org"], "http.target": ["/upload/chunk"]])) == "LabImport")
        #expect(platform(set, facts(text: ["tls.ja3": ["0123456789abcdef0123456789abcdef"]])) == "LabImport")
        // Provenance: source file, line.
        let rule = try #require(set.rules.first { $0.name == "zeek-chat.signal.org" })
        #expect(rule.references.first == "zeek-intel.dat:3 (Zeek Intel Intel::DOMAIN)")
        #expect(rule.references.contains("meta.url: https://example.org/report/17"))
        // Reported, line by line.
        #expect(issues(report, line: 9).first?.contains("unsupported: Intel::CERT_HASH is a certificate SHA-1") == true)
        #expect(issues(report, line: 11).first?.contains("unsupported: Intel::EMAIL") == true)
        for line in [12, 13, 14, 15] { #expect(issues(report, line: line).first?.contains(": error: ") == true, "line \(line)") }
        #expect(report.indicatorsRead == 13 && report.indicatorsImported == 7)
        let reportFile = try String(contentsOfFile: pack + "/IMPORT-REPORT.txt", encoding: .utf8)
        #expect(reportFile.contains("zeek-intel.dat:9:42: unsupported: Intel::CERT_HASH"))
        #expect(reportFile.contains("tlp: amber — default"))
    }

    @Test func misp() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let (report, pack) = try importPack(.misp, Inputs.path("misp-event.json"), in: folder, platform: "ExampleMessenger")
        #expect(lint(pack).isEmpty, "\(lint(pack))")
        let set = try ruleSet(pack)
        #expect(set.packs.first?.tlp == .green)      // the event's tlp:green tag
        #expect(platform(set, facts(text: ["tls.sni": ["chat.example.net"]])) == "ExampleMessenger")
        #expect(platform(set, facts(text: ["dns.queries": ["media.example.net"]])) == "ExampleMessenger")
        #expect(platform(set, facts(text: ["tls.sni": ["push.example.net"]])) == "ExampleMessenger")
        let relay = try #require(set.classify(facts(dst: "203.0.113.7")).first)
        #expect(relay.rule.tlp == .amber)              // the attribute's own tlp:amber
        #expect(relay.rule.references.contains("MISP attribute 6f1e2d3c-4b5a-4978-8a1b-2c3d4e5f6a13"))
        #expect(relay.rule.references.first?.hasPrefix("misp-event.json:15 ") == true)
        #expect(platform(set, facts(text: ["tls.ja3": ["e7d705a3286e19ea42f587b344ee6865"]])) == "ExampleMessenger")
        #expect(platform(set, facts(text: ["tls.ja4": ["t13d1516h2_8daaf6152771_e5627efa2ab1"]])) == "ExampleMessenger")
        #expect(platform(set, facts(text: ["tls.certificates.sha256": ["aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899"]])) == "ExampleMessenger")
        #expect(platform(set, facts(dst: "2001:db8:17::5")) == "ExampleMessenger")
        let port = try #require(set.classify(facts(proto: "udp", dst: "198.51.100.20", dport: 3478)).first)
        #expect(port.rule.confidence == .low)           // to_ids: false
        #expect(set.classify(facts(proto: "udp", dst: "198.51.100.20", dport: 3479)).isEmpty)
        #expect(issues(report, line: 19).first?.contains("unsupported: attribute 6f1e2d3c-4b5a-4978-8a1b-2c3d4e5f6a15: MISP type 'url'") == true)
        #expect(issues(report, line: 23).first?.contains("error:") == true)
        #expect(issues(report, line: 25).first?.contains("x509-fingerprint-sha1") == true)
        #expect(issues(report, line: 36).first?.contains("'JA4L'") == true)
        #expect(set.packs.first.map { _ in true } == true)
    }

    @Test func stix() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let (report, pack) = try importPack(.stix, Inputs.path("stix-bundle.json"), in: folder)
        #expect(lint(pack).isEmpty, "\(lint(pack))")
        let set = try ruleSet(pack)
        // The platform is what the indicators 'indicate' (a tool named ExampleMessenger).
        #expect(set.rules.allSatisfy { $0.platform == "ExampleMessenger" })
        let front = try #require(set.classify(facts(text: ["tls.sni": ["chat.example.net"]])).first)
        #expect(front.rule.confidence == .high && front.rule.tlp == .amber)
        #expect(front.rule.references.contains("case: CASE-2026-017"))
        #expect(front.rule.references.first?.hasPrefix("stix-bundle.json:") == true)
        #expect(front.rule.references.first?.contains("indicator--5a1c1f2e-0b6a-4c1e-9a59-6b3c2d1e0101") == true)
        #expect(platform(set, facts(dst: "203.0.113.99")) == "ExampleMessenger")
        #expect(platform(set, facts(src: "2001:db8:17::1", dst: "2001:db8::1")) == "ExampleMessenger")
        #expect(platform(set, facts(proto: "udp", dst: "198.51.100.9", dport: 3478)) == "ExampleMessenger")
        #expect(platform(set, facts(proto: "udp", dst: "198.51.100.9", dport: 3479)) == nil)
        let certificate = try #require(set.classify(facts(text: ["tls.certificates.sha256": ["aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899"]])).first)
        #expect(certificate.rule.tlp == .red)
        #expect(platform(set, facts(text: ["tls.ja4": ["t13d1516h2_8daaf6152771_e5627efa2ab1"]])) == "ExampleMessenger")   // pattern_type suricata
        #expect(platform(set, facts(text: ["dns.queries": ["media2.example.net"]])) == "ExampleMessenger")
        let unsupported = report.issues.filter { $0.kind == .unsupported }.map(\.message)
        #expect(unsupported.count == 4)
        #expect(unsupported.contains { $0.contains("SHA-1") || $0.contains("SHA-256 only") })
        #expect(unsupported.contains { $0.contains("AND between observations") })
        #expect(unsupported.contains { $0.contains("'url:value'") })
        #expect(unsupported.contains { $0.contains("WITHIN") })
        #expect(report.issues.allSatisfy { $0.line > 0 })
        #expect(set.packs.first?.tlp == .green)       // the least restrictive marking; each rule keeps its own
    }

    @Test func stixPatternParser() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let sink = ImportSink(file: "x", options: ImportOptions(format: .stix))
        func parse(_ pattern: String) -> Result<ImportCondition, PatternError> {
            var parser = PatternParser(pattern)
            do { return .success(try parser.parse(domains: sink)) } catch { return .failure(error) }
        }
        #expect((try? parse("[domain-name:value = 'a.example.net']").get()) == .field([.tlsSNI, .dnsQueryName, .httpHost], .exact, ["a.example.net"]))
        #expect((try? parse("[ipv4-addr:value = '192.0.2.1' AND (domain-name:value = 'x.org' OR domain-name:value = 'y.org')]").get()) != nil)
        #expect((try? parse("[x509-certificate:hashes.SHA256 = '\(String(repeating: "ab", count: 32))']").get()) != nil)   // misp-stix 2.0 style
        for bad in ["[domain-name:value = 'unterminated]", "[domain-name:value LIKE '%.org']", "[domain-name:value = 'a.org'", "domain-name:value = 'a.org'",
                    "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']", "[domain-name:value != 'a.org']", "[network-traffic:dst_ref.type = 'ipv4-addr']",
                    "[domain-name:value = 'a.org'] FOLLOWEDBY [domain-name:value = 'b.org']", "[ipv4-addr:value = '300.1.1.1']"] {
            guard case .failure(let error) = parse(bad) else { Issue.record("accepted \(bad)"); continue }
            #expect(error.column >= 1)
        }
    }

    @Test func suricata() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let (report, pack) = try importPack(.suricata, Inputs.path("suricata.rules"), in: folder, platform: "ExampleMessenger")
        #expect(lint(pack).isEmpty, "\(lint(pack))")
        let set = try ruleSet(pack)
        let sni = try #require(set.classify(facts(text: ["tls.sni": ["chat.example.net"]])).first)
        #expect(sni.rule.name == "suricata-sid-9000101" && sni.rule.confidence == .high)
        // Its own marking (metadata tlp green); the pack is amber (not every rule is marked), so amber applies.
        #expect(sni.rule.ownTLP == .green && sni.rule.tlp == .amber)
        #expect(sni.rule.references == ["suricata.rules:2 (Suricata sid 9000101 rev 2)", "url: example.org/report/17"])
        #expect(sni.rule.tags.contains("policy-violation"))
        #expect(platform(set, facts(text: ["tls.sni": ["chat.example.net.evil.org"]])) == nil)
        #expect(platform(set, facts(text: ["tls.sni": ["a.cdn.example.net"]])) == "ExampleMessenger")
        #expect(platform(set, facts(proto: "udp", dport: 53, text: ["dns.queries": ["push.example.net"]])) == "ExampleMessenger")
        let ja3 = try #require(set.classify(facts(text: ["tls.ja3": ["e7d705a3286e19ea42f587b344ee6865"]])).first)
        #expect(ja3.rule.line > 0 && ja3.rule.references.first == "suricata.rules:5 (Suricata sid 9000104 rev 1)")   // continued line
        #expect(platform(set, facts(proto: "udp", text: ["tls.ja4": ["q13d0310h3_55b375c5d22e_cd85d2d88918"]])) == "ExampleMessenger")
        #expect(platform(set, facts(proto: "udp", dst: "203.0.113.50", dport: 3480)) == "ExampleMessenger")
        #expect(platform(set, facts(dst: "198.51.100.7", dport: 443)) == "ExampleMessenger")
        #expect(platform(set, facts(dst: "198.51.100.7", dport: 80)) == nil)
        #expect(platform(set, facts(text: ["tls.certificates.subject": ["O=Example, CN=relay.example.net"]])) == "ExampleMessenger")
        for (line, text) in [(10, "keyword 'http.uri'"), (11, "content on the packet payload"), (12, "negated content"), (13, "nothing cipherscope can match"),
                             (14, "unbalanced quotes"), (15, "not a rule"), (16, "action 'pass'")] {
            #expect(issues(report, line: line).first?.contains(text) == true, "line \(line): \(issues(report, line: line))")
        }
        #expect(report.indicatorsImported == 7)
    }

    @Test func ja4PlusCSV() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let (report, pack) = try importPack(.ja4plusCSV, Inputs.path("ja4db.csv"), in: folder)
        #expect(lint(pack).isEmpty, "\(lint(pack))")
        let set = try ruleSet(pack)
        let signal = try #require(set.classify(facts(text: ["tls.ja4": ["t13d1516h2_8daaf6152771_e5627efa2ab1"]])).first)
        #expect(signal.rule.platform == "Signal" && signal.rule.confidence == .medium)      // canonical name; verified
        #expect(platform(set, facts(text: ["tls.ja4s": ["t130200_1302_a56c5b993250"]])) == "Signal")
        let example = try #require(set.classify(facts(text: ["http.ja4h": ["ge11cn20enus_60ca1bd65281_ac95b44401d9_8df6a44f726c"]])).first)
        #expect(example.rule.platform == "ExampleMessenger" && example.rule.confidence == .low)
        #expect(example.rule.description?.contains("ExampleMessenger/7.1 (Android 15; \"Pixel 8\")") == true)   // quoted CSV cell
        #expect(platform(set, facts(text: ["tcp.ja4t": ["64240_2-1-3-1-1-4_1460_8"]])) == "ExampleMessenger")
        #expect(platform(set, facts(text: ["tls.certificates.ja4x": ["a373a9f83c6b_2bab15409345_7bf9a7bf7029"]])) == "ExampleMessenger")
        #expect(platform(set, facts(text: ["tls.ja4": ["t13d0000h2_000000000000_000000000000"]])) == ImportOptions.defaultPlatform)
        #expect(set.packs.first.map { _ in true } == true)
        #expect(issues(report, line: 6).first?.contains("not a JA4+ fingerprint") == true)
        #expect(issues(report, line: 7).first?.contains("unsupported: ja4tscan") == true)
        #expect(issues(report, line: 8).first?.contains("2 cells where the header has 17") == true)
        #expect(issues(report, line: 9).first?.contains("unbalanced quotes") == true)
    }

    @Test func manyIndicatorsBecomeListFilesWithProvenance() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        var lines = ["#fields\tindicator\tindicator_type\tmeta.source"]
        for i in 0..<20 { lines.append("host\(i).example.net\tIntel::DOMAIN\tfeed") }
        let input = try folder.write("feed.intel", lines.joined(separator: "\n") + "\n")
        let (report, pack) = try importPack(.zeekIntel, input, in: folder)
        #expect(lint(pack).isEmpty, "\(lint(pack))")
        #expect(report.rules == 1 && report.listFiles == 1)
        let list = try String(contentsOfFile: pack + "/lists/zeek-imported-domains.txt", encoding: .utf8)
        #expect(list.contains("host7.example.net    # line 9\n"))
        let set = try ruleSet(pack)
        #expect(platform(set, facts(text: ["tls.sni": ["host19.example.net"]])) == "Imported")
        #expect(set.rules.first?.references.first?.contains("lines 2–21") == true)
    }
}
