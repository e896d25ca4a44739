import Analysis
import ArgumentParser
import Capture
import Extraction

/// `cipherscope extract`: the packets of selected flows, from the original files, as pcapng.
struct ExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Copy the packets of selected flows from the capture files into one pcapng file.",
        discussion: """
            The inputs are analysed as analyze does (same options and rules); the flows \
            chosen by --flow/--community-id (any of them), narrowed by --platform and --sni, \
            are copied frame by frame (fragments included, original times and lengths), \
            each packet commented with its flow, the file with a custody line (inputs and \
            their SHA-256, selection, time). No flow selected: error, exit 1, no file.
            """
    )

    @OptionGroup var input: InputOptions
    @OptionGroup var ruleOptions: RuleOptions

    @Option(name: [.short, .long], help: "The pcapng file to write.")
    var output: String

    @Option(name: .long, help: "A flow_id to extract (repeatable; the first part's id selects every part of a split flow).")
    var flow: [UInt64] = []

    @Option(name: .customLong("community-id"), help: "A Community ID to extract (repeatable).")
    var communityID: [String] = []

    @Option(name: .long, help: "Only flows labelled with this platform (e.g. Signal).")
    var platform: String?

    @Option(name: .long, help: "Only flows whose TLS/QUIC server name is SUFFIX or ends in .SUFFIX.")
    var sni: String?

    @Flag(name: .long, help: "Replace an existing output file.")
    var force = false

    func validate() throws {
        guard !flow.isEmpty || !communityID.isEmpty || platform != nil || sni != nil else {
            throw ValidationError("Choose flows with --flow, --community-id, --platform or --sni.")
        }
        guard output != "-" else { throw ValidationError("--output must be a file (pcapng is not written to standard output).") }
    }

    func run() throws {
        var selection = ExtractSelection()
        selection.flowIDs = flow
        selection.communityIDs = communityID
        selection.platform = platform
        selection.sniSuffix = sni
        let expanded = CaptureInputs.expand(input.paths)
        for error in expanded.errors { FileHandleOutput.standardError("cipherscope: error: \(error)\n") }
        StopSignal.install()
        let extractor = Extractor(options: try input.analysisOptions(), classifier: try ruleOptions.classifier()) { error in
            FileHandleOutput.standardError("cipherscope: error: \(error)\n")
        }
        let result: ExtractResult
        do {
            result = try extractor.run(paths: expanded.paths, selection: selection, output: output, force: force,
                                       tool: "cipherscope \(Cipherscope.configuration.version)")
        } catch {
            if StopSignal.isRequested { throw ExitCode(130) }
            throw CommandFailure("\(error)")
        }
        if result.interrupted { throw ExitCode(130) }
        FileHandleOutput.standardError("cipherscope: wrote \(result.packets) packets of \(result.flows.count) flows to \(output)\n")
        for flow in result.flows where flow.copied != flow.packets {
            FileHandleOutput.standardError("cipherscope: warning: flow \(flow.flowID): \(flow.copied) frames copied, \(flow.packets) counted\n")
        }
        if !expanded.errors.isEmpty || !result.inputErrors.isEmpty { throw ExitCode(2) }
    }
}
