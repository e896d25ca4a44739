import Dissectors
import Testing

@Suite struct QUICFramesTests {
    private func frames(_ hex: String) -> ([String], QUICFrameReader.StopReason?) {
        let payload = QUICTestSupport.bytes(hex)
        return payload.withUnsafeBytes { raw in
            var reader = QUICFrameReader(raw)
            var seen: [String] = []
            while let frame = reader.next() {
                switch frame {
                case .padding(let count): seen.append("padding(\(count))")
                case .ping: seen.append("ping")
                case .ack(let ack):
                    seen.append("ack(\(ack.largestAcknowledged),\(ack.ackDelay),\(ack.firstRange),\(ack.additionalRanges.count),\(ack.ecnCounts != nil))")
                case .crypto(let offset, let data): seen.append("crypto(\(offset),\(QUICTestSupport.hex(data)))")
                case .connectionClose(let code, let type, let reason):
                    seen.append("close(\(code),\(type.map(String.init) ?? "-"),\(String(decoding: reason, as: UTF8.self)))")
                }
            }
            return (seen, reader.stopReason)
        }
    }

    @Test func walksInitialFrames() {
        // PING, ACK (1 extra range), ACK_ECN, CRYPTO, PADDING×3, CONNECTION_CLOSE(0x1c), app close (0x1d).
        let (seen, stop) = frames("01" + "020a0001020103" + "0305000000010203" + "060503aabbcc" + "000000"
                                  + "1c0a06026f6b" + "1d0100")
        #expect(seen == ["ping", "ack(10,0,2,1,false)", "ack(5,0,0,0,true)", "crypto(5,aabbcc)", "padding(3)",
                         "close(10,6,ok)", "close(1,-,)"])
        #expect(stop == .endOfPayload)
    }

    @Test func stopsOnUnexpectedOrMalformedFrames() {
        #expect(frames("01" + "08aabb").1 == .unexpectedFrameType(8))
        #expect(frames("0600" + "05aa").1 == .malformed(frameType: 6))       // CRYPTO longer than payload
        #expect(frames("02" + "01000f00").1 == .malformed(frameType: 2))      // 15 ranges announced, none present
        #expect(frames("").0.isEmpty)
    }

    @Test func cryptoStreamReassemblesOutOfOrderOverlappingAndDuplicated() {
        var stream = QUICCryptoStream()
        let message: [UInt8] = [0x01, 0x00, 0x00, 0x06, 10, 11, 12, 13, 14, 15]
        stream.insert(offset: 6, data: Array(message[6...]))
        #expect(stream.contiguousCount == 0)
        stream.insert(offset: 2, data: Array(message[2..<5]))
        stream.insert(offset: 2, data: Array(message[2..<5]))          // duplicate
        #expect(!stream.hasCompleteHandshakeMessage)
        stream.insert(offset: 0, data: Array(message[0..<3]))          // overlaps [2]
        #expect(stream.contiguousCount == 5)
        #expect(!stream.hasCompleteHandshakeMessage)
        stream.insert(offset: 4, data: Array(message[4..<8]))          // fills the hole, overlaps both sides
        #expect(Array(stream.contiguousPrefix) == message)
        let first = stream.firstHandshakeMessage
        #expect(first?.type == 1)
        #expect(first.map { Array($0.body) } == [10, 11, 12, 13, 14, 15])
    }

    @Test func cryptoStreamIsBounded() {
        var stream = QUICCryptoStream(capacity: 8)
        stream.insert(offset: 6, data: [1, 2, 3, 4])
        #expect(stream.isTruncated)
        stream.insert(offset: UInt64.max, data: [1])
        stream.insert(offset: 0, data: [0x01, 0x00, 0x00, 0x10, 0, 0])
        #expect(stream.contiguousCount == 8)
        #expect(!stream.hasCompleteHandshakeMessage)  // 16-byte body can never fit
        stream.insert(offset: 3, data: [])
        #expect(stream.contiguousCount == 8)
    }
}

@Suite struct QUICVersionTests {
    @Test func namesAndFamilies() {
        let expected: [(UInt32, String)] = [
            (0x0000_0001, "v1"), (0x6b33_43cf, "v2"), (0xff00_001b, "draft-27"), (0xff00_001d, "draft-29"),
            (0xff00_0022, "draft-34"), (0xfaceb001, "mvfst-22"), (0xfaceb002, "mvfst-27"), (0xfaceb00e, "mvfst-exp"),
            (0x5130_3436, "Q046"), (0x5130_3530, "Q050"), (0x5430_3531, "T051"), (0x1a2a_3a4a, "forcing-negotiation-0x1a2a3a4a"),
            (0x1234_5678, "unknown-0x12345678"),
        ]
        for (raw, name) in expected {
            #expect(QUICVersion(raw).name == name)
        }
        #expect(!QUICVersion(0x1234_5678).isKnown)
        #expect(QUICVersion(0x5130_3436).usesIETFLongHeader == false)
        #expect(QUICVersion(0x5430_3531).carriesTLS)
        #expect(!QUICVersion(0x5130_3530).carriesTLS)
    }

    @Test func saltsFollowTheDrafts() {
        #expect(QUICVersion(0xff00_001b).initialProtection == .draft23)
        #expect(QUICVersion(0xff00_001c).initialProtection == .draft23)
        #expect(QUICVersion(0xff00_001d).initialProtection == .draft29)
        #expect(QUICVersion(0xff00_0020).initialProtection == .draft29)
        #expect(QUICVersion(0xff00_0021).initialProtection == .v1)
        #expect(QUICVersion(0xff00_0022).initialProtection == .v1)
        #expect(QUICVersion(0xfaceb002).initialProtection == .draft23)
        #expect(QUICVersion(0xfaceb001).initialProtection == .draft22)
        #expect(QUICVersion.v2.initialProtection?.keyLabel == "quicv2 key")
        #expect(QUICVersion(0x5130_3436).initialProtection == nil)
        #expect(QUICVersion(0x1a2a_3a4a).initialProtection == nil)
    }

    @Test func v2PermutesLongHeaderTypes() {
        for (bits, v1Type, v2Type) in [(UInt8(0), QUICLongPacketType.initial, QUICLongPacketType.retry),
                                       (1, .zeroRTT, .initial), (2, .handshake, .zeroRTT), (3, .retry, .handshake)] {
            let first = 0xc0 | bits << 4
            #expect(QUICVersion.v1.longPacketType(firstByte: first) == v1Type)
            #expect(QUICVersion.v2.longPacketType(firstByte: first) == v2Type)
        }
    }

    @Test func longHeaderRejectsOversizedConnectionIDsForKnownVersions() {
        // Initial: DCID length, DCID, SCID length 0, token length 0, length 1, one PN byte.
        func initial(dcidLength: Int, version: [UInt8] = [0, 0, 0, 1]) -> [UInt8] {
            [0xc0] + version + [UInt8(dcidLength)] + Array(repeating: 0xaa, count: dcidLength) + [0, 0, 1, 0]
        }
        let ok = initial(dcidLength: 20)
        let header = ok.withUnsafeBytes(QUICLongHeader.parse)
        #expect(header?.destinationConnectionID.count == 20)
        #expect(header?.packetLength == ok.count)
        #expect(initial(dcidLength: 21).withUnsafeBytes(QUICLongHeader.parse) == nil)
        // Unknown versions only promise the invariants (up to 255 bytes).
        #expect(initial(dcidLength: 21, version: [0x12, 0x34, 0x56, 0x78]).withUnsafeBytes(QUICLongHeader.parse) != nil)
    }
}
