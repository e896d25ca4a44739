/// Reassembles IPv4 and IPv6 fragments into whole datagrams within fixed bounds
/// of memory and (capture) time. Fragments are rare, so this is off the hot path:
/// a non-fragmented packet never reaches it.
///
/// Frames of datagrams that never complete, are malformed or are pushed out by
/// the limits are counted in `dropped`, so that every frame is accounted for.
public final class FragmentReassembler {
    public struct Limits: Sendable {
        /// Datagrams under reassembly at once.
        public var maxDatagrams: Int = 4096
        /// Bytes held by all datagrams under reassembly.
        public var maxBytes: Int = 32 << 20
        /// Fragments one datagram may have (a flood of tiny fragments is cut off here).
        public var maxFragmentsPerDatagram: Int = 128
        /// How long, in capture time, a datagram may wait for its missing fragments.
        public var timeoutNanoseconds: Int64 = 30_000_000_000

        public init() {}
    }

    struct Key: Hashable {
        var source: IPAddress
        var destination: IPAddress
        var identification: UInt32
        var proto: UInt8
        var version: UInt8
    }

    final class Datagram {
        var storage: UnsafeMutableRawBufferPointer
        /// Received byte ranges, sorted and merged.
        var ranges: [Range<Int>] = []
        /// The datagram's payload length, known once the last fragment arrived.
        var totalLength: Int = -1
        var fragments = 0
        var frames: UInt32 = 0
        /// The tags of its fragments' frames (only with `recordsTags`).
        var tags: [UInt64] = []
        var ipBytes: UInt32 = 0
        let originTag: UInt64
        let originTime: Int64
        /// Creation order, for dropping the oldest datagram (see `order`).
        let serial: UInt64
        var firstFragmentSeen = false
        /// The header chain's next protocol as given by the first fragment (IPv6: the
        /// fragment header's next header; IPv4: the protocol field).
        var proto: UInt8

        init(capacity: Int, originTag: UInt64, originTime: Int64, proto: UInt8, serial: UInt64) {
            storage = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 8)
            self.originTag = originTag
            self.originTime = originTime
            self.proto = proto
            self.serial = serial
        }

        deinit { storage.deallocate() }

        var isComplete: Bool {
            totalLength >= 0 && ranges.count == 1 && ranges[0].lowerBound == 0 && ranges[0].upperBound == totalLength
        }

        func insert(_ range: Range<Int>) {
            var merged = range
            var result: [Range<Int>] = []
            result.reserveCapacity(ranges.count + 1)
            var placed = false
            for existing in ranges {
                if existing.upperBound < merged.lowerBound {
                    result.append(existing)
                } else if merged.upperBound < existing.lowerBound {
                    if !placed { result.append(merged); placed = true }
                    result.append(existing)
                } else {
                    merged = min(existing.lowerBound, merged.lowerBound)..<max(existing.upperBound, merged.upperBound)
                }
            }
            if !placed { result.append(merged) }
            ranges = result
        }
    }

    /// A completed datagram; `payload` stays valid until the next `beginPacket()`.
    public struct Completed {
        public var payload: UnsafeRawBufferPointer
        public var proto: UInt8
        public var frames: UInt32
        public var ipBytes: UInt32
        public var originTag: UInt64
        public var originTime: Int64
    }

    /// Frames dropped, by reason (`fragmentIncomplete`, `fragmentInvalid`, `fragmentLimit`).
    /// Keep the tags of each datagram's fragments (evidence extraction copies every
    /// frame of a flow); off in analysis, where nothing reads them.
    public var recordsTags = false
    /// With `recordsTags`: the tags of the fragments of the datagram completed last.
    public private(set) var completedTags: [UInt64] = []

    public private(set) var droppedIncomplete = 0
    public private(set) var droppedInvalid = 0
    public private(set) var droppedLimit = 0
    public private(set) var datagramsCompleted = 0

    public let limits: Limits
    private var datagrams: [Key: Datagram] = [:]
    private var heldBytes = 0
    private var retired: [Datagram] = []
    private var nextExpiry: Int64 = .min
    /// Datagrams in the order they were started (key and serial), so that the oldest
    /// is dropped in constant time when a limit is reached: a flood of fragments that
    /// never complete must not cost a walk over all held datagrams per fragment.
    /// Entries of datagrams already gone (completed, expired, invalid) are skipped
    /// when met and compacted away as they accumulate.
    private var order: [(key: Key, serial: UInt64)] = []
    private var orderHead = 0
    private var nextSerial: UInt64 = 0

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    public var pendingDatagrams: Int { datagrams.count }

    /// Releases the datagrams completed while decoding the previous packet.
    @inline(__always)
    public func beginPacket() {
        if !retired.isEmpty { retired.removeAll(keepingCapacity: true) }
    }

    /// Adds one fragment. `offset` and `data` are the fragment's place in the
    /// datagram payload and its bytes; `ipBytes` its whole IP length on the wire.
    func add(
        key: Key, offset: Int, moreFragments: Bool, data: UnsafeRawBufferPointer, proto: UInt8,
        ipBytes: UInt32, tag: UInt64, time: Int64
    ) -> Completed? {
        expire(now: time)
        let end = offset + data.count
        let datagram: Datagram
        if let existing = datagrams[key] {
            datagram = existing
        } else {
            if datagrams.count >= limits.maxDatagrams { _ = dropOldest(reasonLimit: true) }
            datagram = Datagram(capacity: min(max(end, 1500), 65_535), originTag: tag, originTime: time, proto: proto, serial: nextSerial)
            nextSerial &+= 1
            heldBytes += datagram.storage.count
            datagrams[key] = datagram
            noteStarted(key, datagram)
        }
        datagram.frames += 1
        if recordsTags { datagram.tags.append(tag) }
        datagram.fragments += 1
        datagram.ipBytes &+= ipBytes

        // Malformed: past the largest datagram, a second, different end, or too many pieces.
        var invalid = end > 65_535 || datagram.fragments > limits.maxFragmentsPerDatagram
        if !moreFragments {
            if datagram.totalLength >= 0 && datagram.totalLength != end { invalid = true }
            datagram.totalLength = end
        }
        if datagram.totalLength >= 0 && end > datagram.totalLength { invalid = true }
        if invalid {
            droppedInvalid += Int(datagram.frames)
            remove(key)
            return nil
        }
        if offset == 0 {
            datagram.firstFragmentSeen = true
            datagram.proto = proto
        }
        if end > datagram.storage.count {
            let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: min(max(end, datagram.storage.count * 2), 65_535), alignment: 8)
            grown.copyMemory(from: UnsafeRawBufferPointer(datagram.storage))
            heldBytes += grown.count - datagram.storage.count
            datagram.storage.deallocate()
            datagram.storage = grown
        }
        if data.count > 0, let source = data.baseAddress, let target = datagram.storage.baseAddress {
            (target + offset).copyMemory(from: source, byteCount: data.count)
            datagram.insert(offset..<end)
        }
        while heldBytes > limits.maxBytes && datagrams.count > 1 && dropOldest(reasonLimit: true, sparing: key) {}

        guard datagram.isComplete else { return nil }
        datagrams.removeValue(forKey: key)
        heldBytes -= datagram.storage.count
        retired.append(datagram)
        datagramsCompleted += 1
        if recordsTags { completedTags = datagram.tags }
        return Completed(
            payload: UnsafeRawBufferPointer(start: datagram.storage.baseAddress, count: datagram.totalLength),
            proto: datagram.proto, frames: datagram.frames, ipBytes: datagram.ipBytes,
            originTag: datagram.originTag, originTime: datagram.originTime)
    }

    /// Drops datagrams that waited longer than the timeout, at most once per capture second.
    public func expire(now: Int64) {
        guard now >= nextExpiry else { return }
        nextExpiry = now + 1_000_000_000
        guard !datagrams.isEmpty else { return }
        let cutoff = now - limits.timeoutNanoseconds
        for (key, datagram) in datagrams where datagram.originTime < cutoff {
            droppedIncomplete += Int(datagram.frames)
            remove(key)
        }
    }

    /// At the end of input: every datagram still waiting is incomplete.
    public func flush() {
        for datagram in datagrams.values { droppedIncomplete += Int(datagram.frames) }
        datagrams.removeAll()
        heldBytes = 0
        order.removeAll()
        orderHead = 0
    }

    private func noteStarted(_ key: Key, _ datagram: Datagram) {
        order.append((key, datagram.serial))
        // Keep the queue within a constant factor of the live datagrams.
        if order.count - orderHead > 2 * datagrams.count + 1024 {
            order = order[orderHead...].filter { datagrams[$0.key]?.serial == $0.serial }
            orderHead = 0
        }
    }

    private func remove(_ key: Key) {
        if let datagram = datagrams.removeValue(forKey: key) {
            heldBytes -= datagram.storage.count
        }
    }

    /// Drops the datagram started first (but `sparing`), counting its frames; false
    /// when there was none to drop.
    private func dropOldest(reasonLimit: Bool, sparing: Key? = nil) -> Bool {
        var spared: (key: Key, serial: UInt64)?
        var dropped = false
        while orderHead < order.count {
            let entry = order[orderHead]
            orderHead += 1
            guard let datagram = datagrams[entry.key], datagram.serial == entry.serial else { continue }
            if entry.key == sparing {
                spared = entry
                continue
            }
            droppedLimit += Int(datagram.frames)
            remove(entry.key)
            dropped = true
            break
        }
        // The spared datagram was the oldest left: it goes back to the front.
        if let spared {
            orderHead -= 1
            order[orderHead] = spared
        }
        if orderHead > 1024 && orderHead * 2 > order.count {
            order.removeFirst(orderHead)
            orderHead = 0
        }
        return dropped
    }
}
