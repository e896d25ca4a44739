import Rules
import Schema

/// Suricata rules: one per line (`\` continues a line), `#` comments.
///
/// Sticky buffers followed by `content`: `tls.sni`, `quic.sni` → `tls.sni`;
/// `dns.query` → `dns.queries`; `http.host` → `http.host`; `ja3.hash`, `ja3s.hash`,
/// `ja4.hash` → `tls.ja3`, `tls.ja3s`, `tls.ja4`; `tls.cert_subject`,
/// `tls.cert_issuer` → `tls.certificates.subject`/`.issuer`; `http.user_agent`.
/// The mode follows the content's anchors: `startswith`+`endswith` or `bsize` of
/// its length → exact; `dotprefix` or a leading `.` with `endswith` on a domain →
/// suffix; `startswith` → prefix; `endswith` → suffix; a whole JA3/JA4 hash → exact;
/// else contains. Header addresses and ports (`->`: source is the client; `<>`:
/// either end) become `src_ip`/`dst_ip`/`any_ip` cidr and port conditions, `tcp`/`udp`
/// the `proto`. `msg` → title; `sid`, `rev`, `reference` → references; `metadata`
/// `tlp`/`confidence` → marking and confidence; `classtype` → tag. A rule with any
/// other keyword (`pcre`, negated content, `flowbits`, `byte_test`, …), variables
/// other than `any`/`$HOME_NET`/`$EXTERNAL_NET`, or only ports is reported whole:
/// dropping a condition would make a broader rule.
enum SuricataImport {
    static func read(_ bytes: [UInt8], into sink: inout ImportSink) throws(ImportFailure) {
        var pending = "", pendingLine = 0
        for (number, line) in try InputFile.lines(bytes, sink: &sink) {
            if sink.full { break }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if pending.isEmpty && (trimmed.isEmpty || trimmed.hasPrefix("#")) { continue }
            if pending.isEmpty { pendingLine = number }
            if trimmed.hasSuffix("\\") {
                pending += trimmed.dropLast() + " "
                if pending.utf8.count > sink.limits.maxLineBytes {
                    sink.error(line: pendingLine, "continued rule longer than \(sink.limits.maxLineBytes) bytes: skipped")
                    pending = ""
                }
                continue
            }
            let rule = pending + trimmed
            pending = ""
            guard sink.countRead(line: pendingLine) else { break }
            if let indicator = parseRule(rule, line: pendingLine, into: &sink) { sink.add(indicator) }
        }
        if !pending.isEmpty { sink.error(line: pendingLine, "the file ends inside a continued rule ('\\' at the end of the last line): skipped") }
    }

    static let bufferAliases = ["tls_sni": "tls.sni", "dns_query": "dns.query", "ja3_hash": "ja3.hash", "ja3s_hash": "ja3s.hash",
                                "tls_cert_subject": "tls.cert_subject", "tls_cert_issuer": "tls.cert_issuer"]

    static let ignored: Set<String> = ["flow", "fast_pattern", "requires", "priority", "target", "threshold", "detection_filter", "gid", "noalert_never"]

    struct Content {
        var buffer: String
        var value: String
        var column: Int
        var startsWith = false, endsWith = false, dotPrefix = false, nocase = false
        var bsize: Int? = nil
    }

    /// One rule; nil (with the reason reported) when it cannot be expressed.
    static func parseRule(_ text: String, line: Int, into sink: inout ImportSink) -> Indicator? {
        guard let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")"), open < close else {
            sink.error(line: line, "not a rule: expected 'action proto src sport -> dst dport (options)': skipped"); return nil
        }
        let header = text[..<open].split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard header.count == 7, ["->", "<>"].contains(header[4]) else {
            sink.error(line: line, column: 1, "header must be 'action proto src sport -> dst dport': skipped"); return nil
        }
        let action = header[0].lowercased()
        guard ["alert", "drop", "reject", "rejectsrc", "rejectdst", "rejectboth"].contains(action) else {
            sink.unsupported(line: line, column: 1, "action '\(header[0])' (pass and config rules do not label traffic): skipped"); return nil
        }
        let optionsStart = text.utf8.distance(from: text.utf8.startIndex, to: open) + 2
        guard let options = splitOptions(String(text[text.index(after: open)..<close]), column: optionsStart) else {
            sink.error(line: line, column: optionsStart, "unbalanced quotes in the options: skipped"); return nil
        }
        var title = "Suricata rule", sid: String? = nil, rev: String? = nil
        var references = [String](), tags = [String]()
        var tlp: TLP? = nil, confidence = Confidence.medium, platform: String? = nil, service = Service.infrastructure
        var buffer: String? = nil
        var contents = [Content]()
        func refuse(_ column: Int, _ message: String) -> Indicator? {
            sink.unsupported(line: line, column: column, "\(sid.map { "sid \($0): " } ?? "")\(message): rule skipped")
            return nil
        }
        // sid first, for the messages.
        for option in options where option.key == "sid" { sid = option.value }
        for option in options {
            let key = option.key, value = option.value
            switch key {
            case "msg": title = unquote(value)
            case "sid": break
            case "rev": rev = value
            case "reference": references.append(value.replacingOccurrences(of: ",", with: ": ", options: [], range: value.range(of: ",")))
            case "classtype": tags.append(value)
            case "metadata":
                for entry in value.split(separator: ",") {
                    let parts = entry.trimmingCharacters(in: .whitespaces).split(separator: " ", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
                    guard parts.count == 2 else { continue }
                    switch parts[0].lowercased() {
                    case "tlp": if let t = TLP(marking: parts[1]) { tlp = t } else { sink.error(line: line, column: option.column, "unknown TLP '\(parts[1])' in metadata: ignored") }
                    case "confidence": if let c = Confidence(rawValue: parts[1].lowercased()) { confidence = c }
                    // cipherscope's own export names the rule's label.
                    case "platform": platform = parts[1]
                    case "service": if let s = Service(rawValue: parts[1]) { service = s }
                    default: break
                    }
                }
            case "tls.sni", "tls_sni", "quic.sni", "dns.query", "dns_query", "http.host", "ja3.hash", "ja3_hash", "ja3s.hash", "ja3s_hash", "ja4.hash",
                 "tls.cert_subject", "tls_cert_subject", "tls.cert_issuer", "tls_cert_issuer", "http.user_agent":
                buffer = bufferAliases[key] ?? key
            case "content":
                guard let buffer else { return refuse(option.column, "content on the packet payload (no sticky buffer cipherscope reads)") }
                guard !value.hasPrefix("!") else { return refuse(option.column, "negated content") }
                guard let decoded = decodeContent(unquote(value)) else { return refuse(option.column, "content with binary bytes") }
                contents.append(Content(buffer: buffer, value: decoded, column: option.column))
            case "nocase", "startswith", "endswith", "dotprefix", "bsize", "isdataat":
                guard !contents.isEmpty || key == "dotprefix" || key == "bsize" else { return refuse(option.column, "'\(key)' before any content") }
                switch key {
                case "nocase": contents[contents.count - 1].nocase = true
                case "startswith": contents[contents.count - 1].startsWith = true
                case "endswith": contents[contents.count - 1].endsWith = true
                case "isdataat":
                    guard value.replacingOccurrences(of: " ", with: "") == "!1,relative" else { return refuse(option.column, "isdataat:\(value)") }
                    contents[contents.count - 1].endsWith = true
                case "dotprefix": if !contents.isEmpty { contents[contents.count - 1].dotPrefix = true }
                default:
                    guard let n = Int(value.trimmingCharacters(in: .whitespaces)), !contents.isEmpty else { return refuse(option.column, "bsize:\(value)") }
                    contents[contents.count - 1].bsize = n
                }
            default:
                if ignored.contains(key) { continue }
                return refuse(option.column, "keyword '\(key)' is not supported")
            }
        }
        var conditions = [ImportCondition]()
        // Header: protocol, addresses, ports.
        let proto = header[1].lowercased()
        let either = header[4] == "<>"
        for (spec, field) in [(header[2], Field.srcIP), (header[5], Field.dstIP)] {
            switch addresses(spec) {
            case .failure(let message): return refuse(0, "address '\(spec)': \(message)")
            case .success(let list): if let list { conditions.append(.field([either ? .anyIP : field], .cidr, list)) }
            }
        }
        let hasAddress = !conditions.isEmpty
        var ports = [ImportCondition]()
        for (spec, field) in [(header[3], Field.srcPort), (header[6], Field.dstPort)] {
            switch self.ports(spec) {
            case .failure(let message): return refuse(0, "port '\(spec)': \(message)")
            case .success(let list):
                guard let list else { continue }
                let f = either ? Field.anyPort : field
                let exact = list.filter { !$0.contains("-") }, ranges = list.filter { $0.contains("-") }
                var parts = [ImportCondition]()
                if !exact.isEmpty { parts.append(.field([f], .exact, exact)) }
                if !ranges.isEmpty { parts.append(.field([f], .range, ranges)) }
                ports.append(parts.count == 1 ? parts[0] : .any(parts))
            }
        }
        for content in contents {
            guard let c = condition(content) else { return refuse(content.column, "content on \(content.buffer) cannot be expressed") }
            if content.nocase, !isDomainBuffer(content.buffer), content.buffer != "ja3.hash", content.buffer != "ja3s.hash" {
                sink.note(line: line, column: content.column, "\(sid.map { "sid \($0): " } ?? "")'nocase' on \(content.buffer) not kept (cipherscope compares that field with case)")
            }
            conditions.append(c)
        }
        if contents.isEmpty && !hasAddress { return refuse(1, "nothing cipherscope can match: no address and no content on a supported buffer") }
        conditions += ports
        if ["tcp", "udp", "icmp"].contains(proto) { conditions.append(.field([.proto], .exact, [proto])) } else if contents.isEmpty, ["tls", "dns", "http", "quic", "ssh"].contains(proto) {
            conditions.append(.field([.appProto], .exact, [proto]))
        }
        var refs = ["\(sink.sourceName):\(line) (Suricata sid \(sid ?? "none")\(rev.map { " rev \($0)" } ?? ""))"]
        refs += references
        if sid == nil { sink.note(line: line, "rule without sid") }
        return Indicator(condition: conditions.count == 1 ? conditions[0] : .all(conditions), platform: platform, tlp: tlp,
                         confidence: confidence, service: service, title: title, description: nil, references: refs, tags: tags,
                         line: line, sourceID: sid.map { "sid:" + $0 }, nameHint: sid.map { "sid-" + $0 } ?? title)
    }

    static func isDomainBuffer(_ buffer: String) -> Bool { ["tls.sni", "quic.sni", "dns.query", "http.host"].contains(buffer) }

    static func condition(_ c: Content) -> ImportCondition? {
        let field: Field
        switch c.buffer {
        case "tls.sni", "quic.sni": field = .tlsSNI
        case "dns.query": field = .dnsQueryName
        case "http.host": field = .httpHost
        case "ja3.hash": field = .tlsJA3
        case "ja3s.hash": field = .tlsJA3S
        case "ja4.hash": field = .tlsJA4
        case "tls.cert_subject": field = .tlsCertificateSubject
        case "tls.cert_issuer": field = .tlsCertificateIssuer
        case "http.user_agent": field = .httpUserAgent
        default: return nil
        }
        var value = c.value
        let whole = (c.startsWith && c.endsWith) || c.bsize == value.utf8.count
        if isDomainBuffer(c.buffer) {
            value = value.lowercased()
            if whole, isDomainName(value) { return .field([field], .exact, [value]) }
            if c.endsWith, c.dotPrefix || value.hasPrefix(".") {
                let name = value.hasPrefix(".") ? String(value.dropFirst()) : value
                return isDomainName(name) ? .field([field], .suffix, [name]) : nil
            }
            if c.startsWith { return .field([field], .prefix, [value]) }
            if c.endsWith { return .field([field], .suffix, [value]) }
            return .field([field], .contains, [value])
        }
        if field == .tlsJA3 || field == .tlsJA3S {
            guard let hash = normalisedHex(value, count: 32) else { return c.startsWith ? .field([field], .prefix, [value.lowercased()]) : nil }
            return .field([field], .exact, [hash])
        }
        if field == .tlsJA4, value.utf8.count == 36, normalisedFingerprint(value) != nil { return .field([field], .exact, [value]) }
        if whole { return .field([field], .exact, [value]) }
        if c.startsWith { return .field([field], .prefix, [value]) }
        if c.endsWith { return .field([field], .suffix, [value]) }
        return .field([field], .contains, [value])
    }

    enum Parsed { case success([String]?), failure(String) }

    /// nil list: any address.
    static func addresses(_ spec: String) -> Parsed {
        if spec == "any" || spec == "$HOME_NET" || spec == "$EXTERNAL_NET" { return .success(nil) }
        if spec.hasPrefix("!") || spec.contains("!") { return .failure("negation is not supported") }
        if spec.hasPrefix("$") { return .failure("variables other than $HOME_NET and $EXTERNAL_NET are not known here") }
        let items = spec.hasPrefix("[") && spec.hasSuffix("]") ? spec.dropFirst().dropLast().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } : [spec]
        var out = [String]()
        for item in items {
            guard let prefix = normalisedPrefix(item) else { return .failure("'\(item)' is not an address or prefix") }
            out.append(prefix)
        }
        return out.isEmpty ? .failure("empty list") : .success(out)
    }

    /// nil list: any port; ranges as `a-b`.
    static func ports(_ spec: String) -> Parsed {
        if spec == "any" || spec.hasPrefix("$") && spec.hasSuffix("PORTS") { return .success(nil) }
        if spec.contains("!") { return .failure("negation is not supported") }
        let items = spec.hasPrefix("[") && spec.hasSuffix("]") ? spec.dropFirst().dropLast().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } : [spec]
        var out = [String]()
        for item in items {
            let parts = item.split(separator: ":", omittingEmptySubsequences: false)
            if parts.count == 1, let port = UInt16(item) { out.append(String(port)); continue }
            if parts.count == 2 {
                let low = parts[0].isEmpty ? 0 : UInt16(parts[0]), high = parts[1].isEmpty ? 65535 : UInt16(parts[1])
                if let low, let high, low <= high { out.append("\(low)-\(high)"); continue }
            }
            return .failure("'\(item)' is not a port or range")
        }
        return out.isEmpty ? .failure("empty list") : .success(out)
    }

    struct Option {
        var key: String
        var value: String
        var column: Int
    }

    /// `key: value;` pairs, with quotes and `\;` escapes; nil when quotes do not balance.
    static func splitOptions(_ text: String, column start: Int) -> [Option]? {
        var out = [Option]()
        var current = "", inQuote = false, escaped = false
        var column = start, optionColumn = start
        for c in text {
            column += c.utf8.count
            if escaped { current.append(c); escaped = false; continue }
            if c == "\\" { current.append(c); escaped = true; continue }
            if c == "\"" { inQuote.toggle(); current.append(c); continue }
            if c == ";" && !inQuote {
                let trimmed = current.trimmingCharacters(in: .whitespaces)
                if !trimmed.isEmpty {
                    if let colon = trimmed.firstIndex(of: ":") {
                        out.append(Option(key: trimmed[..<colon].trimmingCharacters(in: .whitespaces).lowercased(),
                                          value: trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces), column: optionColumn))
                    } else {
                        out.append(Option(key: trimmed.lowercased(), value: "", column: optionColumn))
                    }
                }
                current = ""
                optionColumn = column
                continue
            }
            if current.isEmpty && c == " " { optionColumn = column; continue }
            current.append(c)
        }
        guard !inQuote else { return nil }
        if !current.trimmingCharacters(in: .whitespaces).isEmpty { out.append(Option(key: current.trimmingCharacters(in: .whitespaces).lowercased(), value: "", column: optionColumn)) }
        return out
    }

    static func unquote(_ value: String) -> String {
        var v = value
        if v.hasPrefix("\""), v.hasSuffix("\""), v.count >= 2 { v = String(v.dropFirst().dropLast()) }
        var out = "", escaped = false
        for c in v {
            if escaped { out.append(c); escaped = false } else if c == "\\" { escaped = true } else { out.append(c) }
        }
        return out
    }

    /// Content text with `|hex|` runs decoded; nil when it holds bytes that are not printable ASCII or UTF-8 text.
    static func decodeContent(_ text: String) -> String? {
        var bytes = [UInt8]()
        let parts = text.split(separator: "|", omittingEmptySubsequences: false)
        for (i, part) in parts.enumerated() {
            if i % 2 == 0 { bytes += Array(part.utf8); continue }
            for hex in part.split(separator: " ") {
                guard hex.count == 2, let b = UInt8(hex, radix: 16) else { return nil }
                bytes.append(b)
            }
        }
        guard parts.count % 2 == 1, bytes.allSatisfy({ $0 >= 0x20 && $0 != 0x7F }), let s = String(validating: bytes, as: UTF8.self) else { return nil }
        return s
    }
}
