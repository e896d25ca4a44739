import Decoding
import Foundation
import Interop
import Rules
import Schema
import Testing

/// Paths of the repository, from this file's place.
enum Paths {
    static let here = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().path
    static let testFolder = String(here[..<here.lastIndex(of: "/")!])
    static let root = String(testFolder[..<testFolder.range(of: "/Tests/InteropTests")!.lowerBound])
    static let shipped = ["messaging", "calls", "privacy-tools"].map { root + "/Rules/" + $0 } + [root + "/Rules/examples/template"]
    static let testPack = testFolder + "/Packs/interop-test"
}

/// python3 with the formats' own packages, when installed.
enum Python {
    static func has(_ module: String) -> Bool { (try? run(["-c", "import \(module)"]))?.status == 0 }

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Runs a validator script on a file; the script's last line reports counts.
    static func validate(_ script: String, _ file: String) throws -> String {
        let result = try run([Paths.testFolder + "/Validators/" + script, file])
        #expect(result.status == 0, "\(script) failed: \(result.output)")
        return result.output.split(separator: "\n").last.map(String.init) ?? ""
    }
}

/// Loads packs once per call (cheap: a few hundred rules).
func load(_ paths: [String]) throws -> (packs: [RulePack], rules: RuleSet) { try PackCollection.load(paths) }

func temporaryFile(_ name: String) -> String {
    let folder = NSTemporaryDirectory() + "cipherscope-interop-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    return folder + "/" + name
}

/// A flow having the exported values (regex values cannot be synthesised: nil).
func facts(for indicator: ExportedIndicator) -> FlowFacts? {
    var proto = "tcp", appProto: String? = nil
    var source = IPAddress("192.0.2.1")!, destination = IPAddress("198.51.100.1")!
    var sourcePort: UInt16 = 40000, destinationPort: UInt16 = 443
    var text: [String: [String]] = [:]
    for value in indicator.values {
        switch value.field {
        case .proto: proto = value.value
        case .appProto: appProto = value.value
        case .srcIP, .dstIP, .anyIP:
            guard let prefix = IPPrefix(value.value) else { return nil }
            if value.field == .srcIP { source = prefix.network } else { destination = prefix.network }
        case .srcPort: sourcePort = UInt16(value.value)!
        case .dstPort, .anyPort: destinationPort = UInt16(value.value)!
        default:
            if value.mode == .regex { return nil }
            text[value.field.ruleName, default: []].append(value.value)
        }
    }
    return FlowFacts(proto: proto, sourceAddress: source, sourcePort: sourcePort, destinationAddress: destination,
                     destinationPort: destinationPort, appProto: appProto, text: text)
}

/// Every exported item is matched by its rule on a flow having its values: nothing
/// goes out that the pack would not match. Returns how many were checked.
@discardableResult
func checkSemantics(_ result: ExportResult, _ rules: RuleSet) -> Int {
    var checked = 0
    for indicator in result.exported {
        guard let flow = facts(for: indicator) else { continue }
        let matched = rules.classifyEvaluatingEveryRule(flow).contains { $0.rule.id == indicator.ruleID }
        #expect(matched, "\(result.format.rawValue): \(indicator.ruleName) does not match \(indicator.values) (\(indicator.exported))")
        checked += 1
    }
    return checked
}

@Suite struct ExportTests {
    @Test(arguments: ExportFormat.allCases)
    func shippedPacksExportAndMatch(format: ExportFormat) throws {
        let (packs, rules) = try load(Paths.shipped)
        let result = RuleExporter.export(packs, to: format)
        #expect(result.units > 0)
        #expect(!result.exported.isEmpty)
        #expect(checkSemantics(result, rules) > 0)
        // The shipped packs have payload and DNS-learned conditions: listed, never dropped.
        #expect(!result.unexpressed.isEmpty)
        #expect(result.unexpressed.contains { $0.reason.contains("payload") })
    }

    @Test(arguments: ExportFormat.allCases)
    func testPackExportAndMatch(format: ExportFormat) throws {
        let (packs, rules) = try load([Paths.testPack])
        let result = RuleExporter.export(packs, to: format)
        #expect(checkSemantics(result, rules) > 0)
        let names = Set(result.unexpressed.map(\.ruleName))
        // Payload, sequence and counter conditions, the negation, the DNS-learned name and the deprecated rule.
        for name in ["ex-handshake", "ex-not-web", "ex-dns-learned", "ex-old"] { #expect(names.contains(name), "\(format): \(name) not listed") }
        let reasons = result.unexpressed.map(\.reason).joined(separator: "\n")
        for word in ["payload bytes", "packet length sequence", "flow counter", "negation", "cross-flow"] {
            #expect(reasons.contains(word), "\(format): no '\(word)' in the not-expressible list")
        }
        // Listed in the output itself too.
        #expect(result.text.contains("ex-handshake"))
        // Stable: a second export is byte for byte the same.
        #expect(RuleExporter.export(packs, to: format).text == result.text)
    }

    @Test func suricataSpecifics() throws {
        let (packs, _) = try load([Paths.testPack])
        var options = ExportOptions()
        options.sidBase = 1_000
        options.sideFileBase = "test"
        let result = SuricataExport.export(packs, options: options)
        let rules = result.text.split(separator: "\n").filter { $0.hasPrefix("alert ") }
        #expect(rules.count == result.units)
        #expect(result.text.contains("sid:1000;"))
        #expect(result.text.contains("ja3.hash; content:\"e7d705a3286e19ea42f587b344ee6865\"; startswith; endswith;"))
        #expect(result.text.contains("requires: feature ja4; ja4.hash; content:\"t13d1516h2_8daaf6152771_02713d6af862\""))
        #expect(result.text.contains("alert tls any any -> any 443 (") && result.text.contains("tls.sni; dotprefix; content:\".media.example.net\"; nocase; endswith;"))
        #expect(!result.text.contains("alert quic any any -> any 443"))  // proto tcp excludes QUIC
        #expect(result.text.contains("alert ip any any -> [203.0.113.0/24,2001:db8:10::/48] any"))
        #expect(result.text.contains("alert ip any any <> 198.51.100.7 any"))
        #expect(result.text.contains("metadata: cipherscope_rule 00000000-0000-5000-8000-000000000001, rev 2, tlp green"))
        #expect(result.text.contains("tlp amber+strict"))
        // The 25 front doors: a dataset (base64 lines) instead of 25 rules.
        #expect(result.sideFiles.count == 2)
        #expect(result.text.contains("tls.sni; to_lowercase; dataset:isset,cs-ex-front-doors-tls-sni,type string,load test-cs-ex-front-doors-tls-sni.lst;"))
        #expect(result.text.contains("dns.query; to_lowercase; dataset:isset,cs-ex-front-doors-dns-query"))
        #expect(result.sideFiles[0].content.hasPrefix("bm9kZTAxLmNoYXQuZXhhbXBsZS5uZXQ=\n"))  // node01.chat.example.net
        #expect(result.text.contains("pcre:\"/^r[0-9]{2,4}\\.relay\\.example\\.org$/i\";"))
        #expect(!result.text.contains("old.example.net\";"))
    }

    @Test func zeekSpecifics() throws {
        let (packs, _) = try load([Paths.testPack])
        let result = ZeekIntelExport.export(packs)
        let lines = result.text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty && !$0.hasPrefix("#") }
        #expect(result.text.contains("#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\tmeta.url\n"))
        for line in lines { #expect(line.split(separator: "\t", omittingEmptySubsequences: false).count == 5, "\(line)") }
        #expect(lines.contains { $0.hasPrefix("node01.chat.example.net\tIntel::DOMAIN\torg.cipherscope.test.interop\t") })
        #expect(lines.contains { $0.hasPrefix("203.0.113.0/24\tIntel::SUBNET\t") })
        #expect(lines.contains { $0.hasPrefix("198.51.100.7\tIntel::ADDR\t") })
        #expect(lines.contains { $0.hasPrefix("2001:db8:10::/48\tIntel::SUBNET\t") })
        #expect(result.unexpressed.contains { $0.ruleName == "ex-cert" && $0.reason.contains("SHA-1") })
        #expect(!lines.contains { $0.contains("Intel::CERT_HASH") })
        // push.example.net from two fields of one rule: one line.
        #expect(lines.filter { $0.hasPrefix("push.example.net\t") }.count == 1)
    }

    @Test func stixIdentifiersAndMarkings() throws {
        let (packs, _) = try load([Paths.testPack])
        let text = STIXExport.export(packs).text
        // The STIX 2.1 predefined TLP 1.0 ids, and TLP 2.0 AMBER+STRICT.
        #expect(text.contains("marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"))
        #expect(text.contains("marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"))
        #expect(text.contains("[domain-name:value = 'media.example.net' OR domain-name:value LIKE '%.media.example.net']") == false)  // an AND: not one indicator
        #expect(text.contains("[x509-certificate:hashes.'SHA-256' = '3f5c1e8a9b0d2c4e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6']"))
        #expect(text.contains("[ipv4-addr:value = '203.0.113.0/24']"))
        #expect(text.contains("[ipv6-addr:value = '2001:db8:10::/48']"))
        #expect(text.contains("\"pattern_type\": \"suricata\""))
        #expect(text.contains("x_cipherscope_unexpressed"))
        // UUIDv5 (version 5, RFC 4122 variant).
        let ids = text.split(separator: "\"").filter { $0.hasPrefix("indicator--") }
        #expect(!ids.isEmpty)
        for id in ids {
            let uuid = id.dropFirst("indicator--".count)
            #expect(uuid.count == 36 && uuid[uuid.index(uuid.startIndex, offsetBy: 14)] == "5")
        }
    }

    @Test func writesAtomicallyWithDatasetsBeside() throws {
        let (packs, _) = try load([Paths.testPack])
        let path = temporaryFile("export.rules")
        var options = ExportOptions()
        options.sideFileBase = "export"
        let result = SuricataExport.export(packs, options: options)
        try RuleExporter.write(result, to: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let folder = (path as NSString).deletingLastPathComponent
        for side in result.sideFiles { #expect(FileManager.default.fileExists(atPath: folder + "/" + side.name)) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == result.text)
    }
}

/// The formats' own tools on the exports of the shipped packs and the test pack.
@Suite struct ValidationTests {
    static let allPacks = Paths.shipped + [Paths.testPack]

    func export(_ format: ExportFormat, _ name: String) throws -> (String, ExportResult) {
        let (packs, _) = try load(ValidationTests.allPacks)
        let path = temporaryFile(name)
        var options = ExportOptions()
        options.sideFileBase = "export"
        let result = RuleExporter.export(packs, to: format, options: options)
        try RuleExporter.write(result, to: path)
        return (path, result)
    }

    @Test(.enabled(if: Python.has("suricataparser"), "suricataparser is not installed (python3 -m pip install suricataparser): skipped"))
    func suricataparserParsesEveryRule() throws {
        let (path, result) = try export(.suricata, "export.rules")
        let summary = try Python.validate("validate_suricata.py", path)
        #expect(summary == "rules \(result.units)")
        print("suricataparser: \(summary)")
    }

    @Test(.enabled(if: Python.has("stix2") && Python.has("stix2patterns"), "stix2 is not installed (python3 -m pip install stix2): skipped"))
    func stix2ParsesTheBundle() throws {
        let (path, result) = try export(.stix, "export.json")
        let summary = try Python.validate("validate_stix.py", path)
        #expect(summary.hasPrefix("indicators \(result.units) "))
        print("stix2: \(summary)")
    }

    @Test(.enabled(if: Python.has("pymisp"), "pymisp is not installed (python3 -m pip install pymisp): skipped"))
    func pymispLoadsTheEvent() throws {
        let (path, result) = try export(.misp, "event.json")
        let summary = try Python.validate("validate_misp.py", path)
        #expect(summary.hasPrefix("objects \(result.units) "))
        print("pymisp: \(summary)")
    }
}
