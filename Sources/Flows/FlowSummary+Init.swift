import Decoding

extension FlowSummary {
    /// A flow not seen by the flow table (rebuilt from another tool's logs): the
    /// endpoints and times given, counters empty, no tunnel, VLANs or payload sequence.
    public init(proto: UInt8, clientAddress: IPAddress, clientPort: UInt16, serverAddress: IPAddress, serverPort: UInt16,
                firstSeen: Int64, lastSeen: Int64, communityID: String) {
        self.init(
            flowID: 0, communityID: communityID, proto: proto, ipVersion: clientAddress.isIPv4 ? 4 : 6,
            clientAddress: clientAddress, clientPort: clientPort, serverAddress: serverAddress, serverPort: serverPort,
            vlans: [], tunnel: nil, firstSeen: firstSeen, lastSeen: lastSeen,
            c2s: DirectionCounters(), s2c: DirectionCounters(), tcp: [], icmpType: 0, icmpCode: 0,
            endReason: .eof, splitOf: 0, splitIndex: 0, payloadLengths: [], payloadGaps: [])
    }
}
