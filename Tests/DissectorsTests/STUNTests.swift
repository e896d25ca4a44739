import Decoding
import Testing
@testable import Dissectors

// Fixtures are UDP/TCP payloads copied from nDPI's test captures
// (/work/shared/captures/ndpi, `tshark -r F -Y frame.number==N -T fields -e udp.payload`).
// Expected values were read from tshark's STUN dissector (-V) and the matching nDPI .out files.
private enum Fixture {
    /// stun_signal.pcapng #8: Binding success from Signal's relay 35.158.183.167:3478.
    static let signalBindingSuccess = "010100402112a44263683131376e5941793631300020000800010f637c3d45510001000800012e715d2fe113802b000800010d96239eb7a7802c000800010050239eb7a7802200044e6f6e6580280004c21ec848"
    /// stun_signal.pcapng #14: Allocate 401 with REALM signal.org.
    static let signalAllocate401 = "011300482112a442374359424e654c68457372650009001000000401556e617574686f72697a656400150010633866373363393736623032623963380014000a7369676e616c2e6f72670000802200044e6f6e658028000479938cf7"
    /// stun_signal.pcapng #20: Allocate success (relayed + mapped, lifetime 600).
    static let signalAllocateSuccess = "010300482112a4425344483967722b2b5578766d001600080001d5fa028c13e50020000800010f627c3d4551000d000400000258802200044e6f6e65000800146a67c4dabcb6aa237bef1128d0f595790a88ef3b80280004bfe35713"
    /// telegram_videocall.pcapng #612: CreatePermission, REALM telegram.org, XOR-PEER 10.46.103.200:42554.
    static let telegramCreatePermission = "0008006c2112a442373147436f7856674137343900120008000187282b3cc38a0006001d313634383035333935333a3733663830333863613635313032643562350000000014000c74656c656772616d2e6f726700150010393233636634613931326565633631310008001402ccc11692d0e2eec5fd0261c110cab299d06cdb"
    /// viber.pcap #459: Send indication whose DATA carries a Binding request.
    static let viberSendIndication = "001600702112a4426d3043434833617233536c70001200080001cebd33d1a03b001300600001004c2112a442494e347748735a2b3670326e000600096e2f2b663a4a477956000000c05700040003000a802a0008aa52f1901ec380a2002400046e7f21ff00080014ef7418e2f59b8754d995aba0b9193e3543e5bec78028000440669fad"
    /// viber.pcap #464: ChannelBind 0x4000 to 18.195.4.121:61359, REALM viber.com.
    static let viberChannelBind = "000900742112a4427963336b3971587859646f35000c000440000000001200080001cebd33d1a03b0006001e313731353337343838353a3539363936343334343937303136353830373200000014000976696265722e636f6d000000001500103639663465613130343234396264316500080014092db8b9d0cca4a8df485b9db10cb1489edbb777"
    /// stun.pcap #201: IPv6 Binding success (XOR-MAPPED, MAPPED, RESPONSE-ORIGIN, OTHER-ADDRESS).
    static let ipv6BindingSuccess = "010100682112a442377136702b4b4a37425343300020001400029acc0113af453d4cf76263ea5aa350746b2e000100140002bbde20010b070a3dc11248a110941227281e802b001400020d9626001900416059990000001900000000802c0014000200502600190041605999000000190000000080280004ce61014c"
    /// stun.pcap #200: TURN ChannelData on channel 0x4001 (48 bytes of RTCP inside).
    static let channelData = "4001003081ca0006000007d30a913aecc5fbcac8d0aef604bef80b1b0dfc369ee379bbec8ee96d75fa0e2a2c0b3ecc1a80000001"
    /// stun.pcap #3 (TCP payload, RFC 4571 framed): Skype/Teams ICE Binding request.
    static let teamsICEOverTCP = "0068000100542112a442f3439453b698fb2950bb06ed000600092f7049303a546f4564000000002400046e6bfcff80290008000000000004c2d18054000132000000807000040000000300080014fe92876ad46d7b797d42eb8d79a805faf31d72d1802800040200fc47"
    /// teams.pcap #1238: MS-TURN Allocate (MAGIC-COOKIE attr, MS-VERSION 6, MS-SERVICE-QUALITY video).
    static let msTURNAllocate = "000300302112a442b2343f6e67f41d58acba639f000f000472c64bc68037000400000002800800040000000680060004000000010010000400002ee08055000400020002"
    /// teams.pcap #1275: MS-TURN Allocate success, unpadded attributes (length 133).
    static let msTURNAllocateSuccess = "010300852112a442222fefc7f3924bd1b99727e4000f000472c64bc6000d00040000003c0001000800010d983472fa8d8008000400000006802000080001c1d571a76a0a805000189b713c623ac1bfbbf6d5237583afa6d318e146b40000000080220009322e302e312e3231310010000400002ee000080020affdc3c55c1f6d01a7ea3daf5997ead07e311ca91093584d7d833bfb5eb507a9"
    /// teams.pcap #1424: 12-byte FF 10 multiplexing header before a Binding success.
    static let msMultiplexed = "ff100060deaa296708f708fc010100442112a44281275a7e28b364d88f3d14f980700004000000070020000800012c851560584a8037000400000002803600040000000100080014998b53fec81f7d913f18f8cc4c645293987537ed802800043ea7ac36"
    /// stun_wa_call.pcapng #11: WhatsApp relay Allocate success with vendor attribute 0x4002.
    static let whatsAppAllocateSuccess = "010300302112a44270758b44c723a74ed1934a25002000080001d1247c310f41400200080000018660b8c82700080014aa7209cd6fe3d57f1cfd68312450d84c88c21b4e"
    /// whatsapp_voice_and_message.pcap #26: Allocate with one unpadded 102-byte 0x4000 attribute.
    static let whatsAppUnpadded = "0003006a2112a4420000d160e0ec785eac996a6c400000660100b2f3a431734fd3adf65555afde4c4643a213e87912e8459735685561ac67357fc456daf3234f93fcac0b22c19fa9f4d9685c8b484f4c4f06ca62c415a187cdeb3a8ebbdc5a977ca86c9aa09b81c632b045f14b51b40509664cd6b0dc4cca87bc0545adcd"
    /// stun_classic.pcap #1 and #2: RFC 3489 Binding request/response, no cookie.
    static let classicRequest = "000100089429ef88294dd52632c72931cb8dbb4c0003000400000000"
    static let classicResponse = "0101000c9429ef88294dd52632c72931cb8dbb4c000100080001d70aac103fe0"
    /// stun_tcp_multiple_msgs_same_pkt.pcap #5: three Allocate requests in one TCP segment.
    static let threeInOneSegment = "000300082112a442704b6e453952586746596c590019000411000000000300082112a442704b6e453952586746596c590019000411000000000300082112a442704b6e453952586746596c590019000411000000"
    /// stun.pcap #68: Allocate 401 from Facebook's TURN, REALM turner.facebook.
    static let facebook401 = "011300542112a442414b37515079504b396575560009001000000401756e617574686f72697a656400150028626230333164363163636331626538326532343031343433356564353266323666626136323438330014000f7475726e65722e66616365626f6f6b00"
}


private func ipv4(_ text: String) -> IPAddress {
    let parts = text.split(separator: ".").compactMap { UInt32($0) }
    return IPAddress(ipv4: parts.reduce(0) { $0 << 8 | $1 })
}

@Suite struct STUNTests {
    @Test func signalBindingSuccessAddresses() throws {
        let message = try #require(STUN.parse(hexBytes(Fixture.signalBindingSuccess)))
        #expect(message.messageClass == .successResponse)
        #expect(message.method == .binding)
        #expect(message.methodName == "binding")
        #expect(message.transactionID == "63683131376e594179363130")
        #expect(message.hasMagicCookie)
        #expect(message.attributeTypes == [0x0020, 0x0001, 0x802B, 0x802C, 0x8022, 0x8028])
        #expect(message.address(.xorMapped) == STUNAddress(kind: .xorMapped, address: ipv4("93.47.225.19"), port: 11889))
        #expect(message.address(.mapped) == STUNAddress(kind: .mapped, address: ipv4("93.47.225.19"), port: 11889))
        #expect(message.address(.responseOrigin)?.address == ipv4("35.158.183.167"))
        #expect(message.address(.responseOrigin)?.port == 3478)
        #expect(message.address(.otherAddress)?.port == 80)
        #expect(message.software == "None")
        #expect(message.hasFingerprint)
        #expect(!message.hasMessageIntegrity)
        #expect(STUN.looksLikeSTUN(hexBytes(Fixture.signalBindingSuccess)))
    }

    @Test func signalRealmAndError() throws {
        let message = try #require(STUN.parse(hexBytes(Fixture.signalAllocate401)))
        #expect(message.messageType == 0x0113)
        #expect(message.messageClass == .errorResponse)
        #expect(message.method == .allocate)
        #expect(message.errorCode == STUNErrorCode(code: 401, reason: "Unauthorized"))
        #expect(message.realm == "signal.org")
        #expect(message.hasNonce)
        #expect(message.platformHints == [.signal])
    }

    @Test func allocateSuccessRelayedAddressAndLifetime() throws {
        let message = try #require(STUN.parse(hexBytes(Fixture.signalAllocateSuccess)))
        #expect(message.address(.xorRelayed) == STUNAddress(kind: .xorRelayed, address: ipv4("35.158.183.167"), port: 62696))
        #expect(message.address(.xorMapped)?.port == 11888)
        #expect(message.lifetime == 600)
        #expect(message.hasMessageIntegrity)
    }

    @Test func telegramPeerAddressAndUsername() throws {
        let message = try #require(STUN.parse(hexBytes(Fixture.telegramCreatePermission)))
        #expect(message.method == .createPermission)
        #expect(message.methodName == "create-permission")
        #expect(message.address(.xorPeer) == STUNAddress(kind: .xorPeer, address: ipv4("10.46.103.200"), port: 42554))
        #expect(message.realm == "telegram.org")
        #expect(message.usernameLength == 29)
        #expect(message.platformHints == [.telegram])
    }

    @Test func sendIndicationCarriesInnerMessage() throws {
        let raw = hexBytes(Fixture.viberSendIndication)
        let message = try #require(STUN.parse(raw))
        #expect(message.messageClass == .indication)
        #expect(message.method == .send)
        #expect(message.address(.xorPeer)?.port == 61359)
        let offset = try #require(message.dataOffset)
        let length = try #require(message.dataLength)
        let inner = try #require(STUN.parse(Array(raw[offset..<offset + length])))
        #expect(inner.method == .binding)
        #expect(inner.messageClass == .request)
        #expect(inner.attributeTypes == [0x0006, 0xC057, 0x802A, 0x0024, 0x0008, 0x8028])
    }

    @Test func channelBindAndChannelData() throws {
        let message = try #require(STUN.parse(hexBytes(Fixture.viberChannelBind)))
        #expect(message.method == .channelBind)
        #expect(message.channelNumber == 0x4000)
        #expect(message.realm == "viber.com")
        #expect(message.platformHints == [.viber])

        let channel = try #require(STUN.parseChannelData(hexBytes(Fixture.channelData)))
        #expect(channel.channel == 0x4001)
        #expect(channel.length == 48)
        #expect(channel.availableLength == 48)
        #expect(STUN.parse(hexBytes(Fixture.channelData)) == nil)
        #expect(STUN.parseChannelData([0x80, 0x00, 0x00, 0x00]) == nil)
    }

    @Test func ipv6XorAddresses() throws {
        let message = try #require(STUN.parse(hexBytes(Fixture.ipv6BindingSuccess)))
        let expected = "2001:b07:a3d:c112:48a1:1094:1227:281e"
        #expect(message.address(.xorMapped)?.address.description == expected)
        #expect(message.address(.xorMapped)?.port == 48094)
        #expect(message.address(.mapped)?.address.description == expected)
        #expect(message.address(.responseOrigin)?.address.description == "2600:1900:4160:5999:0:19::")
        #expect(message.address(.otherAddress)?.port == 80)
    }

    @Test func microsoftOverRFC4571() throws {
        let stream = STUN.parseStream(hexBytes(Fixture.teamsICEOverTCP))
        #expect(stream.framing == .rfc4571)
        #expect(stream.consumedBytes == 106)
        guard case .message(let message)? = stream.items.first else {
            Issue.record("no message")
            return
        }
        #expect(stream.items.count == 1)
        #expect(message.attributeTypes == [0x0006, 0x0024, 0x8029, 0x8054, 0x8070, 0x0008, 0x8028])
        #expect(message.usernameLength == 9)
        #expect(message.microsoft?.implementationVersion == 3)
        #expect(message.microsoft?.candidateIdentifier == "2")
        #expect(message.platformHints == [.microsoftTeams])
    }

    @Test func msTURNAllocate() throws {
        let message = try #require(STUN.parse(hexBytes(Fixture.msTURNAllocate)))
        let microsoft = try #require(message.microsoft)
        #expect(microsoft.hasMagicCookieAttribute)
        #expect(microsoft.version == 6)
        #expect(microsoft.streamType == 2)
        #expect(microsoft.serviceQuality == 2)
        #expect(message.platformHints == [.microsoftTeams])
    }

    @Test func msTURNUnpaddedAttributes() throws {
        let raw = hexBytes(Fixture.msTURNAllocateSuccess)
        let message = try #require(STUN.parse(raw))
        #expect(!message.attributesArePadded)
        #expect(!message.isLengthAligned)
        #expect(message.attributeTypes == [0x000F, 0x000D, 0x0001, 0x8008, 0x8020, 0x8050, 0x8022, 0x0010, 0x0008])
        #expect(message.address(.mapped) == STUNAddress(kind: .mapped, address: ipv4("52.114.250.141"), port: 3480))
        #expect(message.address(.msXorMapped) == STUNAddress(kind: .msXorMapped, address: ipv4("80.181.206.72"), port: 57543))
        #expect(message.software == "2.0.1.211")
        #expect(message.lifetime == 60)
        #expect(message.microsoft?.connectionID == "9b713c623ac1bfbbf6d5237583afa6d318e146b4")
        #expect(message.microsoft?.sequenceNumber == 0)
        #expect(STUN.looksLikeSTUN(raw))
    }

    @Test func msMultiplexedHeader() throws {
        let raw = hexBytes(Fixture.msMultiplexed)
        let offset = try raw.withUnsafeBytes { try #require(STUN.microsoftMultiplexedPayloadOffset($0)) }
        let message = try #require(STUN.parse(Array(raw[offset...])))
        #expect(message.messageType == 0x0101)
        #expect(message.address(.xorMapped) == STUNAddress(kind: .xorMapped, address: ipv4("52.114.252.8"), port: 3479))
    }

    @Test func whatsAppVendorAttributes() throws {
        let success = try #require(STUN.parse(hexBytes(Fixture.whatsAppAllocateSuccess)))
        #expect(success.attributeTypes == [0x0020, 0x4002, 0x0008])
        #expect(success.address(.xorMapped) == STUNAddress(kind: .xorMapped, address: ipv4("93.35.171.3"), port: 61494))
        #expect(success.platformHints == [.whatsApp])

        let raw = hexBytes(Fixture.whatsAppUnpadded)
        let unpadded = try #require(STUN.parse(raw))
        #expect(unpadded.attributeTypes == [0x4000])
        #expect(!unpadded.isLengthAligned)
        #expect(unpadded.platformHints == [.whatsApp])
        #expect(STUN.looksLikeSTUN(raw))
    }

    @Test func whatsAppMessageTypes() throws {
        // Types 0x0800–0x0802 (facts §2): header-only messages built for the test.
        for type: UInt16 in [0x0800, 0x0801, 0x0802] {
            let raw: [UInt8] = [UInt8(type >> 8), UInt8(type & 0xFF), 0, 0, 0x21, 0x12, 0xA4, 0x42] + Array(repeating: 7, count: 12)
            let message = try #require(STUN.parse(raw))
            #expect(message.platformHints == [.whatsApp])
            #expect(message.methodName.hasPrefix("whatsapp-"))
        }
    }

    @Test func facebookRealm() throws {
        let message = try #require(STUN.parse(hexBytes(Fixture.facebook401)))
        #expect(message.realm == "turner.facebook")
        #expect(message.platformHints == [.facebook])
    }

    @Test func classicRFC3489() throws {
        let request = try #require(STUN.parse(hexBytes(Fixture.classicRequest)))
        #expect(!request.hasMagicCookie)
        #expect(request.transactionID == "9429ef88294dd52632c72931cb8dbb4c")
        #expect(request.attributeTypes == [0x0003])
        let response = try #require(STUN.parse(hexBytes(Fixture.classicResponse)))
        #expect(response.messageClass == .successResponse)
        #expect(response.address(.mapped) == STUNAddress(kind: .mapped, address: ipv4("172.16.63.224"), port: 55050))
        #expect(STUN.looksLikeSTUN(hexBytes(Fixture.classicRequest)))
        #expect(STUN.looksLikeSTUN(hexBytes(Fixture.classicResponse)))
    }

    @Test func severalMessagesInOneSegment() throws {
        let stream = STUN.parseStream(hexBytes(Fixture.threeInOneSegment))
        #expect(stream.framing == .plain)
        #expect(stream.items.count == 3)
        #expect(stream.consumedBytes == 84)
        for item in stream.items {
            guard case .message(let message) = item else {
                Issue.record("expected a message")
                continue
            }
            #expect(message.method == .allocate)
            #expect(message.requestedTransport == 17)
        }
        // A partial trailing message is left unconsumed.
        let partial = STUN.parseStream(Array(hexBytes(Fixture.threeInOneSegment).dropLast(5)))
        #expect(partial.items.count == 2)
        #expect(partial.consumedBytes == 56)
    }

    @Test func looksLikeSTUNRejects() {
        // RTP, DTLS, text, length mismatch, top bits set, classic with unknown type.
        #expect(!STUN.looksLikeSTUN([0x80, 0x6F] + Array(repeating: 0, count: 30)))
        #expect(!STUN.looksLikeSTUN(hexBytes("16fefd0000000000000000")))
        #expect(!STUN.looksLikeSTUN(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)))
        #expect(!STUN.looksLikeSTUN(Array(hexBytes(Fixture.signalBindingSuccess).dropLast(4))))
        #expect(!STUN.looksLikeSTUN([0x40, 0x01, 0x00, 0x00] + Array(repeating: 0, count: 16)))
        #expect(!STUN.looksLikeSTUN([0x00, 0x09, 0x00, 0x00] + Array(repeating: 1, count: 16)))
        #expect(!STUN.looksLikeSTUN([]))
    }

    @Test func demuxClasses() {
        #expect(MediaDemux.classify(firstByte: 0x00) == .stun)
        #expect(MediaDemux.classify(firstByte: 0x01) == .stun)
        #expect(MediaDemux.classify(firstByte: 0x16) == .dtls)
        #expect(MediaDemux.classify(firstByte: 0x40) == .turnChannelData)
        #expect(MediaDemux.classify(firstByte: 0x80) == .rtpOrRTCP)
        #expect(MediaDemux.classify(firstByte: 0xFF) == .unknown)
    }

    @Test func robustnessPrefixesAndMutations() {
        let fixtures = [
            Fixture.signalBindingSuccess, Fixture.signalAllocate401, Fixture.telegramCreatePermission,
            Fixture.viberSendIndication, Fixture.ipv6BindingSuccess, Fixture.teamsICEOverTCP,
            Fixture.msTURNAllocateSuccess, Fixture.whatsAppUnpadded, Fixture.classicResponse,
            Fixture.threeInOneSegment, Fixture.channelData,
        ].map(hexBytes)
        for fixture in fixtures {
            for end in 0...fixture.count {
                let prefix = Array(fixture[0..<end])
                _ = STUN.parse(prefix)
                _ = STUN.looksLikeSTUN(prefix)
                _ = STUN.parseStream(prefix)
                _ = STUN.parseChannelData(prefix)
            }
        }
        var random = SplitMix64(seed: 0x5354_554E)
        for round in 0..<4000 {
            var mutated = fixtures[round % fixtures.count]
            for _ in 0..<(1 + Int(random.next() % 4)) {
                let index = Int(random.next() % UInt64(mutated.count))
                mutated[index] = UInt8(truncatingIfNeeded: random.next())
            }
            if let message = STUN.parse(mutated) {
                #expect(message.size <= mutated.count)
                _ = message.platformHints
                _ = message.methodName
            }
            _ = STUN.looksLikeSTUN(mutated)
            _ = STUN.parseStream(mutated)
        }
    }
}

