import Foundation
import Testing
import Reports

/// The peer captures in ../shared/captures/ndpi with nDPI's expected results.
/// Skipped (with a message) where ../shared is absent, as on a newcomer's clone.
@Suite(.enabled(if: Paths.peerCaptures != nil, "../shared/captures/ndpi is absent: peer-capture tests skipped"))
struct PeerCaptureTests {
    /// capture name → packet count, from MANIFEST.md's table.
    static let manifest: [String: Int] = {
        guard let folder = Paths.peerCaptures,
              let text = try? String(contentsOf: folder.appendingPathComponent("MANIFEST.md"), encoding: .utf8)
        else { return [:] }
        var counts: [String: Int] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count > 4, let packets = Int(cells[3]) else { continue }
            counts[cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))] = packets
        }
        return counts
    }()

    static let captureNames: [String] = manifest.keys.sorted()

    @Test func manifestListsAllCaptures() {
        #expect(Self.manifest.count == 72)
    }

    /// Every capture reads without error, and every frame is accounted for: in a
    /// flow, non-IP, or undecodable; the total equals the capture's packet count.
    @Test(arguments: captureNames)
    func everyFrameIsAccountedFor(_ name: String) throws {
        let path = try #require(Paths.peerCaptures).appendingPathComponent(name).path
        let (reports, summary) = analyze([path])
        #expect(summary.inputErrors.isEmpty, "\(summary.inputErrors)")
        #expect(summary.packets == UInt64(Self.manifest[name] ?? -1))
        let inFlows = reports.reduce(UInt64(0)) { $0 + $1.summary.c2s.packets + $1.summary.s2c.packets }
        #expect(inFlows == summary.flowPackets)
        #expect(summary.flowPackets + summary.nonIPTotal + summary.undecodableTotal == summary.packets)
    }

    /// Flows of nDPI's .out files found by unordered 5-tuple (+ VLAN), and their
    /// per-direction packet counts: at least 99% found, 95% equal.
    @Test func flowsAgreeWithNDPI() throws {
        let folder = try #require(Paths.peerCaptures)
        var total = 0, found = 0, equal = 0
        var differences: [String] = []
        for name in Self.captureNames {
            let expected = try NDPIResult.flows(in: folder.appendingPathComponent(name + ".out"))
            let (reports, _) = analyze([folder.appendingPathComponent(name).path])
            for flow in expected {
                total += 1
                let matches = reports.filter { flow.matches($0.summary) }
                guard !matches.isEmpty else {
                    differences.append("\(name): missing \(flow.text)")
                    continue
                }
                found += 1
                // nDPI's first counter is from its first endpoint; sum over split parts.
                var fromFirst: UInt64 = 0, fromSecond: UInt64 = 0
                for report in matches {
                    let firstIsClient = flow.first.address == report.summary.clientAddress && flow.first.port == report.summary.clientPort
                    fromFirst += firstIsClient ? report.summary.c2s.packets : report.summary.s2c.packets
                    fromSecond += firstIsClient ? report.summary.s2c.packets : report.summary.c2s.packets
                }
                let same = flow.first == flow.second || flow.proto == "icmp" || flow.proto == "icmpv6"
                    ? fromFirst + fromSecond == flow.packets.0 + flow.packets.1
                    : (fromFirst, fromSecond) == flow.packets
                if same { equal += 1 } else { differences.append("\(name): packets \(flow.packets) vs ours \((fromFirst, fromSecond)) \(flow.text)") }
            }
        }
        let foundShare = Double(found) / Double(max(total, 1))
        let equalShare = Double(equal) / Double(max(found, 1))
        print("nDPI flows: \(total), found \(found) (\(foundShare * 100)%), equal packet counts \(equal) (\(equalShare * 100)%)")
        for difference in differences { print("  " + difference) }
        #expect(total > 800)
        #expect(foundShare >= 0.99)
        #expect(equalShare >= 0.95)
    }
}
