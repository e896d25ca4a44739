// JA4 (FoxIO, BSD-3-Clause): https://github.com/FoxIO-LLC/ja4/blob/main/technical_details/JA4.md
import Basics
import Crypto
import Dissectors

/// JA4 of a ClientHello (`a_b_c`), with its raw (`_r`) and original-order (`_o`, `_ro`) variants.
public struct JA4: Sendable, Equatable, CustomStringConvertible {
    /// The transport the ClientHello travelled on: the first character of JA4.
    public enum Transport: String, Sendable {
        /// TLS over TCP.
        case tcp = "t"
        /// QUIC.
        case quic = "q"
        /// DTLS over UDP.
        case dtls = "d"
    }

    /// `ja4`: sorted lists, hashed.
    public let fingerprint: String
    /// `ja4_r`: sorted lists, un-hashed.
    public let raw: String
    /// `ja4_o`: lists in wire order (SNI and ALPN kept), hashed.
    public let original: String
    /// `ja4_ro`: lists in wire order, un-hashed.
    public let rawOriginal: String

    /// JA4 of a ClientHello seen on `transport`.
    public init(_ hello: TLSClientHello, transport: Transport) {
        let ciphers = GREASE.removing(from: hello.cipherSuites)
        let extensions = GREASE.removing(from: hello.extensions)
        let sortedCiphers = JA4Text.hexList(ciphers.sorted())
        let sortedExtensions = JA4Text.hexList(extensions.sorted().filter {
            $0 != TLSExtensionType.serverName && $0 != TLSExtensionType.alpn
        })
        // The spec drops GREASE here too (FoxIO-LLC/ja4#305); older reference code kept it.
        let signatureAlgorithms = JA4Text.hexList(GREASE.removing(from: hello.signatureAlgorithms))
        let suffix = signatureAlgorithms.isEmpty ? "" : "_" + signatureAlgorithms
        let wireCiphers = JA4Text.hexList(ciphers)
        let wireExtensions = JA4Text.hexList(extensions)

        let a = transport.rawValue
            + JA4Text.versionCode(Self.version(of: hello))
            + (hello.hasServerNameExtension ? "d" : "i")
            + JA4Text.twoDigitCount(ciphers.count)
            + JA4Text.twoDigitCount(extensions.count)
            + JA4Text.alpnCharacters(hello.firstALPNBytes)

        fingerprint = JA4Text.joined(a, JA4Text.hash12(sortedCiphers), JA4Text.hash12(sortedExtensions, appending: suffix))
        raw = JA4Text.joined(a, sortedCiphers, sortedExtensions, suffix: suffix)
        original = JA4Text.joined(a, JA4Text.hash12(wireCiphers), JA4Text.hash12(wireExtensions, appending: suffix))
        rawOriginal = JA4Text.joined(a, wireCiphers, wireExtensions, suffix: suffix)
    }

    /// Highest non-GREASE supported_versions value, else the legacy version.
    static func version(of hello: TLSClientHello) -> UInt16 {
        GREASE.removing(from: hello.supportedVersions).max() ?? hello.legacyVersion
    }

    /// The hashed fingerprint.
    public var description: String { fingerprint }
}

/// Text building blocks shared by the JA4+ methods.
public enum JA4Text {
    private static let zeroHash = "000000000000"

    /// First 12 lowercase hex digits of SHA-256(`list` + `suffix`); `000000000000` when `list` is empty.
    public static func hash12(_ list: String, appending suffix: String = "") -> String {
        guard !list.isEmpty else { return zeroHash }
        var hasher = SHA256()
        var list = list, suffix = suffix
        list.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        suffix.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        return hasher.finalize().withUnsafeBytes { digest in
            Hex.lowercase(UnsafeRawBufferPointer(rebasing: digest.prefix(6)))
        }
    }

    /// `a_b_c` + `suffix`, built in one allocation (every ClientHello and ServerHello
    /// has two to four of these).
    public static func joined(_ a: String, _ b: String, _ c: String, suffix: String = "") -> String {
        var text = ""
        text.reserveCapacity(a.utf8.count + b.utf8.count + c.utf8.count + suffix.utf8.count + 2)
        text += a
        text += "_"
        text += b
        text += "_"
        text += c
        text += suffix
        return text
    }

    /// Values as 4-digit lowercase hex, comma-separated (built in one buffer: this
    /// runs for every ClientHello).
    public static func hexList(_ values: [UInt16]) -> String {
        Hex.list(values)
    }

    /// One value as 4-digit lowercase hex.
    public static func hex4(_ value: UInt16) -> String {
        Hex.lowercase(value)
    }

    /// A count as two decimal digits, capped at 99.
    public static func twoDigitCount(_ count: Int) -> String {
        let capped = min(max(count, 0), 99)
        return capped < 10 ? "0\(capped)" : "\(capped)"
    }

    /// The two-character TLS/DTLS version code (`13`, `12`, ..., `s3`, `d2`, or `00`).
    public static func versionCode(_ version: UInt16) -> String {
        switch version {
        case 0x0304: "13"
        case 0x0303: "12"
        case 0x0302: "11"
        case 0x0301: "10"
        case 0x0300: "s3"
        case 0x0002: "s2"
        case 0xfeff: "d1"
        case 0xfefd: "d2"
        case 0xfefc: "d3"
        default: "00"
        }
    }

    /// The two ALPN characters: first and last byte when both are ASCII alphanumeric, else the
    /// first and last hex digit of the name's hex encoding; `00` for no or an empty name.
    public static func alpnCharacters(_ name: [UInt8]?) -> String {
        guard let name, let first = name.first, let last = name.last else { return "00" }
        if isAlphanumeric(first) && isAlphanumeric(last) {
            return String(decoding: [first, last], as: UTF8.self)
        }
        // Hex of the whole name: its first digit is hi(first), its last digit is lo(last).
        return String(decoding: [Hex.digit(first >> 4), Hex.digit(last)], as: UTF8.self)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5a).contains(byte) || (0x61...0x7a).contains(byte)
    }
}
