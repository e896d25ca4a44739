import Custody
import Reports

/// The values the `report` template reads: plain dictionaries and arrays of text, so
/// every value the template shows passes through Mustache's HTML escaping.
struct ReportContext {
    let content: ReportContent
    let facts: ReportFacts
    let catalogue: MessageCatalogue

    func dictionary() -> [String: Any] {
        var context: [String: Any] = [
            "t": catalogue.messages,
            "lang": catalogue.language.rawValue,
            "css": EmbeddedResources.files["templates/report.css"] ?? "",
            "cover": cover(),
            "platforms": platforms(),
            "calls": calls(),
            "labels": labels(),
            "custody": custody(),
            "hasPlatforms": !content.platforms.platforms.isEmpty,
            "hasCalls": !content.calls.isEmpty,
        ]
        if content.unlabelledFlows > 0 {
            context["unlabelled"] = ["flows": "\(content.unlabelledFlows)", "bytes": "\(content.unlabelledBytes)"]
        }
        if !content.rows.isEmpty {
            context["timeline"] = TimelineLayout(start: content.firstSeen, end: content.lastSeen)
                .context(rows: content.rows, describe: describe)
        }
        if content.rowFlowsLeftOut > 0 || content.rows.contains(where: { $0.barsLeftOut > 0 }) {
            context["timelineLeftOut"] = "\(content.rowFlowsLeftOut + content.rows.reduce(0) { $0 + $1.barsLeftOut })"
        }
        if content.callsLeftOut > 0 { context["callsLeftOut"] = "\(content.callsLeftOut)" }
        if content.labelsLeftOut > 0 { context["labelsLeftOut"] = "\(content.labelsLeftOut)" }
        return context
    }

    private func cover() -> [String: Any] {
        let custody = facts.custody
        return [
            "caseID": custody.caseID ?? catalogue["not_given"],
            "operator": custody.operatorName ?? catalogue["not_given"],
            "periodStart": utc(content.firstSeen),
            "periodEnd": utc(content.lastSeen),
            "marking": custody.marking?.label ?? catalogue["marking_none"],
            "markingClass": "tlp-" + (custody.marking?.rawValue.replacingPlus ?? "none"),
            "generated": utc(facts.generated),
            "selection": facts.selection.isEmpty ? catalogue["selection_all"] : facts.selection,
            "flows": "\(content.flows)",
            "bytes": "\(content.bytes)",
        ]
    }

    private func platforms() -> [[String: Any]] {
        content.platforms.platforms
            .sorted { $0.value.bytes > $1.value.bytes || ($0.value.bytes == $1.value.bytes && $0.key < $1.key) }
            .map { name, entry in
                let activities = entry.activities
                    .sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
                    .map { "\(activity($0.key)) \($0.value)" }.joined(separator: ", ")
                let names = (content.serverNames[name] ?? [:])
                    .sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
                let shown = names.prefix(5).map { "\($0.key) (\($0.value))" }.joined(separator: ", ")
                let clients = entry.clients.count >= PlatformSummary.clientLimit ? "≥ \(entry.clients.count)" : "\(entry.clients.count)"
                return [
                    "name": name, "flows": "\(entry.flows)", "bytes": "\(entry.bytes)", "clients": clients,
                    "firstSeen": utc(entry.firstSeen), "lastSeen": utc(entry.lastSeen),
                    "activities": activities, "calls": "\(entry.calls)",
                    "serverNames": names.count > 5 ? shown + " (+\(names.count - 5))" : shown,
                ]
            }
    }

    private func calls() -> [[String: Any]] {
        content.calls.sorted { ($0.start, $0.flowID) < ($1.start, $1.flowID) }.map { call in
            [
                "flowID": "\(call.flowID)", "start": utc(call.start), "duration": seconds(call.duration),
                "client": call.client, "server": call.server, "platform": call.platform,
                "kind": catalogue[call.activity == "video-call" ? "call_video" : "call_voice"],
            ]
        }
    }

    private func labels() -> [[String: Any]] {
        content.labels.map { label in
            var entry: [String: Any] = [
                "flowID": "\(label.flowID)", "start": utc(label.start), "platform": label.platform,
                "rules": label.rules.joined(separator: ", "),
                "items": label.items.map { item -> [String: Any] in
                    var row: [String: Any] = ["rule": item.rule, "field": item.field, "value": item.value]
                    if let crossFlow = item.crossFlow { row["crossFlow"] = crossFlow }
                    return row
                },
            ]
            if let service = label.service { entry["service"] = service }
            if let confidence = label.confidence { entry["confidence"] = catalogue["confidence_" + confidence] }
            if let name = label.serverName { entry["serverName"] = name }
            if let certificate = label.certificate { entry["certificate"] = certificate }
            if label.itemsLeftOut > 0 { entry["itemsLeftOut"] = "\(label.itemsLeftOut)" }
            return entry
        }
    }

    private func custody() -> [String: Any] {
        let custody = facts.custody
        var entry: [String: Any] = [
            "tool": "\(custody.tool.name) \(custody.tool.version)",
            "commit": custody.tool.sourceCommit ?? catalogue["unknown"],
            "commandLine": custody.commandLine.map(Self.shellQuoted).joined(separator: " "),
            "caseID": custody.caseID ?? catalogue["not_given"],
            "operator": custody.operatorName ?? catalogue["not_given"],
            "started": utc(custody.started),
            "ended": utc(custody.ended),
            "pseudonymisation": custody.pseudonymisationKeyID ?? catalogue["pseudonymisation_none"],
            "inputs": custody.inputs.map { input -> [String: Any] in
                var row: [String: Any] = [
                    "path": input.path,
                    "size": input.digest.map { "\($0.size)" } ?? "—",
                    "sha256": input.digest?.sha256 ?? "—",
                    "packets": "\(input.packets)",
                    "first": input.firstPacket.map(utc) ?? "—",
                    "last": input.lastPacket.map(utc) ?? "—",
                ]
                if let error = input.error { row["error"] = error }
                return row
            },
            "packs": custody.rulePacks.map { pack -> [String: Any] in
                [
                    "id": pack.id, "version": pack.version, "tlp": pack.tlp.label,
                    "manifestSHA256": pack.manifestSHA256 ?? "—",
                    "signingKey": pack.signingKeyID ?? catalogue["unsigned"],
                    "verified": catalogue[pack.signatureVerified ? "yes" : "no"],
                ]
            },
        ]
        if custody.rulePacks.isEmpty { entry["noPacks"] = true }
        return entry
    }

    /// The tooltip of one bar: flow, activity, times, server name.
    private func describe(_ bar: ReportContent.Bar) -> String {
        var text = "\(catalogue["flow"]) \(bar.flowID) · \(activity(bar.activity)) · \(utc(bar.start)) · \(seconds(bar.end - bar.start))"
        if let name = bar.serverName { text += " · \(name)" }
        return text
    }

    private func activity(_ name: String) -> String {
        catalogue["activity_" + String(name.map { $0 == "-" ? "_" : $0 })]
    }

    /// An argument as a POSIX shell would need it written.
    static func shellQuoted(_ argument: String) -> String {
        let plain = !argument.isEmpty && argument.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || "-_./=:,+@%".utf8.contains(byte)
        }
        if plain { return argument }
        return "'" + argument.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }
}

extension String {
    var replacingPlus: String { String(map { $0 == "+" ? "-" : $0 }) }
}
