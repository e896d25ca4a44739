import Analysis
import ArgumentParser
import Basics
import Cases
import CasesPostgres
import Classifier
import Foundation
import Rules

/// `cipherscope worker CASE`: the scale-out half of `case ingest --queue` on a
/// PostgreSQL case. Run as many as there are machines (each must see the queued
/// paths, e.g. on shared storage); each claims one delivery chain at a time under a
/// lease, ingests it as `case ingest` would, and commits its flows and its `done`
/// mark in one transaction.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Ingest the delivery chains queued on a PostgreSQL case (case ingest --queue).",
        discussion: """
            A unit is claimed with SELECT … FOR UPDATE SKIP LOCKED under a lease that is renewed while \
            the unit is read; a worker that dies loses its lease and another one redoes the unit from \
            the start (its half-written transaction died with it). The analysis options given here \
            (rules, --trust, --threads, timeouts, --filter) apply to every unit this worker reads. \
            Exit status: 0, or 2 when a unit failed \(PostgresWorkQueue.maxAttempts) times (error kept \
            in work_units), 130 when interrupted (the unit in hand goes back to the queue).
            """
    )

    @Argument(help: "The case: a postgresql://user@host:port/db URL.")
    var location: String

    @Flag(name: .long, help: "Exit once no unit is queued or claimed (otherwise wait for new work).")
    var untilIdle = false

    @Option(name: .long, help: "Lease length in seconds; renewed every third of it while a unit is read.")
    var leaseSeconds = 60

    @Option(name: .long, help: "Seconds between looks at the queue when nothing is free.")
    var pollSeconds = 1.0

    @Option(name: .long, help: "A BPF expression (pcap-filter(7)); frames keep their numbers.")
    var filter: String?

    @OptionGroup var flow: FlowOptions
    @OptionGroup var threading: ThreadOptions
    @OptionGroup var ruleOptions: RuleOptions

    @Flag(name: .shortAndLong, help: "Print no notes on standard error (errors still).")
    var quiet = false

    func validate() throws {
        guard CaseLocation(location) != .sqlite(path: location) else {
            throw ValidationError("workers need a PostgreSQL case (postgresql://…); an SQLite case is ingested with `case ingest`.")
        }
        guard (1...86_400).contains(leaseSeconds) else { throw ValidationError("--lease-seconds must be 1 to 86400.") }
        guard pollSeconds > 0, pollSeconds <= 3_600 else { throw ValidationError("--poll-seconds must be above 0 and at most 3600.") }
    }

    func run() throws {
        let store = try CaseStores.guarded { try PostgresCaseStore.open(CaseLocation(location)) }
        defer { store.close() }
        let queue = PostgresWorkQueue(store: store)
        let loaded = try ruleOptions.loaded()
        let packs = loaded?.packs
        let classifier = loaded.map { Classifier(source: $0.rules) }
        let rulePacks = (packs ?? []).map { "\($0.manifest.id)@\($0.manifest.version)" }.joined(separator: ",")
        var options = AnalysisOptions()
        options.filter = filter
        options.flowTable = try flow.flowTableConfiguration()
        threading.apply(to: &options)
        let owner = "\(ProcessInfo.processInfo.hostName):\(getpid()):\(UInt32.random(in: 0...UInt32.max))"
        let hold = Double(ProcessInfo.processInfo.environment["CIPHERSCOPE_WORKER_HOLD_SECONDS"] ?? "") ?? 0
        let quiet = self.quiet
        let say: (String) -> Void = { note in
            if !quiet || note.hasPrefix("error") { FileHandleOutput.standardError("cipherscope: \(note)\n") }
        }
        StopSignal.install()
        var failedUnits = 0
        while !StopSignal.isRequested {
            guard let unit = try CaseStores.guarded({ try queue.claim(owner: owner, leaseSeconds: leaseSeconds) }) else {
                if untilIdle, try CaseStores.guarded({ try queue.open() }) == 0 { break }
                usleep(UInt32(pollSeconds * 1_000_000))
                continue
            }
            say("unit \(unit.id): claimed (attempt \(unit.attempts), \(unit.paths.count) files)")
            // A chain is read whole or not at all: a worker that cannot see one of its files gives it back
            // (another machine may), rather than storing the rest and calling the unit done.
            if let missing = unit.paths.first(where: { access($0, R_OK) != 0 }) {
                let why = "\(missing): not readable on this worker (\(String(cString: strerror(errno))))"
                say("error: unit \(unit.id): \(why)")
                try? queue.release(unit, owner: owner, error: why)
                failedUnits += 1
                usleep(UInt32(pollSeconds * 1_000_000))
                continue
            }
            let keeper = try CaseStores.guarded {
                try LeaseKeeper(url: store.url, unit: unit, owner: owner, leaseSeconds: leaseSeconds)
            }
            defer { keeper.stop() }
            queue.completeWithIngest(unit, owner: owner, holdSeconds: hold)
            let ingestion = CaseIngestion(analysis: options, classifier: classifier, rulePacks: rulePacks,
                                          toolVersion: Cipherscope.configuration.version, chain: unit.chain, note: say)
            do {
                let outcome = try ingestion.run(unit.paths, into: store, now: SystemClock.wall)
                if outcome.interrupted {
                    queue.cancelCompletion()
                    try? queue.release(unit, owner: owner, error: "interrupted")
                    FileHandleOutput.standardError("cipherscope: interrupted: unit \(unit.id) back in the queue\n")
                    throw ExitCode(130)
                }
                if queue.completionPending {
                    queue.cancelCompletion()
                    try CaseStores.guarded { try queue.markDone(unit, owner: owner) }
                }
                say("unit \(unit.id): done: stored \(outcome.flows) flows from \(outcome.stored.count) files, skipped \(outcome.skipped.count)")
            } catch let error as CaseError {
                queue.cancelCompletion()
                say("error: unit \(unit.id): \(error)")
                try? queue.release(unit, owner: owner, error: error.message)
                failedUnits += 1
            }
        }
        if StopSignal.isRequested { throw ExitCode(130) }
        if failedUnits > 0, try CaseStores.guarded({ try queue.units() }).contains(where: { $0.state == "failed" }) {
            throw ExitCode(2)
        }
    }
}
