import Testing
@testable import Dissectors

// Fixtures: UDP payloads from nDPI's rtp.pcapng and rtcp_multiple_pkts_in_the_same_datagram.pcap;
// expected fields from tshark (`-d udp.port==6008,rtp -e rtp.*`, `-e rtcp.pt -e rtcp.senderssrc`).
private enum Fixture {
    /// rtp.pcapng #84: PT 111, seq 52690, ts 508637695, SSRC 0xb80974d8, one CSRC 0x11c.
    static let rtpWithCSRC = "816fcdd21e5131ffb80974d80000011c480be455bf14987c"
    /// rtcp_multiple_pkts_in_the_same_datagram.pcap #1: SR + SDES in one datagram.
    static let rtcpSenderReportAndSDES = "81c8000c5d931534dd3ac1704d614df800007d00000000c800007d0000000000000000010000000000000000000000000000000081ca000e5d931534010835643933313533340725467265655357495443482e6f7267202d2d20436f6d6520746f20436c7565436f6e2e636f6d000000"
    /// Same capture #2: RR + SDES (92 bytes).
    static let rtcpReceiverReportAndSDES = "81c9000701932db400000000010000010000bec200000001000000000000000081ca000e01932db40107313933326462340725467265655357495443482e6f7267202d2d20436f6d6520746f20436c7565436f6e2e636f6d00000000"
}


@Suite struct RTPTests {
    @Test func rtpHeaderWithCSRC() throws {
        guard case .rtp(let header)? = RTP.parse(hexBytes(Fixture.rtpWithCSRC)) else {
            Issue.record("not RTP")
            return
        }
        #expect(header.payloadType == 111)
        #expect(header.sequenceNumber == 52690)
        #expect(header.timestamp == 508_637_695)
        #expect(header.ssrc == 0xB809_74D8)
        #expect(!header.marker)
        #expect(header.csrcCount == 1)
        #expect(header.csrcs == [0x11C])
        #expect(header.headerLength == 16)
        #expect(header.payloadLength == 8)
    }

    @Test func rtpHeaderExtension() throws {
        // WhatsApp-style header (facts: first byte 0x90, PT 120, extension profile 0xDEBE), built here.
        let raw: [UInt8] = [0x90, 0xF8, 0x00, 0x01, 0, 0, 0x03, 0xC0, 0x11, 0x22, 0x33, 0x44,
                            0xDE, 0xBE, 0x00, 0x01, 0x10, 0x20, 0x30, 0x40, 0xAA]
        let header = try #require(RTP.parseRTPHeader(raw))
        #expect(header.marker)
        #expect(header.payloadType == 120)
        #expect(header.extensionProfile == 0xDEBE)
        #expect(header.extensionWords == 1)
        #expect(header.headerLength == 20)
        #expect(header.payloadLength == 1)
        // Extension longer than the packet.
        #expect(RTP.parseRTPHeader(Array(raw[0..<18])) == nil)
    }

    @Test func rtcpCompoundWalk() throws {
        guard case .rtcp(let compound)? = RTP.parse(hexBytes(Fixture.rtcpSenderReportAndSDES)) else {
            Issue.record("not RTCP")
            return
        }
        #expect(compound.packets.map(\.packetType) == [200, 202])
        #expect(compound.packets.map(\.typeName) == ["SR", "SDES"])
        #expect(compound.packets.first?.senderSSRC == 0x5D93_1534)
        #expect(compound.packets.first?.count == 1)
        #expect(compound.trailingBytes == 0)

        let second = try #require(RTP.parseRTCP(hexBytes(Fixture.rtcpReceiverReportAndSDES)))
        #expect(second.packets.map(\.packetType) == [201, 202])
        #expect(second.packets.first?.senderSSRC == 0x0193_2DB4)
        #expect(second.trailingBytes == 0)
    }

    @Test func rejectsNonRTP() {
        #expect(RTP.parse([0x00, 0x01, 0x00, 0x00] + Array(repeating: 0, count: 16)) == nil)   // STUN
        #expect(RTP.parse([0x16, 0xFE, 0xFD] + Array(repeating: 0, count: 20)) == nil)        // DTLS
        #expect(RTP.parse([0x80, 0x00, 0x00]) == nil)                                         // short
        #expect(RTP.parseRTCP([0x80, 0xC8, 0x00, 0x10, 0, 0, 0, 0]) == nil)                   // length past end
    }

    @Test func robustness() {
        let fixtures = [Fixture.rtpWithCSRC, Fixture.rtcpSenderReportAndSDES, Fixture.rtcpReceiverReportAndSDES].map(hexBytes)
        for fixture in fixtures {
            for end in 0...fixture.count {
                _ = RTP.parse(Array(fixture[0..<end]))
                _ = RTP.parseRTCP(Array(fixture[0..<end]))
            }
        }
        var state: UInt64 = 0x5254_5000
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11
        }
        for round in 0..<3000 {
            var mutated = fixtures[round % fixtures.count]
            for _ in 0..<(1 + Int(next() % 4)) {
                mutated[Int(next() % UInt64(mutated.count))] = UInt8(truncatingIfNeeded: next())
            }
            if case .rtcp(let compound)? = RTP.parse(mutated) {
                #expect(compound.packets.reduce(0) { $0 + $1.size } + compound.trailingBytes == mutated.count)
            }
        }
    }
}
