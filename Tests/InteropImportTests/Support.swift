import Decoding
import Foundation
import TestSupport
import Interop
@testable import Rules

enum Inputs {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Inputs").path
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func path(_ name: String) -> String { folder + "/" + name }
}

/// A fresh temporary folder, removed by `remove()`.
struct TempFolder {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("interop-import-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        try Data(bytes).write(to: URL(fileURLWithPath: file(name)))
        return file(name)
    }

    func write(_ name: String, _ text: String) throws -> String { try write(name, Array(text.utf8)) }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// An import into a new pack of `folder`, with a fixed date.
func importPack(_ format: ImportFormat, _ input: String, in folder: TempFolder, platform: String? = nil,
                limits: ImportLimits = ImportLimits(), domains: DomainMatch = .exact) throws -> (report: ImportReport, pack: String) {
    var options = ImportOptions(format: format)
    options.platform = platform
    options.date = "2026-12-01"
    options.limits = limits
    options.domains = domains
    let pack = folder.file("pack-\(format.rawValue)-\(UUID().uuidString.prefix(8))")
    let report = try RuleImporter.run(inputPath: input, packPath: pack, options: options)
    return (report, pack)
}

/// Lint errors and warnings of a pack.
func lint(_ pack: String) -> [Diagnostic] { RuleLinter.lint(paths: [pack]) }

/// The pack compiled alone.
func ruleSet(_ pack: String) throws -> RuleSet { try RuleSet.compile([RulePack.load(path: pack)]) }

func facts(proto: String = "tcp", src: String = "192.0.2.1", sport: UInt16 = 40000, dst: String = "198.51.100.1", dport: UInt16 = 443,
           text: [String: [String]] = [:]) -> FlowFacts {
    FlowFacts(proto: proto, sourceAddress: IPAddress(src)!, sourcePort: sport, destinationAddress: IPAddress(dst)!, destinationPort: dport, text: text)
}

/// The platform of the best match, or nil.
func platform(_ set: RuleSet, _ facts: FlowFacts) -> String? { set.classify(facts).first?.rule.platform }

/// Issues of a report at `line`, as text.
func issues(_ report: ImportReport, line: Int) -> [String] { report.issues.filter { $0.line == line }.map(\.description) }

/// Runs the `cipherscope` binary built beside the test bundle.
enum Binary {
    static let url: URL = TestPaths.binary

    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let output = try ChildProcess.run(url, arguments, in: Inputs.packageRoot)
        return (output.status, output.stdout, output.stderr)
    }
}
