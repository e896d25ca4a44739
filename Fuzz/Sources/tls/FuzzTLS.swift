import Dissectors
import Fingerprints
import FingerprintsFoxIO
import FuzzSupport

// Input: one mode byte, then
//   0: a TCP stream (one direction) walked as TLS records; every handshake message is parsed
//      and fingerprinted (JA3/JA4, JA3S/JA4S, JA4X);
//   1: a handshake message body of the type in the next byte;
//   2: one DER certificate (X.509 outline with its RFC 4514 names, JA4X);
//   3: a Certificate message body (TLS 1.2 / 1.3 / automatic layout by the next byte).

func fingerprint(_ message: TLSHandshakeMessage?, transport: JA4.Transport) {
    switch message {
    case .clientHello(let hello):
        consume(JA3(hello).hash)
        consume(JA4(hello, transport: transport).fingerprint)
    case .serverHello(let hello):
        consume(JA3S(hello).hash)
        consume(JA4S(hello, transport: transport).fingerprint)
    case .certificate(let certificates):
        for certificate in certificates { consume(JA4X(der: certificate.der)?.fingerprint) }
    default:
        consume(message)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let mode = input.u8() % 4
    switch mode {
    case 0:
        let stream = Array(input.rest())
        withExactBuffer(stream) { bytes in
            consume(TLSRecordStream.looksLikeTLS(bytes))
            let scan = TLSRecordStream.scan(bytes)
            for message in scan.messages { fingerprint(TLSHandshakeMessage.parse(message), transport: .tcp) }
        }
    case 1:
        let type = input.u8()
        let body = Array(input.rest())
        withExactBuffer(body) { bytes in
            fingerprint(TLSHandshakeMessage.parse(type: type, body: bytes, isDTLS: type & 0x80 != 0), transport: .tcp)
            consume(TLSClientHello.parse(body: bytes).map { JA4($0, transport: .quic).fingerprint })
            consume(TLSServerHello.parse(body: bytes).map { JA4S($0, transport: .quic).fingerprint })
        }
    case 2:
        let der = Array(input.rest())
        withExactBuffer(der) { bytes in
            consume(X509Outline.parse(der: bytes))
            consume(JA4X(der: der)?.fingerprint)
            consume(TLSCertificateInfo(der: der).subject)
        }
    default:
        let format: TLSCertificateMessage.Format = [.tls12, .tls13, .automatic][Int(input.u8()) % 3]
        let body = Array(input.rest())
        withExactBuffer(body) { bytes in
            consume(TLSCertificateMessage.certificates(body: bytes, format: format)?.map { JA4X(der: $0)?.fingerprint })
        }
    }
    return 0
}
