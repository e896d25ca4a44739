import Basics
import Flows

/// What the live view shows, taken about once a second by the capture loop.
public struct LiveSnapshot {
    public var elapsedSeconds: Double
    public var packets: UInt64
    public var packetsPerSecond: Double
    public var bytesPerSecond: Double
    public var activeFlows: Int
    public var endedFlows: UInt64
    /// Open flows by application protocol ("" while not told yet).
    public var appProtocols: [String: Int]
    public var interfaces: [RunSummary.InterfaceStats]
    /// Recently ended flows, newest first.
    public var recent: [FlowReport]

    public init(elapsedSeconds: Double, packets: UInt64, packetsPerSecond: Double, bytesPerSecond: Double, activeFlows: Int,
                endedFlows: UInt64, appProtocols: [String: Int], interfaces: [RunSummary.InterfaceStats], recent: [FlowReport]) {
        self.elapsedSeconds = elapsedSeconds
        self.packets = packets
        self.packetsPerSecond = packetsPerSecond
        self.bytesPerSecond = bytesPerSecond
        self.activeFlows = activeFlows
        self.endedFlows = endedFlows
        self.appProtocols = appProtocols
        self.interfaces = interfaces
        self.recent = recent
    }
}

/// A compact table on a terminal (standard error), redrawn in place: rates,
/// drops per interface, open flows by application protocol, the last flows that ended.
public final class LiveView {
    private let descriptor: Int32
    private var linesShown = 0

    public init(descriptor: Int32 = 2) {
        self.descriptor = descriptor
    }

    /// The lines for `snapshot`, each cut to `width` columns.
    public static func render(_ snapshot: LiveSnapshot, width: Int) -> [String] {
        var lines: [String] = []
        let drops = snapshot.interfaces.reduce(UInt64(0)) { $0 + $1.dropped + $1.interfaceDropped }
        lines.append("cipherscope capture \(Int(snapshot.elapsedSeconds)) s | \(Int(snapshot.packetsPerSecond)) pkt/s "
            + "\(TableWriter.humanBytes(UInt64(snapshot.bytesPerSecond)))B/s | \(snapshot.packets) pkts | flows open \(snapshot.activeFlows), "
            + "ended \(snapshot.endedFlows) | " + (drops == 0 ? "no drops" : "DROPPED \(drops)"))
        for interface in snapshot.interfaces {
            var line = "  \(interface.name): captured \(interface.captured), kernel drops \(interface.dropped), interface drops \(interface.interfaceDropped)"
            if let error = interface.error { line += " STOPPED: \(error)" }
            lines.append(line)
        }
        let apps = snapshot.appProtocols.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
        if !apps.isEmpty {
            lines.append("  open by app: " + apps.prefix(8).map { "\($0.key.isEmpty ? "other" : $0.key) \($0.value)" }.joined(separator: ", "))
        }
        for report in snapshot.recent.prefix(5) {
            let flow = report.summary
            let app = report.evidence?.appProto?.name ?? ProtocolNames.name(flow.proto)
            let time = TimeFormat.rfc3339(flow.firstSeen, nanosecondDigits: false)
            let clock = time.count >= 19 ? String(time.dropFirst(11).prefix(8)) : time
            let ports = flow.clientPort != 0 || flow.serverPort != 0
            let endpoints = ports
                ? "\(flow.clientAddress):\(flow.clientPort) -> \(flow.serverAddress):\(flow.serverPort)"
                : "\(flow.clientAddress) -> \(flow.serverAddress)"
            lines.append("  \(clock) \(app) \(endpoints) \(report.evidence?.headline ?? "") [\(flow.endReason.name)]")
        }
        return lines.map { $0.count > width ? String($0.prefix(max(width - 1, 10))) + "…" : $0 }
    }

    /// Replaces the previous drawing with `snapshot`.
    public func draw(_ snapshot: LiveSnapshot) {
        let width = Terminal.columns(descriptor).flatMap { $0 > 20 ? $0 : nil } ?? 100
        let lines = LiveView.render(snapshot, width: width - 1)
        var text = erase()
        text += lines.joined(separator: "\n") + "\n"
        linesShown = lines.count
        emit(text)
    }

    /// Removes the drawing (before the run summary is printed).
    public func clear() {
        emit(erase())
        linesShown = 0
    }

    private func erase() -> String {
        linesShown > 0 ? "\u{1B}[\(linesShown)F\u{1B}[J" : ""
    }

    private func emit(_ text: String) {
        try? FileIO.writeAll(descriptor, text)
    }
}
