import Dissectors
import Testing

@Suite("DTLS")
struct DTLSTests {
    @Test func recordsOfAClientHelloDatagram() throws {
        let records = hexBytes(PeerHellos.dtls10Hello).withUnsafeBytes { DTLSRecord.parseAll(datagram: $0) }
        let record = try #require(records.first)
        #expect(records.count == 1)
        #expect(record.contentType == 22 && record.version == 0xfeff && record.epoch == 0 && record.sequenceNumber == 0)
        #expect(hexBytes(PeerHellos.dtls10Hello).withUnsafeBytes { DTLSRecord.looksLikeDTLS($0) })
        #expect(!hexBytes(LabCapture.tls12ClientHello).withUnsafeBytes { DTLSRecord.looksLikeDTLS($0) })
    }

    @Test func clientHelloFromDatagram() throws {
        let hello = try #require(Self.clientHello(PeerHellos.dtls13Hello1))
        #expect(hello.legacyVersion == 0xfefd)
        #expect(hello.cookieLength == 0)
        #expect(hello.supportedVersions.contains(0xfefc))
        // The second ClientHello after the HelloRetryRequest parses too.
        let second = try #require(Self.clientHello(PeerHellos.dtls13Hello2))
        #expect(second.cipherSuites == hello.cipherSuites)
    }

    @Test func datagramWithSeveralRecordsAndATrailingUnifiedHeader() {
        let datagram = hexBytes(PeerHellos.dtls10Hello) + hexBytes(PeerHellos.dtls10Hello) + [0x2e, 0x08, 0x81, 0x00, 0x1f]
        let records = datagram.withUnsafeBytes { DTLSRecord.parseAll(datagram: $0) }
        #expect(records.count == 2)
    }

    @Test func fragmentsInAnyOrderWithOverlapsReassemble() throws {
        let whole = try #require(Self.messages(PeerHellos.dtls13Hello1).first)
        let n = whole.body.count
        let pieces = [(300, n), (0, 150), (100, 320)]
        var assembler = DTLSHandshakeAssembler()
        var completed: [TLSRawHandshake] = []
        for (start, end) in pieces {
            let fragment = DTLSHandshakeFragment(
                messageType: whole.type, messageLength: n, messageSequence: 0,
                fragmentOffset: start, bytes: Array(whole.body[start..<end]))
            if let message = assembler.add(fragment) { completed.append(message) }
        }
        #expect(completed == [whole])
        // A retransmitted fragment of a completed message does not yield it again.
        let again = DTLSHandshakeFragment(
            messageType: whole.type, messageLength: n, messageSequence: 0, fragmentOffset: 0, bytes: whole.body)
        #expect(assembler.add(again) == nil)
    }

    @Test func fragmentsAcrossDatagrams() throws {
        let whole = try #require(Self.messages(PeerHellos.dtls10Hello).first)
        let cut = 60
        let first = Self.datagram(type: whole.type, sequence: 0, length: whole.body.count, offset: 0, Array(whole.body[..<cut]))
        let second = Self.datagram(type: whole.type, sequence: 0, length: whole.body.count, offset: cut, Array(whole.body[cut...]))
        var assembler = DTLSHandshakeAssembler()
        #expect(second.withUnsafeBytes { assembler.add(datagram: $0) }.isEmpty)
        #expect(first.withUnsafeBytes { assembler.add(datagram: $0) } == [whole])
    }

    @Test func helloVerifyRequestThenClientHelloWithCookie() throws {
        let firstHello = try #require(Self.messages(PeerHellos.dtls10Hello).first)
        let cookie: [UInt8] = [0xde, 0xad, 0xbe, 0xef]
        let verify = Self.datagram(type: TLSHandshakeType.helloVerifyRequest, sequence: 0, length: 7, offset: 0,
                                   [0xfe, 0xff, 4] + cookie)
        var server = DTLSHandshakeAssembler()
        let verifyMessage = try #require(verify.withUnsafeBytes { server.add(datagram: $0) }.first)
        #expect(TLSHandshakeMessage.parse(verifyMessage, isDTLS: true) == .helloVerifyRequest(serverVersion: 0xfeff, cookie: cookie))

        // The client repeats its hello with the cookie after the (empty) session id, message_seq 1.
        var body = firstHello.body
        let cookieAt = 2 + 32 + 1 + Int(body[34])
        body.replaceSubrange(cookieAt...cookieAt, with: [UInt8(cookie.count)] + cookie)
        var client = DTLSHandshakeAssembler()
        _ = hexBytes(PeerHellos.dtls10Hello).withUnsafeBytes { client.add(datagram: $0) }
        let repeated = Self.datagram(type: 1, sequence: 1, length: body.count, offset: 0, body)
        let message = try #require(repeated.withUnsafeBytes { client.add(datagram: $0) }.first)
        guard case .clientHello(let hello) = TLSHandshakeMessage.parse(message, isDTLS: true),
              case .clientHello(let original) = TLSHandshakeMessage.parse(firstHello, isDTLS: true)
        else {
            Issue.record("ClientHellos did not parse")
            return
        }
        #expect(hello.cookieLength == 4 && original.cookieLength == 0)
        #expect(hello.cipherSuites == original.cipherSuites && hello.extensions == original.extensions)
    }

    @Test func assemblerBounds() {
        var assembler = DTLSHandshakeAssembler()
        let huge = DTLSHandshakeFragment(messageType: 11, messageLength: 70_000, messageSequence: 0, fragmentOffset: 0, bytes: [1])
        #expect(assembler.add(huge) == nil)
        // Eight partial messages fill the assembler; a ninth complete one is ignored.
        for sequence in 0..<8 {
            let partial = DTLSHandshakeFragment(messageType: 11, messageLength: 10, messageSequence: UInt16(sequence),
                                                fragmentOffset: 0, bytes: [1])
            #expect(assembler.add(partial) == nil)
        }
        let ninth = DTLSHandshakeFragment(messageType: 14, messageLength: 0, messageSequence: 9, fragmentOffset: 0, bytes: [])
        #expect(assembler.add(ninth) == nil)
        // Inconsistent lengths for the same message are ignored.
        let conflicting = DTLSHandshakeFragment(messageType: 11, messageLength: 12, messageSequence: 0, fragmentOffset: 1, bytes: [2])
        #expect(assembler.add(conflicting) == nil)
        var fresh = DTLSHandshakeAssembler()
        #expect(fresh.add(ninth) == TLSRawHandshake(type: 14, body: []))
    }

    @Test func everyPrefixAndMutationIsSafe() {
        for hex in [PeerHellos.dtls10Hello, PeerHellos.dtls13Hello1, PeerHellos.dtls13HRR] {
            robustness(hexBytes(hex)) { bytes in
                var assembler = DTLSHandshakeAssembler()
                for message in bytes.withUnsafeBytes({ assembler.add(datagram: $0) }) {
                    _ = TLSHandshakeMessage.parse(message, isDTLS: true)
                }
            }
        }
    }

    // MARK: - Helpers

    static func messages(_ hex: String) -> [TLSRawHandshake] {
        var assembler = DTLSHandshakeAssembler()
        return hexBytes(hex).withUnsafeBytes { assembler.add(datagram: $0) }
    }

    static func clientHello(_ hex: String) -> TLSClientHello? {
        guard let message = messages(hex).first, message.type == 1 else { return nil }
        return message.body.withUnsafeBytes { TLSClientHello.parse(body: $0, isDTLS: true) }
    }

    /// One epoch-0 DTLS 1.0 handshake record holding one fragment.
    static func datagram(type: UInt8, sequence: UInt16, length: Int, offset: Int, _ bytes: [UInt8]) -> [UInt8] {
        func u24(_ v: Int) -> [UInt8] { [UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)] }
        let fragment = [type] + u24(length) + [UInt8(sequence >> 8), UInt8(sequence & 0xff)] + u24(offset) + u24(bytes.count) + bytes
        return [22, 0xfe, 0xff, 0, 0, 0, 0, 0, 0, 0, 1] + [UInt8(fragment.count >> 8), UInt8(fragment.count & 0xff)] + fragment
    }
}
