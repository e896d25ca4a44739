import Basics

/// X.501 names (issuer, subject) as RFC 4514 text, read straight from the DER.
///
/// The RDNs come last-first (RFC 4514 §2.1; what `openssl x509 -nameopt RFC2253`
/// prints, the attributes of a multi-valued RDN reversed too and joined with `+`).
/// Types get OpenSSL's short names (RFC 4514's `STREET` for 2.5.4.9), else the dotted
/// OID. Non-ASCII characters are written as UTF-8, not `\XX` escaped as OpenSSL does. Values are decoded by
/// their string type — TeletexString as Latin-1, as OpenSSL and Wireshark read it,
/// BMPString as UTF-16BE, UniversalString as UTF-32BE — and escaped per RFC 4514
/// §2.4; a value of any other type (or one that does not decode) is `#` and the hex
/// of its DER.
public enum DistinguishedName {
    /// At most this many attributes are rendered; a longer name ends in `,…`.
    public static let maximumAttributes = 64

    /// The RFC 4514 text of a Name's content (the RDNSequence), or nil when malformed.
    static func render(_ name: ByteReader) -> String? {
        var reader = name
        var rdns: [String] = []
        var attributes = 0
        while !reader.isAtEnd {
            guard var set = DER.element(&reader, tag: DER.set) else { return nil }
            var values: [String] = []
            while !set.isAtEnd {
                guard var attribute = DER.element(&set, tag: DER.sequence),
                      let oid = DER.element(&attribute, tag: DER.objectIdentifier)
                else { return nil }
                let start = attribute.offset
                guard let (tag, content) = DER.anyElement(&attribute) else { return nil }
                attributes += 1
                if attributes > maximumAttributes { continue }
                let der = UnsafeRawBufferPointer(rebasing: attribute.bytes[start..<attribute.offset])
                values.append(typeName(oid.bytes) + "=" + value(tag: tag, content: content.bytes, der: der))
            }
            // OpenSSL reverses the attributes of a multi-valued RDN with the RDNs; do the same.
            if !values.isEmpty { rdns.append(values.reversed().joined(separator: "+")) }
        }
        var text = rdns.reversed().joined(separator: ",")
        if attributes > maximumAttributes { text += ",…" }
        return text
    }

    /// The RFC 4514 text of one DER-encoded Name (SEQUENCE), or nil when malformed.
    public static func render(der: UnsafeRawBufferPointer) -> String? {
        var reader = ByteReader(der)
        guard let name = DER.element(&reader, tag: DER.sequence), reader.isAtEnd else { return nil }
        return render(name)
    }

    // MARK: Attribute types

    /// OpenSSL's short (or long, where it has no short) names of the usual attribute types.
    static func typeName(_ oid: UnsafeRawBufferPointer) -> String {
        let bytes = Array(oid)
        if bytes.count == 3, bytes[0] == 0x55, bytes[1] == 0x04, let name = x520Names[bytes[2]] { return name }
        switch bytes {
        case [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01]: return "emailAddress"
        case [0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19]: return "DC"
        case [0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x01]: return "UID"
        case [0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x3c, 0x02, 0x01, 0x01]: return "jurisdictionL"
        case [0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x3c, 0x02, 0x01, 0x02]: return "jurisdictionST"
        case [0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x3c, 0x02, 0x01, 0x03]: return "jurisdictionC"
        default: return dotted(bytes)
        }
    }

    /// id-at (2.5.4.x) names as OpenSSL prints them.
    private static let x520Names: [UInt8: String] = [
        3: "CN", 4: "SN", 5: "serialNumber", 6: "C", 7: "L", 8: "ST", 9: "STREET", 10: "O", 11: "OU",
        12: "title", 13: "description", 15: "businessCategory", 17: "postalCode", 41: "name", 42: "GN",
        43: "initials", 44: "generationQualifier", 46: "dnQualifier", 65: "pseudonym", 97: "organizationIdentifier",
    ]

    /// The dotted-decimal form of OID content octets (`#`-less hex when malformed).
    static func dotted(_ bytes: [UInt8]) -> String {
        guard bytes.last.map({ $0 & 0x80 == 0 }) == true else { return Hex.lowercase(bytes) }
        var arcs: [String] = []
        var value: UInt64 = 0
        var index = 0
        for byte in bytes {
            guard value >> 56 == 0 else { return Hex.lowercase(bytes) }
            value = value << 7 | UInt64(byte & 0x7f)
            if byte & 0x80 == 0 {
                if index == 0 {
                    // The first subidentifier packs two arcs (X.690 §8.19.4).
                    let top: UInt64 = value >= 80 ? 2 : value / 40
                    arcs.append(String(top))
                    arcs.append(String(value - top * 40))
                } else {
                    arcs.append(String(value))
                }
                index += 1
                value = 0
            }
        }
        return arcs.joined(separator: ".")
    }

    // MARK: Values

    /// The escaped text of a string value, or `#` and the hex of its DER.
    static func value(tag: UInt8, content: UnsafeRawBufferPointer, der: UnsafeRawBufferPointer) -> String {
        guard let scalars = decode(tag: tag, content) else { return "#" + Hex.lowercase(Array(der)) }
        return escape(scalars)
    }

    /// The characters of a string type, or nil for another type or an undecodable value.
    static func decode(tag: UInt8, _ content: UnsafeRawBufferPointer) -> [Unicode.Scalar]? {
        switch tag {
        case 0x0c:  // UTF8String
            var scalars: [Unicode.Scalar] = []
            var decoder = UTF8()
            var iterator = content.makeIterator()
            while true {
                switch decoder.decode(&iterator) {
                case .scalarValue(let scalar): scalars.append(scalar)
                case .emptyInput: return scalars
                case .error: return nil
                }
            }
        case 0x12, 0x13, 0x16, 0x1a, 0x14:
            // NumericString, PrintableString, IA5String, VisibleString: ASCII (a stray high
            // byte is read as Latin-1, like TeletexString).
            return content.map { Unicode.Scalar($0) }
        case 0x1e:  // BMPString: UTF-16BE
            guard content.count % 2 == 0 else { return nil }
            let units = stride(from: 0, to: content.count, by: 2).map { UInt16(content[$0]) << 8 | UInt16(content[$0 + 1]) }
            var scalars: [Unicode.Scalar] = []
            var decoder = UTF16()
            var iterator = units.makeIterator()
            while true {
                switch decoder.decode(&iterator) {
                case .scalarValue(let scalar): scalars.append(scalar)
                case .emptyInput: return scalars
                case .error: return nil
                }
            }
        case 0x1c:  // UniversalString: UTF-32BE
            guard content.count % 4 == 0 else { return nil }
            var scalars: [Unicode.Scalar] = []
            for at in stride(from: 0, to: content.count, by: 4) {
                let value = UInt32(content[at]) << 24 | UInt32(content[at + 1]) << 16 | UInt32(content[at + 2]) << 8 | UInt32(content[at + 3])
                guard let scalar = Unicode.Scalar(value) else { return nil }
                scalars.append(scalar)
            }
            return scalars
        default:
            return nil
        }
    }

    /// RFC 4514 §2.4: `"+,;<>\` escaped everywhere, `#` and space at the start, space at
    /// the end; NUL and other control characters as `\XX` (hex of their UTF-8).
    static func escape(_ scalars: [Unicode.Scalar]) -> String {
        var text = ""
        text.unicodeScalars.reserveCapacity(scalars.count)
        for (index, scalar) in scalars.enumerated() {
            switch scalar {
            case "\"", "+", ",", ";", "<", ">", "\\":
                text += "\\" + String(scalar)
            case "#" where index == 0, " " where index == 0 || index == scalars.count - 1:
                text += "\\" + String(scalar)
            case _ where scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value):
                for byte in String(scalar).utf8 { text += "\\" + Hex.lowercase([byte]).uppercased() }
            default:
                text.unicodeScalars.append(scalar)
            }
        }
        return text
    }
}
