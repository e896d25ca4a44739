import Foundation
import Testing

/// `cipherscope rules export`: files, modes, refusal to overwrite, the not-expressible list on standard error.
struct RulesExportCommandTests {
    static let testPack = Runner.packageRoot.appendingPathComponent("Tests/InteropTests/Packs/interop-test").path

    @Test func exportsEveryFormatAndListsWhatIsNotExpressed() throws {
        let folder = try Runner.scratch()
        for format in ["suricata", "zeek-intel", "misp", "stix"] {
            let output = folder.appendingPathComponent("out-\(format).txt").path
            let result = try Runner.run(["rules", "export", Self.testPack, "--to", format, "-o", output])
            #expect(result.status == 0, "\(format): \(result.stderr)")
            #expect(result.stderr.contains("not expressible in \(format): ex-handshake"))
            #expect(result.stderr.contains("cipherscope rules export: "))
            let mode = try FileManager.default.attributesOfItem(atPath: output)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            // An existing file is kept without --force.
            let again = try Runner.run(["rules", "export", Self.testPack, "--to", format, "-o", output, "-q"])
            #expect(again.status == 1 && again.stderr.contains("exists"))
            let forced = try Runner.run(["rules", "export", Self.testPack, "--to", format, "-o", output, "-q", "--force"])
            #expect(forced.status == 0)
            #expect(!forced.stderr.contains("not expressible in"))
        }
        // Suricata: the datasets beside the rules file, sids from --sid-base.
        let rules = folder.appendingPathComponent("lab.rules").path
        let suricata = try Runner.run(["rules", "export", Self.testPack, "--to", "suricata", "-o", rules, "--sid-base", "5000", "-q"])
        #expect(suricata.status == 0)
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("lab-cs-ex-front-doors-tls-sni.lst").path))
        #expect(try String(contentsOfFile: rules, encoding: .utf8).contains("sid:5000;"))
        let bad = try Runner.run(["rules", "export", Self.testPack, "--to", "snort", "-o", rules])
        #expect(bad.status != 0 && bad.stderr.contains("suricata, zeek-intel, misp, stix"))
    }
}
