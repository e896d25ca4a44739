import Testing
@testable import Dissectors
@testable import Inspection

/// The bounded DNS query list: a flood of distinct names keeps the first ones and counts the rest.
struct DNSBoundsTests {
    static func query(_ name: String, id: UInt16) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xFF), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        for label in name.split(separator: ".") { bytes.append(UInt8(label.utf8.count)); bytes += label.utf8 }
        return bytes + [0, 0, 1, 0, 1]
    }

    @Test func thousandDistinctNamesKeepSixtyFour() throws {
        var evidence = FlowEvidence()
        for index in 0..<1000 {
            let message = try #require(Self.query("n\(index).flood.test", id: UInt16(index)).withUnsafeBytes(DNSMessage.parse))
            _ = DNSUnit.record(message, into: &evidence)
        }
        let dns = try #require(evidence.dns)
        #expect(dns.queries.count == FlowInspector.Budget.recordedQueries)
        #expect(dns.queryCount == 1000)
        #expect(dns.queriesDropped == 1000 - FlowInspector.Budget.recordedQueries)
        // A repeat of a kept name is neither kept twice nor dropped.
        let again = try #require(Self.query("n0.flood.test", id: 1).withUnsafeBytes(DNSMessage.parse))
        _ = DNSUnit.record(again, into: &evidence)
        #expect(evidence.dns?.queriesDropped == 1000 - FlowInspector.Budget.recordedQueries)
    }

    /// Past the parse budget only the header is read: counted, never kept.
    @Test func headerOnlyCountingPastTheBudget() {
        var evidence = FlowEvidence()
        evidence.dns = DNSEvidence()
        Self.query("late.test", id: 7).withUnsafeBytes { DNSUnit.countUnparsed($0, into: &evidence) }
        [0x12, 0x34, 0x81, 0x80, 0, 1].withUnsafeBytes { DNSUnit.countUnparsed($0, into: &evidence) }  // short
        #expect(evidence.dns?.queryCount == 1)
        #expect(evidence.dns?.queriesDropped == 1)
    }

    /// The content test for DNS over TCP on other ports: a query, every prefix, and non-DNS.
    @Test func tcpQueryStartIsStrict() {
        let message = Self.query("tcp.test", id: 0x4242)
        let framed = [UInt8(message.count >> 8), UInt8(message.count & 0xFF)] + message
        #expect(framed.withUnsafeBytes(TCPQueryStart.judge) == .query)
        for length in 0..<framed.count {
            #expect(Array(framed.prefix(length)).withUnsafeBytes(TCPQueryStart.judge) != .query)
        }
        var response = framed
        response[4] |= 0x80
        #expect(response.withUnsafeBytes(TCPQueryStart.judge) == .notDNS)
        // A first byte no query length starts with (MTProto's abridged 0xef) is not held back.
        #expect([0xEF].withUnsafeBytes(TCPQueryStart.judge) == .notDNS)
        let text = Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        #expect(text.withUnsafeBytes(TCPQueryStart.judge) == .notDNS)
    }
}
