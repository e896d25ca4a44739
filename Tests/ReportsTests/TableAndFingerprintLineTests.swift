import Classifier
import Foundation
@testable import Inspection
@testable import Reports
import Testing
import Schema

/// The two projections for people: the table (at most 100 columns) and the
/// fingerprint lines.
struct TableAndFingerprintLineTests {
    @Test func tableFitsAHundredColumnsWhateverTheValues() {
        var evidence = FlowEvidence()
        evidence.appProto = .tls
        evidence.tls = TLSEvidence()
        evidence.tls?.sni = String(repeating: "very-long-label.", count: 10) + "example.org"
        var labelled = report(evidence: evidence, flow: summary(client: "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff", clientPort: 65535,
                                                                 server: "2001:db8:1111:2222:3333:4444:5555:6666", serverPort: 443))
        var classification = Classification()
        classification.platform = "A platform with a long name"
        labelled.classification = classification
        var icmp = report(flow: summary(proto: 1, firstSeen: -1))
        icmp.summary.c2s.ipBytes = 123_456_789
        let lines = TableWriter.render([labelled, icmp])
        for line in lines { #expect(line.count <= 100, "\(line.count): \(line)") }
        #expect(lines.first == "UTC      PLATFORM  CLIENT                SERVER                 PKTS >/<  BYTES WHAT")
        #expect(lines.contains("-- 2023-11-14") && lines.contains("-- 1969-12-31"))
        #expect(lines.last == "2 flows")
        // Long values lose their middle, so both ends stay readable.
        let row = lines[2]
        #expect(row == "22:13:20 A pl…name [2001:db8:…fff]:65535 [2001:db8:…:6666]:443       3/2   1500 very-long…ample.org")
        // No ports without a transport that has them; bytes in k/M/G beyond 99,999.
        #expect(lines[4] == "23:59:59 icmp      192.0.2.1             203.0.113.5                 3/2 123.5M ")
        #expect(TableWriter.render([]) == [lines[0], "0 flows"])
    }

    @Test func humanBytes() {
        #expect(TableWriter.humanBytes(0) == "0")
        #expect(TableWriter.humanBytes(99_999) == "99999")
        #expect(TableWriter.humanBytes(100_000) == "100.0k")
        #expect(TableWriter.humanBytes(999_449) == "999.4k")
        #expect(TableWriter.humanBytes(999_500) == "1.0M")
        #expect(TableWriter.humanBytes(1_030_000_000) == "1.0G")
        #expect(TableWriter.humanBytes(UInt64.max) == "18446744.1T")
    }

    @Test func fingerprintLine() throws {
        #expect(FingerprintLineWriter.line(for: report()) == nil)
        var evidence = FlowEvidence()
        evidence.appProto = .ssh
        #expect(FingerprintLineWriter.line(for: report(evidence: evidence)) == nil, "no fingerprint, no line")
        evidence.ja4t = "65495_2-4-8-1-3_65495_10"
        evidence.ssh = SSHEvidence()
        evidence.ssh?.hassh = "472b5de333ad665af5cbf10ff892c4df"
        evidence.ssh?.ja4ssh = ["c16s44_c6s5_c6s3", "c16s44_c6s5_c6s4"]
        evidence.tls = TLSEvidence()
        evidence.tls?.sni = "has space.example"
        let line = try #require(FingerprintLineWriter.line(for: report(evidence: evidence, flow: summary(client: "::1", server: "::2"))))
        #expect(line == "2023-11-14T22:13:20.123456Z tcp [::1]:40000 -> [::2]:443 ssh sni=\"has space.example\" ja4t=65495_2-4-8-1-3_65495_10 hassh=472b5de333ad665af5cbf10ff892c4df ja4ssh=c16s44_c6s5_c6s3 ja4ssh=c16s44_c6s5_c6s4")
        evidence.appProto = nil
        let icmp = try #require(FingerprintLineWriter.line(for: report(evidence: evidence, flow: summary(proto: 1))))
        #expect(icmp.hasPrefix("2023-11-14T22:13:20.123456Z icmp 192.0.2.1 -> 203.0.113.5 - sni="))
    }
}
