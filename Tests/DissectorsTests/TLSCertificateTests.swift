import Dissectors
import Testing

@Suite("TLS Certificate")
struct TLSCertificateTests {
    /// The Certificate message body of the TLS 1.2 lab handshake (one self-signed certificate).
    static func labCertificateBody() throws -> [UInt8] {
        let messages = handshakes(hexBytes(LabCapture.tls12ServerFlight)).messages
        return try #require(messages.first { $0.type == TLSHandshakeType.certificate }).body
    }

    @Test func selfSignedCertificateFromLabCapture() throws {
        let body = try Self.labCertificateBody()
        let chain = try #require(body.withUnsafeBytes { TLSCertificateMessage.parse(body: $0) })
        #expect(chain.count == 1)
        let leaf = try #require(chain.first)
        #expect(leaf.subject == "CN=web.whatsapp.com")
        #expect(leaf.issuer == "CN=web.whatsapp.com")
        #expect(leaf.subjectAltNames == ["web.whatsapp.com"])
        #expect(leaf.notBefore == "2026-11-30T21:19:34Z")
        #expect(leaf.notAfter == "2026-12-30T21:19:34Z")
        #expect(leaf.serial == "172df059702e3f238bcd0c982fc22387982048b8")
        // sha256sum of the DER that tshark shows as tls.handshake.certificate.
        #expect(leaf.sha256 == "cece34a195d274665337fdef5c51f4bdd3d93b9df8ae6268c15f5fc029e263f1")
        #expect(leaf.der.count == 429)
    }

    @Test func tls13LayoutWithContextAndEntryExtensions() throws {
        let der = try #require(try Self.labCertificateBody().withUnsafeBytes {
            TLSCertificateMessage.parse(body: $0, format: .tls12)
        }?.first?.der)
        // context "", entries: (u24 der, u16 extensions length 0) twice.
        let entry = u24(der.count) + der + [0, 0]
        let body: [UInt8] = [0] + u24(entry.count * 2) + entry + entry
        for format in [TLSCertificateMessage.Format.tls13, .automatic] {
            let chain = try #require(body.withUnsafeBytes { TLSCertificateMessage.parse(body: $0, format: format) })
            #expect(chain.count == 2 && chain[1].subject == "CN=web.whatsapp.com")
        }
        #expect(body.withUnsafeBytes { TLSCertificateMessage.parse(body: $0, format: .tls12) } == nil)
    }

    @Test func unparsableCertificateKeepsHashAndBytes() throws {
        let junk: [UInt8] = [0x30, 0x03, 0x02, 0x01, 0x05]
        let body = u24(junk.count + 3) + u24(junk.count) + junk
        let info = try #require(body.withUnsafeBytes { TLSCertificateMessage.parse(body: $0) }?.first)
        #expect(info.der == junk)
        #expect(info.sha256.count == 64)
        #expect(info.subject.isEmpty && info.issuer.isEmpty && info.serial.isEmpty && info.notBefore.isEmpty)
    }

    @Test func x509OutlineOfLabCertificate() throws {
        let der = try #require(try Self.labCertificateBody().withUnsafeBytes {
            TLSCertificateMessage.parse(body: $0)
        }?.first?.der)
        let outline = try #require(der.withUnsafeBytes { X509Outline.parse(der: $0) })
        #expect(outline.issuerAttributeTypes == [[0x55, 0x04, 0x03]])
        #expect(outline.subjectAttributeTypes == [[0x55, 0x04, 0x03]])
        #expect(outline.extensionIDs == [[0x55, 0x1d, 0x0e], [0x55, 0x1d, 0x23], [0x55, 0x1d, 0x13], [0x55, 0x1d, 0x11]])
        #expect(outline.notBefore == "2026-11-30T21:19:34Z")
    }

    @Test func everyPrefixAndMutationIsSafe() throws {
        let body = try Self.labCertificateBody()
        robustness(body, mutations: 2000) { bytes in
            _ = bytes.withUnsafeBytes { TLSCertificateMessage.parse(body: $0) }
        }
        let der = Array(body.dropFirst(6))
        robustness(der) { bytes in
            _ = bytes.withUnsafeBytes { X509Outline.parse(der: $0) }
        }
    }

    private func u24(_ value: Int) -> [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }
}
