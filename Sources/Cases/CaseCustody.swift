import Custody
import Rules

extension CustodyManifest {
    /// The custody facts a case holds, as the manifest of a run records them: its
    /// files (path, SHA-256, size, packets and times, damage as recorded at ingest),
    /// the rule packs recorded at ingest (`id@version`: the case keeps neither their
    /// manifest hashes nor signing keys, so those are absent), case id, operator and
    /// the case's TLP marking. `caseID`/`operatorName` given override the case's.
    public mutating func addCase(_ info: CaseInfo, files: [CaseFile]) {
        addCase(info)
        addFiles(files)
        addRecordedPacks(files)
    }

    /// Case id, operator (unless given) and the case's marking.
    public mutating func addCase(_ info: CaseInfo) {
        if caseID == nil { caseID = info.caseID }
        if operatorName == nil { operatorName = info.operatorName }
        recordedMarking = info.tlp.flatMap(TLP.init(marking:))
    }

    /// The files as recorded at ingest (hashed then), as inputs.
    public mutating func addFiles(_ files: [CaseFile]) {
        for file in files {
            inputs.append(.init(recordedPath: file.path, digest: FileDigest(size: file.size, sha256: file.sha256), firstPacket: file.firstPacket,
                                lastPacket: file.lastPacket, packets: file.packets, error: file.error))
        }
    }

    /// The packs recorded with the files (`id@version`; no hashes or keys are kept).
    mutating func addRecordedPacks(_ files: [CaseFile]) {
        var seen = Set<String>()
        for file in files {
            for pack in file.rulePacks.split(separator: ",").map(String.init) where seen.insert(pack).inserted {
                let parts = pack.split(separator: "@", maxSplits: 1).map(String.init)
                rulePacks.append(.init(recordedID: parts[0], version: parts.count > 1 ? parts[1] : "", tlp: recordedMarking ?? .clear,
                                       path: "recorded at ingest (\(file.chain))"))
            }
        }
    }
}
