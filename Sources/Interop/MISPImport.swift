import Foundation
import Rules
import Schema

/// MISP events (JSON: `{"Event": …}`, `{"response": [{"Event": …}]}`, a list of those, or a bare event).
///
/// Attributes: `domain`, `hostname` → domain fields; `ip-dst`, `ip-src` → `any_ip`
/// cidr; `ip-dst|port` → `dst_ip` and `dst_port`; `domain|ip` → both, separately;
/// `ja3-fingerprint-md5` → `tls.ja3`; `ja3s-fingerprint-md5` → `tls.ja3s`;
/// `x509-fingerprint-sha256` → `tls.certificates.sha256`. Objects: `ja4-plus`
/// (`ja4-fingerprint` by `ja4-type`), `ja3s` (JA3 and JA3S together); any other
/// object's attributes are read one by one as above. Tags `tlp:*` mark the event
/// (pack) or the attribute (rule); `to_ids: false` gives confidence low. Everything
/// else (x509 SHA-1/MD5, URLs, text, files, …) is reported.
enum MISPImport {
    static func read(_ input: JSONInput, into sink: inout ImportSink) throws(ImportFailure) {
        var events = [[String: Any]]()
        func collect(_ value: Any) {
            if let list = value as? [Any] { for v in list { collect(v) }; return }
            guard let object = value as? [String: Any] else { return }
            if let event = object["Event"] as? [String: Any] { events.append(event) } else if let response = object["response"] { collect(response) } else if object["Attribute"] != nil || object["Object"] != nil {
                events.append(object)
            }
        }
        collect(input.value)
        guard !events.isEmpty else {
            throw ImportFailure("\(sink.file):1:1: error: no MISP event found (expected {\"Event\": {…}} with 'Attribute' or 'Object')")
        }
        for event in events {
            if sink.full { break }
            let eventID = text(event, "uuid")
            let eventLine = input.line(of: eventID)
            let info = text(event, "info") ?? "MISP event"
            if let tlp = tlpTag(event["Tag"]) {
                sink.fileTLP = max(sink.fileTLP ?? tlp, tlp)
                sink.fileTLPOrigin = "MISP event tag tlp:\(tlp.rawValue)"
            }
            if sink.organisation == nil, let org = (event["Orgc"] as? [String: Any]).flatMap({ text($0, "name") }) { sink.organisation = org }
            let context = Context(eventID: eventID, info: info)
            if let attributes = event["Attribute"] {
                guard let list = attributes as? [Any] else { sink.error(line: eventLine, "'Attribute' of event \(eventID ?? "?") is not a list"); continue }
                for case let item in list {
                    guard let attribute = item as? [String: Any] else { sink.error(line: eventLine, "an attribute of event \(eventID ?? "?") is not an object"); continue }
                    readAttribute(attribute, object: nil, context: context, input: input, into: &sink)
                }
            }
            if let objects = event["Object"] {
                guard let list = objects as? [Any] else { sink.error(line: eventLine, "'Object' of event \(eventID ?? "?") is not a list"); continue }
                for item in list {
                    guard let object = item as? [String: Any] else { sink.error(line: eventLine, "an object of event \(eventID ?? "?") is not an object"); continue }
                    readObject(object, context: context, input: input, into: &sink)
                }
            }
        }
    }

    struct Context {
        var eventID: String?
        var info: String
    }

    static func tlpTag(_ tags: Any?) -> TLP? {
        guard let tags = tags as? [Any] else { return nil }
        var found: TLP? = nil
        for case let tag as [String: Any] in tags {
            guard let name = text(tag, "name")?.lowercased(), name.hasPrefix("tlp:"), let tlp = TLP(marking: name) else { continue }
            found = max(found ?? tlp, tlp)
        }
        return found
    }

    static func references(_ context: Context, _ line: Int, file: String, attribute: String?, object: String?) -> [String] {
        var out = ["\(file):\(line) (MISP event \(context.eventID ?? "without uuid"): \(context.info))"]
        if let object { out.append("MISP object \(object)") }
        if let attribute { out.append("MISP attribute \(attribute)") }
        return out
    }

    static func readObject(_ object: [String: Any], context: Context, input: JSONInput, into sink: inout ImportSink) {
        let name = text(object, "name") ?? "?"
        let objectID = text(object, "uuid")
        let line = input.line(of: objectID)
        guard let attributes = (object["Attribute"] as? [Any])?.compactMap({ $0 as? [String: Any] }) else {
            sink.error(line: line, "MISP object '\(name)' \(objectID ?? "") has no 'Attribute' list: skipped")
            return
        }
        func values(_ relation: String) -> [[String: Any]] { attributes.filter { text($0, "object_relation") == relation } }
        switch name {
        case "ja4-plus":
            guard sink.countRead(line: line) else { return }
            guard let fingerprintAttribute = values("ja4-fingerprint").first, let value = text(fingerprintAttribute, "value") else {
                sink.error(line: line, "ja4-plus object \(objectID ?? "") without 'ja4-fingerprint': skipped"); return
            }
            let type = values("ja4-type").first.flatMap { text($0, "value") } ?? guessJA4Type(value)
            guard let field = ja4Field(type) else {
                sink.unsupported(line: line, "ja4-plus object \(objectID ?? ""): type '\(type)' is not carried by flows (JA4, JA4S, JA4H, JA4X, JA4T, JA4TS, JA4SSH are): skipped"); return
            }
            guard let fingerprint = normalisedFingerprint(value) else { sink.error(line: line, "ja4-plus object \(objectID ?? ""): '\(value)' is not a JA4+ fingerprint: skipped"); return }
            if !values("ip-src").isEmpty { sink.note(line: line, "ja4-plus object \(objectID ?? ""): 'ip-src' is context, not a condition: not used") }
            sink.add(Indicator(condition: .field([field], .exact, [fingerprint]), tlp: tlpTag(object["Tag"]) ?? attributes.compactMap({ tlpTag($0["Tag"]) }).max(),
                               title: "\(type.uppercased()) \(fingerprint) (MISP ja4-plus)", description: values("description").first.flatMap { text($0, "value") },
                               references: references(context, line, file: sink.sourceName, attribute: text(fingerprintAttribute, "uuid"), object: objectID),
                               line: line, sourceID: objectID, nameHint: type.lowercased() + "-" + fingerprint))
        case "ja3s":
            guard sink.countRead(line: line) else { return }
            guard let ja3 = values("ja3-fingerprint-md5").first.flatMap({ text($0, "value") }).flatMap({ normalisedHex($0, count: 32) }),
                  let ja3s = values("ja3s-fingerprint-md5").first.flatMap({ text($0, "value") }).flatMap({ normalisedHex($0, count: 32) }) else {
                sink.error(line: line, "ja3s object \(objectID ?? "") needs 'ja3-fingerprint-md5' and 'ja3s-fingerprint-md5' (32 hex digits): skipped"); return
            }
            let others = attributes.compactMap { text($0, "object_relation") }.filter { !["ja3-fingerprint-md5", "ja3s-fingerprint-md5", "description", "first-seen", "last-seen"].contains($0) }
            if !others.isEmpty { sink.note(line: line, "ja3s object \(objectID ?? ""): \(others.joined(separator: ", ")) are context, not conditions: not used") }
            sink.add(Indicator(condition: .all([.field([.tlsJA3], .exact, [ja3]), .field([.tlsJA3S], .exact, [ja3s])]),
                               tlp: attributes.compactMap({ tlpTag($0["Tag"]) }).max(), title: "JA3 \(ja3) with JA3S \(ja3s) (MISP ja3s)", description: nil,
                               references: references(context, line, file: sink.sourceName, attribute: nil, object: objectID),
                               line: line, sourceID: objectID, nameHint: "ja3s-" + ja3s))
        default:
            for attribute in attributes { readAttribute(attribute, object: (name, objectID), context: context, input: input, into: &sink) }
        }
    }

    static func guessJA4Type(_ value: String) -> String { value.count == 36 && "tqd".contains(value.prefix(1)) ? "JA4" : "?" }

    static func readAttribute(_ attribute: [String: Any], object: (name: String, id: String?)?, context: Context, input: JSONInput, into sink: inout ImportSink) {
        let id = text(attribute, "uuid")
        let line = input.line(of: id).nonZero ?? input.line(of: object?.id)
        guard sink.countRead(line: line) else { return }
        guard let type = text(attribute, "type"), let value = text(attribute, "value") else {
            sink.error(line: line, "attribute \(id ?? "") without 'type' or 'value': skipped"); return
        }
        let where_ = object.map { "\($0.name) object attribute" } ?? "attribute"
        let tlp = tlpTag(attribute["Tag"])
        let toIDs = (attribute["to_ids"] as? Bool) ?? ((attribute["to_ids"] as? NSNumber)?.boolValue ?? true)
        func add(_ condition: ImportCondition, _ hint: String) {
            sink.add(Indicator(condition: condition, tlp: tlp, confidence: toIDs ? .medium : .low, title: "\(type) \(value) (MISP)",
                               description: text(attribute, "comment").flatMap { $0.isEmpty ? nil : $0 },
                               references: references(context, line, file: sink.sourceName, attribute: id, object: object.map { "\($0.name) \($0.id ?? "")" }),
                               tags: text(attribute, "category").map { [$0] } ?? [], line: line, sourceID: id, nameHint: hint))
        }
        switch type {
        case "domain", "hostname":
            guard let c = sink.domainCondition(value) else { sink.error(line: line, "\(where_) \(id ?? ""): '\(value)' is not a domain name: skipped"); return }
            add(c, value)
        case "ip-dst", "ip-src", "ip":
            guard let prefix = normalisedPrefix(value) else { sink.error(line: line, "\(where_) \(id ?? ""): '\(value)' is not an address: skipped"); return }
            add(.field([.anyIP], .cidr, [prefix]), value)
        case "ip-dst|port", "ip-src|port":
            let parts = value.split(separator: "|").map(String.init)
            guard parts.count == 2, let prefix = normalisedPrefix(parts[0]), let port = UInt16(parts[1]) else {
                sink.error(line: line, "\(where_) \(id ?? ""): '\(value)' is not 'address|port': skipped"); return
            }
            let dst = type == "ip-dst|port"
            add(.all([.field([dst ? .dstIP : .srcIP], .cidr, [prefix]), .field([dst ? .dstPort : .srcPort], .exact, [String(port)])]), value)
        case "domain|ip":
            let parts = value.split(separator: "|").map(String.init)
            guard parts.count == 2, let c = sink.domainCondition(parts[0]), let prefix = normalisedPrefix(parts[1]) else {
                sink.error(line: line, "\(where_) \(id ?? ""): '\(value)' is not 'domain|address': skipped"); return
            }
            sink.note(line: line, "\(where_) \(id ?? ""): domain|ip imported as two indicators (the domain, the address)")
            add(c, parts[0])
            add(.field([.anyIP], .cidr, [prefix]), parts[1])
        case "ja3-fingerprint-md5":
            guard let hash = normalisedHex(value, count: 32) else { sink.error(line: line, "\(where_) \(id ?? ""): '\(value)' is not an MD5: skipped"); return }
            add(.field([.tlsJA3], .exact, [hash]), "ja3-" + hash)
        case "ja3s-fingerprint-md5":
            guard let hash = normalisedHex(value, count: 32) else { sink.error(line: line, "\(where_) \(id ?? ""): '\(value)' is not an MD5: skipped"); return }
            add(.field([.tlsJA3S], .exact, [hash]), "ja3s-" + hash)
        case "x509-fingerprint-sha256":
            guard let hash = normalisedHex(value, count: 64) else { sink.error(line: line, "\(where_) \(id ?? ""): '\(value)' is not a SHA-256: skipped"); return }
            add(.field([.tlsCertificateSHA256], .exact, [hash]), "x509-" + hash.prefix(16))
        case "x509-fingerprint-sha1", "x509-fingerprint-md5":
            sink.unsupported(line: line, "\(where_) \(id ?? ""): \(type) — flows carry the certificate's SHA-256 only: skipped")
        default:
            // Context inside objects (ports, dates, descriptions) is not an indicator of its own.
            if object != nil && ["first-seen", "last-seen", "description", "text", "port", "src-port", "dst-port", "datetime", "comment", "counter", "size-in-bytes"].contains(type) {
                sink.report.indicatorsRead -= 1
                sink.note(line: line, "\(where_) \(id ?? "") (\(type)) is context of the \(object!.name) object: not used")
                return
            }
            sink.unsupported(line: line, "\(where_) \(id ?? ""): MISP type '\(type)' has no flow field to match: skipped")
        }
    }
}

extension Int {
    var nonZero: Int? { self == 0 ? nil : self }
}
