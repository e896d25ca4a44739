import Rules
import Schema

/// Suricata rules (7.x keywords; `ja4.hash` gated by `requires: feature ja4`) from
/// the conditions Suricata can express: SNI, DNS query, HTTP host and user agent,
/// certificate subject/issuer/SAN, JA3/JA3S/JA4/HASSH, protocol, addresses, ports.
/// One rule per alternative of a rule's `match:` (per value of its one list, or one
/// `dataset` rule for an exact list longer than `datasetThreshold`).
public enum SuricataExport {
    /// A sticky buffer and the application layers it exists in.
    struct Buffer {
        var keyword: String
        var layers: [String]
        var domain: Bool
        var requires: String? = nil
        var datasetType: String = "string"
    }

    static let buffers: [Field: Buffer] = [
        .tlsSNI: Buffer(keyword: "tls.sni", layers: ["tls", "quic"], domain: true),
        .dnsQueryName: Buffer(keyword: "dns.query", layers: ["dns"], domain: true),
        .httpHost: Buffer(keyword: "http.host", layers: ["http"], domain: true),
        .httpUserAgent: Buffer(keyword: "http.user_agent", layers: ["http"], domain: false),
        .tlsCertificateSubject: Buffer(keyword: "tls.cert_subject", layers: ["tls"], domain: false),
        .tlsCertificateIssuer: Buffer(keyword: "tls.cert_issuer", layers: ["tls"], domain: false),
        .tlsCertificateSAN: Buffer(keyword: "tls.subjectaltname", layers: ["tls"], domain: true),
        .tlsJA3: Buffer(keyword: "ja3.hash", layers: ["tls"], domain: false, datasetType: "md5"),
        .tlsJA3S: Buffer(keyword: "ja3s.hash", layers: ["tls"], domain: false, datasetType: "md5"),
        .tlsJA4: Buffer(keyword: "ja4.hash", layers: ["tls", "quic"], domain: false, requires: "feature ja4"),
        .sshHASSH: Buffer(keyword: "ssh.hassh", layers: ["ssh"], domain: false, datasetType: "md5"),
        .sshHASSHServer: Buffer(keyword: "ssh.hassh.server", layers: ["ssh"], domain: false, datasetType: "md5"),
    ]
    static let appLayers: Set<String> = ["tls", "quic", "dns", "http", "ssh"]

    /// One alternative, sorted into the parts of a Suricata rule.
    struct Plan {
        var layers: Set<String>? = nil
        var proto: String? = nil
        var src: [String] = [], dst: [String] = [], either: [String] = []
        var srcPorts: [String] = [], dstPorts: [String] = [], eitherPorts: [String] = []
        var buffers: [(Buffer, FieldCondition)] = []
        var values: [ExportedValue] = []
    }

    public static func export(_ packs: [RulePack], options: ExportOptions = ExportOptions()) -> ExportResult {
        var result = ExportResult(format: .suricata)
        var body = ""
        var sid = options.sidBase
        var datasets = Set<String>()
        for rule in exportable(packs, into: &result) {
            for atoms in ruleAlternatives(rule, into: &result) {
                var plan = Plan()
                var problems: [(Atom, String)] = []
                for atom in atoms {
                    if let reason = add(atom, to: &plan) { problems.append((atom, reason)) }
                }
                if problems.isEmpty, let reason = check(plan) { problems.append((atoms[0], reason)) }
                if !problems.isEmpty {
                    for (atom, reason) in problems { result.unexpressed.append(unexpressed(rule, [atom], reason)) }
                    if atoms.count > 1 {
                        result.unexpressed.append(unexpressed(rule, atoms, "the alternative is not exported (one of its conditions is not expressible)"))
                    }
                    continue
                }
                for text in render(rule, plan, options: options, sid: &sid, datasets: &datasets, result: &result) {
                    body += text + "\n"
                }
            }
        }
        let packList = packs.map { "\($0.manifest.id) \($0.manifest.version) (tlp \($0.manifest.tlp.rawValue))" }.joined(separator: ", ")
        var head = "# cipherscope rules export --to suricata: \(packList)\n"
        head += "# \(result.units) rules, sids from \(options.sidBase); requires Suricata 7 (ja4.hash: 7.0.x with JA4 enabled, gated by 'requires').\n"
        if !result.sideFiles.isEmpty {
            head += "# Datasets (one value a line; type string = base64, md5 = hex), keep beside this file:\n"
            for side in result.sideFiles { head += "#   \(side.name)\n" }
        }
        head += result.commentBlock(prefix: "#") + "\n"
        result.text = head + body
        return result
    }

    /// Adds an atom to the plan; returns why it cannot be expressed.
    static func add(_ atom: Atom, to plan: inout Plan) -> String? {
        if let reason = generalReason(atom) { return reason }
        guard case .field(let c) = atom, let field = Field(ruleName: c.field) else { return "no Suricata equivalent" }
        let values = valueTexts(c.values)
        switch field {
        case .proto:
            guard c.mode == .exact, values.count == 1, ["tcp", "udp", "icmp"].contains(values[0]) else {
                return "protocol other than one exact tcp/udp/icmp"
            }
            plan.proto = values[0]
            plan.values.append(ExportedValue(field: field, mode: c.mode, value: values[0]))
            return nil
        case .appProto:
            guard c.mode == .exact, values.count == 1, appLayers.contains(values[0]) else {
                return "application protocol Suricata does not parse (only tls, quic, dns, http, ssh)"
            }
            plan.layers = (plan.layers ?? appLayers).intersection([values[0]])
            plan.values.append(ExportedValue(field: field, mode: c.mode, value: values[0]))
            return nil
        case .srcIP, .dstIP, .anyIP:
            guard case .prefixes = c.values else { return "no Suricata equivalent" }
            if field == .srcIP { guard plan.src.isEmpty else { return "two address conditions on one end" }; plan.src = values }
            if field == .dstIP { guard plan.dst.isEmpty else { return "two address conditions on one end" }; plan.dst = values }
            if field == .anyIP { guard plan.either.isEmpty else { return "two address conditions on one end" }; plan.either = values }
            plan.values.append(ExportedValue(field: field, mode: c.mode, value: values[0]))
            return nil
        case .srcPort, .dstPort, .anyPort:
            guard case .ranges(let ranges) = c.values else { return "no Suricata equivalent" }
            let ports = ranges.map { $0.lowerBound == $0.upperBound ? "\($0.lowerBound)" : "\($0.lowerBound):\($0.upperBound)" }
            if field == .srcPort { guard plan.srcPorts.isEmpty else { return "two port conditions on one end" }; plan.srcPorts = ports }
            if field == .dstPort { guard plan.dstPorts.isEmpty else { return "two port conditions on one end" }; plan.dstPorts = ports }
            if field == .anyPort { guard plan.eitherPorts.isEmpty else { return "two port conditions on one end" }; plan.eitherPorts = ports }
            plan.values.append(ExportedValue(field: field, mode: .exact, value: String(ranges[0].lowerBound)))
            return nil
        default:
            guard let buffer = buffers[field] else { return "field \(c.field) has no Suricata keyword" }
            if buffer.datasetType == "md5", c.mode != .exact, c.mode != .prefix, c.mode != .suffix, c.mode != .contains, c.mode != .regex {
                return "mode \(c.mode.rawValue)"
            }
            plan.layers = (plan.layers ?? appLayers).intersection(buffer.layers)
            plan.buffers.append((buffer, c))
            return nil
        }
    }

    static func check(_ plan: Plan) -> String? {
        if let layers = plan.layers, layers.isEmpty { return "conditions on fields of different protocols in one flow" }
        if plan.buffers.filter({ $0.1.values.count > 1 }).count > 1 { return "more than one list of values in one alternative" }
        let hasEither = !plan.either.isEmpty || !plan.eitherPorts.isEmpty
        let hasSided = !(plan.src.isEmpty && plan.dst.isEmpty && plan.srcPorts.isEmpty && plan.dstPorts.isEmpty)
        if hasEither && (hasSided || (!plan.either.isEmpty && !plan.eitherPorts.isEmpty)) {
            return "either-end address/port combined with other address/port conditions (Suricata's <> binds them to one end)"
        }
        return nil
    }

    static func render(_ rule: Rule, _ plan: Plan, options: ExportOptions, sid: inout Int,
                       datasets: inout Set<String>, result: inout ExportResult) -> [String] {
        // The protocols of the header: application layers, else tcp/udp/icmp, else ip (tcp and udp with ports).
        var protocols: [String]
        if let layers = plan.layers {
            var list = layers.sorted()
            if plan.proto == "tcp" { list.removeAll { $0 == "quic" } }
            if plan.proto == "udp" { list.removeAll { $0 == "tls" || $0 == "http" || $0 == "ssh" } }
            if plan.proto == "icmp" { list = [] }
            protocols = list
        } else if let proto = plan.proto {
            protocols = [proto]
        } else {
            let ports = !(plan.srcPorts.isEmpty && plan.dstPorts.isEmpty && plan.eitherPorts.isEmpty)
            protocols = ports ? ["tcp", "udp"] : ["ip"]
        }
        if protocols.isEmpty {
            result.unexpressed.append(Unexpressed(ruleID: rule.id, ruleName: rule.name, place: "\(rule.file):\(rule.line)",
                                                  condition: "protocol", reason: "no Suricata protocol satisfies every condition"))
            return []
        }
        func list(_ items: [String]) -> String { items.isEmpty ? "any" : items.count == 1 ? items[0] : "[" + items.joined(separator: ",") + "]" }
        func addresses(_ items: [String]) -> [String] { items.map { IPPrefix($0).map { addressText($0).text } ?? $0 } }
        let header: String
        if !plan.either.isEmpty || !plan.eitherPorts.isEmpty {
            header = "any any <> \(list(addresses(plan.either))) \(list(plan.eitherPorts))"
        } else {
            header = "\(list(addresses(plan.src))) \(list(plan.srcPorts)) -> \(list(addresses(plan.dst))) \(list(plan.dstPorts))"
        }
        var out: [String] = []
        for proto in protocols {
            // QUIC's SNI has its own keyword; JA4 of TLS over TCP starts with t, of QUIC with q.
            let quic = proto == "quic"
            let otherFamily = quic ? "t" : "q"
            if plan.buffers.contains(where: { $0.0.keyword == "ja4.hash" && $0.1.mode != .regex && valueTexts($0.1.values).allSatisfy { $0.hasPrefix(otherFamily) } }) {
                continue
            }
            func keyword(_ buffer: Buffer) -> String { quic && buffer.keyword == "tls.sni" ? "quic.sni" : buffer.keyword }
            // The one multi-valued buffer condition is expanded (or becomes a dataset).
            var variants: [[String]] = [[]]
            var variantValues: [[ExportedValue]] = [plan.values]
            var datasetMembers: [ExportedValue] = []
            for (buffer, c) in plan.buffers {
                let field = Field(ruleName: c.field)!
                let values = valueTexts(c.values)
                if values.count > options.datasetThreshold && c.mode == .exact {
                    let name = "cs-\(rule.name)-\(String(buffer.keyword.map { $0 == "." ? "-" : $0 }))"
                    let file = "\(options.sideFileBase)-\(name).lst"
                    if !datasets.contains(name) {
                        datasets.insert(name)
                        let lines = values.map { buffer.datasetType == "md5" ? $0.lowercased() : Base64.encode(Array($0.utf8)) }
                        result.sideFiles.append((file, lines.joined(separator: "\n") + "\n"))
                    }
                    let lower = buffer.domain ? " to_lowercase;" : ""
                    let option = "\(keyword(buffer));\(lower) dataset:isset,\(name),type \(buffer.datasetType),load \(file);"
                    variants = variants.map { $0 + [option] }
                    datasetMembers = values.map { ExportedValue(field: field, mode: c.mode, value: $0) }
                    continue
                }
                var next: [[String]] = [], nextValues: [[ExportedValue]] = []
                for (index, value) in values.enumerated() {
                    let option = "\(keyword(buffer)); " + match(value, index: index, c: c, buffer: buffer)
                    for (v, vv) in zip(variants, variantValues) {
                        next.append(v + [option])
                        nextValues.append(vv + [ExportedValue(field: field, mode: c.mode, value: value)])
                    }
                }
                variants = next
                variantValues = nextValues
            }
            let requires = Set(plan.buffers.compactMap { $0.0.requires }).sorted()
            let msg = sanitize("cipherscope \(rule.platform) \(rule.service.rawValue): \(rule.title)")
            for (ruleOptions, values) in zip(variants, variantValues) {
                var parts = ["msg:\"\(msg)\";"]
                if !requires.isEmpty { parts.append("requires: " + requires.joined(separator: ", ") + ";") }
                parts += ruleOptions
                parts.append("classtype:policy-violation;")
                parts.append("sid:\(sid);")
                parts.append("rev:\(rule.rev);")
                parts.append("metadata: cipherscope_rule \(rule.id), rev \(rule.rev), tlp \(rule.tlp.rawValue), pack \(rule.pack.id), platform \(sanitize(rule.platform)), service \(rule.service.rawValue);")
                let text = "alert \(proto) \(header) (" + parts.joined(separator: " ") + ")"
                out.append(text)
                if datasetMembers.isEmpty {
                    result.exported.append(ExportedIndicator(ruleID: rule.id, ruleName: rule.name, values: values, exported: text))
                } else {
                    for member in datasetMembers {
                        result.exported.append(ExportedIndicator(ruleID: rule.id, ruleName: rule.name, values: values + [member], exported: text))
                    }
                }
                result.units += 1
                sid += 1
            }
        }
        return out
    }

    static func match(_ value: String, index: Int, c: FieldCondition, buffer: Buffer) -> String {
        // http.host is normalised to lower case by Suricata: its contents must be lower case, without nocase.
        let nocase = buffer.domain && buffer.keyword != "http.host" ? " nocase;" : ""
        switch c.mode {
        case .exact: return "content:\"\(content(value))\";\(nocase) startswith; endswith;"
        case .suffix:
            if buffer.domain { return "dotprefix; content:\"\(content("." + value))\";\(nocase) endswith;" }
            return "content:\"\(content(value))\"; endswith;"
        case .prefix: return "content:\"\(content(value))\";\(nocase) startswith;"
        case .contains: return "content:\"\(content(value))\";\(nocase)"
        case .regex:
            var pattern = ""
            for ch in value {
                switch ch {
                case "/": pattern += "\\/"
                case "\"": pattern += "\\\""
                case ";": pattern += "\\;"
                default: pattern.append(ch)
                }
            }
            return "pcre:\"/\(pattern)/\(buffer.domain ? "i" : "")\";"
        case .cidr, .range: return ""
        }
    }

    /// Content text: `"`, `;`, `\`, `|` and bytes outside printable ASCII as `|hex|`.
    static func content(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            if byte < 0x20 || byte >= 0x7f || byte == 0x22 || byte == 0x3b || byte == 0x5c || byte == 0x7c {
                out += "|" + hexByte(byte).uppercased() + "|"
            } else {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return out
    }

    static func sanitize(_ text: String) -> String {
        String(oneLine(text).filter { $0 != "\"" && $0 != ";" && $0 != "\\" && $0 != "," })
    }
}
