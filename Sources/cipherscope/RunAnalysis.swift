import Analysis
import ArgumentParser
import Capture
import Classifier
import Custody
import Pseudonymisation
import Reports

/// Reads the inputs through the pipeline into `writer`, prints or saves the run
/// summary and turns the outcome into the documented exit status.
enum RunAnalysis {
    static func run(
        _ input: InputOptions, writer: FlowReportWriter, classifier: Classifier?, stats: String?, platformSummary: String?,
        force: Bool, quiet: Bool, custody: CustodyRecorder? = nil, output: String? = nil
    ) throws {
        let expanded = CaptureInputs.expand(input.paths)
        for error in expanded.errors { FileHandleOutput.standardError("cipherscope: error: \(error)\n") }
        for skipped in expanded.skipped { FileHandleOutput.standardError("cipherscope: skipping \(skipped)\n") }

        StopSignal.install()
        let analyzer = Analyzer(options: try input.analysisOptions(), writer: writer, classifier: classifier) { error in
            FileHandleOutput.standardError("cipherscope: error: \(error)\n")
        }
        custody?.startInputs(expanded.paths)
        var summary = analyzer.run(paths: expanded.paths)
        summary.inputErrors.insert(contentsOf: expanded.errors.map(\.description), at: 0)
        summary.skippedInputs = expanded.skipped.map(\.description)
        summary = summary.pseudonymised(by: (writer as? PseudonymisingWriter)?.pseudonymiser)

        let written = reportSummary(summary, stats: stats, platformSummary: platformSummary, force: force, quiet: quiet)
        if let custody {
            custody.finishInputs(summary, unexpanded: expanded.errors.map { ($0.path, $0.message) })
            // The outputs as committed (the flow file only when it was written whole).
            if analyzer.outputError == nil, let output { custody.noteOutput(output) }
            for path in written { custody.noteOutput(path) }
            do {
                try custody.commit()
            } catch {
                FileHandleOutput.standardError("cipherscope: error: cannot write manifest: \(error)\n")
                throw ExitCode(1)
            }
        }
        if let outputError = analyzer.outputError {
            FileHandleOutput.standardError("cipherscope: error: cannot write output: \(outputError)\n")
            throw ExitCode(1)
        }
        if !summary.inputErrors.isEmpty { throw ExitCode(2) }
        if summary.interrupted { throw ExitCode(130) }
    }

    /// The run summary as JSON to `stats`, else as text on standard error unless `quiet`;
    /// returns the files written.
    @discardableResult
    static func reportSummary(_ summary: RunSummary, stats: String?, platformSummary: String? = nil, force: Bool, quiet: Bool) -> [String] {
        var written: [String] = []
        if let stats {
            do {
                let file = try OutputFile.open(stats, force: force)
                try file.write(summary.json())
                try file.commit()
                written.append(stats)
            } catch {
                FileHandleOutput.standardError("cipherscope: error: cannot write stats: \(error)\n")
            }
        } else if !quiet {
            FileHandleOutput.standardError(summary.text() + summary.platforms.text())
        }
        if let platformSummary {
            do {
                let file = try OutputFile.open(platformSummary, force: force)
                try file.write(summary.platforms.json())
                try file.commit()
                written.append(platformSummary)
            } catch {
                FileHandleOutput.standardError("cipherscope: error: cannot write platform summary: \(error)\n")
            }
        }
        return written
    }

    static func openOutput(_ path: String?, force: Bool) throws -> OutputFile {
        do {
            return try path.map { try OutputFile.open($0, force: force) } ?? OutputFile.standardOutput()
        } catch {
            throw ValidationError("cannot write output: \(error)")
        }
    }
}
