import ArgumentParser
import Interop
import Rules

/// `cipherscope rules import`: indicators of other tools and organisations as a new pack.
struct RulesImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Make a new, unsigned pack from Zeek Intel, MISP, STIX 2.1, Suricata or JA4+ CSV indicators.",
        discussion: """
            Everything that cannot be expressed is reported on standard error (file:line[:column]) and in the \
            pack's IMPORT-REPORT.txt; the rest is imported. The pack is lint-clean and unsigned: review it, then \
            sign it with 'cipherscope rules sign'. Marking: --tlp, else the source's (MISP tags, STIX markings, \
            Suricata metadata), else amber.
            """
    )

    @Option(name: .long, help: "The input format: \(ImportFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var from: String
    @Argument(help: "The input file.") var file: String
    @Option(name: .shortAndLong, help: "The new pack folder (must not exist, or be empty).") var output: String
    @Option(name: .long, help: "The pack id (lower-case letters, digits, '.', '-', '_'). Default: imported.<format>.<file name>.")
    var id: String?
    @Option(name: .long, help: "The platform every rule labels. Default: the source's (JA4+ 'application', STIX 'indicates'), else Imported.")
    var platform: String?
    @Option(name: .long, help: "The pack's TLP marking (clear, green, amber, amber+strict, red). Default: from the source, else amber.")
    var tlp: String?
    @Option(name: .long, help: "Domain indicators match the name itself (exact, default) or every name under it too (suffix).")
    var domains: String = DomainMatch.exact.rawValue
    @Option(name: .long, help: "The organisation written into the manifest. Default: the source's (MISP Orgc, STIX identity).")
    var organisation: String?

    func run() throws {
        guard let format = ImportFormat(rawValue: from) else {
            throw ValidationError("unknown format '\(from)'; expected one of \(ImportFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var options = ImportOptions(format: format)
        options.packID = id
        options.platform = platform
        options.organisation = organisation
        if let tlp {
            guard let marking = TLP(marking: tlp) else { throw ValidationError("unknown TLP marking '\(tlp)'; expected clear, green, amber, amber+strict or red") }
            options.tlp = marking
        }
        guard let domainMatch = DomainMatch(rawValue: domains) else { throw ValidationError("--domains takes exact or suffix") }
        options.domains = domainMatch

        let report: ImportReport
        do {
            report = try RuleImporter.run(inputPath: file, packPath: output, options: options)
        } catch {
            if let partial = error.report { printIssues(partial, reportFile: nil) }
            throw CommandFailure(error.description)
        }
        printIssues(report, reportFile: output + "/" + ImportReport.fileName)
        let lint = RuleLinter.lint(paths: [output])
        for diagnostic in lint { FileHandleOutput.standardError("\(diagnostic)\n") }
        print("imported \(report.indicatorsImported) of \(report.indicatorsRead) indicators into \(output): \(report.rules) rules, \(report.listFiles) list files, tlp \(report.packTLP.rawValue), unsigned")
        let skipped = report.count(.error) + report.count(.unsupported)
        if skipped > 0 || report.issuesNotKept > 0 {
            FileHandleOutput.standardError("cipherscope rules import: \(report.count(.error)) errors, \(report.count(.unsupported)) unsupported skipped; see \(output)/\(ImportReport.fileName)\n")
        }
        if lint.contains(where: { $0.severity == .error }) { throw ExitCode(1) }
    }

    /// Every issue on standard error, up to a screenful of thousands; the report file has them all.
    func printIssues(_ report: ImportReport, reportFile: String?) {
        let shown = 1000
        var text = ""
        for issue in report.issues.prefix(shown) { text += "\(issue)\n" }
        let hidden = report.issues.count - min(shown, report.issues.count) + report.issuesNotKept
        if hidden > 0 { text += "… \(hidden) more" + (reportFile.map { " in \($0)" } ?? "") + "\n" }
        if !text.isEmpty { FileHandleOutput.standardError(text) }
    }
}
