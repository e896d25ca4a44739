import ArgumentParser
import Basics
import Classifier
import Custody
import LogInput
import Pseudonymisation
import Reports
import Rules

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `cipherscope classify --from eve|zeek FILE...`: labels the flows other tools logged.
struct ClassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Label the flows Suricata (eve.json) or Zeek (conn.log, ssl.log, …) logged, with the same rule packs.",
        discussion: """
            --from eve: FILEs are eve.json files (flow records joined by flow_id with their \
            tls, quic, dns, http and ssh events). --from zeek: FILEs are Zeek logs (conn.log \
            with ssl, x509, quic, dns, http and ssh logs, TSV or JSON) or directories holding \
            them, joined by uid. Rules that need facts the logs do not carry (payload bytes, \
            length sequences, JA4T, STUN, RTP, MTProto …) are not applied and are listed as \
            not applicable. Bad lines are reported as FILE:LINE and skipped; exit status 2 then.
            """
    )

    enum Source: String, ExpressibleByArgument, CaseIterable {
        case eve, zeek
    }

    @Option(name: .long, help: "Which tool wrote the logs: eve (Suricata) or zeek.")
    var from: Source

    @Argument(help: "Log files (Zeek: also directories holding them).")
    var paths: [String]

    @OptionGroup var ruleOptions: RuleOptions
    @OptionGroup var pseudonymisation: PseudonymiseOptions
    @OptionGroup var custody: CustodyOptions

    @OptionGroup var flows: FlowOutputOptions

    @Option(name: .long, help: ArgumentHelp(
        "Seed of community_id (0-65535), as Zeek's CommunityID::seed and Suricata's community-id-seed.",
        valueName: "N"))
    var communityIDSeed: UInt16 = 0

    @Option(name: .long, help: "Longest log line read, in bytes; longer lines are reported and skipped.")
    var maxLineLength: Int = LineReader.defaultMaximumLength

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("Give at least one log file or directory.") }
        guard maxLineLength >= 1 else { throw ValidationError("--max-line-length must be at least 1.") }
    }

    func run() throws {
        let source: LogSource = from == .eve ? .eve : .zeek
        let recorder = try custody.recorder(force: flows.force)
        var notes = ""
        var classifier: Classifier?
        if let (packs, compiled) = try ruleOptions.loaded() {
            recorder?.noteRulePacks(packs, verified: ruleOptions.trust != nil)
            let rules = compiled.rules
            let applicability = RuleApplicability(rules: rules, source: source)
            do {
                classifier = Classifier(source: try RuleSet.compile(applicability.filtered(packs)))
            } catch {
                throw CommandFailure("\(error)")
            }
            notes += applicability.text()
        }

        let writer = try flows.writer()
        let pseudonymiser = try pseudonymisation.pseudonymiser()
        recorder?.pseudonymisationKeyID = pseudonymiser?.key.id
        let logClassifier = LogClassifier(
            writer: writer.pseudonymised(by: pseudonymiser, communityIDSeed: communityIDSeed), classifier: classifier,
            communityIDSeed: communityIDSeed)
        let report = { (error: LogInputError) in FileHandleOutput.standardError("cipherscope: error: \(error)\n") }
        var extraErrors: [String] = []
        var inputs: [String] = []
        switch source {
        case .eve:
            inputs = paths.filter { FileIO.kind(of: $0) != .directory }
            recorder?.startInputs(inputs)
            var reader = EVEReader(classifier: logClassifier, maximumLineLength: maxLineLength)
            for path in paths {
                if FileIO.kind(of: path) == .directory {
                    let error = LogInputError(file: path, line: 0, message: "is a directory (give eve.json files)")
                    report(error)
                    extraErrors.append(error.description)
                    continue
                }
                reader.read(path: path, onError: report)
            }
            reader.finish()
            if reader.unjoined > 0 { notes += "cipherscope: \(reader.unjoined) flow ids had app-layer events but no flow record (not reported)\n" }
        case .zeek:
            let expanded = ZeekReader.expand(paths)
            for error in expanded.errors {
                report(error)
                extraErrors.append(error.description)
            }
            inputs = expanded.files.map(\.path)
            recorder?.startInputs(inputs)
            var reader = ZeekReader(classifier: logClassifier, maximumLineLength: maxLineLength)
            reader.read(expanded.files, onError: report)
            if reader.unjoined > 0 { notes += "cipherscope: \(reader.unjoined) uids had records but no conn.log record (not reported)\n" }
        }
        logClassifier.finish()
        var summary = logClassifier.summary.pseudonymised(by: pseudonymiser)
        summary.inputErrors.insert(contentsOf: extraErrors, at: 0)
        let written = RunAnalysis.reportSummary(summary, stats: flows.stats, force: flows.force, quiet: flows.quiet)
        // The not-applicable rules and unjoined records are told even with --stats (they are not in its JSON).
        if !flows.quiet { FileHandleOutput.standardError(notes) }
        if let recorder {
            recorder.finishLogInputs(inputs, summary: summary)
            if logClassifier.outputError == nil, let output = flows.output { recorder.noteOutput(output) }
            for path in written { recorder.noteOutput(path) }
            do { try recorder.commit() } catch { throw CommandFailure("cannot write manifest: \(error)") }
        }
        if let outputError = logClassifier.outputError {
            FileHandleOutput.standardError("cipherscope: error: cannot write output: \(outputError)\n")
            throw ExitCode(1)
        }
        if !summary.inputErrors.isEmpty { throw ExitCode(2) }
    }
}
