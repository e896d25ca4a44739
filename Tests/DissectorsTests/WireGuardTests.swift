import Testing
@testable import Dissectors

// Fixtures are UDP payloads copied from nDPI's test captures (/work/shared/captures/ndpi,
// `tshark -r F -Y frame.number==N -T fields -e udp.payload`). Indices and counters were
// read with tshark's WireGuard dissector (`-d udp.port==P,wg -T fields -e wg.sender -e wg.receiver -e wg.counter`).
private enum Fixture {
    /// wireguard.pcap #1: handshake initiation 10.9.0.2:43462 → 10.9.0.1:51820, sender 0x30d037d8.
    static let initiation = """
        01000000d837d0305fcec7c8e5c8e2e3f7989eef60c228d82329d602b6b1e2bb9d068f89cf9d4d4532780f6d27264f7b98701fdc27a4ec00aeb6becd
        bef2332f1b4084cadb93823935c012ae255e7b25eff13940c321fa6bd66a2a87b061db1430173e937f569349de2856dc5f2616763eeeafc0533b01dd
        965e7ec76976e28f683d671200000000000000000000000000000000
        """
    /// wireguard.pcap #2: handshake response, sender 0xab7df406, receiver 0x30d037d8.
    static let response = "0200000006f47dabd837d030b18d5550bd4042a37a46823ac08db1ec66839bc0ca2d64bc15cd80232b66232faec24af8918de1060ff5c98e865d5f35f272214c5260110dc4c61e32cdd8542100000000000000000000000000000000"
    /// wireguard.pcap #5: transport data, receiver 0xab7df406, counter 1, 128 bytes.
    static let data = """
        0400000006f47dab01000000000000007ccd2824a229fccd16853b1eff946acc5635acd2361089c3169706ce0fcf62cdab24b21ed89b5be40393c169
        2cfa7a2981e58cae915348a5f9fc833daa7a91a81b51e55bb732eadc386d6a57e625b092cb5ba943f6a93ac69a0701e99e6022a62f066f3cb6223280
        91dad59df13f6e33
        """
    /// wireguard.pcap #9: 32-byte keepalive, counter 3.
    static let keepalive = "0400000006f47dab03000000000000001956e2b6651dd4f59cb23092a0d09671"
    /// protonvpn.pcap #27: initiation 10.0.2.15:57701 → 217.23.3.76:443.
    static let protonInitiation = """
        010000009043164c7143e5ba10e783aec166579f5c8fa1cd28f0554608b81a9ad9882e66f1467a22af964d6b385248b6181a49d4540b6e51ab5cca50
        9583663c2f23e1436faa2fb3a3c6c95442c238a6f3b07f86a699a9bdbac2935e837cf3d21be73abc51601750d045a0b3399b5e2986642cde8cec325b
        5b34e7f29a7aab7afbcb4b3800000000000000000000000000000000
        """
    /// protonvpn.pcap #28: response.
    static let protonResponse = "020000005a80d24e9043164c27d4579c4f98e5ca8e27b562126f1f21edf3384f61313504204de9bc944d0a09e0c3ce965a040f33e1875baf36a5d12cfe35dee632a4a51a7a698dbb30eba38a00000000000000000000000000000000"
    /// mullvad_wireguard.pcap #1: transport data to 198.54.131.98:5060, counter 0x13.
    static let mullvadData = "040000001576497913000000000000003bc85395c81aa144b19f96e639fb04b89c8880767cf1142a03a1ec927c93f14471f015aca7fab94ec21d632e0e94af5a3b50604bd5f5c3280cfe33233e6e04dcc64cd10007c40ff94e1dbb0d31b619bf"
    /// tailscale.pcap #4: transport data on 41641.
    static let tailscaleData = """
        0400000098c83e7a0000000000000000ce777ee00464f753e45766e034bf5328ef4cb8cf7bb4273e2436097b7e981ed8f16ad3d0b8bf69792384e04e
        da767ec273572d133037ed57d80da92c2fbf41d27c06c8e50f82c6dc59b87009acad1fd4754ae6298399b3a851cf8494038710870e7bc1420b2e7293
        a78efc990f523f9f
        """
    /// tailscale.pcap #1: Tailscale disco message (magic "TS💬"), not WireGuard.
    static let tailscaleDisco = "5453f09f92acb6847dd212ae777bfae214b36d0d971152f0c7e0524e0c28b0a0105b5fa6161703214ee94e401257e70fa30f02a2c6b15bb7ab39de58a6aba6dfda69f578e7c967976bd80ea2e2ca6e18b699846a9aa1b71d6a965bee"
}

private func message(_ hex: String) -> WireGuardMessage? {
    WireGuard.parse(hexBytes(hex))
}

/// A cookie reply built by hand (none of the captures has one): receiver 0x30d037d8, nonce and cookie bytes.
private let cookieReply: [UInt8] = [3, 0, 0, 0, 0xd8, 0x37, 0xd0, 0x30] + (0..<56).map { UInt8($0) }

@Suite struct WireGuardTests {
    @Test func handshakeFromWireGuardPcap() throws {
        let initiation = try #require(message(Fixture.initiation))
        #expect(initiation.type == .handshakeInitiation && initiation.size == 148)
        #expect(initiation.senderIndex == 0x30d0_37d8 && initiation.receiverIndex == nil)
        #expect(initiation.hasMAC2 == false)
        let response = try #require(message(Fixture.response))
        #expect(response.type == .handshakeResponse && response.size == 92)
        #expect(response.senderIndex == 0xab7d_f406 && response.receiverIndex == 0x30d0_37d8)
        #expect(response.hasMAC2 == false)
    }

    @Test func transportData() throws {
        let data = try #require(message(Fixture.data))
        #expect(data.type == .transportData && data.receiverIndex == 0xab7d_f406 && data.counter == 1)
        #expect(data.size == 128 && data.encryptedPayloadLength == 96 && !data.isKeepalive)
        let keepalive = try #require(message(Fixture.keepalive))
        #expect(keepalive.counter == 3 && keepalive.isKeepalive && keepalive.encryptedPayloadLength == 0)
        let mullvad = try #require(message(Fixture.mullvadData))
        #expect(mullvad.receiverIndex == 0x7949_7615 && mullvad.counter == 19)
        let tailscale = try #require(message(Fixture.tailscaleData))
        #expect(tailscale.receiverIndex == 0x7a3e_c898 && tailscale.counter == 0)
    }

    @Test func protonVPNOn443() throws {
        let initiation = try #require(message(Fixture.protonInitiation))
        let response = try #require(message(Fixture.protonResponse))
        #expect(initiation.senderIndex == 0x4c16_4390)
        #expect(response.senderIndex == 0x4ed2_805a && response.receiverIndex == initiation.senderIndex)
        #expect(WireGuard.looksLikeWireGuard(hexBytes(Fixture.protonInitiation)))
        #expect(WireGuard.looksLikeWireGuard(hexBytes(Fixture.protonResponse)))
    }

    @Test func cookieReplyLayout() throws {
        let reply = try #require(WireGuard.parse(cookieReply))
        #expect(reply.type == .cookieReply && reply.receiverIndex == 0x30d0_37d8 && reply.size == 64)
        #expect(WireGuard.parse(Array(cookieReply.dropLast())) == nil)
    }

    @Test func rejections() {
        // Wrong sizes, reserved bytes, unknown types, Tailscale disco, OpenVPN, truncations.
        #expect(!WireGuard.looksLikeWireGuard(hexBytes(Fixture.tailscaleDisco)))
        #expect(WireGuard.parse(hexBytes(Fixture.initiation).dropLast().map { $0 }) == nil)
        #expect(WireGuard.parse(hexBytes(Fixture.response) + [0]) == nil)
        var reserved = hexBytes(Fixture.keepalive)
        reserved[2] = 1
        #expect(WireGuard.parse(reserved) == nil)
        var unknown = hexBytes(Fixture.keepalive)
        unknown[0] = 5
        #expect(WireGuard.parse(unknown) == nil)
        #expect(WireGuard.parse(Array(hexBytes(Fixture.data).prefix(120))) == nil)  // not a multiple of 16
        #expect(WireGuard.parse(Array(hexBytes(Fixture.data).prefix(16))) == nil)   // shorter than 32
        #expect(!WireGuard.looksLikeWireGuard(hexBytes("38334857703d96db390000000000")))  // OpenVPN hard reset
        #expect(!WireGuard.looksLikeWireGuard([]))
        var zeroSender = hexBytes(Fixture.initiation)
        for index in 4..<8 { zeroSender[index] = 0 }
        #expect(WireGuard.parse(zeroSender) != nil && !WireGuard.looksLikeWireGuard(zeroSender))
    }

    @Test func positiveRecognition() {
        for hex in [Fixture.initiation, Fixture.response, Fixture.data, Fixture.keepalive, Fixture.mullvadData,
                    Fixture.tailscaleData] {
            #expect(WireGuard.looksLikeWireGuard(hexBytes(hex)))
        }
        #expect(WireGuard.looksLikeWireGuard(cookieReply))
    }

    static let allFixtures: [String] = [Fixture.initiation, Fixture.response, Fixture.data, Fixture.keepalive,
                                        Fixture.protonInitiation, Fixture.protonResponse, Fixture.mullvadData,
                                        Fixture.tailscaleData, Fixture.tailscaleDisco]

    @Test(arguments: allFixtures.indices)
    func robustnessOfEveryFixture(_ index: Int) {
        robustness(hexBytes(Self.allFixtures[index]), mutations: 3000, seed: 0x0057_6700 + UInt64(index)) { input in
            _ = WireGuard.parse(input)
            _ = WireGuard.looksLikeWireGuard(input)
        }
        robustness(cookieReply, mutations: 1000, seed: 0x0057_67FF) { input in _ = WireGuard.parse(input) }
    }
}
