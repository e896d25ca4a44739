import Testing
import Decoding
@testable import Flows

/// Vectors from the Community ID spec's baseline and pycommunityid (seed 0 unless noted).
struct CommunityIDTests {
    func ip(_ text: String) -> IPAddress { IPAddress(text)! }

    @Test func udpAndTCPVectors() {
        #expect(CommunityID.compute(proto: 17, source: ip("192.168.1.52"), destination: ip("8.8.8.8"), sourcePort: 54585, destinationPort: 53) == "1:d/FP5EW3wiY1vCndhwleRRKHowQ=")
        #expect(CommunityID.compute(proto: 6, source: ip("128.232.110.120"), destination: ip("66.35.250.204"), sourcePort: 34855, destinationPort: 80) == "1:LQU9qZlK+B5F3KDmev6m5PMibrg=")
        #expect(CommunityID.compute(proto: 6, source: ip("128.232.110.120"), destination: ip("66.35.250.204"), sourcePort: 34855, destinationPort: 80, seed: 1) == "1:3V71V58M3Ksw/yuFALMcW0LAHvc=")
        // Either direction gives the same id.
        #expect(CommunityID.compute(proto: 6, source: ip("66.35.250.204"), destination: ip("128.232.110.120"), sourcePort: 80, destinationPort: 34855) == "1:LQU9qZlK+B5F3KDmev6m5PMibrg=")
    }

    @Test func protocolWithoutPorts() {
        #expect(CommunityID.compute(proto: 46, source: ip("192.168.1.1"), destination: ip("10.0.0.1"), sourcePort: 0, destinationPort: 0).hasPrefix("1:"))
    }

    @Test func icmpPairsRequestsWithReplies() {
        let request = CommunityID.compute(proto: 1, source: ip("192.168.0.89"), destination: ip("192.168.0.1"), sourcePort: 0, destinationPort: 0, icmpType: 8, icmpCode: 0)
        #expect(request == "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=")
        let reply = CommunityID.compute(proto: 1, source: ip("192.168.0.1"), destination: ip("192.168.0.89"), sourcePort: 0, destinationPort: 0, icmpType: 0, icmpCode: 0)
        #expect(reply == request)
        // Time exceeded is one-way: no reordering.
        #expect(CommunityID.compute(proto: 1, source: ip("10.0.0.1"), destination: ip("10.0.0.2"), sourcePort: 0, destinationPort: 0, icmpType: 11, icmpCode: 0) == "1:YHxtAirCG//0OzkcVAukqKQN9xM=")
    }

    @Test func base64MatchesTheStandardAlphabet() {
        #expect(CommunityID.base64([]) == "")
        #expect(CommunityID.base64(Array("f".utf8)) == "Zg==")
        #expect(CommunityID.base64(Array("fo".utf8)) == "Zm8=")
        #expect(CommunityID.base64(Array("foobar".utf8)) == "Zm9vYmFy")
    }
}
