import Dissectors
import Fingerprints
import FuzzSupport

// Input: a mode byte, then
//   even: datagrams (2-byte length in front; the first byte of each tells the
//         direction) fed as they are to a QUICHandshakeAssembler;
//   odd:  a version selector, a DCID, then plaintext Initial payloads (2-byte length
//         in front; first byte: direction and packet number length) that are
//         protected here with the real Initial keys, so the fuzzer's frames reach
//         the code behind the AEAD: frame parsing, CRYPTO reassembly, the hellos.
// Either way the results are parsed as the pipeline does (ClientHello, JA4 q…).

func finish(_ assembler: QUICHandshakeAssembler) {
    if let body = assembler.clientHelloBody {
        withExactBuffer(body) { bytes in consume(TLSClientHello.parse(body: bytes).map { JA4($0, transport: .quic).fingerprint }) }
    }
    if let body = assembler.serverHelloBody {
        withExactBuffer(body) { bytes in consume(TLSServerHello.parse(body: bytes)) }
    }
    consume(assembler.googleSNI)
    consume(assembler.googleUAID)
    consume(assembler.versionName)
}

func walkFrames(_ payload: [UInt8]) {
    withExactBuffer(payload) { bytes in
        var reader = QUICFrameReader(bytes)
        var frames = 0
        while let frame = reader.next(), frames < 1024 {
            frames += 1
            if case .crypto(_, let data) = frame { consume(touch(data)) }
        }
        consume(GoogleQUICHandshakeMessage.parse(bytes))
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let mode = input.u8()
    var assembler = QUICHandshakeAssembler()
    if mode & 1 == 0 {
        for datagram in input.chunks(limit: 48) {
            guard let direction = datagram.first else { continue }
            withExactBuffer(datagram.dropFirst()) { bytes in
                if direction & 1 == 0 { assembler.addClientDatagram(bytes) } else { assembler.addServerDatagram(bytes) }
                consume(GoogleQUIC.clearTextClientHello(in: bytes))
                for range in QUICDatagram.packetRanges(in: bytes) {
                    consume(QUICLongHeader.parse(UnsafeRawBufferPointer(rebasing: bytes[range])))
                }
            }
        }
    } else {
        let version = QUICProtect.versions[Int(input.u8()) % QUICProtect.versions.count]
        let dcid = Array(input.take(Int(input.u8()) % 21))
        guard let keys = QUICInitialKeys(version: QUICVersion(version), clientDestinationConnectionID: dcid) else { return 0 }
        var packetNumber: UInt32 = 0
        var pendingDatagram: [UInt8] = []
        for chunk in input.chunks(limit: 24) {
            guard let control = chunk.first else { continue }
            let payload = Array(chunk.dropFirst())
            walkFrames(payload)
            let fromServer = control & 1 != 0
            guard let packet = QUICProtect.initialPacket(
                version: version, dcid: dcid, scid: [0x5a, 0x5a], packetNumber: packetNumber,
                packetNumberLength: Int(control >> 1) & 3 + 1, payload: payload,
                keys: fromServer ? keys.server : keys.client) else { continue }
            packetNumber &+= 1
            // Bit 3: coalesce with the next packet of the same datagram.
            pendingDatagram += packet
            if control & 8 != 0 { continue }
            withExactBuffer(pendingDatagram) { bytes in
                if fromServer { assembler.addServerDatagram(bytes) } else { assembler.addClientDatagram(bytes) }
            }
            pendingDatagram = []
        }
    }
    finish(assembler)
    return 0
}
