import Foundation
import Testing

/// The command line on a real capture: a Zeek Intel file naming the SNI of
/// Captures/lab-basic.pcap, imported, linted and used by `analyze`.
@Suite struct RoundTripTests {
    @Test func zeekIntelLabelsTheLabCapture() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let intel = try folder.write("lab.intel", "#separator \\x09\n#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\n"
            + "chat.signal.org\tIntel::DOMAIN\tlab\tthe lab capture's TLS server name\n"
            + "abcdef0123456789abcdef0123456789abcdef01\tIntel::CERT_HASH\tlab\tcertificate SHA-1\n")
        let pack = folder.file("lab-pack")
        let imported = try Binary.run(["rules", "import", "--from", "zeek-intel", intel, "-o", pack, "--platform", "LabImport", "--id", "org.example.lab-import"])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("imported 1 of 2 indicators"))
        #expect(imported.stderr.contains("\(intel):4:42: unsupported: Intel::CERT_HASH"), "\(imported.stderr)")
        let report = try String(contentsOfFile: pack + "/IMPORT-REPORT.txt", encoding: .utf8)
        #expect(report.contains("lab.intel:4:42: unsupported: Intel::CERT_HASH"))

        let lint = try Binary.run(["rules", "lint", pack])
        #expect(lint.status == 0 && lint.stderr.contains("0 errors, 0 warnings"), "\(lint.stdout)\(lint.stderr)")

        let analysis = try Binary.run(["analyze", "--rules", pack, "Captures/lab-basic.pcap"])
        #expect(analysis.status == 0, "\(analysis.stderr)")
        let flows = analysis.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let tls = flows.filter { ($0["tls"] as? [String: Any])?["sni"] as? String == "chat.signal.org" }
        #expect(!tls.isEmpty)
        for flow in tls {
            #expect(flow["platform"] as? String == "LabImport")
            #expect(flow["rules"] as? [String] == ["zeek-chat.signal.org"])
        }
        // Nothing else in the capture carries the name, so nothing else is labelled.
        let labelled = flows.filter { $0["platform"] as? String == "LabImport" }
        #expect(labelled.allSatisfy { flow in
            ((flow["tls"] as? [String: Any])?["sni"] as? String == "chat.signal.org")
                || ((flow["dns"] as? [String: Any])?["queries"] as? [[String: Any]])?.contains { $0["name"] as? String == "chat.signal.org" } == true
        })

        // A second import into the same folder is refused.
        let again = try Binary.run(["rules", "import", "--from", "zeek-intel", intel, "-o", pack])
        #expect(again.status != 0 && again.stderr.contains("already exists"))
        let badFormat = try Binary.run(["rules", "import", "--from", "openioc", intel, "-o", folder.file("x")])
        #expect(badFormat.status != 0 && badFormat.stderr.contains("unknown format"))
    }
}
