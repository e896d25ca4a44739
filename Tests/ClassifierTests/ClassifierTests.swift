import Testing
import Decoding
@testable import Flows
@testable import Inspection
import Rules
@testable import Classifier
import Schema

/// Labels by SNI suffix only: enough to exercise the classifier's own logic.
struct SNISource: CandidateSource {
    var suffix: String
    var platform: String
    func candidates(for facts: FlowFacts) -> [Candidate] {
        guard let sni = facts.text["tls.sni"]?.first, sni.hasSuffix(suffix) else { return [] }
        return [Candidate(platform: platform, service: "chat", confidence: .high, rule: "\(platform) SNI",
                          evidence: [EvidenceItem(field: "tls.sni", value: sni, rule: "\(platform) SNI")])]
    }
}

func flow(_ client: String, _ cport: UInt16, _ server: String, _ sport: UInt16, proto: UInt8 = 17, id: UInt64 = 1,
          seconds: Double = 1, c2s: (UInt64, UInt64) = (10, 1000), s2c: (UInt64, UInt64) = (10, 1000), lengths: [Int32] = []) -> FlowSummary {
    var up = DirectionCounters(), down = DirectionCounters()
    up.packets = c2s.0; up.payloadBytes = c2s.1; up.ipBytes = c2s.1 + 28 * c2s.0
    down.packets = s2c.0; down.payloadBytes = s2c.1; down.ipBytes = s2c.1 + 28 * s2c.0
    return FlowSummary(
        flowID: id, communityID: "", proto: proto, ipVersion: 4,
        clientAddress: IPAddress(client)!, clientPort: cport, serverAddress: IPAddress(server)!, serverPort: sport,
        vlans: [], tunnel: nil, firstSeen: 0, lastSeen: Int64(seconds * 1e9), c2s: up, s2c: down, tcp: [],
        icmpType: 0, icmpCode: 0, endReason: .eof, splitOf: 0, splitIndex: 0, payloadLengths: lengths, payloadGaps: [])
}

struct ClassifierTests {
    @Test func ownMatchThenInheritanceBySTUNAddresses() {
        let classifier = Classifier(source: SNISource(suffix: "signal.org", platform: "Signal"))
        var setup = FlowEvidence()
        setup.appProto = .dtls
        setup.tls = TLSEvidence()
        setup.tls?.sni = "turn.signal.org"
        setup.stun = STUNEvidence()
        setup.stun?.relayed = [TransportEndpoint(address: IPAddress("198.51.100.7")!, port: 50000)]
        let first = classifier.classify(flow("10.0.0.1", 4000, "198.51.100.7", 3478, id: 1), evidence: setup)
        #expect(first.platform == "Signal" && first.confidence == .high)
        #expect(first.evidence == [EvidenceItem(field: "tls.sni", value: "turn.signal.org", rule: "Signal SNI")])

        // Media to the relayed address: no own match, inherits at lowered confidence.
        let media = classifier.classify(flow("10.0.0.1", 4002, "198.51.100.7", 50000, id: 9, seconds: 30, c2s: (1500, 150_000), s2c: (1500, 150_000)), evidence: nil)
        #expect(media.platform == "Signal")
        #expect(media.service == "call")
        #expect(media.confidence == .medium)
        #expect(media.evidence.first?.crossFlow == "stun set-up of flow 1")
        #expect(media.activity == "voice-call")
    }

    @Test func sameClientToSameServerInherits() {
        let classifier = Classifier(source: SNISource(suffix: "whatsapp.net", platform: "WhatsApp"))
        var hello = FlowEvidence()
        hello.tls = TLSEvidence()
        hello.tls?.sni = "g.whatsapp.net"
        _ = classifier.classify(flow("10.0.0.2", 5000, "157.240.1.1", 443, proto: 6, id: 1), evidence: hello)
        let later = classifier.classify(flow("10.0.0.2", 5001, "157.240.1.1", 443, proto: 6, id: 2), evidence: nil)
        #expect(later.platform == "WhatsApp" && later.confidence == .medium)
        #expect(later.evidence.first?.crossFlow?.contains("same client") == true)
        // Another client does not inherit.
        let other = classifier.classify(flow("10.0.0.3", 5001, "157.240.1.1", 443, proto: 6, id: 3), evidence: nil)
        #expect(other.platform == nil)
    }

    @Test func activityHeuristics() {
        #expect(Activity.classify(flow("10.0.0.1", 1, "10.0.0.2", 2, c2s: (2, 40), s2c: (2, 40)), evidence: nil) == "keepalive")
        var media = FlowEvidence(); media.appProto = .rtp
        #expect(Activity.classify(flow("10.0.0.1", 1, "10.0.0.2", 2, seconds: 10, c2s: (500, 60_000), s2c: (500, 60_000)), evidence: media) == "voice-call")
        #expect(Activity.classify(flow("10.0.0.1", 1, "10.0.0.2", 2, seconds: 10, c2s: (600, 600_000), s2c: (300, 30_000)), evidence: media) == "video-call")
        var tls = FlowEvidence(); tls.appProto = .tls
        #expect(Activity.classify(flow("10.0.0.1", 1, "10.0.0.2", 443, proto: 6, seconds: 5, c2s: (400, 500_000), s2c: (200, 8_000)), evidence: tls) == "file-transfer")
        #expect(Activity.classify(flow("10.0.0.1", 1, "10.0.0.2", 443, proto: 6, seconds: 60, c2s: (30, 4_000), s2c: (30, 6_000), lengths: [200, -300, 150, -100, 90]), evidence: tls) == "chat")
        #expect(Activity.classify(flow("10.0.0.1", 1, "10.0.0.2", 443, proto: 6, seconds: 2, c2s: (30, 4_000), s2c: (120, 150_000), lengths: [200, -1400]), evidence: tls) == "web")
        #expect(Activity.classify(flow("10.0.0.1", 1, "10.0.0.2", 9, proto: 6, seconds: 2, c2s: (30, 4_000), s2c: (30, 4_000)), evidence: nil) == "unknown")
    }
}

/// The certificate subject's host name that stands in for an absent SAN list.
struct HostCommonNameTests {
    @Test func mostSpecificCommonNameWhenItIsAHostName() {
        #expect(FactsSink.hostCommonName("CN=chat.signal.org,O=Signal Messenger\\, LLC,C=US") == "chat.signal.org")
        #expect(FactsSink.hostCommonName("O=Example,CN=a.example") == "a.example")
        #expect(FactsSink.hostCommonName("CN=bücher.example") == "bücher.example")
        #expect(FactsSink.hostCommonName("CN=first.example,CN=second.example") == "first.example")
    }

    @Test func noHostNameWhereTheCommonNameIsNotOne() {
        for subject in ["", "CN=", "CN=localhost", "O=Example", "CN=a b.example", "CN=a\\,b.example", "CN=a+b.example", "cn=lower.example", ",,,"] {
            #expect(FactsSink.hostCommonName(subject) == nil, "\(subject)")
        }
    }
}
