import Classifier
import Decoding
import Flows
import Inspection
import Reports
import Schema

/// One flow rebuilt from log records: what the flow table and the protocol units
/// would have produced, as far as the logs tell.
public struct LogFlow: Sendable {
    public var summary: FlowSummary
    public var evidence: FlowEvidence
    /// The log file and line of the flow's record (`source_file`, `first_frame`).
    public var file: String
    public var line: Int
    /// When the flow's DNS answers arrived (their addresses then name later flows).
    public var answerTime: Int64?

    public init(summary: FlowSummary, evidence: FlowEvidence, file: String, line: Int, answerTime: Int64? = nil) {
        self.summary = summary
        self.evidence = evidence
        self.file = file
        self.line = line
        self.answerTime = answerTime
    }

    /// A flow of `proto` between the endpoints, at `firstSeen` … `lastSeen`.
    public static func empty(proto: UInt8, client: IPAddress, clientPort: UInt16, server: IPAddress, serverPort: UInt16,
                             firstSeen: Int64, lastSeen: Int64) -> FlowSummary {
        let ports = IPProtocol.hasPorts(proto)
        return FlowSummary(
            proto: proto, clientAddress: client, clientPort: ports ? clientPort : 0,
            serverAddress: server, serverPort: ports ? serverPort : 0, firstSeen: firstSeen, lastSeen: max(lastSeen, firstSeen),
            communityID: CommunityID.compute(proto: proto, source: client, destination: server,
                                             sourcePort: ports ? clientPort : 0, destinationPort: ports ? serverPort : 0))
    }
}

/// Labels flows rebuilt from logs with the same classifier `analyze` uses, and
/// writes them with the same writers.
///
/// Flows are held in a window of at most `window` flows; a full window (and the
/// end of input) is put in start order, named from the DNS answers seen before
/// each flow started (as `analyze` does with its DNS name cache), labelled together
/// (own facts first, then what spans flows) and written. Late records of a flow
/// still in the window join it (`join(key:_:)`); later ones are counted as unjoined.
public final class LogClassifier {
    private let writer: FlowReportWriter
    private let classifier: Classifier?
    public let window: Int

    private var pending: [LogFlow] = []
    /// Window positions by the log's own flow key (EVE `flow_id`), for late records.
    private var pendingKeys: [String: Int] = [:]
    private var dnsCache = DNSNameCache()
    private var nextFlowID: UInt64 = 1

    public private(set) var summary = RunSummary()
    public private(set) var outputError: OutputError?

    /// The seed of the `community_id` values written (`--community-id-seed`).
    public let communityIDSeed: UInt16

    public init(writer: FlowReportWriter, classifier: Classifier?, window: Int = 65_536, communityIDSeed: UInt16 = 0) {
        self.writer = writer
        self.classifier = classifier
        self.window = max(1, window)
        self.communityIDSeed = communityIDSeed
    }

    /// Adds a flow; `key` (the log's own flow id) lets later records join it.
    /// `keepID`: the flow keeps its `flowID` (EVE's), else it gets the next number.
    public func add(_ flow: LogFlow, key: String? = nil, keepID: Bool = false) {
        var flow = flow
        if communityIDSeed != 0 {
            let summary = flow.summary
            flow.summary.communityID = CommunityID.compute(
                proto: summary.proto, source: summary.clientAddress, destination: summary.serverAddress,
                sourcePort: summary.clientPort, destinationPort: summary.serverPort,
                icmpType: summary.icmpType, icmpCode: summary.icmpCode, seed: communityIDSeed)
        }
        if !keepID || flow.summary.flowID == 0 {
            flow.summary.flowID = nextFlowID
            nextFlowID += 1
        }
        if let key { pendingKeys[key] = pending.count }
        pending.append(flow)
        if pending.count >= window { flush() }
    }

    /// Lets a record that came after its flow change the flow; false when the flow has left the window.
    public func join(key: String, _ update: (inout LogFlow) -> Void) -> Bool {
        guard let index = pendingKeys[key] else { return false }
        update(&pending[index])
        return true
    }

    /// Labels and writes the flows in the window.
    public func flush() {
        guard !pending.isEmpty else { return }
        var flows = pending
        pending.removeAll(keepingCapacity: true)
        pendingKeys.removeAll(keepingCapacity: true)
        flows.sort { ($0.summary.firstSeen, $0.line) < ($1.summary.firstSeen, $1.line) }

        // DNS answers name the flows that start after them.
        var answers: [(time: Int64, index: Int)] = []
        for (index, flow) in flows.enumerated() where !(flow.evidence.dns?.answers.isEmpty ?? true) {
            answers.append((flow.answerTime ?? flow.summary.lastSeen, index))
        }
        answers.sort { $0.time < $1.time }
        var next = 0
        for index in flows.indices {
            let start = flows[index].summary.firstSeen
            while next < answers.count && answers[next].time <= start {
                learn(flows[answers[next].index], at: answers[next].time)
                next += 1
            }
            if let name = dnsCache.name(for: flows[index].summary.serverAddress, at: start) {
                flows[index].evidence.dnsName = name
            }
        }
        while next < answers.count {
            learn(flows[answers[next].index], at: answers[next].time)
            next += 1
        }

        let labels = classifier?.classifyBatch(flows.map { ($0.summary, $0.evidence.isEmpty ? nil : Optional($0.evidence)) })
        for (index, flow) in flows.enumerated() {
            var report = FlowReport(summary: flow.summary, sourceFile: flow.file, firstFrame: UInt64(flow.line),
                                    nanosecondTimes: false, evidence: flow.evidence.isEmpty ? nil : flow.evidence)
            report.classification = labels?[index]
            emit(report)
        }
    }

    private func learn(_ flow: LogFlow, at time: Int64) {
        guard let dns = flow.evidence.dns, let queried = dns.queries.first?.name else { return }
        for answer in dns.answers {
            guard let address = IPAddress(answer.data) else { continue }
            let lifetime = max(Int64(answer.ttl) * 1_000_000_000, DNSNameCache.minimumLifetime)
            dnsCache.insert(address, name: queried, expires: LogTime.sum(time, lifetime))
        }
    }

    private func emit(_ report: FlowReport) {
        let flow = report.summary
        summary.flows += 1
        summary.flowsByEndReason[flow.endReason.name, default: 0] += 1
        summary.packets += flow.c2s.packets + flow.s2c.packets
        summary.flowPackets += flow.c2s.packets + flow.s2c.packets
        summary.bytes += flow.c2s.ipBytes + flow.s2c.ipBytes
        summary.noteTime(flow.firstSeen)
        summary.noteTime(flow.lastSeen)
        if report.classification != nil { summary.platforms.add(report) }
        guard outputError == nil else { return }
        do {
            try writer.write(report)
        } catch {
            outputError = error
        }
    }

    /// Writes what is left and finishes the writer.
    public func finish() {
        flush()
        do {
            try writer.finish()
        } catch {
            if outputError == nil { outputError = error }
        }
    }

    /// Adds a file's statistics and input errors to the run summary.
    public func noteFile(_ stats: RunSummary.FileStats, errors: [String]) {
        summary.files.append(stats)
        summary.inputErrors.append(contentsOf: errors)
    }
}
