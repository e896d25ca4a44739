import Foundation
import Rules
import Schema

/// STIX 2.1 bundles (or one indicator, or a list of objects): the `indicator` objects.
///
/// Patterns (`pattern_type: stix`) are read by a small parser of the comparison
/// subset: one observation `[ … ]` (several joined by `OR` are read as alternatives)
/// holding comparisons joined by `AND`/`OR` with parentheses:
/// `domain-name:value =` → domain fields; `ipv4-addr:value`, `ipv6-addr:value`
/// (`=` or `ISSUBSET`) → `any_ip` cidr; `network-traffic:dst_ref.value`/`src_ref.value`
/// → `dst_ip`/`src_ip`; `network-traffic:dst_port`/`src_port =` → ports;
/// `x509-certificate:hashes.'SHA-256' =` → `tls.certificates.sha256`; `…_ref.type =`
/// is implied by the address and dropped under `AND`. Anything else — other objects
/// and operators, `NOT`, `AND`/`FOLLOWEDBY` between observations, qualifiers,
/// SHA-1/MD5 certificate hashes — is reported and the indicator skipped.
/// `pattern_type: suricata` patterns are read as Suricata rules. Markings: TLP
/// marking definitions (TLP 1.0 and 2.0 ids, or definitions in the bundle);
/// `confidence` 0–100 → low/medium/high; the platform is the name of what the
/// indicator `indicates` (malware, tool, infrastructure) unless `--platform` is given.
enum STIXImport {
    static let wellKnownTLP: [String: TLP] = [
        "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": .clear,
        "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": .green,
        "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": .amber,
        "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": .red,
        "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": .clear,
        "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": .green,
        "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": .amber,
        "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": .amberStrict,
        "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1": .red,
    ]

    static func read(_ input: JSONInput, into sink: inout ImportSink) throws(ImportFailure) {
        var objects = [[String: Any]]()
        if let object = input.value as? [String: Any] {
            if let list = object["objects"] as? [Any] { objects = list.compactMap { $0 as? [String: Any] } } else { objects = [object] }
        } else if let list = input.value as? [Any] {
            objects = list.compactMap { $0 as? [String: Any] }
        }
        guard !objects.isEmpty else { throw ImportFailure("\(sink.file):1:1: error: no STIX objects (expected a bundle with 'objects')") }

        var markings = wellKnownTLP
        var names = [String: String]()
        var indicates = [String: String]()
        for object in objects {
            guard let id = text(object, "id") else { continue }
            switch text(object, "type") {
            case "marking-definition":
                var found: String? = nil
                if let definition = object["definition"] as? [String: Any], let tlp = text(definition, "tlp") { found = tlp }
                if let extensions = object["extensions"] as? [String: Any] {
                    for case let ext as [String: Any] in extensions.values { if let tlp = text(ext, "tlp_2_0") { found = tlp } }
                }
                if found == nil, let name = text(object, "name"), name.uppercased().hasPrefix("TLP:") { found = name }
                if let found, let tlp = TLP(marking: found) { markings[id] = tlp }
            case "malware", "tool", "infrastructure", "intrusion-set", "campaign":
                if let name = text(object, "name") { names[id] = name }
            case "identity":
                if let name = text(object, "name") { names[id] = name }
            case "relationship":
                if text(object, "relationship_type") == "indicates", let source = text(object, "source_ref"), let target = text(object, "target_ref") {
                    indicates[source] = target
                }
            default: break
            }
        }
        for object in objects where text(object, "type") == "indicator" {
            if sink.full { break }
            let id = text(object, "id")
            let line = input.line(of: id)
            guard sink.countRead(line: line) else { break }
            let label = id ?? "indicator without id"
            if (object["revoked"] as? Bool) == true { sink.unsupported(line: line, "\(label) is revoked: skipped"); continue }
            guard let pattern = text(object, "pattern") else { sink.error(line: line, "\(label) has no 'pattern': skipped"); continue }
            if sink.organisation == nil, let creator = text(object, "created_by_ref"), let name = names[creator] { sink.organisation = name }
            var tlp: TLP? = nil
            for case let ref as String in (object["object_marking_refs"] as? [Any]) ?? [] {
                if let marking = markings[ref] { tlp = max(tlp ?? marking, marking) }
            }
            var confidence = Confidence.medium
            if let value = (object["confidence"] as? NSNumber)?.intValue { confidence = value < 34 ? .low : value < 67 ? .medium : .high }
            // cipherscope's own export names the rule's label in `x_cipherscope_rule`.
            let origin = object["x_cipherscope_rule"] as? [String: Any]
            let platform = indicates[id ?? ""].flatMap { names[$0] } ?? origin.flatMap { text($0, "platform") }
            let service = origin.flatMap { text($0, "service") }.flatMap { Service(rawValue: $0) }
            let title = text(object, "name") ?? "STIX indicator \(label)"
            var references = ["\(sink.sourceName):\(line) (STIX \(label))"]
            for case let ref as [String: Any] in (object["external_references"] as? [Any]) ?? [] {
                if let link = text(ref, "url") ?? text(ref, "external_id") { references.append((text(ref, "source_name").map { $0 + ": " } ?? "") + link) }
            }
            let patternType = text(object, "pattern_type") ?? "stix"
            switch patternType {
            case "stix":
                var parser = PatternParser(pattern)
                let mapped: ImportCondition
                do {
                    mapped = try parser.parse(domains: sink)
                } catch {
                    sink.unsupported(line: line, "\(label): pattern column \(error.column): \(error.message): skipped (pattern \(PackWriter.quote(pattern, max: 200)))")
                    continue
                }
                var indicator = Indicator(condition: mapped, platform: platform, tlp: tlp, confidence: confidence, title: title,
                                          description: text(object, "description"), references: references, line: line, sourceID: id,
                                          nameHint: (text(object, "name") ?? id ?? "indicator"))
                if let service { indicator.service = service }
                sink.add(indicator)
            case "suricata":
                guard var indicator = SuricataImport.parseRule(pattern, line: line, into: &sink) else { continue }
                indicator.platform = indicator.platform ?? platform
                if let service { indicator.service = service }
                indicator.tlp = indicator.tlp ?? tlp
                indicator.references = references + indicator.references.dropFirst()
                indicator.sourceID = id
                sink.add(indicator)
            default:
                sink.unsupported(line: line, "\(label): pattern_type '\(patternType)' is not read (stix and suricata are): skipped")
            }
        }
        if sink.report.indicatorsRead == 0 { sink.note(line: 0, "the file holds no STIX indicator objects") }
    }
}

struct PatternError: Error {
    var column: Int
    var message: String
}

/// The comparison subset of STIX patterning, mapped straight onto conditions.
struct PatternParser {
    enum Token: Equatable {
        case open, close, lparen, rparen, and, or, path(String), op(String), string(String), number(String), word(String), end
    }

    let scalars: [Unicode.Scalar]
    var index = 0
    var token = Token.end
    var tokenColumn = 1

    init(_ pattern: String) { scalars = Array(pattern.unicodeScalars.prefix(65_536)) }

    /// A mapped comparison, or "always true" (a `_ref.type` test implied by the address).
    enum Mapped { case condition(ImportCondition), always }

    mutating func parse(domains sink: ImportSink) throws(PatternError) -> ImportCondition {
        try next()
        var alternatives = [ImportCondition]()
        while true {
            guard token == .open else { throw PatternError(column: tokenColumn, message: "expected '[' (an observation)") }
            try next()
            let expression = try parseOr(sink)
            guard token == .close else { throw PatternError(column: tokenColumn, message: "expected ']'") }
            try next()
            guard case .condition(let c) = expression else { throw PatternError(column: tokenColumn, message: "the observation tests only object types") }
            alternatives.append(c)
            if token == .end { break }
            guard token == .or else {
                if case .word(let w) = token { throw PatternError(column: tokenColumn, message: "'\(w)' (qualifiers and observation operators other than OR) is not supported") }
                throw PatternError(column: tokenColumn, message: "only OR may join observations (AND between observations means two flows)")
            }
            try next()
        }
        return alternatives.count == 1 ? alternatives[0] : .any(alternatives)
    }

    mutating func parseOr(_ sink: ImportSink) throws(PatternError) -> Mapped {
        var parts = [try parseAnd(sink)]
        while token == .or { try next(); parts.append(try parseAnd(sink)) }
        if parts.count == 1 { return parts[0] }
        var out = [ImportCondition]()
        for part in parts {
            guard case .condition(let c) = part else { throw PatternError(column: tokenColumn, message: "a type test under OR would match everything") }
            out.append(c)
        }
        return .condition(.any(out))
    }

    mutating func parseAnd(_ sink: ImportSink) throws(PatternError) -> Mapped {
        var parts = [try parseFactor(sink)]
        while token == .and { try next(); parts.append(try parseFactor(sink)) }
        let conditions = parts.compactMap { if case .condition(let c) = $0 { return c } else { return nil } }
        if conditions.isEmpty { return .always }
        return .condition(conditions.count == 1 ? conditions[0] : .all(conditions))
    }

    mutating func parseFactor(_ sink: ImportSink) throws(PatternError) -> Mapped {
        if token == .lparen {
            try next()
            let inner = try parseOr(sink)
            guard token == .rparen else { throw PatternError(column: tokenColumn, message: "expected ')'") }
            try next()
            return inner
        }
        guard case .path(let path) = token else { throw PatternError(column: tokenColumn, message: "expected an object path such as domain-name:value") }
        let column = tokenColumn
        try next()
        guard case .op(let op) = token else {
            if case .word(let w) = token { throw PatternError(column: tokenColumn, message: "operator '\(w)' is not supported (=, ISSUBSET are)") }
            throw PatternError(column: tokenColumn, message: "expected a comparison operator")
        }
        try next()
        let value: String
        switch token {
        case .string(let s), .number(let s): value = s
        default: throw PatternError(column: tokenColumn, message: "expected a quoted value")
        }
        try next()
        return try map(path: path, op: op, value: value, column: column, sink)
    }

    func map(path: String, op: String, value: String, column: Int, _ sink: ImportSink) throws(PatternError) -> Mapped {
        let key = path.lowercased().replacingOccurrences(of: "'", with: "")
        func fail(_ message: String) -> PatternError { PatternError(column: column, message: message) }
        func prefix() throws(PatternError) -> String {
            guard op == "=" || op == "ISSUBSET", let p = normalisedPrefix(value) else { throw fail("'\(path) \(op) \(value)': expected = or ISSUBSET and an address or prefix") }
            return p
        }
        switch key {
        case "domain-name:value":
            guard op == "=", let c = sink.domainCondition(value) else { throw fail("'\(path) \(op) \(value)': expected = and a domain name") }
            return .condition(c)
        case "ipv4-addr:value", "ipv6-addr:value":
            return .condition(.field([.anyIP], .cidr, [try prefix()]))
        case "network-traffic:dst_ref.value":
            return .condition(.field([.dstIP], .cidr, [try prefix()]))
        case "network-traffic:src_ref.value":
            return .condition(.field([.srcIP], .cidr, [try prefix()]))
        case "network-traffic:dst_port", "network-traffic:src_port":
            guard op == "=", let port = UInt16(value) else { throw fail("'\(path) \(op) \(value)': expected = and a port number") }
            return .condition(.field([key.hasSuffix("dst_port") ? .dstPort : .srcPort], .exact, [String(port)]))
        case "network-traffic:dst_ref.type", "network-traffic:src_ref.type":
            guard op == "=", value == "ipv4-addr" || value == "ipv6-addr" else { throw fail("'\(path) \(op) \(value)' is not supported") }
            return .always
        case "x509-certificate:hashes.sha-256", "x509-certificate:hashes.sha256":
            guard op == "=", let hash = normalisedHex(value, count: 64) else { throw fail("'\(path) \(op) \(value)': expected = and 64 hex digits") }
            return .condition(.field([.tlsCertificateSHA256], .exact, [hash]))
        case "x509-certificate:hashes.sha-1", "x509-certificate:hashes.sha1", "x509-certificate:hashes.md5":
            throw fail("'\(path)': flows carry the certificate's SHA-256 only")
        default:
            throw fail("'\(path)' has no flow field to match")
        }
    }

    mutating func next() throws(PatternError) {
        while index < scalars.count, scalars[index].properties.isWhitespace { index += 1 }
        tokenColumn = index + 1
        guard index < scalars.count else { token = .end; return }
        let c = scalars[index]
        switch c {
        case "[": index += 1; token = .open
        case "]": index += 1; token = .close
        case "(": index += 1; token = .lparen
        case ")": index += 1; token = .rparen
        case "=": index += 1; token = .op("=")
        case "!", "<", ">":
            index += 1
            var op = String(c)
            if index < scalars.count, scalars[index] == "=" { op += "="; index += 1 }
            token = .word(op)
        case "'":
            index += 1
            var out = ""
            while true {
                guard index < scalars.count else { throw PatternError(column: tokenColumn, message: "unterminated string") }
                let s = scalars[index]
                index += 1
                if s == "\\" {
                    guard index < scalars.count, scalars[index] == "'" || scalars[index] == "\\" else { throw PatternError(column: index, message: "only \\' and \\\\ escapes are allowed") }
                    out.unicodeScalars.append(scalars[index]); index += 1
                } else if s == "'" {
                    break
                } else {
                    out.unicodeScalars.append(s)
                }
            }
            token = .string(out)
        default:
            guard c.isASCII, c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "-" else {
                throw PatternError(column: tokenColumn, message: "unexpected character '\(c)'")
            }
            var out = ""
            var sawColon = false
            while index < scalars.count {
                let s = scalars[index]
                if s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s) || s == "-" || s == "_" || s == "." || s == ":") {
                    if s == ":" { sawColon = true }
                    out.unicodeScalars.append(s); index += 1
                } else if s == "'" && sawColon && out.hasSuffix(".") {
                    // A quoted path segment: hashes.'SHA-256'.
                    out.unicodeScalars.append(s); index += 1
                    while index < scalars.count, scalars[index] != "'" { out.unicodeScalars.append(scalars[index]); index += 1 }
                    guard index < scalars.count else { throw PatternError(column: tokenColumn, message: "unterminated quoted path segment") }
                    out.unicodeScalars.append(scalars[index]); index += 1
                } else {
                    break
                }
            }
            if sawColon { token = .path(out) } else if out == "AND" { token = .and } else if out == "OR" { token = .or } else if out == "ISSUBSET" { token = .op(out) } else if out.allSatisfy(\.isNumber) {
                token = .number(out)
            } else {
                token = .word(out)
            }
        }
    }
}
