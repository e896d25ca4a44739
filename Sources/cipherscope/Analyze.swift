import ArgumentParser
import Basics
import Reports

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, jsonl, csv, eve, ecs

    /// The writer of the formats that write each flow as it ends (all but the table).
    func streamingWriter(_ sink: OutputFile) -> FlowReportWriter {
        switch self {
        case .csv: CSVWriter(output: sink)
        case .eve: TreeLinesWriter(output: sink, format: .eve)
        case .ecs: TreeLinesWriter(output: sink, format: .ecs)
        case .table, .jsonl: JSONLinesWriter(output: sink)
        }
    }
}

struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Analyse capture files and report one summary per flow.",
        discussion: """
            Each PATH is a pcap or pcapng file (the format is told from its content), a \
            directory (its capture files in name order, as rotated files arrive), or - for \
            standard input. Flows continue across the files of one run.
            """
    )

    @OptionGroup var input: InputOptions
    @OptionGroup var ruleOptions: RuleOptions
    @OptionGroup var pseudonymisation: PseudonymiseOptions
    @OptionGroup var custody: CustodyOptions

    @Option(name: .long, help: "Write the per-platform summary as JSON to FILE.")
    var summary: String?

    @OptionGroup var flows: FlowOutputOptions

    func run() throws {
        let recorder = try custody.recorder(force: flows.force)
        let writer = try flows.writer()
        let pseudonymiser = try pseudonymisation.pseudonymiser()
        recorder?.pseudonymisationKeyID = pseudonymiser?.key.id
        let classifier = try ruleOptions.classifier(recordingIn: recorder)
        try RunAnalysis.run(input, writer: writer.pseudonymised(by: pseudonymiser, communityIDSeed: input.flow.communityIDSeed), classifier: classifier,
                            stats: flows.stats, platformSummary: summary, force: flows.force, quiet: flows.quiet, custody: recorder,
                            output: flows.output)
        // The process exits next: the compiled rules are left to the kernel rather than
        // freed object by object (with 10,000 rules that took about 0.03 s, a tenth of
        // their load time).
        if let classifier { _ = Unmanaged.passRetained(classifier) }
    }
}

/// Where and how the flow records go, shared by the commands that write them
/// (`analyze`, `classify`).
struct FlowOutputOptions: ParsableArguments {
    @Option(name: .long, help: "Output format: table (default on a terminal), jsonl, csv, eve (Suricata EVE JSON) or ecs (Elastic Common Schema).")
    var format: OutputFormat?

    @Option(name: [.short, .long], help: "Write flows to FILE (- for standard output).")
    var output: String?

    @Flag(name: .long, help: "Replace an existing output file.")
    var force = false

    @Option(name: .long, help: "Write the run summary as JSON to FILE instead of standard error.")
    var stats: String?

    @Flag(name: .shortAndLong, help: "Print no run summary on standard error.")
    var quiet = false

    /// The writer for the chosen format (the table on a terminal, else JSON Lines), on the opened output.
    func writer() throws -> FlowReportWriter {
        let toTerminal = output == nil || output == "-"
        let chosenFormat = format ?? (toTerminal && Terminal.isTerminal(1) ? .table : .jsonl)
        let sink = try RunAnalysis.openOutput(output, force: force)
        return chosenFormat == .table ? TableWriter(output: sink) : chosenFormat.streamingWriter(sink)
    }
}

struct Fingerprints: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print one line per flow with its fingerprints (JA3, JA4, JA4S, JA4T, JA4X, JA4H, HASSH, JA4SSH).",
        discussion: "For pasting into a report or a lookup. Flows without any fingerprint are left out."
    )

    @OptionGroup var input: InputOptions
    @OptionGroup var pseudonymisation: PseudonymiseOptions
    @OptionGroup var custody: CustodyOptions

    @Option(name: [.short, .long], help: "Write the lines to FILE (- for standard output).")
    var output: String?

    @Flag(name: .long, help: "Replace an existing output file.")
    var force = false

    @Flag(name: .shortAndLong, help: "Print no run summary on standard error.")
    var quiet = false

    func run() throws {
        let recorder = try custody.recorder(force: force)
        let writer = FingerprintLineWriter(output: try RunAnalysis.openOutput(output, force: force))
        let pseudonymiser = try pseudonymisation.pseudonymiser()
        recorder?.pseudonymisationKeyID = pseudonymiser?.key.id
        try RunAnalysis.run(input, writer: writer.pseudonymised(by: pseudonymiser, communityIDSeed: input.flow.communityIDSeed), classifier: nil, stats: nil, platformSummary: nil,
                            force: force, quiet: quiet, custody: recorder, output: output)
    }
}
