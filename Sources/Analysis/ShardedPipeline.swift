import Classifier
import Dispatch
import Decoding
import Flows
import Inspection
import Reports

/// The packet pipeline with its flows sharded across threads: with N threads, N - 1
/// shards and the calling thread.
///
/// The calling thread reads and decodes every frame, picks each packet's shard by
/// a symmetric hash of its flow key (both directions of a flow, and every fragment
/// of a datagram once reassembled, land on the same shard), and copies the packet
/// into that shard's batch. Each shard owns a flow table and its dissection and
/// runs on its own serial queue; batches go round a ring of buffers, so the calling
/// thread fills one while the shards work on the others. The shards' events (flow started,
/// DNS answer seen, flow ended) come back keyed by the frame that caused them and
/// are merged into the order a single table would have produced, then named,
/// labelled (by own facts in the shards when there are several; what spans flows
/// always here) and written on the calling thread: the output is the single-thread
/// output, line for line. Two things differ by design: `--max-flows` and the
/// reassembly budget are split evenly between the shards, so which flows are
/// evicted (or stop being dissected) under pressure can differ.
public final class ShardedPipeline: FramePipeline {
    private let decoder: PacketDecoder
    private var packet = DecodedPacket()
    private var counters = DecodeCounters()
    private let reporter: FlowReporter
    private let shards: [Shard]
    /// The run's flow clock, as a single table would keep it.
    private var clock: Int64 = .min
    /// Batches handed over so far; batch k fills buffer k % ring. The oldest batch
    /// still with the shards is collected once the ring is full, so the shards can
    /// run ahead of the reporting by up to `ring - 1` batches (absorbing batches that
    /// cost one side more than the other).
    private var handedOver = 0
    private var collected = 0
    private var filling: Int { handedOver % ShardedPipeline.ring }
    static let ring = 4
    private var pending = 0

    /// Packets per batch over all shards: large enough that handing batches over
    /// costs nothing per packet, small enough to stay in cache.
    static let batchPackets = 8192

    public var summary: RunSummary {
        get { reporter.summary }
        set { reporter.summary = newValue }
    }
    public var outputError: OutputError? { reporter.outputError }

    public init(options: AnalysisOptions, threads: Int, writer: FlowReportWriter, classifier: Classifier? = nil,
                locate: @escaping (UInt64) -> PacketPipeline.FrameOrigin) {
        decoder = PacketDecoder(fragmentLimits: options.fragmentLimits)
        reporter = FlowReporter(writer: writer, classifier: classifier, locate: locate)
        reporter.summary.maxFlows = options.flowTable.maxFlows
        // The calling thread reads, decodes and reports: N threads are N - 1 shards and it.
        let count = max(1, threads - 1)
        var configuration = options.flowTable
        configuration.maxFlows = max(1, (options.flowTable.maxFlows + count - 1) / count)
        shards = (0..<count).map { index in
            // With several shards, each also labels its flows by their own facts (the
            // reporter then only adds what spans flows); with one, that work balances
            // the two threads better on the reporting side.
            Shard(index: index, configuration: configuration, reassemblyBudget: FlowInspection.reassemblyBudget / count,
                  labeller: count > 1 ? classifier?.labeller : nil)
        }
    }

    @discardableResult
    @inline(__always)
    public func process(_ bytes: UnsafeRawBufferPointer, wireLength: UInt32, linkType: LinkType, tag: UInt64, time: Int64) -> UInt64? {
        reporter.summary.noteTime(time)
        guard counters.decode(bytes, wireLength: wireLength, linkType: linkType, tag: tag, time: time, decoder: decoder, into: &packet) else { return nil }
        // Where a single table would scan for idle flows, every shard scans.
        let newClock = max(clock, time)
        if FlowTable.scans(from: clock, to: newClock) {
            for shard in shards { shard.buffers[filling].appendScan(tag: tag, clock: newClock) }
        }
        clock = newClock
        var senderIsLow = false
        let hash = FlowKey(packet: packet, senderIsLow: &senderIsLow).hashValue64
        let shard = shards[ShardedPipeline.shard(of: hash, count: shards.count)]
        shard.buffers[filling].append(packet, time: time, clock: clock, tag: tag)
        pending += 1
        if pending >= ShardedPipeline.batchPackets || shard.buffers[filling].isNearlyFull { handOver() }
        return nil
    }

    /// The shard of a flow-key hash: its high bits, remixed, so that each shard's
    /// own table (which indexes by the low bits) still sees well-spread hashes.
    @inline(__always)
    static func shard(of hash: UInt64, count: Int) -> Int {
        let mixed = (hash ^ (hash >> 33)) &* 0xFF51_AFD7_ED55_8CCD
        return Int((mixed >> 32) % UInt64(count))
    }

    /// Hands the filled batch to the shards, then takes back and reports the
    /// previous one (the shards work on the new batch meanwhile).
    private func handOver() {
        for shard in shards { shard.submit(filling) }
        handedOver += 1
        // The buffer to fill next must be back from the shards.
        if handedOver - collected >= ShardedPipeline.ring { collectOldest() }
        pending = 0
    }

    /// Waits for buffer `index` of every shard, reports its events in run order and clears it.
    private func collectOldest() {
        collect(collected % ShardedPipeline.ring)
        collected += 1
    }

    private func collect(_ index: Int) {
        for shard in shards { shard.done.wait() }
        merge(shards.map { $0.buffers[index].events })
        for shard in shards { shard.buffers[index].clear() }
    }

    /// Reports the events of several shards in key order (each shard's are in order).
    private func merge(_ lists: [[(key: EventKey, event: FlowEvent)]]) {
        var heads = [Int](repeating: 0, count: lists.count)
        while true {
            var best = -1
            for i in lists.indices where heads[i] < lists[i].count {
                if best < 0 || lists[i][heads[i]].key < lists[best][heads[best]].key { best = i }
            }
            guard best >= 0 else { return }
            reporter.handle(lists[best][heads[best]].event)
            heads[best] += 1
        }
    }

    public func finish(interrupted: Bool) {
        reporter.summary.interrupted = interrupted
        // The last batch, then the one before it if still out.
        let last = filling
        for shard in shards { shard.submit(last) }
        handedOver += 1
        while collected < handedOver { collectOldest() }
        // Every open flow ends, in flow-id order across the shards, labelled together.
        let reason: EndReason = interrupted ? .interrupted : .eof
        for shard in shards { shard.endAll(reason: reason, into: last) }
        reporter.startGathering()
        merge(shards.map { $0.buffers[last].events })
        reporter.finishGathering()
        for shard in shards { shard.buffers[last].clear() }

        counters.finish(decoder: decoder, into: &reporter.summary)
        reporter.summary.evictedFlows = shards.reduce(0) { $0 + $1.tracker.table.flowsEvicted }
        reporter.summary.flowsOverDissectionBudget = shards.reduce(0) { $0 + $1.tracker.inspection.flowsOverBudget }
        reporter.finishWriter()
    }
}

/// One shard: a flow tracker on its own serial queue, with its ring of batch buffers.
/// The calling thread writes a buffer only while the shard is not working on it;
/// `submit` and `done` order the hand-overs (the queue and the semaphore give the
/// happens-before edges), hence `@unchecked Sendable`.
private final class Shard: @unchecked Sendable {
    let tracker: FlowTracker
    let buffers = (0..<ShardedPipeline.ring).map { _ in ShardBuffer() }
    let done = DispatchSemaphore(value: 0)
    private let queue: DispatchQueue
    /// The buffer whose batch is being processed (where events go).
    private var working = 0

    init(index: Int, configuration: FlowTableConfiguration, reassemblyBudget: Int, labeller: OwnLabeller?) {
        queue = DispatchQueue(label: "cipherscope.shard.\(index)")
        // The tracker's events go to this shard's working buffer. Unowned: the shard
        // owns the tracker, and a weak reference would make every retain of the shard slow.
        unowned(unsafe) var target: Shard? = nil
        tracker = FlowTracker(configuration: configuration, reassemblyBudget: reassemblyBudget, labeller: labeller) { event, key in
            target!.record(event, key: key)
        }
        tracker.table.scansOnItsOwn = false
        target = self
    }

    private func record(_ event: FlowEvent, key: EventKey) {
        buffers[working].events.append((key, event))
    }

    func submit(_ index: Int) {
        queue.async { [self] in
            run(index)
            done.signal()
        }
    }

    /// Ends every open flow now, into buffer `index` (the shard is idle).
    func endAll(reason: EndReason, into index: Int) {
        queue.sync { [self] in
            working = index
            tracker.endAll(reason: reason)
        }
    }

    private func run(_ index: Int) {
        working = index
        let buffer = buffers[index]
        let base = buffer.arena
        for i in 0..<buffer.entries.count {
            let entry = buffer.entries[i]
            if entry.isScan {
                tracker.expire(at: entry.clock, tag: entry.tag)
                continue
            }
            var packet = entry.packet
            packet.payload = UnsafeRawBufferPointer(start: packet.payload.count > 0 ? base + entry.payloadOffset : nil, count: packet.payload.count)
            packet.tcpOptions = UnsafeRawBufferPointer(
                start: packet.tcpOptions.count > 0 ? base + entry.optionsOffset : nil, count: packet.tcpOptions.count)
            tracker.table.observeClock(entry.clock)
            _ = tracker.track(packet, time: entry.time, tag: entry.tag)
        }
    }
}

/// A batch of packets for one shard: the decoded packets, their payload and TCP
/// option bytes copied into one arena (the capture's buffer is reused by the
/// next read), and the events the shard produced from them.
private final class ShardBuffer {
    struct Entry {
        /// Its `payload` and `tcpOptions` keep their counts; the bytes are in the arena.
        var packet: DecodedPacket
        var payloadOffset: Int
        var optionsOffset: Int
        var time: Int64
        var clock: Int64
        var tag: UInt64
        var isScan: Bool
    }

    var entries: [Entry] = []
    private(set) var arena: UnsafeMutableRawPointer
    private var capacity: Int
    private var used = 0
    var events: [(key: EventKey, event: FlowEvent)] = []

    static let arenaSize = 4 << 20

    init() {
        capacity = ShardBuffer.arenaSize
        arena = .allocate(byteCount: capacity, alignment: 16)
        entries.reserveCapacity(ShardedPipeline.batchPackets)
    }

    deinit { arena.deallocate() }

    /// Less than the largest packet's worth of room left: hand the batch over.
    var isNearlyFull: Bool { used > capacity - 300_000 }

    @inline(__always)
    func append(_ packet: DecodedPacket, time: Int64, clock: Int64, tag: UInt64) {
        let needed = packet.payload.count + packet.tcpOptions.count
        if used + needed > capacity { grow(to: used + needed) }
        let payloadOffset = copy(packet.payload)
        let optionsOffset = copy(packet.tcpOptions)
        entries.append(Entry(packet: packet, payloadOffset: payloadOffset, optionsOffset: optionsOffset,
                             time: time, clock: clock, tag: tag, isScan: false))
    }

    func appendScan(tag: UInt64, clock: Int64) {
        entries.append(Entry(packet: DecodedPacket(), payloadOffset: 0, optionsOffset: 0, time: clock, clock: clock, tag: tag, isScan: true))
    }

    @inline(__always)
    private func copy(_ bytes: UnsafeRawBufferPointer) -> Int {
        let offset = used
        if let start = bytes.baseAddress, bytes.count > 0 {
            (arena + offset).copyMemory(from: start, byteCount: bytes.count)
            used += bytes.count
        }
        return offset
    }

    /// Only ever while the buffer is being filled (never while a shard reads it).
    private func grow(to size: Int) {
        let grown = UnsafeMutableRawPointer.allocate(byteCount: max(size, capacity * 2), alignment: 16)
        grown.copyMemory(from: arena, byteCount: used)
        arena.deallocate()
        arena = grown
        capacity = max(size, capacity * 2)
    }

    func clear() {
        entries.removeAll(keepingCapacity: true)
        events.removeAll(keepingCapacity: true)
        used = 0
        if capacity > ShardBuffer.arenaSize * 4 {
            arena.deallocate()
            capacity = ShardBuffer.arenaSize
            arena = .allocate(byteCount: capacity, alignment: 16)
        }
    }
}
