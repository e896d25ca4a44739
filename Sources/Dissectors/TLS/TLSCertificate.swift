import Basics
import Crypto
import Decoding

/// One certificate of a Certificate handshake message, summarised for reports.
public struct TLSCertificateInfo: Sendable, Equatable {
    /// Subject distinguished name, RFC 4514 text (``DistinguishedName``); empty if unparsable.
    public var subject: String
    /// Issuer distinguished name, RFC 4514 text; empty if unparsable.
    public var issuer: String
    /// Subject alternative names: DNS names, then IP addresses as text, in certificate order.
    public var subjectAltNames: [String]
    /// Start of validity, RFC 3339 UTC (`2024-01-31T12:00:00Z`); empty if unparsable.
    public var notBefore: String
    /// End of validity, RFC 3339 UTC; empty if unparsable.
    public var notAfter: String
    /// Serial number, lowercase hex of the integer (DER content octets less a sign-padding zero); empty if unparsable.
    public var serial: String
    /// Lowercase hex SHA-256 of the DER encoding (always set).
    public var sha256: String
    /// The DER encoding as sent (JA4X walks it).
    public var der: [UInt8]

    /// Summarises one DER certificate; fields other than `sha256` and `der` stay empty when
    /// its outer layout is not a certificate's.
    public init(der: [UInt8]) {
        self.der = der
        var hasher = SHA256()
        der.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        self.sha256 = Hex.lowercase(hasher.finalize())
        self.subject = ""
        self.issuer = ""
        self.subjectAltNames = []
        self.notBefore = ""
        self.notAfter = ""
        self.serial = ""

        // Everything is read straight from the DER (X509Outline), so a certificate that a
        // strict parser rejects (Tor's, old T61String names) still shows its names.
        guard let outline = der.withUnsafeBytes({ X509Outline.parse(der: $0) }) else { return }
        subject = outline.subject
        issuer = outline.issuer
        // The integer's value: DER's sign-padding zero octet dropped, as OpenSSL prints it.
        var octets = outline.serialNumber[...]
        if octets.count > 1, octets.first == 0, let next = octets.dropFirst().first, next & 0x80 != 0 { octets = octets.dropFirst() }
        serial = Hex.lowercase(octets)
        for name in outline.altNames {
            switch name {
            case .dnsName(let host): subjectAltNames.append(host)
            case .ipAddress(let octets): subjectAltNames.append(Self.ipText(octets))
            }
        }
        notBefore = outline.notBefore ?? ""
        notAfter = outline.notAfter ?? ""
    }

    /// Dotted IPv4, or IPv6 in RFC 5952 text.
    static func ipText(_ bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map { String($0) }.joined(separator: ".") }
        if bytes.count == 16 {
            var high: UInt64 = 0, low: UInt64 = 0
            for i in 0..<8 { high = high << 8 | UInt64(bytes[i]) }
            for i in 8..<16 { low = low << 8 | UInt64(bytes[i]) }
            return IPAddress(high: high, low: low).description
        }
        return Hex.lowercase(bytes)
    }
}

/// Parsing of the Certificate handshake message (RFC 5246 §7.4.2 and RFC 8446 §4.4.2).
public enum TLSCertificateMessage {
    /// Which Certificate message layout to expect.
    public enum Format: Sendable {
        /// TLS ≤ 1.2 / DTLS ≤ 1.2: a u24 list of u24-prefixed certificates.
        case tls12
        /// TLS 1.3: request context, then entries with per-certificate extensions.
        case tls13
        /// Try the TLS ≤ 1.2 layout first, then TLS 1.3; the one that consumes the body exactly wins.
        case automatic
    }

    /// Upper bound on certificates taken from one message, so a hostile chain stays cheap.
    public static let maximumCertificates = 16

    /// The certificates of a Certificate message body in chain order (leaf first), or nil.
    public static func parse(body: UnsafeRawBufferPointer, format: Format = .automatic) -> [TLSCertificateInfo]? {
        certificates(body: body, format: format).map { $0.map(TLSCertificateInfo.init(der:)) }
    }

    /// The DER certificates of a Certificate message body in chain order, unparsed
    /// (for callers that cache what they parse).
    public static func certificates(body: UnsafeRawBufferPointer, format: Format = .automatic) -> [[UInt8]]? {
        switch format {
        case .tls12: tls12(body)
        case .tls13: tls13(body)
        case .automatic: tls12(body) ?? tls13(body)
        }
    }

    private static func tls12(_ body: UnsafeRawBufferPointer) -> [[UInt8]]? {
        var reader = ByteReader(body)
        guard var list = reader.vector24(), reader.isAtEnd else { return nil }
        var ders: [[UInt8]] = []
        while !list.isAtEnd {
            guard let certificate = list.vector24() else { return nil }
            if ders.count < maximumCertificates { ders.append(Array(certificate.bytes)) }
        }
        return ders
    }

    private static func tls13(_ body: UnsafeRawBufferPointer) -> [[UInt8]]? {
        var reader = ByteReader(body)
        guard reader.vector8() != nil, var list = reader.vector24(), reader.isAtEnd else { return nil }
        var ders: [[UInt8]] = []
        while !list.isAtEnd {
            guard let certificate = list.vector24(), list.vector16() != nil else { return nil }
            if ders.count < maximumCertificates { ders.append(Array(certificate.bytes)) }
        }
        return ders
    }
}
