import Dissectors
import Fingerprints
import FingerprintsFoxIO

/// The one handshake loop: takes the handshake messages a transport produced
/// (TLS over TCP, DTLS, QUIC's CRYPTO frames, TLS inside OpenVPN or after XMPP's
/// STARTTLS) and records ClientHello, ServerHello and Certificate into `TLSEvidence`.
/// Each transport only produces the messages and says how it carries them.
enum TLSHandshake {
    /// How a transport carries a TLS handshake.
    struct Carrier {
        /// The transport for JA4/JA4S (`t`, `q`, `d`).
        let transport: JA4.Transport
        /// The Certificate message's layout, or nil when certificates are not recorded.
        let certificateFormat: TLSCertificateMessage.Format?

        static let tcp = Carrier(transport: .tcp, certificateFormat: .automatic)
        static let dtls = Carrier(transport: .dtls, certificateFormat: .tls12)
        /// QUIC's certificate is encrypted (TLS 1.3): only the hellos are seen.
        static let quic = Carrier(transport: .quic, certificateFormat: nil)
        /// OpenVPN's control channel: the hellos (JA3/JA4 as for TLS over TCP, as tshark computes them).
        static let openVPN = Carrier(transport: .tcp, certificateFormat: nil)
    }

    /// Records the handshake messages of one direction (`0` client, `1` server), or of
    /// either (`nil`, when the transport does not tell them apart, as DTLS here):
    /// the first ClientHello, the first ServerHello, the first certificate chain.
    static func record(_ messages: [TLSRawHandshake], from direction: Int?, via carrier: Carrier,
                       certificates: CertificateCacheBox, into tls: inout TLSEvidence) {
        for message in messages {
            record(message, from: direction, via: carrier, certificates: certificates, into: &tls)
        }
    }

    static func record(_ message: TLSRawHandshake, from direction: Int?, via carrier: Carrier,
                       certificates: CertificateCacheBox, into tls: inout TLSEvidence) {
        let fromClient = direction != 1
        let fromServer = direction != 0
        let isDTLS = carrier.transport == .dtls
        switch message.type {
        case TLSHandshakeType.clientHello where fromClient && !tls.sawClientHello:
            if let hello = message.body.withUnsafeBytes({ TLSClientHello.parse(body: $0, isDTLS: isDTLS) }) {
                record(hello, transport: carrier.transport, into: &tls)
            }
        case TLSHandshakeType.serverHello where fromServer && !tls.sawServerHello:
            if let hello = message.body.withUnsafeBytes({ TLSServerHello.parse(body: $0, isDTLS: isDTLS) }) {
                record(hello, transport: carrier.transport, into: &tls)
            }
        case TLSHandshakeType.certificate where fromServer && tls.certificates.isEmpty:
            if let format = carrier.certificateFormat,
               let chain = message.body.withUnsafeBytes({ TLSCertificateMessage.certificates(body: $0, format: format) }) {
                tls.certificates = chain.map { certificates.evidence(for: $0) }
            }
        default:
            break
        }
    }

    static func record(_ hello: TLSClientHello, transport: JA4.Transport, into tls: inout TLSEvidence) {
        tls.sawClientHello = true
        tls.sni = hello.serverName
        tls.alpn = hello.alpn
        tls.ech = hello.hasEncryptedClientHello
        let ja3 = JA3(hello)
        tls.ja3 = ja3.hash
        tls.ja3String = ja3.full
        let ja4 = JA4(hello, transport: transport)
        tls.ja4 = ja4.fingerprint
        tls.ja4r = ja4.raw
        if tls.version == nil {
            let offered = GREASE.removing(from: hello.supportedVersions).max() ?? hello.legacyVersion
            tls.version = versionName(offered)
        }
    }

    static func record(_ hello: TLSServerHello, transport: JA4.Transport, into tls: inout TLSEvidence) {
        tls.sawServerHello = true
        tls.version = versionName(hello.selectedVersion)
        tls.cipher = hex4(hello.cipherSuite)
        tls.alpnSelected = hello.alpn
        let ja3s = JA3S(hello)
        tls.ja3s = ja3s.hash
        tls.ja3sString = ja3s.full
        let ja4s = JA4S(hello, transport: transport)
        tls.ja4s = ja4s.fingerprint
        tls.ja4sr = ja4s.raw
    }

    static func versionName(_ version: UInt16) -> String {
        switch version {
        case 0x0304: "1.3"
        case 0x0303: "1.2"
        case 0x0302: "1.1"
        case 0x0301: "1.0"
        case 0x0300: "ssl3"
        case 0x0002: "ssl2"
        case 0xFEFF: "dtls1.0"
        case 0xFEFD: "dtls1.2"
        case 0xFEFC: "dtls1.3"
        default: hex4(version)
        }
    }

    static func hex4(_ value: UInt16) -> String {
        JA4Text.hex4(value)
    }
}
