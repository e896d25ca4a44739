import Dissectors
import Fingerprints
import FingerprintsFoxIO
import FuzzSupport

// Input: datagrams with a 2-byte length in front, read as DTLS records by one
// handshake assembler (fragments, reordering, duplicates); completed messages are
// parsed and fingerprinted as the pipeline does (JA4 d…, JA4S, JA4X).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    var assembler = DTLSHandshakeAssembler()
    for datagram in input.chunks(limit: 48) {
        let messages = withExactBuffer(datagram) { bytes -> [TLSRawHandshake] in
            consume(DTLSRecord.looksLikeDTLS(bytes))
            for record in DTLSRecord.parseAll(datagram: bytes) {
                consume(record.payload.withUnsafeBytes { DTLSHandshakeFragment.parseAll(recordPayload: $0) })
            }
            return assembler.add(datagram: bytes)
        }
        for message in messages {
            switch TLSHandshakeMessage.parse(message, isDTLS: true) {
            case .clientHello(let hello):
                consume(JA3(hello).hash)
                consume(JA4(hello, transport: .dtls).fingerprint)
            case .serverHello(let hello):
                consume(JA3S(hello).hash)
                consume(JA4S(hello, transport: .dtls).fingerprint)
            case .certificate(let certificates):
                for certificate in certificates { consume(JA4X(der: certificate.der)?.fingerprint) }
            case let other:
                consume(other)
            }
        }
    }
    return 0
}
