import Analysis
import ArgumentParser

/// `--threads`, shared by `analyze`, `fingerprints` and `capture`.
struct ThreadOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Threads that track and dissect flows (1-64).",
        discussion: "Flows are sharded by a symmetric hash of their key; the output is the same as with 1, line for line. --max-flows and the reassembly budget are split between the threads."))
    var threads: Int = 1

    func validate() throws {
        guard (1...64).contains(threads) else { throw ValidationError("--threads must be between 1 and 64.") }
    }

    func apply(to options: inout AnalysisOptions) { options.threads = threads }
}
