import Rules
import Schema

/// A MISP event (JSON) with objects per the MISP object templates: `domain-ip`,
/// `network-connection`, `ja3`, `ja4-plus`, `x509`; TLP tags on the event (the most
/// restrictive pack marking) and on every attribute (its rule's marking).
public enum MISPExport {
    struct Template {
        var name: String
        var uuid: String
        var version: Int
    }

    static let domainIP = Template(name: "domain-ip", uuid: "43b3b146-77eb-4931-b4cc-b66c60f28734", version: 11)
    static let networkConnection = Template(name: "network-connection", uuid: "af16764b-f8e5-4603-9de1-de34d272f80b", version: 7)
    static let ja3 = Template(name: "ja3", uuid: "09b45449-5d6e-492c-a68a-cb2e188cbfac", version: 4)
    static let ja4Plus = Template(name: "ja4-plus", uuid: "2c15c75e-e7db-4b62-8d17-633e7571818f", version: 2)
    static let x509 = Template(name: "x509", uuid: "d1ab756a-26b5-4349-9f43-765630f0911c", version: 14)

    /// JA4+ fields and their `ja4-type` value.
    static let ja4Types: [Field: String] = [
        .tlsJA4: "JA4", .tlsJA4S: "JA4S", .httpJA4H: "JA4H", .tlsCertificateJA4X: "JA4X",
        .sshJA4SSH: "JA4SSH", .tcpJA4T: "JA4T", .tcpJA4TS: "JA4TS",
    ]

    public static func export(_ packs: [RulePack]) -> ExportResult {
        var result = ExportResult(format: .misp)
        var objects: [JSONValue] = []

        struct Attr {
            var relation: String
            var type: String
            var value: String
            var category: String?
        }
        func object(_ template: Template, _ rule: Rule, _ key: String, _ attrs: [Attr]) -> JSONValue {
            let uuid = UUIDv5.make("misp-object/\(rule.pack.id)/\(rule.id)/\(template.name)/\(key)")
            let attributes: [JSONValue] = attrs.map { a in
                var members: [(String, JSONValue)] = [
                    ("uuid", .string(UUIDv5.make("misp-attribute/\(uuid)/\(a.relation)/\(a.value)"))),
                    ("object_relation", .string(a.relation)),
                    ("type", .string(a.type)),
                ]
                if let category = a.category { members.append(("category", .string(category))) }
                members += [
                    ("value", .string(a.value)),
                    ("to_ids", .bool(a.type != "text")),
                    ("disable_correlation", .bool(false)),
                    ("distribution", .string("5")),
                    ("comment", .string("cipherscope rule \(rule.name) rev \(rule.rev)")),
                    ("Tag", .array([.object([("name", .string(tag(rule.tlp)))])])),
                ]
                return .object(members)
            }
            result.units += 1
            return .object([
                ("name", .string(template.name)),
                ("meta-category", .string("network")),
                ("template_uuid", .string(template.uuid)),
                ("template_version", .string(String(template.version))),
                ("uuid", .string(uuid)),
                ("distribution", .string("5")),
                ("sharing_group_id", .string("0")),
                ("comment", .string(oneLine("\(rule.platform) \(rule.service.rawValue): \(rule.name) rev \(rule.rev) (\(rule.pack.id) \(rule.pack.version)) — \(rule.title)"))),
                ("Attribute", .array(attributes)),
            ])
        }
        func exported(_ rule: Rule, _ c: FieldCondition, _ field: Field, _ value: String, _ what: String) {
            result.exported.append(ExportedIndicator(ruleID: rule.id, ruleName: rule.name,
                                                     values: [ExportedValue(field: field, mode: c.mode, value: value)], exported: what))
        }

        // Per rule: one domain-ip object gathering its names and either-end addresses.
        var domainAttrs: [String: [Attr]] = [:]
        var ruleOrder: [Rule] = []
        for (rule, c) in singleConditions(packs, into: &result) {
            let atom = Atom.field(c)
            guard let field = Field(ruleName: c.field) else { continue }
            if !ruleOrder.contains(where: { $0.id == rule.id }) { ruleOrder.append(rule) }
            let values = valueTexts(c.values)
            if observedDomainFields.contains(field), c.mode == .exact || c.mode == .suffix {
                for value in values where !(domainAttrs[rule.id] ?? []).contains(where: { $0.value == value }) {
                    domainAttrs[rule.id, default: []].append(Attr(relation: "domain", type: "domain", value: value, category: "Network activity"))
                    exported(rule, c, field, value, "domain-ip/domain \(value)")
                }
                if c.mode == .suffix {
                    result.unexpressed.append(unexpressed(rule, [atom], "subdomains: a MISP domain attribute is one name (only the names themselves are exported)"))
                }
            } else if field == .anyIP, case .prefixes(let prefixes) = c.values {
                for prefix in prefixes {
                    let text = addressText(prefix).text
                    domainAttrs[rule.id, default: []].append(Attr(relation: "ip", type: "ip-dst", value: text, category: "Network activity"))
                    exported(rule, c, field, prefix.description, "domain-ip/ip \(text)")
                }
            } else if field == .srcIP || field == .dstIP, case .prefixes(let prefixes) = c.values {
                let relation = field == .srcIP ? "ip-src" : "ip-dst"
                for prefix in prefixes {
                    let text = addressText(prefix).text
                    objects.append(object(networkConnection, rule, "\(relation)/\(text)",
                                          [Attr(relation: relation, type: relation, value: text, category: "Network activity")]))
                    exported(rule, c, field, prefix.description, "network-connection/\(relation) \(text)")
                }
            } else if field == .tlsJA3, c.mode == .exact {
                for value in values {
                    objects.append(object(ja3, rule, value, [
                        Attr(relation: "ja3-fingerprint-md5", type: "ja3-fingerprint-md5", value: value),
                        Attr(relation: "description", type: "text", value: oneLine("\(rule.platform) \(rule.service.rawValue): \(rule.title)")),
                    ]))
                    exported(rule, c, field, value, "ja3/ja3-fingerprint-md5 \(value)")
                }
            } else if let type = ja4Types[field], c.mode == .exact {
                for value in values {
                    objects.append(object(ja4Plus, rule, type + "/" + value, [
                        Attr(relation: "ja4-fingerprint", type: "text", value: value),
                        Attr(relation: "ja4-type", type: "text", value: type),
                        Attr(relation: "description", type: "text", value: oneLine("\(rule.platform) \(rule.service.rawValue): \(rule.title)")),
                    ]))
                    exported(rule, c, field, value, "ja4-plus/\(type) \(value)")
                }
            } else if field == .tlsCertificateSHA256 || field == .tlsCertificateIssuer || field == .tlsCertificateSerial, c.mode == .exact {
                let relation = field == .tlsCertificateSHA256 ? "x509-fingerprint-sha256" : field == .tlsCertificateIssuer ? "issuer" : "serial-number"
                let type = field == .tlsCertificateSHA256 ? "x509-fingerprint-sha256" : "text"
                for value in values {
                    objects.append(object(x509, rule, relation + "/" + value, [Attr(relation: relation, type: type, value: value)]))
                    exported(rule, c, field, value, "x509/\(relation) \(value)")
                }
            } else if field == .tlsJA3S {
                result.unexpressed.append(unexpressed(rule, [atom], "the ja3s object needs the client's JA3 with the JA3S"))
            } else {
                let why = [MatchMode.prefix, .contains, .regex].contains(c.mode)
                    ? "mode \(c.mode.rawValue): MISP attributes hold whole values"
                    : "no MISP object attribute for \(c.field)"
                result.unexpressed.append(unexpressed(rule, [atom], why))
            }
        }
        for rule in ruleOrder {
            if let attrs = domainAttrs[rule.id], !attrs.isEmpty { objects.append(object(domainIP, rule, "names", attrs)) }
        }

        let ids = packs.map(\.manifest.id).joined(separator: ",")
        let eventTLP = packs.map(\.manifest.tlp).max() ?? .clear
        let date = packs.map(\.manifest.modified).max() ?? "1970-01-01"
        var report = "# cipherscope: conditions not expressible as MISP objects\n\n"
        for item in result.unexpressed { report += "- `\(item.ruleName)` (\(item.place)): `\(item.condition)` — \(item.reason)\n" }
        let unexpressedJSON: [JSONValue] = result.unexpressed.map {
            .object([("rule_id", .string($0.ruleID)), ("rule_name", .string($0.ruleName)), ("place", .string($0.place)),
                     ("condition", .string($0.condition)), ("reason", .string($0.reason))])
        }
        let event: JSONValue = .object([("Event", .object([
            ("uuid", .string(UUIDv5.make("misp-event/\(ids)"))),
            ("info", .string(oneLine("cipherscope rule packs: " + packs.map { "\($0.manifest.name) (\($0.manifest.id) \($0.manifest.version))" }.joined(separator: ", ")))),
            ("date", .string(date)),
            ("threat_level_id", .string("4")),
            ("analysis", .string("2")),
            ("distribution", .string("0")),
            ("published", .bool(false)),
            ("Orgc", .object([("name", .string(packs.first?.manifest.organisation ?? "cipherscope"))])),
            ("Tag", .array([.object([("name", .string(tag(eventTLP)))])])),
            ("Object", .array(objects)),
            ("EventReport", .array([.object([
                ("uuid", .string(UUIDv5.make("misp-report/\(ids)"))),
                ("name", .string("cipherscope: not expressible")),
                ("distribution", .string("5")),
                ("content", .string(report)),
            ])])),
            ("x_cipherscope_unexpressed", .array(unexpressedJSON)),
        ]))])
        result.text = event.render() + "\n"
        return result
    }

    /// The MISP `tlp` taxonomy tag (TLP 2.0 names; MISP keeps `tlp:white` as an alias of clear).
    static func tag(_ tlp: TLP) -> String { "tlp:" + tlp.rawValue }
}
