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
    /// Threads that track and dissect flows (sharded by a symmetric hash of the
    /// flow key); 1 runs every stage on the calling thread.
    public var threads = 1

    public init() {}
}

/// The stages a capture's frames go through, on one thread (`PacketPipeline`) or
/// with the flows sharded across threads (`ShardedPipeline`): the one interface the
/// readers (`Analyzer`, `LiveAnalyzer`) use. Whatever the threads, the flows come
/// out in the same order with the same content.
public protocol FramePipeline: AnyObject {
    /// Announces input `index` (a file, an interface) before its frames, and again
    /// when what is known of it changes; `FrameOrigin.input` refers to it.
    func announce(input index: Int, name: String, nanosecond: Bool)
    /// One captured frame: `tag` is unique and increasing over the run (the id of a
    /// flow it starts), `origin` its input and frame number there.
    func process(_ bytes: UnsafeRawBufferPointer, wireLength: UInt32, linkType: LinkType, tag: UInt64, origin: FrameOrigin, time: Int64)
    /// Moves the flow clock to `time` without a packet (live capture in silence), so
    /// flows idle past their timeout end, and reports every flow that ended so far.
    func advanceClock(to time: Int64)
    /// Ends every open flow, completes the summary and finishes the writer.
    func finish(interrupted: Bool)
    var summary: RunSummary { get set }
    /// The first error writing the output; the caller should stop reading.
    var outputError: OutputError? { get }

    // For a live view, read right after `advanceClock(to:)`.
    /// Frames and bytes read so far (the summary has them at the end).
    var packetsSeen: UInt64 { get }
    var bytesSeen: UInt64 { get }
    /// Open flows now.
    var activeFlows: Int { get }
    /// Open flows by application protocol ("" while not told).
    func activeAppProtocols() -> [String: Int]
    /// Keep the last few ended flows (`recentFlows`).
    var keepsRecentFlows: Bool { get set }
    /// The last flows that ended, newest first (only with `keepsRecentFlows`).
    var recentFlows: [FlowReport] { get }
}

/// The pipeline for `options`: on one thread, or sharded when `options.threads` > 1.
public func makeFramePipeline(options: AnalysisOptions, writer: FlowReportWriter, classifier: Classifier? = nil) -> any FramePipeline {
    options.threads > 1
        ? ShardedPipeline(options: options, threads: options.threads, writer: writer, classifier: classifier)
        : PacketPipeline(options: options, writer: writer, classifier: classifier)
}

/// The per-packet stages shared by file analysis and live capture, on one thread:
/// decode, track the flow, dissect its first packets, and hand every flow that
/// ends, with its evidence, to the reporter (names, labels, the report writer).
public final class PacketPipeline: FramePipeline {
    private let decoder: PacketDecoder
    private let tracker: FlowTracker
    private let reporter: FlowReporter
    private var packet = DecodedPacket()
    private var counters = DecodeCounters()

    public var summary: RunSummary {
        get { reporter.summary }
        set { reporter.summary = newValue }
    }
    /// The first error writing the output; the caller should stop reading.
    public var outputError: OutputError? { reporter.outputError }

    public init(options: AnalysisOptions, writer: FlowReportWriter, classifier: Classifier? = nil) {
        decoder = PacketDecoder(fragmentLimits: options.fragmentLimits)
        let reporter = FlowReporter(writer: writer, classifier: classifier)
        self.reporter = reporter
        tracker = FlowTracker(configuration: options.flowTable) { event, _ in reporter.handle(event) }
        reporter.summary.maxFlows = options.flowTable.maxFlows
    }

    public var packetsSeen: UInt64 { counters.packets }
    public var bytesSeen: UInt64 { counters.bytes }
    public var activeFlows: Int { tracker.table.activeFlows }

    public var keepsRecentFlows: Bool {
        get { reporter.keepsRecentFlows }
        set { reporter.keepsRecentFlows = newValue }
    }

    public var recentFlows: [FlowReport] { reporter.recentFlows }

    /// Walks the inspection slots: about once a second at most, never per packet.
    public func activeAppProtocols() -> [String: Int] { tracker.inspection.appProtocolCounts() }

    public func advanceClock(to time: Int64) { tracker.table.advanceClock(to: time) }

    public func announce(input index: Int, name: String, nanosecond: Bool) {
        reporter.handle(.input(index: index, name: name, nanosecond: nanosecond))
    }

    @inline(__always)
    public func process(_ bytes: UnsafeRawBufferPointer, wireLength: UInt32, linkType: LinkType, tag: UInt64, origin: FrameOrigin, time: Int64) {
        reporter.summary.noteTime(time)
        guard counters.decode(bytes, wireLength: wireLength, linkType: linkType, tag: tag, time: time, decoder: decoder, into: &packet) else { return }
        // A datagram reassembled from fragments starts where its first fragment came.
        tracker.track(packet, time: time, tag: tag, origin: origin.back(by: tag &- packet.originTag))
    }

    /// Ends every open flow (as interrupted, or at end of input), completes the
    /// summary and finishes the writer.
    public func finish(interrupted: Bool) {
        reporter.summary.interrupted = interrupted
        reporter.startGathering()
        tracker.endAll(reason: interrupted ? .interrupted : .eof)
        reporter.finishGathering()
        counters.finish(decoder: decoder, into: &reporter.summary)
        reporter.summary.evictedFlows = tracker.table.flowsEvicted
        reporter.summary.flowsOverDissectionBudget = tracker.inspection.flowsOverBudget
        reporter.finishWriter()
    }
}

/// The decoding stage's counters for the run summary (kept by whoever decodes).
struct DecodeCounters {
    var packets: UInt64 = 0
    var bytes: UInt64 = 0
    var flowPackets: UInt64 = 0
    var fragmentsReassembled: UInt64 = 0
    var undecodable = [UInt64](repeating: 0, count: DecodeFailure.allCases.count)
    var nonIP: [NonIPKind: UInt64] = [:]

    /// Decodes one frame into `packet`; true when it holds a flow packet.
    @inline(__always)
    mutating func decode(
        _ bytes: UnsafeRawBufferPointer, wireLength: UInt32, linkType: LinkType, tag: UInt64, time: Int64,
        decoder: PacketDecoder, into packet: inout DecodedPacket
    ) -> Bool {
        packets &+= 1
        self.bytes &+= UInt64(wireLength)
        switch decoder.decode(bytes, linkType: linkType, tag: tag, time: time, into: &packet) {
        case .packet:
            flowPackets &+= UInt64(packet.frames)
            if packet.frames > 1 { fragmentsReassembled &+= 1 }
            return true
        case .nonIP(let kind):
            nonIP[kind, default: 0] += 1
        case .fragmentHeld:
            break
        case .failed(let reason):
            undecodable[Int(reason.rawValue)] &+= 1
        }
        return false
    }

    /// Adds the counters, and the fragments the reassembler dropped, to `summary`.
    mutating func finish(decoder: PacketDecoder, into summary: inout RunSummary) {
        decoder.reassembler.flush()
        let reassembler = decoder.reassembler
        undecodable[Int(DecodeFailure.fragmentIncomplete.rawValue)] &+= UInt64(reassembler.droppedIncomplete)
        undecodable[Int(DecodeFailure.fragmentInvalid.rawValue)] &+= UInt64(reassembler.droppedInvalid)
        undecodable[Int(DecodeFailure.fragmentLimit.rawValue)] &+= UInt64(reassembler.droppedLimit)
        summary.packets &+= packets
        summary.bytes &+= bytes
        summary.flowPackets &+= flowPackets
        summary.fragmentsReassembled &+= fragmentsReassembled
        for reason in DecodeFailure.allCases where undecodable[Int(reason.rawValue)] > 0 {
            summary.undecodable[reason.name, default: 0] += undecodable[Int(reason.rawValue)]
        }
        for (kind, count) in nonIP { summary.nonIP[kind.name, default: 0] += count }
        packets = 0
        bytes = 0
        flowPackets = 0
        fragmentsReassembled = 0
        undecodable = [UInt64](repeating: 0, count: DecodeFailure.allCases.count)
        nonIP = [:]
    }
}
