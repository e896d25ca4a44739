import Rules
import Schema

/// Zeek Intel framework file (TSV): DOMAIN for exact names (and the apex of
/// suffixes), ADDR/SUBNET for addresses. `meta.source` is the pack id.
public enum ZeekIntelExport {
    public static func export(_ packs: [RulePack]) -> ExportResult {
        var result = ExportResult(format: .zeekIntel)
        var order: [String] = []
        var lines: [String: (type: String, source: String, desc: [String], url: String)] = [:]
        func add(_ rule: Rule, _ c: FieldCondition, _ field: Field, _ value: String, _ type: String) {
            let key = type + "\t" + value
            let desc = "\(rule.platform) \(rule.service.rawValue): \(rule.name) rev \(rule.rev) tlp \(rule.tlp.rawValue)"
            if var line = lines[key] {
                if !line.desc.contains(desc) { line.desc.append(desc) }
                lines[key] = line
            } else {
                order.append(key)
                let url = rule.references.first { $0.hasPrefix("https://") || $0.hasPrefix("http://") } ?? "-"
                lines[key] = (type, rule.pack.id, [desc], url)
            }
            result.exported.append(ExportedIndicator(ruleID: rule.id, ruleName: rule.name,
                                                     values: [ExportedValue(field: field, mode: c.mode, value: value)],
                                                     exported: "\(value)\t\(type)"))
        }
        for (rule, c) in singleConditions(packs, into: &result) {
            let field = Field(ruleName: c.field)
            let atom = Atom.field(c)
            if let field, observedDomainFields.contains(field), case .text(let values) = c.values, c.mode == .exact || c.mode == .suffix {
                for value in values { add(rule, c, field, value, "Intel::DOMAIN") }
                if c.mode == .suffix {
                    result.unexpressed.append(unexpressed(rule, [atom], "subdomains: Intel::DOMAIN matches the name exactly (only the names themselves are exported)"))
                }
            } else if let field, field == .srcIP || field == .dstIP || field == .anyIP, case .prefixes(let prefixes) = c.values {
                for prefix in prefixes {
                    let address = addressText(prefix)
                    add(rule, c, field, address.text, address.host ? "Intel::ADDR" : "Intel::SUBNET")
                }
            } else if field == .tlsCertificateSHA256 {
                result.unexpressed.append(unexpressed(rule, [atom], "Intel::CERT_HASH is the certificate's SHA-1; the pack has SHA-256"))
            } else if field == .tlsJA3 || field == .tlsJA4 {
                result.unexpressed.append(unexpressed(rule, [atom], "no JA3/JA4 indicator type in Zeek's base Intel framework (needs a package's Intel::JA3)"))
            } else {
                result.unexpressed.append(unexpressed(rule, [atom], "no Zeek Intel indicator type for \(c.field) \(c.mode.rawValue)"))
            }
        }
        var text = "#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\tmeta.url\n"
        for key in order {
            let line = lines[key]!
            let value = String(key[key.index(after: key.firstIndex(of: "\t")!)...])
            text += [value, line.type, line.source, oneLine(line.desc.joined(separator: "; ")), oneLine(line.url)].joined(separator: "\t") + "\n"
        }
        result.units = order.count
        let packList = packs.map { "\($0.manifest.id) \($0.manifest.version) (tlp \($0.manifest.tlp.rawValue))" }.joined(separator: ", ")
        // Zeek's input reader skips '#' lines other than '#fields' before the header.
        result.text = "# cipherscope rules export --to zeek-intel: \(packList); \(order.count) indicators\n"
            + result.commentBlock(prefix: "#") + text
        return result
    }
}
