import Dissectors
import Testing

@Suite("TLS record stream")
struct TLSRecordStreamTests {
    @Test func looksLikeTLS() {
        #expect(looks([0x16, 0x03, 0x01, 0x02, 0x00]))
        #expect(looks([0x16, 0x03, 0x04]))
        #expect(!looks([0x16, 0x03, 0x05]))
        #expect(!looks([0x17, 0x03, 0x03]))
        #expect(!looks([0x16, 0x03]))
        #expect(!looks(Array("GET / HTTP/1.1\r\n".utf8)))
    }

    private func looks(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBytes { TLSRecordStream.looksLikeTLS($0) } }

    @Test func singleRecordClientHello() {
        let scan = handshakes(hexBytes(LabCapture.tls12ClientHello))
        #expect(scan.status == .complete && !scan.needsMoreBytes && !scan.isNotTLS)
        #expect(scan.messages.count == 1 && scan.messages.first?.type == 1)
    }

    @Test func everyProperPrefixNeedsMoreBytes() {
        let stream = hexBytes(LabCapture.tls12ClientHello)
        for length in 1..<stream.count {
            let scan = handshakes(Array(stream.prefix(length)))
            #expect(scan.needsMoreBytes && scan.messages.isEmpty)
        }
        #expect(handshakes([]).status == .complete)
    }

    @Test func handshakeFragmentedAcrossRecordsIsConcatenated() throws {
        let stream = hexBytes(PeerHellos.chromeJA4b)
        let original = try #require(handshakes(stream).messages.first)
        let handshake = Array(stream.dropFirst(5))
        // Re-frame the handshake into 100-byte records, as a large post-quantum hello would be.
        var reframed: [UInt8] = []
        var start = 0
        while start < handshake.count {
            let piece = handshake[start..<min(start + 100, handshake.count)]
            reframed += [0x16, 0x03, 0x01, UInt8(piece.count >> 8), UInt8(piece.count & 0xff)] + piece
            start += 100
        }
        let scan = handshakes(reframed)
        #expect(scan.status == .complete)
        #expect(scan.messages == [original])
        // A cut inside the last record, or between records, still waits for more.
        #expect(handshakes(Array(reframed.prefix(reframed.count - 1))).needsMoreBytes)
        #expect(handshakes(Array(reframed.prefix(105))).needsMoreBytes)
    }

    @Test func notTLSAndMalformedStreams() {
        #expect(handshakes(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)).isNotTLS)
        #expect(handshakes([0x17, 0x03, 0x03, 0x00, 0x01, 0x00]).isNotTLS)  // starts with application data
        let good = hexBytes(LabCapture.tls12ClientHello)
        #expect(handshakes(good + [0x99, 0x03, 0x03, 0x00, 0x00]).status == .malformed)
        #expect(handshakes(good + [0x16, 0x03, 0x03, 0xff, 0xff]).status == .malformed)  // record too long
    }

    @Test func oversizedHandshakeMessageIsRefused() {
        // A record announcing a 5 MiB ClientHello.
        let stream: [UInt8] = [0x16, 0x03, 0x01, 0x00, 0x08, 0x01, 0x50, 0x00, 0x00, 0x03, 0x03, 0x00, 0x00]
        let scan = handshakes(stream)
        #expect(scan.status == .messageTooLarge && scan.messages.isEmpty)
    }

    @Test func stopsAtChangeCipherSpec() {
        let scan = handshakes(hexBytes(LabCapture.tls13ServerFlight))
        #expect(scan.status == .handshakeEnded && scan.messages.count == 1)
    }

    @Test func everyMutationIsSafe() {
        robustness(hexBytes(LabCapture.tls12ServerFlight)) { bytes in
            for message in handshakes(bytes).messages { _ = TLSHandshakeMessage.parse(message) }
        }
    }
}
