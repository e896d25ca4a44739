/// The X.509 fields that are read straight from the DER: the issuer and subject (as RFC 4514
/// text, and their attribute-type OIDs and the extension OIDs for JA4X), the validity period,
/// the serial number and the subject alternative names.
///
/// A small bounded DER walker over the fixed certificate layout (RFC 5280 §4.1); it never
/// recurses beyond that layout, so hostile nesting cannot exhaust the stack.
public struct X509Outline: Sendable, Equatable {
    /// Content octets of each issuer AttributeTypeAndValue OID, in certificate order.
    public var issuerAttributeTypes: [[UInt8]]
    /// Content octets of each subject AttributeTypeAndValue OID, in certificate order.
    public var subjectAttributeTypes: [[UInt8]]
    /// Content octets of each extension's extnID, in certificate order.
    public var extensionIDs: [[UInt8]]
    /// notBefore as RFC 3339 UTC text, or nil when the time is malformed.
    public var notBefore: String?
    /// notAfter as RFC 3339 UTC text, or nil when the time is malformed.
    public var notAfter: String?
    /// Content octets of the serial number INTEGER.
    public var serialNumber: [UInt8]
    /// The subject as RFC 4514 text (``DistinguishedName``); empty when malformed.
    public var subject: String = ""
    /// The issuer as RFC 4514 text; empty when malformed.
    public var issuer: String = ""
    /// DNS names (as printable text) and IP addresses (raw octets) of the subjectAltName
    /// extension, in certificate order, at most ``maximumAltNames``.
    public var altNames: [AltName] = []

    /// A subjectAltName entry the reports show.
    public enum AltName: Sendable, Equatable {
        case dnsName(String)
        case ipAddress([UInt8])
    }

    /// Upper bound on subjectAltName entries kept from one certificate.
    public static let maximumAltNames = 256

    /// Walks a DER certificate; nil when the outer layout is not a certificate.
    public static func parse(der: UnsafeRawBufferPointer) -> X509Outline? {
        var outer = ByteReader(der)
        guard var certificate = DER.element(&outer, tag: DER.sequence),
              var tbs = DER.element(&certificate, tag: DER.sequence)
        else { return nil }
        if tbs.peek() == 0xa0 { guard DER.anyElement(&tbs) != nil else { return nil } }
        guard let serial = DER.element(&tbs, tag: DER.integer),
              DER.element(&tbs, tag: DER.sequence) != nil,  // signature AlgorithmIdentifier
              let issuerName = DER.element(&tbs, tag: DER.sequence),
              var validity = DER.element(&tbs, tag: DER.sequence),
              let subjectName = DER.element(&tbs, tag: DER.sequence),
              DER.element(&tbs, tag: DER.sequence) != nil,  // subjectPublicKeyInfo
              let issuerTypes = attributeTypes(issuerName),
              let subjectTypes = attributeTypes(subjectName)
        else { return nil }

        var outline = X509Outline(
            issuerAttributeTypes: issuerTypes, subjectAttributeTypes: subjectTypes, extensionIDs: [],
            notBefore: time(&validity), notAfter: time(&validity), serialNumber: Array(serial.bytes))
        outline.issuer = DistinguishedName.render(issuerName) ?? ""
        outline.subject = DistinguishedName.render(subjectName) ?? ""

        // Optional issuerUniqueID [1], subjectUniqueID [2], then extensions [3] EXPLICIT.
        while let (tag, content) = DER.anyElement(&tbs) {
            guard tag == 0xa3 else { continue }
            var wrapper = content
            guard var list = DER.element(&wrapper, tag: DER.sequence) else { return nil }
            while !list.isAtEnd {
                guard var ext = DER.element(&list, tag: DER.sequence),
                      let oid = DER.element(&ext, tag: DER.objectIdentifier)
                else { return nil }
                outline.extensionIDs.append(Array(oid.bytes))
                if Array(oid.bytes) == [0x55, 0x1d, 0x11] { outline.altNames = altNames(ext) }
            }
        }
        return outline
    }

    /// Name ::= SEQUENCE OF RelativeDistinguishedName (SET OF AttributeTypeAndValue).
    private static func attributeTypes(_ content: ByteReader) -> [[UInt8]]? {
        var name = content
        var types: [[UInt8]] = []
        while !name.isAtEnd {
            guard var rdn = DER.element(&name, tag: DER.set) else { return nil }
            while !rdn.isAtEnd {
                guard var attribute = DER.element(&rdn, tag: DER.sequence),
                      let oid = DER.element(&attribute, tag: DER.objectIdentifier)
                else { return nil }
                types.append(Array(oid.bytes))
            }
        }
        return types
    }

    /// Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
    /// whose value is GeneralNames; dNSName [2] and iPAddress [7] are kept.
    private static func altNames(_ rest: ByteReader) -> [AltName] {
        var ext = rest
        if ext.peek() == 0x01 { _ = DER.anyElement(&ext) }
        guard var value = DER.element(&ext, tag: 0x04), var names = DER.element(&value, tag: DER.sequence) else { return [] }
        var result: [AltName] = []
        while let (tag, content) = DER.anyElement(&names), result.count < maximumAltNames {
            switch tag {
            case 0x82: result.append(.dnsName(ByteReader.printable(content.bytes)))
            case 0x87: result.append(.ipAddress(Array(content.bytes)))
            default: break
            }
        }
        return result
    }

    /// UTCTime (YYMMDDHHMMSSZ) or GeneralizedTime (YYYYMMDDHHMMSS[.f]Z) → `YYYY-MM-DDTHH:MM:SSZ`.
    private static func time(_ validity: inout ByteReader) -> String? {
        guard let (tag, content) = DER.anyElement(&validity) else { return nil }
        let text = Array(content.bytes)
        let digits: ArraySlice<UInt8>
        switch tag {
        case 0x17:  // UTCTime: years 50...99 are 19xx (RFC 5280 §4.1.2.5.1)
            guard text.count >= 12 else { return nil }
            let yy = text.prefix(2)
            guard yy.allSatisfy(isDigit) else { return nil }
            let century: [UInt8] = yy.first.map { $0 >= UInt8(ascii: "5") } == true ? Array("19".utf8) : Array("20".utf8)
            digits = ArraySlice(century + text.prefix(12))
        case 0x18:
            guard text.count >= 14 else { return nil }
            digits = text.prefix(14)
        default:
            return nil
        }
        guard digits.count == 14, digits.allSatisfy(isDigit) else { return nil }
        let d = Array(digits)
        func part(_ range: Range<Int>) -> String { String(decoding: d[range], as: UTF8.self) }
        return "\(part(0..<4))-\(part(4..<6))-\(part(6..<8))T\(part(8..<10)):\(part(10..<12)):\(part(12..<14))Z"
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}

/// Minimal DER element reading on top of ``ByteReader``.
enum DER {
    static let integer: UInt8 = 0x02
    static let objectIdentifier: UInt8 = 0x06
    static let sequence: UInt8 = 0x30
    static let set: UInt8 = 0x31

    /// The next element if its tag is `tag`; its content as a sub-reader.
    static func element(_ reader: inout ByteReader, tag: UInt8) -> ByteReader? {
        guard reader.peek() == tag else { return nil }
        return anyElement(&reader)?.content
    }

    /// The next element (single-byte tag, definite length up to 4 length bytes).
    static func anyElement(_ reader: inout ByteReader) -> (tag: UInt8, content: ByteReader)? {
        let start = reader.offset
        guard let tag = reader.u8(), tag & 0x1f != 0x1f, let first = reader.u8() else {
            reader = ByteReader(reader.bytes, offset: start)
            return nil
        }
        var length = Int(first)
        if first & 0x80 != 0 {
            let count = Int(first & 0x7f)
            guard (1...4).contains(count) else { reader = ByteReader(reader.bytes, offset: start); return nil }
            length = 0
            for _ in 0..<count {
                guard let byte = reader.u8() else { reader = ByteReader(reader.bytes, offset: start); return nil }
                length = length << 8 | Int(byte)
            }
        }
        guard let content = reader.sub(length) else {
            reader = ByteReader(reader.bytes, offset: start)
            return nil
        }
        return (tag, content)
    }
}
