import Decoding
import Foundation
@testable import Rules

/// A pack written to a fresh temporary folder.
struct TempPack {
    let path: String

    static let manifest = """
        id: org.example.test
        name: Test pack
        version: 1.0.0
        description: for tests
        author: tests
        organisation: tests
        licence: CC0-1.0
        tlp: green
        created: 2026-01-01
        modified: 2026-01-02
        platforms: [ExampleMessenger]

        """

    /// `files` maps relative paths to contents; `pack.yaml` defaults to `manifest`.
    init(_ files: [String: String]) throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("rules-tests-\(UUID().uuidString)")
        path = base.path
        var all = files
        if all["pack.yaml"] == nil { all["pack.yaml"] = TempPack.manifest }
        for (relative, text) in all {
            let url = base.appendingPathComponent(relative)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
    }

    /// A pack with one rule file holding `rules` (YAML text of the list items).
    init(rules: String, extra: [String: String] = [:]) throws {
        var files = extra
        files["rules/rules.yaml"] = "rules:\n" + rules
        try self.init(files)
    }

    func file(_ relative: String) -> String { path + "/" + relative }

    func write(_ relative: String, _ text: String) throws {
        try text.write(toFile: file(relative), atomically: true, encoding: .utf8)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// YAML of one rule; `match` is the text under `match:` indented by 6.
func ruleYAML(_ name: String, id: Int, platform: String = "Signal", confidence: String = "medium", match: String, extra: String = "") -> String {
    """
      - id: 00000000-0000-4000-8000-\(String(format: "%012d", id))
        name: \(name)
        rev: 1
        title: \(name)
        platform: \(platform)
        service: chat
        confidence: \(confidence)
        status: stable
    \(extra)    match:
    \(match)

    """
}

func facts(proto: String = "tcp", src: String = "192.0.2.1", sport: UInt16 = 40000, dst: String = "198.51.100.1", dport: UInt16 = 443,
           app: String? = nil, text: [String: [String]] = [:], stun: [UInt16] = [], payload: [[UInt8]] = [[], []],
           lengths: [Int32] = [], counters: [String: Int64] = [:]) -> FlowFacts {
    FlowFacts(proto: proto, sourceAddress: IPAddress(src)!, sourcePort: sport, destinationAddress: IPAddress(dst)!, destinationPort: dport,
              appProto: app, text: text, stunAttributes: stun, firstPayload: FirstPayloads(payload), payloadLengths: lengths, counters: counters)
}

/// Loads and compiles a one-file pack; the temporary folder is removed.
func compile(_ rules: String, extra: [String: String] = [:]) throws -> RuleSet {
    let pack = try TempPack(rules: rules, extra: extra)
    defer { pack.remove() }
    return try RuleSet.compile([RulePack.load(path: pack.path)])
}

/// The error loading a one-file pack throws (nil when it loads).
func loadError(_ rules: String, extra: [String: String] = [:]) throws -> RuleError? {
    let pack = try TempPack(rules: rules, extra: extra)
    defer { pack.remove() }
    do {
        _ = try RulePack.load(path: pack.path)
        return nil
    } catch {
        return error
    }
}

func names(_ matches: [RuleMatch]) -> [String] { matches.map(\.rule.name) }
