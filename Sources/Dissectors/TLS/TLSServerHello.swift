/// A parsed TLS, DTLS or QUIC ServerHello (or HelloRetryRequest, which shares its format).
public struct TLSServerHello: Sendable, Equatable {
    /// `legacy_version` from the handshake body.
    public var legacyVersion: UInt16
    /// The version from supported_versions (ext 0x002b) when present, else `legacyVersion`.
    public var selectedVersion: UInt16
    /// The chosen cipher suite.
    public var cipherSuite: UInt16
    /// The chosen compression method.
    public var compressionMethod: UInt8
    /// Extension types in wire order.
    public var extensions: [UInt16]
    /// The protocol the server selected with ALPN, as printable text.
    public var alpn: String?
    /// Raw bytes of the selected ALPN protocol (JA4S needs the bytes).
    public var alpnBytes: [UInt8]?
    /// Whether the random is the RFC 8446 HelloRetryRequest marker.
    public var isHelloRetryRequest: Bool

    /// A ServerHello from its fields (for tests and synthetic input).
    public init(
        legacyVersion: UInt16 = 0x0303, selectedVersion: UInt16? = nil, cipherSuite: UInt16,
        compressionMethod: UInt8 = 0, extensions: [UInt16] = [], alpnBytes: [UInt8]? = nil,
        isHelloRetryRequest: Bool = false
    ) {
        self.legacyVersion = legacyVersion
        self.selectedVersion = selectedVersion ?? legacyVersion
        self.cipherSuite = cipherSuite
        self.compressionMethod = compressionMethod
        self.extensions = extensions
        self.alpnBytes = alpnBytes
        self.alpn = alpnBytes.map { $0.withUnsafeBytes { ByteReader.printable($0) } }
        self.isHelloRetryRequest = isHelloRetryRequest
    }

    /// SHA-256("HelloRetryRequest"), the random value that marks a HelloRetryRequest.
    static let helloRetryRequestRandom: [UInt8] = [
        0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
        0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
    ]

    /// Parses a ServerHello handshake body (after the handshake header). DTLS uses the same body
    /// format; `isDTLS` is accepted for symmetry with ``TLSClientHello/parse(body:isDTLS:)``.
    public static func parse(body: UnsafeRawBufferPointer, isDTLS: Bool = false) -> TLSServerHello? {
        var reader = ByteReader(body)
        guard let version = reader.u16(), let random = reader.bytes(32),
              let sessionID = reader.vector8(), sessionID.bytes.count <= 32,
              let suite = reader.u16(), let compression = reader.u8()
        else { return nil }

        var hello = TLSServerHello(
            legacyVersion: version, cipherSuite: suite, compressionMethod: compression,
            isHelloRetryRequest: random.elementsEqual(helloRetryRequestRandom))
        if reader.isAtEnd { return hello }
        guard var extensions = reader.vector16() else { return nil }
        while !extensions.isAtEnd {
            guard let type = extensions.u16(), var data = extensions.vector16() else { return nil }
            hello.extensions.append(type)
            switch type {
            case TLSExtensionType.supportedVersions:
                if let selected = data.u16() { hello.selectedVersion = selected }
            case TLSExtensionType.alpn:
                if let name = TLSExtensionReading.protocolNames(&data).first {
                    hello.alpnBytes = name
                    hello.alpn = name.withUnsafeBytes { ByteReader.printable($0) }
                }
            default:
                break
            }
        }
        return hello
    }
}
