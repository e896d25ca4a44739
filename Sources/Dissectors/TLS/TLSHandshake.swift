/// Handshake message type code points (RFC 8446 §4, RFC 6347 §4.2.2).
public enum TLSHandshakeType {
    /// client hello (1).
    public static let clientHello: UInt8 = 1
    /// server hello (2).
    public static let serverHello: UInt8 = 2
    /// hello verify request (3).
    public static let helloVerifyRequest: UInt8 = 3
    /// new session ticket (4).
    public static let newSessionTicket: UInt8 = 4
    /// encrypted extensions (8).
    public static let encryptedExtensions: UInt8 = 8
    /// certificate (11).
    public static let certificate: UInt8 = 11
    /// server key exchange (12).
    public static let serverKeyExchange: UInt8 = 12
    /// certificate request (13).
    public static let certificateRequest: UInt8 = 13
    /// server hello done (14).
    public static let serverHelloDone: UInt8 = 14
    /// certificate verify (15).
    public static let certificateVerify: UInt8 = 15
    /// client key exchange (16).
    public static let clientKeyExchange: UInt8 = 16
    /// finished (20).
    public static let finished: UInt8 = 20
}

/// One complete handshake message as bytes: its type and its body (header removed).
public struct TLSRawHandshake: Sendable, Equatable {
    /// Handshake message type (see ``TLSHandshakeType``).
    public var type: UInt8
    /// The message body, without the 4-byte (TLS) or 12-byte (DTLS) handshake header.
    public var body: [UInt8]

    /// A message of `type` with `body`.
    public init(type: UInt8, body: [UInt8]) {
        self.type = type
        self.body = body
    }
}

/// A handshake message decoded far enough for evidence and fingerprints.
public enum TLSHandshakeMessage: Sendable, Equatable {
    /// A ClientHello.
    case clientHello(TLSClientHello)
    /// A ServerHello or HelloRetryRequest.
    case serverHello(TLSServerHello)
    /// A Certificate message: the chain, leaf first.
    case certificate([TLSCertificateInfo])
    /// DTLS HelloVerifyRequest: the client must repeat its ClientHello with this cookie.
    case helloVerifyRequest(serverVersion: UInt16, cookie: [UInt8])
    /// Any other message type, not decoded.
    case other(type: UInt8)

    /// Decodes a handshake body of the given type; nil when a known message is malformed.
    public static func parse(type: UInt8, body: UnsafeRawBufferPointer, isDTLS: Bool = false) -> TLSHandshakeMessage? {
        switch type {
        case TLSHandshakeType.clientHello:
            return TLSClientHello.parse(body: body, isDTLS: isDTLS).map { .clientHello($0) }
        case TLSHandshakeType.serverHello:
            return TLSServerHello.parse(body: body, isDTLS: isDTLS).map { .serverHello($0) }
        case TLSHandshakeType.certificate:
            return TLSCertificateMessage.parse(body: body).map { .certificate($0) }
        case TLSHandshakeType.helloVerifyRequest:
            var reader = ByteReader(body)
            guard let version = reader.u16(), let cookie = reader.vector8() else { return nil }
            return .helloVerifyRequest(serverVersion: version, cookie: Array(cookie.bytes))
        default:
            return .other(type: type)
        }
    }

    /// Decodes a raw handshake message; nil when a known message is malformed.
    public static func parse(_ message: TLSRawHandshake, isDTLS: Bool = false) -> TLSHandshakeMessage? {
        message.body.withUnsafeBytes { parse(type: message.type, body: $0, isDTLS: isDTLS) }
    }
}
