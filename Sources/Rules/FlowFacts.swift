import Decoding

/// What the rules can see of one flow: the flow-table counters and the evidence
/// of its first packets, flattened into named fields. The classifier fills it
/// from a flow report; the rule engine only reads it.
public struct FlowFacts: Sendable {
    /// `tcp`, `udp`, `icmp`, `icmpv6`, `sctp`, or the protocol number as text.
    public var proto: String
    public var sourceAddress: IPAddress
    public var sourcePort: UInt16
    public var destinationAddress: IPAddress
    public var destinationPort: UInt16
    /// `tls`, `quic`, `dtls`, `dns`, `http`, `ssh`, `stun`, `rtp`, `mtproto`, `whatsapp-noise`, …
    public var appProto: String?
    /// Text fields by name: `tls.sni`, `dns_name`, `dns.queries`, `http.host`,
    /// `tls.alpn`, `tls.ja3`, `tls.ja3s`, `tls.ja4`, `tls.ja4s`, `tcp.ja4t`,
    /// `tls.certificates.issuer`, `tls.certificates.subject`, `stun.realm`,
    /// `stun.software`, `mtproto.transport`, `quic.version`, `ssh.client_banner`,
    /// `ssh.hassh`, `http.user_agent`, `framings`, … (several values where the
    /// record has a list). Absent fields are simply missing. `RuleFields` lists every
    /// name rules may use; domain fields need no normalising (the engine lower-cases them).
    public var text: [String: [String]]
    /// STUN attribute type numbers seen, in order.
    public var stunAttributes: [UInt16]
    /// The first bytes (at most `firstPayloadLimit`) of the first payload packet
    /// of each direction: index 0 client to server, 1 server to client.
    public var firstPayload: [[UInt8]]
    /// Signed lengths of the first payload packets (positive client to server).
    public var payloadLengths: [Int32]
    /// Flow counters by name: `packets_c2s`, `packets_s2c`, `bytes_c2s`,
    /// `bytes_s2c`, `payload_c2s`, `payload_s2c`, `duration_ms`.
    public var counters: [String: Int64]

    public static let firstPayloadLimit = 64

    public init(
        proto: String, sourceAddress: IPAddress, sourcePort: UInt16, destinationAddress: IPAddress, destinationPort: UInt16,
        appProto: String? = nil, text: [String: [String]] = [:], stunAttributes: [UInt16] = [],
        firstPayload: [[UInt8]] = [[], []], payloadLengths: [Int32] = [], counters: [String: Int64] = [:]
    ) {
        self.proto = proto
        self.sourceAddress = sourceAddress
        self.sourcePort = sourcePort
        self.destinationAddress = destinationAddress
        self.destinationPort = destinationPort
        self.appProto = appProto
        self.text = text
        self.stunAttributes = stunAttributes
        self.firstPayload = firstPayload
        self.payloadLengths = payloadLengths
        self.counters = counters
    }
}
