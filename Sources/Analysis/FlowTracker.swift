import Classifier
import Decoding
import Dissectors
import Flows
import Inspection

/// What a flow tracker tells its reporter, in the order things happen.
enum FlowEvent: Sendable {
    /// A new flow (not the next part of a split flow) to `server`, for its `dns_name`.
    case started(flowID: UInt64, server: IPAddress, time: Int64)
    /// A DNS response seen on some flow, for the address → name cache.
    case dnsResponse(DNSMessage, time: Int64)
    /// A flow (or a part of a split flow) ended, with what its first packets told
    /// and, in a sharded run, its own label (computed in the shard, without a DNS name).
    case ended(FlowSummary, FlowEvidence?, OwnLabel?)
}

/// Where an event falls in a run, so that the events of several shards merge into
/// the order one table would have produced: the frame tag of the packet that caused
/// it, then idle-scan endings (phase 0, by flow id) before the packet's own events
/// (phase 1, in the order they happened). End of input: tag `UInt64.max`, by flow id.
struct EventKey: Comparable, Sendable {
    var tag: UInt64
    var phase: UInt8
    var order: UInt64

    static func < (a: EventKey, b: EventKey) -> Bool {
        (a.tag, a.phase, a.order) < (b.tag, b.phase, b.order)
    }
}

/// One flow table and its dissection: the per-packet stages after decoding. A run
/// has one, or one per shard when flows are sharded across threads; each tells its
/// events to a sink (the reporter directly, or a shard's event buffer).
final class FlowTracker: FlowEndHandler {
    let table: FlowTable
    let inspection: FlowInspection
    private let sink: (FlowEvent, EventKey) -> Void
    /// Labels each ending flow by its own facts here (a shard), or nil (the reporter does).
    private let labeller: OwnLabeller?

    /// The key context of the events being produced.
    private var tag: UInt64 = 0
    private var scanning = false
    private var order: UInt64 = 0

    init(configuration: FlowTableConfiguration, reassemblyBudget: Int = FlowInspection.reassemblyBudget,
         labeller: OwnLabeller? = nil, sink: @escaping (FlowEvent, EventKey) -> Void) {
        self.labeller = labeller
        table = FlowTable(configuration: configuration)
        inspection = FlowInspection(budget: reassemblyBudget)
        self.sink = sink
        table.endHandler = self
    }

    /// Tracks and dissects one decoded packet; returns whether it started a flow.
    @inline(__always)
    func track(_ packet: DecodedPacket, time: Int64, tag: UInt64) -> Bool {
        self.tag = tag
        order = 0
        let hit = table.process(packet, time: time)
        if hit.isNew && table.slots[Int(hit.slot)].splitIndex == 0 {
            let server = hit.direction == 0 ? packet.destination : packet.source
            emit(.started(flowID: packet.originTag, server: server, time: time))
        }
        if let response = inspection.inspect(packet, hit: hit, time: time) {
            emit(.dnsResponse(response, time: time))
        }
        return hit.isNew
    }

    /// Scans for idle flows at the run's clock (a shard, told by its dispatcher).
    func expire(at clock: Int64, tag: UInt64) {
        self.tag = tag
        scanning = true
        table.expire(at: clock)
        scanning = false
    }

    /// Ends every open flow (in flow-id order).
    func endAll(reason: EndReason) {
        tag = .max
        scanning = true
        table.endAll(reason: reason)
        scanning = false
    }

    func flowEnded(slot: Int32, reason: EndReason, table: FlowTable) {
        let flow = table.summary(slot, reason: reason)
        let evidence = inspection.finish(slot: slot, continues: reason == .active)
        emit(.ended(flow, evidence, labeller?.label(flow, evidence: evidence)), flowID: flow.flowID)
    }

    @inline(__always)
    private func emit(_ event: FlowEvent, flowID: UInt64 = 0) {
        if scanning {
            sink(event, EventKey(tag: tag, phase: 0, order: flowID))
        } else {
            sink(event, EventKey(tag: tag, phase: 1, order: order))
            order += 1
        }
    }
}
