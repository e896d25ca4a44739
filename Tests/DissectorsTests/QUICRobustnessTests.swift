import Dissectors
import Testing

/// Hostile input must never trap: truncations and byte mutations of valid
/// packets only make parsing or decryption fail.
@Suite struct QUICRobustnessTests {
    static let samples: [[UInt8]] = [
        QUICProtectionTests.rfc9001ClientInitial,
        QUICProtectionTests.rfc9001ServerInitial,
        QUICTestSupport.bytes(PeerCaptureFixtures.draft28ZeroRTT[0].hex),   // coalesced Initial + 0-RTT
        QUICTestSupport.bytes(PeerCaptureFixtures.q050[0].hex),
        QUICTestSupport.bytes(PeerCaptureFixtures.q024[0].hex),            // clear-text gQUIC
    ]

    /// Runs every entry point on `bytes`; the result only matters in that it must not trap.
    @discardableResult
    static func exercise(_ bytes: [UInt8]) -> Int {
        var touched = 0
        bytes.withUnsafeBytes { raw in
            var client = QUICHandshakeAssembler()
            if client.addClientDatagram(raw) { touched += 1 }
            var server = QUICHandshakeAssembler()
            server.addServerDatagram(raw)
            for range in QUICDatagram.packetRanges(in: raw) {
                let packet = UnsafeRawBufferPointer(rebasing: raw[range])
                guard let header = QUICLongHeader.parse(packet) else { continue }
                let keys = QUICInitialKeys(parameters: .v1, clientDestinationConnectionID: header.destinationConnectionID)
                if QUICInitialProtection.unprotect(packet: packet, header: header, keys: keys.client) != nil { touched += 1 }
            }
            var frames = QUICFrameReader(raw)
            while frames.next() != nil { touched += 1 }
            var stream = QUICCryptoStream(capacity: 4096)
            stream.insert(offset: UInt64(raw.count), data: raw)
            if GoogleQUIC.clearTextClientHello(in: raw) != nil { touched += 1 }
            if GoogleQUICHandshakeMessage.parse(raw) != nil { touched += 1 }
            GoogleQUIC.forEachCryptoFrame(inDecryptedPayload: raw) { _, _ in touched += 1 }
        }
        return touched
    }

    @Test func everyPrefixIsHandled() {
        for sample in Self.samples {
            for length in 0...sample.count {
                let prefix = Array(sample.prefix(length))
                Self.exercise(prefix)
                // A truncated Initial never yields a ClientHello.
                if length < sample.count, sample == QUICProtectionTests.rfc9001ClientInitial {
                    var assembler = QUICHandshakeAssembler()
                    prefix.withUnsafeBytes { _ = assembler.addClientDatagram($0) }
                    #expect(assembler.clientHelloBody == nil)
                }
            }
        }
    }

    @Test func pseudoRandomMutationsAreHandled() {
        var random = SplitMix64(state: 0x5155_4943)  // "QUIC"
        var decryptedAfterMutation = 0
        for round in 0..<3000 {
            var sample = Self.samples[round % Self.samples.count]
            let mutations = 1 + Int(random.next() % 4)
            for _ in 0..<mutations {
                let position = Int(random.next() % UInt64(sample.count))
                // Favour the header, where lengths live.
                let index = random.next() % 2 == 0 ? position % min(64, sample.count) : position
                sample[index] = UInt8(truncatingIfNeeded: random.next())
            }
            Self.exercise(sample)
            if round % Self.samples.count == 0, sample != Self.samples[0] {
                // Every byte of the RFC Initial is either header (authenticated, or
                // an input of the keys) or AEAD ciphertext: any real change must fail.
                var assembler = QUICHandshakeAssembler()
                sample.withUnsafeBytes { _ = assembler.addClientDatagram($0) }
                if assembler.clientHelloBody != nil { decryptedAfterMutation += 1 }
            }
        }
        #expect(decryptedAfterMutation == 0)
    }

    @Test func hostileLengthsAreRejected() {
        // Long header claiming a huge token and a huge length.
        let hugeToken: [UInt8] = [0xc3, 0, 0, 0, 1, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]
        #expect(hugeToken.withUnsafeBytes(QUICLongHeader.parse) == nil)
        // CHLO with a tag count far beyond what fits.
        let chlo = Array("CHLO".utf8) + [0xff, 0x00, 0x00, 0x00, 0x53, 0x4e, 0x49, 0x00, 0xff, 0xff, 0xff, 0x7f]
        #expect(chlo.withUnsafeBytes(GoogleQUICHandshakeMessage.parse) == nil)
        // CRYPTO frame at an offset near 2^62.
        var stream = QUICCryptoStream()
        let frame = QUICTestSupport.bytes("06ffffffffffffffff03aabbcc")
        frame.withUnsafeBytes { raw in
            var reader = QUICFrameReader(raw)
            while let next = reader.next() {
                if case .crypto(let offset, let data) = next { stream.insert(offset: offset, data: data) }
            }
        }
        #expect(stream.isTruncated)
        #expect(stream.contiguousCount == 0)
    }
}
