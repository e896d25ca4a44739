import ArgumentParser
import Custody
import Classifier
import Rules

/// `--manifest FILE` with the case and operator it records (see README "Chain of custody").
struct CustodyOptions: ParsableArguments {
    @Option(name: .long, help: "Write a chain-of-custody manifest (JSON: inputs and outputs with SHA-256, rule packs, tool commit) to FILE.")
    var manifest: String?

    @Option(name: .long, help: "With --manifest: the case identifier to record.")
    var caseId: String?

    @Option(name: .long, help: "With --manifest: who ran the analysis.")
    var `operator`: String?

    func validate() throws {
        if manifest == nil && (caseId != nil || `operator` != nil) {
            throw ValidationError("--case-id and --operator are recorded in the --manifest FILE; give --manifest too.")
        }
        if manifest == "-" { throw ValidationError("--manifest needs a file name.") }
    }

    /// The recorder, its file reserved now (fails before any work), or nil without --manifest.
    func recorder(force: Bool) throws -> CustodyRecorder? {
        guard let manifest else { return nil }
        return try Self.recorder(manifest: manifest, caseID: caseId, operatorName: `operator`, force: force)
    }

    /// A recorder of this run; `manifest` nil: the facts only, no file (the HTML report shows them).
    static func recorder(manifest: String?, caseID: String?, operatorName: String?, force: Bool) throws -> CustodyRecorder {
        do {
            return try CustodyRecorder(
                path: manifest, force: force, version: Cipherscope.configuration.version,
                executable: RuleOptions.absolute(CommandLine.arguments.first ?? ""),
                commandLine: CommandLine.arguments, caseID: caseID, operatorName: operatorName)
        } catch {
            throw CommandFailure("cannot write manifest: \(error)")
        }
    }
}

extension RuleOptions {
    /// The classifier and, for the manifest, the packs it was compiled from (loaded once).
    func classifier(recordingIn custody: CustodyRecorder?) throws -> Classifier? {
        guard let custody else { return try classifier() }
        guard let loaded = try loaded() else { return nil }
        custody.noteRulePacks(loaded.packs, verified: trust != nil)
        return Classifier(source: loaded.rules)
    }
}
