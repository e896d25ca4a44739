import Analysis
import ArgumentParser
import Capture
import Flows

/// Options shared by the commands that read capture files.
struct InputOptions: ParsableArguments {
    @Argument(help: "Capture files, directories, or - for standard input.")
    var paths: [String]

    @Option(name: .long, help: "A BPF expression (pcap-filter(7)); frames keep their numbers.")
    var filter: String?

    @OptionGroup var flow: FlowOptions

    @OptionGroup var threading: ThreadOptions

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("Give at least one capture file, directory or -.") }
        if let filter, let problem = BPFFilter.check(filter) {
            throw ValidationError("bad --filter expression: \(problem)")
        }
    }

    func analysisOptions() throws -> AnalysisOptions {
        var options = AnalysisOptions()
        options.filter = filter
        options.flowTable = try flow.flowTableConfiguration()
        threading.apply(to: &options)
        return options
    }
}

/// The flow table's options, shared by `analyze`, `fingerprints` and `capture`.
struct FlowOptions: ParsableArguments {
    @Option(name: .long, help: "Most flows held at once; the oldest are ended (end_reason evicted) beyond it.")
    var maxFlows: Int = 1_000_000

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp(
        "Idle timeout in seconds: SECONDS for all, or tcp=/udp=/other=/closed=SECONDS (repeatable).",
        discussion: "Defaults: tcp 300, udp 120, other 60; closed TCP flows linger 10 s."))
    var idleTimeout: [String] = []

    @Option(name: .long, help: "Split flows longer than this many seconds (0: never).")
    var activeTimeout: Double = 1800

    @Option(name: .long, help: ArgumentHelp(
        "Seed of community_id (0-65535), as Zeek's CommunityID::seed and Suricata's community-id-seed.",
        valueName: "N"))
    var communityIDSeed: UInt16 = 0

    func validate() throws {
        guard maxFlows >= 1 else { throw ValidationError("--max-flows must be at least 1.") }
        guard activeTimeout >= 0 else { throw ValidationError("--active-timeout must not be negative.") }
        _ = try flowTableConfiguration()
    }

    func flowTableConfiguration() throws -> FlowTableConfiguration {
        var configuration = FlowTableConfiguration()
        configuration.maxFlows = maxFlows
        configuration.activeTimeout = Int64(activeTimeout * 1e9)
        configuration.communityIDSeed = communityIDSeed
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
}
