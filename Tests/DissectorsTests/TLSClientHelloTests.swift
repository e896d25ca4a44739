import Dissectors
import Testing

@Suite("TLS ClientHello")
struct TLSClientHelloTests {
    @Test func openSSLTLS13HelloFromLabCapture() throws {
        let hello = try #require(clientHello(tcpPayload: LabCapture.tls13ClientHello))
        #expect(hello.legacyVersion == 0x0303)
        #expect(hello.sessionIDLength == 32)
        #expect(hello.cipherSuites == [0x1302, 0x1303, 0x1301, 0x00ff])
        #expect(hello.compressionMethods == [0])
        #expect(hello.extensions == [0, 11, 10, 35, 22, 23, 13, 43, 45, 51])
        #expect(hello.serverName == "chat.signal.org")
        #expect(hello.hasServerNameExtension)
        #expect(hello.alpn.isEmpty && hello.firstALPNBytes == nil)
        #expect(hello.supportedVersions == [0x0304])
        #expect(hello.supportedGroups == [29, 23, 30, 25, 24, 256, 257, 258, 259, 260])
        #expect(hello.ecPointFormats == [0, 1, 2])
        #expect(hello.signatureAlgorithms.first == 0x0403)
        #expect(hello.keyShareGroups == [0x001d])
        #expect(!hello.hasEncryptedClientHello && !hello.hasESNI && !hello.hasQUICTransportParameters)
    }

    @Test func openSSLTLS12HelloFromLabCapture() throws {
        let hello = try #require(clientHello(tcpPayload: LabCapture.tls12ClientHello))
        #expect(hello.serverName == "web.whatsapp.com")
        #expect(hello.cipherSuites.count == 28 && hello.cipherSuites.last == 0x00ff)
        #expect(hello.supportedVersions.isEmpty)
        #expect(hello.extensions == [0, 11, 10, 35, 22, 23, 13])
    }

    @Test func chromeHelloKeepsGREASEAndReadsALPN() throws {
        let hello = try #require(clientHello(tcpPayload: PeerHellos.chromeJA4a))
        #expect(hello.cipherSuites.first == 0x9a9a)
        #expect(hello.extensions.first == 0x4a4a)
        #expect(hello.serverName == "www.iit.cnr.it")
        #expect(hello.alpn == ["h2", "http/1.1"])
        #expect(hello.firstALPNBytes == Array("h2".utf8))
        #expect(hello.supportedVersions == [0x6a6a, 0x0304, 0x0303, 0x0302, 0x0301])
        #expect(hello.keyShareGroups == [0x6a6a, 0x001d])
    }

    @Test func encryptedClientHelloIsFlagged() throws {
        let hello = try #require(clientHello(tcpPayload: PeerHellos.ech))
        #expect(hello.hasEncryptedClientHello)
        #expect(hello.serverName == "performance.radar.cloudflare.com")
    }

    @Test func helloWithoutServerName() throws {
        let hello = try #require(clientHello(tcpPayload: PeerHellos.lotsOfCiphers))
        #expect(hello.serverName == nil && !hello.hasServerNameExtension)
        #expect(hello.cipherSuites.count > 99)
    }

    @Test func bodyWithoutExtensionsBlockIsAccepted() throws {
        // legacy_version, random, empty session id, one suite, null compression, no extensions.
        let body: [UInt8] = [0x03, 0x01] + [UInt8](repeating: 7, count: 32) + [0, 0, 2, 0x00, 0x2f, 1, 0]
        let hello = try #require(body.withUnsafeBytes { TLSClientHello.parse(body: $0) })
        #expect(hello.legacyVersion == 0x0301 && hello.cipherSuites == [0x002f] && hello.extensions.isEmpty)
    }

    @Test func rejectsOddCipherVectorAndTrailingGarbage() {
        var body: [UInt8] = [0x03, 0x03] + [UInt8](repeating: 0, count: 32) + [0, 0, 3, 0x00, 0x2f, 0x00, 1, 0]
        #expect(body.withUnsafeBytes { TLSClientHello.parse(body: $0) } == nil)
        body = [0x03, 0x03] + [UInt8](repeating: 0, count: 32) + [0, 0, 2, 0x00, 0x2f, 1, 0, 0x00]
        #expect(body.withUnsafeBytes { TLSClientHello.parse(body: $0) } == nil)
    }

    @Test func everyPrefixAndMutationIsSafe() throws {
        for hex in [LabCapture.tls13ClientHello, PeerHellos.chromeJA4b, PeerHellos.ech] {
            let message = try #require(handshakes(hexBytes(hex)).messages.first)
            var parsed = 0
            robustness(message.body) { bytes in
                if bytes.withUnsafeBytes({ TLSClientHello.parse(body: $0) }) != nil { parsed += 1 }
                _ = bytes.withUnsafeBytes { TLSClientHello.parse(body: $0, isDTLS: true) }
            }
            #expect(parsed > 0)
        }
    }
}
