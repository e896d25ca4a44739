import Analysis
import ArgumentParser
import Basics
import Capture
import Cases
import Custody
import Extraction
import HTMLReport
import Reports

/// `cipherscope report`: one self-contained HTML page for a working group.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write an HTML report: platforms, timeline, calls, evidence, method and chain of custody.",
        discussion: """
            The inputs are analysed as analyze does (same options and rules); the flows the \
            selection options choose (all by default) make one self-contained HTML file in \
            English, Spanish, Portuguese or French, with the chain of custody of the run \
            (inputs' SHA-256, tool commit, rule packs). Nothing matched: error, exit 1, no file.

            Given a case (a cipherscope SQLite case file or a postgresql:// URL) instead, \
            the report reads the case's stored flows and labels (no analysis; the rule \
            options are not used), chosen by the same selection options, and its custody \
            block lists the case's files (SHA-256, size, status), the packs recorded at \
            ingest, and the case id, operator and TLP (--case-id/--operator override).
            """
    )

    @OptionGroup var input: InputOptions
    @OptionGroup var ruleOptions: RuleOptions
    @OptionGroup var select: SelectionOptions
    @OptionGroup var pseudonymisation: PseudonymiseOptions

    @Option(name: [.short, .long], help: "The HTML file to write.")
    var output: String

    @Option(name: .long, help: "The report's language: en, es, pt or fr.")
    var lang = "en"

    @Option(name: .long, help: ArgumentHelp("Also print the report to FILE as PDF (needs headless Chromium).", valueName: "FILE"))
    var pdf: String?

    @Option(name: .long, help: "Also write the chain-of-custody manifest (JSON) to FILE.")
    var manifest: String?

    @Option(name: .long, help: "The case identifier, on the cover and in the custody block.")
    var caseId: String?

    @Option(name: .long, help: "Who ran the analysis, on the cover and in the custody block.")
    var `operator`: String?

    @Flag(name: .long, help: "Replace existing output files.")
    var force = false

    func validate() throws {
        for (name, path) in [("--output", output), ("--pdf", pdf), ("--manifest", manifest)] where path == "-" {
            throw ValidationError("\(name) must be a file.")
        }
    }

    func run() throws {
        // Everything that can be refused is refused before any work, with nothing written.
        let language: ReportLanguage
        do { language = try ReportLanguage.named(lang) } catch { throw CommandFailure("\(error)") }
        let selection = try select.selection()
        let pseudonymiser = try pseudonymisation.pseudonymiser()
        var browser: String?
        if let pdf {
            guard let found = Chromium.find() else {
                throw CommandFailure("--pdf needs headless Chromium (Debian package chromium), which is not installed; nothing written")
            }
            guard force || FileIO.kind(of: pdf) == .missing else { throw CommandFailure("\(pdf): already exists (use --force to replace it)") }
            browser = found
        }
        let caseLocation = CaseSource.location(input.paths)
        let store = try caseLocation.map(CaseStores.open)
        defer { store?.close() }
        let file: OutputFile
        do { file = try OutputFile.open(output, force: force) } catch { throw CommandFailure("cannot write report: \(error)") }
        let recorder = try CustodyOptions.recorder(manifest: manifest, caseID: caseId, operatorName: `operator`, force: force)
        recorder.pseudonymisationKeyID = pseudonymiser?.key.id

        // The flows: selected on what was captured, then pseudonymised, then gathered.
        let content = ReportContent()
        let writer = SelectionFilter(selection, passing: content.pseudonymised(by: pseudonymiser))
        if let store {
            try CaseSource.noteCase(store, in: recorder)
            try CaseSource.flows(in: store, selection: selection) { report, _ in try writer.write(report) }
            recorder.amend { $0.flows = content.flows }
            try finish(content, selection: selection, language: language, file: file, recorder: recorder, browser: browser)
            return
        }
        let classifier = try ruleOptions.classifier(recordingIn: recorder)
        let expanded = CaptureInputs.expand(input.paths)
        for error in expanded.errors { FileHandleOutput.standardError("cipherscope: error: \(error)\n") }
        for skipped in expanded.skipped { FileHandleOutput.standardError("cipherscope: skipping \(skipped)\n") }
        StopSignal.install()
        let analyzer = Analyzer(options: try input.analysisOptions(), writer: writer, classifier: classifier) { error in
            FileHandleOutput.standardError("cipherscope: error: \(error)\n")
        }
        recorder.startInputs(expanded.paths)
        var summary = analyzer.run(paths: expanded.paths)
        summary.inputErrors.insert(contentsOf: expanded.errors.map(\.description), at: 0)
        recorder.finishInputs(summary, unexpanded: expanded.errors.map { ($0.path, $0.message) })
        if summary.interrupted { throw ExitCode(130) }
        try finish(content, selection: selection, language: language, file: file, recorder: recorder, browser: browser)
        if !summary.inputErrors.isEmpty { throw ExitCode(2) }
    }

    /// Renders the gathered flows and commits the report, the PDF and the manifest.
    private func finish(_ content: ReportContent, selection: ExtractSelection, language: ReportLanguage, file: OutputFile,
                        recorder: CustodyRecorder, browser: String?) throws {
        guard !content.isEmpty else {
            let chosen = selection.isEmpty ? "the inputs hold no flow" : "no flow matches the selection (\(selection.description))"
            throw CommandFailure("\(chosen); nothing written")
        }

        recorder.stampEnd()
        let facts = ReportFacts(custody: recorder.manifest, selection: selection.description, generated: SystemClock.wall())
        do {
            let html = try ReportRenderer.render(content, facts: facts, language: language)
            try file.write(html)
            try file.commit()
            recorder.noteOutput(output)
            if let pdf, let browser {
                try Chromium.printToPDF(browser: browser, html: output, pdf: pdf)
                recorder.noteOutput(pdf)
            }
            if manifest != nil { try recorder.commit() }
        } catch {
            throw CommandFailure("\(error)")
        }
        let platforms = content.platforms.platforms.count
        FileHandleOutput.standardError(
            "cipherscope: wrote \(output): \(content.flows) flows; platforms: \(platforms); calls: \(content.calls.count + content.callsLeftOut)\n")
    }
}

/// Passes on the flows a selection matches.
final class SelectionFilter: FlowReportWriter {
    let selection: ExtractSelection
    let inner: FlowReportWriter

    init(_ selection: ExtractSelection, passing inner: FlowReportWriter) {
        self.selection = selection
        self.inner = inner
    }

    func write(_ report: FlowReport) throws(OutputError) {
        if selection.matches(report) { try inner.write(report) }
    }

    func finish() throws(OutputError) { try inner.finish() }
}
