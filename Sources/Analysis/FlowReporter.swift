import Classifier
import Decoding
import Flows
import Inspection
import Reports

/// The stages after the flow tables: names flows from the DNS answers seen before
/// them, labels them, counts them and writes them. Sees the events of every flow
/// table of the run, in the order one table would have produced them, so that what
/// spans flows (DNS names, cross-flow labels) comes out the same however the flows
/// were sharded.
final class FlowReporter {
    private let writer: FlowReportWriter
    /// Labels each flow as it ends (nil: no rules loaded).
    private let classifier: Classifier?
    /// The inputs as the readers announced them (by input number): a flow's
    /// `source_file` and the precision of its times come from its origin's input.
    private var inputs: [(name: String, nanosecond: Bool)] = []

    var summary = RunSummary()
    /// The first error writing the output; the caller should stop reading.
    private(set) var outputError: OutputError?

    private var dnsCache = DNSNameCache()
    /// Names of the open flows that have one, by the id of the flow's first part.
    private var flowNames: [UInt64: String] = [:]
    private var activeFlows = 0

    /// At the end of input the open flows are gathered, labelled together, then
    /// written, in chunks of at most `gatherLimit` (in flow-id order) so that a
    /// million open flows do not all wait in memory at once; what a chunk teaches
    /// the classifier still reaches the chunks after it.
    private var gathering = false
    static let gatherLimit = 16_384
    /// What `Classifier.classifyBatch` takes, as it takes it (no copy); each flow's
    /// report is made once it is labelled.
    private var gathered: [(flow: FlowSummary, evidence: FlowEvidence?, own: OwnLabel?)] = []

    /// Unlabelled call flows held back until a later flow from the same local socket
    /// names the platform (`Classifier.awaitsLaterSetUp`): at most `holdLimit`, each for
    /// at most `holdWindow` of capture time after it ended, then written as they are.
    private var held: [FlowReport] = []
    /// How many held flows each local socket has.
    private var heldSockets: [Socket: Int] = [:]
    static let holdLimit = 1_024
    static let holdWindow: Int64 = 120 * 1_000_000_000

    /// Keep the last few ended flows for a live view (`recentFlows`).
    var keepsRecentFlows = false
    private var recent: [FlowReport] = []
    private var recentNext = 0
    private static let recentCapacity = 6

    init(writer: FlowReportWriter, classifier: Classifier?) {
        self.writer = writer
        self.classifier = classifier
    }

    /// The last flows that ended, newest first (only with `keepsRecentFlows`).
    var recentFlows: [FlowReport] {
        guard !recent.isEmpty else { return [] }
        return (0..<recent.count).map { recent[(recentNext - 1 - $0 + 2 * recent.count) % recent.count] }
    }

    func handle(_ event: FlowEvent) {
        switch event {
        case .input(let index, let name, let nanosecond):
            while inputs.count <= index { inputs.append(("", false)) }
            inputs[index] = (name, nanosecond)
        case .started(let flowID, let server, let time):
            activeFlows += 1
            if activeFlows > summary.peakActiveFlows { summary.peakActiveFlows = activeFlows }
            if let name = dnsCache.name(for: server, at: time) { flowNames[flowID] = name }
        case .dnsResponse(let message, let time):
            dnsCache.learn(from: message, at: time)
        case .ended(let flow, var evidence):
            let firstPart = flow.splitIndex > 0 ? flow.splitOf : flow.flowID
            if flow.endReason == .active {
                evidence?.dnsName = flowNames[firstPart]
            } else {
                activeFlows -= 1
                evidence?.dnsName = flowNames.removeValue(forKey: firstPart)
            }
            if namesOnly {
                named.append((flow, evidence))
            } else {
                ended(flow, evidence: evidence, own: nil)
            }
        }
    }

    /// When set, the flows that end are only named (their DNS name added) and kept
    /// in `named`, in order, for their own labels to be computed elsewhere; the
    /// caller then hands each back to `ended(_:evidence:own:)` in the same order.
    var namesOnly = false
    var named: [(flow: FlowSummary, evidence: FlowEvidence?)] = []

    /// Counts, labels (adding what spans flows to `own`, the flow's own label when
    /// already computed) and writes a flow that ended.
    func ended(_ flow: FlowSummary, evidence: FlowEvidence?, own: OwnLabel?) {
        summary.flows += 1
        summary.flowsByEndReason[flow.endReason.name, default: 0] += 1
        guard outputError == nil else { return }
        if gathering {
            gathered.append((flow, evidence, own))
            if gathered.count >= FlowReporter.gatherLimit { labelGathered() }
            return
        }
        var report = report(of: flow, evidence: evidence)
        report.classification = classifier?.classify(flow, evidence: evidence, own: own)
        // Held flows past their window go out first (they ended in about end order).
        while let first = held.first, first.summary.lastSeen < flow.lastSeen - FlowReporter.holdWindow { releaseHeld(count: 1) }
        if let label = report.classification, Classifier.awaitsLaterSetUp(flow, evidence: evidence, label: label) {
            if held.count >= FlowReporter.holdLimit { releaseHeld(count: 1) }
            held.append(report)
            heldSockets[Socket(flow), default: 0] += 1
            return
        }
        emit(report)
        // A labelled UDP flow may have taught its socket: label the flows held on it.
        if report.classification?.platform != nil, flow.proto == IPProtocol.udp, heldSockets[Socket(flow)] != nil {
            relabelHeld(on: Socket(flow))
        }
    }

    private func report(of flow: FlowSummary, evidence: FlowEvidence?) -> FlowReport {
        let input = flow.origin.input < inputs.count ? inputs[flow.origin.input] : (name: "", nanosecond: false)
        return FlowReport(summary: flow, sourceFile: input.name, firstFrame: flow.origin.frame, firstOffset: flow.origin.byteOffset,
                          nanosecondTimes: input.nanosecond, evidence: evidence)
    }

    /// A flow's local socket (client address and port).
    private struct Socket: Hashable {
        var address: IPAddress
        var port: UInt16
        init(_ flow: FlowSummary) { address = flow.clientAddress; port = flow.clientPort }
    }

    /// Writes the held flows of `socket` with what the classifier now knows of it.
    private func relabelHeld(on socket: Socket) {
        guard let classifier else { return }
        var kept: [FlowReport] = []
        for var report in held {
            if Socket(report.summary) == socket, let label = report.classification,
               let inherited = classifier.laterSetUp(of: report.summary, label: label) {
                report.classification = inherited
                heldSockets[socket] = nil
                emit(report)
            } else {
                kept.append(report)
            }
        }
        held = kept
    }

    /// Writes the `count` longest-held flows (labelled from their socket if it has taught since).
    private func releaseHeld(count: Int) {
        for var report in held.prefix(count) {
            let socket = Socket(report.summary)
            if let label = report.classification, let inherited = classifier?.laterSetUp(of: report.summary, label: label) {
                report.classification = inherited
            }
            if let left = heldSockets[socket], left > 1 { heldSockets[socket] = left - 1 } else { heldSockets[socket] = nil }
            emit(report)
        }
        held.removeFirst(min(count, held.count))
    }

    /// The flows ended from here to `finishGathering` are labelled together.
    func startGathering() { gathering = classifier != nil }

    func finishGathering() {
        labelGathered()
        gathering = false
        releaseHeld(count: held.count)
    }

    private func labelGathered() {
        guard let classifier, !gathered.isEmpty else { return }
        let labels = classifier.classifyBatch(gathered)
        for (index, item) in gathered.enumerated() {
            var report = report(of: item.flow, evidence: item.evidence)
            report.classification = labels[index]
            emit(report)
        }
        gathered.removeAll(keepingCapacity: true)
    }

    /// Finishes the writer (after the last flow).
    func finishWriter() {
        do {
            try writer.finish()
        } catch {
            if outputError == nil { outputError = error }
        }
    }

    private func emit(_ report: FlowReport) {
        if report.classification != nil { summary.platforms.add(report) }
        if keepsRecentFlows {
            if recent.count < FlowReporter.recentCapacity { recent.append(report) } else { recent[recentNext] = report }
            recentNext = (recentNext + 1) % FlowReporter.recentCapacity
        }
        guard outputError == nil else { return }
        do {
            try writer.write(report)
        } catch {
            outputError = error
        }
    }
}
