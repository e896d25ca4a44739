import Decoding

/// Timeouts and limits of the flow table. Times are in nanoseconds of capture time.
public struct FlowTableConfiguration: Sendable {
    public var maxFlows: Int = 1_000_000
    public var tcpIdleTimeout: Int64 = 300 * 1_000_000_000
    public var udpIdleTimeout: Int64 = 120 * 1_000_000_000
    public var otherIdleTimeout: Int64 = 60 * 1_000_000_000
    /// How long a closed TCP flow (FIN both ways, or RST) lingers for late packets.
    public var closedLinger: Int64 = 10 * 1_000_000_000
    /// Flows longer than this are split; zero disables splitting.
    public var activeTimeout: Int64 = 1800 * 1_000_000_000
    /// The Community ID seed (`--community-id-seed`; Zeek's `CommunityID::seed`,
    /// Suricata's `community-id-seed`).
    public var communityIDSeed: UInt16 = 0

    public init() {}
}

/// Told about each flow that ends, while its slot still holds it.
public protocol FlowEndHandler: AnyObject {
    func flowEnded(slot: Int32, reason: EndReason, table: FlowTable)
}

/// Where a packet went in the table.
public struct FlowHit {
    public var slot: Int32
    /// 0: client to server, 1: server to client.
    public var direction: UInt8
    /// The packet's number within its flow, from 1 (frames, so a reassembled
    /// datagram counts its fragments).
    public var packetNumber: UInt64
    /// The packet started this flow (or the next part of a split flow).
    public var isNew: Bool
}

/// The bidirectional flow table: open addressing over a contiguous pool of
/// `FlowState`s, intrusive per-timeout lists for expiry and eviction, and the
/// first payload lengths/gaps and tunnels kept beside, by the flows that have them. Nothing on the per-packet path allocates
/// once the table has grown to its working size.
public final class FlowTable {
    enum TimeoutClass: UInt8, CaseIterable {
        case tcp = 0, udp, other, closed
    }

    public let configuration: FlowTableConfiguration
    /// Not weak: a weak reference would give the handler a side table and make
    /// every retain of it slow; the handler owns the table and outlives it.
    public unowned(unsafe) var endHandler: FlowEndHandler?

    /// Flow states by slot; `capacity` slots allocated, grown by doubling up to `maxFlows`.
    public private(set) var slots: UnsafeMutablePointer<FlowState>
    private var slotInUse: UnsafeMutablePointer<Bool>
    /// Payload lengths and gaps (microseconds) of the first `sequenceLength` payload packets.
    private var sequences = PayloadSequenceStore()
    /// The tunnels of the flows whose first packet came through one, by slot.
    private var tunnels: [Int32: TunnelInfo] = [:]
    public private(set) var capacity: Int
    private var freeSlots: [Int32] = []
    private var nextUnusedSlot: Int32 = 0

    /// Open-addressing index: each entry is (low 32 bits of the hash << 32) | (slot + 1);
    /// 0 is empty. The low bits hold the entry's home position, so removing an entry
    /// never reads the flow states of its probe run; the bits above the index size
    /// tell keys apart before their full comparison.
    private var index: UnsafeMutablePointer<UInt64>
    private var indexMask: Int

    private var oldest = [Int32](repeating: -1, count: TimeoutClass.allCases.count)
    private var newest = [Int32](repeating: -1, count: TimeoutClass.allCases.count)
    private let idleTimeouts: [Int64]

    public private(set) var activeFlows = 0
    public private(set) var flowsCreated: UInt64 = 0
    public private(set) var flowsEvicted: UInt64 = 0
    public private(set) var peakActiveFlows = 0
    /// The latest capture time seen (time never runs backwards here).
    public private(set) var clock: Int64 = .min
    /// The table scans once per second of capture time, when the clock enters a new
    /// second: this is the first time of the second after the last scan's (one
    /// comparison per packet, not a division; .min + 1: scan at the first packet).
    private var nextScanTime: Int64 = .min + 1
    /// Flows found idle by a scan, ended in flow-id order (reused).
    private var due: [(flowID: UInt64, slot: Int32)] = []

    public init(configuration: FlowTableConfiguration = .init()) {
        self.configuration = configuration
        idleTimeouts = [configuration.tcpIdleTimeout, configuration.udpIdleTimeout, configuration.otherIdleTimeout, configuration.closedLinger]
        capacity = min(max(configuration.maxFlows, 1), 1024)
        slots = .allocate(capacity: capacity)
        slotInUse = .allocate(capacity: capacity)
        slotInUse.initialize(repeating: false, count: capacity)
        let indexSize = FlowTable.indexSize(for: capacity)
        index = .allocate(capacity: indexSize)
        index.initialize(repeating: 0, count: indexSize)
        indexMask = indexSize - 1
    }

    deinit {
        slots.deallocate()
        slotInUse.deallocate()
        sequences.deallocate()
        index.deallocate()
    }

    static func indexSize(for capacity: Int) -> Int {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        return size
    }

    /// Bytes the table holds per flow slot (state, in-use flag and index share),
    /// without the payload sequence's chunks (`sequenceChunkBytes` per 8 payload packets).
    public static var bytesPerFlow: Int {
        MemoryLayout<FlowState>.stride + 1 + 2 * MemoryLayout<UInt64>.stride
    }

    public static var sequenceChunkBytes: Int { PayloadSequenceStore.chunkLength * (2 + 4) }

    // MARK: Packets

    /// Accounts one packet to its flow, creating, splitting or ending flows as needed.
    /// `time` is the packet's capture time in nanoseconds; `origin` where its first
    /// frame came from (kept by a flow it starts). The clock moves to `time`, and
    /// once per second of capture time the table scans for idle flows first.
    @inline(__always)
    public func process(_ packet: DecodedPacket, time: Int64, origin: FrameOrigin = FrameOrigin()) -> FlowHit {
        if time > clock { clock = time }
        if clock >= nextScanTime { expireIdle() }
        return account(packet, time: time, origin: origin)
    }

    /// The same, without the clock's idle scan: the owner moves the clock
    /// (`observeClock`) and scans (`expire(at:)`) where it decides.
    @inline(__always)
    public func processWithoutScan(_ packet: DecodedPacket, time: Int64, origin: FrameOrigin = FrameOrigin()) -> FlowHit {
        if time > clock { clock = time }
        return account(packet, time: time, origin: origin)
    }

    @inline(__always)
    private func account(_ packet: DecodedPacket, time: Int64, origin: FrameOrigin) -> FlowHit {

        var senderIsLow = false
        let key = FlowKey(packet: packet, senderIsLow: &senderIsLow)
        let hash = key.hashValue64
        var slot = find(key, hash: hash)
        var isNew = false

        if slot >= 0 {
            let state = slots + Int(slot)
            // Idle past its timeout (the expiry scan may not have reached it yet).
            if time - state.pointee.lastSeen >= idleTimeouts[Int(state.pointee.timeoutClass)] {
                end(slot, reason: idleEndReason(state.pointee))
                slot = -1
            } else if state.pointee.timeoutClass == TimeoutClass.closed.rawValue
                && packet.tcpFlags & (TCPFlags.syn | TCPFlags.ack) == TCPFlags.syn {
                end(slot, reason: state.pointee.tcp.isDisjoint(with: [.rstC2S, .rstS2C]) ? .fin : .rst)
                slot = -1
            } else if configuration.activeTimeout > 0 && time - state.pointee.firstSeen >= configuration.activeTimeout {
                slot = split(slot, packet: packet, time: time, origin: origin)
                isNew = true
            }
        }
        if slot < 0 {
            slot = create(key, hash: hash, senderIsLow: senderIsLow, packet: packet, time: time, origin: origin)
            isNew = true
        }
        let state = slots + Int(slot)
        let direction: UInt8 = senderIsLow == state.pointee.initiatorIsLow ? 0 : 1
        account(state, slot: slot, direction: direction, packet: packet, time: time)
        return FlowHit(slot: slot, direction: direction, packetNumber: state.pointee.packets, isNew: isNew)
    }

    @inline(__always)
    private func account(_ state: UnsafeMutablePointer<FlowState>, slot: Int32, direction: UInt8, packet: DecodedPacket, time: Int64) {
        let frames = UInt64(packet.frames)
        let payload = UInt64(packet.payloadLength)
        let flags = packet.tcpFlags
        if direction == 0 {
            if state.pointee.c2s.packets == 0 { state.pointee.c2s.firstSeen = time }
            state.pointee.c2s.packets &+= frames
            state.pointee.c2s.ipBytes &+= UInt64(packet.ipBytes)
            state.pointee.c2s.payloadBytes &+= payload
            state.pointee.c2s.lastSeen = time
            state.pointee.c2sFlags |= flags
        } else {
            if state.pointee.s2c.packets == 0 { state.pointee.s2c.firstSeen = time }
            state.pointee.s2c.packets &+= frames
            state.pointee.s2c.ipBytes &+= UInt64(packet.ipBytes)
            state.pointee.s2c.payloadBytes &+= payload
            state.pointee.s2c.lastSeen = time
            state.pointee.s2cFlags |= flags
        }
        if time > state.pointee.lastSeen { state.pointee.lastSeen = time }

        if payload > 0 && state.pointee.sequenceCount < sequenceLength {
            let n = Int(state.pointee.sequenceCount)
            let (chunkIndex, entry) = n.quotientAndRemainder(dividingBy: PayloadSequenceStore.chunkLength)
            if entry == 0 { state.pointee.sequenceChunks[chunkIndex] = sequences.allocate() }
            let gap = n == 0 ? 0 : max(0, time - state.pointee.lastPayloadTime) / 1000
            sequences.store(
                state.pointee.sequenceChunks[chunkIndex], entry,
                length: UInt16(truncatingIfNeeded: min(payload, 0xFFFF)),
                gap: UInt32(truncatingIfNeeded: min(gap, Int64(UInt32.max))))
            if direction == 1 { state.pointee.sequenceDirections |= 1 << UInt32(n) }
            state.pointee.sequenceCount += 1
            state.pointee.lastPayloadTime = time
        }

        if packet.proto == IPProtocol.tcp {
            var progress = state.pointee.tcp
            let synAck = TCPFlags.syn | TCPFlags.ack
            if flags & synAck == TCPFlags.syn && direction == 0 { progress.insert(.syn) }
            if flags & synAck == synAck && direction == 1 { progress.insert(.synAck) }
            if flags & synAck == TCPFlags.ack && direction == 0 && progress.contains(.synAck) { progress.insert(.established) }
            if flags & TCPFlags.fin != 0 { progress.insert(direction == 0 ? .finC2S : .finS2C) }
            if flags & TCPFlags.rst != 0 { progress.insert(direction == 0 ? .rstC2S : .rstS2C) }
            state.pointee.tcp = progress
            if progress.isClosed && state.pointee.timeoutClass != TimeoutClass.closed.rawValue {
                unlink(slot)
                state.pointee.timeoutClass = TimeoutClass.closed.rawValue
                linkNewest(slot)
            }
        }
    }

    // MARK: Creating and ending flows

    private func create(_ key: FlowKey, hash: UInt64, senderIsLow: Bool, packet: DecodedPacket, time: Int64, origin: FrameOrigin) -> Int32 {
        if activeFlows >= configuration.maxFlows { evictOldest() }
        let slot = allocateSlot()
        // The initiator is the SYN sender; a lone SYN+ACK was answered by the other side.
        var initiatorIsLow = senderIsLow
        if packet.proto == IPProtocol.tcp && packet.tcpFlags & (TCPFlags.syn | TCPFlags.ack) == (TCPFlags.syn | TCPFlags.ack) {
            initiatorIsLow = !senderIsLow
        }
        // Likewise a lone ICMP reply: the requester is the initiator (as Zeek orients it).
        if packet.proto == IPProtocol.icmp || packet.proto == IPProtocol.icmpv6,
           ICMPKeying.isReplyType(packet.icmpType, v6: packet.proto == IPProtocol.icmpv6) {
            initiatorIsLow = !senderIsLow
        }
        let timeoutClass: TimeoutClass = switch packet.proto {
        case IPProtocol.tcp: .tcp
        case IPProtocol.udp: .udp
        default: .other
        }
        let firstTime = min(packet.originTime, time)
        let tunnelled = packet.tunnel.kind != .none
        (slots + Int(slot)).initialize(to: FlowState(
            key: key, initiatorIsLow: initiatorIsLow, ipVersion: packet.ipVersion,
            icmpType: packet.icmpType, icmpCode: packet.icmpCode,
            flowID: packet.originTag, origin: origin, firstSeen: firstTime, lastSeen: firstTime,
            timeoutClass: timeoutClass.rawValue, tunnelled: tunnelled))
        if tunnelled { tunnels[slot] = packet.tunnel }
        slotInUse[Int(slot)] = true
        insertIndex(slot, hash: hash)
        linkNewest(slot)
        activeFlows += 1
        flowsCreated += 1
        if activeFlows > peakActiveFlows { peakActiveFlows = activeFlows }
        return slot
    }

    /// Ends a flow that ran past the active timeout and starts its next part in place.
    private func split(_ slot: Int32, packet: DecodedPacket, time: Int64, origin: FrameOrigin) -> Int32 {
        let previous = slots[Int(slot)]
        endHandler?.flowEnded(slot: slot, reason: .active, table: self)
        freeSequence(previous)
        var next = FlowState(
            key: previous.key, initiatorIsLow: previous.initiatorIsLow, ipVersion: previous.ipVersion,
            icmpType: previous.icmpType, icmpCode: previous.icmpCode,
            flowID: packet.originTag, origin: origin, firstSeen: time, lastSeen: time,
            timeoutClass: previous.timeoutClass, tunnelled: previous.tunnelled)
        next.splitOf = previous.splitIndex == 0 ? previous.flowID : previous.splitOf
        next.splitIndex = previous.splitIndex + 1
        next.tcp = previous.tcp
        next.olderNeighbour = previous.olderNeighbour
        next.newerNeighbour = previous.newerNeighbour
        slots[Int(slot)] = next
        flowsCreated += 1
        return slot
    }

    /// Moves the table's clock forward without a packet (live capture: the wall
    /// clock during silence), ending the flows that went idle meanwhile.
    public func advanceClock(to time: Int64) {
        if time > clock { clock = time }
        if clock >= nextScanTime { expireIdle() }
    }

    /// Whether a table whose clock moves from `old` to `new` scans for idle flows
    /// (for an owner that moves the clock and scans itself).
    @inline(__always)
    public static func scans(from old: Int64, to new: Int64) -> Bool { second(of: new) > second(of: old) }

    @inline(__always)
    static func second(of time: Int64) -> Int64 { time == .min ? .min : time >= 0 ? time / 1_000_000_000 : (time + 1) / 1_000_000_000 - 1 }

    /// Sets the clock to a time at least as late as its own, without scanning.
    @inline(__always)
    public func observeClock(_ time: Int64) { if time > clock { clock = time } }

    /// Moves the clock to `time` and scans for idle flows now.
    public func expire(at time: Int64) {
        if time > clock { clock = time }
        expireIdle()
    }

    /// Ends the flow in `slot`: the handler sees it, then the slot is freed.
    public func end(_ slot: Int32, reason: EndReason) {
        endHandler?.flowEnded(slot: slot, reason: reason, table: self)
        let state = slots + Int(slot)
        unlink(slot)
        removeIndex(state.pointee.key, hash: state.pointee.key.hashValue64, slot: slot)
        freeSequence(state.pointee)
        if state.pointee.tunnelled { tunnels[slot] = nil }
        slotInUse[Int(slot)] = false
        state.deinitialize(count: 1)
        freeSlots.append(slot)
        activeFlows -= 1
    }

    /// Ends every open flow (end of input, or an interrupted run), oldest first.
    /// A TCP flow already closed by FIN or RST keeps that as its reason.
    /// Flows end in the order they started, so that what an earlier flow teaches
    /// (a call set-up, a named connection) reaches the later ones.
    public func endAll(reason: EndReason) {
        forEachOpenSlotByFlowID { slot in
            let progress = slots[Int(slot)].tcp
            let closedReason: EndReason? = !progress.isClosed ? nil
                : progress.isDisjoint(with: [.rstC2S, .rstS2C]) ? .fin : .rst
            end(slot, reason: closedReason ?? reason)
        }
    }

    /// The open slots in flow-id order. Flow id and slot packed in one word when
    /// they fit (they do unless ids pass 2^(64 - slot bits)): half the memory of
    /// pairs at the moment a million open flows end at once.
    private func forEachOpenSlotByFlowID(_ body: (Int32) -> Void) {
        let slotBits = UInt64(Int.bitWidth - Int(nextUnusedSlot).leadingZeroBitCount)
        var largestID: UInt64 = 0
        for slot in 0..<Int(nextUnusedSlot) where slotInUse[slot] { largestID = max(largestID, slots[slot].flowID) }
        if slotBits < 64 && largestID >> (64 - slotBits) == 0 {
            var packed: [UInt64] = []
            packed.reserveCapacity(activeFlows)
            for slot in 0..<Int(nextUnusedSlot) where slotInUse[slot] { packed.append(slots[slot].flowID << slotBits | UInt64(slot)) }
            packed.sort()
            let mask: UInt64 = (1 << slotBits) - 1
            for word in packed { body(Int32(truncatingIfNeeded: word & mask)) }
            return
        }
        var open: [(flowID: UInt64, slot: Int32)] = []
        open.reserveCapacity(activeFlows)
        for slot in 0..<Int(nextUnusedSlot) where slotInUse[slot] { open.append((slots[slot].flowID, Int32(slot))) }
        open.sort { $0.flowID < $1.flowID }
        for (_, slot) in open { body(slot) }
    }

    private func evictOldest() {
        guard let slot = oldestSlot() else { return }
        flowsEvicted += 1
        end(slot, reason: .evicted)
    }

    /// The least recently linked flow with the oldest activity among the heads of the
    /// timeout lists (an approximation of least recently used that costs nothing per packet).
    private func oldestSlot() -> Int32? {
        var best: Int32 = -1
        for head in oldest where head >= 0 {
            if best < 0 || slots[Int(head)].lastSeen < slots[Int(best)].lastSeen { best = head }
        }
        return best >= 0 ? best : nil
    }

    /// Ends the flows idle past their timeout. Lists are in link order: the scan
    /// stops at the first flow linked too recently to be due, and moves flows that
    /// were active since they were linked to the back. The due flows end in flow-id
    /// order, so that several tables end them in the order one table would.
    private func expireIdle() {
        let second = FlowTable.second(of: clock)
        let (next, overflow) = (second + 1).multipliedReportingOverflow(by: 1_000_000_000)
        // Past either end of Int64 (no packet yet: the next one scans).
        nextScanTime = overflow ? (second < 0 ? .min + 1 : .max) : next
        due.removeAll(keepingCapacity: true)
        for timeoutClass in TimeoutClass.allCases {
            let timeout = idleTimeouts[Int(timeoutClass.rawValue)]
            var head = oldest[Int(timeoutClass.rawValue)]
            // Due flows stay linked until they end: walk past them. A flow moved to
            // the back is linked now, so the walk stops there (the step bound only
            // guards against a zero timeout).
            var steps = 0
            while head >= 0, steps < activeFlows, clock - slots[Int(head)].linkedAt >= timeout {
                let next = slots[Int(head)].newerNeighbour
                if clock - slots[Int(head)].lastSeen >= timeout {
                    due.append((slots[Int(head)].flowID, head))
                } else {
                    unlink(head)
                    linkNewest(head)
                }
                head = next
                steps += 1
            }
        }
        guard !due.isEmpty else { return }
        due.sort { $0.flowID < $1.flowID }
        for (_, slot) in due { end(slot, reason: idleEndReason(slots[Int(slot)])) }
    }

    /// Why an idle flow ends: a TCP flow that saw FIN or RST ends by it.
    private func idleEndReason(_ state: FlowState) -> EndReason {
        if state.timeoutClass == TimeoutClass.closed.rawValue || !state.tcp.isDisjoint(with: [.rstC2S, .rstS2C, .finC2S, .finS2C]) {
            return state.tcp.isDisjoint(with: [.rstC2S, .rstS2C]) ? .fin : .rst
        }
        return .idle
    }

    // MARK: Reading a flow (for the end handler)

    /// Signed payload lengths (positive client to server, negative server to client)
    /// and gaps in microseconds of the flow's first payload packets.
    public func payloadSequence(_ slot: Int32) -> (lengths: [Int32], gaps: [UInt32]) {
        let state = slots[Int(slot)]
        let count = Int(state.sequenceCount)
        var lengths = [Int32](), gaps = [UInt32]()
        lengths.reserveCapacity(count)
        gaps.reserveCapacity(count)
        for i in 0..<count {
            let (chunkIndex, entry) = i.quotientAndRemainder(dividingBy: PayloadSequenceStore.chunkLength)
            let stored = sequences.entry(state.sequenceChunks[chunkIndex], entry)
            let length = Int32(stored.length)
            lengths.append(state.sequenceDirections & (1 << UInt32(i)) != 0 ? -length : length)
            gaps.append(stored.gap)
        }
        return (lengths, gaps)
    }

    /// The tunnel the flow in `slot` came through, if any.
    public func tunnel(_ slot: Int32) -> TunnelInfo? {
        slots[Int(slot)].tunnelled ? tunnels[slot] : nil
    }

    /// Gives back the chunks of a flow's payload sequence.
    private func freeSequence(_ state: FlowState) {
        let chunks = (Int(state.sequenceCount) + PayloadSequenceStore.chunkLength - 1) / PayloadSequenceStore.chunkLength
        for chunkIndex in 0..<chunks { sequences.free(state.sequenceChunks[chunkIndex]) }
    }

    // MARK: Slots

    private func allocateSlot() -> Int32 {
        if let slot = freeSlots.popLast() { return slot }
        if Int(nextUnusedSlot) == capacity { grow() }
        defer { nextUnusedSlot += 1 }
        return nextUnusedSlot
    }

    private func grow() {
        let newCapacity = min(capacity * 2, max(configuration.maxFlows, capacity + 1))
        let newSlots = UnsafeMutablePointer<FlowState>.allocate(capacity: newCapacity)
        for i in 0..<capacity where slotInUse[i] {
            (newSlots + i).moveInitialize(from: slots + i, count: 1)
        }
        slots.deallocate()
        slots = newSlots
        let newInUse = UnsafeMutablePointer<Bool>.allocate(capacity: newCapacity)
        newInUse.initialize(repeating: false, count: newCapacity)
        newInUse.update(from: slotInUse, count: capacity)
        slotInUse.deallocate()
        slotInUse = newInUse
        capacity = newCapacity

        let indexSize = FlowTable.indexSize(for: capacity)
        if indexSize > indexMask + 1 {
            index.deallocate()
            index = .allocate(capacity: indexSize)
            index.initialize(repeating: 0, count: indexSize)
            indexMask = indexSize - 1
            for i in 0..<Int(nextUnusedSlot) where slotInUse[i] {
                insertIndex(Int32(i), hash: slots[i].key.hashValue64)
            }
        }
    }

    // MARK: Index (linear probing, backward-shift deletion)

    @inline(__always)
    private func find(_ key: FlowKey, hash: UInt64) -> Int32 {
        let tag = hash & 0xFFFF_FFFF
        var position = Int(truncatingIfNeeded: hash) & indexMask
        while true {
            let entry = index[position]
            if entry == 0 { return -1 }
            if entry >> 32 == tag {
                let slot = Int32(truncatingIfNeeded: (entry & 0xFFFF_FFFF) - 1)
                if slots[Int(slot)].key == key { return slot }
            }
            position = (position + 1) & indexMask
        }
    }

    private func insertIndex(_ slot: Int32, hash: UInt64) {
        var position = Int(truncatingIfNeeded: hash) & indexMask
        while index[position] != 0 { position = (position + 1) & indexMask }
        index[position] = (hash & 0xFFFF_FFFF) << 32 | UInt64(slot + 1)
    }

    private func removeIndex(_ key: FlowKey, hash: UInt64, slot: Int32) {
        var position = Int(truncatingIfNeeded: hash) & indexMask
        let wanted = UInt64(slot + 1)
        while index[position] != 0 && index[position] & 0xFFFF_FFFF != wanted {
            position = (position + 1) & indexMask
        }
        guard index[position] != 0 else { return }
        // Shift later entries of the probe run back over the hole.
        var hole = position
        var next = (hole + 1) & indexMask
        while index[next] != 0 {
            let home = Int(truncatingIfNeeded: index[next] >> 32) & indexMask
            // Move the entry if its home is not within (hole, next] cyclically.
            let distanceToHome = (next - home) & indexMask
            let distanceToHole = (next - hole) & indexMask
            if distanceToHome >= distanceToHole {
                index[hole] = index[next]
                hole = next
            }
            next = (next + 1) & indexMask
        }
        index[hole] = 0
    }

    // MARK: Timeout lists

    private func linkNewest(_ slot: Int32) {
        let cls = Int(slots[Int(slot)].timeoutClass)
        let tail = newest[cls]
        slots[Int(slot)].olderNeighbour = tail
        slots[Int(slot)].newerNeighbour = -1
        slots[Int(slot)].linkedAt = clock
        if tail >= 0 { slots[Int(tail)].newerNeighbour = slot } else { oldest[cls] = slot }
        newest[cls] = slot
    }

    private func unlink(_ slot: Int32) {
        let cls = Int(slots[Int(slot)].timeoutClass)
        let older = slots[Int(slot)].olderNeighbour
        let newer = slots[Int(slot)].newerNeighbour
        if older >= 0 { slots[Int(older)].newerNeighbour = newer } else { oldest[cls] = newer }
        if newer >= 0 { slots[Int(newer)].olderNeighbour = older } else { newest[cls] = older }
        slots[Int(slot)].olderNeighbour = -1
        slots[Int(slot)].newerNeighbour = -1
    }
}
