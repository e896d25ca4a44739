import Testing
@testable import Dissectors

// Fixtures: payloads from nDPI's captures (tshark -e tcp.payload / -e udp.payload), cut to
// the bytes the checks read where the packet is long. Labels from the matching .out files.
private enum Fixture {
    /// whatsapp.pcap #3 + start of #4 (tcp/5222, flow labelled WhatsApp): "ED" 00 01, routing
    /// info length 4 (08 09 08 02), then "WA" 05 02.
    static let whatsAppEdge = "45440001" + "000004080908025741050200010e128b020a2038fbfa95e5bc0826562c295251"
    /// whatsapp.pcap #86: the 4-byte "WA" 05 02 segment.
    static let whatsAppPlain = "57410502"
    /// whatsapp_login_chat.pcap #8 (start): very old "WA" 01 05.
    static let whatsAppOld = "5741010500001af80501a59189fc126950686f6e652d322e31322e322d35323232"
    /// threema.pcap stream 0, 6th payload (38 bytes, LE length 36).
    static let threemaFrame = "24007b70596376dd7ee7197109c546b68e8e98320ffbe5b6c3de3cd464625e2bec1128897322"
    /// viber.pcap #428 (96-byte TCP, fc ff … 80) and #443 (24 bytes, same marker).
    static let viberTCPFCFF = "180000000000fcff05800900000000000000000033000000"
    /// viber.pcap #263 (20-byte UDP, bytes 2–3 = 09 00) and #262 (34 bytes, 19 00).
    static let viberUDP20 = "edf60900b339929163010000ac19358c8f64e447"
    static let viberUDP34 = "edf61900ac19358c8f64e44725df4d4ee1cd371b5c9abc26d9d30b4b01bb39b30000"
    /// discord.pcap #20 / #21: IP discovery request and reply (client 84.59.132.100:57955, the source port of #20).
    static let discordRequest = "000100460000ace3000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000006f74"
    static let discordResponse = "000200460000ace338342e35392e3133322e313030000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000e263"
    /// discord.pcap #8: 8-byte keep-alive.
    static let discordKeepAlive = "1337cafe0e000000"
    /// zoom.pcap #386 (start, udp/8801) and #396 (type 3).
    static let zoomHandshake = "0100027d464d35fffda234495d0d6d3b51e8960000000000000002007a002a"
    static let zoomType3 = "0300000001762a8d74005a0e3e"
    /// imo.pcap #3: 11 bytes starting 00 09 03.
    static let imoEleven = "000903219a020000000000"
}


@Suite struct MessagingFramingTests {
    @Test func whatsAppPrologues() {
        #expect(WhatsAppFraming.parsePrologue(hexBytes(Fixture.whatsAppEdge))
                == WhatsAppNoisePrologue(version: [5, 2], edgeRouting: true, routingInfoLength: 4))
        #expect(WhatsAppFraming.parsePrologue(hexBytes("45440001")) == WhatsAppNoisePrologue(edgeRouting: true))
        #expect(WhatsAppFraming.parsePrologue(hexBytes(Fixture.whatsAppPlain)) == WhatsAppNoisePrologue(version: [5, 2], edgeRouting: false))
        #expect(WhatsAppFraming.parsePrologue(hexBytes(Fixture.whatsAppOld))?.version == [1, 5])
        // platforms.md's current header, built here.
        #expect(WhatsAppFraming.parsePrologue([0x57, 0x41, 0x06, 0x03, 0x00, 0x00, 0x10])?.version == [6, 3])
        #expect(WhatsAppFraming.parsePrologue(Array("EDIT".utf8)) == nil)
        #expect(WhatsAppFraming.parsePrologue(hexBytes("4544000100000408090802" + "47455420")) == nil)  // not "WA" after routing
        #expect(WhatsAppFraming.parsePrologue([0x57]) == nil)
    }

    @Test func threema() {
        #expect(ThreemaFraming.handshakeMatches(payloadSizes: [48, 80, 191, 54, 444, 38]))
        #expect(!ThreemaFraming.handshakeMatches(payloadSizes: [48, 80]))
        #expect(!ThreemaFraming.handshakeMatches(payloadSizes: [517, 80, 191]))
        #expect(ThreemaFraming.frameLength(hexBytes(Fixture.threemaFrame)) == 36)
        #expect(ThreemaFraming.frameLength(Array(hexBytes(Fixture.threemaFrame).dropLast())) == nil)
    }

    @Test func viber() {
        #expect(ViberFraming.parseTCP(hexBytes(Fixture.viberTCPFCFF)) == ViberPacket(marker: .tcpFCFF))
        #expect(ViberFraming.parseTCP(Array(hexBytes(Fixture.viberTCPFCFF).dropLast())) == nil)
        #expect(ViberFraming.parseUDP(hexBytes(Fixture.viberUDP20)) == ViberPacket(marker: .udp0900))
        #expect(ViberFraming.parseUDP(hexBytes(Fixture.viberUDP34)) == ViberPacket(marker: .udp34))
        #expect(ViberFraming.parseUDP([1, 2, 3]) == nil)
    }

    @Test func discord() {
        #expect(DiscordFraming.parse(hexBytes(Fixture.discordRequest)) == .ipDiscoveryRequest(ssrc: 0xACE3))
        #expect(DiscordFraming.parse(hexBytes(Fixture.discordResponse))
                == .ipDiscoveryResponse(ssrc: 0xACE3, address: "84.59.132.100", port: 57955))
        #expect(DiscordFraming.parse(hexBytes(Fixture.discordKeepAlive)) == .keepAlive)
        #expect(DiscordFraming.parse(Array(hexBytes(Fixture.discordRequest).dropLast())) == nil)
    }

    @Test func zoomAndIMO() {
        #expect(ZoomFraming.parseSFU(hexBytes(Fixture.zoomHandshake)) == ZoomSFUPacket(sfuType: 1, isHandshake: true))
        #expect(ZoomFraming.parseSFU(hexBytes(Fixture.zoomType3)) == ZoomSFUPacket(sfuType: 3, isHandshake: false))
        #expect(ZoomFraming.parseSFU([0x80, 0x00, 0x02]) == nil)
        #expect(IMOFraming.match(hexBytes(Fixture.imoEleven)) == .elevenBytes000903)
        #expect(IMOFraming.match([0x07]) == .singleByte(7))
        #expect(IMOFraming.match(hexBytes("0902000000000000000000")) == nil)
    }

    @Test func lineCallPatterns() {
        // Built from the facts §8 patterns (line.pcap's matches need LINE IPs; none cut here).
        #expect(LINEFraming.match([0xB6, 0x07, 0x00, 0x04, 1, 2, 3, 4]) == .b6070004)
        #expect(LINEFraming.match([0xD0, 0xB3, 0x00]) == .d0Marker)
        #expect(LINEFraming.match([0xB6, 0x07, 0x00, 0x04, 1, 2, 3]) == nil)
    }

    @Test func robustness() {
        let fixtures = [Fixture.whatsAppEdge, Fixture.threemaFrame, Fixture.viberTCPFCFF, Fixture.viberUDP34,
                        Fixture.discordResponse, Fixture.zoomHandshake, Fixture.imoEleven].map(hexBytes)
        func runAll(_ input: [UInt8]) {
            _ = WhatsAppFraming.parsePrologue(input)
            _ = ThreemaFraming.frameLength(input)
            _ = ViberFraming.parseTCP(input)
            _ = ViberFraming.parseUDP(input)
            _ = DiscordFraming.parse(input)
            _ = ZoomFraming.parseSFU(input)
            _ = IMOFraming.match(input)
            _ = LINEFraming.match(input)
        }
        for fixture in fixtures {
            for end in 0...fixture.count { runAll(Array(fixture[0..<end])) }
        }
        var state: UInt64 = 0x4D53_4746
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11
        }
        for round in 0..<3000 {
            var mutated = fixtures[round % fixtures.count]
            for _ in 0..<(1 + Int(next() % 4)) {
                mutated[Int(next() % UInt64(mutated.count))] = UInt8(truncatingIfNeeded: next())
            }
            runAll(mutated)
        }
    }
}
