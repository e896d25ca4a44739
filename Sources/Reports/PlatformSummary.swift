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
        /// Server endpoints with the flows to each.
        public var servers: [String: UInt64] = [:]
        public var activities: [String: UInt64] = [:]
        public var calls: UInt64 = 0
    }

    /// Client endpoints kept per platform (the count stays exact up to this many).
    public static let clientLimit = 10_000
    public private(set) var platforms: [String: Entry] = [:]

    public init() {}

    public mutating func add(_ report: FlowReport) {
        guard let platform = report.classification?.platform else { return }
        // In place: a copy of the entry would copy its client set and server table per flow.
        PlatformSummary.add(report, to: &platforms[platform, default: Entry()])
    }

    private static func add(_ report: FlowReport, to entry: inout Entry) {
        let flow = report.summary
        entry.flows += 1
        entry.bytes += flow.c2s.ipBytes + flow.s2c.ipBytes
        entry.firstSeen = min(entry.firstSeen, flow.firstSeen)
        entry.lastSeen = max(entry.lastSeen, flow.lastSeen)
        if entry.clients.count < PlatformSummary.clientLimit { entry.clients.insert(flow.clientAddress.description) }
        let ports = flow.proto == 6 || flow.proto == 17 || flow.proto == 132
        let address = flow.serverAddress.description
        let server = !ports ? address : address.contains(":") ? "[\(address)]:\(flow.serverPort)" : "\(address):\(flow.serverPort)"
        if entry.servers[server] != nil || entry.servers.count < PlatformSummary.clientLimit { entry.servers[server, default: 0] += 1 }
        let activity = report.classification?.activity ?? "unknown"
        entry.activities[activity, default: 0] += 1
        if activity == "voice-call" || activity == "video-call" { entry.calls += 1 }
    }

    /// The summary with its client and server addresses mapped (pseudonymised runs).
    public func mapped(by map: any AddressMap) -> PlatformSummary {
        var mapped = self
        for (name, entry) in platforms {
            var entry = entry
            entry.clients = Set(entry.clients.map { map.mapText($0) })
            entry.servers = Dictionary(entry.servers.map { (map.mapText($0.key), $0.value) }, uniquingKeysWith: +)
            mapped.platforms[name] = entry
        }
        return mapped
    }

    /// Readable lines for standard error: per platform, what, when, between which
    /// endpoints (the busiest first) and whether chat or calls.
    public func text() -> String {
        guard !platforms.isEmpty else { return "" }
        var lines = ["platforms:"]
        func list(_ items: [String], limit: Int) -> String {
            items.count <= limit ? items.joined(separator: ", ") : items.prefix(limit).joined(separator: ", ") + " and \(items.count - limit) more"
        }
        for (name, entry) in platforms.sorted(by: { $0.value.bytes > $1.value.bytes || ($0.value.bytes == $1.value.bytes && $0.key < $1.key) }) {
            let activities = entry.activities.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            let first = TimeFormat.civil(entry.firstSeen / 1_000_000_000), last = TimeFormat.civil(entry.lastSeen / 1_000_000_000)
            let span = first.date == last.date ? "\(first.date) \(first.time) to \(last.time) UTC" : "\(first.date) \(first.time) to \(last.date) \(last.time) UTC"
            let servers = entry.servers.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.map(\.key)
            lines.append("  \(name): \(entry.flows) flow\(entry.flows == 1 ? "" : "s"), \(entry.bytes) bytes, \(span)")
            lines.append("    activity: \(activities)\(entry.calls > 0 ? " (\(entry.calls) call flow\(entry.calls == 1 ? "" : "s"))" : "")")
            lines.append("    clients: \(list(entry.clients.sorted(), limit: 5))")
            lines.append("    servers: \(list(servers, limit: 5))")
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
            var servers = JSONObject()
            for (server, flows) in entry.servers.sorted(by: { $0.key < $1.key }) { servers.add(dynamic: server, flows) }
            item.add("servers", object: servers)
            var activities = JSONObject()
            for (key, value) in entry.activities.sorted(by: { $0.key < $1.key }) { activities.add(dynamic: key, value) }
            item.add("activities", object: activities)
            item.add("calls", entry.calls)
            object.add(dynamic: name, object: item)
        }
        return object.closed + "\n"
    }
}
