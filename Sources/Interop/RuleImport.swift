import Foundation
import Rules
import Schema

/// How a domain indicator matches the flow's domain fields.
public enum DomainMatch: String, CaseIterable, Sendable {
    /// The name itself only (Zeek, MISP and STIX semantics); `*.x` and `.x` still read as suffixes.
    case exact
    /// The name and every name under it (label boundaries).
    case suffix
}

/// What `cipherscope rules import` is asked to do.
public struct ImportOptions: Sendable {
    public var format: ImportFormat
    /// The new pack's id; default `imported.<format>.<file name>`.
    public var packID: String?
    /// The platform every rule labels; default from the source (JA4DB `application`), else `Imported`.
    public var platform: String?
    /// The pack's marking; default from the source, else amber.
    public var tlp: TLP?
    public var domains: DomainMatch = .exact
    public var organisation: String?
    public var limits = ImportLimits()
    /// The date written into the pack (`YYYY-MM-DD`); default today (UTC).
    public var date: String?

    public init(format: ImportFormat) { self.format = format }

    /// The platform of rules whose source names none.
    public static let defaultPlatform = "Imported"
}

/// Match modes an import writes.
enum ImportMode: String, Hashable, Sendable {
    case exact, suffix, prefix, contains, cidr, range
}

/// The conditions of one imported rule, before they are written as YAML.
indirect enum ImportCondition: Hashable, Sendable {
    /// Any of `fields` holds one of `values` in `mode`.
    case field([Field], ImportMode, [String])
    case all([ImportCondition])
    case any([ImportCondition])

    /// The single field value of an atomic indicator (one value, one mode), for grouping into lists.
    var atomic: (fields: [Field], mode: ImportMode, value: String)? {
        if case .field(let fields, let mode, let values) = self, values.count == 1 { return (fields, mode, values[0]) }
        return nil
    }
}

/// One indicator of the source, translated.
struct Indicator: Sendable {
    var condition: ImportCondition
    var platform: String?
    var tlp: TLP?
    var confidence: Confidence = .medium
    var service: Service = .infrastructure
    var title: String
    var description: String?
    /// Provenance: the source file and line, the original id, and the source's own references.
    var references: [String]
    var tags: [String] = []
    var line: Int
    /// The source's id (sid, UUID, …), for rule names and list comments.
    var sourceID: String?
    /// Readable part of the rule name (`sid-2034567`, `chat.signal.org`).
    var nameHint: String
}

/// Collects what an importer reads: indicators and issues, within the limits.
struct ImportSink {
    let file: String
    /// The file's name without its folder, for references (a pack does not tell where files were kept).
    let sourceName: String
    let limits: ImportLimits
    let domains: DomainMatch
    var indicators: [Indicator] = []
    var report: ImportReport
    /// The source's own marking for the whole file (MISP event tags, STIX bundle marking).
    var fileTLP: TLP?
    /// Where `fileTLP` was found.
    var fileTLPOrigin = ""
    /// The organisation the source names (MISP `Orgc`, STIX identity), for the manifest.
    var organisation: String?
    /// Set when the indicator limit is reached: importers stop reading.
    var full = false

    init(file: String, options: ImportOptions) {
        self.file = file
        self.sourceName = (file as NSString).lastPathComponent
        self.limits = options.limits
        self.domains = options.domains
        self.report = ImportReport(format: options.format, source: file)
    }

    mutating func issue(_ kind: ImportIssue.Kind, line: Int, column: Int = 0, _ message: String) {
        if report.issues.count < limits.maxIssues {
            report.issues.append(ImportIssue(kind: kind, file: file, line: line, column: column, message: message))
        } else {
            report.issuesNotKept += 1
        }
    }

    mutating func error(line: Int, column: Int = 0, _ message: String) { issue(.error, line: line, column: column, message) }
    mutating func unsupported(line: Int, column: Int = 0, _ message: String) { issue(.unsupported, line: line, column: column, message) }
    mutating func note(line: Int, column: Int = 0, _ message: String) { issue(.note, line: line, column: column, message) }

    /// Counts one indicator read; false (with an error) once the limit is reached.
    mutating func countRead(line: Int) -> Bool {
        if full { return false }
        guard report.indicatorsRead < limits.maxIndicators else {
            full = true
            error(line: line, "more than \(limits.maxIndicators) indicators: the rest of the file is not read")
            return false
        }
        report.indicatorsRead += 1
        return true
    }

    mutating func add(_ indicator: Indicator) {
        indicators.append(indicator)
        report.indicatorsImported += 1
    }

    /// A domain condition on the TLS server name, DNS queries and HTTP host.
    func domainCondition(_ raw: String) -> ImportCondition? {
        var name = raw.lowercased()
        var mode = domains == .suffix ? ImportMode.suffix : .exact
        if name.hasPrefix("*.") { name.removeFirst(2); mode = .suffix } else if name.hasPrefix(".") { name.removeFirst(); mode = .suffix }
        while name.hasSuffix(".") { name.removeLast() }
        guard isDomainName(name) else { return nil }
        return .field([.tlsSNI, .dnsQueryName, .httpHost], mode, [name])
    }
}

/// Letters, digits, `-`, `_` and dots between labels; at most 253 bytes (IDNs as `xn--`).
func isDomainName(_ name: String) -> Bool {
    let b = Array(name.utf8)
    guard (1...253).contains(b.count), b.first != UInt8(ascii: "."), b.last != UInt8(ascii: ".") else { return false }
    var label = 0
    for c in b {
        if c == UInt8(ascii: ".") {
            if label == 0 { return false }
            label = 0
            continue
        }
        guard (97...122).contains(c) || (48...57).contains(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: "_") else { return false }
        label += 1
        if label > 63 { return false }
    }
    return true
}

/// An address or a prefix (`203.0.113.7`, `2001:db8::/32`), normalised; nil when malformed.
func normalisedPrefix(_ text: String) -> String? {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard (1...2).contains(parts.count), !parts[0].isEmpty else { return nil }
    let address = String(parts[0])
    let isV6 = address.contains(":")
    if isV6 {
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, address, &v6) == 1 else { return nil }
    } else {
        var v4 = in_addr()
        guard address.split(separator: ".").count == 4, inet_pton(AF_INET, address, &v4) == 1 else { return nil }
    }
    if parts.count == 2 {
        guard let length = Int(parts[1]), length >= 0, length <= (isV6 ? 128 : 32), parts[1].allSatisfy(\.isASCII) else { return nil }
    }
    return text.lowercased()
}

/// Lower-case hex of `count` digits, or nil.
func normalisedHex(_ text: String, count: Int) -> String? {
    let lower = text.lowercased().replacingOccurrences(of: ":", with: "")
    guard lower.utf8.count == count, lower.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else { return nil }
    return lower
}

/// A JA4+ fingerprint: ASCII letters, digits, `_` and `-` (JA4T), at most 256 bytes.
func normalisedFingerprint(_ text: String) -> String? {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    guard (8...256).contains(trimmed.utf8.count),
          trimmed.utf8.allSatisfy({ (97...122).contains($0) || (65...90).contains($0) || (48...57).contains($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") })
    else { return nil }
    return trimmed
}

/// The field a JA4+ type name (`JA4`, `JA4S`, …) is matched on; nil for types flows do not carry.
func ja4Field(_ type: String) -> Field? {
    switch type.lowercased() {
    case "ja4": .tlsJA4
    case "ja4s": .tlsJA4S
    case "ja4h": .httpJA4H
    case "ja4x": .tlsCertificateJA4X
    case "ja4t": .tcpJA4T
    case "ja4ts": .tcpJA4TS
    case "ja4ssh": .sshJA4SSH
    default: nil
    }
}

// MARK: Reading input

/// Bounded reading of a hostile input file.
enum InputFile {
    /// The bytes of a regular file of at most `limit` bytes.
    static func read(_ path: String, limit: Int) throws(ImportFailure) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw ImportFailure("\(path): error: no such file") }
        guard !isDirectory.boolValue else { throw ImportFailure("\(path): error: is a folder, not a file") }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ImportFailure("\(path): error: cannot open (check its permissions)") }
        defer { try? handle.close() }
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > limit {
            throw ImportFailure("\(path): error: file is \(size) bytes, more than the limit of \(limit) (split it)")
        }
        var bytes = [UInt8]()
        while true {
            let chunk: Data?
            do { chunk = try handle.read(upToCount: 1 << 20) } catch { throw ImportFailure("\(path): error: read failed: \(error.localizedDescription)") }
            guard let chunk, !chunk.isEmpty else { break }
            bytes += chunk
            // The file may grow while read: the limit holds for what is read.
            guard bytes.count <= limit else { throw ImportFailure("\(path): error: file is larger than the limit of \(limit) bytes (split it)") }
        }
        return bytes
    }

    /// Refuses UTF-16/32 (byte order marks) and drops a UTF-8 BOM.
    static func stripBOM(_ bytes: [UInt8], file: String) throws(ImportFailure) -> ArraySlice<UInt8> {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return bytes.dropFirst(3) }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            throw ImportFailure("\(file):1:1: error: the file is UTF-16 (byte order mark); convert it to UTF-8 (iconv -f UTF-16 -t UTF-8)")
        }
        return bytes[...]
    }

    /// Offset of the first byte that is not valid UTF-8, or nil.
    static func invalidUTF8Offset<C: Collection>(_ bytes: C) -> Int? where C.Element == UInt8, C.Index == Int {
        var i = bytes.startIndex
        let end = bytes.endIndex
        while i < end {
            let c = bytes[i]
            let n: Int
            switch c {
            case 0x00...0x7F: i += 1; continue
            case 0xC2...0xDF: n = 1
            case 0xE0...0xEF: n = 2
            case 0xF0...0xF4: n = 3
            default: return i - bytes.startIndex
            }
            guard end - i > n else { return i - bytes.startIndex }
            for k in 1...n where bytes[i + k] & 0xC0 != 0x80 { return i - bytes.startIndex }
            let c1 = bytes[i + 1]
            if (c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F) || (c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 > 0x8F) {
                return i - bytes.startIndex
            }
            i += n + 1
        }
        return nil
    }

    /// The lines of a line-based format (LF or CRLF), as text; lines that are too long,
    /// not UTF-8 or hold NUL bytes are reported and left out.
    static func lines(_ bytes: [UInt8], sink: inout ImportSink) throws(ImportFailure) -> [(number: Int, text: String)] {
        let body = try stripBOM(bytes, file: sink.file)
        var out = [(number: Int, text: String)]()
        var number = 0
        var start = body.startIndex
        while start < body.endIndex {
            number += 1
            let newline = body[start...].firstIndex(of: 0x0A) ?? body.endIndex
            var end = newline
            if end > start && body[end - 1] == 0x0D { end -= 1 }
            let line = body[start..<end]
            start = newline == body.endIndex ? newline : newline + 1
            if line.count > sink.limits.maxLineBytes {
                sink.error(line: number, "line of \(line.count) bytes, more than the limit of \(sink.limits.maxLineBytes): skipped")
                continue
            }
            if let offset = invalidUTF8Offset(line) {
                sink.error(line: number, column: offset + 1, "not valid UTF-8 (binary data, or another encoding): line skipped; convert the file to UTF-8")
                continue
            }
            if let nul = line.firstIndex(of: 0) {
                sink.error(line: number, column: nul - line.startIndex + 1, "NUL byte (binary data): line skipped")
                continue
            }
            out.append((number, String(decoding: line, as: UTF8.self)))
        }
        return out
    }
}

/// Bounded JSON: UTF-8 and nesting depth checked before Foundation parses it; the
/// lines of the UUIDs it holds are found by one scan, for provenance.
struct JSONInput {
    let value: Any
    /// Line of the first occurrence of each UUID (lower case) in the text.
    let uuidLines: [String: Int]

    static func parse(_ bytes: [UInt8], file: String, limits: ImportLimits) throws(ImportFailure) -> JSONInput {
        let body = try InputFile.stripBOM(bytes, file: file)
        if let offset = InputFile.invalidUTF8Offset(body) {
            let (line, column) = place(of: body.startIndex + offset, in: body)
            throw ImportFailure("\(file):\(line):\(column): error: not valid UTF-8 (binary data, or another encoding); convert the file to UTF-8")
        }
        // Depth, outside strings.
        var depth = 0, inString = false, escaped = false
        var uuidLines = [String: Int]()
        var line = 1
        var i = body.startIndex
        while i < body.endIndex {
            let c = body[i]
            if c == 0x0A { line += 1 }
            if inString {
                if escaped { escaped = false } else if c == UInt8(ascii: "\\") { escaped = true } else if c == UInt8(ascii: "\"") { inString = false }
                // A UUID: 36 bytes 8-4-4-4-12 hex, starting here after '"' or '--'.
                if inString, isHex(c), i - body.startIndex >= 2,
                   body[i - 1] == UInt8(ascii: "\"") || (body[i - 1] == UInt8(ascii: "-") && body[i - 2] == UInt8(ascii: "-")) {
                    if body.endIndex - i >= 36, isUUID(body[i..<(i + 36)]) {
                        let key = String(decoding: body[i..<(i + 36)], as: UTF8.self).lowercased()
                        if uuidLines[key] == nil { uuidLines[key] = line }
                    }
                }
            } else {
                switch c {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                    if depth > limits.maxJSONDepth {
                        let (l, col) = place(of: i, in: body)
                        throw ImportFailure("\(file):\(l):\(col): error: JSON nested deeper than \(limits.maxJSONDepth) levels")
                    }
                case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
                default: break
                }
            }
            i += 1
        }
        let value: Any
        do {
            value = try JSONSerialization.jsonObject(with: Data(body))
        } catch {
            let text = ((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String) ?? "\(error)"
            var where_ = "\(line):1"
            if let range = text.range(of: "character "), let n = Int(text[range.upperBound...].prefix { $0.isNumber }) {
                let (l, c) = place(of: body.startIndex + min(n, body.count), in: body)
                where_ = "\(l):\(c)"
            }
            throw ImportFailure("\(file):\(where_): error: not valid JSON: \(text)" + (inString || depth > 0 ? " (the file looks truncated)" : ""))
        }
        return JSONInput(value: value, uuidLines: uuidLines)
    }

    /// The line of the first occurrence of a UUID (or of `type--uuid`), 0 if unknown.
    func line(of id: String?) -> Int {
        guard var id else { return 0 }
        if let range = id.range(of: "--") { id = String(id[range.upperBound...]) }
        return uuidLines[id.lowercased()] ?? 0
    }

    static func place(of index: Int, in body: ArraySlice<UInt8>) -> (line: Int, column: Int) {
        var line = 1, lineStart = body.startIndex
        for j in body.startIndex..<min(index, body.endIndex) where body[j] == 0x0A {
            line += 1
            lineStart = j + 1
        }
        return (line, index - lineStart + 1)
    }

    static func isHex(_ c: UInt8) -> Bool { (48...57).contains(c) || (97...102).contains(c) || (65...70).contains(c) }

    static func isUUID(_ b: ArraySlice<UInt8>) -> Bool {
        for (k, c) in b.enumerated() {
            if [8, 13, 18, 23].contains(k) { if c != UInt8(ascii: "-") { return false } } else if !isHex(c) { return false }
        }
        return true
    }
}

/// A JSON object's text member.
func text(_ object: [String: Any], _ key: String) -> String? {
    if let s = object[key] as? String { return s }
    if let n = object[key] as? NSNumber { return n.stringValue }
    return nil
}

// MARK: Entry point

/// `cipherscope rules import`: one source file to a new, unsigned, lint-clean pack.
public enum RuleImporter {
    /// Reads `inputPath` and writes a new pack at `packPath`; issues are in the report
    /// (and in the pack's `IMPORT-REPORT.txt`). Throws when there is nothing to write.
    public static func run(inputPath: String, packPath: String, options: ImportOptions) throws(ImportFailure) -> ImportReport {
        var sink = ImportSink(file: inputPath, options: options)
        let bytes = try InputFile.read(inputPath, limit: options.limits.maxFileBytes)
        switch options.format {
        case .zeekIntel: try ZeekIntelImport.read(bytes, into: &sink)
        case .suricata: try SuricataImport.read(bytes, into: &sink)
        case .ja4plusCSV: try JA4PlusCSVImport.read(bytes, into: &sink)
        case .misp: try MISPImport.read(JSONInput.parse(bytes, file: inputPath, limits: options.limits), into: &sink)
        case .stix: try STIXImport.read(JSONInput.parse(bytes, file: inputPath, limits: options.limits), into: &sink)
        }
        guard !sink.indicators.isEmpty else {
            throw ImportFailure("\(inputPath): error: nothing to import (\(sink.report.indicatorsRead) indicators read, \(sink.report.issues.count) issues); no pack written",
                                report: sink.report)
        }
        return try PackWriter.write(sink: sink, packPath: packPath, options: options)
    }
}
