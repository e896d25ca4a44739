import Basics
import Classifier
import Capture
import Decoding
import Flows
import Reports

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Options of a live run beyond the analysis ones.
public struct LiveOptions: Sendable {
    public var analysis = AnalysisOptions()
    /// Stop after this many packets (all interfaces together).
    public var count: UInt64?
    /// Stop after this many seconds.
    public var duration: Double?

    public init() {}
}

/// Reads live capture handles through the packet pipeline: `cipherscope capture`.
///
/// One reading thread: `poll()` on the handles' selectable descriptors (non-blocking
/// handles), then up to a batch of frames from each ready handle, each saved to
/// the pcapng file and handed to the pipeline (the same as for files: on this
/// thread, or with `--threads` its flows sharded across more). Nothing blocks inside libpcap, so
/// a signal (handled without SA_RESTART) interrupts `poll()` and the loop stops
/// at once; the kernel ring (`--buffer-size`) absorbs bursts while the pipeline
/// works, and what it cannot hold is counted as dropped. Out of immediate mode the
/// kernel hands packets over in blocks, at the latest after the buffer timeout, so
/// idle expiry runs that much behind the wall clock. A stop (signal or
/// `--duration`) first reads every packet the kernel received before it: the
/// backlog in the ring and the blocks not yet handed over. About once a second the
/// loop reads the kernel counters, lets idle flows expire (and a sharded pipeline
/// report what its shards hold), flushes the pcapng file and redraws the live
/// view: nothing of that is done per packet.
public final class LiveAnalyzer {
    private let sources: [LiveCapture]
    private let options: LiveOptions
    private let pipeline: any FramePipeline
    private let packetFile: PcapngWriter?
    private let onSnapshot: ((LiveSnapshot) -> Void)?
    private let onInputError: (CaptureError) -> Void

    private var nextTag: UInt64 = 0
    private var stopped: [String?]
    /// Written into each pcapng file's statistics blocks.
    private var counters: [LiveCounters]
    /// The longest any handle may hold a packet back (0 in immediate mode).
    private let deliveryDelay: Int64
    private static let batch = 256

    /// `packetFile`'s statistics closure should read `LiveAnalyzer.statistics(of: sources)`.
    public init(sources: [LiveCapture], options: LiveOptions, writer: FlowReportWriter, classifier: Classifier? = nil,
                packetFile: PcapngWriter?, onSnapshot: ((LiveSnapshot) -> Void)?, onInputError: @escaping (CaptureError) -> Void) {
        self.sources = sources
        self.options = options
        self.packetFile = packetFile
        self.onSnapshot = onSnapshot
        self.onInputError = onInputError
        stopped = Array(repeating: nil, count: sources.count)
        counters = Array(repeating: LiveCounters(), count: sources.count)
        deliveryDelay = sources.map(\.deliveryDelay).max() ?? 0
        // One thread, or the flows sharded across `--threads` as for files.
        pipeline = makeFramePipeline(options: options.analysis, writer: writer, classifier: classifier)
        pipeline.keepsRecentFlows = onSnapshot != nil
        // The interfaces are the inputs, by their index.
        for (index, source) in sources.enumerated() {
            pipeline.announce(input: index, name: source.interface, nanosecond: source.nanosecondTimestamps)
        }
    }

    /// The first error writing the flows; the run stops there.
    public var outputError: OutputError? { pipeline.outputError }
    /// The first error writing the pcapng file; the run stops there.
    public private(set) var packetFileError: CaptureError?

    /// The interfaces' counters now, for the pcapng statistics blocks.
    public static func statistics(of sources: [LiveCapture]) -> [PcapngStatistics] {
        sources.map { PcapngStatistics(counters: $0.statistics(), delivered: $0.framesRead) }
    }

    /// Captures until a signal, `count`, `duration`, an output error, or every
    /// interface failing; then ends every open flow and finishes the writers.
    public func run() -> RunSummary {
        let started = SystemClock.monotonic()
        let deadline = options.duration.map { started + Int64($0 * 1e9) }
        var fds = sources.map { pollfd(fd: $0.selectableDescriptor, events: Int16(POLLIN), revents: 0) }
        var nextTick = started + 1_000_000_000
        var lastTick = (time: started, packets: UInt64(0), bytes: UInt64(0))
        var reachedCount = false
        var first = 0

        loop: while !StopSignal.isRequested {
            let now = SystemClock.monotonic()
            var wait = max(0, min(nextTick - now, 250_000_000))
            if let deadline { wait = max(0, min(wait, deadline - now)) }
            // EINTR (a signal) just ends the wait; the loop condition sees the request.
            _ = poll(&fds, nfds_t(fds.count), Int32(wait / 1_000_000))
            // Round-robin start so that a busy interface cannot starve the others.
            for step in 0..<sources.count {
                let index = (first + step) % sources.count
                guard stopped[index] == nil else { continue }
                if drain(index) == .countReached { reachedCount = true; break }
                if pipeline.outputError != nil || packetFileError != nil { break loop }
            }
            first = (first + 1) % max(sources.count, 1)
            if reachedCount { break }
            let after = SystemClock.monotonic()
            if let packetFile {
                do { try packetFile.rotateIfDue(now: after) } catch { packetFileError = error; break }
            }
            if after >= nextTick {
                nextTick = after + 1_000_000_000
                tick(started: started, now: after, last: &lastTick)
                if packetFileError != nil { break }
            }
            if let deadline, after >= deadline { break }
            if stopped.allSatisfy({ $0 != nil }) { break }
        }
        if !reachedCount && pipeline.outputError == nil && packetFileError == nil { readBeforeStop(&fds) }
        return finish(interrupted: StopSignal.isRequested && !reachedCount)
    }

    /// At a stop: reads every packet the kernel received before it — the backlog
    /// still in the ring, and what sits in blocks not yet handed over (they are
    /// within one delivery delay) — up to the first packet stamped after the stop.
    /// Bounded by the ring's size, and by `stopReadLimit` whatever the clocks say.
    private func readBeforeStop(_ fds: inout [pollfd]) {
        let stopTime = SystemClock.wall()
        let started = SystemClock.monotonic()
        let quietEnd = started + deliveryDelay + 10_000_000
        var done = stopped.map { $0 != nil }
        while !done.allSatisfy({ $0 }) {
            var more = false
            for index in sources.indices where !done[index] {
                switch drain(index, until: stopTime) {
                case .empty: break
                case .batchRead: more = true
                case .passedStop: done[index] = true
                case .countReached: return
                }
                if pipeline.outputError != nil || packetFileError != nil { return }
                if stopped[index] != nil { done[index] = true }
            }
            let now = SystemClock.monotonic()
            if now - started >= LiveAnalyzer.stopReadLimit { return }
            if more { continue }
            if now >= quietEnd { return }
            _ = poll(&fds, nfds_t(fds.count), Int32(max((quietEnd - now) / 1_000_000, 1)))
        }
    }

    /// The longest a stop reads on (ns): the backlog of a full ring takes well under it.
    private static let stopReadLimit: Int64 = 3_000_000_000

    private enum DrainResult { case empty, batchRead, passedStop, countReached }

    /// Reads what is waiting on one handle (a batch at most), stopping after the
    /// first frame stamped later than `stopTime`.
    @inline(__always)
    private func drain(_ index: Int, until stopTime: Int64 = .max) -> DrainResult {
        let source = sources[index]
        let linkType = LinkType(rawValue: source.linkType)
        for _ in 0..<LiveAnalyzer.batch {
            switch source.next() {
            case .frame(let frame):
                nextTag &+= 1
                if let packetFile {
                    do {
                        try packetFile.write(interface: index, time: frame.timestamp, bytes: frame.bytes, wireLength: frame.wireLength)
                    } catch {
                        packetFileError = error
                        return .empty
                    }
                }
                // A datagram reassembled from fragments starts where its first fragment came:
                // (nearly always) on the same interface, that many frames earlier.
                pipeline.process(frame.bytes, wireLength: frame.wireLength, linkType: linkType, tag: nextTag,
                                 origin: FrameOrigin(input: index, frame: frame.frameNumber), time: frame.timestamp)
                if let count = options.count, nextTag >= count { return .countReached }
                if pipeline.outputError != nil { return .empty }
                if frame.timestamp > stopTime { return .passedStop }
            case .none:
                return .empty
            case .failed(let error):
                stopped[index] = error.message
                pipeline.summary.inputErrors.append(error.description)
                onInputError(error)
                return .empty
            }
        }
        return .batchRead
    }

    /// Once a second: kernel counters, idle expiry, pcapng flush, live view.
    private func tick(started: Int64, now: Int64, last: inout (time: Int64, packets: UInt64, bytes: UInt64)) {
        // Behind the wall clock by the delivery delay: packets still held in the
        // kernel are older than now, and must not find their flow already expired.
        pipeline.advanceClock(to: SystemClock.wall() - deliveryDelay)
        if let packetFile {
            do { try packetFile.flush() } catch { packetFileError = error }
        }
        guard let onSnapshot else { return }
        let seconds = Double(now - last.time) / 1e9
        let packets = pipeline.packetsSeen, bytes = pipeline.bytesSeen
        let snapshot = LiveSnapshot(
            elapsedSeconds: Double(now - started) / 1e9, packets: packets,
            packetsPerSecond: seconds > 0 ? Double(packets - last.packets) / seconds : 0,
            bytesPerSecond: seconds > 0 ? Double(bytes - last.bytes) / seconds : 0,
            activeFlows: pipeline.activeFlows, endedFlows: pipeline.summary.flows,
            appProtocols: pipeline.activeAppProtocols(), interfaces: interfaceSummaries(), recent: pipeline.recentFlows)
        last = (now, packets, bytes)
        onSnapshot(snapshot)
    }

    private func interfaceSummaries() -> [RunSummary.InterfaceStats] {
        sources.indices.map { index in
            let source = sources[index]
            let counters = source.statistics()
            return RunSummary.InterfaceStats(
                name: source.interface, linkType: source.linkType, captured: source.framesRead,
                received: counters.received, dropped: counters.dropped, interfaceDropped: counters.interfaceDropped,
                error: stopped[index])
        }
    }

    private func finish(interrupted: Bool) -> RunSummary {
        let interfaces = interfaceSummaries()
        if let packetFile {
            do { try packetFile.close() } catch { if packetFileError == nil { packetFileError = error } }
        }
        for source in sources { source.close() }
        pipeline.finish(interrupted: interrupted)
        var summary = pipeline.summary
        summary.interfaces = interfaces
        summary.writtenFiles = packetFile?.files ?? []
        if let packetFileError { summary.inputErrors.append("cannot write packets: \(packetFileError)") }
        return summary
    }
}
