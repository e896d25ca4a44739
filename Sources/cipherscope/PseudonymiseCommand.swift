import ArgumentParser
import Basics
import Decoding
import Pseudonymisation
import Reports

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `--pseudonymise KEYFILE`, shared by the commands that write flow records.
struct PseudonymiseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Map every IP address of the output with Crypto-PAn under the key in KEYFILE (64 hex digits).",
        valueName: "KEYFILE"))
    var pseudonymise: String?

    /// `writer`, or `writer` behind the pseudonymising wrapper when a key was given.
    func wrap(_ writer: FlowReportWriter) throws -> FlowReportWriter {
        writer.pseudonymised(by: try pseudonymiser())
    }

    /// The key's mapping, or nil without `--pseudonymise`.
    func pseudonymiser() throws -> Pseudonymiser? {
        guard let path = pseudonymise else { return nil }
        do {
            return Pseudonymiser(key: try PseudonymKey.load(path: path))
        } catch {
            throw CommandFailure("\(error)")
        }
    }
}

extension FlowReportWriter {
    /// This writer, behind the pseudonymising wrapper when there is a mapping.
    func pseudonymised(by pseudonymiser: Pseudonymiser?, communityIDSeed: UInt16 = 0) -> FlowReportWriter {
        pseudonymiser.map { PseudonymisingWriter(wrapping: self, pseudonymiser: $0, communityIDSeed: communityIDSeed) } ?? self
    }
}

extension LiveSnapshot {
    /// The snapshot with the recent flows' addresses mapped (the live view shows them).
    func pseudonymised(by pseudonymiser: Pseudonymiser?) -> LiveSnapshot {
        guard let pseudonymiser else { return self }
        var snapshot = self
        snapshot.recent = recent.map { PseudonymisingWriter.pseudonymised($0, by: pseudonymiser) }
        return snapshot
    }
}

extension RunSummary {
    /// The summary with the platforms' client and server addresses mapped.
    func pseudonymised(by pseudonymiser: Pseudonymiser?) -> RunSummary {
        guard let pseudonymiser else { return self }
        var summary = self
        summary.platforms = platforms.mapped(by: pseudonymiser)
        return summary
    }
}

struct PseudonymiseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pseudonymise",
        abstract: "Print the Crypto-PAn pseudonym of each ADDRESS (or of each line of standard input).",
        discussion: """
            Prints one `address pseudonym` line per address, as `analyze --pseudonymise` maps \
            them. KEYFILE holds 64 hex digits (32 bytes: AES-128 key and pad seed); the key id \
            printed on standard error is the first 16 hex digits of the SHA-256 of the key. \
            IPv4 (and IPv4-mapped ::ffff:a.b.c.d, kept mapped) by the 32-bit algorithm, IPv6 by \
            the 128-bit one. Addresses that do not parse are reported on standard error and \
            the exit status is 1.
            """
    )

    @Option(name: .long, help: ArgumentHelp("The key file (64 hex digits).", valueName: "KEYFILE"))
    var key: String

    @Flag(name: .long, help: "Map pseudonyms back to the original addresses.")
    var reverse = false

    @Flag(name: .shortAndLong, help: "Print no key id on standard error.")
    var quiet = false

    @Argument(help: "Addresses (IPv4 or IPv6); none: one per line from standard input.")
    var addresses: [String] = []

    func run() throws {
        let loaded: PseudonymKey
        do {
            loaded = try PseudonymKey.load(path: key)
        } catch {
            throw CommandFailure("\(error)")
        }
        if !quiet { FileHandleOutput.standardError("cipherscope: key id \(loaded.id)\(reverse ? " (reverse)" : "")\n") }
        let pseudonymiser = Pseudonymiser(key: loaded, reverse: reverse)
        var bad: [String] = []
        var output = ""
        func one(_ text: Substring) {
            let trimmed = text.trimmingSpaces
            guard !trimmed.isEmpty else { return }
            guard IPAddress(trimmed) != nil else {
                bad.append(String(trimmed))
                return
            }
            output += "\(trimmed) \(pseudonymiser.mapText(String(trimmed)))\n"
        }
        if addresses.isEmpty {
            var input: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                input += chunk[0..<n]
            }
            for line in String(decoding: input, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true) { one(line) }
        } else {
            for address in addresses { one(Substring(address)) }
        }
        try? FileIO.writeAll(1, output)
        guard bad.isEmpty else {
            let shown = bad.prefix(5).joined(separator: ", ") + (bad.count > 5 ? " (and \(bad.count - 5) more)" : "")
            throw CommandFailure("not an IP address: \(shown)")
        }
    }
}

extension Substring {
    /// Without leading and trailing spaces, tabs and carriage returns.
    fileprivate var trimmingSpaces: Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" || first == "\r" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" || last == "\r" { text = text.dropLast() }
        return text
    }
}
