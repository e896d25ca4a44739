/// Zeek Intel framework files: TAB-separated, `#fields indicator indicator_type meta.source …`.
///
/// `Intel::DOMAIN` → `tls.sni`, `dns.queries`, `http.host` (exact, or suffix with
/// `--domains suffix` or a `*.`/`.` prefix); `Intel::ADDR`, `Intel::SUBNET` → `any_ip`
/// cidr; `Intel::URL` → `http.host` exact and `http.target` exact; `Intel::JA3`
/// (salesforce/ja3 package) → `tls.ja3`; `Intel::JA4` (site scripts) → `tls.ja4`.
/// `CERT_HASH` (SHA-1; flows carry SHA-256), `PUBKEY_HASH`, `SOFTWARE`, `EMAIL`,
/// `USER_NAME`, `FILE_HASH`, `FILE_NAME` are reported as unsupported.
enum ZeekIntelImport {
    static func read(_ bytes: [UInt8], into sink: inout ImportSink) throws(ImportFailure) {
        var columns: [String]? = nil
        var separator: Character = "\t"
        for (number, rawLine) in try InputFile.lines(bytes, sink: &sink) {
            if sink.full { break }
            let line = rawLine
            if line.hasPrefix("#") {
                if line.hasPrefix("#separator") {
                    let value = line.dropFirst("#separator".count).trimmingCharacters(in: .whitespaces)
                    if value == "\\x09" || value.isEmpty { separator = "\t" } else if value == "\\x20" || value == " " { separator = " " } else if value == "," || value == "\\x2c" {
                        separator = ","
                    } else {
                        sink.error(line: number, "separator '\(value)' is not supported (TAB, space or comma): using TAB")
                    }
                } else if line.hasPrefix("#fields") {
                    let names = line.split(separator: separator, omittingEmptySubsequences: true).dropFirst().map { $0.trimmingCharacters(in: .whitespaces) }
                    guard names.contains("indicator"), names.contains("indicator_type") else {
                        sink.error(line: number, "the #fields header lacks 'indicator' or 'indicator_type': header ignored")
                        continue
                    }
                    for name in names where !(name == "indicator" || name == "indicator_type" || name.hasPrefix("meta.")) {
                        sink.note(line: number, "column '\(name)' is not read")
                    }
                    columns = names
                }
                continue
            }
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            guard sink.countRead(line: number) else { break }
            if columns == nil {
                sink.error(line: number, "data before a '#fields' header: assuming 'indicator indicator_type meta.source'")
                columns = ["indicator", "indicator_type", "meta.source"]
            }
            let names = columns!
            let cells = line.split(separator: separator, omittingEmptySubsequences: false).map(String.init)
            guard cells.count == names.count else {
                sink.error(line: number, "\(cells.count) fields where the #fields header names \(names.count) (TAB-separated): line skipped")
                continue
            }
            var record = [String: String]()
            var offsets = [String: Int]()
            var offset = 1
            for (name, cell) in zip(names, cells) {
                let value = cell.trimmingCharacters(in: .whitespaces)
                if value != "-" && !value.isEmpty { record[name] = value }
                offsets[name] = offset
                offset += cell.utf8.count + 1
            }
            guard let indicator = record["indicator"] else { sink.error(line: number, column: offsets["indicator"] ?? 1, "empty indicator: line skipped"); continue }
            guard let type = record["indicator_type"] else { sink.error(line: number, column: offsets["indicator_type"] ?? 1, "empty indicator_type: line skipped"); continue }
            let typeColumn = offsets["indicator_type"] ?? 1, valueColumn = offsets["indicator"] ?? 1
            let shortType = type.hasPrefix("Intel::") ? String(type.dropFirst(7)) : type
            var references = ["\(sink.sourceName):\(number) (Zeek Intel \(type))"]
            for key in ["meta.source", "meta.desc", "meta.url"] { if let v = record[key] { references.append("\(key): \(v)") } }
            let description = record["meta.desc"]
            let condition: ImportCondition
            var hint = indicator
            switch shortType {
            case "DOMAIN":
                guard let c = sink.domainCondition(indicator) else {
                    sink.error(line: number, column: valueColumn, "'\(indicator)' is not a domain name: line skipped"); continue
                }
                condition = c
            case "ADDR", "SUBNET":
                guard let prefix = normalisedPrefix(indicator), shortType == "SUBNET" || !indicator.contains("/") else {
                    sink.error(line: number, column: valueColumn, "'\(indicator)' is not an \(shortType == "ADDR" ? "address" : "address prefix"): line skipped"); continue
                }
                condition = .field([.anyIP], .cidr, [prefix])
            case "URL":
                var url = indicator
                for scheme in ["http://", "https://"] where url.lowercased().hasPrefix(scheme) { url.removeFirst(scheme.count) }
                let host = String(url.prefix { $0 != "/" }).lowercased()
                let target = String(url.dropFirst(host.count))
                guard isDomainName(host) || normalisedPrefix(host) != nil else {
                    sink.error(line: number, column: valueColumn, "URL '\(indicator)' has no host name: line skipped"); continue
                }
                condition = target.isEmpty || target == "/"
                    ? .field([.httpHost], .exact, [host])
                    : .all([.field([.httpHost], .exact, [host]), .field([.httpTarget], .exact, [target])])
                hint = "url-" + host
            case "JA3":
                guard let hash = normalisedHex(indicator, count: 32) else { sink.error(line: number, column: valueColumn, "'\(indicator)' is not a JA3 MD5: line skipped"); continue }
                condition = .field([.tlsJA3], .exact, [hash])
                hint = "ja3-" + hash
            case "JA4":
                guard let fingerprint = normalisedFingerprint(indicator) else { sink.error(line: number, column: valueColumn, "'\(indicator)' is not a JA4 fingerprint: line skipped"); continue }
                condition = .field([.tlsJA4], .exact, [fingerprint])
                hint = "ja4-" + fingerprint
            case "CERT_HASH":
                sink.unsupported(line: number, column: typeColumn, "Intel::CERT_HASH is a certificate SHA-1; flows carry the certificate's SHA-256: not expressible, skipped")
                continue
            case "PUBKEY_HASH", "SOFTWARE", "EMAIL", "USER_NAME", "FILE_HASH", "FILE_NAME":
                sink.unsupported(line: number, column: typeColumn, "Intel::\(shortType) has no flow field to match: skipped")
                continue
            default:
                sink.error(line: number, column: typeColumn, "unknown indicator_type '\(type)': line skipped")
                continue
            }
            sink.add(Indicator(condition: condition, title: "\(shortType.lowercased()) \(indicator) (Zeek Intel)", description: description,
                               references: references, line: number, sourceID: nil, nameHint: hint))
        }
    }
}
