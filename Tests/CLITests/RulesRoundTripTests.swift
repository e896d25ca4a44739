import Foundation
import Testing

/// Export → import → analyze: the shipped packs sent through Suricata rules and a STIX
/// bundle and read back label the captures as the original packs do, for what the
/// format can express: no flow gets another platform or a label the packs would not
/// give; flows the packs label through conditions a format cannot carry (DNS names
/// learned from other flows, payload bytes, length sequences) stay unlabelled.
struct RulesRoundTripTests {
    static let shipped = Runner.packageRoot.appendingPathComponent("Rules").path

    static var captures: [String] {
        var paths = ["lab-basic.pcap", "lab-quic.pcap", "lab-xmpp.pcap"].map { Runner.packageRoot.appendingPathComponent("Captures/" + $0).path }
        if let peers = Runner.peerCaptures {
            for name in ["signal.pcap", "whatsapp_login_call.pcap", "telegram.pcap", "teams.pcap", "zoom.pcap", "quic.pcap", "wechat.pcap"] {
                let path = peers.appendingPathComponent(name).path
                if FileManager.default.fileExists(atPath: path) { paths.append(path) }
            }
        }
        return paths
    }

    /// flow_id → platform (nil when unlabelled) of every flow.
    static func platforms(rules: String, capture: String) throws -> [Int: String?] {
        let result = try Runner.run(["analyze", "-q", "--format", "jsonl", "--rules", rules, capture])
        #expect(result.status == 0, "\(capture): \(result.stderr)")
        var labels: [Int: String?] = [:]
        for line in result.stdout.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            labels[try #require(object["flow_id"] as? Int)] = object["platform"] as? String
        }
        return labels
    }

    @Test(arguments: ["suricata", "stix"])
    func exportedPacksReadBackLabelAsTheOriginals(_ format: String) throws {
        let folder = try Runner.scratch()
        let exported = folder.appendingPathComponent("shipped.\(format)").path
        let export = try Runner.run(["rules", "export", Self.shipped, "--to", format, "-o", exported, "-q"])
        #expect(export.status == 0, "\(export.stderr)")
        let pack = folder.appendingPathComponent("imported-\(format)").path
        let importRun = try Runner.run(["rules", "import", "--from", format, exported, "-o", pack])
        #expect(importRun.status == 0, "\(importRun.stderr)")
        var same = 0, lost = 0
        for capture in Self.captures {
            let original = try Self.platforms(rules: Self.shipped, capture: capture)
            let readBack = try Self.platforms(rules: pack, capture: capture)
            #expect(original.count == readBack.count)
            for (flow, platform) in readBack {
                guard let platform else { if original[flow] ?? nil != nil { lost += 1 }; continue }
                #expect(original[flow] ?? nil == platform, "\(format): \(capture) flow \(flow): \(platform) read back, \(String(describing: original[flow] ?? nil)) originally")
                same += 1
            }
        }
        // lab-basic alone has Signal and WhatsApp by SNI, both expressible in either format.
        #expect(same >= 2, "\(format): \(same) flows labelled the same, \(lost) lost")
    }
}
