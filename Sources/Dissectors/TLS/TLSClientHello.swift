/// A parsed TLS, DTLS or QUIC ClientHello: everything JA3 and JA4 need, in wire order.
///
/// Lists keep GREASE values exactly as sent; fingerprint code decides what to drop.
public struct TLSClientHello: Sendable, Equatable {
    /// `legacy_version` from the handshake body (not the record layer).
    public var legacyVersion: UInt16
    /// Length of the legacy session id (0...32).
    public var sessionIDLength: Int
    /// Length of the DTLS cookie (0 for TLS and QUIC, and for a DTLS first flight).
    public var cookieLength: Int
    /// Offered cipher suites in wire order.
    public var cipherSuites: [UInt16]
    /// Offered compression methods in wire order.
    public var compressionMethods: [UInt8]
    /// Extension types in wire order.
    public var extensions: [UInt16]
    /// First host name of the server_name extension, as printable text.
    public var serverName: String?
    /// ALPN protocol names in order, as printable text.
    public var alpn: [String]
    /// Raw bytes of the first ALPN protocol name (JA4 needs the bytes, not the text).
    public var firstALPNBytes: [UInt8]?
    /// supported_versions list (ext 0x002b) in order.
    public var supportedVersions: [UInt16]
    /// supported_groups list (ext 0x000a) in order.
    public var supportedGroups: [UInt16]
    /// ec_point_formats list (ext 0x000b) in order.
    public var ecPointFormats: [UInt8]
    /// signature_algorithms list (ext 0x000d) in order; not signature_algorithms_cert.
    public var signatureAlgorithms: [UInt16]
    /// Groups of the key_share entries (ext 0x0033) in order.
    public var keyShareGroups: [UInt16]
    /// Whether an encrypted_client_hello extension (0xfe0d) is present.
    public var hasEncryptedClientHello: Bool
    /// Whether a draft encrypted_server_name extension (0xffce) is present.
    public var hasESNI: Bool
    /// Whether the ClientHello carries QUIC transport parameters (ext 0x0039 or draft 0xffa5).
    public var hasQUICTransportParameters: Bool
    /// Chrome's user agent in the QUIC transport parameters (`google_user_agent`, 0x3129).
    public var quicUserAgent: String?

    /// A ClientHello from its fields (for tests and synthetic input); lists default to empty.
    public init(
        legacyVersion: UInt16 = 0x0303, sessionIDLength: Int = 0, cookieLength: Int = 0,
        cipherSuites: [UInt16] = [], compressionMethods: [UInt8] = [0], extensions: [UInt16] = [],
        serverName: String? = nil, alpn: [String] = [], firstALPNBytes: [UInt8]? = nil,
        supportedVersions: [UInt16] = [], supportedGroups: [UInt16] = [], ecPointFormats: [UInt8] = [],
        signatureAlgorithms: [UInt16] = [], keyShareGroups: [UInt16] = [],
        hasEncryptedClientHello: Bool = false, hasESNI: Bool = false, hasQUICTransportParameters: Bool = false
    ) {
        self.legacyVersion = legacyVersion
        self.sessionIDLength = sessionIDLength
        self.cookieLength = cookieLength
        self.cipherSuites = cipherSuites
        self.compressionMethods = compressionMethods
        self.extensions = extensions
        self.serverName = serverName
        self.alpn = alpn
        self.firstALPNBytes = firstALPNBytes
        self.supportedVersions = supportedVersions
        self.supportedGroups = supportedGroups
        self.ecPointFormats = ecPointFormats
        self.signatureAlgorithms = signatureAlgorithms
        self.keyShareGroups = keyShareGroups
        self.hasEncryptedClientHello = hasEncryptedClientHello
        self.hasESNI = hasESNI
        self.hasQUICTransportParameters = hasQUICTransportParameters
    }

    /// Whether a server_name extension is present at all (its content is not validated).
    public var hasServerNameExtension: Bool { extensions.contains(TLSExtensionType.serverName) }

    /// Parses a ClientHello handshake body (after the 4-byte TLS or 12-byte DTLS handshake header).
    ///
    /// The same body format is used by TLS over TCP and by QUIC CRYPTO frames; DTLS adds a
    /// cookie vector after the session id. Returns nil when the body is truncated or inconsistent.
    public static func parse(body: UnsafeRawBufferPointer, isDTLS: Bool = false) -> TLSClientHello? {
        var reader = ByteReader(body)
        guard let version = reader.u16(), reader.skip(32) else { return nil }
        guard let sessionID = reader.vector8(), sessionID.bytes.count <= 32 else { return nil }
        var cookieLength = 0
        if isDTLS {
            guard let cookie = reader.vector8() else { return nil }
            cookieLength = cookie.bytes.count
        }
        guard var suites = reader.vector16(), suites.remaining % 2 == 0,
              var compressions = reader.vector8()
        else { return nil }

        var hello = TLSClientHello(
            legacyVersion: version, sessionIDLength: sessionID.bytes.count, cookieLength: cookieLength,
            compressionMethods: [])
        hello.cipherSuites.reserveCapacity(suites.remaining / 2)
        while let suite = suites.u16() { hello.cipherSuites.append(suite) }
        while let method = compressions.u8() { hello.compressionMethods.append(method) }

        // Very old (SSLv3 / TLS 1.0) hellos may end here with no extensions block.
        if reader.isAtEnd { return hello }
        guard var extensions = reader.vector16() else { return nil }
        while !extensions.isAtEnd {
            guard let type = extensions.u16(), var data = extensions.vector16() else { return nil }
            hello.extensions.append(type)
            // A malformed extension body only loses that extension's details, as Wireshark does.
            hello.readExtension(type: type, data: &data)
        }
        return hello
    }

    private mutating func readExtension(type: UInt16, data: inout ByteReader) {
        switch type {
        case TLSExtensionType.serverName:
            serverName = TLSExtensionReading.firstHostName(&data)
        case TLSExtensionType.alpn:
            let names = TLSExtensionReading.protocolNames(&data)
            alpn = names.map { $0.withUnsafeBytes { ByteReader.printable($0) } }
            firstALPNBytes = names.first
        case TLSExtensionType.supportedVersions:
            if var list = data.vector8() { supportedVersions = TLSExtensionReading.u16List(&list) }
        case TLSExtensionType.supportedGroups:
            if var list = data.vector16() { supportedGroups = TLSExtensionReading.u16List(&list) }
        case TLSExtensionType.ecPointFormats:
            if var list = data.vector8() {
                while let format = list.u8() { ecPointFormats.append(format) }
            }
        case TLSExtensionType.signatureAlgorithms:
            if var list = data.vector16() { signatureAlgorithms = TLSExtensionReading.u16List(&list) }
        case TLSExtensionType.keyShare:
            if var list = data.vector16() {
                while let group = list.u16(), list.vector16() != nil { keyShareGroups.append(group) }
            }
        case TLSExtensionType.encryptedClientHello:
            hasEncryptedClientHello = true
        case TLSExtensionType.encryptedServerName:
            hasESNI = true
        case TLSExtensionType.quicTransportParameters, TLSExtensionType.quicTransportParametersDraft:
            hasQUICTransportParameters = true
            quicUserAgent = TLSExtensionReading.googleUserAgent(&data)
        default:
            break
        }
    }
}

/// Extension type code points this package reads.
public enum TLSExtensionType {
    /// server name (0x0000).
    public static let serverName: UInt16 = 0x0000
    /// supported groups (0x000a).
    public static let supportedGroups: UInt16 = 0x000a
    /// ec point formats (0x000b).
    public static let ecPointFormats: UInt16 = 0x000b
    /// signature algorithms (0x000d).
    public static let signatureAlgorithms: UInt16 = 0x000d
    /// alpn (0x0010).
    public static let alpn: UInt16 = 0x0010
    /// supported versions (0x002b).
    public static let supportedVersions: UInt16 = 0x002b
    /// key share (0x0033).
    public static let keyShare: UInt16 = 0x0033
    /// quic transport parameters (0x0039).
    public static let quicTransportParameters: UInt16 = 0x0039
    /// quic transport parameters draft (0xffa5).
    public static let quicTransportParametersDraft: UInt16 = 0xffa5
    /// encrypted client hello (0xfe0d).
    public static let encryptedClientHello: UInt16 = 0xfe0d
    /// encrypted server name (0xffce).
    public static let encryptedServerName: UInt16 = 0xffce
}

/// Small readers shared by the ClientHello and ServerHello extension parsers.
enum TLSExtensionReading {
    static func u16List(_ reader: inout ByteReader) -> [UInt16] {
        var values: [UInt16] = []
        values.reserveCapacity(reader.remaining / 2)
        while let value = reader.u16() { values.append(value) }
        return values
    }

    /// The first host_name (type 0) entry of a server_name extension.
    static func firstHostName(_ data: inout ByteReader) -> String? {
        guard var list = data.vector16() else { return nil }
        while let nameType = list.u8(), let name = list.vector16() {
            if nameType == 0 { return ByteReader.printable(name.bytes) }
        }
        return nil
    }

    /// The `google_user_agent` transport parameter (id 0x3129) of a QUIC transport
    /// parameters extension (RFC 9000 §18: varint id, varint length, value).
    static func googleUserAgent(_ data: inout ByteReader) -> String? {
        while !data.isAtEnd {
            guard let id = data.quicVarint(), let length = data.quicLength(), let value = data.bytes(length) else { return nil }
            if id == 0x3129 { return ByteReader.printable(value) }
        }
        return nil
    }

    /// The protocol names of an ALPN extension (u16 list of u8-prefixed names).
    static func protocolNames(_ data: inout ByteReader) -> [[UInt8]] {
        guard var list = data.vector16() else { return [] }
        var names: [[UInt8]] = []
        while let name = list.vector8() { names.append(Array(name.bytes)) }
        return names
    }
}
