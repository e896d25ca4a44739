import Analysis
import Classifier
import Foundation
import Reports
import Rules
import Testing

/// Platform labels from the shipped packs on the peer captures: cross-flow
/// inheritance, and the cases where we disagree with nDPI and say why.
@Suite(.enabled(if: Paths.peerCaptures != nil, "../shared/captures/ndpi is absent: peer-capture tests skipped"))
struct PeerPlatformTests {
    static let rules: RuleSet? = try? PackCollection.load([Paths.packageRoot.appendingPathComponent("Rules").path]).rules

    func labelled(_ name: String) throws -> [FlowReport] {
        let rules = try #require(Self.rules)
        let path = try #require(Paths.peerCaptures).appendingPathComponent(name).path
        let writer = CollectingWriter()
        let analyzer = Analyzer(options: AnalysisOptions(), writer: writer, classifier: Classifier(source: rules))
        _ = analyzer.run(paths: [path])
        return writer.reports
    }

    /// stun_google_meet.pcapng: two bindings to Google's public STUN server
    /// (74.125.128.127:19302) end before the Meet set-up on the same local sockets; that
    /// server names no platform, the later set-up does: they are held back and inherit
    /// GoogleMeet from their socket (nDPI: GoogleCall), marked cross-flow at low confidence.
    @Test func earlierFlowsOfASocketInheritFromALaterSetUp() throws {
        let meet = try labelled("stun_google_meet.pcapng")
        let publicSTUN = meet.filter { $0.summary.serverAddress.description == "74.125.128.127" }
        #expect(publicSTUN.count == 2 && publicSTUN.allSatisfy { $0.summary.endReason == .idle })
        for report in publicSTUN {
            #expect(report.classification?.platform == "GoogleMeet")
            #expect(report.classification?.confidence == .low)
            #expect(report.classification?.evidence.first?.crossFlow?.hasPrefix("same local socket as the call set-up of flow") == true)
        }
    }

    /// dtls.pcap: a DTLS 1.3 flow between two local ports whose encrypted records begin like
    /// Viber's UDP header: the content is DTLS, so no framing rule fires (nDPI: DTLS).
    @Test func framingRulesDoNotFireOnDTLS() throws {
        let dtls = try labelled("dtls.pcap")
        let local = try #require(dtls.first { $0.summary.serverPort == 11111 })
        #expect(local.evidence?.appProto == .dtls)
        #expect(local.classification?.platform == nil)
    }

    /// Signal's call: the realm names the set-up flows; the flows on the same local
    /// sockets and to the same relays inherit, marked as cross-flow (nDPI: 21 SignalVoip).
    @Test func signalCallFlowsInheritFromTheSetUp() throws {
        let reports = try labelled("stun_signal.pcapng").filter { $0.summary.proto == 17 }
        #expect(reports.count >= 21)
        #expect(reports.allSatisfy { $0.classification?.platform == "Signal" })
        let inherited = reports.filter { $0.classification?.evidence.first?.crossFlow != nil }
        #expect(inherited.count >= 5)
        #expect(inherited.allSatisfy { $0.classification?.confidence == .medium || $0.classification?.confidence == .low })
        #expect(reports.contains { $0.classification?.evidence.contains { $0.field == "stun.realm" && $0.value == "signal.org" } == true })
    }

    @Test func whatsAppCallAndTeamsAreLabelled() throws {
        let call = try labelled("stun_wa_call.pcapng").filter { $0.summary.proto == 17 }
        #expect(call.filter { $0.classification?.platform == "WhatsApp" }.count >= 12)
        let teams = try labelled("teams.pcap")
        // TLS by address only: the certificate names Teams (SNI is the bare address).
        let byCertificate = teams.filter { $0.evidence?.tls?.sni == "52.114.250.152" }
        #expect(!byCertificate.isEmpty && byCertificate.allSatisfy { $0.classification?.platform == "Teams" })
        #expect(byCertificate.first?.classification?.evidence.contains { $0.field == "tls.certificates.san" } == true)
    }

    /// Where nDPI and we differ and we are right, with the evidence.
    @Test func disagreementsWithNDPIAreExplained() throws {
        // jabber.pcap: nDPI says Jabber for five tcp/5223 flows to 160.44.201.102 (Huawei
        // Cloud); their payload is a binary length-prefixed protocol (Huawei push also uses
        // 5223), no XML stream appears, so we give no XMPP label.
        let jabber = try labelled("jabber.pcap").filter { $0.summary.serverPort == 5223 }
        #expect(jabber.count == 6)
        for flow in jabber {
            #expect(flow.classification?.platform == nil)
            let first = flow.evidence?.firstPayloads[0] ?? []
            #expect(!first.isEmpty && first.first != UInt8(ascii: "<"))
        }
        // teams.pcap: nDPI's "Skype_Teams (DPI partial)" for Microsoft Stream and HockeyApp
        // telemetry: their SNIs name other Microsoft services, not Teams.
        let teams = try labelled("teams.pcap")
        for sni in ["api.microsoftstream.com", "euno-1.api.microsoftstream.com", "gate.hockeyapp.net"] {
            let flows = teams.filter { $0.evidence?.tls?.sni == sni }
            #expect(!flows.isEmpty)
            #expect(flows.allSatisfy { $0.classification?.platform != "Teams" })
        }
        // dns_ambiguous_names.pcap: nDPI says QQ for short.weixin.qq.com; "weixin" is WeChat.
        let ambiguous = try labelled("dns_ambiguous_names.pcap")
        let weixin = try #require(ambiguous.first { $0.evidence?.dns?.queries.first?.name == "short.weixin.qq.com" })
        #expect(weixin.classification?.platform == "WeChat")
    }
}
