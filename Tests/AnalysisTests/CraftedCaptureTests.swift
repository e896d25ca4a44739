import Foundation
import Testing
import Flows
import Reports

/// Every link type and encapsulation, from the crafted captures and their
/// expected flows (Captures/crafted/expected.json, written by make-crafted.py).
struct CraftedCaptureTests {
    struct Expected: Decodable {
        struct File: Decodable {
            var total_packets: Int
            var non_ip_packets: Int
            var undecodable_packets: Int
            var flows: [Flow]
        }
        struct Flow: Decodable {
            var `case`: String?
            var proto: String
            var src_ip: String
            var src_port: Int
            var dst_ip: String
            var dst_port: Int
            var packets_c2s: Int
            var packets_s2c: Int
            var vlan: [Int]?
            var tunnel: String?
        }
        var files: [String: File]
    }

    /// expected.json (make-crafted.py) and expected-links-tunnels.json (make-links-tunnels.py).
    static let expected: Expected = {
        var files: [String: Expected.File] = [:]
        for name in ["expected.json", "expected-links-tunnels.json"] {
            let data = try! Data(contentsOf: Paths.crafted.appendingPathComponent(name))
            files.merge(try! JSONDecoder().decode(Expected.self, from: data).files) { first, _ in first }
        }
        return Expected(files: files)
    }()

    static let fileNames = expected.files.keys.sorted()

    @Test(arguments: fileNames)
    func craftedCaptureGivesTheExpectedFlows(_ name: String) throws {
        let file = try #require(Self.expected.files[name])
        let (reports, summary) = analyze([Paths.crafted.appendingPathComponent(name).path])
        #expect(summary.inputErrors.isEmpty)
        #expect(summary.packets == UInt64(file.total_packets))
        #expect(summary.nonIPTotal == UInt64(file.non_ip_packets))
        #expect(summary.undecodableTotal == UInt64(file.undecodable_packets))
        #expect(summary.flowPackets + summary.nonIPTotal + summary.undecodableTotal == summary.packets)
        #expect(reports.count == file.flows.count)
        for flow in file.flows {
            let match = reports.first {
                ProtocolNames.name($0.summary.proto) == flow.proto
                    && $0.summary.clientAddress.description == flow.src_ip && Int($0.summary.clientPort) == flow.src_port
                    && $0.summary.serverAddress.description == flow.dst_ip && Int($0.summary.serverPort) == flow.dst_port
            }
            let found = try #require(match, "\(name): no flow for case \(flow.case ?? "?") \(flow.src_ip):\(flow.src_port) -> \(flow.dst_ip):\(flow.dst_port)")
            #expect(Int(found.summary.c2s.packets) == flow.packets_c2s, "\(flow.case ?? "")")
            #expect(Int(found.summary.s2c.packets) == flow.packets_s2c, "\(flow.case ?? "")")
            #expect(found.summary.vlans.map(Int.init) == (flow.vlan ?? []), "\(flow.case ?? "")")
            #expect(found.summary.tunnel?.kind.name == flow.tunnel, "\(flow.case ?? "")")
        }
    }

    @Test func nanosecondCapturesKeepTheirDigits() throws {
        let (reports, _) = analyze([Paths.crafted.appendingPathComponent("nanosecond.pcap").path])
        let line = JSONLinesWriter.line(for: try #require(reports.first))
        // Nine fractional digits, and the sub-microsecond part is not lost.
        let firstSeen = try #require(line.split(separator: ",").first { $0.hasPrefix("\"first_seen\"") })
        #expect(firstSeen.count == "\"first_seen\":\"2023-11-14T22:15:06.123456789Z\"".count)
        let (micro, _) = analyze([Paths.crafted.appendingPathComponent("bigendian.pcap").path])
        #expect(JSONLinesWriter.line(for: try #require(micro.first)).contains(".000000Z\""))
    }
}
