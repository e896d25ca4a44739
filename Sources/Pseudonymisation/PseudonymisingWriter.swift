import Decoding
import Flows
import Reports

/// Pseudonymised output: hands `inner` each flow with its addresses mapped. The
/// flow's tuple (client, server, a tunnel's outer ends) is mapped as addresses, so
/// every projection — JSON Lines, CSV, EVE, ECS, the table, the fingerprint line —
/// shows the pseudonyms; `community_id` is recomputed from the pseudonymised tuple
/// (the real one would link the record to the original traffic); the texts the
/// evidence and the label describe are mapped as they are projected
/// (`FlowReport.addressMap`, `AddressMappingSink`).
public final class PseudonymisingWriter: FlowReportWriter {
    private let inner: FlowReportWriter
    public let pseudonymiser: Pseudonymiser
    /// The seed the run's `community_id` values were computed with.
    public let communityIDSeed: UInt16

    public init(wrapping inner: FlowReportWriter, pseudonymiser: Pseudonymiser, communityIDSeed: UInt16 = 0) {
        self.inner = inner
        self.pseudonymiser = pseudonymiser
        self.communityIDSeed = communityIDSeed
    }

    public func write(_ report: FlowReport) throws(OutputError) {
        try inner.write(PseudonymisingWriter.pseudonymised(report, by: pseudonymiser, communityIDSeed: communityIDSeed))
    }

    public func finish() throws(OutputError) {
        try inner.finish()
    }

    /// `report` with its addresses mapped by `map`.
    public static func pseudonymised(_ report: FlowReport, by map: any AddressMap, communityIDSeed: UInt16 = 0) -> FlowReport {
        var report = report
        var flow = report.summary
        flow.clientAddress = map.map(flow.clientAddress)
        flow.serverAddress = map.map(flow.serverAddress)
        if var tunnel = flow.tunnel {
            tunnel.outerSource = map.map(tunnel.outerSource)
            tunnel.outerDestination = map.map(tunnel.outerDestination)
            flow.tunnel = tunnel
        }
        if !flow.communityID.isEmpty {
            flow.communityID = CommunityID.compute(
                proto: flow.proto, source: flow.clientAddress, destination: flow.serverAddress,
                sourcePort: flow.clientPort, destinationPort: flow.serverPort,
                icmpType: flow.icmpType, icmpCode: flow.icmpCode, seed: communityIDSeed)
        }
        report.summary = flow
        report.addressMap = map
        return report
    }
}
