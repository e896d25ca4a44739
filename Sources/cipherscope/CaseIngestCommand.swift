import Analysis
import ArgumentParser
import Basics
import Cases
import Classifier
import Custody
import Rules

struct CaseIngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Analyse capture files as `analyze` does and store every flow in the case.",
        discussion: """
            The PATHs of one ingest are one delivery chain (rotated files of one intercept, in \
            order: flows continue across them) stored in one transaction: an interrupted ingest \
            leaves the case as it was; run it again. A file already in the case (same SHA-256) \
            is skipped with a note. Exit status as for analyze: 2 when a file was damaged or \
            unreadable (recorded as damaged, its readable flows stored), 130 when interrupted \
            (nothing stored).
            """
    )

    @Argument(help: "The case.")
    var location: String

    @OptionGroup var input: InputOptions
    @OptionGroup var ruleOptions: RuleOptions

    @Option(name: .long, help: "Name of the delivery chain (default: chain- and the first new file's SHA-256 prefix).")
    var chain: String?

    @Flag(name: .long, help: "PostgreSQL cases: only register the PATHs as one delivery chain for `cipherscope worker` (the same PATHs again: no new unit).")
    var queue = false

    @OptionGroup var custody: CustodyOptions

    @Flag(name: .shortAndLong, help: "Print no notes or summary on standard error (errors still).")
    var quiet = false

    func run() throws {
        if queue { return try CaseQueueing.register(location, paths: input.paths, chain: chain, quiet: quiet) }
        let store = try CaseStores.open(location)
        defer { store.close() }
        let loaded = try ruleOptions.loaded()
        let packs = loaded?.packs
        let recorder = try custody.recorder(force: false)
        recorder?.noteRulePacks(packs ?? [], verified: ruleOptions.trust != nil)
        let classifier = loaded.map { Classifier(source: $0.rules) }
        let rulePacks = (packs ?? []).map { "\($0.manifest.id)@\($0.manifest.version)" }.joined(separator: ",")
        let quiet = self.quiet
        let ingestion = CaseIngestion(
            analysis: try input.analysisOptions(), classifier: classifier, rulePacks: rulePacks,
            toolVersion: Cipherscope.configuration.version, chain: chain
        ) { note in
            if !quiet || note.hasPrefix("error") { FileHandleOutput.standardError("cipherscope: \(note)\n") }
        }
        StopSignal.install()
        let outcome = try CaseStores.guarded { try ingestion.run(input.paths, into: store, now: SystemClock.wall) }
        if outcome.interrupted {
            FileHandleOutput.standardError("cipherscope: interrupted: nothing stored (run the ingest again)\n")
            throw ExitCode(130)
        }
        if !quiet {
            let damaged = outcome.stored.filter { $0.outcome.error != nil }.count
            FileHandleOutput.standardError(
                "cipherscope: stored \(outcome.flows) flows from \(outcome.stored.count) files (\(damaged) damaged), skipped \(outcome.skipped.count) already in the case\n")
        }
        if let recorder {
            // The files this ingest stored, with the SHA-256 and size the ingest recorded.
            let stored = Set(outcome.stored.map(\.path))
            let info = try CaseStores.guarded { try store.info() }
            let files = try CaseStores.guarded { try store.files() }.filter { stored.contains($0.path) }
            recorder.amend { manifest in
                manifest.addCase(info)
                manifest.addFiles(files)
                manifest.flows = UInt64(outcome.flows)
                manifest.packets = outcome.summary?.packets ?? 0
                manifest.inputErrors = outcome.inputErrors
            }
            do { try recorder.commit() } catch { throw CommandFailure("cannot write manifest: \(error)") }
        }
        if !outcome.inputErrors.isEmpty { throw ExitCode(2) }
    }
}
