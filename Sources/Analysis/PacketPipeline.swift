import Classifier
import Decoding
import Flows
import Inspection
import Reports

/// Options of one analysis run.
public struct AnalysisOptions: Sendable {
    /// BPF expression applied to every frame.
    public var filter: String?
    public var flowTable = FlowTableConfiguration()
    public var fragmentLimits = FragmentReassembler.Limits()

    public init() {}
}

/// The per-packet stages shared by file analysis and live capture: decode, track
/// the flow, dissect its first packets, and hand every flow that ends, with its
/// evidence, to the report writer.
public final class PacketPipeline: FlowEndHandler {
    /// Where a frame came from, for the flow's `source_file` and `first_frame`.
    public struct FrameOrigin {
        public var source: String
        public var frame: UInt64
        public var nanosecond: Bool

        public init(source: String, frame: UInt64, nanosecond: Bool) {
            self.source = source
            self.frame = frame
            self.nanosecond = nanosecond
        }
    }

    private let decoder: PacketDecoder
    private let table: FlowTable
    private let inspection = FlowInspection()
    private let writer: FlowReportWriter
    private var packet = DecodedPacket()
    private var undecodable = [UInt64](repeating: 0, count: DecodeFailure.allCases.count)
    private var nonIP: [NonIPKind: UInt64] = [:]
    /// Maps a frame tag (the run-wide frame number) to its origin.
    private let locate: (UInt64) -> FrameOrigin
    /// Labels each flow as it ends (nil: no rules loaded).
    private let classifier: Classifier?

    public var summary = RunSummary()
    /// At the end of input the open flows are gathered, labelled together, then written.
    private var gathering = false
    private var gathered: [(report: FlowReport, flow: FlowSummary, evidence: FlowEvidence?)] = []
    /// The first error writing the output; the caller should stop reading.
    public private(set) var outputError: OutputError?

    public init(options: AnalysisOptions, writer: FlowReportWriter, classifier: Classifier? = nil, locate: @escaping (UInt64) -> FrameOrigin) {
        self.writer = writer
        self.classifier = classifier
        self.locate = locate
        decoder = PacketDecoder(fragmentLimits: options.fragmentLimits)
        table = FlowTable(configuration: options.flowTable)
        table.endHandler = self
        summary.maxFlows = options.flowTable.maxFlows
    }

    /// Active flows right now (for a live view).
    public var activeFlows: Int { table.activeFlows }

    /// Keep the last few ended flows for a live view (`recentFlows`).
    public var keepsRecentFlows = false
    private var recent: [FlowReport] = []
    private var recentNext = 0
    private static let recentCapacity = 6

    /// The last flows that ended, newest first (only with `keepsRecentFlows`).
    public var recentFlows: [FlowReport] {
        guard !recent.isEmpty else { return [] }
        return (0..<recent.count).map { recent[(recentNext - 1 - $0 + 2 * recent.count) % recent.count] }
    }

    /// Open flows by application protocol ("" while not told), for a live view.
    /// Walks the inspection slots: about once a second at most, never per packet.
    public func activeAppProtocols() -> [String: Int] { inspection.appProtocolCounts() }

    /// Moves the flow clock to `time` without a packet (live capture in silence),
    /// so flows idle past their timeout end and are reported.
    public func advanceClock(to time: Int64) { table.advanceClock(to: time) }

    /// One captured frame. `tag` is unique and increasing over the run. Returns the
    /// flow id when the frame started a flow (or the next part of a split flow);
    /// the id is the tag of the flow's first frame, which differs from `tag` only
    /// for a datagram reassembled from fragments.
    @discardableResult
    @inline(__always)
    public func process(_ bytes: UnsafeRawBufferPointer, wireLength: UInt32, linkType: LinkType, tag: UInt64, time: Int64) -> UInt64? {
        summary.packets &+= 1
        summary.bytes &+= UInt64(wireLength)
        summary.noteTime(time)
        switch decoder.decode(bytes, linkType: linkType, tag: tag, time: time, into: &packet) {
        case .packet:
            summary.flowPackets &+= UInt64(packet.frames)
            if packet.frames > 1 { summary.fragmentsReassembled &+= 1 }
            let hit = table.process(packet, time: time)
            inspection.inspect(packet, hit: hit, time: time)
            return hit.isNew ? packet.originTag : nil
        case .nonIP(let kind):
            nonIP[kind, default: 0] += 1
        case .fragmentHeld:
            break
        case .failed(let reason):
            undecodable[Int(reason.rawValue)] &+= 1
        }
        return nil
    }

    /// Ends every open flow (as interrupted, or at end of input), completes the
    /// summary and finishes the writer.
    public func finish(interrupted: Bool) {
        summary.interrupted = interrupted
        gathering = classifier != nil
        table.endAll(reason: interrupted ? .interrupted : .eof)
        gathering = false
        if let classifier, !gathered.isEmpty {
            let labels = classifier.classifyBatch(gathered.map { ($0.flow, $0.evidence) })
            for (index, item) in gathered.enumerated() {
                var report = item.report
                report.classification = labels[index]
                emit(report)
            }
            gathered = []
        }
        decoder.reassembler.flush()
        let reassembler = decoder.reassembler
        undecodable[Int(DecodeFailure.fragmentIncomplete.rawValue)] &+= UInt64(reassembler.droppedIncomplete)
        undecodable[Int(DecodeFailure.fragmentInvalid.rawValue)] &+= UInt64(reassembler.droppedInvalid)
        undecodable[Int(DecodeFailure.fragmentLimit.rawValue)] &+= UInt64(reassembler.droppedLimit)
        for reason in DecodeFailure.allCases where undecodable[Int(reason.rawValue)] > 0 {
            summary.undecodable[reason.name] = undecodable[Int(reason.rawValue)]
        }
        for (kind, count) in nonIP { summary.nonIP[kind.name, default: 0] += count }
        summary.evictedFlows = table.flowsEvicted
        summary.peakActiveFlows = table.peakActiveFlows
        summary.flowsOverDissectionBudget = inspection.flowsOverBudget
        do {
            try writer.finish()
        } catch {
            if outputError == nil { outputError = error }
        }
    }

    public func flowEnded(slot: Int32, reason: EndReason, table: FlowTable) {
        let flow = table.summary(slot, reason: reason)
        summary.flows += 1
        summary.flowsByEndReason[reason.name, default: 0] += 1
        let evidence = inspection.finish(slot: slot, continues: reason == .active)
        guard outputError == nil else { return }
        let origin = locate(flow.flowID)
        var report = FlowReport(summary: flow, sourceFile: origin.source, firstFrame: origin.frame, nanosecondTimes: origin.nanosecond, evidence: evidence)
        if gathering {
            gathered.append((report, flow, evidence))
            return
        }
        report.classification = classifier?.classify(flow, evidence: evidence)
        emit(report)
    }

    private func emit(_ report: FlowReport) {
        if report.classification != nil { summary.platforms.add(report) }
        if keepsRecentFlows {
            if recent.count < PacketPipeline.recentCapacity { recent.append(report) } else { recent[recentNext] = report }
            recentNext = (recentNext + 1) % PacketPipeline.recentCapacity
        }
        guard outputError == nil else { return }
        do {
            try writer.write(report)
        } catch {
            outputError = error
        }
    }
}
