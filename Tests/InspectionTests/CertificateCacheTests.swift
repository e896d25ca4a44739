import Dissectors
@testable import Inspection
import TestSupport
import Testing

/// `CertificateCache`: each distinct certificate (by its DER's SHA-256) is parsed
/// once; the summary is the same whether it came from the cache or not; a full
/// cache is cleared, never grown.
struct CertificateCacheTests {
    /// The self-signed certificate of the TLS 1.2 lab handshake (Captures/lab-basic.pcap).
    static func labCertificate() throws -> [UInt8] {
        let flight = hexBytes(LabCapture.tls12ServerFlight)
        let messages = flight.withUnsafeBytes { TLSRecordStream.scan($0) }.messages
        let body = try #require(messages.first { $0.type == TLSHandshakeType.certificate }).body
        return try #require(body.withUnsafeBytes { TLSCertificateMessage.parse(body: $0) }?.first).der
    }

    func expectLabSummary(_ evidence: TLSCertificateEvidence, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(evidence.subject == "CN=web.whatsapp.com", sourceLocation: sourceLocation)
        #expect(evidence.issuer == "CN=web.whatsapp.com", sourceLocation: sourceLocation)
        #expect(evidence.san == ["web.whatsapp.com"], sourceLocation: sourceLocation)
        #expect(evidence.notBefore == "2026-11-30T21:19:34Z" && evidence.notAfter == "2026-12-30T21:19:34Z", sourceLocation: sourceLocation)
        #expect(evidence.serial == "172df059702e3f238bcd0c982fc22387982048b8", sourceLocation: sourceLocation)
        #expect(evidence.sha256 == "cece34a195d274665337fdef5c51f4bdd3d93b9df8ae6268c15f5fc029e263f1", sourceLocation: sourceLocation)
        // As in Tests/Golden/lab-basic.fingerprints.txt.
        #expect(evidence.ja4x == "7022c563de38_7022c563de38_ecad00239dd7", sourceLocation: sourceLocation)
    }

    @Test func summaryIsTheSameFromTheCache() throws {
        let der = try Self.labCertificate()
        var cache = CertificateCache()
        expectLabSummary(cache.evidence(for: der))
        expectLabSummary(cache.evidence(for: der))
        let box = CertificateCacheBox()
        expectLabSummary(box.evidence(for: der))
        expectLabSummary(box.evidence(for: der))
    }

    /// Bytes that are not a certificate still get a summary (their hash), never a crash.
    @Test func garbageIsSummarisedByItsHash() {
        var cache = CertificateCache()
        let garbage: [UInt8] = [0x30, 0x82, 0xFF, 0xFF, 0x01, 0x02]
        let evidence = cache.evidence(for: garbage)
        #expect(evidence.sha256 == TLSCertificateInfo(der: garbage).sha256)
        #expect(evidence.sha256.count == 64)
        #expect(evidence.ja4x == nil)
        #expect(cache.evidence(for: []).sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    /// More distinct certificates than the capacity: each is still summarised right.
    @Test func fullCacheIsClearedAndStaysCorrect() throws {
        let der = try Self.labCertificate()
        var cache = CertificateCache(capacity: 2)
        #expect(cache.capacity == 2)
        for round in 0..<3 {
            expectLabSummary(cache.evidence(for: der))
            for index in 0..<5 {
                let other: [UInt8] = [0x30, 0x03, 0x02, 0x01, UInt8(round * 5 + index)]
                #expect(cache.evidence(for: other).sha256 == TLSCertificateInfo(der: other).sha256)
            }
        }
        expectLabSummary(cache.evidence(for: der))
    }
}
