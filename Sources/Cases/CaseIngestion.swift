import Analysis
import Capture
import Classifier
import Custody
import Reports

/// `case ingest`: the inputs, in order, are one delivery chain. Each file is hashed;
/// files already in the case (by SHA-256) are skipped; the rest are analysed
/// together by the same `Analyzer` as `analyze` (flows continue across them) and
/// stored in ONE transaction with their file records: an interrupted or killed
/// ingest leaves the case as it was, and a rerun does the whole chain again.
public struct CaseIngestion {
    public var analysis: AnalysisOptions
    public var classifier: Classifier?
    /// `id@version` of the packs, joined with `,`.
    public var rulePacks: String
    public var toolVersion: String
    /// The chain's name; default `chain-` and the first new file's hash (12 digits).
    public var chain: String?
    /// Called with each note (skipped files) and input error as it happens.
    public var note: (String) -> Void

    public init(analysis: AnalysisOptions, classifier: Classifier?, rulePacks: String, toolVersion: String, chain: String?,
                note: @escaping (String) -> Void) {
        self.analysis = analysis
        self.classifier = classifier
        self.rulePacks = rulePacks
        self.toolVersion = toolVersion
        self.chain = chain
        self.note = note
    }

    public struct Outcome: Sendable {
        /// Files stored by this ingest, with what reading them found.
        public var stored: [(path: String, outcome: FileOutcome)] = []
        /// Files already in the case (or given twice).
        public var skipped: [String] = []
        public var flows = 0
        /// Inputs that could not be hashed, expanded or read, and damage.
        public var inputErrors: [String] = []
        /// The analysis' summary (nil when nothing was read).
        public var summary: RunSummary?
        public var interrupted = false
    }

    /// Ingests `paths` into `store`; throws only when the case itself fails (nothing is then kept).
    public func run(_ paths: [String], into store: any CaseStore, now: () -> Int64) throws -> Outcome {
        var outcome = Outcome()
        let expanded = CaptureInputs.expand(paths)
        for error in expanded.errors { fail("\(error)", &outcome) }
        for skipped in expanded.skipped { note("skipping \(skipped)") }

        var files: [(path: String, digest: FileDigest)] = []
        var seen = Set<String>()
        for path in expanded.paths {
            if path == "-" {
                fail("-: standard input cannot be ingested into a case (its files are re-hashed by `case verify`); save it to a file", &outcome)
                continue
            }
            switch Digests.file(path) {
            case .failure(let error): fail("\(error)", &outcome)
            case .success(let digest):
                if let known = try store.file(sha256: digest.sha256) {
                    note("\(path): already in the case as \(known.path) (sha256 \(digest.sha256)); skipped")
                    outcome.skipped.append(path)
                } else if !seen.insert(digest.sha256).inserted {
                    note("\(path): given twice in this ingest (sha256 \(digest.sha256)); skipped")
                    outcome.skipped.append(path)
                } else {
                    files.append((path, digest))
                }
            }
        }
        guard !files.isEmpty else { return outcome }

        let ingest = try store.beginIngest()
        var fileIDs: [String: Int64] = [:]
        let chainName = chain ?? "chain-" + String(files[0].digest.sha256.prefix(12))
        let started = now()
        for file in files {
            fileIDs[file.path] = try ingest.addFile(NewCaseFile(
                sha256: file.digest.sha256, size: file.digest.size, path: file.path, toolVersion: toolVersion,
                rulePacks: rulePacks, chain: chainName, ingested: started))
        }
        let writer = CaseWriter(ingest: ingest, fileIDs: fileIDs)
        let analyzer = Analyzer(options: analysis, writer: writer, classifier: classifier) { error in note("error: \(error)") }
        let summary = analyzer.run(paths: files.map(\.path))
        if let error = analyzer.outputError {
            ingest.rollback()
            throw CaseError("\(error.message)")
        }
        if summary.interrupted {
            ingest.rollback()
            outcome.interrupted = true
            return outcome
        }
        for stats in summary.files {
            guard let id = fileIDs[stats.path] else { continue }
            let result = FileOutcome(packets: stats.frames, firstPacket: stats.firstPacket, lastPacket: stats.lastPacket, error: stats.error)
            try ingest.finishFile(id: id, outcome: result)
            outcome.stored.append((stats.path, result))
        }
        try ingest.commit()
        outcome.inputErrors += summary.inputErrors
        outcome.flows = writer.flows
        outcome.summary = summary
        return outcome
    }

    private func fail(_ message: String, _ outcome: inout Outcome) {
        note("error: \(message)")
        outcome.inputErrors.append(message)
    }
}
