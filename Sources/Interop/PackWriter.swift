import Crypto
import Foundation
import Rules
import Schema

/// Writes imported indicators as a new pack: manifest (every file pinned, unsigned),
/// rule files, list files for long value sets, and `IMPORT-REPORT.txt`.
///
/// Indicators that are one value of one kind (a domain, an address, a fingerprint)
/// with the same platform, marking and confidence are grouped: up to
/// `groupThreshold` of them become one rule each, more become one rule reading a
/// list file whose lines keep each value's source line and id. Other indicators
/// (several conditions) become one rule each.
enum PackWriter {
    static let groupThreshold = 8
    static let rulesPerFile = 500

    struct GroupKey: Hashable {
        var fields: [Field]
        var mode: ImportMode
        var platform: String
        var tlp: TLP?
        var confidence: Confidence
        var service: Service
    }

    static func write(sink: ImportSink, packPath: String, options: ImportOptions) throws(ImportFailure) -> ImportReport {
        var report = sink.report
        let date = options.date ?? today()
        let source = (sink.file as NSString).lastPathComponent
        let packID = options.packID ?? "imported.\(options.format.slug).\(slug(source, max: 80))"
        guard isPackID(packID) else {
            throw ImportFailure("error: pack id '\(packID)' must be lower-case letters, digits, '.', '-' or '_' (give --id)", report: report)
        }
        report.packID = packID

        // Platforms: canonical names as spelt in the table, others declared in the manifest.
        var extra = [String]()
        var platformCache = [String: String]()
        func platform(_ raw: String?) -> String {
            let wanted = options.platform ?? raw ?? ImportOptions.defaultPlatform
            if let done = platformCache[wanted] { return done }
            var name = Platforms.canonical(wanted, extra: extra) ?? platformName(wanted)
            if let known = Platforms.canonical(name, extra: extra) { name = known } else { extra.append(name) }
            platformCache[wanted] = name
            return name
        }

        // The pack's marking.
        let markings = sink.indicators.compactMap(\.tlp)
        if let tlp = options.tlp {
            report.packTLP = tlp
            report.tlpOrigin = "given with --tlp"
        } else if let tlp = sink.fileTLP {
            report.packTLP = tlp
            report.tlpOrigin = "the source's marking (\(sink.fileTLPOrigin))"
        } else if markings.count == sink.indicators.count, let least = markings.min() {
            report.packTLP = least
            report.tlpOrigin = "the least restrictive marking of the indicators; each rule carries its own"
        } else {
            report.packTLP = .amber
            report.tlpOrigin = "default amber: the source marks not every indicator" + (markings.isEmpty ? "" : " (rules keep the markings found)")
        }

        // Rules.
        var ruleTexts = [String]()
        var lists = [(path: String, text: String)]()
        var names = Set<String>()
        func uniqueName(_ base: String) -> String {
            var name = String(base.prefix(120))
            var n = 2
            while names.contains(name) { name = String(base.prefix(120)) + "-\(n)"; n += 1 }
            names.insert(name)
            return name
        }
        let prefix = options.format.slug

        var groups = [GroupKey: [Int]]()
        var order = [GroupKey]()
        var singles = [Int]()
        for (i, indicator) in sink.indicators.enumerated() {
            guard let atomic = indicator.condition.atomic else { singles.append(i); continue }
            let key = GroupKey(fields: atomic.fields, mode: atomic.mode, platform: platform(indicator.platform), tlp: indicator.tlp,
                               confidence: indicator.confidence, service: indicator.service)
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(i)
        }
        func single(_ indicator: Indicator) {
            let name = uniqueName(prefix + "-" + slug(indicator.nameHint, max: 100))
            ruleTexts.append(ruleYAML(
                id: ruleID(packID, name), name: name, title: indicator.title,
                description: indicator.description ?? "Indicator of \(source) line \(indicator.line) (\(options.format.rawValue)), imported \(date).",
                platform: platform(indicator.platform), service: indicator.service, confidence: indicator.confidence, tlp: indicator.tlp,
                references: indicator.references, tags: ["imported", options.format.rawValue] + indicator.tags, date: date,
                condition: indicator.condition, listFile: nil))
        }
        for i in singles { single(sink.indicators[i]) }
        for key in order {
            // One rule per distinct value: duplicates are noted.
            var seen = [String: Int]()
            var members = [Int]()
            for i in groups[key]! {
                let value = sink.indicators[i].condition.atomic!.value
                if let first = seen[value] {
                    report.issues.append(ImportIssue(kind: .note, file: sink.file, line: sink.indicators[i].line,
                                                     message: "'\(value)' repeats line \(first): imported once"))
                    continue
                }
                seen[value] = sink.indicators[i].line
                members.append(i)
            }
            let values = members.map { sink.indicators[$0].condition.atomic!.value }
            guard members.count > groupThreshold, values.allSatisfy(isListSafe) else {
                for i in members { single(sink.indicators[i]) }
                continue
            }
            let kind = kindName(key.fields, key.mode)
            let name = uniqueName("\(prefix)-\(slug(key.platform, max: 40))-\(kind)" + (key.tlp.map { "-" + slug($0.rawValue, max: 20) } ?? ""))
            let listName = name + ".txt"
            var listLines = ["# \(values.count) values imported from \(source) (\(options.format.rawValue)) on \(date);",
                             "# after each value: its line in the source and its id there"]
            var ids = [String]()
            for i in members {
                let indicator = sink.indicators[i]
                let id = indicator.sourceID.map { " " + oneLine($0, max: 120) } ?? ""
                if let sourceID = indicator.sourceID { ids.append(sourceID) }
                listLines.append(indicator.condition.atomic!.value + "    # line \(indicator.line)" + id)
            }
            lists.append(("lists/" + listName, listLines.joined(separator: "\n") + "\n"))
            let lines = members.map { sink.indicators[$0].line }
            var references = ["imported from \(source) (\(options.format.rawValue)), \(values.count) indicators on lines \(lines.first!)–\(lines.last!); each value's line and id: lists/\(listName)"]
            if !ids.isEmpty {
                references.append("source ids: " + ids.prefix(10).joined(separator: ", ") + (ids.count > 10 ? " … (\(ids.count - 10) more in lists/\(listName))" : ""))
            }
            let fieldNames = key.fields.map(\.ruleName).joined(separator: ", ")
            ruleTexts.append(ruleYAML(
                id: ruleID(packID, name), name: name,
                title: "\(key.platform): \(values.count) \(kind.replacingOccurrences(of: "-", with: " ")) from \(source)",
                description: "\(values.count) indicators of \(source) (\(options.format.rawValue)) matched on \(fieldNames) (\(key.mode.rawValue)).",
                platform: key.platform, service: key.service, confidence: key.confidence, tlp: key.tlp,
                references: references, tags: ["imported", options.format.rawValue], date: date,
                condition: .field(key.fields, key.mode, values), listFile: listName))
        }
        report.rules = ruleTexts.count
        report.listFiles = lists.count

        // Files: rules split to stay well under the loader's 4 MiB per YAML file.
        var files = [(path: String, text: String)]()
        let chunks = stride(from: 0, to: ruleTexts.count, by: rulesPerFile).map { Array(ruleTexts[$0..<min($0 + rulesPerFile, ruleTexts.count)]) }
        for (n, chunk) in chunks.enumerated() {
            let path = chunks.count == 1 ? "rules/imported.yaml" : "rules/imported-\(String(format: "%04d", n + 1)).yaml"
            files.append((path, "# Imported from \(source) (\(options.format.rawValue)) on \(date); see \(ImportReport.fileName).\nrules:\n" + chunk.joined()))
        }
        files += lists
        files.append((ImportReport.fileName, report.text(date: date)))
        files.sort { $0.path < $1.path }

        var manifest = [
            "# Imported by 'cipherscope rules import' from \(oneLine(source, max: 200)) (\(options.format.rawValue)) on \(date).",
            "# Unsigned: review the rules and \(ImportReport.fileName), then sign with 'cipherscope rules sign'.",
            "format: 1",
            "id: \(packID)",
            "name: \(quote("Imported from " + source, max: 200))",
            "version: 1.0.0",
            "description: \(quote("\(report.indicatorsImported) indicators imported from \(source) (\(options.format.rawValue)) on \(date); \(report.issues.filter { $0.kind != .note }.count) parts of the source skipped, listed in \(ImportReport.fileName). Unsigned until reviewed and signed.", max: 2000))",
            "author: cipherscope rules import",
            "organisation: \(quote(options.organisation ?? sink.organisation ?? "unknown (imported from \(options.format.rawValue))", max: 200))",
            "licence: restricted",
            "tlp: \(report.packTLP.rawValue)",
            "created: \(date)",
            "modified: \(date)",
        ]
        if !extra.isEmpty { manifest.append("platforms: [" + extra.joined(separator: ", ") + "]") }
        manifest.append("files:")
        for file in files {
            let hash = SHA256.hash(data: Array(file.text.utf8)).map { String(format: "%02x", $0) }.joined()
            manifest += ["  - path: \(file.path)", "    sha256: \(hash)"]
        }
        files.append(("pack.yaml", manifest.joined(separator: "\n") + "\n"))
        try writeFolder(packPath, files: files)
        return report
    }

    // MARK: Files

    static func writeFolder(_ packPath: String, files: [(path: String, text: String)]) throws(ImportFailure) {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: packPath, isDirectory: &isDirectory) {
            let empty = isDirectory.boolValue && ((try? manager.contentsOfDirectory(atPath: packPath))?.isEmpty ?? false)
            guard empty else { throw ImportFailure("\(packPath): error: already exists; import writes a new pack folder (remove it or choose another -o)") }
            try? manager.removeItem(atPath: packPath)
        }
        let temporary = packPath + ".import-\(ProcessInfo.processInfo.processIdentifier)"
        do {
            try? manager.removeItem(atPath: temporary)
            for file in files {
                let url = URL(fileURLWithPath: temporary).appendingPathComponent(file.path)
                try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(file.text.utf8).write(to: url)
            }
            try manager.moveItem(atPath: temporary, toPath: packPath)
        } catch {
            try? manager.removeItem(atPath: temporary)
            throw ImportFailure("\(packPath): error: cannot write the pack: \(error.localizedDescription)")
        }
    }

    // MARK: YAML

    static func ruleYAML(id: String, name: String, title: String, description: String?, platform: String, service: Service,
                         confidence: Confidence, tlp: TLP?, references: [String], tags: [String], date: String,
                         condition: ImportCondition, listFile: String?) -> String {
        var lines = [
            "  - id: \(id)",
            "    name: \(name)",
            "    rev: 1",
            "    title: \(quote(title, max: 200))",
        ]
        if let description { lines.append("    description: \(quote(description, max: 2000))") }
        lines += [
            "    platform: \(platform)",
            "    service: \(service.rawValue)",
            "    confidence: \(confidence.rawValue)",
            "    status: test",
        ]
        if let tlp { lines.append("    tlp: \(tlp.rawValue)") }
        lines.append("    references:")
        lines += references.map { "      - " + quote($0, max: 1000) }
        lines.append("    tags: [" + tags.map { quote($0, max: 100) }.joined(separator: ", ") + "]")
        lines += ["    created: \(date)", "    modified: \(date)", "    last_checked: \(date)", "    match:"]
        lines += render(condition, indent: 6, listFile: listFile)
        return lines.joined(separator: "\n") + "\n\n"
    }

    /// The condition as YAML lines at `indent`, its first line the mapping's first key.
    static func render(_ condition: ImportCondition, indent: Int, listFile: String?) -> [String] {
        let pad = String(repeating: " ", count: indent)
        switch condition {
        case .field(let fields, let mode, let values):
            let isNumber = fields.allSatisfy { $0.declaration.rule == .number }
            let rendered: String
            if let listFile {
                rendered = "{list: \(quote(listFile, max: 200))}"
            } else {
                let items = values.map { isNumber ? $0 : quote($0, max: 4096) }
                rendered = items.count == 1 ? items[0] : "[" + items.joined(separator: ", ") + "]"
            }
            let leaves = fields.map { "\($0.ruleName): {\(mode.rawValue): \(rendered)}" }
            if leaves.count == 1 { return [pad + leaves[0]] }
            return [pad + "any:"] + leaves.map { pad + "  - " + $0 }
        case .all(let children), .any(let children):
            var isAll = false
            if case .all = condition { isAll = true }
            var out = [pad + (isAll ? "all:" : "any:")]
            for child in children {
                var lines = render(child, indent: indent + 4, listFile: listFile)
                lines[0] = pad + "  - " + lines[0].dropFirst(indent + 4)
                out += lines
            }
            return out
        }
    }

    /// A YAML double-quoted scalar, on one line, at most `max` characters.
    static func quote(_ text: String, max: Int) -> String {
        var out = "\""
        for scalar in text.unicodeScalars.prefix(max) {
            switch scalar.value {
            case 0x5C: out += "\\\\"
            case 0x22: out += "\\\""
            case 0x09: out += "\\t"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF:
                out += String(format: "\\u%04X", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    // MARK: Names

    /// A UUID derived from the pack id and the rule name: importing the same source
    /// again gives the same ids.
    static func ruleID(_ packID: String, _ name: String) -> String {
        var bytes = Array(SHA256.hash(data: Array("\(packID)/\(name)".utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let h = Array(hex)
        return String(h[0..<8]) + "-" + String(h[8..<12]) + "-" + String(h[12..<16]) + "-" + String(h[16..<20]) + "-" + String(h[20..<32])
    }

    /// Lower-case letters, digits, `.`, `-`, `_`; other runs become one `-`.
    static func slug(_ text: String, max: Int) -> String {
        var out = ""
        for c in text.lowercased().unicodeScalars {
            if (97...122).contains(c.value) || (48...57).contains(c.value) || c == "." || c == "_" {
                out.unicodeScalars.append(c)
            } else if !out.hasSuffix("-") {
                out += "-"
            }
            if out.count >= max { break }
        }
        while let first = out.first, !first.isLetter && !first.isNumber { out.removeFirst() }
        while out.hasSuffix("-") || out.hasSuffix(".") { out.removeLast() }
        return out.isEmpty ? "x" : out
    }

    /// A platform name: letters, digits, `+`, `-`, `_` (other runs become `-`), at most 64.
    static func platformName(_ text: String) -> String {
        var out = ""
        for c in text.unicodeScalars {
            if c.isASCII && (c.properties.isAlphabetic || (48...57).contains(c.value) || c == "+" || c == "_") {
                out.unicodeScalars.append(c)
            } else if !out.isEmpty && !out.hasSuffix("-") {
                out += "-"
            }
            if out.count >= 64 { break }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return out.isEmpty ? ImportOptions.defaultPlatform : out
    }

    static func kindName(_ fields: [Field], _ mode: ImportMode) -> String {
        if fields.contains(.tlsSNI) && fields.count > 1 { return mode == .suffix ? "domain-suffixes" : "domains" }
        if fields == [.anyIP] { return "addresses" }
        return slug(fields.map(\.ruleName).joined(separator: "-"), max: 40) + (mode == .exact ? "" : "-" + mode.rawValue)
    }

    /// Whether a value can be a list-file line (no spaces, no `#`).
    static func isListSafe(_ value: String) -> Bool {
        !value.isEmpty && !value.unicodeScalars.contains { $0 == "#" || $0.properties.isWhitespace || $0.value < 0x20 }
    }

    static func oneLine(_ text: String, max: Int) -> String {
        String(text.unicodeScalars.prefix(max).map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) })
    }

    static func isPackID(_ text: String) -> Bool {
        let b = text.utf8
        guard let first = b.first, (1...128).contains(b.count), (97...122).contains(first) || (48...57).contains(first) else { return false }
        return b.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
    }

    static func today() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date())
    }
}
