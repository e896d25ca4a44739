import Decoding

/// What the flow table knows of a flow when it ends, as plain values for the
/// stages above it (dissectors, classifier and reports add their own parts).
public struct FlowSummary: Sendable {
    public var flowID: UInt64
    public var communityID: String
    public var proto: UInt8
    public var ipVersion: UInt8
    public var clientAddress: IPAddress
    public var clientPort: UInt16
    public var serverAddress: IPAddress
    public var serverPort: UInt16
    public var vlans: [UInt16]
    public var tunnel: TunnelInfo?
    public var firstSeen: Int64
    public var lastSeen: Int64
    public var c2s: DirectionCounters
    public var s2c: DirectionCounters
    public var tcp: TCPProgress
    public var icmpType: UInt8
    public var icmpCode: UInt8
    public var endReason: EndReason
    public var splitOf: UInt64
    public var splitIndex: UInt32
    public var payloadLengths: [Int32]
    public var payloadGaps: [UInt32]
    /// The input and frame number of the flow's first frame.
    public var origin = FrameOrigin()

    public var duration: Int64 { lastSeen - firstSeen }
    public var isSplit: Bool { splitIndex > 0 || endReason == .active }
}

extension FlowTable {
    /// The summary of the flow in `slot` (call from the end handler).
    public func summary(_ slot: Int32, reason: EndReason) -> FlowSummary {
        let state = slots[Int(slot)]
        let (client, server) = (state.client, state.server)
        let ports = IPProtocol.hasPorts(state.key.proto)
        let sequence = payloadSequence(slot)
        return FlowSummary(
            flowID: state.flowID,
            communityID: CommunityID.compute(
                proto: state.key.proto, source: client.address, destination: server.address,
                sourcePort: client.port, destinationPort: server.port,
                icmpType: state.icmpType, icmpCode: state.icmpCode, seed: configuration.communityIDSeed),
            proto: state.key.proto, ipVersion: state.ipVersion,
            clientAddress: client.address, clientPort: ports ? client.port : 0,
            serverAddress: server.address, serverPort: ports ? server.port : 0,
            vlans: state.key.vlans.ids,
            tunnel: tunnel(slot),
            firstSeen: state.firstSeen, lastSeen: state.lastSeen,
            c2s: state.c2s.counters(tcpFlags: state.c2sFlags), s2c: state.s2c.counters(tcpFlags: state.s2cFlags), tcp: state.tcp,
            icmpType: state.icmpType, icmpCode: state.icmpCode,
            endReason: reason, splitOf: state.splitOf, splitIndex: state.splitIndex,
            payloadLengths: sequence.lengths, payloadGaps: sequence.gaps, origin: state.origin)
    }
}
