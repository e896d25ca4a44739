import Reports

/// `case summary`: the grouped counts of `CaseStore.summary()` as three tables —
/// per platform, per platform and client, per platform and day.
public enum CaseSummaryText {
    public static func text(_ groups: [CaseSummaryRow]) -> String {
        var byPlatform: [String: (flows: Int64, bytes: Int64, clients: Set<String>, first: Int64, last: Int64)] = [:]
        var byClient: [String: (flows: Int64, bytes: Int64)] = [:]
        var byDay: [String: (flows: Int64, bytes: Int64)] = [:]
        for group in groups {
            let platform = group.platform.isEmpty ? "(unlabelled)" : group.platform
            var entry = byPlatform[platform] ?? (0, 0, [], .max, .min)
            entry.flows += group.flows
            entry.bytes += group.bytes
            entry.clients.insert(group.client)
            entry.first = min(entry.first, group.day)
            entry.last = max(entry.last, group.day)
            byPlatform[platform] = entry
            byClient[platform + "\u{0}" + group.client, default: (0, 0)].flows += group.flows
            byClient[platform + "\u{0}" + group.client, default: (0, 0)].bytes += group.bytes
            let day = date(group.day)
            byDay[platform + "\u{0}" + day, default: (0, 0)].flows += group.flows
            byDay[platform + "\u{0}" + day, default: (0, 0)].bytes += group.bytes
        }
        let platforms = byPlatform.sorted { $0.value.flows != $1.value.flows ? $0.value.flows > $1.value.flows : $0.key < $1.key }
        var text = "Per platform\n" + StoredRecordFormats.table(
            platforms.map { [$0.key, String($0.value.flows), String($0.value.bytes), String($0.value.clients.count), date($0.value.first), date($0.value.last)] },
            header: ["PLATFORM", "FLOWS", "BYTES", "CLIENTS", "FIRST DAY", "LAST DAY"])
        text += "\nPer client\n" + StoredRecordFormats.table(split(byClient), header: ["PLATFORM", "CLIENT", "FLOWS", "BYTES"])
        text += "\nPer day (UTC)\n" + StoredRecordFormats.table(split(byDay), header: ["PLATFORM", "DAY", "FLOWS", "BYTES"])
        return text
    }

    static func split(_ groups: [String: (flows: Int64, bytes: Int64)]) -> [[String]] {
        groups.sorted { $0.key < $1.key }.map { key, value in
            let parts = key.split(separator: "\u{0}", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            return parts + [String(value.flows), String(value.bytes)]
        }
    }

    static func date(_ day: Int64) -> String { TimeFormat.civil(day * 86_400).date }
}
