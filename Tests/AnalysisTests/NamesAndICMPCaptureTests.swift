import Analysis
import Classifier
import Flows
import Foundation
import Reports
import Rules
import Testing

/// Certificate names (RFC 4514, name rules on DTLS) and ICMP flow keys on the captures made
/// by Captures/make-names-capture.sh and Captures/make-icmp-capture.sh.
struct NamesAndICMPCaptureTests {
    static let rules: RuleSet? = try? PackCollection.load([Paths.packageRoot.appendingPathComponent("Rules").path]).rules

    func labelled(_ path: String) throws -> [FlowReport] {
        let writer = CollectingWriter()
        let analyzer = Analyzer(options: AnalysisOptions(), writer: writer, classifier: Classifier(source: try #require(Self.rules)))
        _ = analyzer.run(paths: [path])
        return writer.reports
    }

    /// OpenSSL's DTLS 1.2 server with CN=*.discord.gg and no SAN: the CN feeds the name rules.
    @Test func dtlsCertificateNameLabelsTheFlow() throws {
        let reports = try labelled(Paths.captures.appendingPathComponent("lab-dtls-names.pcap").path)
        let dtls = try #require(reports.first { $0.summary.proto == 17 })
        #expect(dtls.evidence?.appProto == .dtls)
        #expect(dtls.evidence?.tls?.certificates.first?.subject == "CN=*.discord.gg")
        #expect(dtls.classification?.platform == "Discord")
        #expect(dtls.classification?.rules.first == "discord-domains")
    }

    /// Every string type and escape, as `openssl x509 -nameopt RFC2253` prints the same
    /// certificate (which writes non-ASCII as \XX escapes where we write UTF-8).
    @Test func certificateOfEveryStringTypeRendersAsRFC4514() throws {
        let reports = try labelled(Paths.captures.appendingPathComponent("lab-dtls-names.pcap").path)
        let tls = try #require(reports.first { $0.summary.proto == 6 })
        let certificate = try #require(tls.evidence?.tls?.certificates.first)
        let expected = "emailAddress=lab@names.example,CN=*.names.example+serialNumber=0123,"
            + "OU=\\#lead\\,plus\\+quote\\\"semi\\;\\<less\\>back\\\\slash\\ ,OU=Ünïcode ☃,O=Kakao Corp.,L=Zürich,ST=Bayern,C=DE"
        #expect(certificate.subject == expected)
        #expect(certificate.issuer == expected)
        // The TeletexString O still feeds the certificate rules (O=Kakao).
        #expect(tls.classification?.platform == "KakaoTalk")
    }

    /// Two ping processes (two identifiers), ping -6, and port-unreachable both ways: one flow
    /// each, as Zeek and Suricata key them, with the reference community_id.
    @Test func icmpFlowsAreKeyedByIdentifierAndTypeCode() {
        let path = Paths.captures.appendingPathComponent("lab-icmp.pcap").path
        let reports = analyze([path]).reports.map(\.summary)
        #expect(reports.count == 5)
        let echoes = reports.filter { $0.proto == 1 && $0.icmpType == 8 }
        #expect(echoes.map { [$0.c2s.packets, $0.s2c.packets] } == [[3, 3], [2, 2]])
        #expect(Set(echoes.map(\.communityID)) == ["1:/nN/OUWuk4DApUO2WUNYch+IS/Y="])
        let v6 = reports.filter { $0.proto == 58 }
        #expect(v6.map(\.icmpType) == [128, 1] && v6[0].s2c.packets == 2)
        let unreachable = reports.filter { $0.proto == 1 && $0.icmpType == 3 }
        #expect(unreachable.map(\.icmpCode) == [3] && unreachable.first?.communityID == "1:SXdyOI4eNwLqEcvk0AfsbWGBs2U=")
        // With a seed, as pycommunityid computes it.
        let seeded = analyze([path]) { $0.flowTable.communityIDSeed = 1 }.reports.map(\.summary)
        #expect(seeded.first { $0.icmpType == 3 }?.communityID == "1:sh51P9BEuOVr74OG+b5AKh90W8g=")
    }

    /// Tor's certificates (swift-certificates rejected them) and KakaoTalk's TeletexString
    /// names, on the peer captures.
    @Test(.enabled(if: Paths.peerCaptures != nil, "../shared/captures/ndpi is absent: skipped"))
    func peerCertificateNames() throws {
        let peers = try #require(Paths.peerCaptures)
        let tor = analyze([peers.appendingPathComponent("tor.pcap").path]).reports
        let torSubjects = tor.compactMap { $0.evidence?.tls?.certificates.first?.subject }
        #expect(torSubjects.count == 7)
        #expect(torSubjects.allSatisfy { $0.hasPrefix("CN=www.") && $0.hasSuffix(".net") })
        let kakao = analyze([peers.appendingPathComponent("KakaoTalk_chat.pcap").path]).reports
        let subjects = kakao.compactMap { $0.evidence?.tls?.certificates.first?.subject }
        #expect(subjects.contains("CN=*.kakao.com,O=Kakao Corp.,L=Seongnam-si,ST=Gyeonggi-do,C=KR"))
        #expect(!subjects.contains { $0.contains("ASN1Any") })
    }
}
