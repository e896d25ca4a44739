import Foundation
import Testing

/// `cipherscope pseudonymise` and `analyze --pseudonymise` on real captures: no real
/// address of the capture is left in any format, the pseudonyms are the command's,
/// the flows and labels are the same, and `--reverse` gives the originals back.
@Suite struct PseudonymiseCommandTests {
    /// The canonical Crypto-PAn key of the reference implementations.
    static let keyHex = "1522178d33a4cf80130a5b1649907d10d8988f837979652762574c2d2a842202"

    static func keyFile(in folder: URL) throws -> String {
        let path = folder.appendingPathComponent("case.key").path
        try (keyHex + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Captures to check: the lab capture, and peer captures with IPv6, STUN and DNS answers when present.
    static var captures: [URL] {
        var urls = [Runner.labCapture]
        if let peer = Runner.peerCaptures {
            for name in ["dns.pcap", "stun_signal.pcapng", "chrome.pcap", "tls_ech.pcapng"] {
                let url = peer.appendingPathComponent(name)
                if FileManager.default.fileExists(atPath: url.path) { urls.append(url) }
            }
        }
        return urls
    }

    @Test func vectorsAndErrors() throws {
        let folder = try Runner.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = try Self.keyFile(in: folder)
        let forward = try Runner.run(["pseudonymise", "--key", key, "128.11.68.132", "2001:db8::1", "::ffff:192.0.2.1", "nonsense", "64.39.15.238"])
        #expect(forward.status == 1)
        #expect(forward.lines == ["128.11.68.132 135.242.180.132", "2001:db8::1 4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1e",
                                  "::ffff:192.0.2.1 ::ffff:252.255.2.112", "64.39.15.238 0.219.7.41"])
        #expect(forward.stderr.contains("key id "))
        #expect(forward.stderr.contains("not an IP address: nonsense"))
        #expect(!forward.stderr.contains(Self.keyHex.prefix(8)))
        let back = try Runner.run(["pseudonymise", "--key", key, "--reverse", "-q"], stdin: Data("135.242.180.132\n4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1e\n".utf8))
        #expect(back.status == 0)
        #expect(back.lines == ["135.242.180.132 128.11.68.132", "4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1e 2001:db8::1"])
        let bad = folder.appendingPathComponent("bad.key").path
        try "1234\n".write(toFile: bad, atomically: true, encoding: .utf8)
        for arguments in [["pseudonymise", "--key", bad, "1.2.3.4"], ["analyze", "--pseudonymise", bad, Runner.labCapture.path],
                          ["pseudonymise", "--key", folder.appendingPathComponent("missing.key").path, "1.2.3.4"]] {
            let result = try Runner.run(arguments)
            #expect(result.status == 1)
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
            #expect(result.stderr.contains("pseudonymisation key \(arguments[2])"), "\(result.stderr)")
        }
    }

    /// Addresses (IPv4 or IPv6 text) in `text`, as whole tokens.
    static func addresses(in text: String) -> Set<String> {
        let pattern = try! NSRegularExpression(pattern: "(?<![0-9A-Za-z.:])(?:[0-9]{1,3}(?:\\.[0-9]{1,3}){3}|[0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7}(?::[0-9]{1,3}(?:\\.[0-9]{1,3}){3})?)(?![0-9A-Za-z.])")
        var found = Set<String>()
        for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            let token = String(text[Range(match.range, in: text)!])
            if token.contains(".") || token.split(separator: ":", omittingEmptySubsequences: false).count >= 3 { found.insert(token) }
        }
        return found
    }

    @Test(arguments: captures) func noRealAddressLeft(capture: URL) throws {
        let folder = try Runner.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = try Self.keyFile(in: folder)
        let plain = try Runner.run(["analyze", "--format", "jsonl", "-q", capture.path])
        #expect(plain.status == 0)
        // The real addresses: the tuple, tunnels, endpoints, answers — every address-looking token.
        let real = Self.addresses(in: plain.stdout).filter { $0.contains(".") || $0.contains("::") || $0.filter { $0 == ":" }.count == 7 }
        #expect(!real.isEmpty)
        let mapping = try Runner.run(["pseudonymise", "--key", key, "-q"] + real.sorted())
        #expect(mapping.status == 0, "\(mapping.stderr)")
        var pseudonym: [String: String] = [:]
        for line in mapping.lines {
            let parts = line.split(separator: " ")
            pseudonym[String(parts[0])] = String(parts[1])
        }
        for format in ["jsonl", "csv", "eve", "ecs", "table"] {
            let shared = try Runner.run(["analyze", "--format", format, "--pseudonymise", key, "--stats", folder.appendingPathComponent("stats-\(format).json").path, capture.path])
            #expect(shared.status == 0)
            let stats = try String(contentsOf: folder.appendingPathComponent("stats-\(format).json"), encoding: .utf8)
            let left = Self.addresses(in: shared.stdout + shared.stderr + stats).intersection(real)
                .filter { pseudonym[$0] != $0 }  // a fixed point would be a coincidence, not a leak
            #expect(left.isEmpty, "\(capture.lastPathComponent) \(format): real addresses left: \(left.sorted())")
        }
        // Record by record: the pseudonyms are the command's; everything else but community_id is the same.
        let shared = try Runner.run(["analyze", "--format", "jsonl", "--pseudonymise", key, "-q", capture.path])
        let (before, after) = (plain.flows, shared.flows)
        #expect(before.count == after.count)
        for (original, mapped) in zip(before, after) {
            for field in ["src_ip", "dst_ip"] {
                let address = original[field] as? String ?? ""
                #expect(mapped[field] as? String == pseudonym[address], "\(field) \(address)")
            }
            #expect(mapped["community_id"] as? String != original["community_id"] as? String)
            for field in ["src_port", "dst_port", "proto", "app_proto", "platform", "service", "confidence", "packets_c2s", "bytes_s2c"] {
                #expect("\(original[field] ?? "-")" == "\(mapped[field] ?? "-")", "\(field)")
            }
        }
        // And back.
        let pseudonyms = Set(after.flatMap { [$0["src_ip"] as? String ?? "", $0["dst_ip"] as? String ?? ""] })
        let back = try Runner.run(["pseudonymise", "--key", key, "--reverse", "-q"] + pseudonyms.sorted())
        for line in back.lines {
            let parts = line.split(separator: " ").map(String.init)
            #expect(pseudonym[parts[1]] == parts[0], "\(line)")
        }
    }

    /// `classify` (Suricata EVE of the lab capture) and `fingerprints` map the same addresses to the same pseudonyms.
    @Test func classifyAndFingerprints() throws {
        let folder = try Runner.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = try Self.keyFile(in: folder)
        let eve = Runner.packageRoot.appendingPathComponent("Tests/LogInputTests/Logs/lab-basic/eve.json").path
        let classified = try Runner.run(["classify", "--from", "eve", "--format", "jsonl", "--pseudonymise", key, eve])
        #expect(classified.status == 0)
        #expect(!classified.stdout.contains("127.0.0.1") && !classified.stderr.contains("127.0.0.1"))
        let analysed = try Runner.run(["analyze", "--format", "jsonl", "-q", "--pseudonymise", key, Runner.labCapture.path])
        let pairs = { (result: Runner.Result) in Set(result.flows.map { "\($0["src_ip"] ?? "") \($0["dst_ip"] ?? "") \($0["community_id"] ?? "")" }) }
        #expect(!pairs(classified).isEmpty)
        #expect(pairs(classified).isSubset(of: pairs(analysed)))
        let fingerprints = try Runner.run(["fingerprints", "-q", "--pseudonymise", key, Runner.labCapture.path])
        #expect(!fingerprints.stdout.isEmpty && !fingerprints.stdout.contains("127.0.0.1"))
        #expect(fingerprints.stdout.contains("33.0.243.129:"))
    }
}
