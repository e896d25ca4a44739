import Rules

// Public initialisers of the manifest's entries, for a manifest filled in from facts
// recorded elsewhere (a case's files and packs) rather than by a `CustodyRecorder`.

extension CustodyManifest.Input {
    public init(recordedPath path: String, digest: FileDigest?, firstPacket: Int64?, lastPacket: Int64?, packets: UInt64, error: String?) {
        self.init(path: path, digest: digest, firstPacket: firstPacket, lastPacket: lastPacket, packets: packets, error: error)
    }
}

extension CustodyManifest.RulePackEntry {
    /// A pack known only by id and version: no manifest hash, unsigned as far as is known.
    public init(recordedID id: String, version: String, tlp: TLP, path: String) {
        self.init(id: id, version: version, tlp: tlp, manifestSHA256: nil, signingKeyID: nil, signatureVerified: false, path: path)
    }
}
