import Decoding
import Schema

/// What a flow's first packets revealed: handshakes, names, fingerprints and
/// framings. Every field is optional; a flow carries what was seen.
public struct FlowEvidence: Sendable {
    /// The application protocol recognised.
    public var appProto: AppProtocol?
    @Boxed public var tls: TLSEvidence? = nil
    @Boxed public var quic: QUICEvidence? = nil
    public var ja4t: String?
    public var ja4ts: String?
    @Boxed public var dns: DNSEvidence? = nil
    /// The name this flow's server address was looked up by (from an earlier DNS answer).
    public var dnsName: String?
    @Boxed public var http: HTTPEvidence? = nil
    /// The target a proxy was asked to connect to (HTTP CONNECT, SOCKS).
    @Boxed public var proxy: ProxyEvidence? = nil
    @Boxed public var ssh: SSHEvidence? = nil
    @Boxed public var stun: STUNEvidence? = nil
    @Boxed public var rtp: RTPEvidence? = nil
    @Boxed public var mtproto: MTProtoEvidence? = nil
    /// Platform framings recognised on the wire (facts for the rules), e.g.
    /// `whatsapp-noise`, `threema`, `discord-ip-discovery`.
    public var framings: [String] = []
    /// The first bytes (at most 64) of the first payload packet of each direction:
    /// index 0 client to server, 1 server to client. For the rules' payload
    /// conditions; not part of the JSON output.
    public var firstPayloads = FirstPayloads()

    public init() {}

    public var isEmpty: Bool {
        appProto == nil && tls == nil && quic == nil && ja4t == nil && ja4ts == nil && dns == nil
            && dnsName == nil && http == nil && proxy == nil && ssh == nil && stun == nil && rtp == nil && mtproto == nil && framings.isEmpty
    }

    /// The most telling single fact, for the table: the field with the best
    /// `headline` rank in the declarations (a name, else a fingerprint).
    public var headline: String? {
        var sink = HeadlineSink()
        describe(into: &sink)
        return sink.best
    }

    /// The evidence fields, in order (the JSON keys after the flow's own). The
    /// records are described in their boxes, not copied out (see `Boxed`).
    @inlinable
    public func describe<Sink: FieldSink>(into sink: inout Sink) {
        if let appProto { sink.text(.appProto, appProto.name) }
        if let box = $tls.box { sink.object(.tls) { box.value.describe(into: &$0) } }
        if let box = $quic.box { sink.object(.quic) { box.value.describe(into: &$0) } }
        if ja4t != nil || ja4ts != nil {
            sink.object(.tcp) { tcp in
                tcp.text(.tcpJA4T, ja4t)
                tcp.text(.tcpJA4TS, ja4ts)
            }
        }
        if let box = $dns.box { sink.object(.dns) { box.value.describe(into: &$0) } }
        sink.text(.dnsName, dnsName)
        if let box = $http.box { sink.object(.http) { box.value.describe(into: &$0) } }
        if let box = $proxy.box { sink.object(.proxy) { box.value.describe(into: &$0) } }
        if let box = $ssh.box { sink.object(.ssh) { box.value.describe(into: &$0) } }
        if let box = $stun.box { sink.object(.stun) { box.value.describe(into: &$0) } }
        if let box = $rtp.box { sink.object(.rtp) { box.value.describe(into: &$0) } }
        if let box = $mtproto.box { sink.object(.mtproto) { box.value.describe(into: &$0) } }
        if !framings.isEmpty { sink.texts(.framings, framings) }
    }

}
