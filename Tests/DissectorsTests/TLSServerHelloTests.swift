import Dissectors
import Testing

@Suite("TLS ServerHello")
struct TLSServerHelloTests {
    @Test func tls13ServerHelloFromLabCapture() throws {
        let scan = handshakes(hexBytes(LabCapture.tls13ServerFlight))
        #expect(scan.status == .handshakeEnded)  // ChangeCipherSpec, then encrypted records
        #expect(scan.messages.map(\.type) == [2])
        let message = try #require(scan.messages.first)
        guard case .serverHello(let hello) = TLSHandshakeMessage.parse(message) else {
            Issue.record("not a ServerHello")
            return
        }
        #expect(hello.legacyVersion == 0x0303)
        #expect(hello.selectedVersion == 0x0304)
        #expect(hello.cipherSuite == 0x1302)
        #expect(hello.extensions == [43, 51])
        #expect(hello.alpn == nil)
        #expect(!hello.isHelloRetryRequest)
    }

    @Test func tls12ServerFlightFromLabCapture() throws {
        let scan = handshakes(hexBytes(LabCapture.tls12ServerFlight))
        #expect(scan.status == .complete)
        #expect(scan.messages.map(\.type) == [2, 11, 12, 14])
        let hello = try #require(scan.messages[0].body.withUnsafeBytes { TLSServerHello.parse(body: $0) })
        #expect(hello.selectedVersion == 0x0303)
        #expect(hello.cipherSuite == 49196)
        #expect(hello.extensions == [65281, 11, 35, 23])
    }

    @Test func dtls13HelloRetryRequestIsRecognised() throws {
        var assembler = DTLSHandshakeAssembler()
        let messages = hexBytes(PeerHellos.dtls13HRR).withUnsafeBytes { assembler.add(datagram: $0) }
        let message = try #require(messages.first)
        #expect(message.type == TLSHandshakeType.serverHello)
        let hello = try #require(message.body.withUnsafeBytes { TLSServerHello.parse(body: $0, isDTLS: true) })
        #expect(hello.isHelloRetryRequest)
        #expect(hello.selectedVersion == 0xfefc)
    }

    @Test func serverHelloWithALPN() throws {
        // version, random, empty session id, suite 0x1301, compression 0, ALPN "h2".
        var body: [UInt8] = [0x03, 0x03] + [UInt8](repeating: 1, count: 32) + [0, 0x13, 0x01, 0]
        body += [0, 9, 0x00, 0x10, 0, 5, 0, 3, 2, 0x68, 0x32]
        let hello = try #require(body.withUnsafeBytes { TLSServerHello.parse(body: $0) })
        #expect(hello.alpn == "h2" && hello.alpnBytes == [0x68, 0x32] && hello.extensions == [0x0010])
    }

    @Test func everyPrefixAndMutationIsSafe() throws {
        let message = try #require(handshakes(hexBytes(LabCapture.tls12ServerFlight)).messages.first)
        var parsed = 0
        robustness(message.body) { bytes in
            if bytes.withUnsafeBytes({ TLSServerHello.parse(body: $0) }) != nil { parsed += 1 }
        }
        #expect(parsed > 0)
    }
}
