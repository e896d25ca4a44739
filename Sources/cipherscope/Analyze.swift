import Analysis
import ArgumentParser
import Capture
import Flows
import Reports

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, jsonl, csv
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

    @Argument(help: "Capture files, directories, or - for standard input.")
    var paths: [String]

    @Option(name: .long, help: "A BPF expression (pcap-filter(7)); frames keep their numbers.")
    var filter: String?

    @Option(name: .long, help: "Output format: table (default on a terminal), jsonl, or csv.")
    var format: OutputFormat?

    @Option(name: [.short, .long], help: "Write flows to FILE (- for standard output).")
    var output: String?

    @Flag(name: .long, help: "Replace an existing output file.")
    var force = false

    @Option(name: .long, help: "Write the run summary as JSON to FILE instead of standard error.")
    var stats: String?

    @Option(name: .long, help: "Most flows held at once; the oldest are ended (end_reason evicted) beyond it.")
    var maxFlows: Int = 1_000_000

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp(
        "Idle timeout in seconds: SECONDS for all, or tcp=/udp=/other=/closed=SECONDS (repeatable).",
        discussion: "Defaults: tcp 300, udp 120, other 60; closed TCP flows linger 10 s."))
    var idleTimeout: [String] = []

    @Option(name: .long, help: "Split flows longer than this many seconds (0: never).")
    var activeTimeout: Double = 1800

    @Flag(name: .shortAndLong, help: "Print no run summary on standard error.")
    var quiet = false

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("Give at least one capture file, directory or -.") }
        guard maxFlows >= 1 else { throw ValidationError("--max-flows must be at least 1.") }
        guard activeTimeout >= 0 else { throw ValidationError("--active-timeout must not be negative.") }
        _ = try timeouts()
    }

    func timeouts() throws -> FlowTableConfiguration {
        var configuration = FlowTableConfiguration()
        configuration.maxFlows = maxFlows
        configuration.activeTimeout = Int64(activeTimeout * 1e9)
        for item in idleTimeout {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            let secondsText = parts.count == 2 ? parts[1] : parts[0]
            guard let seconds = Double(secondsText), seconds > 0, seconds < 1e9 else {
                throw ValidationError("--idle-timeout '\(item)': expected positive seconds, e.g. 300 or udp=60.")
            }
            let value = Int64(seconds * 1e9)
            switch parts.count == 2 ? parts[0] : "all" {
            case "all":
                configuration.tcpIdleTimeout = value
                configuration.udpIdleTimeout = value
                configuration.otherIdleTimeout = value
            case "tcp": configuration.tcpIdleTimeout = value
            case "udp": configuration.udpIdleTimeout = value
            case "other": configuration.otherIdleTimeout = value
            case "closed": configuration.closedLinger = value
            default: throw ValidationError("--idle-timeout '\(item)': the protocol is tcp, udp, other or closed.")
            }
        }
        return configuration
    }

    func run() throws {
        var options = AnalysisOptions()
        options.filter = filter
        options.flowTable = try timeouts()
        if let filter {
            // Check the expression once up front: a bad filter is a usage error.
            if let problem = BPFFilter.check(filter) { throw ValidationError("bad --filter expression: \(problem)") }
        }

        let toTerminal = output == nil || output == "-"
        let chosenFormat = format ?? (toTerminal && isatty(1) != 0 ? .table : .jsonl)
        let sink: OutputFile
        do {
            sink = try output.map { try OutputFile.open($0, force: force) } ?? OutputFile.standardOutput()
        } catch {
            throw ValidationError("cannot write output: \(error)")
        }
        let writer: FlowReportWriter = switch chosenFormat {
        case .table: TableWriter(output: sink)
        case .jsonl: JSONLinesWriter(output: sink)
        case .csv: CSVWriter(output: sink)
        }

        let expanded = CaptureInputs.expand(paths)
        for error in expanded.errors { FileHandleOutput.standardError("cipherscope: error: \(error)\n") }
        for skipped in expanded.skipped { FileHandleOutput.standardError("cipherscope: skipping \(skipped)\n") }

        StopSignal.install()
        let analyzer = Analyzer(options: options, writer: writer) { error in
            FileHandleOutput.standardError("cipherscope: error: \(error)\n")
        }
        var summary = analyzer.run(paths: expanded.paths)
        summary.inputErrors.insert(contentsOf: expanded.errors.map(\.description), at: 0)
        summary.skippedInputs = expanded.skipped.map(\.description)

        if let stats {
            do {
                let file = try OutputFile.open(stats, force: force)
                try file.write(summary.json())
                try file.commit()
            } catch {
                FileHandleOutput.standardError("cipherscope: error: cannot write stats: \(error)\n")
            }
        } else if !quiet {
            FileHandleOutput.standardError(summary.text())
        }
        if let outputError = analyzer.outputError {
            FileHandleOutput.standardError("cipherscope: error: cannot write output: \(outputError)\n")
            throw ExitCode(1)
        }
        if !summary.inputErrors.isEmpty { throw ExitCode(2) }
        if summary.interrupted { throw ExitCode(130) }
    }
}
