import Dissectors

// The protocol units of the inspector and the order in which they are tried.
// Adding a protocol: a folder `Protocols/<Name>/` with its `<Name>Unit.swift`
// (how it probes the first bytes and examines each direction), one row in the
// probe table of its transport below, and — when it keeps state per flow — one
// case in `ProtocolUnit` with the dispatch to its `examine`.

/// The unit a flow was recognised as, with that unit's per-flow state. Units with
/// state hold it in a class instance (one allocation per flow, mutated in place), so
/// the inspector pays one word and a tag however many units there are: a UDP flow
/// does not carry TCP's state and vice versa.
enum ProtocolUnit {
    /// Not recognised yet (TCP), or no unit with state engaged yet (UDP).
    case undecided
    /// TCP: nothing more to learn from the bytes; dissection concludes.
    case finished
    // TCP units without state of their own (the evidence and the stream prefixes are all).
    case tls
    case stunOverTCP
    case mtproto
    case openVPNOverTCP
    // TCP units with state.
    case ssh(SSHUnit)
    case xmpp(XMPPUnit)
    case http(HTTPUnit)
    case dnsOverTCP(DNSOverTCPUnit)
    /// STARTTLS and the like, and proxies: clear text, then TLS on the same stream.
    case upgrade(UpgradeUnit)
    // UDP units with state: once engaged, every later datagram goes to them.
    case quic(QUICUnit)
    case openVPN(OpenVPNUnit)
    /// A call's multiplexed flow (RFC 7983): STUN, DTLS, RTP and framings share it.
    case media(MediaUnits)

    var isUndecided: Bool { if case .undecided = self { true } else { false } }
    var isFinished: Bool { if case .finished = self { true } else { false } }

    /// When dissection concludes: drops every unit's working state but SSH's (JA4SSH
    /// goes on counting packets after dissection).
    mutating func release() {
        if case .ssh = self { return }
        self = .finished
    }

    /// Examines the stream prefix of one TCP direction with the flow's unit.
    /// Returns the DNS response the bytes carried (DNS over TCP), if any.
    func examine(_ bytes: UnsafeRawBufferPointer, direction: Int, flow: FlowInspector) -> DNSMessage? {
        switch self {
        case .undecided, .finished, .quic, .openVPN, .media:
            return nil
        case .tls:
            TLSUnit.examine(bytes, direction: direction, flow: flow)
        case .http(let http):
            http.examine(bytes, direction: direction, flow: flow)
        case .ssh:
            SSHUnit.examine(bytes, direction: direction, flow: flow)
        case .dnsOverTCP(let dns):
            return dns.examine(bytes, direction: direction, flow: flow)
        case .stunOverTCP:
            STUNUnit.examine(bytes, direction: direction, flow: flow)
        case .mtproto:
            MTProtoUnit.examine(flow: flow)
        case .openVPNOverTCP:
            OpenVPNUnit.examine(bytes, direction: direction, flow: flow)
        case .xmpp(let xmpp):
            xmpp.examine(bytes, direction: direction, flow: flow)
        case .upgrade(let upgrade):
            upgrade.examine(bytes, direction: direction, flow: flow)
        }
        return nil
    }
}

/// The state of the media units sharing a UDP flow (DTLS and RTP keep some; STUN
/// and the framings keep none): one allocation for both.
final class MediaUnits {
    var dtls: DTLSUnit?
    var rtp: RTPUnit?
}

extension FlowInspector {
    /// The media units' state of this UDP flow, created on first use.
    func mediaUnits() -> MediaUnits {
        if case .media(let media) = unit { return media }
        let media = MediaUnits()
        unit = .media(media)
        return media
    }
}

/// The TCP probe table: the first bytes of a direction (its stream prefix so far)
/// are offered to each row in this order until one recognises them. The order
/// decides what a flow is called; rows marked client-only look at the client's
/// bytes only, server-only rows at the server's.
enum TCPProbe {
    case tls, ssh, http, dnsContent, openVPN, whatsAppNoise, dns, stun, xmpp, greeting, ldap, postgres, rdp, socks, mtproto, viber

    // A DNS query found by content goes before OpenVPN, whose 2-byte length framing it shares.
    static let order: [TCPProbe] = [
        .tls, .ssh, .http, .dnsContent, .openVPN, .whatsAppNoise, .dns, .stun, .xmpp,
        .greeting, .ldap, .postgres, .rdp, .socks, .mtproto, .viber,
    ]

    var clientOnly: Bool {
        switch self {
        case .tls, .ssh, .xmpp, .greeting: false
        case .http, .dnsContent, .openVPN, .whatsAppNoise, .dns, .stun, .ldap, .postgres, .rdp, .socks, .mtproto, .viber: true
        }
    }

    /// The server speaks first (SMTP, FTP, IMAP, POP3 greetings).
    var serverOnly: Bool {
        if case .greeting = self { true } else { false }
    }

    /// The unit the flow turns into; `.undecided` to wait for more bytes (no later
    /// row is tried); nil when the row does not recognise the bytes.
    func probe(_ bytes: UnsafeRawBufferPointer, flow: FlowInspector) -> ProtocolUnit? {
        switch self {
        case .tls: TLSUnit.probe(bytes, flow: flow)
        case .ssh: SSHUnit.probe(bytes, flow: flow)
        case .http: HTTPUnit.probe(bytes, flow: flow)
        case .openVPN: OpenVPNUnit.probeTCP(bytes, flow: flow)
        case .whatsAppNoise: FramingsUnit.probeWhatsAppNoise(bytes, flow: flow)
        case .dnsContent: DNSUnit.probeTCPContent(bytes, flow: flow)
        case .dns: DNSUnit.probeTCPPort(bytes, flow: flow)
        case .stun: STUNUnit.probeTCP(bytes, flow: flow)
        case .xmpp: XMPPUnit.probe(bytes, flow: flow)
        case .greeting: UpgradeUnit.probeGreeting(bytes, flow: flow)
        case .ldap: UpgradeUnit.probeLDAP(bytes, flow: flow)
        case .postgres: UpgradeUnit.probePostgres(bytes, flow: flow)
        case .rdp: UpgradeUnit.probeRDP(bytes, flow: flow)
        case .socks: UpgradeUnit.probeSOCKS(bytes, flow: flow)
        case .mtproto: MTProtoUnit.probe(bytes, flow: flow)
        case .viber: FramingsUnit.probeViberTCP(bytes, flow: flow)
        }
    }

    /// Recognises the protocol from the first bytes of either direction.
    static func classify(_ bytes: UnsafeRawBufferPointer, direction: Int, flow: FlowInspector) -> ProtocolUnit {
        for row in order where direction == 0 ? !row.serverOnly : !row.clientOnly {
            if let unit = row.probe(bytes, flow: flow) { return unit }
        }
        return flow.payloadPackets >= FlowInspector.Budget.undecidedPayloadPackets ? .finished : .undecided
    }
}

/// What a UDP row did with a datagram.
enum UDPVerdict {
    /// Not this row's: the next row looks.
    case pass
    /// Taken: no later row looks.
    case taken
    /// A DNS message: taken, and the datagram budget does not apply; the response, if it is one.
    case dns(DNSMessage?)
}

/// The UDP probe table: every datagram is offered to each row in this order until
/// one takes it. QUIC and OpenVPN, once engaged, take every later datagram; the
/// media rows (STUN … framings) split a call's multiplexed flow by first byte.
enum UDPProbe {
    case dns, quic, openVPN, wireGuard, stun, dtls, rtp, turnChannelData, framings

    static let order: [UDPProbe] = [.dns, .quic, .openVPN, .wireGuard, .stun, .dtls, .rtp, .turnChannelData, .framings]

    func offer(_ datagram: UnsafeRawBufferPointer, direction: Int, flow: FlowInspector) -> UDPVerdict {
        switch self {
        case .dns: DNSUnit.offer(datagram, flow: flow)
        case .quic: QUICUnit.offer(datagram, direction: direction, flow: flow)
        case .openVPN: OpenVPNUnit.offer(datagram, direction: direction, flow: flow)
        case .wireGuard: WireGuardUnit.offer(datagram, flow: flow)
        case .stun: STUNUnit.offer(datagram, flow: flow)
        case .dtls: DTLSUnit.offer(datagram, flow: flow)
        case .rtp: RTPUnit.offer(datagram, flow: flow)
        case .turnChannelData: STUNUnit.offerChannelData(datagram, flow: flow)
        case .framings: FramingsUnit.offer(datagram, flow: flow)
        }
    }
}
