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
