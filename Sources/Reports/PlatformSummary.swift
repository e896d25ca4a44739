import Classifier
import Flows

/// Per platform at the end of a run: flows, bytes, first and last seen, client
/// endpoints, activities and calls.
public struct PlatformSummary: Sendable {
    public struct Entry: Sendable {
        public var flows: UInt64 = 0
        public var bytes: UInt64 = 0
        public var firstSeen: Int64 = .max
        public var lastSeen: Int64 = .min
        public var clients: Set<String> = []
        public var activities: [String: UInt64] = [:]
        public var calls: UInt64 = 0
    }

    /// Client endpoints kept per platform (the count stays exact up to this many).
    public static let clientLimit = 10_000
    public private(set) var platforms: [String: Entry] = [:]

    public init() {}

    public mutating func add(_ report: FlowReport) {
        guard let platform = report.classification?.platform else { return }
        let flow = report.summary
        var entry = platforms[platform] ?? Entry()
        entry.flows += 1
        entry.bytes += flow.c2s.ipBytes + flow.s2c.ipBytes
        entry.firstSeen = min(entry.firstSeen, flow.firstSeen)
        entry.lastSeen = max(entry.lastSeen, flow.lastSeen)
        if entry.clients.count < PlatformSummary.clientLimit { entry.clients.insert(flow.clientAddress.description) }
        let activity = report.classification?.activity ?? "unknown"
        entry.activities[activity, default: 0] += 1
        if activity == "voice-call" || activity == "video-call" { entry.calls += 1 }
        platforms[platform] = entry
    }

    /// A table for standard error.
    public func text() -> String {
        guard !platforms.isEmpty else { return "" }
        var lines = ["platforms:"]
        for (name, entry) in platforms.sorted(by: { $0.value.bytes > $1.value.bytes || ($0.value.bytes == $1.value.bytes && $0.key < $1.key) }) {
            let activities = entry.activities.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            lines.append("  \(name): \(entry.flows) flows, \(entry.bytes) bytes, \(entry.clients.count) client\(entry.clients.count == 1 ? "" : "s"), calls \(entry.calls), "
                + "\(TimeFormat.rfc3339(entry.firstSeen, nanosecondDigits: false)) to \(TimeFormat.rfc3339(entry.lastSeen, nanosecondDigits: false)); \(activities)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public func json() -> String {
        var object = JSONObject()
        for (name, entry) in platforms.sorted(by: { $0.key < $1.key }) {
            var item = JSONObject()
            item.add("flows", entry.flows)
            item.add("bytes", entry.bytes)
            item.add("first_seen", TimeFormat.rfc3339(entry.firstSeen, nanosecondDigits: false))
            item.add("last_seen", TimeFormat.rfc3339(entry.lastSeen, nanosecondDigits: false))
            item.add("clients", strings: entry.clients.sorted())
            var activities = JSONObject()
            for (key, value) in entry.activities.sorted(by: { $0.key < $1.key }) { activities.add(dynamic: key, value) }
            item.add("activities", object: activities)
            item.add("calls", entry.calls)
            object.add(dynamic: name, object: item)
        }
        return object.closed + "\n"
    }
}
