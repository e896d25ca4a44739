import Decoding
import Schema

/// What a flow's first packets revealed: handshakes, names, fingerprints and
/// framings. Every field is optional; a flow carries what was seen.
public struct FlowEvidence: Sendable {
    /// The application protocol recognised.
    public var appProto: AppProtocol?
    @Boxed public var tls: TLSEvidence? = nil
    public var quicVersion: String?
    public var ja4t: String?
    public var ja4ts: String?
    @Boxed public var dns: DNSEvidence? = nil
    /// The name this flow's server address was looked up by (from an earlier DNS answer).
    public var dnsName: String?
    @Boxed public var http: HTTPEvidence? = nil
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
    public var firstPayloads: [[UInt8]] = [[], []]

    public init() {}

    public var isEmpty: Bool {
        appProto == nil && tls == nil && quicVersion == nil && ja4t == nil && ja4ts == nil && dns == nil
            && dnsName == nil && http == nil && ssh == nil && stun == nil && rtp == nil && mtproto == nil && framings.isEmpty
    }

    /// The most telling single fact, for the table: a name, else a fingerprint.
    public var headline: String? {
        if let sni = tls?.sni { return sni }
        if let query = dns?.queries.first?.name { return query }
        if let host = http?.host { return host }
        if let realm = stun?.realm { return realm }
        if let name = dnsName { return name }
        if let banner = ssh?.clientBanner ?? ssh?.serverBanner { return banner }
        if let transport = mtproto?.transport { return transport }
        if let ja4 = tls?.ja4 { return ja4 }
        return framings.first
    }
}

public struct TLSCertificateEvidence: Sendable {
    public var subject: String
    public var issuer: String
    public var san: [String]
    public var notBefore: String
    public var notAfter: String
    public var serial: String
    public var sha256: String
    public var ja4x: String?
}

/// A TLS, QUIC or DTLS handshake.
public struct TLSEvidence: Sendable {
    /// Negotiated version (`1.3`, `1.2`, … `dtls1.2`), else the highest offered.
    public var version: String?
    public var sni: String?
    public var alpn: [String] = []
    public var alpnSelected: String?
    /// Selected cipher suite as 4 hex digits, e.g. `1301`.
    public var cipher: String?
    public var ja3: String?
    public var ja3String: String?
    public var ja3s: String?
    public var ja3sString: String?
    public var ja4: String?
    public var ja4r: String?
    public var ja4s: String?
    public var ja4sr: String?
    public var ech: Bool = false
    public var certificates: [TLSCertificateEvidence] = []
    public var sawClientHello = false
    public var sawServerHello = false
}

public struct DNSQueryEvidence: Sendable {
    public var name: String
    public var type: String
}

public struct DNSAnswerEvidence: Sendable {
    public var name: String
    public var type: String
    public var data: String
    public var ttl: UInt32
}

public struct DNSEvidence: Sendable {
    public var queries: [DNSQueryEvidence] = []
    public var answers: [DNSAnswerEvidence] = []
    public var rcode: String?
    /// Messages parsed in this flow.
    public var messages = 0
}

public struct HTTPEvidence: Sendable {
    public var host: String?
    public var method: String?
    public var target: String?
    public var userAgent: String?
    public var ja4h: [String] = []
}

public struct SSHEvidence: Sendable {
    public var clientBanner: String?
    public var serverBanner: String?
    public var hassh: String?
    public var hasshServer: String?
    public var ja4ssh: [String] = []
}

public struct STUNEvidence: Sendable {
    public var realm: String?
    public var software: String?
    /// Attribute type numbers, in order of first appearance.
    public var attributes: [UInt16] = []
    public var methods: [String] = []
    public var mapped: [String] = []
    public var relayed: [String] = []
    public var peer: [String] = []
    public var messages = 0
}

public struct RTPEvidence: Sendable {
    public var payloadTypes: [UInt8] = []
    public var ssrcCount = 0
    public var rtcpPackets = 0
    public var rtpPackets = 0
}

public struct MTProtoEvidence: Sendable {
    /// `abridged`, `intermediate`, `padded-intermediate`, `full`, with `obfuscated2/` in front when obfuscated.
    public var transport: String
    public var dcID: Int16?
}
