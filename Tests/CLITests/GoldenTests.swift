import Foundation
import Testing

/// The golden outputs in Tests/Golden: what `cipherscope` writes for the bundled
/// captures in each projection (JSON Lines, CSV, table, fingerprint lines), byte
/// for byte. `Tests/Golden/MANIFEST` names each file and the arguments that make
/// it; `Scripts/update-goldens.sh` regenerates them after a deliberate change.
enum Golden {
    static let folder = Runner.packageRoot.appendingPathComponent("Tests/Golden")
    static let manifest = folder.appendingPathComponent("MANIFEST")
    static let contractKeys = folder.appendingPathComponent("contract-keys.txt")
    static let regenerate = "Scripts/update-goldens.sh"
    /// Synthetic flows for the keys the lab captures never produce, and the script that writes them.
    static let extras = folder.appendingPathComponent("captures/contract-extras.pcap")
    static let extrasScript = folder.appendingPathComponent("captures/make-contract-extras.py")
    /// The four projections of a flow; every capture in the manifest has all four.
    static let projections: Set<String> = ["jsonl", "csv", "table", "fingerprints"]
    /// Projections some captures have as well (the interoperable formats).
    static let optionalProjections: Set<String> = ["eve", "ecs"]

    struct Case: Sendable, CustomTestStringConvertible {
        /// The golden file's name in Tests/Golden.
        var name: String
        /// The arguments after `cipherscope`.
        var arguments: [String]

        var testDescription: String { name }
        var command: String { (["cipherscope"] + arguments).joined(separator: " ") }
        var file: URL { Golden.folder.appendingPathComponent(name) }
        /// `jsonl`, `csv` or `table` for `analyze --format X`, `fingerprints` for that command.
        var projection: String? {
            if arguments.first == "fingerprints" { return "fingerprints" }
            guard let index = arguments.firstIndex(of: "--format"), index + 1 < arguments.count else { return nil }
            return arguments[index + 1]
        }
        /// The capture paths (relative to the package root).
        var captures: [String] { arguments.filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") } }
    }

    /// The manifest's lines, `FILE ARGUMENTS...`, blank lines and `#` comments skipped.
    static let cases: [Case] = {
        guard let text = try? String(contentsOf: manifest, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let name = words.first, !name.hasPrefix("#") else { return nil }
            return Case(name: name, arguments: Array(words.dropFirst()))
        }
    }()

    struct Output {
        var status: Int32
        var stdout: Data
        var stderr: String
    }

    /// Runs the built binary as the update script does: in the package root (so
    /// `source_file` is the relative path and the shipped Rules/ are found there, as
    /// a default run finds them), without CIPHERSCOPE_RULES, standard output a file.
    static func run(_ arguments: [String]) throws -> Output {
        let scratch = try Runner.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout"), errURL = scratch.appendingPathComponent("stderr")
        guard FileManager.default.createFile(atPath: outURL.path, contents: nil),
              FileManager.default.createFile(atPath: errURL.path, contents: nil)
        else { throw GoldenError("cannot create files in \(scratch.path)") }
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        let process = Process()
        process.executableURL = Runner.binary
        process.arguments = arguments
        process.currentDirectoryURL = Runner.packageRoot
        var environment = ProcessInfo.processInfo.environment
        environment["CIPHERSCOPE_RULES"] = nil
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        return Output(status: process.terminationStatus, stdout: try Data(contentsOf: outURL),
                      stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    /// A short account of how `actual` differs from `expected`, or nil when they are
    /// the same bytes: line counts, then the first few differing lines as `-`/`+`
    /// pairs, each cut to an excerpt around its first differing character.
    static func difference(expected: Data, actual: Data, shownLines: Int = 3) -> String? {
        guard expected != actual else { return nil }
        func lines(_ data: Data) -> [String] {
            var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if lines.last == "" { lines.removeLast() }
            return lines
        }
        let old = lines(expected), new = lines(actual)
        var differing: [Int] = []
        for index in 0..<max(old.count, new.count) where index >= old.count || index >= new.count || old[index] != new[index] {
            differing.append(index)
        }
        var report = "expected \(old.count) lines, got \(new.count); \(differing.count) line(s) differ"
        if differing.isEmpty { report += " (only the final newline differs)" }
        for index in differing.prefix(shownLines) {
            let before = index < old.count ? Array(old[index]) : nil
            let after = index < new.count ? Array(new[index]) : nil
            var column = 0
            if let before, let after {
                while column < min(before.count, after.count) && before[column] == after[column] { column += 1 }
            }
            func excerpt(_ line: [Character]?) -> String {
                guard let line else { return "(no line)" }
                let start = max(0, column - 40), end = min(line.count, column + 80)
                return (start > 0 ? "…" : "") + String(line[start..<end]) + (end < line.count ? "…" : "")
            }
            report += "\n- line \(index + 1), column \(column + 1): \(excerpt(before))"
            report += "\n+ line \(index + 1), column \(column + 1): \(excerpt(after))"
        }
        if differing.count > shownLines { report += "\n… and \(differing.count - shownLines) more line(s)" }
        return report
    }

    /// Every key of the golden JSON Lines, nested ones dotted (`tls.sni`); the keys of
    /// objects inside a list carry the list's name (`dns.answers.ttl`).
    static func jsonKeys() throws -> Set<String> {
        var keys: Set<String> = []
        func walk(_ value: Any, _ path: String) {
            if let object = value as? [String: Any] {
                for (key, child) in object {
                    let dotted = path.isEmpty ? key : path + "." + key
                    keys.insert(dotted)
                    walk(child, dotted)
                }
            } else if let list = value as? [Any] {
                for child in list { walk(child, path) }
            }
        }
        for golden in cases where golden.projection == "jsonl" {
            let text = try String(contentsOf: golden.file, encoding: .utf8)
            for (number, line) in text.split(separator: "\n").enumerated() {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
                guard object is [String: Any] else {
                    throw GoldenError("\(golden.name) line \(number + 1) is not a JSON object")
                }
                walk(object, "")
            }
        }
        return keys
    }

    /// The committed contract keys, one a line, blank lines and `#` comments skipped.
    static func contract() throws -> Set<String> {
        let text = try String(contentsOf: contractKeys, encoding: .utf8)
        return Set(text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") })
    }
}

struct GoldenError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Each projection of each bundled capture, byte for byte against its golden file.
struct GoldenOutputTests {
    @Test(arguments: Golden.cases)
    func outputMatchesTheGoldenFile(_ golden: Golden.Case) throws {
        let expected = try Data(contentsOf: golden.file)
        let result = try Golden.run(golden.arguments)
        #expect(result.status == 0, "\(golden.command): exit status \(result.status)\n\(result.stderr)")
        #expect(result.stderr.isEmpty, "\(golden.command) wrote to standard error:\n\(result.stderr)")
        if let difference = Golden.difference(expected: expected, actual: result.stdout) {
            Issue.record("""
                Tests/Golden/\(golden.name) differs from the output of `\(golden.command)` (run in the package root): \
                \(difference)
                If the change is deliberate, regenerate the golden files with \(Golden.regenerate) \
                and review `git diff Tests/Golden`.
                """)
        }
    }

    @Test func manifestCoversEveryProjectionOfEveryCaptureAndNothingElse() throws {
        #expect(Golden.cases.count >= 8 * 4, "Tests/Golden/MANIFEST is missing or short")
        var projections: [String: Set<String>] = [:]
        for golden in Golden.cases {
            #expect(FileManager.default.fileExists(atPath: golden.file.path), "\(golden.name) is missing: run \(Golden.regenerate)")
            #expect(golden.arguments.contains("-q"), "\(golden.name): run with -q")
            guard let projection = golden.projection else {
                Issue.record("\(golden.name): not a projection (analyze --format X, or fingerprints)")
                continue
            }
            #expect(Golden.projections.union(Golden.optionalProjections).contains(projection), "\(golden.name): unknown projection \(projection)")
            guard Golden.projections.contains(projection) else { continue }
            for capture in golden.captures { projections[capture, default: []].insert(projection) }
        }
        for (capture, seen) in projections.sorted(by: { $0.key < $1.key }) {
            #expect(seen == Golden.projections, "\(capture) lacks \(Golden.projections.subtracting(seen).sorted())")
        }
        // No stale golden file that nothing checks any more.
        let listed = Set(Golden.cases.map(\.name)).union(["MANIFEST", "contract-keys.txt", "captures"])
        let present = try FileManager.default.contentsOfDirectory(atPath: Golden.folder.path)
        for name in present where !listed.contains(name) {
            Issue.record("Tests/Golden/\(name) is not in Tests/Golden/MANIFEST")
        }
    }

    /// The committed synthetic capture is what its script writes (the script is the
    /// capture's source: change the script, rerun it, then regenerate the goldens).
    @Test(.enabled(if: Runner.python3 != nil, "python3 not found: contract-extras.pcap not rebuilt"))
    func contractExtrasCaptureIsWhatItsScriptWrites() throws {
        let scratch = try Runner.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let rebuilt = scratch.appendingPathComponent("contract-extras.pcap")
        let result = try Runner.runTool(try #require(Runner.python3), [Golden.extrasScript.path, rebuilt.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try Data(contentsOf: rebuilt) == Data(contentsOf: Golden.extras),
                "Tests/Golden/captures/contract-extras.pcap differs from what make-contract-extras.py writes: rerun the script, then \(Golden.regenerate)")
    }

    /// `-o FILE` (temporary name, then renamed) writes the bytes standard output gets.
    @Test(arguments: ["lab-basic.jsonl", "lab-basic.csv", "lab-basic.table.txt", "lab-basic.fingerprints.txt"])
    func outputFileGetsTheSameBytes(_ name: String) throws {
        let golden = try #require(Golden.cases.first { $0.name == name })
        let scratch = try Runner.scratch()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let file = scratch.appendingPathComponent(name)
        let result = try Golden.run(golden.arguments + ["-o", file.path])
        #expect(result.status == 0, "\(result.stderr)")
        let written = try Data(contentsOf: file)
        if let difference = Golden.difference(expected: try Data(contentsOf: golden.file), actual: written) {
            Issue.record("`\(golden.command) -o FILE` wrote other bytes than Tests/Golden/\(name): \(difference)")
        }
    }
}

/// The key contract as a whole: renaming or dropping any key of the JSON Lines fails here.
struct ContractKeyTests {
    @Test func goldenJSONLinesCarryEveryContractKey() throws {
        let contract = try Golden.contract()
        #expect(contract.count >= 80, "Tests/Golden/contract-keys.txt is short")
        let missing = contract.subtracting(try Golden.jsonKeys()).sorted()
        #expect(missing.isEmpty, """
            contract keys no golden JSON Lines file carries: \(missing.joined(separator: ", ")). \
            Keys are a contract with partners' scripts: extend, never rename or drop.
            """)
    }

    @Test func everyKeyOfTheGoldenJSONLinesIsInTheContract() throws {
        let unlisted = try Golden.jsonKeys().subtracting(try Golden.contract()).sorted()
        #expect(unlisted.isEmpty, """
            keys of the golden JSON Lines that Tests/Golden/contract-keys.txt does not list: \
            \(unlisted.joined(separator: ", ")). A new key is part of the contract: add it there \
            (and to the README's tables).
            """)
    }
}
