import Classifier
import Decoding
import Dissectors
import Flows
import Inspection

/// What a flow tracker tells its reporter, in the order things happen.
enum FlowEvent: Sendable {
    /// A reader's input (a file, an interface) by its number in the flows' origins,
    /// announced before its packets (and again if what is known of it changes).
    case input(index: Int, name: String, nanosecond: Bool)
    /// A new flow (not the next part of a split flow) to `server`, for its `dns_name`.
    case started(flowID: UInt64, server: IPAddress, time: Int64)
    /// A DNS response seen on some flow, for the address → name cache.
    case dnsResponse(DNSMessage, time: Int64)
    /// A flow (or a part of a split flow) ended, with what its first packets told.
    case ended(FlowSummary, FlowEvidence?)
}

/// Where an event falls in a run, so that the events of several shards merge into
/// the order one table would have produced: the frame tag of the packet that caused
/// it, then idle-scan endings (phase 0, by flow id) before the packet's own events
/// (phase 1, in the order they happened); a scan after the packet without one
/// (phase 2, by flow id; live capture in silence) and the readers' announcements
/// (phase 3). End of input: tag `UInt64.max`, by flow id.
struct EventKey: Comparable, Sendable {
    var tag: UInt64
    var phase: UInt8
    var order: UInt64

    static func < (a: EventKey, b: EventKey) -> Bool {
        (a.tag, a.phase, a.order) < (b.tag, b.phase, b.order)
    }
}

/// One flow table and its dissection: the per-packet stages after decoding. It
/// tells its events, with their keys, to a sink.
final class FlowTracker: FlowEndHandler {
    let table: FlowTable
    let inspection: FlowInspection
    private let sink: (FlowEvent, EventKey) -> Void

    /// The key context of the events being produced.
    private var tag: UInt64 = 0
    private var scanning = false
    private var scanPhase: UInt8 = 0
    private var order: UInt64 = 0

    init(configuration: FlowTableConfiguration, reassemblyBudget: Int = FlowInspection.reassemblyBudget,
         sink: @escaping (FlowEvent, EventKey) -> Void) {
        table = FlowTable(configuration: configuration)
        inspection = FlowInspection(budget: reassemblyBudget)
        self.sink = sink
        table.endHandler = self
    }

    /// Tracks and dissects one decoded packet (the table scans for idle flows on
    /// its own clock, or not: `scans`); returns whether it started a flow.
    @inline(__always)
    @discardableResult
    func track(_ packet: DecodedPacket, time: Int64, tag: UInt64, origin: FrameOrigin, scans: Bool = true) -> Bool {
        self.tag = tag
        order = 0
        let hit = scans ? table.process(packet, time: time, origin: origin) : table.processWithoutScan(packet, time: time, origin: origin)
        if hit.isNew && table.slots[Int(hit.slot)].splitIndex == 0 {
            let server = hit.direction == 0 ? packet.destination : packet.source
            emit(.started(flowID: packet.originTag, server: server, time: time))
        }
        if let response = inspection.inspect(packet, hit: hit, time: time) {
            emit(.dnsResponse(response, time: time))
        }
        return hit.isNew
    }

    /// Scans for idle flows at `clock`, before the packet `tag` (or after it).
    func expire(at clock: Int64, tag: UInt64, afterPacket: Bool = false) {
        self.tag = tag
        scanPhase = afterPacket ? 2 : 0
        scanning = true
        table.expire(at: clock)
        scanning = false
    }

    /// Ends every open flow (in flow-id order).
    func endAll(reason: EndReason) {
        tag = .max
        scanPhase = 0
        scanning = true
        table.endAll(reason: reason)
        scanning = false
    }

    func flowEnded(slot: Int32, reason: EndReason, table: FlowTable) {
        let flow = table.summary(slot, reason: reason)
        let evidence = inspection.finish(slot: slot, continues: reason == .active)
        emit(.ended(flow, evidence), flowID: flow.flowID)
    }

    @inline(__always)
    private func emit(_ event: FlowEvent, flowID: UInt64 = 0) {
        if scanning {
            sink(event, EventKey(tag: tag, phase: scanPhase, order: flowID))
        } else {
            sink(event, EventKey(tag: tag, phase: 1, order: order))
            order += 1
        }
    }
}
