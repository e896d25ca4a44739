import Testing
@testable import Dissectors

// Fixtures: client→server bytes of the six connections in Captures/lab-mtproto.pcap
// (made by Captures/make-mtproto-capture.py; segments of one stream concatenated):
// `tshark -r Captures/lab-mtproto.pcap -Y 'tcp.len>0 && tcp.dstport==18443' -T fields -e tcp.stream -e tcp.payload`.
// Each connection sends two frames holding an unencrypted req_pq_multi (auth_key_id 0,
// constructor f1 8e 7e be) after its transport prefix.
private enum Fixture {
    /// Stream 0: obfuscated2, abridged tag, DC 2, two 40-byte frames.
    static let obfuscatedAbridged = "0f630e500d20d1e5807dce9a23e3c0559274aee2fa85965cc072b2b0d9bd729e43ad1fa833921ea91e74957f21bf6fff1d1f858e1ec44ad3c3f76912f289abc2913d41b01018346ff69c0ae190b47b3054ad7342a11d42ab9f6a99b101f9d78bbd570c75cf0812fb440bf6fe55b38498a4404e6972f76a7877d3f8cb9a99d8cac41fc78a12a93e1c6ea1dbeb16da6d4f8b3d"
    /// Stream 1: obfuscated2, intermediate tag, DC -4 (media).
    static let obfuscatedIntermediate = "02757adcc2d9f0b5e23c2778fd494f9af4b999b6db67e9116016f90e04780269daa98fdb43f9088b6c1f6f800186bafd547449920f89299c48a7e07164c5c7b355af81e5abd8a1d1eae4b2ee264ea8fcb425e08de416b76b6d21bc41c8cc5eacf493639a151bb3633fe16f66a9699b254c5ebb8c6f94b4c7a88df54fc31b255839f8d5b2fdda854368874eb87034322c4ec72f300f04eb4f"
    /// Stream 2: obfuscated2, padded-intermediate tag, DC 5 (first frame 40 + 13 padding bytes).
    static let obfuscatedPadded = "81fc2b33a7d06fc2471882a6f4ba5f98ca05a2dbb826ee5dceca1ed0a3b02011f4eef7c5858e0d89c717185eb0c8d956f25f17731709c35be7b63768e2ac2e0a80eeaae986e8fa6617ecc5f77f889998209101f0f944aeacabd1fa81c8343cd42d358b2dae8ffbd5b46e654489999ef4fca96f55ca93a0d3293a30767cb41be0648268ff155eddfe54176759baed89ce9f9d5b0f925d74fee235d3542d23639494338860cccf9c"
    /// Stream 3: plain abridged.
    static let abridged = "ef0a00000000000000002c82ab2430eb0d6b14000000f18e7ebe133b08293f07f35daa575d5259113cb10a0000000000000000f86fba7f30eb0d6b14000000f18e7ebe3396bb927f2e1e34c0d73e18e593405f"
    /// Stream 4: plain intermediate.
    static let intermediate = "eeeeeeee280000000000000000000000089c4b8a30eb0d6b14000000f18e7ebe31a13aa565364663909d05f0ff8b4ada28000000000000000000000098ea566830eb0d6b14000000f18e7ebec3de76ca97a5d3ea6cd5c3ddcb29ef52"
    /// Stream 5: full transport (seqno 0 and 1, CRC32).
    static let full = "34000000000000000000000000000000bcf0aed330eb0d6b14000000f18e7ebe6873e72a60081989feb1850aaab7990b8e3e82d134000000010000000000000000000000b425dca430eb0d6b14000000f18e7ebe18df1b61b3813b6384dd071b87604409c442610e"
}


@Suite struct MTProtoTests {
    @Test func obfuscatedAbridgedWithDC() throws {
        let raw = hexBytes(Fixture.obfuscatedAbridged)
        let transport = try #require(MTProto.identify(clientPayload: raw))
        #expect(transport.framing == .abridged)
        #expect(transport.isObfuscated)
        #expect(transport.dcID == 2)
        #expect(transport.firstFrame == MTProtoFrame(payloadLength: 40, authKeyID: 0))

        // The header alone (first segment) is enough to verify.
        let headerOnly = try #require(MTProto.identify(clientPayload: Array(raw[0..<64])))
        #expect(headerOnly.isObfuscated && headerOnly.dcID == 2 && headerOnly.firstFrame == nil)

        // The decrypted stream continues into the frames: req_pq_multi after the 20-byte header.
        let plain = try #require(MTProto.decryptObfuscated2(clientStream: raw))
        #expect(Array(plain[56..<60]) == MTProto.abridgedTag)
        #expect(Array(plain[85..<89]) == [0xF1, 0x8E, 0x7E, 0xBE])
    }

    @Test func obfuscatedIntermediateNegativeDC() throws {
        let transport = try #require(MTProto.identify(clientPayload: hexBytes(Fixture.obfuscatedIntermediate)))
        #expect(transport.framing == .intermediate)
        #expect(transport.isObfuscated)
        #expect(transport.dcID == -4)
        #expect(transport.firstFrame?.payloadLength == 40)
        #expect(transport.firstFrame?.authKeyID == 0)
    }

    @Test func obfuscatedPadded() throws {
        let transport = try #require(MTProto.identify(clientPayload: hexBytes(Fixture.obfuscatedPadded)))
        #expect(transport.framing == .paddedIntermediate)
        #expect(transport.dcID == 5)
        #expect(transport.firstFrame?.payloadLength == 53)
    }

    @Test func plainFramings() throws {
        let abridged = try #require(MTProto.identify(clientPayload: hexBytes(Fixture.abridged)))
        #expect(abridged == MTProtoTransport(framing: .abridged, isObfuscated: false,
                                              firstFrame: MTProtoFrame(payloadLength: 40, authKeyID: 0)))
        // The lone first segment `ef` (stream 3 sends it on its own).
        #expect(MTProto.identify(clientPayload: [0xEF])?.framing == .abridged)

        let intermediate = try #require(MTProto.identify(clientPayload: hexBytes(Fixture.intermediate)))
        #expect(intermediate.framing == .intermediate)
        #expect(intermediate.firstFrame?.payloadLength == 40)
        #expect(MTProto.identify(clientPayload: [0xEE, 0xEE, 0xEE, 0xEE])?.framing == .intermediate)
        #expect(MTProto.identify(clientPayload: [0xDD, 0xDD, 0xDD, 0xDD])?.framing == .paddedIntermediate)

        let full = try #require(MTProto.identify(clientPayload: hexBytes(Fixture.full)))
        #expect(full.framing == .full)
        #expect(full.firstFrame == MTProtoFrame(payloadLength: 40, authKeyID: 0, sequenceNumber: 0, crcMatches: true))
    }

    @Test func fullTransportNeedsMatchingCRC() {
        var corrupted = hexBytes(Fixture.full)
        corrupted[20] ^= 0x01
        #expect(MTProto.identify(clientPayload: corrupted) == nil)
        // Incomplete frame: cannot check the CRC, so no claim.
        #expect(MTProto.identify(clientPayload: Array(hexBytes(Fixture.full)[0..<30])) == nil)
    }

    @Test func rejectsOtherProtocols() {
        var tampered = hexBytes(Fixture.obfuscatedAbridged)
        tampered[10] ^= 0x80  // changes the key: the tag no longer decrypts
        #expect(MTProto.identify(clientPayload: tampered) == nil)
        #expect(MTProto.identify(clientPayload: Array("GET / HTTP/1.1\r\nHost: example.org\r\n\r\n".utf8) + Array(repeating: 0x41, count: 40)) == nil)
        let tlsStart: [UInt8] = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03] + Array(repeating: 0x11, count: 60)
        #expect(MTProto.identify(clientPayload: tlsStart) == nil)
        #expect(MTProto.identify(clientPayload: [0xEF, 0x00, 0x00]) == nil)
        #expect(MTProto.identify(clientPayload: []) == nil)
        #expect(MTProto.identify(clientPayload: Array(repeating: 0, count: 64)) == nil)
    }

    @Test func robustness() {
        let fixtures = [Fixture.obfuscatedAbridged, Fixture.obfuscatedPadded, Fixture.abridged,
                        Fixture.intermediate, Fixture.full].map(hexBytes)
        for fixture in fixtures {
            for end in 0...fixture.count {
                _ = MTProto.identify(clientPayload: Array(fixture[0..<end]))
            }
        }
        var state: UInt64 = 0x4D54_5072
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11
        }
        for round in 0..<2000 {
            var mutated = fixtures[round % fixtures.count]
            for _ in 0..<(1 + Int(next() % 4)) {
                mutated[Int(next() % UInt64(mutated.count))] = UInt8(truncatingIfNeeded: next())
            }
            _ = MTProto.identify(clientPayload: mutated)
        }
    }
}
