import Decoding
import Flows
import Foundation

/// A flow line of an nDPI expected-result file (see shared OUT-FORMAT.md).
struct NDPIResult {
    struct Endpoint: Equatable {
        var address: IPAddress
        var port: UInt16
        /// nDPI prints some IPv6 addresses with a second "::"; those match loosely.
        var loosePrefix: String?
    }

    var proto: String
    var first: Endpoint
    var second: Endpoint
    var vlan: UInt16?
    var packets: (UInt64, UInt64)
    var text: String
    /// The `[...]` fields after the addresses.
    var fields: String

    /// The value of a `[Name: value]` field, e.g. "JA4" or "Hostname/SNI".
    func field(_ name: String) -> String? {
        guard let start = fields.range(of: "[\(name): ") else { return nil }
        guard let end = fields[start.upperBound...].firstIndex(of: "]") else { return nil }
        return String(fields[start.upperBound..<end])
    }

    static let head = try! NSRegularExpression(pattern: #"^\t(\d+)\t(\S+) (\[[0-9a-fA-F:.]+\]|[0-9.]+):(\d+) (<->|->) (\[[0-9a-fA-F:.]+\]|[0-9.]+):(\d+) (.*)$"#)
    static let counts = try! NSRegularExpression(pattern: #"\[(\d+) pkts/(\d+) bytes (?:<->|->) (\d+) pkts/(\d+) bytes\]"#)
    static let vlanField = try! NSRegularExpression(pattern: #"^\[VLAN: (\d+)\]"#)

    static func flows(in url: URL) throws -> [NDPIResult] {
        let text = try String(contentsOf: url, encoding: .utf8)
        var flows: [NDPIResult] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let range = NSRange(line.startIndex..., in: line)
            guard let match = head.firstMatch(in: line, range: range) else { continue }
            func group(_ i: Int) -> String { String(line[Range(match.range(at: i), in: line)!]) }
            let rest = group(8)
            if rest.hasPrefix(" ") { continue }  // JA3 host statistics, not flows
            let restRange = NSRange(rest.startIndex..., in: rest)
            guard let countMatch = counts.firstMatch(in: rest, range: restRange) else { continue }
            func countGroup(_ i: Int) -> UInt64 { UInt64(rest[Range(countMatch.range(at: i), in: rest)!])! }
            var vlan: UInt16?
            if let v = vlanField.firstMatch(in: rest, range: restRange) { vlan = UInt16(rest[Range(v.range(at: 1), in: rest)!]) }
            let protoNames = ["TCP": "tcp", "UDP": "udp", "ICMP": "icmp", "ICMPV6": "icmpv6", "SCTP": "sctp", "IGMP": "2", "ESP": "50", "GRE": "47"]
            flows.append(NDPIResult(
                proto: protoNames[group(2)] ?? group(2).lowercased(),
                first: endpoint(group(3), group(4)), second: endpoint(group(6), group(7)),
                vlan: vlan, packets: (countGroup(1), countGroup(3)), text: String(line.prefix(140)), fields: rest))
        }
        return flows
    }

    static func endpoint(_ address: String, _ port: String) -> Endpoint {
        let bare = address.hasPrefix("[") ? String(address.dropFirst().dropLast()) : address
        if let parsed = IPAddress(bare) { return Endpoint(address: parsed, port: UInt16(port)!) }
        return Endpoint(address: .zero, port: UInt16(port)!, loosePrefix: String(bare.split(separator: ":", omittingEmptySubsequences: false).prefix(4).joined(separator: ":")))
    }

    func matches(_ flow: FlowSummary) -> Bool {
        let name = switch flow.proto { case 6: "tcp"; case 17: "udp"; case 1: "icmp"; case 58: "icmpv6"; case 132: "sctp"; default: String(flow.proto) }
        guard name == proto else { return false }
        if let vlan, !flow.vlans.contains(vlan) { return false }
        let client = Endpoint(address: flow.clientAddress, port: flow.clientPort)
        let server = Endpoint(address: flow.serverAddress, port: flow.serverPort)
        func same(_ a: Endpoint, _ b: Endpoint) -> Bool {
            if let prefix = a.loosePrefix { return b.port == a.port && b.address.description.hasPrefix(prefix) }
            return a == b
        }
        return (same(first, client) && same(second, server)) || (same(first, server) && same(second, client))
    }
}
