import Foundation
import Testing

/// `cipherscope extract`: the packets of selected flows as pcapng, read back with
/// libpcap (analyze) and, when installed, with tshark and capinfos.
struct ExtractCommandTests {
    /// The flow records of `captures`, as analyze reports them.
    static func analyze(_ captures: [String]) throws -> [[String: Any]] {
        let result = try Runner.run(["analyze", "--format", "jsonl", "-q"] + captures)
        #expect(result.status == 0, "\(result.stderr)")
        return result.flows
    }

    static func packets(_ flow: [String: Any]) -> Int {
        (flow["packets_c2s"] as? Int ?? 0) + (flow["packets_s2c"] as? Int ?? 0)
    }

    /// What must survive the round trip: endpoints, counts, server name, label.
    static func identity(_ flow: [String: Any]) -> String {
        let tls = flow["tls"] as? [String: Any]
        return ["proto", "src_ip", "src_port", "dst_ip", "dst_port", "packets_c2s", "packets_s2c", "bytes_c2s", "bytes_s2c", "platform"]
            .map { "\(flow[$0] ?? "-")" }.joined(separator: " ") + " sni=\(tls?["sni"] ?? "-")"
    }

    /// tshark's per-packet comments, nil (with a note) when tshark is not installed.
    static func comments(_ file: URL) -> [String]? {
        guard let tshark = Shell.which("tshark") else {
            print("tshark not installed: the tshark checks of extract are skipped")
            return nil
        }
        let output = Shell.run([tshark, "-r", file.path, "-T", "fields", "-e", "frame.comment"])
        #expect(output.status == 0, "\(output.stderr)")
        return output.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    @Test func platformFlowsRoundTripThroughTheExtract() throws {
        let scratch = try Runner.scratch()
        let out = scratch.appendingPathComponent("signal.pcapng")
        let original = try Self.analyze([Runner.labCapture.path])
        let signal = original.filter { $0["platform"] as? String == "Signal" }
        #expect(signal.count >= 2)
        let result = try Runner.run(["extract", Runner.labCapture.path, "--platform", "Signal", "-o", out.path])
        #expect(result.status == 0, "\(result.stderr)")
        let expected = signal.reduce(0) { $0 + Self.packets($1) }
        #expect(result.stderr.contains("wrote \(expected) packets of \(signal.count) flows"))
        #expect(!result.stderr.contains("warning"))
        let mode = try FileManager.default.attributesOfItem(atPath: out.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        // Read back with libpcap: the same flows.
        let again = try Self.analyze([out.path])
        #expect(again.map(Self.identity).sorted() == signal.map(Self.identity).sorted())
        #expect(again.contains { ($0["tls"] as? [String: Any])?["sni"] as? String == "chat.signal.org" })

        // tshark: every packet names its flow; the file carries the custody comment.
        if let comments = Self.comments(out) {
            #expect(comments.count == expected)
            for flow in signal {
                let id = flow["flow_id"] as? Int ?? -1
                let named = comments.filter { $0.hasPrefix("cipherscope flow_id=\(id) ") }
                #expect(named.count == Self.packets(flow), "flow \(id)")
                #expect(named.allSatisfy { $0.contains("platform=Signal rule=") })
            }
        }
        if let capinfos = Shell.which("capinfos") {
            let info = Shell.run([capinfos, out.path]).stdout
            #expect(info.contains("Number of packets:   \(expected)") || info.contains("Number of packets:    \(expected)"), "\(info)")
            #expect(info.contains("cipherscope 0.1.0 extract"))
            #expect(info.contains("lab-basic.pcap sha256:"))
            #expect(info.contains("selection: --platform Signal"))
        }
    }

    @Test func flowAndCommunityIDSelectExactlyThatFlow() throws {
        let scratch = try Runner.scratch()
        let original = try Self.analyze([Runner.labCapture.path])
        let whatsapp = try #require(original.first { $0["platform"] as? String == "WhatsApp" })
        let id = try #require(whatsapp["flow_id"] as? Int)
        let community = try #require(whatsapp["community_id"] as? String)
        for (name, selector) in [("byid", ["--flow", String(id)]), ("bycommunity", ["--community-id", community])] {
            let out = scratch.appendingPathComponent("\(name).pcapng")
            let result = try Runner.run(["extract", Runner.labCapture.path, "-o", out.path] + selector)
            #expect(result.status == 0, "\(result.stderr)")
            let again = try Self.analyze([out.path])
            #expect(again.map(Self.identity) == [Self.identity(whatsapp)], "\(selector)")
            #expect(again.first?["community_id"] as? String == community)
            if let comments = Self.comments(out) {
                #expect(comments.count == Self.packets(whatsapp))
                #expect(comments.allSatisfy { $0.hasPrefix("cipherscope flow_id=\(id) ") && $0.contains("platform=WhatsApp") })
            }
        }
        // --sni narrows on label boundaries.
        let out = scratch.appendingPathComponent("sni.pcapng")
        let bySNI = try Runner.run(["extract", Runner.labCapture.path, "--sni", "whatsapp.com", "-o", out.path])
        #expect(bySNI.status == 0, "\(bySNI.stderr)")
        #expect(try Self.analyze([out.path]).map(Self.identity) == [Self.identity(whatsapp)])
    }

    @Test func emptySelectionAndExistingOutputAreRefused() throws {
        let scratch = try Runner.scratch()
        let out = scratch.appendingPathComponent("none.pcapng")
        let none = try Runner.run(["extract", Runner.labCapture.path, "--platform", "NoSuchPlatform", "-o", out.path])
        #expect(none.status == 1)
        #expect(none.stderr.contains("no flow matches the selection"))
        #expect(none.stderr.split(separator: "\n").count == 1, "\(none.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty)
        #expect(try Runner.run(["extract", Runner.labCapture.path, "-o", out.path]).status == 1)  // no selector

        let existing = scratch.appendingPathComponent("existing.pcapng")
        try Data("keep me".utf8).write(to: existing)
        let refused = try Runner.run(["extract", Runner.labCapture.path, "--platform", "Signal", "-o", existing.path])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("already exists"))
        #expect(try Data(contentsOf: existing) == Data("keep me".utf8))
        let forced = try Runner.run(["extract", Runner.labCapture.path, "--platform", "Signal", "-o", existing.path, "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try Self.analyze([existing.path]).count >= 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).sorted() == ["existing.pcapng"])
    }

    /// A peer capture with IPv4 and IPv6 fragments: every flow's frames, fragments
    /// included, exactly as counted.
    @Test(.enabled(if: Runner.peerCaptures != nil, "../shared/captures/ndpi is absent: the peer extract test is skipped"))
    func peerCaptureFragmentsAreExtractedExactly() throws {
        let capture = try #require(Runner.peerCaptures).appendingPathComponent("dns_fragmented.pcap")
        try #require(FileManager.default.fileExists(atPath: capture.path), "dns_fragmented.pcap missing")
        let original = try Self.analyze([capture.path])
        let ids = original.compactMap { $0["flow_id"] as? Int }
        #expect(ids.count >= 10)
        let out = try Runner.scratch().appendingPathComponent("dns.pcapng")
        let result = try Runner.run(["extract", capture.path, "-o", out.path] + ids.flatMap { ["--flow", String($0)] })
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stderr.contains("warning"))
        let expected = original.reduce(0) { $0 + Self.packets($1) }
        #expect(result.stderr.contains("wrote \(expected) packets"))
        #expect(try Self.analyze([out.path]).map(Self.identity).sorted() == original.map(Self.identity).sorted())
        if let comments = Self.comments(out) { #expect(comments.count == expected) }
        // One fragmented flow alone: its fragments come with it.
        let first = try #require(original.first)
        let single = try Runner.scratch().appendingPathComponent("one.pcapng")
        #expect(try Runner.run(["extract", capture.path, "--flow", "\(first["flow_id"] ?? 0)", "-o", single.path]).status == 0)
        #expect(try Self.analyze([single.path]).map(Self.identity) == [Self.identity(first)])
    }

    /// Two inputs, one with nanosecond times: one interface each, times as precise as the source.
    @Test func inputsOfDifferentPrecisionGetAnInterfaceEach() throws {
        guard let editcap = Shell.which("editcap"), let capinfos = Shell.which("capinfos") else {
            print("editcap/capinfos not installed: the precision test of extract is skipped")
            return
        }
        let scratch = try Runner.scratch()
        let nanosecond = scratch.appendingPathComponent("ns.pcap")
        #expect(Shell.run([editcap, "-F", "nsecpcap", Runner.labCapture.path, nanosecond.path]).status == 0)
        let quic = Runner.packageRoot.appendingPathComponent("Captures/lab-quic.pcap").path
        let original = try Self.analyze([nanosecond.path, quic])
        let chosen = [try #require(original.first), try #require(original.first { ($0["source_file"] as? String)?.hasSuffix("lab-quic.pcap") == true })]
        let out = scratch.appendingPathComponent("mixed.pcapng")
        let result = try Runner.run(["extract", nanosecond.path, quic, "-o", out.path] + chosen.flatMap { ["--flow", "\($0["flow_id"] ?? 0)"] })
        #expect(result.status == 0, "\(result.stderr)")
        let info = Shell.run([capinfos, out.path]).stdout
        #expect(info.contains("Time precision = nanoseconds (9)") && info.contains("Time precision = microseconds (6)"), "\(info)")
        let again = try Self.analyze([out.path])
        #expect(again.map(Self.identity).sorted() == chosen.map(Self.identity).sorted())
        // The same instants (the extract is one pcapng file, so analyze shows nine digits for both).
        func instant(_ flow: [String: Any]) -> String { (flow["first_seen"] as? String ?? "").replacingOccurrences(of: "000Z", with: "Z") }
        #expect(again.map(instant).sorted() == chosen.map(instant).sorted())
    }

    /// A flow split by the active timeout: its first part's id takes every part, each packet named by its part.
    @Test func firstPartIDTakesEveryPartOfASplitFlow() throws {
        let options = ["--active-timeout", "0.001", "--threads", "2"]
        let result = try Runner.run(["analyze", "--format", "jsonl", "-q"] + options + [Runner.labCapture.path])
        let parts = result.flows.filter { $0["split_of"] as? Int == 1 }
        #expect(parts.count >= 3)
        let out = try Runner.scratch().appendingPathComponent("split.pcapng")
        let extract = try Runner.run(["extract", Runner.labCapture.path, "--flow", "1", "-o", out.path] + options)
        #expect(extract.status == 0, "\(extract.stderr)")
        let expected = parts.reduce(0) { $0 + Self.packets($1) }
        #expect(extract.stderr.contains("wrote \(expected) packets of \(parts.count) flows"), "\(extract.stderr)")
        #expect(!extract.stderr.contains("warning"))
        if let comments = Self.comments(out) {
            for part in parts {
                let id = part["flow_id"] as? Int ?? -1
                #expect(comments.filter { $0.hasPrefix("cipherscope flow_id=\(id) ") }.count == Self.packets(part), "part \(id)")
            }
        }
    }

    @Test func manifestRecordsTheInputsAndTheExtract() throws {
        let scratch = try Runner.scratch()
        let out = scratch.appendingPathComponent("signal.pcapng"), file = scratch.appendingPathComponent("custody.json")
        let result = try Runner.run(["extract", Runner.labCapture.path, "--platform", "Signal", "-o", out.path,
                                     "--manifest", file.path, "--case-id", "WG-7", "--operator", "J. Doe"])
        #expect(result.status == 0, "\(result.stderr)")
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any] ?? [:]
        #expect(manifest["case_id"] as? String == "WG-7" && manifest["operator"] as? String == "J. Doe")
        let inputs = manifest["inputs"] as? [[String: Any]] ?? []
        #expect(inputs.map { $0["sha256"] as? String } == [try CustodyManifestTests.sha256sum(Runner.labCapture).sha])
        let outputs = manifest["outputs"] as? [[String: Any]] ?? []
        #expect(outputs.map { $0["sha256"] as? String } == [try CustodyManifestTests.sha256sum(out).sha])
        #expect((manifest["rule_packs"] as? [Any])?.isEmpty == false)
    }

    @Test func timeRangeSelectsTheFlowsActiveInIt() throws {
        let all = try Self.analyze([Runner.labCapture.path])
        let scratch = try Runner.scratch()
        let out = scratch.appendingPathComponent("none.pcapng")
        let none = try Runner.run(["extract", Runner.labCapture.path, "--until", "2000-01-01", "-o", out.path])
        #expect(none.status == 1 && none.stderr.contains("no flow matches the selection (--until 2000-01-01T00:00:00.000000Z)"))
        #expect(!FileManager.default.fileExists(atPath: out.path))
        let every = try Runner.run(["extract", Runner.labCapture.path, "--from", "2000-01-01T00:00:00Z", "-o", out.path])
        #expect(every.status == 0, "\(every.stderr)")
        #expect(every.stderr.contains("of \(all.count) flows"))
    }
}
