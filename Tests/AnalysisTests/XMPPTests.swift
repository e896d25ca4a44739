import Analysis
import Classifier
import Foundation
import Testing
import Flows
import Inspection
import Reports
import Rules
import Schema

/// XMPP from `lab-xmpp.pcap` (`Captures/make-xmpp-capture.py`: Python sockets and
/// OpenSSL on loopback): a plain client stream, and one that turns into TLS after
/// STARTTLS, whose handshake is dissected as for TLS over TCP.
struct XMPPTests {
    static let path = Paths.captures.appendingPathComponent("lab-xmpp.pcap").path

    func flows() -> [FlowReport] {
        analyze([Self.path]).reports
    }

    /// With the shipped rule packs: labels and activity.
    func labelled() throws -> [FlowReport] {
        let rules = try PackCollection.load([Paths.packageRoot.appendingPathComponent("Rules").path]).rules
        let writer = CollectingWriter()
        _ = Analyzer(options: AnalysisOptions(), writer: writer, classifier: Classifier(source: rules)).run(paths: [Self.path])
        return writer.reports
    }

    @Test func plainStreamIsXMPP() throws {
        let plain = try #require(flows().first { $0.summary.serverPort == 5222 })
        let evidence = try #require(plain.evidence)
        #expect(evidence.appProto == .xmpp)
        #expect(evidence.tls == nil)
    }

    /// XMPP is a messaging transport for the activity heuristics.
    @Test func xmppFlowsAreChat() throws {
        let reports = try labelled()
        #expect(reports.count == 2)
        for flow in reports { #expect(flow.classification?.activity == "chat") }
    }

    @Test func startTLSHandshakeIsDissected() throws {
        let flow = try #require(flows().first { $0.summary.serverPort == 15222 })
        let evidence = try #require(flow.evidence)
        #expect(evidence.appProto == .xmpp)  // the flow stays XMPP; the TLS inside is its evidence
        let tls = try #require(evidence.tls)
        #expect(tls.sawClientHello && tls.sawServerHello)
        #expect(tls.sni == "xmpp.lab.example")
        #expect(tls.version == "1.2")
        #expect(tls.cipher == "c02c")
        #expect(tls.ja3 == "93c7d42c0df602fb91589311534831f5")
        #expect(tls.ja4 == "t13d181100_85036bcba153_d41ae481755e")
        #expect(tls.ja4s == "t120400_c02c_12a20535f9be")
        let certificate = try #require(tls.certificates.first)
        #expect(certificate.subject == "CN=xmpp.lab.example")
        #expect(certificate.san == ["xmpp.lab.example"])
    }

    /// nDPI's jabber.pcap: the tcp/5222 streams whose start was captured open with
    /// `<?xml …?><stream:stream`; the midstream ones cannot tell.
    @Test(.enabled(if: Paths.peerCaptures != nil, "../shared/captures/ndpi is absent"))
    func peerJabberStreams() throws {
        let folder = try #require(Paths.peerCaptures)
        let reports = analyze([folder.appendingPathComponent("jabber.pcap").path]).reports
        let started = reports.filter { $0.summary.serverPort == 5222 && $0.summary.tcp.contains(.syn) }
        #expect(started.count == 4)
        for flow in started { #expect(flow.evidence?.appProto == .xmpp) }
    }
}
