import Decoding
import Dissectors
import Flows
import Schema

/// The dissection stage of one flow table: one `FlowInspector` per flow slot while
/// the flow is young, and a bound on the bytes held for reassembly. Per packet
/// of a flow whose dissection is over, it costs one array read.
public final class FlowInspection {
    /// Bytes all flows together may hold for stream reassembly; past it, flows
    /// stop being dissected (and the run summary says how many).
    public static let reassemblyBudget = 256 << 20
    /// This table's share of the budget (a sharded run splits it between its shards).
    public let budget: Int

    private var inspectors: [FlowInspector?] = []
    /// Per slot: a TCP flow that has carried no payload yet (no inspector until it does).
    private var preludes: [TCPPrelude?] = []
    /// Per slot: the evidence of a flow whose dissection is over, kept without the
    /// inspector's working state until the flow ends (most of a flow's life).
    private var concluded: [ConcludedEvidence?] = []
    /// Per slot: packets still go to the inspector.
    private var wantsPackets: [Bool] = []
    private var heldBytes = 0
    public private(set) var flowsOverBudget = 0
    private let certificates = CertificateCacheBox()

    public init(budget: Int = FlowInspection.reassemblyBudget) {
        self.budget = budget
    }

    /// Hands one packet to its flow's inspector while the flow is being dissected.
    /// Returns the DNS response the packet carried, if any (for the run's address →
    /// name cache, which lives with the reports because it spans all flows).
    @inline(__always)
    @discardableResult
    public func inspect(_ packet: DecodedPacket, hit: FlowHit, time: Int64) -> DNSMessage? {
        let slot = Int(hit.slot)
        if hit.isNew { begin(slot, packet: packet, direction: hit.direction, time: time) }
        guard slot < wantsPackets.count, wantsPackets[slot] else { return nil }
        if let prelude = preludes[slot] {
            // A length past 16 bits (a jumbogram) or a ninth packet without payload goes
            // to an inspector too: the prelude packs lengths in 16 bits, and up to 8.
            if packet.payload.count == 0 && packet.payloadLength <= 0xFFFF && prelude.hasRoom {
                prelude.record(packet, direction: Int(hit.direction))
                return nil
            }
            // The first payload: an inspector takes over what the prelude saw.
            let inspector = prelude.inspector(certificates: certificates)
            preludes[slot] = nil
            inspectors[slot] = inspector
        }
        guard let inspector = inspectors[slot] else { return nil }
        if inspector.isDone {
            wantsPackets[slot] = inspector.countForJA4SSH(packet, direction: hit.direction)
            if !wantsPackets[slot] { retire(slot, inspector) }
            return nil
        }
        let before = inspector.heldBytes
        let response = inspector.inspect(packet, direction: hit.direction, packetNumber: hit.packetNumber)
        heldBytes += inspector.heldBytes - before
        if heldBytes > budget && !inspector.isDone {
            flowsOverBudget += 1
            let held = inspector.heldBytes
            inspector.conclude()
            heldBytes -= held
        }
        if inspector.isDone {
            wantsPackets[slot] = inspector.wantsPacketsAfterDissection
            if !wantsPackets[slot] { retire(slot, inspector) }
        }
        return response
    }

    private func begin(_ slot: Int, packet: DecodedPacket, direction: UInt8, time: Int64) {
        if slot >= inspectors.count {
            let grown = max(slot + 1, inspectors.count * 2, 1024)
            inspectors.append(contentsOf: repeatElement(nil, count: grown - inspectors.count))
            wantsPackets.append(contentsOf: repeatElement(false, count: grown - wantsPackets.count))
            concluded.append(contentsOf: repeatElement(nil, count: grown - concluded.count))
            preludes.append(contentsOf: repeatElement(nil, count: grown - preludes.count))
        }
        // The next part of a split flow keeps what the first part found.
        if inspectors[slot] != nil || concluded[slot] != nil || preludes[slot] != nil { return }
        // Only TCP and UDP are dissected: other flows hold no inspector at all.
        guard packet.proto == IPProtocol.tcp || packet.proto == IPProtocol.udp else {
            concluded[slot] = .empty
            wantsPackets[slot] = false
            return
        }
        let ports = IPProtocol.hasPorts(packet.proto)
        let (clientPort, serverPort) = direction == 0
            ? (packet.sourcePort, packet.destinationPort) : (packet.destinationPort, packet.sourcePort)
        if packet.proto == IPProtocol.tcp {
            // Until its first payload a TCP flow keeps only its prelude.
            preludes[slot] = TCPPrelude(clientPort: clientPort, serverPort: serverPort)
            wantsPackets[slot] = true
            return
        }
        let inspector = FlowInspector(
            proto: packet.proto, clientPort: ports ? clientPort : 0, serverPort: ports ? serverPort : 0,
            certificates: certificates)
        inspectors[slot] = inspector
        wantsPackets[slot] = !inspector.isDone
        if inspector.isDone { retire(slot, inspector) }
    }

    /// Keeps only the evidence of a flow whose dissection is over.
    private func retire(_ slot: Int, _ inspector: FlowInspector) {
        heldBytes -= inspector.heldBytes
        inspector.finish()
        concluded[slot] = ConcludedEvidence.keeping(inspector.evidence)
        inspectors[slot] = nil
    }

    /// Flows being inspected or holding evidence, counted by application protocol
    /// ("" when not told yet), for a live view. Walks every slot: call it rarely
    /// (about once a second), never per packet.
    public func appProtocolCounts() -> [String: Int] {
        var counts: [String: Int] = [:]
        for case let inspector? in inspectors {
            counts[inspector.evidence.appProto?.name ?? "", default: 0] += 1
        }
        for case let retired? in concluded {
            counts[retired.evidence.appProto?.name ?? "", default: 0] += 1
        }
        for case _? in preludes { counts["", default: 0] += 1 }
        return counts
    }

    /// The evidence of the flow in `slot` as it ends. For the part of a split flow
    /// (`continues`), the state stays for the next part.
    public func finish(slot: Int32, continues: Bool) -> FlowEvidence? {
        let index = Int(slot)
        guard index < inspectors.count else { return nil }
        if let retired = concluded[index] {
            if !continues { concluded[index] = nil }
            return retired.evidence
        }
        if let prelude = preludes[index] {
            if !continues {
                preludes[index] = nil
                wantsPackets[index] = false
            }
            return prelude.evidence
        }
        guard let inspector = inspectors[index] else { return nil }
        if continues { return inspector.evidence }
        inspector.finish()
        heldBytes -= inspector.heldBytes
        inspectors[index] = nil
        wantsPackets[index] = false
        return inspector.evidence
    }
}

/// What a flow keeps once its dissection is over.
final class ConcludedEvidence: Sendable {
    let evidence: FlowEvidence

    /// Shared by the flows that found nothing (all but TCP and UDP), so that they
    /// hold no object of their own.
    static let empty = ConcludedEvidence(FlowEvidence())

    private init(_ evidence: FlowEvidence) {
        self.evidence = evidence
    }

    static func keeping(_ evidence: FlowEvidence) -> ConcludedEvidence {
        evidence.isEmpty && evidence.firstPayloads.isEmpty ? .empty : ConcludedEvidence(evidence)
    }
}
