import Decoding

/// Names of protocols, TCP flags and handshake progress as reports print them.
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
