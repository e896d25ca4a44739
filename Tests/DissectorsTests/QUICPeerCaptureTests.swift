import Dissectors
import Testing

/// Real datagrams from the nDPI test captures (fixtures in QUICPeerCaptureFixturesTests.swift);
/// expected names are the `[Hostname/SNI: …]` of the matching nDPI .out files.
@Suite struct QUICPeerCaptureTests {
    struct TLSCase: CustomTestStringConvertible, Sendable {
        let name: String
        let datagrams: [(direction: Character, hex: String)]
        let version: String
        let sni: String?
        let expectServerHello: Bool
        var testDescription: String { name }
    }

    static let tlsCases: [TLSCase] = [
        TLSCase(name: "quic-v2", datagrams: PeerCaptureFixtures.v2, version: "v2", sni: "test", expectServerHello: true),
        TLSCase(name: "quic-29 with Retry", datagrams: PeerCaptureFixtures.draft29Retry, version: "draft-29",
                sni: "localhost", expectServerHello: true),
        TLSCase(name: "quic-27", datagrams: PeerCaptureFixtures.draft27, version: "draft-27",
                sni: "play.google.com", expectServerHello: true),
        TLSCase(name: "quic_0RTT draft-28", datagrams: PeerCaptureFixtures.draft28ZeroRTT, version: "draft-28",
                sni: "abcd", expectServerHello: true),
        TLSCase(name: "quic_0RTT v1, 0-RTT first", datagrams: PeerCaptureFixtures.v1ZeroRTTBeforeInitial, version: "v1",
                sni: "ssl.gstatic.com", expectServerHello: true),
        TLSCase(name: "ClientHello in two Initials", datagrams: PeerCaptureFixtures.v1HelloInTwoPackets, version: "v1",
                sni: nil, expectServerHello: true),
        TLSCase(name: "Chrome shuffled CRYPTO frames", datagrams: PeerCaptureFixtures.draft29ShuffledCrypto,
                version: "draft-29", sni: "update.googleapis.com", expectServerHello: false),
        TLSCase(name: "mvfst-27", datagrams: PeerCaptureFixtures.mvfst27, version: "mvfst-27",
                sni: "graph.facebook.com", expectServerHello: true),
        TLSCase(name: "T051", datagrams: PeerCaptureFixtures.t051, version: "T051",
                sni: "www.google.com", expectServerHello: true),
        TLSCase(name: "DNS over QUIC draft-32", datagrams: PeerCaptureFixtures.draft32DoQ, version: "draft-32",
                sni: nil, expectServerHello: true),
        TLSCase(name: "lab aioquic v1", datagrams: PeerCaptureFixtures.labAioquic, version: "v1",
                sni: "web.telegram.org", expectServerHello: true),
    ]

    @Test(arguments: tlsCases)
    func tlsHandshakeIsRecovered(_ testCase: TLSCase) throws {
        let (assembler, wasQUIC) = QUICTestSupport.assemble(testCase.datagrams)
        #expect(wasQUIC.allSatisfy { $0 })
        #expect(assembler.versionName == testCase.version)
        let body = try #require(assembler.clientHelloBody)
        #expect(body.prefix(2) == [0x03, 0x03])  // legacy_version TLS 1.2
        #expect(QUICTestSupport.serverName(inClientHelloBody: body) == testCase.sni)
        #expect(assembler.googleClientHello == nil)
        if testCase.expectServerHello {
            let serverHello = assembler.serverHelloBody ?? []
            #expect(serverHello.prefix(2) == [0x03, 0x03], "no ServerHello")
            #expect(assembler.isComplete)
        }
    }

    @Test func helloInTwoPacketsNeedsBoth() throws {
        let datagrams = PeerCaptureFixtures.v1HelloInTwoPackets
        let (first, _) = QUICTestSupport.assemble(Array(datagrams.prefix(1)))
        #expect(first.clientHelloBody == nil)
        #expect(first.decryptedClientInitialPackets == 1)
        let (both, _) = QUICTestSupport.assemble(Array(datagrams.prefix(2)))
        let body = try #require(both.clientHelloBody)
        #expect(body.count > 1200)  // did not fit in one Initial
        #expect(both.decryptedClientInitialPackets == 2)
    }

    @Test func retryRederivesKeysFromTheNewDCID() throws {
        let datagrams = PeerCaptureFixtures.draft29Retry
        let (assembler, _) = QUICTestSupport.assemble(datagrams)
        #expect(assembler.sawRetry)
        // The server Initial (after the Retry) is protected with keys from the client's
        // second DCID, which is the Retry's Source Connection ID.
        let retry = QUICTestSupport.bytes(datagrams[1].hex)
        let retryHeader = try #require(retry.withUnsafeBytes(QUICLongHeader.parse))
        #expect(retryHeader.packetType == .retry)
        #expect(assembler.clientInitialDestinationConnectionID == retryHeader.sourceConnectionID)
        #expect(assembler.serverHelloBody != nil)
    }

    @Test func zeroRTTPacketsAreQUICButNotDecrypted() throws {
        let datagrams = PeerCaptureFixtures.v1ZeroRTTBeforeInitial
        let (assembler, results) = QUICTestSupport.assemble(Array(datagrams.prefix(2)))
        #expect(results == [true, true])
        #expect(assembler.versionName == "v1")
        #expect(assembler.decryptedClientInitialPackets == 0)
        #expect(assembler.clientHelloBody == nil)
    }

    @Test func coalescedPacketsAreSplit() throws {
        // quic_0RTT frame 1: Initial (528) + 0-RTT (704); frame 2: Initial (187) +
        // Handshake (221) + a short-header packet with a greased fixed bit (824).
        let expected = [[0..<528, 528..<1232], [0..<187, 187..<408, 408..<1232]]
        for (datagram, ranges) in zip(PeerCaptureFixtures.draft28ZeroRTT, expected) {
            let bytes = QUICTestSupport.bytes(datagram.hex)
            #expect(bytes.withUnsafeBytes { QUICDatagram.packetRanges(in: $0) } == ranges)
        }
        // The limit bounds the work per datagram.
        let bytes = QUICTestSupport.bytes(PeerCaptureFixtures.draft28ZeroRTT[1].hex)
        #expect(bytes.withUnsafeBytes { QUICDatagram.packetRanges(in: $0, limit: 1) } == [0..<187])
    }

    struct GoogleCase: CustomTestStringConvertible, Sendable {
        let name: String
        let datagrams: [(direction: Character, hex: String)]
        let version: String
        let sni: String
        let userAgent: String
        var testDescription: String { name }
    }

    static let googleCases: [GoogleCase] = [
        GoogleCase(name: "quic_q50", datagrams: PeerCaptureFixtures.q050, version: "Q050",
                   sni: "www.googletagmanager.com", userAgent: "Chrome/83.0.4103.101 Android 8.0.0; LDN-L21"),
        GoogleCase(name: "gquic (Q050)", datagrams: PeerCaptureFixtures.q050gstatic, version: "Q050",
                   sni: "www.gstatic.com", userAgent: "canary Chrome/85.0.4169.0 Windows NT 10.0; Win64; x64"),
        GoogleCase(name: "quic.pcap Q024", datagrams: PeerCaptureFixtures.q024, version: "Q024",
                   sni: "mail.google.com", userAgent: "beta Chrome/43.0.2357.45"),
        GoogleCase(name: "quic.pcap Q025", datagrams: PeerCaptureFixtures.q025, version: "Q025",
                   sni: "www.google.com", userAgent: "Chrome/49.0.2623.87 Linux x86_64"),
        GoogleCase(name: "youtube_quic Q035", datagrams: PeerCaptureFixtures.q035, version: "Q035",
                   sni: "pagead2.googlesyndication.com", userAgent: "beta Chrome/57.0.2987.98 Intel Mac OS X 10_12_3"),
        GoogleCase(name: "quic.pcap Q030", datagrams: PeerCaptureFixtures.q030, version: "Q030",
                   sni: "www.youtube.com", userAgent: "Chrome/50.0.2661.102 Linux x86_64"),
    ]

    @Test(arguments: googleCases)
    func googleClientHelloIsRecovered(_ testCase: GoogleCase) throws {
        let (assembler, wasQUIC) = QUICTestSupport.assemble(testCase.datagrams)
        #expect(wasQUIC.allSatisfy { $0 })
        #expect(assembler.versionName == testCase.version)
        #expect(assembler.googleSNI == testCase.sni)
        #expect(assembler.googleUAID == testCase.userAgent)
        #expect(assembler.googleClientHello?.messageTag == "CHLO")
        #expect(assembler.clientHelloBody == nil)
        #expect(assembler.isComplete)
    }
}
