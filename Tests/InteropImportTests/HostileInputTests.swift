import Foundation
import Testing
@testable import Interop
import Rules

/// Files from other organisations: truncated, binary, huge, in other encodings. Every
/// problem gets its place; everything valid is still imported; nothing traps.
@Suite struct HostileInputTests {
    func failure(_ format: ImportFormat, _ input: String, in folder: TempFolder, limits: ImportLimits = ImportLimits()) -> String? {
        do {
            _ = try importPack(format, input, in: folder, limits: limits)
            return nil
        } catch {
            return (error as? ImportFailure)?.description ?? "\(error)"
        }
    }

    @Test func truncatedJSON() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let misp = try String(contentsOfFile: Inputs.path("misp-event.json"), encoding: .utf8)
        let cut = try folder.write("cut.json", String(misp.prefix(1500)))
        let message = try #require(failure(.misp, cut, in: folder))
        #expect(message.hasPrefix(cut + ":"), "\(message)")
        #expect(message.contains("not valid JSON") && message.contains("truncated"), "\(message)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).allSatisfy { !$0.hasPrefix("pack-") })
        let stix = try String(contentsOfFile: Inputs.path("stix-bundle.json"), encoding: .utf8)
        let cutSTIX = try folder.write("cut-stix.json", String(stix.prefix(4000)))
        #expect(failure(.stix, cutSTIX, in: folder)?.contains("truncated") == true)
        // A syntax error in the middle: line and column.
        let broken = try folder.write("broken.json", "{\"Event\": {\n  \"info\": \"x\",\n  \"Attribute\": [1 2]\n}}\n")
        let place = try #require(failure(.misp, broken, in: folder))
        #expect(place.hasPrefix(broken + ":3:"), "\(place)")
    }

    @Test func binaryGarbage() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<65_536).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let garbage = try folder.write("garbage.bin", bytes)
        for format in ImportFormat.allCases {
            let message = try #require(failure(format, garbage, in: folder), "\(format)")
            #expect(message.hasPrefix(garbage), "\(format): \(message)")
        }
        // Line formats report the lines (with a column) before giving up.
        let sink = try {
            var sink = ImportSink(file: garbage, options: ImportOptions(format: .suricata))
            _ = try InputFile.lines(bytes, sink: &sink)
            return sink
        }()
        #expect(sink.report.issues.contains { $0.kind == .error && $0.line > 0 && $0.column > 0 })
    }

    @Test func largeFileWithAFewBadLines() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        var text = "#fields\tindicator\tindicator_type\tmeta.source\n"
        let bad: Set<Int> = [1_000, 50_000, 99_999]
        for i in 0..<100_000 {
            let line = i + 2
            if bad.contains(line) {
                text += line == 50_000 ? "no tabs here\n" : "300.1.2.\(i % 200)\tIntel::ADDR\tfeed\n"
            } else {
                text += "10.\(i / 65536).\((i / 256) % 256).\(i % 256)\tIntel::ADDR\tfeed\n"
            }
        }
        let input = try folder.write("large.intel", text)
        let (report, pack) = try importPack(.zeekIntel, input, in: folder, platform: "LabImport")
        #expect(report.indicatorsRead == 100_000)
        #expect(report.indicatorsImported == 99_997)
        #expect(report.issues.map(\.line).sorted() == bad.sorted(), "\(report.issues.prefix(5))")
        #expect(report.issues.allSatisfy { $0.kind == .error && $0.description.hasPrefix(input + ":") })
        #expect(report.rules == 1 && report.listFiles == 1)
        #expect(lint(pack).isEmpty)
        let set = try ruleSet(pack)
        #expect(platform(set, facts(dst: "10.1.134.159")) == "LabImport")
        #expect(platform(set, facts(dst: "11.0.0.1")) == nil)
    }

    @Test func encodings() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        // BOM and CRLF are fine.
        let crlf = try folder.write("crlf.intel", [0xEF, 0xBB, 0xBF] + Array("#fields\tindicator\tindicator_type\r\nchat.example.net\tIntel::DOMAIN\r\n".utf8))
        let (report, pack) = try importPack(.zeekIntel, crlf, in: folder)
        #expect(report.issues.isEmpty && report.indicatorsImported == 1)
        #expect(platform(try ruleSet(pack), facts(text: ["tls.sni": ["chat.example.net"]])) == "Imported")
        // One line in Latin-1 among UTF-8 lines: that line is reported, the others imported.
        let latin1 = try folder.write("latin1.rules", Array("alert tls any any -> any any (msg:\"a\"; tls.sni; content:\"a.example.net\"; startswith; endswith; sid:1;)\n".utf8)
            + Array("alert tls any any -> any any (msg:\"caf".utf8) + [0xE9] + Array("\"; tls.sni; content:\"b.example.net\"; sid:2;)\n".utf8))
        let (mixed, _) = try importPack(.suricata, latin1, in: folder)
        #expect(mixed.indicatorsImported == 1)
        #expect(mixed.issues.map(\.description) == ["\(latin1):2:39: error: not valid UTF-8 (binary data, or another encoding): line skipped; convert the file to UTF-8"])
        // UTF-16 is refused with a hint.
        let utf16 = try folder.write("utf16.json", [0xFF, 0xFE] + Array("{}".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }))
        #expect(failure(.stix, utf16, in: folder)?.contains("UTF-16") == true)
        // Invalid UTF-8 in JSON: line and column.
        let json = try folder.write("bad.json", Array("{\"Event\": {\n  \"info\": \"".utf8) + [0xC3, 0x28] + Array("\"}}".utf8))
        #expect(failure(.misp, json, in: folder) == "\(json):2:12: error: not valid UTF-8 (binary data, or another encoding); convert the file to UTF-8")
    }

    @Test func limits() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        var small = ImportLimits()
        small.maxFileBytes = 100
        let big = try folder.write("big.intel", String(repeating: "#\n", count: 100))
        #expect(failure(.zeekIntel, big, in: folder, limits: small)?.contains("more than the limit of 100") == true)
        // Nesting.
        let deep = try folder.write("deep.json", String(repeating: "[", count: 40) + String(repeating: "]", count: 40))
        #expect(failure(.stix, deep, in: folder)?.contains("nested deeper than 32") == true)
        // Long lines.
        var short = ImportLimits()
        short.maxLineBytes = 64
        let long = try folder.write("long.intel", "#fields\tindicator\tindicator_type\n" + String(repeating: "a", count: 100) + ".org\tIntel::DOMAIN\nb.org\tIntel::DOMAIN\n")
        let (report, _) = try importPack(.zeekIntel, long, in: folder, limits: short)
        #expect(report.indicatorsImported == 1 && issues(report, line: 2).first?.contains("more than the limit of 64") == true)
        // Indicator count: the rest of the file is not read, and that is said.
        var few = ImportLimits()
        few.maxIndicators = 3
        let many = try folder.write("many.intel", "#fields\tindicator\tindicator_type\n" + (1...10).map { "h\($0).org\tIntel::DOMAIN\n" }.joined())
        let (capped, _) = try importPack(.zeekIntel, many, in: folder, limits: few)
        #expect(capped.indicatorsImported == 3)
        #expect(issues(capped, line: 5).first?.contains("more than 3 indicators") == true)
    }

    @Test func unknownFieldsAndShapes() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        // Zeek: unknown columns noted, wrong field counts reported.
        let zeek = try folder.write("extra.intel", "#fields\tindicator\tindicator_type\tmeta.source\tseen.where\nx.org\tIntel::DOMAIN\tfeed\tSSL::IN_SERVER_NAME\ny.org\tIntel::DOMAIN\n")
        let (report, _) = try importPack(.zeekIntel, zeek, in: folder)
        #expect(issues(report, line: 1).first?.contains("note: column 'seen.where' is not read") == true)
        #expect(issues(report, line: 3).first?.contains("2 fields where the #fields header names 4") == true)
        // MISP: JSON that is not an event.
        let notEvent = try folder.write("not-event.json", "{\"hello\": [1, 2, 3]}")
        #expect(failure(.misp, notEvent, in: folder)?.contains("no MISP event found") == true)
        // MISP: attributes of the wrong shape are reported, the rest imported.
        let odd = try folder.write("odd.json", """
            {"Event": {"uuid": "11111111-2222-4333-8444-555555555555", "info": "odd",
             "Attribute": [42, {"type": "domain"}, {"uuid": "11111111-2222-4333-8444-555555555556", "type": "domain", "value": "ok.example.net"}],
             "Object": "nope"}}
            """)
        let (oddReport, _) = try importPack(.misp, odd, in: folder)
        #expect(oddReport.indicatorsImported == 1)
        #expect(oddReport.issues.filter { $0.kind == .error }.count == 3)
        // An existing pack folder is never overwritten.
        var options = ImportOptions(format: .misp)
        options.date = "2026-12-01"
        let existing = folder.file("existing")
        _ = try RuleImporter.run(inputPath: odd, packPath: existing, options: options)
        #expect(throws: ImportFailure.self) { _ = try RuleImporter.run(inputPath: odd, packPath: existing, options: options) }
        #expect(FileManager.default.fileExists(atPath: existing + "/pack.yaml"))
    }
}
