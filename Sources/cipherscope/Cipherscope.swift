import ArgumentParser
import Basics

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

@main
struct Cipherscope: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cipherscope",
        abstract: "Tell which messaging platforms encrypted traffic belongs to, flow by flow.",
        discussion: """
            Reads pcap/pcapng captures, decodes every packet, tracks bidirectional flows \
            and reports one summary per flow.

            Exit status: 0 all input read; 2 some input unreadable (results still \
            written); 1 usage or configuration error; 130 interrupted (all flows \
            seen were reported).
            """,
        version: "0.1.0",
        subcommands: [Analyze.self, CaseCommand.self, ClassifyCommand.self, ExtractCommand.self, Fingerprints.self, Interfaces.self, LiveCaptureCommand.self, PseudonymiseCommand.self, ReportCommand.self, RulesCommand.self, WorkerCommand.self]
    )

    /// Usage errors exit with 1 (not ArgumentParser's 64), as the README promises.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            let message = fullMessage(for: error)
            if !message.isEmpty { FileHandleOutput.standardError(message + "\n") }
            Glibc.exit(code == .validationFailure ? 1 : code.rawValue)
        }
    }
}

/// Writes to standard error without Foundation.
enum FileHandleOutput {
    static func standardError(_ text: String) {
        try? FileIO.writeAll(2, text)
    }
}

/// A failure to report in one line and exit 1 (without the usage text a
/// `ValidationError` would add).
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
