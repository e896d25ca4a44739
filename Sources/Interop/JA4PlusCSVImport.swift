import Rules
import Schema

/// JA4+ fingerprint tables: FoxIO's `ja4plus-mapping.csv`
/// (`Application,Library,Device,OS,ja4,ja4s,ja4h,ja4x,ja4t,ja4tscan,Notes`) and
/// JA4DB exports as CSV (`application, library, device, os, user_agent_string,
/// certificate_authority, observation_count, verified, notes, ja4_fingerprint,
/// ja4_fingerprint_string, ja4s_fingerprint, ja4h_fingerprint, ja4x_fingerprint,
/// ja4t_fingerprint, ja4ts_fingerprint, ja4tscan_fingerprint`); header names
/// without case, `_fingerprint` optional.
///
/// Each non-empty fingerprint cell of a row is one indicator for the row's
/// platform (`--platform`, else `application`, else `library`): `ja4` → `tls.ja4`,
/// `ja4s` → `tls.ja4s`, `ja4h` → `http.ja4h`, `ja4x` → `tls.certificates.ja4x`,
/// `ja4t` → `tcp.ja4t`, `ja4ts` → `tcp.ja4ts`, `ja4ssh` → `ssh.ja4ssh`. Confidence
/// medium when `verified` is true, else low. `ja4tscan` (active scans) and
/// `ja4_fingerprint_string` are reported, not imported; other columns are
/// descriptive (title, description).
enum JA4PlusCSVImport {
    static let fingerprintColumns = ["ja4", "ja4s", "ja4h", "ja4x", "ja4t", "ja4ts", "ja4ssh"]
    static let knownColumns: Set<String> = ["application", "library", "device", "os", "user_agent_string", "certificate_authority",
                                            "observation_count", "verified", "notes", "ja4_string", "ja4tscan", "id"]

    static func read(_ bytes: [UInt8], into sink: inout ImportSink) throws(ImportFailure) {
        var header: [String]? = nil
        for (number, line) in try InputFile.lines(bytes, sink: &sink) {
            if sink.full { break }
            if line.trimmingCharacters(in: .whitespaces).isEmpty || line.hasPrefix("#") { continue }
            guard let cells = splitCSV(line) else {
                sink.error(line: number, "unbalanced quotes (a quoted cell must close on its line): line skipped"); continue
            }
            guard let columns = header else {
                let names = cells.map { normalise($0) }
                guard names.contains(where: fingerprintColumns.contains) else {
                    throw ImportFailure("\(sink.file):\(number):1: error: the first line is not a header naming a JA4+ column (ja4, ja4s, ja4h, ja4x, ja4t, ja4ts or ja4_fingerprint, …)")
                }
                for (i, name) in names.enumerated() where !fingerprintColumns.contains(name) && !knownColumns.contains(name) {
                    sink.note(line: number, "column '\(cells[i])' is not read")
                }
                header = names
                continue
            }
            guard cells.count == columns.count else {
                sink.error(line: number, "\(cells.count) cells where the header has \(columns.count): line skipped"); continue
            }
            var row = [String: String]()
            for (name, cell) in zip(columns, cells) {
                let value = cell.trimmingCharacters(in: .whitespaces)
                if !["", "null", "none", "-", "n/a"].contains(value.lowercased()) { row[name] = value }
            }
            let application = row["application"] ?? row["library"]
            let verified = ["true", "1", "yes"].contains(row["verified"]?.lowercased() ?? "")
            let label = [row["application"], row["library"], row["device"], row["os"]].compactMap { $0 }.joined(separator: ", ")
            var any = false
            for name in columns {
                guard let value = row[name] else { continue }
                if name == "ja4tscan" || name == "ja4_string" {
                    guard sink.countRead(line: number) else { return }
                    any = true
                    sink.unsupported(line: number, "\(name) '\(value)' is not carried by flows: not imported"); continue
                }
                guard fingerprintColumns.contains(name), let field = ja4Field(name) else { continue }
                guard sink.countRead(line: number) else { return }
                any = true
                guard let fingerprint = normalisedFingerprint(value) else {
                    sink.error(line: number, "\(name) '\(value)' is not a JA4+ fingerprint: skipped"); continue
                }
                sink.add(Indicator(condition: .field([field], .exact, [fingerprint]), platform: application, confidence: verified ? .medium : .low,
                                   title: "\(name.uppercased()) of \(label.isEmpty ? "an unnamed application" : label)",
                                   description: [row["user_agent_string"].map { "user agent: \($0)" }, row["notes"]].compactMap { $0 }.joined(separator: "; ").nonEmpty,
                                   references: ["\(sink.sourceName):\(number) (JA4+ table row, column \(name))"], line: number,
                                   sourceID: nil, nameHint: name + "-" + fingerprint))
            }
            if !any { sink.error(line: number, "no fingerprint in the row: skipped") }
        }
        if header == nil { throw ImportFailure("\(sink.file): error: no header line (an empty file?)") }
    }

    /// `JA4_fingerprint` → `ja4`, `Application` → `application`.
    static func normalise(_ name: String) -> String {
        var n = name.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: " ", with: "_")
        if n.hasSuffix("_fingerprint") { n.removeLast("_fingerprint".count) }
        if n == "ja4_fingerprint_string" || n == "ja4_string" { return "ja4_string" }
        return n
    }

    /// RFC 4180 cells of one line; nil when a quote does not close.
    static func splitCSV(_ line: String) -> [String]? {
        var cells = [String](), current = "", inQuote = false, wasQuoted = false
        let chars = Array(line)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if inQuote {
                if c == "\"" {
                    if i + 1 < chars.count, chars[i + 1] == "\"" { current.append("\""); i += 2; continue }
                    inQuote = false
                } else {
                    current.append(c)
                }
            } else if c == "\"" && current.trimmingCharacters(in: .whitespaces).isEmpty && !wasQuoted {
                inQuote = true
                wasQuoted = true
                current = ""
            } else if c == "," {
                cells.append(current)
                current = ""
                wasQuoted = false
            } else {
                current.append(c)
            }
            i += 1
        }
        guard !inQuote else { return nil }
        cells.append(current)
        return cells
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
