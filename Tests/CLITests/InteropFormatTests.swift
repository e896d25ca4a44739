import Foundation
import Testing

/// `--format eve` and `--format ecs` on real captures: every EVE line (without its
/// `cipherscope` object) validates against Suricata's EVE schema, and every ECS key
/// outside `cipherscope.` is one of the ECS names of the mapping table in
/// ../shared/reference/wave2.md §B.4, with ECS's types.
enum Interop {
    static let reference = Runner.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/reference")
    static let eveSchema = reference.appendingPathComponent("interop/suricata-eve-schema.json")
    static let mappingTable = reference.appendingPathComponent("wave2.md")
    static var haveReference: Bool {
        FileManager.default.fileExists(atPath: eveSchema.path) && FileManager.default.fileExists(atPath: mappingTable.path)
    }
    /// python3 with the `jsonschema` package.
    static let jsonschema: Bool = {
        guard let python = Runner.python3, let result = try? Runner.runTool(python, ["-c", "import jsonschema"]) else { return false }
        return result.status == 0
    }()

    /// The bundled captures (and the synthetic contract extras), and the peer captures when ../shared is there.
    static var captures: [URL] {
        var urls: [URL] = []
        let folders = ["Captures", "Captures/crafted", "Tests/Golden/captures"].map { Runner.packageRoot.appendingPathComponent($0) }
            + (Runner.peerCaptures.map { [$0] } ?? [])
        for folder in folders {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            for name in names.sorted() where name.hasSuffix(".pcap") || name.hasSuffix(".pcapng") {
                urls.append(folder.appendingPathComponent(name))
            }
        }
        return urls
    }

    /// Every capture's records in `format`, one file (a second pass with a short
    /// active timeout adds the split flows' records).
    static func records(_ format: String, splits: Bool) throws -> (URL, Int) {
        let scratch = try Runner.scratch()
        let file = scratch.appendingPathComponent("records.\(format)")
        var text = ""
        for capture in captures {
            let passes: [[String]] = splits ? [[], ["--active-timeout", "0.2"]] : [[]]
            for extra in passes {
                let result = try Runner.run(["analyze", "--format", format, "-q"] + extra + [capture.path])
                #expect(result.status == 0, "\(capture.lastPathComponent): \(result.stderr)")
                text += result.stdout
            }
        }
        try text.write(to: file, atomically: true, encoding: .utf8)
        return (file, text.split(separator: "\n").count)
    }
}

@Suite(.enabled(if: Interop.haveReference, "../shared/reference is absent: EVE/ECS schema tests skipped"))
struct InteropFormatTests {
    @Test(.enabled(if: Interop.jsonschema, "python3 with jsonschema not found (pip install jsonschema): EVE schema validation skipped"))
    func everyEVELineValidatesAgainstSuricatasSchema() throws {
        let (file, count) = try Interop.records("eve", splits: true)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        if Runner.peerCaptures != nil { #expect(count >= 2000, "only \(count) EVE lines") }
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            validator = jsonschema.Draft202012Validator(schema)
            lines = bad = 0
            for number, line in enumerate(open(sys.argv[2]), 1):
                record = json.loads(line)
                lines += 1
                assert record.get("event_type") == "flow", number
                record.pop("cipherscope", None)
                for error in validator.iter_errors(record):
                    bad += 1
                    if bad <= 10: print(f"line {number}: {list(error.absolute_path)}: {error.message[:200]}")
            print(f"validated {lines} lines, {bad} errors")
            sys.exit(1 if bad or lines == 0 else 0)
            """
        let result = try Runner.runTool(Runner.python3!, ["-c", script, Interop.eveSchema.path, file.path])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("validated \(count) lines, 0 errors"), "\(result.stdout)")
    }

    /// The ECS names of §B.4's table (third column's `code` spans).
    static func mappedECSNames() throws -> Set<String> {
        let text = try String(contentsOf: Interop.mappingTable, encoding: .utf8)
        guard let start = text.range(of: "### B.4") else { return [] }
        var names: Set<String> = []
        for line in text[start.upperBound...].split(separator: "\n").dropFirst(3) {
            guard line.hasPrefix("|") else { break }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false)
            guard cells.count > 3 else { continue }
            for (i, span) in cells[3].split(separator: "`", omittingEmptySubsequences: false).enumerated() where i % 2 == 1 {
                names.insert(String(span.split(separator: ":")[0]).trimmingCharacters(in: .whitespaces))
            }
        }
        return names
    }

    @Test func ecsKeysAreTheMappingTablesAndTypesHold() throws {
        let allowed = try Self.mappedECSNames()
        #expect(allowed.contains("source.ip") && allowed.contains("tls.client.ja4"), "§B.4 table not parsed: \(allowed.sorted())")
        let (file, count) = try Interop.records("ecs", splits: false)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        #expect(count > 0)
        let ipFields: Set<String> = ["source.ip", "source.address", "destination.ip", "related.ip"]
        let longFields: Set<String> = ["source.port", "destination.port", "source.bytes", "destination.bytes", "source.packets",
                                       "destination.packets", "network.bytes", "network.packets", "event.duration"]
        let dateFields: Set<String> = ["@timestamp", "event.start", "event.end"]
        var problems: [String] = []
        var seen: Set<String> = []
        func check(_ value: Any, _ path: String) {
            if let object = value as? [String: Any] {
                for (key, child) in object {
                    let dotted = path.isEmpty ? key : "\(path).\(key)"
                    if dotted == "cipherscope" { continue }
                    check(child, dotted)
                }
                return
            }
            if let list = value as? [Any] {
                for item in list { check(item, path) }
                return
            }
            seen.insert(path)
            if !allowed.contains(path) { problems.append("\(path): not in wave2.md §B.4") }
            if ipFields.contains(path), !(value is String && Self.isIPAddress(value as! String)) { problems.append("\(path): \(value) is no IP address") }
            if longFields.contains(path), !Self.isInteger(value) {
                problems.append("\(path): \(value) is no integer")
            }
            if dateFields.contains(path), !(value is String && Self.isRFC3339(value as! String)) { problems.append("\(path): \(value) is no RFC 3339 date") }
        }
        let data = try String(contentsOf: file, encoding: .utf8)
        for line in data.split(separator: "\n") {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
            guard let record = object as? [String: Any] else { problems.append("not an object: \(line.prefix(80))"); continue }
            check(record, "")
            let event = record["event"] as? [String: Any]
            #expect(event?["kind"] as? String == "event")
            #expect(event?["category"] as? [String] == ["network"])
        }
        #expect(problems.isEmpty, "\(problems.prefix(10))")
        for expected in ["@timestamp", "source.ip", "destination.port", "network.transport", "network.community_id", "event.duration"] {
            #expect(seen.contains(expected), "no record has \(expected)")
        }
    }

    static func isInteger(_ value: Any) -> Bool {
        guard let number = value as? NSNumber else { return false }
        return ["q", "l", "i", "s", "Q", "L", "I", "S"].contains(String(cString: number.objCType))
    }

    static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }

    static func isRFC3339(_ text: String) -> Bool {
        text.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"#, options: .regularExpression) != nil
    }
}
