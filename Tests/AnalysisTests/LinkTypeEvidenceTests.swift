import Foundation
import Testing
import Flows
import Reports

/// The new link types and tunnels carry the inner flow's evidence through: the TLS
/// handshake (SNI chat.signal.org) and the DNS query of lab-basic.pcap, wrapped by
/// Captures/crafted/make-links-tunnels.py, and a real kernel's NFLOG records
/// (Captures/make-nflog-capture.sh). Flow tuples and counts are in CraftedCaptureTests.
struct LinkTypeEvidenceTests {
    static let wrapped = ["linktype-ppp.pcap", "linktype-ppp-hdlc.pcap", "linktype-chdlc.pcap", "encap-llc-snap.pcap",
                          "linktype-80211.pcap", "linktype-radiotap.pcap", "tunnels.pcap"]

    func lines(_ path: String) -> [String] {
        analyze([path]).reports.map { JSONLinesWriter.line(for: $0) }
    }

    @Test(arguments: wrapped)
    func innerTLSAndDNSEvidenceIsFound(_ name: String) {
        let found = lines(Paths.crafted.appendingPathComponent(name).path)
        let tls = found.filter { $0.contains("\"sni\":\"chat.signal.org\"") }
        let dns = found.filter { $0.contains("\"name\":\"chat.signal.org\"") && $0.contains("\"app_proto\":\"dns\"") }
        #expect(!tls.isEmpty || name == "encap-llc-snap.pcap", "\(name): no SNI")
        #expect(!dns.isEmpty || name == "encap-llc-snap.pcap", "\(name): no DNS query")
        #expect(tls.allSatisfy { $0.contains("\"ja4\":\"t13d") }, "\(name): JA4 of the real ClientHello")
    }

    @Test func everyTunnelIsRecordedWithItsInnerFlow() throws {
        let (reports, _) = analyze([Paths.crafted.appendingPathComponent("tunnels.pcap").path])
        let byType = Dictionary(grouping: reports.filter { $0.summary.tunnel != nil }) { $0.summary.tunnel!.kind.name }
        #expect(Set(byType.keys) == ["teredo", "ayiya", "gre_udp", "l2tp", "ipip"])
        let teredo = try #require(byType["teredo"]?.first)
        #expect(teredo.summary.clientAddress.description == "2001:db8:0:83::1" && teredo.summary.serverPort == 8443)
        #expect(teredo.summary.tunnel?.outerSource.description == "198.51.100.63")
        let l2tp = try #require(byType["l2tp"]?.first)
        #expect(l2tp.summary.tunnel.map { $0.id } == UInt32(7 << 16 | 9))
        let line = JSONLinesWriter.line(for: l2tp)
        #expect(line.contains("\"tunnel\":{\"type\":\"l2tp\",\"id\":458761,"))
    }

    @Test func nflogFromARealKernel() {
        let (reports, summary) = analyze([Paths.captures.appendingPathComponent("lab-nflog.pcap").path])
        #expect(summary.inputErrors.isEmpty)
        #expect(summary.undecodableTotal == 0 && summary.nonIPTotal == 0)
        #expect(summary.packets == 18 && reports.count == 2)
        let found = reports.map { JSONLinesWriter.line(for: $0) }
        #expect(found.contains { $0.contains("\"sni\":\"chat.signal.org\"") && $0.contains("\"src_ip\":\"127.0.0.1\"") })
        #expect(found.contains { $0.contains("\"name\":\"chat.signal.org\"") && $0.contains("\"src_ip\":\"::1\"") })
    }

    @Test func controlFramesOfTheOtherLinkTypesAreNamed() {
        let expected: [String: [String: UInt64]] = [
            "linktype-ppp.pcap": ["ppp_lcp": 1], "linktype-ppp-hdlc.pcap": ["ppp_ipcp": 1],
            "linktype-chdlc.pcap": ["cisco_slarp": 1], "encap-llc-snap.pcap": ["llc": 1],
        ]
        for (name, nonIP) in expected {
            let (_, summary) = analyze([Paths.crafted.appendingPathComponent(name).path])
            #expect(summary.nonIP == nonIP, "\(name)")
            #expect(summary.undecodableTotal == 0, "\(name)")
        }
    }

    @Test func wirelessFramesWithoutIPAreCountedByReason() {
        let (_, summary) = analyze([Paths.crafted.appendingPathComponent("linktype-80211.pcap").path])
        #expect(summary.nonIP == ["wlan_management": 1, "wlan_control": 1, "wlan_null_data": 1])
        #expect(summary.undecodable == ["wlan_protected": 1])
    }
}
