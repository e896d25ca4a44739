import Analysis
import ArgumentParser
import Capture
import Cases
import Custody
import Extraction
import Pseudonymisation

/// `cipherscope extract`: the packets of selected flows, from the original files, as pcapng.
struct ExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Copy the packets of selected flows from the capture files into one pcapng file.",
        discussion: """
            The inputs are analysed as analyze does (same options and rules); the flows \
            chosen by --flow/--community-id (any of them), narrowed by --platform, --sni and --from/--until, \
            are copied frame by frame (fragments included, original times and lengths), \
            each packet commented with its flow, the file with a custody line (inputs and \
            their SHA-256, selection, time). No flow selected: error, exit 1, no file.

            Given a case (a cipherscope SQLite case file or a postgresql:// URL) instead, \
            the selection is applied to the case's stored flows; their delivery chain's \
            files are checked against the SHA-256 recorded at ingest (a changed or missing \
            file is refused) and the flows cut from them by flow id. Flow ids are numbered \
            per delivery chain: when the selected flows span chains, name one with --chain. \
            The analysis options must be those of the ingest (the defaults, usually).

            --pseudonymise KEYFILE rewrites every IPv4/IPv6 address in the copied packets \
            (IP-in-IP inner headers too) with Crypto-PAn and makes the IP, TCP, UDP and \
            ICMPv6 checksums valid; a frame whose IP header is behind another \
            encapsulation (MPLS, PPPoE, GRE, VXLAN, GTP-U) is refused, nothing written.
            """
    )

    @OptionGroup var input: InputOptions
    @OptionGroup var ruleOptions: RuleOptions
    @OptionGroup var custody: CustodyOptions

    @Option(name: [.short, .long], help: "The pcapng file to write.")
    var output: String

    @OptionGroup var select: SelectionOptions
    @OptionGroup var pseudonymisation: PseudonymiseOptions

    @Option(name: .long, help: "With a case: the delivery chain whose flows to cut (see `case files`).")
    var chain: String?

    @Flag(name: .long, help: "Replace an existing output file.")
    var force = false

    func validate() throws {
        guard try !select.selection().isEmpty else {
            throw ValidationError("Choose flows with --flow, --community-id, --platform, --sni, --from or --until.")
        }
        guard output != "-" else { throw ValidationError("--output must be a file (pcapng is not written to standard output).") }
    }

    func run() throws {
        var selection = try select.selection()
        let pseudonymiser = try pseudonymisation.pseudonymiser()
        var paths = input.paths
        if let location = CaseSource.location(input.paths) {
            let store = try CaseStores.open(location)
            defer { store.close() }
            let plan = try CaseExtraction.plan(store, selection: selection, chain: chain)
            (paths, selection) = (plan.files, plan.selection)
        } else if chain != nil {
            throw CommandFailure("--chain names a delivery chain of a case; the inputs are capture files")
        }
        let expanded = CaptureInputs.expand(paths)
        for error in expanded.errors { FileHandleOutput.standardError("cipherscope: error: \(error)\n") }
        let recorder = try custody.recorder(force: force)
        recorder?.pseudonymisationKeyID = pseudonymiser?.key.id
        StopSignal.install()
        let extractor = Extractor(options: try input.analysisOptions(), classifier: try ruleOptions.classifier(recordingIn: recorder)) { error in
            FileHandleOutput.standardError("cipherscope: error: \(error)\n")
        }
        let result: ExtractResult
        recorder?.startInputs(expanded.paths)
        do {
            result = try extractor.run(paths: expanded.paths, selection: selection, output: output, force: force,
                                       tool: "cipherscope \(Cipherscope.configuration.version)",
                                       pseudonymisation: pseudonymiser.map { ($0, $0.key.id) })
        } catch {
            if StopSignal.isRequested { throw ExitCode(130) }
            throw CommandFailure("\(error)")
        }
        if result.interrupted { throw ExitCode(130) }
        if let recorder {
            recorder.finishInputs(result.summary, unexpanded: expanded.errors.map { ($0.path, $0.message) })
            recorder.noteOutput(output)
            do { try recorder.commit() } catch { throw CommandFailure("cannot write manifest: \(error)") }
        }
        FileHandleOutput.standardError("cipherscope: wrote \(result.packets) packets of \(result.flows.count) flows to \(output)\n")
        for flow in result.flows where flow.copied != flow.packets {
            FileHandleOutput.standardError("cipherscope: warning: flow \(flow.flowID): \(flow.copied) frames copied, \(flow.packets) counted\n")
        }
        if !expanded.errors.isEmpty || !result.inputErrors.isEmpty { throw ExitCode(2) }
    }
}
