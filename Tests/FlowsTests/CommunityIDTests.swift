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

    /// pycommunityid (`communityid` 1.5) with seed 1, the reference CI compares against.
    @Test func icmpVectorsWithSeed() {
        let echo = CommunityID.compute(proto: 1, source: ip("192.168.0.89"), destination: ip("192.168.0.1"), sourcePort: 0, destinationPort: 0, icmpType: 8, icmpCode: 0, seed: 1)
        #expect(echo == "1:03g6IloqVBdcZlPyX8r0hgoE7kA=")
        let v6 = CommunityID.compute(proto: 58, source: ip("fe80::200:86ff:fe05:80da"), destination: ip("fe80::260:97ff:fe07:69ea"), sourcePort: 0, destinationPort: 0, icmpType: 128, icmpCode: 0)
        #expect(v6 == "1:QrVnZEjGihSsEkRF1XxqheQ1Za8=")
        #expect(CommunityID.compute(proto: 58, source: ip("fe80::200:86ff:fe05:80da"), destination: ip("fe80::260:97ff:fe07:69ea"), sourcePort: 0, destinationPort: 0, icmpType: 128, icmpCode: 0, seed: 1) == "1:l5D/vIzNArKXy6FzXaD++pkCJ0g=")
        // Port unreachable (3/3) is one-way.
        #expect(CommunityID.compute(proto: 1, source: ip("10.99.9.2"), destination: ip("10.99.9.1"), sourcePort: 0, destinationPort: 0, icmpType: 3, icmpCode: 3) == "1:SXdyOI4eNwLqEcvk0AfsbWGBs2U=")
        #expect(CommunityID.compute(proto: 1, source: ip("10.99.9.2"), destination: ip("10.99.9.1"), sourcePort: 0, destinationPort: 0, icmpType: 3, icmpCode: 3, seed: 1) == "1:sh51P9BEuOVr74OG+b5AKh90W8g=")
    }

    /// Flow keys: a request and its reply share one; identifiers and one-way messages split.
    @Test func icmpKeysFollowRequestReplyPairsAndIdentifiers() {
        let request = ICMPKeying.message(type: 8, code: 0, identifier: 5399, v6: false)
        let reply = ICMPKeying.message(type: 0, code: 0, identifier: 5399, v6: false)
        #expect(request.kind == reply.kind && request.detail == reply.detail && !request.isReply && reply.isReply)
        #expect(ICMPKeying.message(type: 8, code: 0, identifier: 5414, v6: false).detail != request.detail)
        #expect(ICMPKeying.message(type: 129, code: 0, identifier: 7, v6: true) == ICMPKeying.Message(kind: 0x100 | 128, detail: 7, isReply: true))
        // Timestamp 13/14 carries an identifier; router solicitation/advertisement 10/9 does not.
        #expect(ICMPKeying.message(type: 14, code: 0, identifier: 9, v6: false) == ICMPKeying.Message(kind: 0x100 | 13, detail: 9, isReply: true))
        #expect(ICMPKeying.message(type: 9, code: 0, identifier: 9, v6: false) == ICMPKeying.Message(kind: 0x100 | 10, detail: 0, isReply: true))
        // One-way: type and code; never the same kind as a pair.
        #expect(ICMPKeying.message(type: 3, code: 3, identifier: 0, v6: false) == ICMPKeying.Message(kind: 0x200 | 3, detail: 3, isReply: false))
        #expect(ICMPKeying.message(type: 1, code: 4, identifier: 0, v6: true) == ICMPKeying.Message(kind: 0x200 | 1, detail: 4, isReply: false))
    }

    @Test func base64MatchesTheStandardAlphabet() {
        #expect(CommunityID.base64([]) == "")
        #expect(CommunityID.base64(Array("f".utf8)) == "Zg==")
        #expect(CommunityID.base64(Array("fo".utf8)) == "Zm8=")
        #expect(CommunityID.base64(Array("foobar".utf8)) == "Zm9vYmFy")
    }
}
