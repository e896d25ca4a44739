import Foundation
import Testing

/// `--manifest FILE`: the chain-of-custody record, checked against `sha256sum`, the
/// pack manifests and `rules list`, on the bundled lab captures.
struct CustodyManifestTests {
    static let topKeys: Set<String> = [
        "manifest_format", "tool", "command_line", "case_id", "operator", "started_utc", "ended_utc", "inputs",
        "rule_packs", "marking", "pseudonymisation_key_id", "outputs", "summary",
    ]
    static let inputKeys: Set<String> = ["path", "size", "sha256", "first_packet_utc", "last_packet_utc", "packets"]
    static let packKeys: Set<String> = ["id", "version", "tlp", "manifest_sha256", "signing_key_id", "signature_verified", "path"]
    static func isRFC3339(_ text: String?) -> Bool {
        text?.wholeMatch(of: #/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/#) != nil
    }

    static func capture(_ name: String) -> URL { Runner.packageRoot.appendingPathComponent("Captures/\(name)") }

    /// `sha256sum`'s digest and the size of a file.
    static func sha256sum(_ url: URL) throws -> (sha: String, size: Int) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [url.path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let size = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as! Int
        return (String(text.prefix(64)), size)
    }

    static func manifest(_ url: URL) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }

    static func checkShape(_ manifest: [String: Any]) {
        #expect(Set(manifest.keys) == topKeys)
        #expect(manifest["manifest_format"] as? String == "cipherscope-custody/1")
        let tool = manifest["tool"] as! [String: Any]
        #expect(Set(tool.keys) == ["name", "version", "source_commit"])
        #expect(tool["name"] as? String == "cipherscope")
        for key in ["started_utc", "ended_utc"] { #expect(isRFC3339(manifest[key] as? String), "\(key)") }
        #expect((manifest["started_utc"] as! String) <= (manifest["ended_utc"] as! String))
        for input in manifest["inputs"] as! [[String: Any]] {
            let keys = Set(input.keys)
            #expect(keys == inputKeys || keys == inputKeys.union(["error"]), "\(keys)")
        }
        for pack in manifest["rule_packs"] as! [[String: Any]] { #expect(Set(pack.keys) == packKeys) }
        for output in manifest["outputs"] as! [[String: Any]] { #expect(Set(output.keys) == ["path", "size", "sha256"]) }
        #expect(Set((manifest["summary"] as! [String: Any]).keys) == ["flows", "packets", "input_errors"])
    }

    @Test func hashesAndSizesAreSha256sumsOfInputsAndOutputs() throws {
        let scratch = try Runner.scratch()
        let flows = scratch.appendingPathComponent("flows.jsonl")
        let stats = scratch.appendingPathComponent("stats.json")
        let file = scratch.appendingPathComponent("custody.json")
        let inputs = [Self.capture("lab-basic.pcap"), Self.capture("lab-quic.pcap")]
        let run = try Runner.run(["analyze", "--format", "jsonl", "-o", flows.path, "--stats", stats.path, "--manifest", file.path,
                                  "--case-id", "CASE-2026-17", "--operator", "A. Analyst"] + inputs.map(\.path))
        #expect(run.status == 0, "\(run.stderr)")
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let manifest = try Self.manifest(file)
        Self.checkShape(manifest)
        #expect(manifest["case_id"] as? String == "CASE-2026-17")
        #expect(manifest["operator"] as? String == "A. Analyst")
        #expect(manifest["pseudonymisation_key_id"] is NSNull)
        #expect((manifest["command_line"] as! [String]).suffix(2) == inputs.map(\.path))

        let listed = manifest["inputs"] as! [[String: Any]]
        #expect(listed.map { $0["path"] as! String } == inputs.map(\.path))
        for (entry, url) in zip(listed, inputs) {
            let expected = try Self.sha256sum(url)
            #expect(entry["sha256"] as? String == expected.sha)
            #expect(entry["size"] as? Int == expected.size)
            #expect((entry["packets"] as! Int) > 0)
            #expect(Self.isRFC3339(entry["first_packet_utc"] as? String))
            #expect((entry["first_packet_utc"] as! String) <= (entry["last_packet_utc"] as! String))
        }
        let outputs = manifest["outputs"] as! [[String: Any]]
        #expect(outputs.map { $0["path"] as! String } == [flows.path, stats.path])
        for (entry, url) in zip(outputs, [flows, stats]) {
            let expected = try Self.sha256sum(url)
            #expect(entry["sha256"] as? String == expected.sha)
            #expect(entry["size"] as? Int == expected.size)
        }
        let summary = manifest["summary"] as! [String: Any]
        let runStats = try Self.manifest(stats)
        #expect(summary["flows"] as? Int == runStats["flows"] as? Int)
        #expect(summary["packets"] as? Int == runStats["packets"] as? Int)
        #expect(summary["flows"] as? Int == (try String(contentsOf: flows, encoding: .utf8)).split(separator: "\n").count)
        #expect((summary["input_errors"] as! [String]).isEmpty)

        // The commit is the checkout's HEAD (the test binary and cipherscope sit in its .build).
        let git = Process()
        git.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        git.arguments = ["-C", Runner.packageRoot.path, "rev-parse", "HEAD"]
        let out = Pipe()
        git.standardOutput = out
        git.standardError = FileHandle.nullDevice
        if (try? git.run()) != nil {
            let head = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            git.waitUntilExit()
            if git.terminationStatus == 0 { #expect((manifest["tool"] as! [String: Any])["source_commit"] as? String == head) }
        }
        let version = try Runner.run(["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect((manifest["tool"] as! [String: Any])["version"] as? String == version)
    }

    @Test func shippedPacksAreListedAsRulesListAndTheirManifestsSay() throws {
        let scratch = try Runner.scratch()
        let file = scratch.appendingPathComponent("m.json")
        let run = try Runner.run(["analyze", "-q", "-o", "/dev/null", "--manifest", file.path, Self.capture("lab-ssh.pcap").path])
        #expect(run.status == 0, "\(run.stderr)")
        let manifest = try Self.manifest(file)
        let packs = manifest["rule_packs"] as! [[String: Any]]
        // `rules list` prints "pack ID VERSION: NAME (tlp T)" for each pack.
        let list = try Runner.run(["rules", "list"])
        let listed = list.lines.filter { $0.hasPrefix("pack ") }.map { line -> String in
            let words = line.split(separator: " ")
            let tlp = line.split(separator: "(tlp ").last!.dropLast()
            return "\(words[1]) \(words[2].dropLast()) TLP:\(tlp.uppercased())"
        }
        #expect(!packs.isEmpty)
        #expect(packs.map { "\($0["id"]!) \($0["version"]!) \($0["tlp"]!)" } == listed)
        for pack in packs {
            let folder = URL(fileURLWithPath: pack["path"] as! String)
            // The shipped packs carry no pack.sig: unsigned.
            let signed = FileManager.default.fileExists(atPath: folder.appendingPathComponent("pack.sig").path)
            #expect(signed == false)
            #expect(pack["signing_key_id"] as? String == "unsigned")
            #expect(pack["signature_verified"] as? Bool == false)
            #expect(pack["manifest_sha256"] as? String == (try Self.sha256sum(folder.appendingPathComponent("pack.yaml"))).sha)
            let yaml = try String(contentsOf: folder.appendingPathComponent("pack.yaml"), encoding: .utf8)
            #expect(yaml.contains("id: \(pack["id"]!)"))
        }
        // The marking is the most restrictive pack TLP (all shipped packs are clear).
        #expect(manifest["marking"] as? String == "TLP:CLEAR")
        Self.checkShape(manifest)
    }

    @Test func signedPackGivesItsKeyIdAndTheMostRestrictiveMarking() throws {
        let scratch = try Runner.scratch()
        let pack = scratch.appendingPathComponent("pack")
        try FileManager.default.copyItem(at: Runner.packageRoot.appendingPathComponent("Rules/examples/template"), to: pack)
        let privateKey = scratch.appendingPathComponent("k.key"), publicKey = scratch.appendingPathComponent("k.pub")
        let keygen = try Runner.run(["rules", "keygen", "--private-key", privateKey.path, "--public-key", publicKey.path])
        #expect(keygen.status == 0, "\(keygen.stderr)")
        // "public key ID written to …"
        let keyID = String(keygen.stdout.split(separator: " ")[2])
        let sign = try Runner.run(["rules", "sign", pack.path, "--key", privateKey.path])
        #expect(sign.status == 0 && sign.stdout.contains(keyID), "\(sign.stdout)\(sign.stderr)")
        let yaml = try String(contentsOf: pack.appendingPathComponent("pack.yaml"), encoding: .utf8)
        let file = scratch.appendingPathComponent("m.json")
        let run = try Runner.run(["analyze", "-q", "-o", "/dev/null", "--rules", pack.path, "--trust", publicKey.path,
                                  "--manifest", file.path, Self.capture("lab-basic.pcap").path])
        #expect(run.status == 0, "\(run.stderr)")
        let manifest = try Self.manifest(file)
        Self.checkShape(manifest)
        let packs = manifest["rule_packs"] as! [[String: Any]]
        #expect(packs.count == 1)
        #expect(packs.first?["signing_key_id"] as? String == keyID)
        #expect(packs.first?["signature_verified"] as? Bool == true)
        #expect(yaml.contains("id: \(packs.first?["id"] as? String ?? "?")"))
        #expect(yaml.contains("version: \(packs.first?["version"] as? String ?? "?")"))
        let tlp = (packs.first?["tlp"] as? String ?? "").dropFirst(4).lowercased()
        #expect(yaml.contains("tlp: \(tlp)"))
        // With the shipped (clear) packs too, the marking is this pack's.
        let both = scratch.appendingPathComponent("both.json")
        _ = try Runner.run(["analyze", "-q", "-o", "/dev/null", "--rules", pack.path, "--rules", Runner.packageRoot.appendingPathComponent("Rules").path,
                            "--manifest", both.path, Self.capture("lab-basic.pcap").path])
        let bothManifest = try Self.manifest(both)
        #expect(bothManifest["marking"] as? String == packs.first?["tlp"] as? String)
        #expect((bothManifest["rule_packs"] as! [[String: Any]]).count == 4)
    }

    @Test func directoryDamagedAndMissingInputsAreListedAndTheManifestIsStillWritten() throws {
        let scratch = try Runner.scratch()
        let folder = scratch.appendingPathComponent("delivery")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in ["lab-ssh.pcap", "lab-quic.pcap"] {
            try FileManager.default.copyItem(at: Self.capture(name), to: folder.appendingPathComponent(name))
        }
        let damaged = scratch.appendingPathComponent("damaged.pcap")
        try Data(contentsOf: Runner.labCapture).prefix(5000).write(to: damaged)
        let missing = scratch.appendingPathComponent("missing.pcap")
        let file = scratch.appendingPathComponent("m.json")
        let run = try Runner.run(["analyze", "-q", "-o", "/dev/null", "--manifest", file.path, folder.path, damaged.path, missing.path])
        #expect(run.status == 2)
        let manifest = try Self.manifest(file)
        Self.checkShape(manifest)
        let inputs = manifest["inputs"] as! [[String: Any]]
        let byPath = Dictionary(uniqueKeysWithValues: inputs.map { ($0["path"] as! String, $0) })
        #expect(inputs.count == 4)
        for name in ["lab-quic.pcap", "lab-ssh.pcap"] {
            let url = folder.appendingPathComponent(name)
            let entry = try #require(byPath[url.path])
            #expect(entry["sha256"] as? String == (try Self.sha256sum(url)).sha)
            #expect(entry["error"] == nil)
        }
        let cut = try #require(byPath[damaged.path])
        #expect(cut["sha256"] as? String == (try Self.sha256sum(damaged)).sha)
        #expect(cut["size"] as? Int == 5000)
        #expect((cut["error"] as? String)?.contains("truncated") == true)
        #expect((cut["packets"] as! Int) > 0)
        let absent = try #require(byPath[missing.path])
        #expect(absent["sha256"] is NSNull && absent["size"] is NSNull && absent["first_packet_utc"] is NSNull)
        #expect(absent["error"] is String)
        #expect((manifest["summary"] as! [String: Any])["input_errors"] as? [String] == run.stderr.split(separator: "\n").map {
            String($0.dropFirst("cipherscope: error: ".count))
        })
        #expect((manifest["outputs"] as! [Any]).isEmpty)  // /dev/null is not a file
    }

    @Test func standardInputIsHashedAsRead() throws {
        let scratch = try Runner.scratch()
        let file = scratch.appendingPathComponent("m.json")
        let bytes = try Data(contentsOf: Runner.labCapture)
        let piped = try Runner.run(["analyze", "--format", "jsonl", "-q", "--manifest", file.path, "-"], stdin: bytes)
        let direct = try Runner.run(["analyze", "--format", "jsonl", "-q", Runner.labCapture.path])
        #expect(piped.status == 0)
        #expect(piped.lines.count == direct.lines.count)
        let input = (try Self.manifest(file)["inputs"] as! [[String: Any]]).first!
        #expect(input["path"] as? String == "-")
        #expect(input["sha256"] as? String == (try Self.sha256sum(Runner.labCapture)).sha)
        #expect(input["size"] as? Int == bytes.count)
    }

    @Test func noHalfFileAndNoSilentReplacement() throws {
        let scratch = try Runner.scratch()
        let flows = scratch.appendingPathComponent("flows.jsonl")
        // A folder that does not exist: refused before any work, nothing written.
        let nowhere = scratch.appendingPathComponent("no/such/folder/m.json")
        let refused = try Runner.run(["analyze", "-q", "-o", flows.path, "--manifest", nowhere.path, Runner.labCapture.path])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("manifest"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty)
        // An existing manifest is kept unless --force.
        let file = scratch.appendingPathComponent("m.json")
        try Data("earlier\n".utf8).write(to: file)
        let kept = try Runner.run(["analyze", "-q", "-o", flows.path, "--manifest", file.path, Runner.labCapture.path])
        #expect(kept.status == 1 && kept.stderr.contains("--force"))
        #expect(try String(contentsOf: file, encoding: .utf8) == "earlier\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path) == ["m.json"])
        let forced = try Runner.run(["analyze", "-q", "--force", "-o", flows.path, "--manifest", file.path, Runner.labCapture.path])
        #expect(forced.status == 0)
        Self.checkShape(try Self.manifest(file))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).sorted() == ["flows.jsonl", "m.json"])
        // --case-id without --manifest is a usage error.
        #expect(try Runner.run(["analyze", "--case-id", "X", Runner.labCapture.path]).status == 1)
    }

    @Test func fingerprintsRecordsItsLinesFile() throws {
        let scratch = try Runner.scratch()
        let lines = scratch.appendingPathComponent("fp.txt"), file = scratch.appendingPathComponent("m.json")
        let run = try Runner.run(["fingerprints", "-q", "-o", lines.path, "--manifest", file.path, Runner.labCapture.path])
        #expect(run.status == 0, "\(run.stderr)")
        let manifest = try Self.manifest(file)
        Self.checkShape(manifest)
        #expect((manifest["rule_packs"] as! [Any]).isEmpty)
        #expect(manifest["marking"] is NSNull)
        let output = (manifest["outputs"] as! [[String: Any]]).first
        #expect(output?["sha256"] as? String == (try Self.sha256sum(lines)).sha)
    }
}
