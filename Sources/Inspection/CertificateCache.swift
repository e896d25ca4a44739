import Crypto
import Dissectors
import FingerprintsFoxIO

/// Summaries of certificates already parsed in this run, by their DER bytes' SHA-256.
/// Servers send the same chains over and over; parsing X.509 is the dearest step
/// of dissection, so each distinct certificate is parsed once. Bounded.
struct CertificateCache {
    private var entries: [SHA256Digest: TLSCertificateEvidence] = [:]
    let capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    mutating func evidence(for der: [UInt8]) -> TLSCertificateEvidence {
        let digest = der.withUnsafeBytes { SHA256.hash(data: $0) }
        if let known = entries[digest] { return known }
        let info = TLSCertificateInfo(der: der)
        let evidence = TLSCertificateEvidence(
            subject: info.subject, issuer: info.issuer, san: info.subjectAltNames,
            notBefore: info.notBefore, notAfter: info.notAfter, serial: info.serial, sha256: info.sha256,
            ja4x: JA4X(der: info.der)?.fingerprint)
        // A full cache is simply cleared: hostile input cannot make it grow.
        if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
        entries[digest] = evidence
        return evidence
    }
}

/// The run's certificate cache, shared by reference between the inspectors.
final class CertificateCacheBox {
    private var cache = CertificateCache()

    func evidence(for der: [UInt8]) -> TLSCertificateEvidence {
        cache.evidence(for: der)
    }
}
