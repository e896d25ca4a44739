import Classifier
import Decoding
import Flows
import Inspection
import Reports

/// The packet pipeline with its flows sharded across threads: with N threads, N - 1
/// shards and the calling thread. Everything about threads lives in this folder;
/// the stages it composes (decoder, flow trackers, reporter, classifier) are the
/// single-thread ones and know nothing of it.
///
/// The calling thread (the dispatcher) reads and decodes every frame, picks each
/// packet's shard by a symmetric hash of its flow key (both directions of a flow,
/// and every fragment of a datagram once reassembled, land on the same shard), and
/// copies the packet into that shard's batch. Each shard (`Shard`) owns a flow
/// tracker and runs on its own serial queue; batches go round a ring of buffers
/// (`ShardBuffer`), so the dispatcher fills one while the shards work on the others.
/// The shards' events (flow started, DNS answer seen, flow ended) come back keyed by
/// the frame that caused them and are merged (`mergeEvents`), with the readers'
/// announcements, into the order a single table would have produced, then named
/// on the calling thread. With several shards, each named flow that ended is then
/// labelled by its own facts, once, on a shard (with its next batch; see
/// `LabelJobs`), and the reporter adds only what spans flows, in order: the output
/// is the single-thread output, line for line. Two things differ by design:
/// `--max-flows` and the reassembly budget are split evenly between the shards, so
/// which flows are evicted (or stop being dissected) under pressure can differ.
public final class ShardedPipeline: FramePipeline {
    private let decoder: PacketDecoder
    private var packet = DecodedPacket()
    private var counters = DecodeCounters()
    private let reporter: FlowReporter
    private let shards: [Shard]
    /// Own labels are computed on the shards (with several; with one, that work
    /// balances the two threads better on the reporting side).
    private let labelsOnShards: Bool
    /// The run's flow clock, as a single table would keep it.
    private var clock: Int64 = .min
    /// The tag of the last frame read.
    private var lastTag: UInt64 = 0
    /// Batches handed over so far; batch k fills buffer k % ring. The oldest batch
    /// still with the shards is collected once the ring is full, so the shards can
    /// run ahead of the reporting by up to `ring - 1` batches (absorbing batches that
    /// cost one side more than the other).
    private var handedOver = 0
    private var collected = 0
    private var filling: Int { handedOver % ShardedPipeline.ring }
    static let ring = 4
    private var pending = 0
    /// The readers' announcements, by ring buffer, merged with that buffer's events.
    private var announcements: [[(key: EventKey, event: FlowEvent)]] = Array(repeating: [], count: ShardedPipeline.ring)
    private var announced: UInt64 = 0
    /// Named flows waiting for their own labels, oldest first, by the ring buffer
    /// whose label jobs hold them.
    private var waitingForLabels: [(buffer: Int, flows: [(flow: FlowSummary, evidence: FlowEvidence?)])] = []

    /// Packets per batch over all shards: large enough that handing batches over
    /// costs nothing per packet, small enough to stay in cache.
    static let batchPackets = 8192

    public var summary: RunSummary {
        get { reporter.summary }
        set { reporter.summary = newValue }
    }
    public var outputError: OutputError? { reporter.outputError }

    public init(options: AnalysisOptions, threads: Int, writer: FlowReportWriter, classifier: Classifier? = nil) {
        decoder = PacketDecoder(fragmentLimits: options.fragmentLimits)
        reporter = FlowReporter(writer: writer, classifier: classifier)
        reporter.summary.maxFlows = options.flowTable.maxFlows
        // The calling thread reads, decodes and reports: N threads are N - 1 shards and it.
        let count = max(1, threads - 1)
        var configuration = options.flowTable
        configuration.maxFlows = max(1, (options.flowTable.maxFlows + count - 1) / count)
        labelsOnShards = count > 1 && classifier != nil
        reporter.namesOnly = labelsOnShards
        let labeller = labelsOnShards ? classifier?.labeller : nil
        shards = (0..<count).map { index in
            Shard(index: index, configuration: configuration, reassemblyBudget: FlowInspection.reassemblyBudget / count, labeller: labeller)
        }
    }

    // MARK: Frames

    public func announce(input index: Int, name: String, nanosecond: Bool) {
        // After the last frame read, before the next one.
        announcements[filling].append((EventKey(tag: lastTag, phase: 3, order: announced), .input(index: index, name: name, nanosecond: nanosecond)))
        announced += 1
    }

    @inline(__always)
    public func process(_ bytes: UnsafeRawBufferPointer, wireLength: UInt32, linkType: LinkType, tag: UInt64, origin: FrameOrigin, time: Int64) {
        reporter.summary.noteTime(time)
        lastTag = tag
        guard counters.decode(bytes, wireLength: wireLength, linkType: linkType, tag: tag, time: time, decoder: decoder, into: &packet) else { return }
        // Where a single table would scan for idle flows, every shard scans.
        let newClock = max(clock, time)
        if FlowTable.scans(from: clock, to: newClock) {
            for shard in shards { shard.buffers[filling].appendScan(tag: tag, clock: newClock, afterPacket: false) }
        }
        clock = newClock
        var senderIsLow = false
        let hash = FlowKey(packet: packet, senderIsLow: &senderIsLow).hashValue64
        let shard = shards[ShardedPipeline.shard(of: hash, count: shards.count)]
        shard.buffers[filling].append(packet, time: time, clock: clock, tag: tag, origin: origin.back(by: tag &- packet.originTag))
        pending += 1
        if pending >= ShardedPipeline.batchPackets || shard.buffers[filling].isNearlyFull { handOver() }
    }

    /// The shard of a flow-key hash: its high bits, remixed, so that each shard's
    /// own table (which indexes by the low bits) still sees well-spread hashes.
    @inline(__always)
    static func shard(of hash: UInt64, count: Int) -> Int {
        let mixed = (hash ^ (hash >> 33)) &* 0xFF51_AFD7_ED55_8CCD
        return Int((mixed >> 32) % UInt64(count))
    }

    public func advanceClock(to time: Int64) {
        let newClock = max(clock, time)
        if FlowTable.scans(from: clock, to: newClock) {
            for shard in shards { shard.buffers[filling].appendScan(tag: lastTag, clock: newClock, afterPacket: true) }
        }
        clock = newClock
        drain()
    }

    // MARK: Batches

    /// Hands the filled batch to the shards, then takes back and reports the
    /// oldest one once the ring is full (the shards work on the newer ones meanwhile).
    private func handOver() {
        for shard in shards { shard.submit(filling) }
        handedOver += 1
        // The buffer to fill next must be back from the shards.
        if handedOver - collected >= ShardedPipeline.ring { collectOldest() }
        pending = 0
    }

    private func collectOldest() {
        collect(collected % ShardedPipeline.ring)
        collected += 1
    }

    /// Waits for buffer `index` of every shard; reports the flows it labelled,
    /// then its events in run order; leaves it with the label jobs of the flows
    /// that ended there, for its next batch.
    private func collect(_ index: Int) {
        for shard in shards { shard.done.wait() }
        reportLabelled(upTo: index)
        report(index)
    }

    /// Merges and reports the events of buffer `index` (every shard idle there),
    /// clears it and, with labels on the shards, gives it the label jobs of the
    /// flows that ended.
    private func report(_ index: Int) {
        do {
            // Released before the buffers are cleared (which would copy them otherwise).
            var lists = shards.map { $0.buffers[index].events }
            lists.append(announcements[index])
            mergeEvents(lists) { reporter.handle($0) }
        }
        for shard in shards { shard.buffers[index].clear() }
        announcements[index].removeAll(keepingCapacity: true)
        guard labelsOnShards, !reporter.named.isEmpty else { return }
        // Spread evenly: flow i to shard i % count, as its job i / count.
        for (i, named) in reporter.named.enumerated() {
            shards[i % shards.count].buffers[index].labelJobs.append(named)
        }
        waitingForLabels.append((index, reporter.named))
        reporter.named.removeAll(keepingCapacity: true)
    }

    /// Reports, in order, the flows labelled so far, up to those of buffer `index`
    /// (whose shards are idle).
    private func reportLabelled(upTo index: Int) {
        guard let first = waitingForLabels.first, first.buffer == index else { return }
        waitingForLabels.removeFirst()
        for (i, named) in first.flows.enumerated() {
            let own = shards[i % shards.count].buffers[index].labels[i / shards.count]
            reporter.ended(named.flow, evidence: named.evidence, own: own)
        }
        for shard in shards { shard.buffers[index].clearLabels() }
    }

    /// Hands over what is filled, collects every batch, has the shards label every
    /// waiting flow and reports them: nothing stays with the shards, which are idle.
    private func drain() {
        for shard in shards { shard.submit(filling) }
        handedOver += 1
        pending = 0
        while collected < handedOver { collectOldest() }
        guard !waitingForLabels.isEmpty else { return }
        let buffers = waitingForLabels.map(\.buffer)
        for shard in shards { shard.label(buffers) }
        for shard in shards { shard.done.wait() }
        while let next = waitingForLabels.first { reportLabelled(upTo: next.buffer) }
    }

    // MARK: End of run

    public func finish(interrupted: Bool) {
        reporter.summary.interrupted = interrupted
        drain()
        // Every open flow ends, in flow-id order across the shards, labelled together.
        let last = filling
        let reason: EndReason = interrupted ? .interrupted : .eof
        for shard in shards { shard.endAll(reason: reason, into: last) }
        reporter.startGathering()
        report(last)
        if !waitingForLabels.isEmpty {
            for shard in shards { shard.label([last]) }
            for shard in shards { shard.done.wait() }
            reportLabelled(upTo: last)
        }
        reporter.finishGathering()

        counters.finish(decoder: decoder, into: &reporter.summary)
        reporter.summary.evictedFlows = shards.reduce(0) { $0 + $1.tracker.table.flowsEvicted }
        reporter.summary.flowsOverDissectionBudget = shards.reduce(0) { $0 + $1.tracker.inspection.flowsOverBudget }
        reporter.finishWriter()
    }

    // MARK: Live view (the shards are idle after `advanceClock(to:)`)

    public var packetsSeen: UInt64 { counters.packets }
    public var bytesSeen: UInt64 { counters.bytes }
    public var activeFlows: Int { shards.reduce(0) { $0 + $1.tracker.table.activeFlows } }

    public func activeAppProtocols() -> [String: Int] {
        shards.reduce(into: [:]) { counts, shard in
            counts.merge(shard.tracker.inspection.appProtocolCounts(), uniquingKeysWith: +)
        }
    }

    public var keepsRecentFlows: Bool {
        get { reporter.keepsRecentFlows }
        set { reporter.keepsRecentFlows = newValue }
    }

    public var recentFlows: [FlowReport] { reporter.recentFlows }
}

/// Reports several lists of keyed events (each in key order) in key order.
func mergeEvents(_ lists: [[(key: EventKey, event: FlowEvent)]], into report: (FlowEvent) -> Void) {
    var heads = [Int](repeating: 0, count: lists.count)
    while true {
        var best = -1
        for i in lists.indices where heads[i] < lists[i].count {
            if best < 0 || lists[i][heads[i]].key < lists[best][heads[best]].key { best = i }
        }
        guard best >= 0 else { return }
        report(lists[best][heads[best]].event)
        heads[best] += 1
    }
}
