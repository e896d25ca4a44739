/// Reassembles the first bytes of one direction of a TCP stream, in sequence
/// order, so that dissectors can read a handshake that spans segments. Copes with
/// retransmissions, overlaps and out-of-order segments; bounded in bytes and in
/// the number of segments held while waiting for a gap to fill.
public struct TCPStreamPrefix: Sendable {
    /// The contiguous bytes from the start of the stream.
    public private(set) var bytes: [UInt8] = []
    /// Bytes this prefix may hold (data past it is dropped).
    public var limit: Int
    /// Where the stream starts: `base` is the sequence number of `bytes[0]` once known.
    private var origin = Start()
    private var pending: [(offset: Int, data: [UInt8])] = []
    private var pendingBytes = 0
    static let maxPendingSegments = 64

    /// True once a segment arrived whose bytes before it never did (a gap that may
    /// still fill) — dissectors should not give up on a partial message yet.
    public var hasGap: Bool { !pending.isEmpty }
    public var isFull: Bool { bytes.count >= limit }
    /// Bytes held, for a global memory budget.
    public var heldBytes: Int { bytes.capacity + pendingBytes }

    /// Where a stream starts, from the SYNs seen before its data: after the first SYN's
    /// sequence number; a later SYN with another one (a new connection attempt on the
    /// same ports) is kept aside, and the first data decides which start it continues,
    /// since middleboxes also send stray SYN-ACKs with bogus numbers while the data
    /// follows the first one. Kept on its own by a flow that has no prefix yet
    /// (Inspection's `TCPPrelude`).
    public struct Start: Sendable {
        /// The first SYN's start; the last other one.
        var base: UInt32?
        var later: UInt32?

        public init() {}

        public mutating func note(synSequence: UInt32) {
            let start = synSequence &+ 1
            if base == nil { base = start } else if start != base { later = start }
        }
    }

    /// `start`: what the SYNs before this prefix existed told.
    public init(limit: Int, start: Start = Start()) {
        self.limit = limit
        origin = start
    }

    /// A SYN of this direction (see `Start`); once data has come, only the first counts.
    public mutating func start(synSequence: UInt32) {
        if origin.base == nil || (bytes.isEmpty && pending.isEmpty) { origin.note(synSequence: synSequence) }
    }

    /// Adds one segment's payload; returns true when the contiguous prefix grew.
    @discardableResult
    public mutating func add(sequence: UInt32, payload: UnsafeRawBufferPointer) -> Bool {
        guard payload.count > 0, bytes.count < limit else { return false }
        // A capture that starts mid-stream: the first data seen starts the stream.
        var start = origin.base ?? sequence
        if let later = origin.later, bytes.isEmpty, pending.isEmpty {
            origin.later = nil
            if !(0..<limit).contains(Int(Int32(bitPattern: sequence &- start))),
               (0..<limit).contains(Int(Int32(bitPattern: sequence &- later))) {
                start = later
            }
        }
        origin.base = start
        var offset = Int(Int32(bitPattern: sequence &- start))
        var data = payload
        if offset < 0 {
            // Partly or wholly before the stream start: keep only what is new.
            guard -offset < data.count else { return false }
            data = UnsafeRawBufferPointer(rebasing: data[(-offset)...])
            offset = 0
        }
        guard offset < limit else { return false }
        if offset > bytes.count {
            if pending.count < TCPStreamPrefix.maxPendingSegments && pendingBytes + data.count <= limit {
                pending.append((offset, Array(data.prefix(limit - offset))))
                pendingBytes += min(data.count, limit - offset)
            }
            return false
        }
        let grew = append(data, at: offset)
        if grew { drainPending() }
        return grew
    }

    private mutating func append(_ data: UnsafeRawBufferPointer, at offset: Int) -> Bool {
        let end = min(offset + data.count, limit)
        guard end > bytes.count else { return false }  // a retransmission of bytes we have
        let skip = bytes.count - offset
        bytes.append(contentsOf: data[skip..<(end - offset)])
        return true
    }

    private mutating func drainPending() {
        var progressed = true
        while progressed && !pending.isEmpty {
            progressed = false
            var index = 0
            while index < pending.count {
                let segment = pending[index]
                if segment.offset <= bytes.count {
                    pending.remove(at: index)
                    pendingBytes -= segment.data.count
                    segment.data.withUnsafeBytes { _ = append($0, at: segment.offset) }
                    progressed = true
                } else {
                    index += 1
                }
            }
        }
    }

    /// Frees the held bytes (dissection of this direction is over).
    public mutating func release() {
        bytes = []
        pending = []
        pendingBytes = 0
        limit = 0
    }
}
