import Basics

/// A QUIC version number as read from a long header (or a gQUIC public header),
/// with what a passive observer needs to know about it: a readable name, the
/// Initial packet protection parameters, and how the long-header type bits map.
///
/// Sources: RFC 9000/9001 (v1), RFC 9369 (v2), draft-ietf-quic-tls-22…34, and the
/// salts nDPI and Wireshark use for Facebook mvfst and Google Q050/T050/T051.
public struct QUICVersion: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32

    public init(_ rawValue: UInt32) {
        self.rawValue = rawValue
    }

    public static let v1 = QUICVersion(0x0000_0001)
    public static let v2 = QUICVersion(0x6b33_43cf)
    public static let versionNegotiation = QUICVersion(0)

    /// Which family a version number belongs to.
    public enum Family: Hashable, Sendable {
        case versionNegotiation
        case v1
        case v2
        /// draft-ietf-quic-transport-NN (0xff0000NN).
        case ietfDraft(Int)
        /// Facebook mvfst (0xfaceb0xx); `draft` is the IETF draft it follows.
        case mvfst(draft: Int)
        /// Google QUIC: `letter` is "Q" (QUIC crypto) or "T" (TLS), `number` e.g. 46.
        case google(letter: Character, number: Int)
        /// 0x?a?a?a?a, reserved to exercise version negotiation (RFC 9000 §15).
        case forcingNegotiation
        case unknown
    }

    public var family: Family {
        switch rawValue {
        case 0: return .versionNegotiation
        case 0x0000_0001: return .v1
        case 0x6b33_43cf: return .v2
        case 0xfaceb001: return .mvfst(draft: 22)
        case 0xfaceb002, 0xfaceb00e: return .mvfst(draft: 27)
        default: break
        }
        if rawValue & 0xffff_ff00 == 0xff00_0000 {
            return .ietfDraft(Int(rawValue & 0xff))
        }
        if rawValue & 0x0f0f_0f0f == 0x0a0a_0a0a {
            return .forcingNegotiation
        }
        if let google = Self.googleVersion(rawValue) {
            return .google(letter: google.letter, number: google.number)
        }
        return .unknown
    }

    /// "Q046" → ("Q", 46): an ASCII letter Q or T followed by three digits.
    private static func googleVersion(_ raw: UInt32) -> (letter: Character, number: Int)? {
        let bytes = [UInt8(raw >> 24), UInt8(truncatingIfNeeded: raw >> 16),
                     UInt8(truncatingIfNeeded: raw >> 8), UInt8(truncatingIfNeeded: raw)]
        guard bytes[0] == UInt8(ascii: "Q") || bytes[0] == UInt8(ascii: "T") else { return nil }
        var number = 0
        for digit in bytes.dropFirst() {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
            number = number * 10 + Int(digit - UInt8(ascii: "0"))
        }
        return (Character(Unicode.Scalar(bytes[0])), number)
    }

    /// True for any version this dissector recognises as QUIC (known or plausible).
    public var isKnown: Bool {
        if case .unknown = family { return false }
        return true
    }

    /// A short readable name: "v1", "v2", "draft-29", "mvfst-27", "Q046", "T051".
    public var name: String {
        switch family {
        case .versionNegotiation: return "version-negotiation"
        case .v1: return "v1"
        case .v2: return "v2"
        case .ietfDraft(let draft): return "draft-\(draft)"
        case .mvfst(let draft): return rawValue == 0xfaceb00e ? "mvfst-exp" : "mvfst-\(draft)"
        case .google(let letter, let number):
            let digits = String(number)
            return String(letter) + String(repeating: "0", count: max(0, 3 - digits.count)) + digits
        case .forcingNegotiation: return "forcing-negotiation-0x" + Hex.lowercase(rawValue)
        case .unknown: return "unknown-0x" + Hex.lowercase(rawValue)
        }
    }

    public var description: String { name }

    /// Whether packets use the IETF invariant long header (RFC 8999): IETF versions,
    /// mvfst, and Google Q050/T050/T051 and later. Q046 has a long-header-like
    /// first byte but packs both CID lengths into one byte; Q043 and older use the
    /// gQUIC public header.
    public var usesIETFLongHeader: Bool {
        switch family {
        case .v1, .v2, .ietfDraft, .mvfst, .forcingNegotiation, .versionNegotiation: return true
        case .google(_, let number): return number >= 50
        case .unknown: return false
        }
    }

    /// Whether the handshake is TLS 1.3 (as opposed to Google's QUIC crypto CHLO).
    public var carriesTLS: Bool {
        switch family {
        case .v1, .v2, .ietfDraft, .mvfst: return true
        case .google(let letter, _): return letter == "T"
        default: return false
        }
    }

    /// Whether the Initial payload uses the gQUIC frame layout (CRYPTO = 0x08)
    /// instead of the IETF one (CRYPTO = 0x06).
    var usesGoogleFrames: Bool {
        if case .google = family { return true }
        return false
    }

    /// Salt and labels for Initial packet protection, or nil when the version's
    /// Initial packets are not protected with a public salt (or are unknown).
    public var initialProtection: QUICInitialProtectionParameters? {
        switch family {
        case .v1: return .v1
        case .v2: return .v2
        case .ietfDraft(let draft), .mvfst(let draft):
            switch draft {
            case 33...34: return .v1
            case 29...32: return .draft29
            case 23...28: return .draft23
            case 22: return .draft22
            default: return nil
            }
        case .google(let letter, let number):
            switch (letter, number) {
            case ("Q", 50): return .googleQ050
            case ("T", 50): return .googleT050
            case ("T", 51): return .googleT051
            default: return nil
            }
        case .forcingNegotiation, .versionNegotiation, .unknown:
            return nil
        }
    }

    /// The long-header packet type carried in bits 0x30 of the first byte.
    /// RFC 9369 §3.2 permutes them for v2 so that middleboxes don't ossify on v1.
    public func longPacketType(firstByte: UInt8) -> QUICLongPacketType {
        let bits = (firstByte & 0x30) >> 4
        if family == .v2 {
            switch bits {
            case 0: return .retry
            case 1: return .initial
            case 2: return .zeroRTT
            default: return .handshake
            }
        }
        switch bits {
        case 0: return .initial
        case 1: return .zeroRTT
        case 2: return .handshake
        default: return .retry
        }
    }
}

public enum QUICLongPacketType: Hashable, Sendable {
    case initial, zeroRTT, handshake, retry
}

/// The public inputs of Initial packet protection for one version (RFC 9001 §5.2).
public struct QUICInitialProtectionParameters: Hashable, Sendable {
    public let salt: [UInt8]
    public let keyLabel: String
    public let ivLabel: String
    public let headerProtectionLabel: String

    public init(salt: [UInt8], keyLabel: String = "quic key", ivLabel: String = "quic iv",
                headerProtectionLabel: String = "quic hp") {
        self.salt = salt
        self.keyLabel = keyLabel
        self.ivLabel = ivLabel
        self.headerProtectionLabel = headerProtectionLabel
    }

    /// RFC 9001 §5.2; also drafts 33 and 34.
    public static let v1 = Self(salt: [
        0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
        0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a,
    ])
    /// RFC 9369 §3.3.1–3.3.2: new salt and "quicv2" labels.
    public static let v2 = Self(salt: [
        0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
        0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9,
    ], keyLabel: "quicv2 key", ivLabel: "quicv2 iv", headerProtectionLabel: "quicv2 hp")
    /// draft-29 to draft-32.
    public static let draft29 = Self(salt: [
        0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97,
        0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99,
    ])
    /// draft-23 to draft-28, and mvfst 0xfaceb002 / 0xfaceb00e (draft-27 based).
    public static let draft23 = Self(salt: [
        0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb, 0x5a, 0x11, 0xa7,
        0xd2, 0x43, 0x2b, 0xb4, 0x63, 0x65, 0xbe, 0xf9, 0xf5, 0x02,
    ])
    /// draft-22, and mvfst 0xfaceb001 (draft-22 based).
    public static let draft22 = Self(salt: [
        0x7f, 0xbc, 0xdb, 0x0e, 0x7c, 0x66, 0xbb, 0xe9, 0x19, 0x3a,
        0x96, 0xcd, 0x21, 0x51, 0x9e, 0xbd, 0x7a, 0x02, 0x64, 0x4a,
    ])
    /// Google Q050 (QUIC crypto inside IETF-style protected Initial packets).
    public static let googleQ050 = Self(salt: [
        0x50, 0x45, 0x74, 0xef, 0xd0, 0x66, 0xfe, 0x2f, 0x9d, 0x94,
        0x5c, 0xfc, 0xdb, 0xd3, 0xa7, 0xf0, 0xd3, 0xb5, 0x6b, 0x45,
    ])
    /// Google T050 (TLS 1.3).
    public static let googleT050 = Self(salt: [
        0x7f, 0xf5, 0x79, 0xe5, 0xac, 0xd0, 0x72, 0x91, 0x55, 0x80,
        0x30, 0x4c, 0x43, 0xa2, 0x36, 0x7c, 0x60, 0x48, 0x83, 0x10,
    ])
    /// Google T051 (TLS 1.3).
    public static let googleT051 = Self(salt: [
        0x7a, 0x4e, 0xde, 0xf4, 0xe7, 0xcc, 0xee, 0x5f, 0xa4, 0x50,
        0x6c, 0x19, 0x12, 0x4f, 0xc8, 0xcc, 0xda, 0x6e, 0x03, 0x3d,
    ])
}
