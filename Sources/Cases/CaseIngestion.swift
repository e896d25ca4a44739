import Analysis
import Capture
import Classifier
import Custody
import Reports

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `case ingest`: the inputs, in order, are one delivery chain. Each file is hashed;
/// files already in the case (by SHA-256) are skipped; the rest are analysed
/// together by the same `Analyzer` as `analyze` (flows continue across them) and
/// stored in ONE transaction with their file records: an interrupted or killed
/// ingest leaves the case as it was, and a rerun does the whole chain again.
///
/// A file can only be a copy of one in the case (or of another input) when its size
/// is one of theirs: only those are hashed before the analysis, to skip them. The
/// others are hashed on another thread while the analysis reads them (the hash is
/// most of a second per GB on this path otherwise) and recorded before the commit;
/// a file whose size changed meanwhile fails the ingest (nothing is kept).
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

        var files: [(path: String, digest: FileDigest?)] = []
        var seen = Set<String>()
        let inputs = expanded.paths.filter { path in
            guard path == "-" else { return true }
            fail("-: standard input cannot be ingested into a case (its files are re-hashed by `case verify`); save it to a file", &outcome)
            return false
        }
        let sizes = inputs.map(CaseIngestion.size(of:))
        var sizeByPath: [String: UInt64] = [:]
        var sizesSeen = Set(try store.files().map(\.size))
        var inputsBySize: [UInt64: Int] = [:]
        for size in sizes { if let size { inputsBySize[size, default: 0] += 1 } }
        for (path, size) in zip(inputs, sizes) {
            if let size, inputsBySize[size] == 1, sizesSeen.insert(size).inserted {
                files.append((path, nil))  // unique size: new, hashed beside the analysis
                sizeByPath[path] = size
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

        let hashing = BackgroundDigests(paths: files.filter { $0.digest == nil }.map(\.path))
        let ingest = try store.beginIngest()
        var fileIDs: [String: Int64] = [:]
        // Until the hashes are known, placeholders (replaced before the commit), unique
        // across concurrent ingests: a shared one would make them wait on each other.
        let chainName = chain ?? files[0].digest.map { "chain-" + $0.sha256.prefix(12) }
        let started = now()
        let placeholder = "hashing-\(UInt64.random(in: 0...UInt64.max))-"
        for (index, file) in files.enumerated() {
            fileIDs[file.path] = try ingest.addFile(NewCaseFile(
                sha256: file.digest?.sha256 ?? placeholder + String(index), size: file.digest?.size ?? 0, path: file.path,
                toolVersion: toolVersion, rulePacks: rulePacks, chain: chainName ?? "hashing", ingested: started))
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
        var digests: [String: FileDigest] = [:]
        for file in files { if let digest = file.digest { digests[file.path] = digest } }
        for (path, result) in hashing.wait() {
            switch result {
            case .failure(let error):
                ingest.rollback()
                throw CaseError("\(error)")
            case .success(let digest):
                guard digest.size == sizeByPath[path] else {
                    ingest.rollback()
                    throw CaseError("\(path): changed while it was ingested (now \(digest.size) bytes); nothing was stored")
                }
                digests[path] = digest
            }
        }
        let finalChain = chainName ?? "chain-" + String(digests[files[0].path]!.sha256.prefix(12))
        let read = Dictionary(summary.files.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        for file in files {
            guard let id = fileIDs[file.path], let digest = digests[file.path] else { continue }
            let stats = read[file.path]
            var result = FileOutcome(packets: stats?.frames ?? 0, firstPacket: stats?.firstPacket, lastPacket: stats?.lastPacket,
                                     error: stats == nil ? "not read" : stats?.error)
            result.digest = digest
            result.chain = finalChain
            try ingest.finishFile(id: id, outcome: result)
            outcome.stored.append((file.path, result))
        }
        try ingest.commit()
        outcome.inputErrors += summary.inputErrors
        outcome.flows = writer.flows
        outcome.summary = summary
        return outcome
    }

    /// The size of a regular file (nil: not one, or not there: hashing it names the problem).
    static func size(of path: String) -> UInt64? {
        var status = stat()
        guard stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        return UInt64(status.st_size)
    }

    private func fail(_ message: String, _ outcome: inout Outcome) {
        note("error: \(message)")
        outcome.inputErrors.append(message)
    }
}
