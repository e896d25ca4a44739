// JA3 and JA3S (Salesforce, BSD-3-Clause): https://github.com/salesforce/ja3
import Crypto
import Dissectors

/// JA3 of a ClientHello: `SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats`
/// in decimal, wire order, GREASE removed, and its MD5.
public struct JA3: Sendable, Equatable, CustomStringConvertible {
    /// The full JA3 string.
    public let full: String
    /// Lowercase hex MD5 of `full`.
    public let hash: String

    /// JA3 of a ClientHello.
    public init(_ hello: TLSClientHello) {
        let fields = [
            String(hello.legacyVersion),
            JA3Text.decimalList(GREASE.removing(from: hello.cipherSuites)),
            JA3Text.decimalList(GREASE.removing(from: hello.extensions)),
            JA3Text.decimalList(GREASE.removing(from: hello.supportedGroups)),
            hello.ecPointFormats.map { String($0) }.joined(separator: "-"),
        ]
        self.init(full: fields.joined(separator: ","))
    }

    /// A JA3 from an already built string.
    public init(full: String) {
        self.full = full
        self.hash = JA3Text.md5(full)
    }

    /// The MD5 hash.
    public var description: String { hash }
}

/// JA3S of a ServerHello: `SSLVersion,Cipher,Extensions` in decimal, and its MD5.
///
/// Like the Salesforce reference, GREASE is not removed on the server side (servers must not send it).
public struct JA3S: Sendable, Equatable, CustomStringConvertible {
    /// The full JA3S string.
    public let full: String
    /// Lowercase hex MD5 of `full`.
    public let hash: String

    /// JA3S of a ServerHello.
    public init(_ hello: TLSServerHello) {
        self.init(full: "\(hello.legacyVersion),\(hello.cipherSuite),\(JA3Text.decimalList(hello.extensions))")
    }

    /// A JA3S from an already built string.
    public init(full: String) {
        self.full = full
        self.hash = JA3Text.md5(full)
    }

    /// The MD5 hash.
    public var description: String { hash }
}

enum JA3Text {
    static func decimalList(_ values: [UInt16]) -> String {
        values.map { String($0) }.joined(separator: "-")
    }

    static func md5(_ text: String) -> String {
        var hasher = Insecure.MD5()
        Array(text.utf8).withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return Hex.lowercase(hasher.finalize())
    }
}
