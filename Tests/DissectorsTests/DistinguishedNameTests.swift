import Dissectors
import Testing

/// RFC 4514 text of X.501 names built by hand, one string type at a time.
@Suite("Distinguished names")
struct DistinguishedNameTests {
    static let cn: [UInt8] = [0x55, 0x04, 0x03]
    static let o: [UInt8] = [0x55, 0x04, 0x0a]
    static let c: [UInt8] = [0x55, 0x04, 0x06]

    func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        precondition(content.count < 0x80)
        return [tag, UInt8(content.count)] + content
    }
    func attribute(_ oid: [UInt8], _ tag: UInt8, _ value: [UInt8]) -> [UInt8] { tlv(0x30, tlv(0x06, oid) + tlv(tag, value)) }
    /// A Name of the RDNs given, each the concatenated attributes of one SET.
    func name(_ rdns: [UInt8]...) -> [UInt8] { tlv(0x30, rdns.flatMap { tlv(0x31, $0) }) }
    func render(_ der: [UInt8]) -> String? { der.withUnsafeBytes { DistinguishedName.render(der: $0) } }
    func single(_ tag: UInt8, _ value: [UInt8]) -> String? { render(name(attribute(Self.cn, tag, value))) }

    @Test func rdnsComeLastFirstAsOpenSSLPrintsThem() {
        let der = name(attribute(Self.c, 0x13, Array("KR".utf8)), attribute(Self.o, 0x0c, Array("Kakao Corp.".utf8)),
                       attribute(Self.cn, 0x0c, Array("*.kakao.com".utf8)))
        #expect(render(der) == "CN=*.kakao.com,O=Kakao Corp.,C=KR")
    }

    @Test func everyStringType() {
        #expect(single(0x13, Array("Printable".utf8)) == "CN=Printable")
        #expect(single(0x0c, Array("Zürich ☃".utf8)) == "CN=Zürich ☃")
        #expect(single(0x16, Array("a@b.example".utf8)) == "CN=a@b.example")
        #expect(single(0x12, Array("0123 456".utf8)) == "CN=0123 456")
        #expect(single(0x1a, Array("Visible".utf8)) == "CN=Visible")
        // TeletexString as Latin-1 (what KakaoTalk's and WeChat's CAs wrote): 0xE9 is é.
        #expect(single(0x14, Array("caf".utf8) + [0xe9]) == "CN=café")
        // BMPString UTF-16BE, with a surrogate pair; UniversalString UTF-32BE.
        #expect(single(0x1e, [0x00, 0x5a, 0x00, 0xfc, 0xd8, 0x3d, 0xde, 0x00]) == "CN=Zü😀")
        #expect(single(0x1c, [0, 0, 0, 0x5a, 0, 0, 0x26, 0x03]) == "CN=Z☃")
    }

    @Test func undecodableOrOtherTypesAreHexDER() {
        #expect(single(0x1e, [0x00, 0x5a, 0x00]) == "CN=#1e03005a00")  // odd BMPString
        #expect(single(0x0c, [0xff]) == "CN=#0c01ff")  // invalid UTF-8
        #expect(single(0x02, [0x05]) == "CN=#020105")  // an INTEGER
        #expect(single(0x1c, [0x00, 0x11, 0x00, 0x00]) == "CN=#1c0400110000")  // beyond U+10FFFF
    }

    @Test func rfc4514Escapes() {
        #expect(single(0x0c, Array("#lead,plus+quote\"semi;<less>back\\slash ".utf8))
                == "CN=\\#lead\\,plus\\+quote\\\"semi\\;\\<less\\>back\\\\slash\\ ")
        #expect(single(0x0c, Array(" both ".utf8)) == "CN=\\ both\\ ")
        #expect(single(0x0c, Array("mid # and space".utf8)) == "CN=mid # and space")
        #expect(single(0x0c, [0x61, 0x00, 0x0a]) == "CN=a\\00\\0A")
    }

    @Test func multiValuedRDNAndNames() {
        // One RDN holding serialNumber and CN (DER order), then O: OpenSSL prints CN first.
        let serial = attribute([0x55, 0x04, 0x05], 0x12, Array("0123".utf8))
        let der = name(attribute(Self.o, 0x13, Array("Org".utf8)), serial + attribute(Self.cn, 0x13, Array("host.example".utf8)))
        #expect(render(der) == "CN=host.example+serialNumber=0123,O=Org")
        let email = attribute([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01], 0x16, Array("a@b".utf8))
        let street = attribute([0x55, 0x04, 0x09], 0x13, Array("Main St".utf8))
        let unknown = attribute([0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x15, 0x07], 0x13, Array("x".utf8))
        #expect(render(name(email, street, unknown)) == "1.3.6.1.4.1.311.21.7=x,STREET=Main St,emailAddress=a@b")
        #expect(render(name()) == "")
    }

    /// Dotted OIDs, including a first subidentifier of two octets (2.999) and a padded one
    /// (a robustness input that once overflowed).
    @Test func dottedOIDs() {
        let oid: ([UInt8]) -> String? = { bytes in self.render(self.name(self.attribute(bytes, 0x13, [0x61]))) }
        #expect(oid([0x88, 0x37, 0x01]) == "2.999.1=a")
        #expect(oid([0x80, 0x01]) == "0.1=a")
        #expect(oid([0x2b, 0x81]) == "2b81=a")
    }

    @Test func malformedNamesAreNil() {
        #expect(render([0x30, 0x03, 0x31, 0x01, 0x30]) == nil)
        #expect(render([0x30, 0x02, 0x30, 0x00]) == nil)
        #expect(render([0x31, 0x00]) == nil)
    }

    @Test func attributesAreBounded() {
        let many = (0..<(DistinguishedName.maximumAttributes + 5)).map { _ in attribute(Self.cn, 0x13, [0x61]) }
        let content = many.flatMap { tlv(0x31, $0) }
        // Long form length: 0x82 hi lo.
        let der: [UInt8] = [0x30, 0x82, UInt8(content.count >> 8), UInt8(content.count & 0xff)] + content
        let text = render(der)
        #expect(text?.hasSuffix(",…") == true)
        #expect(text?.components(separatedBy: "CN=a").count == DistinguishedName.maximumAttributes + 1)
    }
}
