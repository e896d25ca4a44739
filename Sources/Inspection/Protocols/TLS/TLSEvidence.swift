import Schema

public struct TLSCertificateEvidence: Sendable {
    public var subject: String
    public var issuer: String
    public var san: [String]
    public var notBefore: String
    public var notAfter: String
    public var serial: String
    public var sha256: String
    public var ja4x: String?
}

/// A TLS, QUIC or DTLS handshake.
public struct TLSEvidence: Sendable {
    /// Negotiated version (`1.3`, `1.2`, … `dtls1.2`), else the highest offered.
    public var version: String?
    public var sni: String?
    public var alpn: [String] = []
    public var alpnSelected: String?
    /// Selected cipher suite as 4 hex digits, e.g. `1301`.
    public var cipher: String?
    public var ja3: String?
    public var ja3String: String?
    public var ja3s: String?
    public var ja3sString: String?
    public var ja4: String?
    public var ja4r: String?
    public var ja4s: String?
    public var ja4sr: String?
    public var ech: Bool = false
    public var certificates: [TLSCertificateEvidence] = []
    public var sawClientHello = false
    public var sawServerHello = false
}

extension TLSEvidence {
    /// The `tls` object's members.
    @inlinable
    public func describe<Sink: FieldSink>(into sink: inout Sink) {
        sink.text(.tlsVersion, version)
        sink.text(.tlsSNI, sni)
        if sawClientHello { sink.texts(.tlsALPN, alpn) }
        sink.text(.tlsALPNSelected, alpnSelected)
        sink.text(.tlsCipher, cipher)
        sink.text(.tlsJA3, ja3)
        sink.text(.tlsJA3String, ja3String)
        sink.text(.tlsJA3S, ja3s)
        sink.text(.tlsJA3SString, ja3sString)
        sink.text(.tlsJA4, ja4)
        sink.text(.tlsJA4R, ja4r)
        sink.text(.tlsJA4S, ja4s)
        sink.text(.tlsJA4SR, ja4sr)
        if sawClientHello { sink.bool(.tlsECH, ech) }
        if !certificates.isEmpty {
            sink.objects(.tlsCertificates, certificates) { certificate, item in certificate.describe(into: &item) }
        }
    }
}

extension TLSCertificateEvidence {
    @inlinable
    public func describe<Sink: FieldSink>(into sink: inout Sink) {
        sink.text(.tlsCertificateSubject, subject)
        sink.text(.tlsCertificateIssuer, issuer)
        sink.texts(.tlsCertificateSAN, san)
        sink.text(.tlsCertificateNotBefore, notBefore)
        sink.text(.tlsCertificateNotAfter, notAfter)
        sink.text(.tlsCertificateSerial, serial)
        sink.text(.tlsCertificateSHA256, sha256)
        sink.text(.tlsCertificateJA4X, ja4x)
    }
}
