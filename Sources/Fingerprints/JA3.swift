// JA3 and JA3S (Salesforce, BSD-3-Clause): https://github.com/salesforce/ja3
import Basics
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
        let fields = (
            String(hello.legacyVersion),
            JA3Text.decimalList(GREASE.removing(from: hello.cipherSuites)),
            JA3Text.decimalList(GREASE.removing(from: hello.extensions)),
            JA3Text.decimalList(GREASE.removing(from: hello.supportedGroups)),
            JA3Text.decimalList(hello.ecPointFormats)
        )
        // Joined with commas in one allocation (this runs for every ClientHello).
        var full = ""
        full.reserveCapacity(fields.0.utf8.count + fields.1.utf8.count + fields.2.utf8.count
                             + fields.3.utf8.count + fields.4.utf8.count + 4)
        full += fields.0
        full += ","
        full += fields.1
        full += ","
        full += fields.2
        full += ","
        full += fields.3
        full += ","
        full += fields.4
        self.init(full: full)
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
    /// Decimal values joined by `-`, built in one buffer (every ClientHello has three lists).
    static func decimalList<Values: Collection>(_ values: Values) -> String where Values.Element: BinaryInteger {
        guard !values.isEmpty else { return "" }
        return String(unsafeUninitializedCapacity: values.count * 6) { text in
            var at = 0
            for value in values {
                if at > 0 { text[at] = UInt8(ascii: "-"); at += 1 }
                var n = UInt32(truncatingIfNeeded: value)
                var digits = 1
                var scale: UInt32 = 1
                while n / scale >= 10 { scale *= 10; digits += 1 }
                for _ in 0..<digits {
                    text[at] = UInt8(ascii: "0") + UInt8(n / scale)
                    n %= scale
                    scale /= 10
                    at += 1
                }
            }
            return at
        }
    }

    static func md5(_ text: String) -> String {
        var hasher = Insecure.MD5()
        var text = text
        text.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        return Hex.lowercase(hasher.finalize())
    }
}
