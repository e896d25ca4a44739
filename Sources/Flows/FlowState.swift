import Decoding

/// Why a flow record ended.
public enum EndReason: UInt8, Sendable, CaseIterable {
    case fin, rst, idle, active, eof, evicted, interrupted

    public var name: String {
        switch self {
        case .fin: "fin"
        case .rst: "rst"
        case .idle: "idle"
        case .active: "active"
        case .eof: "eof"
        case .evicted: "evicted"
        case .interrupted: "interrupted"
        }
    }
}

/// Counters of one direction of a flow.
public struct DirectionCounters: Sendable {
    public var packets: UInt64 = 0
    public var ipBytes: UInt64 = 0
    public var payloadBytes: UInt64 = 0
    public var firstSeen: Int64 = 0
    public var lastSeen: Int64 = 0
    /// TCP flags seen in this direction (OR of the flags bytes).
    public var tcpFlags: UInt8 = 0

    public init() {}
}

/// `DirectionCounters` as the flow table keeps them: without the TCP flags, which
/// `FlowState` keeps beside, so that the two directions pack without padding.
public struct DirectionTally: Sendable {
    public var packets: UInt64 = 0
    public var ipBytes: UInt64 = 0
    public var payloadBytes: UInt64 = 0
    public var firstSeen: Int64 = 0
    public var lastSeen: Int64 = 0

    public init() {}

    func counters(tcpFlags: UInt8) -> DirectionCounters {
        var counters = DirectionCounters()
        counters.packets = packets
        counters.ipBytes = ipBytes
        counters.payloadBytes = payloadBytes
        counters.firstSeen = firstSeen
        counters.lastSeen = lastSeen
        counters.tcpFlags = tcpFlags
        return counters
    }
}

/// TCP connection milestones, as bits.
public struct TCPProgress: OptionSet, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let syn = TCPProgress(rawValue: 1 << 0)        // SYN from the initiator
    public static let synAck = TCPProgress(rawValue: 1 << 1)     // SYN+ACK from the responder
    public static let established = TCPProgress(rawValue: 1 << 2) // ACK after SYN+ACK
    public static let finC2S = TCPProgress(rawValue: 1 << 3)
    public static let finS2C = TCPProgress(rawValue: 1 << 4)
    public static let rstC2S = TCPProgress(rawValue: 1 << 5)
    public static let rstS2C = TCPProgress(rawValue: 1 << 6)

    public var isClosed: Bool {
        contains([.finC2S, .finS2C]) || !isDisjoint(with: [.rstC2S, .rstS2C])
    }
}

/// Number of payload packets whose length, direction and gap a flow keeps.
public let sequenceLength = 32

/// Everything the flow table keeps per flow: fixed-size, no references, so the
/// table stores flows in one contiguous block and touches no reference counts.
/// Fields are ordered widest first so that the struct packs without padding
/// (224 bytes); a flow's tunnel and payload sequence are kept beside it, only
/// by the flows that have them (`FlowTable`).
public struct FlowState {
    public var key: FlowKey
    /// True when the initiator (client) is the key's low endpoint.
    public var initiatorIsLow: Bool
    public var ipVersion: UInt8
    public var tcp = TCPProgress()
    /// ICMP type and code of the flow's first packet (for Community ID).
    public var icmpType: UInt8 = 0
    public var c2s = DirectionTally()
    public var s2c = DirectionTally()
    /// Stable id: the run-wide ordinal of the flow's first frame.
    public var flowID: UInt64
    /// The input and frame number of the flow's first frame.
    public var origin = FrameOrigin()
    /// For the parts of a flow split by the active timeout: the first part's id,
    /// and this part's number (0 for the first part).
    public var splitOf: UInt64 = 0
    public var firstSeen: Int64
    public var lastSeen: Int64
    /// Time of the previous payload packet (for the sequence's gaps).
    public var lastPayloadTime: Int64 = 0
    /// Capture time the flow was (re)linked at the newest end of its timeout list.
    /// The list is kept in this order rather than by activity, so a packet costs no
    /// list update; the expiry scan moves flows that were active since to the back.
    var linkedAt: Int64 = 0
    public var splitIndex: UInt32 = 0
    /// Payload-packet sequence: direction bits (1 = server to client) and the
    /// chunks of `PayloadSequenceStore` holding lengths and gaps.
    public var sequenceDirections: UInt32 = 0
    var sequenceChunks = SequenceChunks()
    // Intrusive list of flows with the same timeout, oldest activity first.
    var olderNeighbour: Int32 = -1
    var newerNeighbour: Int32 = -1
    public var icmpCode: UInt8 = 0
    /// TCP flags seen in each direction (OR of the flags bytes).
    public var c2sFlags: UInt8 = 0
    public var s2cFlags: UInt8 = 0
    /// Payload packets in the sequence (at most `sequenceLength`).
    public var sequenceCount: UInt8 = 0
    var timeoutClass: UInt8 = 0
    /// The flow's first packet came through a tunnel (`FlowTable` keeps its `TunnelInfo`).
    var tunnelled = false

    public var packets: UInt64 { c2s.packets + s2c.packets }

    /// Client and server endpoints.
    public var client: (address: IPAddress, port: UInt16) {
        initiatorIsLow ? (key.lowAddress, key.lowPort) : (key.highAddress, key.highPort)
    }

    public var server: (address: IPAddress, port: UInt16) {
        initiatorIsLow ? (key.highAddress, key.highPort) : (key.lowAddress, key.lowPort)
    }

    init(key: FlowKey, initiatorIsLow: Bool, ipVersion: UInt8, icmpType: UInt8, icmpCode: UInt8,
         flowID: UInt64, origin: FrameOrigin, firstSeen: Int64, lastSeen: Int64, timeoutClass: UInt8, tunnelled: Bool) {
        self.key = key
        self.initiatorIsLow = initiatorIsLow
        self.ipVersion = ipVersion
        self.icmpType = icmpType
        self.icmpCode = icmpCode
        self.flowID = flowID
        self.origin = origin
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.timeoutClass = timeoutClass
        self.tunnelled = tunnelled
    }
}
