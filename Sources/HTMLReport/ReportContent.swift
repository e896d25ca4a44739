import Classifier
import Flows
import Reports

/// What a report shows, gathered from flow records as they arrive: from an analysis
/// run (as the writer of `Analyzer`) or from any other source of `FlowReport`s (a case
/// database). Records arrive already pseudonymised when the report is; the texts the
/// evidence carries are mapped here through the record's `addressMap`.
///
/// Every list is bounded (`Limits`); what is left out is counted and the report says so.
public final class ReportContent: FlowReportWriter {
    public struct Limits: Sendable {
        public var calls = 1_000
        public var labelledFlows = 500
        public var evidencePerFlow = 16
        public var timelineRows = 80
        public var barsPerRow = 400
        public var serverNamesPerPlatform = 1_000
        public init() {}
    }

    public struct Call: Sendable {
        public var flowID: UInt64
        public var start: Int64
        public var duration: Int64
        public var client: String
        public var server: String
        public var platform: String
        /// `voice-call` or `video-call`.
        public var activity: String
    }

    /// One labelled flow and the facts behind its label.
    public struct Label: Sendable {
        public var flowID: UInt64
        public var start: Int64
        public var platform: String
        public var service: String?
        public var confidence: String?
        public var serverName: String?
        /// The subject of the server's certificate, when it was sent in clear.
        public var certificate: String?
        public var rules: [String]
        public var items: [EvidenceItem]
        public var itemsLeftOut: Int
    }

    public struct Bar: Sendable {
        public var flowID: UInt64
        public var start: Int64
        public var end: Int64
        public var activity: String
        public var serverName: String?
    }

    /// One client address on one platform.
    public struct Row: Sendable {
        public var client: String
        public var platform: String
        public var bars: [Bar] = []
        public var barsLeftOut = 0
    }

    public let limits: Limits
    public private(set) var flows: UInt64 = 0
    public private(set) var bytes: UInt64 = 0
    public private(set) var unlabelledFlows: UInt64 = 0
    public private(set) var unlabelledBytes: UInt64 = 0
    public private(set) var firstSeen: Int64 = .max
    public private(set) var lastSeen: Int64 = .min
    public private(set) var platforms = PlatformSummary()
    /// Per platform: server names (SNI, else the DNS name) with their flow counts.
    public private(set) var serverNames: [String: [String: UInt64]] = [:]
    public private(set) var calls: [Call] = []
    public private(set) var callsLeftOut = 0
    public private(set) var labels: [Label] = []
    public private(set) var labelsLeftOut = 0
    private var rowIndex: [String: Int] = [:]
    public private(set) var rows: [Row] = []
    /// Flows of clients beyond `timelineRows`, not drawn.
    public private(set) var rowFlowsLeftOut = 0

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    public var isEmpty: Bool { flows == 0 }

    public func write(_ report: FlowReport) throws(OutputError) { add(report) }
    public func finish() throws(OutputError) {}

    public func add(_ report: FlowReport) {
        let flow = report.summary
        let flowBytes = flow.c2s.ipBytes + flow.s2c.ipBytes
        flows += 1
        bytes += flowBytes
        firstSeen = min(firstSeen, flow.firstSeen)
        lastSeen = max(lastSeen, flow.lastSeen)
        guard let classification = report.classification, let platform = classification.platform else {
            unlabelledFlows += 1
            unlabelledBytes += flowBytes
            return
        }
        platforms.add(report)
        let name = Self.serverName(report)
        if let name, serverNames[platform]?[name] != nil || serverNames[platform]?.count ?? 0 < limits.serverNamesPerPlatform {
            // In place: a copy of the table would be made per flow.
            serverNames[platform, default: [:]][name, default: 0] += 1
        }
        let activity = classification.activity
        if activity == "voice-call" || activity == "video-call" {
            if calls.count < limits.calls {
                calls.append(Call(flowID: flow.flowID, start: flow.firstSeen, duration: flow.duration,
                                  client: flow.clientAddress.description, server: Self.endpoint(flow),
                                  platform: platform, activity: activity))
            } else {
                callsLeftOut += 1
            }
        }
        addLabel(report, classification: classification, platform: platform, serverName: name)
        addBar(report, platform: platform, activity: activity, serverName: name)
    }

    private func addLabel(_ report: FlowReport, classification: Classification, platform: String, serverName: String?) {
        guard labels.count < limits.labelledFlows else {
            labelsLeftOut += 1
            return
        }
        let map = report.addressMap
        let items = classification.evidence.prefix(limits.evidencePerFlow).map { item in
            var item = item
            if let map { item.value = map.mapText(item.value) }
            return item
        }
        labels.append(Label(
            flowID: report.summary.flowID, start: report.summary.firstSeen, platform: platform,
            service: classification.service, confidence: classification.confidence?.name, serverName: serverName,
            certificate: report.evidence?.tls?.certificates.first.map { map?.mapText($0.subject) ?? $0.subject },
            rules: classification.rules, items: items,
            itemsLeftOut: max(0, classification.evidence.count - limits.evidencePerFlow)))
    }

    private func addBar(_ report: FlowReport, platform: String, activity: String, serverName: String?) {
        let flow = report.summary
        let client = flow.clientAddress.description
        let key = client + "\u{0}" + platform
        let position: Int
        if let known = rowIndex[key] {
            position = known
        } else {
            guard rows.count < limits.timelineRows else {
                rowFlowsLeftOut += 1
                return
            }
            position = rows.count
            rowIndex[key] = position
            rows.append(Row(client: client, platform: platform))
        }
        guard rows[position].bars.count < limits.barsPerRow else {
            rows[position].barsLeftOut += 1
            return
        }
        rows[position].bars.append(Bar(flowID: flow.flowID, start: flow.firstSeen, end: flow.lastSeen,
                                       activity: activity, serverName: serverName))
    }

    /// The name the client asked for: TLS/QUIC server name, else the DNS name of the
    /// server address (an IP-literal name is mapped when the record is pseudonymised).
    static func serverName(_ report: FlowReport) -> String? {
        let evidence = report.evidence
        guard let name = evidence?.tls?.sni ?? evidence?.dnsName, !name.isEmpty else { return nil }
        return report.addressMap?.mapText(name) ?? name
    }

    static func endpoint(_ flow: FlowSummary) -> String {
        let address = flow.serverAddress.description
        guard flow.proto == 6 || flow.proto == 17 || flow.proto == 132 else { return address }
        return address.contains(":") ? "[\(address)]:\(flow.serverPort)" : "\(address):\(flow.serverPort)"
    }
}
