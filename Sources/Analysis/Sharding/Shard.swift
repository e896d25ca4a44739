import Classifier
import Dispatch
import Decoding
import Flows
import Inspection

/// One shard: a flow tracker on its own serial queue, with its ring of batch buffers.
/// The calling thread writes a buffer only while the shard is not working on it;
/// `submit` and `done` order the hand-overs (the queue and the semaphore give the
/// happens-before edges), hence `@unchecked Sendable`.
final class Shard: @unchecked Sendable {
    let tracker: FlowTracker
    let buffers = (0..<ShardedPipeline.ring).map { _ in ShardBuffer() }
    let done = DispatchSemaphore(value: 0)
    private let queue: DispatchQueue
    /// The buffer whose batch is being processed (where events go).
    private var working = 0

    /// Labels named flows by their own facts (nil: the reporter does).
    private let labeller: OwnLabeller?

    init(index: Int, configuration: FlowTableConfiguration, reassemblyBudget: Int, labeller: OwnLabeller?) {
        queue = DispatchQueue(label: "cipherscope.shard.\(index)")
        self.labeller = labeller
        // The tracker's events go to this shard's working buffer. Unowned: the shard
        // owns the tracker, and a weak reference would make every retain of the shard slow.
        unowned(unsafe) var target: Shard? = nil
        tracker = FlowTracker(configuration: configuration, reassemblyBudget: reassemblyBudget) { event, key in
            target!.record(event, key: key)
        }
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

    /// Computes the label jobs of `indexes` now (the buffers are idle); `done` tells.
    func label(_ indexes: [Int]) {
        queue.async { [self] in
            for index in indexes { labelJobs(of: index) }
            done.signal()
        }
    }

    private func labelJobs(of index: Int) {
        let buffer = buffers[index]
        guard let labeller, buffer.labels.count < buffer.labelJobs.count else { return }
        for job in buffer.labelJobs[buffer.labels.count...] {
            buffer.labels.append(labeller.label(job.flow, evidence: job.evidence))
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
        // The flows the reporter named since this buffer's last batch, first.
        labelJobs(of: index)
        working = index
        let buffer = buffers[index]
        let base = buffer.arena
        for i in 0..<buffer.entries.count {
            let entry = buffer.entries[i]
            if entry.kind != .packet {
                tracker.expire(at: entry.clock, tag: entry.tag, afterPacket: entry.kind == .scanAfter)
                continue
            }
            var packet = entry.packet
            packet.payload = UnsafeRawBufferPointer(start: packet.payload.count > 0 ? base + entry.payloadOffset : nil, count: packet.payload.count)
            packet.tcpOptions = UnsafeRawBufferPointer(
                start: packet.tcpOptions.count > 0 ? base + entry.optionsOffset : nil, count: packet.tcpOptions.count)
            tracker.table.observeClock(entry.clock)
            tracker.track(packet, time: entry.time, tag: entry.tag, origin: entry.origin, scans: false)
        }
    }
}

/// A batch of packets for one shard: the decoded packets, their payload and TCP
/// option bytes copied into one arena (the capture's buffer is reused by the
/// next read), and the events the shard produced from them; and the flows the
/// reporter named from this buffer's previous batch, to label by their own facts.
final class ShardBuffer {
    struct Entry {
        /// Its `payload` and `tcpOptions` keep their counts; the bytes are in the arena.
        var packet: DecodedPacket
        var payloadOffset: Int
        var optionsOffset: Int
        var time: Int64
        var clock: Int64
        var tag: UInt64
        var origin: FrameOrigin
        var kind: Kind
    }

    enum Kind: UInt8 {
        /// A packet; an idle scan before the packet `tag`; one after it (a clock moved without a packet).
        case packet, scanBefore, scanAfter
    }

    var entries: [Entry] = []
    private(set) var arena: UnsafeMutableRawPointer
    private var capacity: Int
    private var used = 0
    var events: [(key: EventKey, event: FlowEvent)] = []
    /// Named flows to label (written by the dispatcher while the shard is idle here),
    /// and their labels in the same order (written by the shard).
    var labelJobs: [(flow: FlowSummary, evidence: FlowEvidence?)] = []
    var labels: [OwnLabel] = []

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
    func append(_ packet: DecodedPacket, time: Int64, clock: Int64, tag: UInt64, origin: FrameOrigin) {
        let needed = packet.payload.count + packet.tcpOptions.count
        if used + needed > capacity { grow(to: used + needed) }
        let payloadOffset = copy(packet.payload)
        let optionsOffset = copy(packet.tcpOptions)
        entries.append(Entry(packet: packet, payloadOffset: payloadOffset, optionsOffset: optionsOffset,
                             time: time, clock: clock, tag: tag, origin: origin, kind: .packet))
    }

    func appendScan(tag: UInt64, clock: Int64, afterPacket: Bool) {
        entries.append(Entry(packet: DecodedPacket(), payloadOffset: 0, optionsOffset: 0, time: clock, clock: clock, tag: tag,
                             origin: FrameOrigin(), kind: afterPacket ? .scanAfter : .scanBefore))
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

    func clearLabels() {
        labelJobs.removeAll(keepingCapacity: true)
        labels.removeAll(keepingCapacity: true)
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
