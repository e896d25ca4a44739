import Decoding
import Foundation
@testable import Flows
@testable import Inspection
import Reports
import Testing

/// A flow summary with every field set; tests change what they look at.
func summary(client: String = "192.0.2.1", clientPort: UInt16 = 40000, server: String = "203.0.113.5", serverPort: UInt16 = 443,
             proto: UInt8 = 6, firstSeen: Int64 = 1_700_000_000_123_456_789, duration: Int64 = 1_500_000_000) -> FlowSummary {
    var up = DirectionCounters(), down = DirectionCounters()
    up.packets = 3; up.ipBytes = 300; up.payloadBytes = 180; up.tcpFlags = 0x1A
    down.packets = 2; down.ipBytes = 1200; down.payloadBytes = 1100; down.tcpFlags = 0x12
    return FlowSummary(
        flowID: 7, communityID: "1:abc+/=", proto: proto, ipVersion: client.contains(":") ? 6 : 4,
        clientAddress: IPAddress(client)!, clientPort: clientPort, serverAddress: IPAddress(server)!, serverPort: serverPort,
        vlans: [], tunnel: nil, firstSeen: firstSeen, lastSeen: firstSeen + duration, c2s: up, s2c: down, tcp: [.syn, .synAck, .established],
        icmpType: 0, icmpCode: 0, endReason: .fin, splitOf: 0, splitIndex: 0, payloadLengths: [180, -1100], payloadGaps: [0, 1500])
}

func report(sourceFile: String = "capture.pcap", evidence: FlowEvidence? = nil, flow: FlowSummary = summary(), nanosecond: Bool = false) -> FlowReport {
    FlowReport(summary: flow, sourceFile: sourceFile, firstFrame: 1, nanosecondTimes: nanosecond, evidence: evidence)
}

/// Checks that `bytes` is one JSON text as RFC 8259 requires it: valid UTF-8, no
/// raw control character (they may only appear escaped), and parsed by Foundation.
func parseStrictJSON(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) throws -> Any {
    #expect(String(validating: bytes, as: UTF8.self) != nil, "not valid UTF-8", sourceLocation: sourceLocation)
    #expect(!bytes.contains { $0 < 0x20 }, "a raw control character", sourceLocation: sourceLocation)
    return try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
}

/// A fresh scratch folder under the system's temporary folder.
func scratchFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("cipherscope-reports-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The file's permission bits.
func permissions(_ path: String) throws -> Int {
    try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
}

/// RFC 4180 records (fields may be quoted, with "" for a quote, and hold commas and line breaks).
func parseCSV(_ text: String) -> [[String]] {
    var records: [[String]] = [], record: [String] = [], field = ""
    var quoted = false, wasQuoted = false
    var scalars = Array(text.unicodeScalars)[...]
    while let scalar = scalars.popFirst() {
        if quoted {
            if scalar == "\"" {
                if scalars.first == "\"" { scalars.removeFirst(); field.unicodeScalars.append("\"") } else { quoted = false }
            } else {
                field.unicodeScalars.append(scalar)
            }
        } else if scalar == "\"" && field.isEmpty && !wasQuoted {
            quoted = true
            wasQuoted = true
        } else if scalar == "," {
            record.append(field); field = ""; wasQuoted = false
        } else if scalar == "\n" {
            record.append(field); records.append(record); record = []; field = ""; wasQuoted = false
        } else {
            field.unicodeScalars.append(scalar)
        }
    }
    if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
    return records
}
