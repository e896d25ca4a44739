import Dissectors

/// Helpers shared by the QUIC tests (no tests here).
enum QUICTestSupport {
    /// Bytes from hex text; whitespace and newlines are ignored.
    static func bytes(_ hex: String) -> [UInt8] { hexBytes(hex) }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
    }

    /// The host_name of the server_name extension of a ClientHello *body*
    /// (RFC 8446 §4.1.2, RFC 6066 §3), or nil. Deliberately tiny: the real TLS
    /// parser lives elsewhere.
    static func serverName(inClientHelloBody body: [UInt8]) -> String? {
        body.withUnsafeBytes { raw -> String? in
            var reader = ByteReader(raw)
            guard reader.skip(2 + 32), reader.vector8() != nil, reader.vector16() != nil,
                  reader.vector8() != nil, var extensions = reader.vector16() else { return nil }
            while let type = extensions.u16(), var data = extensions.vector16() {
                guard type == 0 else { continue }
                guard var list = data.vector16(), list.u8() == 0, let name = list.vector16() else { return nil }
                return String(decoding: name.bytes, as: UTF8.self)
            }
            return nil
        }
    }

    /// Feeds fixture datagrams to a fresh assembler, checking each is seen as QUIC.
    static func assemble(_ datagrams: [(direction: Character, hex: String)]) -> (QUICHandshakeAssembler, [Bool]) {
        var assembler = QUICHandshakeAssembler()
        var results: [Bool] = []
        for datagram in datagrams {
            let payload = bytes(datagram.hex)
            let wasQUIC = payload.withUnsafeBytes { raw in
                datagram.direction == "c" ? assembler.addClientDatagram(raw) : assembler.addServerDatagram(raw)
            }
            results.append(wasQUIC)
        }
        return (assembler, results)
    }

}
