import Testing
@testable import Dissectors

// Fixtures are UDP/TCP payloads copied from nDPI's test capture openvpn.pcap
// (/work/shared/captures/ndpi, `tshark -r openvpn.pcap -Y frame.number==N -T fields -e udp.payload`
// or `-e tcp.payload`). Expected TLS values were read with
// `tshark -r openvpn.pcap -Y tls.handshake.type==1 -d udp.port==1194,openvpn -T fields
//  -e tls.handshake.ja3 -e tls.handshake.ciphersuite -e tls.handshake.extension.type`
// (SHA512 tls-auth: `-o openvpn.tls_auth:TRUE -o openvpn.tls_auth_hmac_size:64
//  -o openvpn.tls_auth_detection_override:TRUE`).
private enum Fixture {
    /// openvpn.pcap #25 #29 #31: TCP 10.181.235.122:39772 → 10.251.71.30:1194 segments (no tls-auth).
    static let tcpClient: [String] = [
        "000e38507a28a78275788d0000000000",
        "001628507a28a78275788d01000000009ad747beb24d8a1b",
        """
        007220507a28a78275788d000000000116030100dd010000d9030150f473e80bb6be8b086186246df225b6737aadedef2dcced3025507f97c390f500
        0066c014c00ac022c0210039003800880087c00fc00500350084c012c008c01cc01b00160013c00dc003000ac013c009c01fc01e0033003200722050
        7a28a78275788d0000000002009a009900450044c00ec004002f00960041c011c007c00cc002000500040015001200090014001100080006000300ff
        0201000049000b000403000102000a00340032000e000d0019000b000c00180009000a0016001700080006000700140015000400002820507a28a782
        75788d00000000030500120013000100020003000f0010001100230000000f000101
        """,
    ]
    /// openvpn.pcap #27 #33 #35 #37 #39: the server's segments of the same connection.
    static let tcpServer: [String] = [
        "001a409ad747beb24d8a1b0100000000507a28a78275788d00000000",
        "0016289ad747beb24d8a1b0100000001507a28a78275788d",
        "0016289ad747beb24d8a1b0100000002507a28a78275788d",
        """
        007e209ad747beb24d8a1b0100000003507a28a78275788d00000001160301003a02000036030150f473e75fb1f162ab0de6ee35448e994e0f10729a
        d2077fbb3b39c49c07988e00003901000eff0100010000230000000f00010116030109250b00092100091e0004bd308204b9308203a1a00302010202
        0101300d06092a86
        """,
        """
        0072209ad747beb24d8a1b00000000024886f70d0101050500307a310b3009060355040613024154310b3009060355040813024f45310d300b060355
        0407130450524f33310d300b060355040a130450524f33310d300b060355040b130450524f33310d300b0603550403130450524f33310d300072209a
        d747beb24d8a1b00000000030b0603550429130450524f333113301106092a864886f70d010901160450524f33301e170d3132313033313032323833
        355a170d3232313032393032323833355a307a310b3009060355040613024154310b3009060355040813024f45310d300b0603550072209ad747beb2
        4d8a1b00000000040407130450524f33310d300b060355040a130450524f33310d300b060355040b130450524f33310d300b0603550403130450524f
        33310d300b0603550429130450524f333113301106092a864886f70d010901160450524f3330820122300d06092a8648
        """,
    ]
    /// openvpn.pcap #515 #517 #518 #519: UDP 3.111.166.78:51146 → 85.134.13.165:1194 (no tls-auth).
    static let udpClient: [String] = [
        "3839fded2daa10a4370000000000",
        "2839fded2daa10a43701000000009421917de7267729",
        """
        2039fded2daa10a4370000000001160301008c0100008803039c996bedf786c4251c9c9b8bfd4611e48fb1f3c456c0a482bc74938adbafb91800000e
        c02ec032009fc02cc030002f00ff01000051000b000403000102000a001c001a00170019001c001b0018001a0016000e000d000b000c
        """,
        "2039fded2daa10a43700000000020009000a000d0020001e060106020603050105020503040104020403030103020303020102020203000f000101",
    ]
    /// openvpn.pcap #516 #520 #521: the server's datagrams of the same flow.
    static let udpServer: [String] = [
        "409421917de7267729010000000039fded2daa10a43700000000",
        "289421917de7267729010000000139fded2daa10a437",
        """
        209421917de7267729010000000239fded2daa10a43700000001160303003602000032030390ce09250fb3acdcbcc4390459dd7685c00565b4eca831
        7e769a52e90f0ba9a900009f00000aff01000100000f0001011603030a630b000a5f000a5c0005c4308205c030820529a00302010202102111b8d1a9
        5a18a0ac2f2f1ddf6383ac300d06092a864886f70d01010d05003081e0310b3009060355040613025553310b3009060355040813024e593111300f06
        0355040713084e657720596f726b311f301d060355040a131653696d706c657820536f6c7574696f6e7320496e632e31163014060355040b130d5670
        6e20556e6c696d69746564312330210603550403131a7365727665722e76706e756e6c696d697465646170702e636f6d312330210603550429131a73
        65727665722e76706e756e6c696d697465646170702e636f6d312e302c06092a864886f70d010901161f737570706f72744073696d706c6578736f6c
        7574696f6e73696e632e636f6d301e170d3137303431393131353333325a170d3237303431373131353333325a30273125302306035504030c1c6f70
        656e76706e322e76706e756e6c696d697465646170702e636f6d30820222300d06092a864886f70d01010105000382020f003082020a0282020100d0
        9b1c37b331e2969a8d7659ca048db53548d6ef5910c39ca700c5a590055e4a8f6350a98d8b128d715de4b8f0cfdbc51d94eb989f251cb88722c09cfc
        79dad4d0716c2a0fb9297ca413cc275201516129f4228d89fe363fb389bc8d21b9a465d2a1b142cc1f3d9e7fe0dc7952baf745230d2e291223b96a05
        5d9c87636e3a8889505c19cad78fa6d4e532cd024ee173bc6de076f4889ab777a9b3ffb9da816af37a760505944b55bce32ce516969d8fe2a0edd6a7
        9d3ab2fa8f40d1cb470609721f3bd3f773d25a345eb7fc7349e82cc242221e695cda166262b375c5910c7960ecb56a94f662f29a6134b7c6441e0c8e
        9d3d09096b502a4def8b9aba86117067c623d5f3f3e30742b87e3eaa3e103d6629401f13cd13619d3188146623091a2c647959ea99a3ef31ed6c8a8b
        9dc445dd55fd8ff673d3f9138154fe932a39eb6c4f5040b43e6e63187bbecfd63ffd807787ad39c8d32b683d2fb62ba4684683aecbdd2c08699e7712
        a0f98a6733077df4de3414374585ae84daa9b68fb04f083e11219c545b44280a407c9bde0862938741a739df2feb335a564fdaed751ccd84dfdb90b5
        177d9f79ff19dffde09f3383d278996665d5ac5fe7f09b08c2feb3b649228ac13e3b984f19c6186ab763a7cdd95020603d983c600f0c712af00cff68
        9b77d7fe9fc0c27b7fea021295e9277576b4ec51d07e8f55b04ea345dbf5a10203010001a38201ad308201a930090603551d1304023000301d060355
        1d0e04160414aff1d0da5f17b15a66bbb536bd13f77609baf7e5308201170603551d230482010e3082010a8014a0a59983feb4c36059a8142420878e
        d6ae8b693ea181e6a481e33081e0310b3009060355040613025553310b3009060355040813024e593111300f060355040713084e657720596f726b31
        1f301d060355040a131653696d706c657820536f6c7574696f6e7320496e632e31163014060355040b130d56706e20556e6c696d6974656431233021
        """,
    ]
    /// openvpn.pcap #312 #314 #315: UDP 192.168.43.12:41507 → 139.59.151.137:13680, tls-auth HMAC-SHA1.
    static let sha1Client: [String] = [
        "38b02ccff1b5f0174fc091666e3b124bada39173317b939722d1fe63be0000000157a1c15f0000000000",
        "28b02ccff1b5f0174fc837497a6a8d694eb960b6ac0878e757d987f8300000000257a1c15f0100000000f77fc2efdbe23f57",
        """
        20b02ccff1b5f0174fa57ac27381df2af568a1776efd15abf71e30ad9d0000000357a1c15f00000000011603010100010000fc030344e5f70f83377b
        f52b28e8cd7dc46f1b425d3bca8e3582c9522df26515ecb076000082c030c02cc028c024c014c00a00a500a300a1009f006b006a0069006800390038
        003700360088008700860085c032c02ec02ac026c00fc005c02fc02bc027c023c013c00900a400a200a0009e00670040003f003e0033003200310030
        0045004400430042c031c02dc029c025c00ec004c012c008001600130010000dc00dc00300ff01000051000b000403000102000a001c001a00170019
        001c001b0018001a0016000e000d000b000c0009000a000d0020001e060106020603050105020503040104020403030103020303020102020203000f
        000101
        """,
    ]
    /// openvpn.pcap #313: the server's P_CONTROL_HARD_RESET_SERVER_V2 (tls-auth SHA1).
    static let sha1ServerReset = "40f77fc2efdbe23f57dec4c8d5654d0723bf8c0be54138563270cfae130000000157a1c15f0100000000b02ccff1b5f0174f00000000"
    /// openvpn.pcap #692 #694: UDP 192.168.12.156:37383 → 217.138.197.43:1234 (NordVPN), tls-auth HMAC-SHA512.
    static let sha512Client: [String] = [
        "388fdd2b9e41d8abeac6c37c832b64c158799064f06d18e82c26dc094d72415e0f47d882a7f8a4582cd0d9b543f6eb82440c89e3ff168dd27967b4bf6fd504f0c0588234fa576f3a010000000166aa23b60000000000",
        """
        208fdd2b9e41d8abeafb9f250ec3815e244519b93623cb3c24e5c0d5f2262d06f84fe291d84dae2bb99018c9b9b4f9a0770b0394135cb1002ae35d64
        54a65948654522f7dfe3fdfa570000000266aa23b60100000000fba7e7e6a5fd12770000000116030101100100010c03035aa477a5dc78507a0ab497
        1ce8fefe46846e95f348987d640b39bb802ab541b820cd0ace44c22f15a96a52c83755e0c83cecb34521a5e95dee4ef4806a72d35253003213021303
        1301c02cc030009fcca9cca8ccaac02bc02f009ec024c028006bc023c0270067c00ac0140039c009c013003300ff01000091000b000403000102000a
        00160014001d0017001e00190018010001010102010301040016000000170000000d002a0028040305030603080708080809080a080b080408050806
        040105010601030303010302040205020602002b00050403040303002d00020101003300260024001d002002bad2c93369f8c4fa9614f2b26ce1d64c
        08c792521481a0d6e6688dc1bff56a
        """,
    ]
    /// openvpn.pcap #693: NordVPN's P_CONTROL_HARD_RESET_SERVER_V2 (tls-auth SHA512).
    static let sha512ServerReset = "40fba7e7e6a5fd1277faf7c1dcb583670c62ad17f13652246a12f8262ba1a7ea3fc3cc233713c50905ee6e753fc55ad522e3f7381db2ced97cf08e33af48d9b01b0cfe3922d9af8bb40000000166aa23b701000000008fdd2b9e41d8abea00000000"
    /// openvpn.pcap #220 #224: TCP 192.168.1.77:60140 → 46.101.231.218:443, tls-auth SHA1 over TCP.
    static let tcpTLSAuthClient: [String] = [
        "002a3892b8af4a777fc742781024c276d9a1a8c2321879a02264b3ccbc807700000001577e73b30000000000",
        "00322892b8af4a777fc74228ba4bb4a361e4c2c58f21f72b20f53b7846d1c200000002577e73b30100000000d916c4860cb1d8cf",
    ]
    /// openvpn.pcap #618: TCP 127.0.0.1:36138 → :443 tls-crypt P_CONTROL_HARD_RESET_CLIENT_V2.
    static let tlsCryptClientReset = "0036382a56d979d99eccf40000000163cf4ff5b89824b0aa4e93c089c1e24af5443766b5cab18c23c17d51081eb196a229085eec179d0d88"
    /// openvpn.pcap #620: the tls-crypt server reset.
    static let tlsCryptServerReset = "0042402f64c09039de36230000000163cf4ff53036751e70bae8a84698d78c132edcf685ea93abfb4eda16e29f47208abaeeb8b2c6d71c379474de67682231f35717fb54"
    /// openvpn.pcap #389: P_DATA_V1 from 192.168.43.18:13680.
    static let dataV1 = """
        3049ece1af952d87aae971dfb10938ec21819860da8f67fb0fcfef8c7fe512e792e28670c973a707a757c91761f76aa8e018292862dc693fea7e1a8a
        4b0a79a3f7cdde38c636239580a424e7b4a7ddbb1156bb33ed86960827b1d5292e2bc6486662b3b855
        """
    /// openvpn.pcap #679: P_DATA_V2 from 192.168.12.156:41133 (peer id 0x000021).
    static let dataV2 = "48000021000000011a7486f3e9e10e50e20ea5b0163aca7deed633d778cb90b36f3afebdc36bee9e4c388bf362b805b62207c82ac082a9b20d653caf0f83ad537d3104b1083c056ea0a5728886391af508275a5e5f5268e82f8e76e25d4fa097fafca02a"
}

/// Cipher suites and extension types tshark shows for the ClientHellos (JA3 inputs).
private enum Expected {
    /// #31, JA3 f0d20361ae57a5c81d94ac774a736a52.
    static let tcpCiphers: [UInt16] = [
        0xc014, 0xc00a, 0xc022, 0xc021, 0x0039, 0x0038, 0x0088, 0x0087, 0xc00f, 0xc005, 0x0035, 0x0084, 0xc012,
        0xc008, 0xc01c, 0xc01b, 0x0016, 0x0013, 0xc00d, 0xc003, 0x000a, 0xc013, 0xc009, 0xc01f, 0xc01e, 0x0033,
        0x0032, 0x009a, 0x0099, 0x0045, 0x0044, 0xc00e, 0xc004, 0x002f, 0x0096, 0x0041, 0xc011, 0xc007, 0xc00c,
        0xc002, 0x0005, 0x0004, 0x0015, 0x0012, 0x0009, 0x0014, 0x0011, 0x0008, 0x0006, 0x0003, 0x00ff,
    ]
    static let tcpExtensions: [UInt16] = [11, 10, 35, 15]
    /// #519, JA3 c0a24f59cdefaddbf62109a0ea8e9079.
    static let udpCiphers: [UInt16] = [0xc02e, 0xc032, 0x009f, 0xc02c, 0xc030, 0x002f, 0x00ff]
    static let udpExtensions: [UInt16] = [11, 10, 13, 15]
    /// #315, JA3 a0813e7a9441e927000427452ad684ce.
    static let sha1Ciphers: [UInt16] = [
        0xc030, 0xc02c, 0xc028, 0xc024, 0xc014, 0xc00a, 0x00a5, 0x00a3, 0x00a1, 0x009f, 0x006b, 0x006a, 0x0069,
        0x0068, 0x0039, 0x0038, 0x0037, 0x0036, 0x0088, 0x0087, 0x0086, 0x0085, 0xc032, 0xc02e, 0xc02a, 0xc026,
        0xc00f, 0xc005, 0xc02f, 0xc02b, 0xc027, 0xc023, 0xc013, 0xc009, 0x00a4, 0x00a2, 0x00a0, 0x009e, 0x0067,
        0x0040, 0x003f, 0x003e, 0x0033, 0x0032, 0x0031, 0x0030, 0x0045, 0x0044, 0x0043, 0x0042, 0xc031, 0xc02d,
        0xc029, 0xc025, 0xc00e, 0xc004, 0xc012, 0xc008, 0x0016, 0x0013, 0x0010, 0x000d, 0xc00d, 0xc003, 0x00ff,
    ]
    static let sha1Extensions: [UInt16] = [11, 10, 13, 15]
    /// #694 (NordVPN), JA3 b0ec87ac7424dc3b841dacb72db22a21.
    static let sha512Ciphers: [UInt16] = [
        0x1302, 0x1303, 0x1301, 0xc02c, 0xc030, 0x009f, 0xcca9, 0xcca8, 0xccaa, 0xc02b, 0xc02f, 0x009e, 0xc024,
        0xc028, 0x006b, 0xc023, 0xc027, 0x0067, 0xc00a, 0xc014, 0x0039, 0xc009, 0xc013, 0x0033, 0x00ff,
    ]
    static let sha512Extensions: [UInt16] = [11, 10, 22, 23, 13, 43, 45, 51]
}

private func packet(_ hex: String, auth: OpenVPNControlAuth? = nil) -> OpenVPNPacket? {
    OpenVPNPacket.parse(hexBytes(hex), auth: auth)
}

/// The TCP payloads of one direction, concatenated (the fixtures are in sequence order).
private func stream(_ segments: [String]) -> [UInt8] {
    segments.flatMap { hexBytes($0) }
}

private func firstHello(_ tls: OpenVPNTLSStream) -> TLSRawHandshake? {
    tls.scanTLS().messages.first
}

private func clientHello(_ tls: OpenVPNTLSStream) -> TLSClientHello? {
    guard let message = firstHello(tls), message.type == TLSHandshakeType.clientHello else { return nil }
    return message.body.withUnsafeBytes { TLSClientHello.parse(body: $0) }
}

private func serverHello(_ tls: OpenVPNTLSStream) -> TLSServerHello? {
    guard let message = firstHello(tls), message.type == TLSHandshakeType.serverHello else { return nil }
    return message.body.withUnsafeBytes { TLSServerHello.parse(body: $0) }
}

@Suite struct OpenVPNTests {
    // MARK: - Acceptance: TCP 10.181.235.122:39772 → 10.251.71.30:1194

    @Test func tcpFramingSplitsEveryPacket() throws {
        let client = OpenVPN.packets(inTCPStream: stream(Fixture.tcpClient))
        // #31 holds three P_CONTROL_V1 packets (message ids 1, 2, 3), as tshark shows.
        #expect(client.map(\.opcode) == [.controlHardResetClientV2, .ackV1, .controlV1, .controlV1, .controlV1])
        #expect(client.compactMap(\.messagePacketID) == [0, 1, 2, 3])
        #expect(client.allSatisfy { $0.sessionID == 0x507a_28a7_8275_788d && $0.auth == OpenVPNControlAuth.none })
        #expect(client[1].acks == [0] && client[1].remoteSessionID == 0x9ad7_47be_b24d_8a1b)
        let reset = client[0]
        #expect(reset.keyID == 0 && reset.acks.isEmpty && reset.remoteSessionID == nil && reset.payloadLength == 0)

        let server = OpenVPN.scanTCPStream(stream(Fixture.tcpServer))
        #expect(server.unparsedFrames == 0)
        #expect(server.packets.first?.opcode == .controlHardResetServerV2)
        #expect(server.packets.first?.acks == [0])
        #expect(server.packets.first?.remoteSessionID == 0x507a_28a7_8275_788d)
        #expect(server.packets.filter { $0.opcode == .controlV1 }.compactMap(\.messagePacketID) == [1, 2, 3, 4])
        // Every segment ends on a frame boundary (#39 holds three frames).
        #expect(server.consumedBytes == stream(Fixture.tcpServer).count)
    }

    @Test func tcpClientHelloMatchesTshark() throws {
        var tls = OpenVPNTLSStream()
        for packet in OpenVPN.packets(inTCPStream: stream(Fixture.tcpClient)) { tls.append(packet) }
        #expect(tls.firstMessageID == 1 && tls.messageCount == 3 && !tls.hasGap)
        let hello = try #require(clientHello(tls))
        #expect(hello.legacyVersion == 0x0301)
        #expect(hello.cipherSuites == Expected.tcpCiphers)
        #expect(hello.extensions == Expected.tcpExtensions)
    }

    @Test func tcpServerHelloMatchesTshark() throws {
        var tls = OpenVPNTLSStream()
        for packet in OpenVPN.packets(inTCPStream: stream(Fixture.tcpServer)) { tls.append(packet) }
        let hello = try #require(serverHello(tls))
        // tshark #37/#88: cipher 0x0039, extensions 65281, 35, 15.
        #expect(hello.cipherSuite == 0x0039)
        #expect(hello.extensions == [65281, 35, 15])
        #expect(tls.scanTLS().status == .needsMoreBytes)  // the certificate continues in later segments
    }

    @Test func tcpStreamSplitAtEveryByteKeepsCompleteFrames() {
        let bytes = stream(Fixture.tcpClient)
        let all = OpenVPN.packets(inTCPStream: bytes)
        for cut in 0...bytes.count {
            let scan = OpenVPN.scanTCPStream(Array(bytes.prefix(cut)))
            #expect(scan.packets == Array(all.prefix(scan.packets.count)))
            #expect(scan.consumedBytes <= cut)
        }
    }

    // MARK: - Acceptance: UDP 3.111.166.78:51146 ↔ 85.134.13.165:1194

    @Test func udpClientHelloMatchesTshark() throws {
        var tls = OpenVPNTLSStream()
        for datagram in Fixture.udpClient { tls.append(packetBytes: hexBytes(datagram)) }
        #expect(tls.sessionID == 0x39fd_ed2d_aa10_a437 && tls.auth == OpenVPNControlAuth.none)
        #expect(tls.messageCount == 2)
        let hello = try #require(clientHello(tls))
        #expect(hello.legacyVersion == 0x0303)
        #expect(hello.cipherSuites == Expected.udpCiphers)
        #expect(hello.extensions == Expected.udpExtensions)
        #expect(tls.scanTLS().status == .complete)
    }

    @Test func udpServerHelloMatchesTshark() throws {
        var tls = OpenVPNTLSStream()
        for datagram in Fixture.udpServer { tls.append(packetBytes: hexBytes(datagram)) }
        let hello = try #require(serverHello(tls))
        #expect(hello.cipherSuite == 0x009f)
        #expect(hello.extensions == [65281, 15])
    }

    @Test func udpReorderedAndRetransmittedDatagrams() throws {
        let datagrams = Fixture.udpClient.map(hexBytes)
        var tls = OpenVPNTLSStream()
        // Second fragment first, then a retransmission of it, then the rest (reset last).
        for index in [3, 3, 2, 1, 0] { tls.append(packetBytes: datagrams[index]) }
        #expect(tls.duplicates == 1)
        #expect(try #require(clientHello(tls)).cipherSuites == Expected.udpCiphers)

        // With the first fragment lost the stream stops before message 2.
        var lossy = OpenVPNTLSStream()
        for index in [0, 3] { lossy.append(packetBytes: datagrams[index]) }
        #expect(lossy.tlsBytes.isEmpty && lossy.hasGap)
    }

    @Test func udpPacketFields() throws {
        let reset = try #require(packet(Fixture.udpClient[0]))
        #expect(reset.opcode == .controlHardResetClientV2 && reset.keyID == 0)
        #expect(reset.opcode.name == "P_CONTROL_HARD_RESET_CLIENT_V2")
        #expect(reset.messagePacketID == 0 && reset.size == 14)
        let serverReset = try #require(packet(Fixture.udpServer[0]))
        #expect(serverReset.opcode == .controlHardResetServerV2)
        #expect(serverReset.sessionID == 0x9421_917d_e726_7729)
        #expect(serverReset.acks == [0] && serverReset.remoteSessionID == 0x39fd_ed2d_aa10_a437)
        let ack = try #require(packet(Fixture.udpClient[1]))
        #expect(ack.opcode == .ackV1 && ack.messagePacketID == nil && ack.acks == [0])
        let control = try #require(packet(Fixture.udpClient[2]))
        #expect(control.opcode == .controlV1 && control.messagePacketID == 1)
        #expect(control.payloadOffset == 14 && control.payload.first == 0x16)
    }

    @Test func looksLikeOpenVPNOnFirstPackets() {
        #expect(OpenVPN.looksLikeOpenVPN(firstPacket: hexBytes(Fixture.udpClient[0])))
        #expect(OpenVPN.looksLikeOpenVPN(firstPacket: hexBytes(Fixture.udpServer[0])))
        #expect(OpenVPN.looksLikeOpenVPN(firstPacket: hexBytes(Fixture.tcpClient[0]), overTCP: true))
        #expect(OpenVPN.looksLikeOpenVPN(firstPacket: hexBytes(Fixture.tcpServer[0]), overTCP: true))
        #expect(OpenVPN.looksLikeOpenVPN(firstPacket: hexBytes(Fixture.sha1Client[0])))
        #expect(OpenVPN.looksLikeOpenVPN(firstPacket: hexBytes(Fixture.sha1ServerReset)))
        #expect(OpenVPN.looksLikeOpenVPN(firstPacket: hexBytes(Fixture.sha512Client[0])))
        #expect(OpenVPN.looksLikeOpenVPN(firstPacket: hexBytes(Fixture.sha512ServerReset)))
        #expect(OpenVPN.looksLikeOpenVPN(firstPacket: hexBytes(Fixture.tcpTLSAuthClient[0]), overTCP: true))
        #expect(OpenVPN.looksLikeOpenVPN(firstPacket: hexBytes(Fixture.tlsCryptClientReset), overTCP: true))
        #expect(OpenVPN.looksLikeOpenVPN(firstPacket: hexBytes(Fixture.tlsCryptServerReset), overTCP: true))
        // Not first packets / not OpenVPN.
        #expect(!OpenVPN.looksLikeOpenVPN(firstPacket: hexBytes(Fixture.udpClient[2])))
        #expect(!OpenVPN.looksLikeOpenVPN(firstPacket: hexBytes(Fixture.dataV1)))
        #expect(!OpenVPN.looksLikeOpenVPN(firstPacket: hexBytes(Fixture.dataV2)))
        #expect(!OpenVPN.looksLikeOpenVPN(firstPacket: hexBytes(Fixture.udpClient[0]), overTCP: true))
        #expect(!OpenVPN.looksLikeOpenVPN(firstPacket: hexBytes(Fixture.tcpClient[0])))
        // A TLS ClientHello over TCP (protonvpn.pcap #4 prefix) and WireGuard are not OpenVPN.
        #expect(!OpenVPN.looksLikeOpenVPN(firstPacket: hexBytes("16030100b1010000ad03037d977c2de41d3540815133c44dc2b3d310"), overTCP: true))
        #expect(!OpenVPN.looksLikeOpenVPN(firstPacket: hexBytes("16030100b1010000ad03037d977c2de41d3540815133c44dc2b3d310")))
        #expect(!OpenVPN.looksLikeOpenVPN(firstPacket: hexBytes("0400000006f47dab03000000000000001956e2b6651dd4f59cb23092a0d09671")))
    }

    // MARK: - tls-auth, tls-crypt, data

    @Test func tlsAuthSHA1Layout() throws {
        let packets = try Fixture.sha1Client.map { try #require(packet($0)) }
        #expect(packets.allSatisfy { $0.auth == .tlsAuth(hmacSize: 20) })
        #expect(packets.map(\.replayPacketID) == [1, 2, 3])
        #expect(packets.allSatisfy { $0.timestamp == 0x57a1_c15f })
        #expect(packets.map(\.opcode) == [.controlHardResetClientV2, .ackV1, .controlV1])
        let server = try #require(packet(Fixture.sha1ServerReset))
        #expect(server.auth == .tlsAuth(hmacSize: 20) && server.acks == [0])
        #expect(server.remoteSessionID == 0xb02c_cff1_b5f0_174f)

        var tls = OpenVPNTLSStream()
        for datagram in Fixture.sha1Client { tls.append(packetBytes: hexBytes(datagram)) }
        let hello = try #require(clientHello(tls))
        #expect(hello.cipherSuites == Expected.sha1Ciphers)
        #expect(hello.extensions == Expected.sha1Extensions)
    }

    @Test func tlsAuthSHA512Layout() throws {
        let reset = try #require(packet(Fixture.sha512Client[0]))
        #expect(reset.auth == .tlsAuth(hmacSize: 64) && reset.replayPacketID == 1 && reset.timestamp == 0x66aa_23b6)
        let server = try #require(packet(Fixture.sha512ServerReset))
        #expect(server.auth == .tlsAuth(hmacSize: 64) && server.remoteSessionID == 0x8fdd_2b9e_41d8_abea)

        var tls = OpenVPNTLSStream()
        for datagram in Fixture.sha512Client { tls.append(packetBytes: hexBytes(datagram)) }
        let hello = try #require(clientHello(tls))
        #expect(hello.cipherSuites == Expected.sha512Ciphers)
        #expect(hello.extensions == Expected.sha512Extensions)
    }

    @Test func tlsAuthOverTCP() throws {
        let packets = OpenVPN.packets(inTCPStream: stream(Fixture.tcpTLSAuthClient))
        #expect(packets.map(\.opcode) == [.controlHardResetClientV2, .ackV1])
        #expect(packets.allSatisfy { $0.auth == .tlsAuth(hmacSize: 20) && $0.sessionID == 0x92b8_af4a_777f_c742 })
        #expect(packets.last?.remoteSessionID == 0xd916_c486_0cb1_d8cf)
    }

    @Test func tlsCryptIsRecognisedButOpaque() throws {
        let packets = OpenVPN.packets(inTCPStream: hexBytes(Fixture.tlsCryptClientReset))
        let reset = try #require(packets.first)
        #expect(reset.auth == .tlsCrypt && reset.isEncryptedControl)
        #expect(reset.replayPacketID == 1 && reset.timestamp == 0x63cf_4ff5)
        #expect(reset.messagePacketID == nil && reset.payload.isEmpty)
        var tls = OpenVPNTLSStream()
        let accepted = tls.append(reset)
        #expect(!accepted)
    }

    @Test func tlsCryptV2ClientResetCarriesWrappedKeyLength() throws {
        // Synthetic P_CONTROL_HARD_RESET_CLIENT_V3 (opcode 10): session id, replay id 1, timestamp,
        // 32-byte tag, 5 encrypted bytes, then a 50-byte WKc whose last two bytes are its length.
        let wrappedKey = [UInt8](repeating: 0xAB, count: 48) + [0x00, 0x32]
        let bytes: [UInt8] = [0x50] + hexBytes("2a56d979d99eccf4") + [0, 0, 0, 1] + hexBytes("63cf4ff5")
            + [UInt8](repeating: 0x5A, count: 32) + [1, 2, 3, 4, 5] + wrappedKey
        let reset = try #require(OpenVPNPacket.parse(bytes))
        #expect(reset.opcode == .controlHardResetClientV3 && reset.auth == .tlsCrypt)
        #expect(reset.wrappedClientKeyLength == 50)
        #expect(OpenVPN.looksLikeOpenVPN(firstPacket: bytes))
        // V3 and WKC never use the clear layouts.
        #expect(OpenVPNPacket.parse(bytes, auth: OpenVPNControlAuth.none) == nil)
    }

    @Test func dataPackets() throws {
        let v1 = try #require(packet(Fixture.dataV1))
        #expect(v1.opcode == .dataV1 && v1.keyID == 0 && v1.sessionID == nil && v1.payloadLength == 100)
        let v2 = try #require(packet(Fixture.dataV2))
        #expect(v2.opcode == .dataV2 && v2.peerID == 0x21 && v2.payloadOffset == 4)
        #expect(packet("30") == nil && packet("48000021") == nil && packet("f8") == nil && packet("") == nil)
    }

    @Test func streamIgnoresOtherSessionsAndKeys() throws {
        var tls = OpenVPNTLSStream()
        for datagram in Fixture.udpClient { tls.append(packetBytes: hexBytes(datagram)) }
        // The server's packets belong to another session id.
        for datagram in Fixture.udpServer {
            let accepted = tls.append(packetBytes: hexBytes(datagram))
            #expect(!accepted)
        }
        // The same control packet under key id 1 (soft reset) is another TLS session.
        var other = hexBytes(Fixture.udpClient[2])
        other[0] = 0x21
        let accepted = tls.append(packetBytes: other)
        #expect(!accepted)
        #expect(try #require(clientHello(tls)).cipherSuites == Expected.udpCiphers)
    }

    @Test func streamLimits() {
        var tls = OpenVPNTLSStream()
        let template = hexBytes(Fixture.udpClient[2])
        for id in 1...200 {
            var bytes = template
            bytes[10] = UInt8(id >> 24 & 0xff); bytes[11] = UInt8(id >> 16 & 0xff)
            bytes[12] = UInt8(id >> 8 & 0xff); bytes[13] = UInt8(id & 0xff)
            tls.append(packetBytes: bytes)
        }
        #expect(tls.messageCount == OpenVPNTLSStream.maximumMessages && tls.isTruncated)
        #expect(tls.storedBytes <= OpenVPNTLSStream.maximumBytes)

        var big = OpenVPNTLSStream()
        let header = Array(template.prefix(14))
        for id in 1...40 {
            var bytes = header + [UInt8](repeating: 0x16, count: 4000)
            bytes[13] = UInt8(id)
            big.append(packetBytes: bytes)
        }
        #expect(big.storedBytes <= OpenVPNTLSStream.maximumBytes && big.isTruncated && big.messageCount == 16)
    }

    // MARK: - Robustness

    static let allFixtures: [String] = Fixture.tcpClient + Fixture.tcpServer + Fixture.udpClient + Fixture.udpServer
        + Fixture.sha1Client + [Fixture.sha1ServerReset] + Fixture.sha512Client + [Fixture.sha512ServerReset]
        + Fixture.tcpTLSAuthClient + [Fixture.tlsCryptClientReset, Fixture.tlsCryptServerReset,
                                      Fixture.dataV1, Fixture.dataV2]

    @Test(arguments: allFixtures.indices)
    func robustnessOfEveryFixture(_ index: Int) {
        let bytes = hexBytes(Self.allFixtures[index])
        robustness(bytes, mutations: 2000, seed: 0x0F0E_0000 + UInt64(index)) { input in
            _ = OpenVPNPacket.parse(input)
            _ = OpenVPN.looksLikeOpenVPN(firstPacket: input)
            _ = OpenVPN.looksLikeOpenVPN(firstPacket: input, overTCP: true)
            _ = OpenVPN.scanTCPStream(input)
            // Without the (possible) TCP length prefix, as a datagram.
            var tls = OpenVPNTLSStream()
            tls.append(packetBytes: input)
            tls.append(packetBytes: Array(input.dropFirst(2)))
            _ = tls.scanTLS()
        }
    }

    @Test func robustnessOfReassembledStreams() {
        for (seed, segments) in [Fixture.tcpClient, Fixture.tcpServer].enumerated() {
            robustness(stream(segments), mutations: 3000, seed: 0x0F0F + UInt64(seed)) { input in
                var tls = OpenVPNTLSStream()
                for packet in OpenVPN.packets(inTCPStream: input) { tls.append(packet) }
                _ = tls.scanTLS()
                _ = tls.hasGap
            }
        }
    }
}
