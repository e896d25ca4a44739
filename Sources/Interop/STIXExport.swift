import Rules
import Schema

/// A STIX 2.1 bundle: the pack's organisation as identity, one indicator per
/// expressible value (STIX patterns; JA3/JA3S/JA4/HASSH as `pattern_type: suricata`),
/// the TLP marking definitions, ids as UUIDv5 of pack, rule and pattern (stable
/// across re-exports), and a note carrying `x_cipherscope_unexpressed`.
public enum STIXExport {
    /// The TLP 1.0 marking definitions predefined by STIX 2.1 (created 2017-01-20).
    static let tlp1: [TLP: (id: String, name: String, tlp: String)] = [
        .clear: ("marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", "TLP:WHITE", "white"),
        .green: ("marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", "TLP:GREEN", "green"),
        .amber: ("marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", "TLP:AMBER", "amber"),
        .red: ("marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", "TLP:RED", "red"),
    ]
    /// TLP 2.0 AMBER+STRICT (no TLP 1.0 equivalent), OASIS extension `tlp-2.0`.
    static let amberStrictID = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
    static let tlp2Extension = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

    static func markingID(_ tlp: TLP) -> String { tlp1[tlp]?.id ?? amberStrictID }

    static func markingObject(_ tlp: TLP) -> JSONValue {
        if let m = tlp1[tlp] {
            return .object([
                ("type", .string("marking-definition")), ("spec_version", .string("2.1")), ("id", .string(m.id)),
                ("created", .string("2017-01-20T00:00:00.000Z")), ("definition_type", .string("tlp")),
                ("name", .string(m.name)), ("definition", .object([("tlp", .string(m.tlp))])),
            ])
        }
        return .object([
            ("type", .string("marking-definition")), ("spec_version", .string("2.1")), ("id", .string(amberStrictID)),
            ("created", .string("2022-10-01T00:00:00.000Z")), ("name", .string("TLP:AMBER+STRICT")),
            ("extensions", .object([(tlp2Extension, .object([("extension_type", .string("property-extension")), ("tlp_2_0", .string("amber+strict"))]))])),
        ])
    }

    /// STIX string literal: `'` and `\` escaped.
    static func literal(_ text: String) -> String {
        var out = "'"
        for ch in text {
            if ch == "\\" || ch == "'" { out.append("\\") }
            out.append(ch)
        }
        return out + "'"
    }

    /// The comparison of one value in mode `mode` on object path `path`.
    static func comparison(_ path: String, _ mode: MatchMode, _ value: String, domain: Bool) -> String? {
        switch mode {
        case .exact: return "\(path) = \(literal(value))"
        case .suffix: return domain ? "\(path) = \(literal(value)) OR \(path) LIKE \(literal("%." + value))" : "\(path) LIKE \(literal("%" + value))"
        case .prefix: return "\(path) LIKE \(literal(value + "%"))"
        case .contains: return "\(path) LIKE \(literal("%" + value + "%"))"
        case .regex: return "\(path) MATCHES \(literal(value))"
        case .cidr, .range: return nil
        }
    }

    static let certificatePaths: [Field: String] = [
        .tlsCertificateSHA256: "x509-certificate:hashes.'SHA-256'",
        .tlsCertificateSubject: "x509-certificate:subject",
        .tlsCertificateIssuer: "x509-certificate:issuer",
        .tlsCertificateSerial: "x509-certificate:serial_number",
    ]
    static let suricataFields: Set<Field> = [.tlsJA3, .tlsJA3S, .tlsJA4, .sshHASSH, .sshHASSHServer]

    public static func export(_ packs: [RulePack], options: ExportOptions = ExportOptions()) -> ExportResult {
        var result = ExportResult(format: .stix)
        guard let first = packs.first else { return result }
        let organisation = first.manifest.organisation
        let identityID = "identity--" + UUIDv5.make("identity/\(organisation)")
        let created = timestamp(packs.map(\.manifest.created).min() ?? "")
        var objects: [JSONValue] = [.object([
            ("type", .string("identity")), ("spec_version", .string("2.1")), ("id", .string(identityID)),
            ("created", .string(created)), ("modified", .string(created)),
            ("name", .string(organisation)), ("identity_class", .string("organization")),
            ("description", .string(oneLine("Rule authors: " + Array(Set(packs.map(\.manifest.author))).sorted().joined(separator: "; ")))),
        ])]
        var markings = Set<TLP>()
        var indicators: [JSONValue] = []
        var seen = Set<String>()
        var sid = options.sidBase
        for (rule, c) in singleConditions(packs, into: &result) {
            let atom = Atom.field(c)
            guard let field = Field(ruleName: c.field) else { continue }
            var made: [(pattern: String, type: String, value: String)] = []
            if observedDomainFields.contains(field), case .text(let values) = c.values {
                for value in values { made.append(("[" + comparison("domain-name:value", c.mode, value, domain: true)! + "]", "stix", value)) }
            } else if observedDomainFields.contains(field), case .regexes(let regexes) = c.values {
                for r in regexes { made.append(("[" + comparison("domain-name:value", .regex, r.pattern, domain: true)! + "]", "stix", r.pattern)) }
            } else if field == .srcIP || field == .dstIP || field == .anyIP, case .prefixes(let prefixes) = c.values {
                for prefix in prefixes {
                    let address = addressText(prefix)
                    made.append(("[\(address.v6 ? "ipv6-addr" : "ipv4-addr"):value = \(literal(address.text))]", "stix", prefix.description))
                }
            } else if let path = certificatePaths[field], !(field == .tlsCertificateSHA256 && c.mode != .exact) {
                for value in valueTexts(c.values) {
                    made.append(("[" + comparison(path, c.mode, field == .tlsCertificateSHA256 ? value.lowercased() : value, domain: false)! + "]", "stix", value))
                }
            } else if suricataFields.contains(field), let buffer = SuricataExport.buffers[field] {
                for (index, value) in valueTexts(c.values).enumerated() {
                    let requires = buffer.requires.map { " requires: \($0);" } ?? ""
                    let msg = SuricataExport.sanitize("cipherscope \(rule.platform) \(rule.service.rawValue): \(rule.name)")
                    let text = "alert \(buffer.layers[0]) any any -> any any (msg:\"\(msg)\";\(requires) \(buffer.keyword); "
                        + SuricataExport.match(value, index: index, c: c, buffer: buffer) + " sid:\(sid); rev:\(rule.rev);)"
                    sid += 1
                    made.append((text, "suricata", value))
                }
            } else {
                result.unexpressed.append(unexpressed(rule, [atom], "no STIX Cyber-observable property for \(c.field) \(c.mode.rawValue)"))
                continue
            }
            for item in made {
                let key = "\(rule.pack.id)/\(rule.id)/\(item.pattern)"
                guard seen.insert(key).inserted else { continue }
                markings.insert(rule.tlp)
                let day = timestamp(rule.modified ?? rule.created ?? first.manifest.modified)
                let references: [JSONValue] = [.object([("source_name", .string("cipherscope")), ("external_id", .string(rule.id)),
                                                        ("description", .string("\(rule.pack.id) \(rule.pack.version): \(rule.name) rev \(rule.rev)"))])]
                    + rule.references.filter { $0.hasPrefix("https://") }.map { .object([("source_name", .string("reference")), ("url", .string($0))]) }
                var members: [(String, JSONValue)] = [
                    ("type", .string("indicator")), ("spec_version", .string("2.1")),
                    ("id", .string("indicator--" + UUIDv5.make("stix-indicator/" + key))),
                    ("created_by_ref", .string(identityID)),
                    ("created", .string(day)), ("modified", .string(day)),
                    ("name", .string(oneLine("\(rule.platform) \(rule.service.rawValue): \(rule.name)"))),
                    ("description", .string(oneLine(rule.title))),
                    ("indicator_types", .array([.string("attribution")])),
                    ("pattern", .string(item.pattern)),
                    ("pattern_type", .string(item.type)),
                ]
                if item.type == "stix" { members.append(("pattern_version", .string("2.1"))) }
                members += [
                    ("valid_from", .string(day)),
                    ("labels", .array([.string(rule.platform), .string(rule.service.rawValue)])),
                    ("confidence", .number(rule.confidence == .high ? 85 : rule.confidence == .medium ? 50 : 15)),
                    ("external_references", .array(references)),
                    ("object_marking_refs", .array([.string(markingID(rule.tlp))])),
                    ("x_cipherscope_rule", .object([("id", .string(rule.id)), ("name", .string(rule.name)), ("rev", .number(rule.rev)),
                                                    ("pack", .string(rule.pack.id)), ("platform", .string(rule.platform)),
                                                    ("service", .string(rule.service.rawValue)),
                                                    ("field", .string(c.field)), ("mode", .string(c.mode.rawValue))])),
                ]
                indicators.append(.object(members))
                result.exported.append(ExportedIndicator(ruleID: rule.id, ruleName: rule.name,
                                                         values: [ExportedValue(field: field, mode: c.mode, value: item.value)], exported: item.pattern))
                result.units += 1
            }
        }
        for tlp in TLP.allCases where markings.contains(tlp) { objects.append(markingObject(tlp)) }
        objects += indicators
        let unexpressedJSON: [JSONValue] = result.unexpressed.map {
            .object([("rule_id", .string($0.ruleID)), ("rule_name", .string($0.ruleName)), ("place", .string($0.place)),
                     ("condition", .string($0.condition)), ("reason", .string($0.reason))])
        }
        let ids = packs.map(\.manifest.id).joined(separator: ",")
        let packTLP = packs.map(\.manifest.tlp).max() ?? .clear
        if !markings.contains(packTLP) { objects.insert(markingObject(packTLP), at: 1) }
        objects.append(.object([
            ("type", .string("note")), ("spec_version", .string("2.1")),
            ("id", .string("note--" + UUIDv5.make("stix-note/" + ids))),
            ("created_by_ref", .string(identityID)),
            ("created", .string(created)), ("modified", .string(created)),
            ("abstract", .string("cipherscope: conditions not expressible in STIX")),
            ("content", .string("\(result.unexpressed.count) conditions of \(ids) have no STIX pattern; see x_cipherscope_unexpressed.")),
            ("object_refs", .array([.string(identityID)])),
            ("object_marking_refs", .array([.string(markingID(packTLP))])),
            ("x_cipherscope_unexpressed", .array(unexpressedJSON)),
        ]))
        let bundle: JSONValue = .object([
            ("type", .string("bundle")),
            ("id", .string("bundle--" + UUIDv5.make("stix-bundle/" + ids))),
            ("objects", .array(objects)),
        ])
        result.text = bundle.render() + "\n"
        return result
    }
}
