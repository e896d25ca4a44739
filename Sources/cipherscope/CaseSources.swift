import Basics
import Cases
import Custody
import Extraction
import Reports

/// The case forms of `report` and `extract`: the first argument names a case (a
/// cipherscope SQLite file or a postgresql:// URL) instead of capture files.
enum CaseSource {
    /// The case named by `paths`, or nil when they are capture files. An SQLite file is
    /// recognised by its header; `CaseStores.open` then refuses one that is not a case.
    static func location(_ paths: [String]) -> String? {
        guard paths.count == 1, let path = paths.first else { return nil }
        if case .postgres = CaseLocation(path) { return path }
        return FileIO.kind(of: path) == .file && CaseLocation.isSQLiteFile(path) ? path : nil
    }

    /// The stored flows the selection matches, rebuilt as reports, in first_seen order.
    /// The database narrows by time; the selection (ids, platform, server name) is then
    /// applied to each rebuilt record exactly as on an analysis.
    static func flows(in store: any CaseStore, selection: ExtractSelection,
                      _ body: (FlowReport, StoredFlow) throws -> Void) throws {
        var query = FlowQuery()
        query.from = selection.from
        query.to = selection.until
        var unreadable = 0
        try CaseStores.guarded {
            try store.flows(matching: query) { stored in
                guard let report = stored.report() else {
                    unreadable += 1
                    return
                }
                if selection.matches(report) { try body(report, stored) }
            }
        }
        if unreadable > 0 { FileHandleOutput.standardError("cipherscope: warning: \(unreadable) stored records unreadable, skipped\n") }
    }

    /// Adds the case's custody facts (files, packs, id, operator, TLP) to `recorder`.
    static func noteCase(_ store: any CaseStore, in recorder: CustodyRecorder) throws {
        let info = try CaseStores.guarded { try store.info() }
        let files = try CaseStores.guarded { try store.files() }
        recorder.amend { $0.addCase(info, files: files) }
    }
}

/// What `extract CASE` cuts: flows of one delivery chain (flow ids are numbered per
/// ingest run, so a chain and a flow id name one flow) and the chain's files, each
/// checked against its recorded SHA-256 and size first.
struct CaseExtraction {
    var chain: String
    var files: [String]
    var selection: ExtractSelection

    /// The flows of the case `selection` matches (at most one chain unless `chain` names it),
    /// as a selection by flow id over that chain's files as ingested.
    static func plan(_ store: any CaseStore, selection: ExtractSelection, chain wanted: String?) throws -> CaseExtraction {
        let files = try CaseStores.guarded { try store.files() }
        let chainOf = Dictionary(files.map { ($0.id, $0.chain) }, uniquingKeysWith: { first, _ in first })
        if let wanted, !files.contains(where: { $0.chain == wanted }) {
            throw CommandFailure("--chain '\(wanted)': no such delivery chain in the case (see `case files`); nothing written")
        }
        var flowIDs: [String: [UInt64]] = [:]
        try CaseSource.flows(in: store, selection: selection) { report, stored in
            guard let chain = chainOf[stored.fileID], wanted == nil || chain == wanted else { return }
            flowIDs[chain, default: []].append(report.summary.flowID)
        }
        guard let chain = flowIDs.keys.first else {
            throw CommandFailure("no flow of the case matches the selection (\(selection.description)); nothing written")
        }
        guard flowIDs.count == 1 else {
            throw CommandFailure("the selected flows are in \(flowIDs.count) delivery chains (\(flowIDs.keys.sorted().joined(separator: ", "))); choose one with --chain; nothing written")
        }
        var byID = ExtractSelection()
        byID.flowIDs = flowIDs[chain] ?? []
        let chainFiles = files.filter { $0.chain == chain }
        for file in chainFiles {
            switch Digests.file(file.path) {
            case .failure(let error):
                throw CommandFailure("\(file.path): cannot read the delivered file (\(error.message)); nothing written")
            case .success(let digest) where digest.sha256 != file.sha256 || digest.size != file.size:
                throw CommandFailure("\(file.path): changed since ingest (recorded sha256 \(file.sha256) size \(file.size), now sha256 \(digest.sha256) size \(digest.size)); nothing written")
            case .success:
                continue
            }
        }
        return CaseExtraction(chain: chain, files: chainFiles.map(\.path), selection: byID)
    }
}
