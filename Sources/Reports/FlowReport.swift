import Decoding
import Flows
import Inspection

/// One flow as reported: the flow table's summary and where the flow came from.
/// Later stages (dissectors, fingerprints, classification) add their parts here.
public struct FlowReport: Sendable {
    public var summary: FlowSummary
    /// The capture file the flow's first frame came from ("-" for standard input).
    public var sourceFile: String
    /// 1-based frame number of the flow's first frame in `sourceFile`.
    public var firstFrame: UInt64
    /// Print times with nanoseconds (the capture has them) rather than microseconds.
    public var nanosecondTimes: Bool
    /// What dissection of the flow's first packets found.
    public var evidence: FlowEvidence?

    public init(summary: FlowSummary, sourceFile: String, firstFrame: UInt64, nanosecondTimes: Bool, evidence: FlowEvidence? = nil) {
        self.summary = summary
        self.sourceFile = sourceFile
        self.firstFrame = firstFrame
        self.nanosecondTimes = nanosecondTimes
        self.evidence = evidence
    }
}

/// Receives flow reports as flows end, then once `finish()` at the end of the run.
public protocol FlowReportWriter: AnyObject {
    func write(_ report: FlowReport) throws(OutputError)
    func finish() throws(OutputError)
}

public enum ProtocolNames {
    /// `tcp`, `udp`, `icmp`, `icmpv6`, `sctp`, or the protocol number as a string.
    public static func name(_ proto: UInt8) -> String {
        switch proto {
        case IPProtocol.tcp: "tcp"
        case IPProtocol.udp: "udp"
        case IPProtocol.icmp: "icmp"
        case IPProtocol.icmpv6: "icmpv6"
        case IPProtocol.sctp: "sctp"
        default: String(proto)
        }
    }

    /// TCP flags as letters, in the order S F R P A U E C.
    public static func tcpFlags(_ flags: UInt8) -> String {
        var text = ""
        if flags & TCPFlags.syn != 0 { text += "S" }
        if flags & TCPFlags.fin != 0 { text += "F" }
        if flags & TCPFlags.rst != 0 { text += "R" }
        if flags & TCPFlags.psh != 0 { text += "P" }
        if flags & TCPFlags.ack != 0 { text += "A" }
        if flags & TCPFlags.urg != 0 { text += "U" }
        if flags & TCPFlags.ece != 0 { text += "E" }
        if flags & TCPFlags.cwr != 0 { text += "C" }
        return text
    }

    /// How far the TCP handshake went: `complete`, `syn_ack` (no final ACK seen),
    /// `syn` (unanswered), `rejected` (SYN answered by RST), `midstream` (no SYN seen).
    public static func tcpHandshake(_ progress: TCPProgress) -> String {
        if progress.contains(.established) { return "complete" }
        if progress.contains(.synAck) { return progress.contains(.syn) ? "syn_ack" : "midstream" }
        if progress.contains(.syn) { return progress.contains(.rstS2C) ? "rejected" : "syn" }
        return "midstream"
    }
}
