// JA4X — Copyright (c) FoxIO, LLC. Licensed under the FoxIO License 1.1 (see FingerprintsFoxIO.docc/LICENSE-FoxIO.md).
import Basics
import Dissectors
import Fingerprints

/// JA4X of one X.509 certificate: hashes of the issuer attribute OIDs, the subject attribute
/// OIDs and the extension OIDs, each in certificate order, OIDs as hex of their content octets.
public struct JA4X: Sendable, Equatable, CustomStringConvertible {
    /// `ja4x`: `h12(issuer OIDs)_h12(subject OIDs)_h12(extension OIDs)`.
    public let fingerprint: String
    /// `ja4x_r`: the three comma-joined OID lists, un-hashed.
    public let raw: String

    /// JA4X of a DER certificate; nil when the DER is not a certificate.
    public init?(der: [UInt8]) {
        guard let outline = der.withUnsafeBytes({ X509Outline.parse(der: $0) }) else { return nil }
        self.init(outline)
    }

    /// JA4X from an already walked certificate.
    public init(_ outline: X509Outline) {
        let lists = [outline.issuerAttributeTypes, outline.subjectAttributeTypes, outline.extensionIDs]
            .map { oids in oids.map { Hex.lowercase($0) }.joined(separator: ",") }
        fingerprint = lists.map { JA4Text.hash12($0) }.joined(separator: "_")
        raw = lists.joined(separator: "_")
    }

    /// The hashed fingerprint.
    public var description: String { fingerprint }
}
