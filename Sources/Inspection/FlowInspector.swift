import Decoding
import Dissectors
import Fingerprints
import FingerprintsFoxIO
import Flows
import Schema

/// The dissection state of one flow during its first packets: reassembles the
/// first bytes of each TCP direction, recognises the application protocol, runs
/// its dissector and turns what it finds into `FlowEvidence`. Concludes as soon as
/// the flow has told what it can; later packets then only update counters.
final class FlowInspector {
    enum TCPKind {
        case undecided, tls, http, ssh, mtproto, dns, stun, openvpn, finished
    }

    /// Limits on how long a flow is looked at.
    enum Budget {
        static let streamBytes = 16 * 1024
        static let tlsStreamBytes = 256 * 1024
        static let undecidedPayloadPackets = 6
        static let tcpPackets: UInt64 = 600
        static let udpPackets = 24
        static let dnsMessages = 32
        static let recordedQueries = 16
        static let recordedAnswers = 32
        static let ja4sshWindows = 10
    }

    static let firstPayloadBytes = 64

    var evidence = FlowEvidence()
    private(set) var isDone = false
    let proto: UInt8
    let serverPort: UInt16
    let clientPort: UInt16

    // TCP
    private var streams = StreamPair(TCPStreamPrefix(limit: Budget.streamBytes), TCPStreamPrefix(limit: Budget.streamBytes))
    private var directionDone = FlagPair()
    private var kind = TCPKind.undecided
    private var payloadPackets = 0
    @Boxed private var ja4ssh: JA4SSH? = nil
    /// Packets seen before the protocol is known, replayed into JA4SSH if it turns out SSH.
    private var earlyPackets: [JA4SSHPacket] = []

    // UDP
    private var udpPackets = 0
    @Boxed private var quic: QUICHandshakeAssembler? = nil
    private var quicHelloParsed = false
    private var quicServerHelloParsed = false
    private var dtls: DTLSHandshakeAssembler?
    private var ssrcs: Set<UInt32> = []
    private var rtpCandidates = 0
    /// OpenVPN's control channel carries a TLS handshake, per direction.
    private var openVPN: [OpenVPNTLSStream]?

    /// Shared by all flows of the run (owned by `FlowInspection`).
    private let certificates: CertificateCacheBox

    init(proto: UInt8, clientPort: UInt16, serverPort: UInt16, certificates: CertificateCacheBox) {
        self.certificates = certificates
        self.proto = proto
        self.clientPort = clientPort
        self.serverPort = serverPort
        if proto != IPProtocol.tcp && proto != IPProtocol.udp { isDone = true }
    }

    /// Bytes held for reassembly (for the global budget).
    var heldBytes: Int { streams[0].heldBytes + streams[1].heldBytes }

    /// Stops inspecting and frees the reassembly buffers.
    func conclude() {
        guard !isDone || heldBytes > 0 else { return }
        isDone = true
        streams[0].release()
        streams[1].release()
        quic = nil
        dtls = nil
        openVPN = nil
        ssrcs = []
        finishAppProto()
    }

    // MARK: Packets

    func inspect(_ packet: DecodedPacket, direction: UInt8, packetNumber: UInt64) {
        let side = Int(direction)
        if evidence.firstPayloads[side].isEmpty && packet.payload.count > 0 {
            evidence.firstPayloads[side] = Array(packet.payload.prefix(FlowInspector.firstPayloadBytes))
        }
        if proto == IPProtocol.tcp {
            inspectTCP(packet, direction: Int(direction), packetNumber: packetNumber)
        } else {
            inspectUDP(packet, direction: Int(direction))
        }
    }

    /// Whether packets should still come after dissection (SSH, for JA4SSH).
    var wantsPacketsAfterDissection: Bool { ja4ssh != nil }

    /// SSH flows go on feeding JA4SSH after dissection (cheap counters per packet).
    func countForJA4SSH(_ packet: DecodedPacket, direction: UInt8) -> Bool {
        feedJA4SSH(JA4SSHPacket(direction: direction == 0 ? .client : .server, tcpPayloadLength: Int(packet.payloadLength), tcpFlags: packet.tcpFlags))
        return ja4ssh != nil
    }

    private func feedJA4SSH(_ entry: JA4SSHPacket) {
        guard var accumulator = ja4ssh else { return }
        if let fingerprint = accumulator.add(entry) {
            evidence.ssh?.ja4ssh.append(fingerprint)
        }
        ja4ssh = accumulator
        if (evidence.ssh?.ja4ssh.count ?? 0) >= Budget.ja4sshWindows { ja4ssh = nil }
    }

    /// At the end of the flow: the partial last JA4SSH window.
    func finish() {
        if let accumulator = ja4ssh, let last = accumulator.finish() {
            evidence.ssh?.ja4ssh.append(last)
            ja4ssh = nil
        }
        finishAppProto()
    }

    private func inspectTCP(_ packet: DecodedPacket, direction: Int, packetNumber: UInt64) {
        let flags = packet.tcpFlags
        let wasSSH = kind == .ssh
        let entry = JA4SSHPacket(direction: direction == 0 ? .client : .server, tcpPayloadLength: Int(packet.payloadLength), tcpFlags: flags)
        if wasSSH { feedJA4SSH(entry) }
        if kind == .undecided && earlyPackets.count < 16 { earlyPackets.append(entry) }
        let synAck = TCPFlags.syn | TCPFlags.ack
        if flags & synAck == TCPFlags.syn {
            if direction == 0 && evidence.ja4t == nil {
                evidence.ja4t = JA4T(window: packet.tcpWindow, options: packet.tcpOptions).fingerprint
            }
            streams[direction].start(synSequence: packet.tcpSequence)
        } else if flags & synAck == synAck {
            if direction == 1 && evidence.ja4ts == nil {
                evidence.ja4ts = JA4TS(window: packet.tcpWindow, options: packet.tcpOptions).fingerprint
            }
            streams[direction].start(synSequence: packet.tcpSequence)
        }
        if packetNumber > Budget.tcpPackets { conclude(); return }
        guard packet.payload.count > 0, !directionDone[direction] else { return }
        payloadPackets += 1
        if streams[direction].add(sequence: packet.tcpSequence, payload: packet.payload) {
            examine(direction)
        }
        if kind != .undecided { earlyPackets = [] }
        if kind == .undecided && payloadPackets >= Budget.undecidedPayloadPackets { kind = .finished }
        if kind == .finished || (directionDone[0] && directionDone[1]) { conclude() }
    }

    private func done(_ direction: Int) {
        directionDone[direction] = true
        streams[direction].release()
    }

    private func examine(_ direction: Int) {
        let prefix = streams[direction].bytes
        prefix.withUnsafeBytes { bytes in
            if kind == .undecided { kind = classifyTCP(bytes, direction: direction) }
            switch kind {
            case .undecided, .finished:
                break
            case .tls:
                examineTLS(bytes, direction: direction)
            case .http:
                examineHTTP(bytes, direction: direction)
            case .ssh:
                examineSSH(bytes, direction: direction)
            case .dns:
                let messages = DNSMessage.parseTCP(bytes, maxMessages: Budget.dnsMessages)
                if !messages.isEmpty {
                    evidence.dns = nil
                    for message in messages { record(message) }
                }
            case .stun:
                let stream = STUN.parseStream(bytes)
                var count = 0
                for item in stream.items {
                    if case .message(let message) = item { count += 1; if count > (evidence.stun?.messages ?? 0) { record(message) } }
                }
                if count >= 4 || streams[direction].isFull { done(direction) }
            case .mtproto:
                done(0)
                done(1)
            case .openvpn:
                var stream = OpenVPNTLSStream()
                for packet in OpenVPN.packets(inTCPStream: bytes) { stream.append(packet) }
                let finished = examineTLSStream(stream, direction: direction, transport: .tcp)
                if finished || streams[direction].isFull { done(direction) }
            }
        }
    }

    /// Recognises the protocol from the first bytes of either direction.
    private func classifyTCP(_ bytes: UnsafeRawBufferPointer, direction: Int) -> TCPKind {
        if TLSRecordStream.looksLikeTLS(bytes) {
            evidence.appProto = .tls
            streams[0].limit = Budget.tlsStreamBytes
            streams[1].limit = Budget.tlsStreamBytes
            return .tls
        }
        if bytes.count >= 4 && bytes[0] == 0x53 && bytes[1] == 0x53 && bytes[2] == 0x48 && bytes[3] == 0x2D {  // "SSH-"
            evidence.appProto = .ssh
            evidence.ssh = SSHEvidence()
            ja4ssh = JA4SSH()
            // The packet being examined is replayed here too; inspectTCP feeds only later ones.
            for entry in earlyPackets { feedJA4SSH(entry) }
            earlyPackets = []
            return .ssh
        }
        if direction == 0 {
            if HTTPRequest.looksLikeRequest(bytes) {
                evidence.appProto = .http
                return .http
            }
            if OpenVPN.looksLikeOpenVPN(firstPacket: bytes, overTCP: true) {
                evidence.appProto = .openvpn
                return .openvpn
            }
            if let prologue = WhatsAppFraming.parsePrologue(bytes) {
                evidence.appProto = .whatsappNoise
                evidence.framings.append(prologue.edgeRouting ? "whatsapp-noise-edge-routing" : "whatsapp-noise")
                return .finished
            }
            if serverPort == 53 && bytes.count >= 2 {
                evidence.appProto = .dns
                return .dns
            }
            if STUN.parseStream(bytes).items.contains(where: { if case .message = $0 { true } else { false } }) {
                evidence.appProto = .stun
                return .stun
            }
            if let transport = MTProto.identify(clientPayload: bytes) {
                evidence.appProto = .mtproto
                evidence.mtproto = MTProtoEvidence(transport: FlowInspector.name(transport), dcID: transport.dcID)
                return .mtproto
            }
            // Obfuscated2 needs the whole 64-byte header before it can be checked.
            if bytes.count < 64 && streams[0].bytes.count < 64 && payloadPackets < Budget.undecidedPayloadPackets { return .undecided }
            if ViberFraming.parseTCP(bytes) != nil { evidence.framings.append("viber") }
        }
        return payloadPackets >= Budget.undecidedPayloadPackets ? .finished : .undecided
    }

    static func name(_ transport: MTProtoTransport) -> String {
        let framing = switch transport.framing {
        case .abridged: "abridged"
        case .intermediate: "intermediate"
        case .paddedIntermediate: "padded-intermediate"
        case .full: "full"
        }
        return transport.isObfuscated ? "obfuscated2/" + framing : framing
    }

    // MARK: TLS

    private func examineTLS(_ bytes: UnsafeRawBufferPointer, direction: Int) {
        let scan = TLSRecordStream.scan(bytes)
        var tls = evidence.tls ?? TLSEvidence()
        for message in scan.messages {
            switch message.type {
            case TLSHandshakeType.clientHello where direction == 0 && !tls.sawClientHello:
                if let hello = message.body.withUnsafeBytes({ TLSClientHello.parse(body: $0) }) {
                    FlowInspector.record(hello, transport: .tcp, into: &tls)
                }
            case TLSHandshakeType.serverHello where direction == 1 && !tls.sawServerHello:
                if let hello = message.body.withUnsafeBytes({ TLSServerHello.parse(body: $0) }) {
                    FlowInspector.record(hello, transport: .tcp, into: &tls)
                }
            case TLSHandshakeType.certificate where direction == 1 && tls.certificates.isEmpty:
                if let chain = message.body.withUnsafeBytes({ TLSCertificateMessage.certificates(body: $0) }) {
                    tls.certificates = chain.map { certificates.evidence(for: $0) }
                }
            default:
                break
            }
        }
        evidence.tls = tls
        let finished: Bool
        if direction == 0 {
            finished = tls.sawClientHello
        } else {
            // TLS 1.3 encrypts the certificate: the ServerHello is all there is.
            finished = tls.sawServerHello && (!tls.certificates.isEmpty || tls.version == "1.3" || scan.status == .handshakeEnded)
        }
        if finished || scan.status == .notTLS || scan.status == .malformed || scan.status == .messageTooLarge
            || (scan.status == .handshakeEnded) || (streams[direction].isFull && !streams[direction].hasGap) {
            done(direction)
        }
    }

    static func record(_ hello: TLSClientHello, transport: JA4.Transport, into tls: inout TLSEvidence) {
        tls.sawClientHello = true
        tls.sni = hello.serverName
        tls.alpn = hello.alpn
        tls.ech = hello.hasEncryptedClientHello
        let ja3 = JA3(hello)
        tls.ja3 = ja3.hash
        tls.ja3String = ja3.full
        let ja4 = JA4(hello, transport: transport)
        tls.ja4 = ja4.fingerprint
        tls.ja4r = ja4.raw
        if tls.version == nil {
            let offered = GREASE.removing(from: hello.supportedVersions).max() ?? hello.legacyVersion
            tls.version = versionName(offered)
        }
    }

    static func record(_ hello: TLSServerHello, transport: JA4.Transport, into tls: inout TLSEvidence) {
        tls.sawServerHello = true
        tls.version = versionName(hello.selectedVersion)
        tls.cipher = hex4(hello.cipherSuite)
        tls.alpnSelected = hello.alpn
        let ja3s = JA3S(hello)
        tls.ja3s = ja3s.hash
        tls.ja3sString = ja3s.full
        let ja4s = JA4S(hello, transport: transport)
        tls.ja4s = ja4s.fingerprint
        tls.ja4sr = ja4s.raw
    }

    static func versionName(_ version: UInt16) -> String {
        switch version {
        case 0x0304: "1.3"
        case 0x0303: "1.2"
        case 0x0302: "1.1"
        case 0x0301: "1.0"
        case 0x0300: "ssl3"
        case 0x0002: "ssl2"
        case 0xFEFF: "dtls1.0"
        case 0xFEFD: "dtls1.2"
        case 0xFEFC: "dtls1.3"
        default: hex4(version)
        }
    }

    static func hex4(_ value: UInt16) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    // MARK: HTTP and SSH

    private func examineHTTP(_ bytes: UnsafeRawBufferPointer, direction: Int) {
        if direction == 0 {
            guard let request = HTTPRequest.parse(bytes) else { done(0); return }
            guard request.isHeadComplete || streams[0].isFull else { return }
            var http = evidence.http ?? HTTPEvidence()
            http.method = request.method
            http.target = request.connectTarget ?? http.target
            http.host = request.host ?? request.connectTarget
            http.userAgent = request.userAgent
            http.ja4h.append(JA4H(request: request).fingerprint)
            evidence.http = http
            done(0)
        } else {
            done(1)
        }
    }

    private func examineSSH(_ bytes: UnsafeRawBufferPointer, direction: Int) {
        guard let stream = SSHStream.parse(bytes) else {
            if streams[direction].isFull || bytes.count > 4096 { done(direction) }
            return
        }
        var ssh = evidence.ssh ?? SSHEvidence()
        if direction == 0 { ssh.clientBanner = stream.banner.text } else { ssh.serverBanner = stream.banner.text }
        if let kex = stream.kexInit {
            if direction == 0 { ssh.hassh = HASSH.client(kex).hash } else { ssh.hasshServer = HASSH.server(kex).hash }
            done(direction)
        } else if streams[direction].isFull {
            done(direction)
        }
        evidence.ssh = ssh
    }

    // MARK: UDP

    private func inspectUDP(_ packet: DecodedPacket, direction: Int) {
        udpPackets += 1
        let payload = packet.payload
        guard payload.count > 0 else { return }
        let isDNSPort = serverPort == 53 || serverPort == 5353 || serverPort == 5355 || clientPort == 53 || clientPort == 5353
        if isDNSPort || (evidence.appProto == .dns) {
            if let message = DNSMessage.parse(payload) {
                evidence.appProto = evidence.appProto ?? .dns
                record(message)
                if (evidence.dns?.messages ?? 0) >= Budget.dnsMessages { conclude() }
                return
            }
        }
        if quic != nil || looksLikeQUIC(payload) {
            inspectQUIC(payload, direction: direction)
        } else if openVPN != nil || (udpPackets == 1 && !FlowInspector.isLocalServicePort(serverPort) && OpenVPN.looksLikeOpenVPN(firstPacket: payload)) {
            inspectOpenVPN(payload, direction: direction)
        } else if evidence.appProto == nil && WireGuard.looksLikeWireGuard(payload) {
            evidence.appProto = .wireguard
        } else {
            switch MediaDemux.classify(firstByte: payload[0]) {
            case .stun:
                // Discord's IP discovery and other framings also start with 0x00-0x03.
                if let message = STUN.parse(payload) { record(message) } else { recordUDPFraming(payload) }
            case .dtls:
                if DTLSRecord.looksLikeDTLS(payload) { inspectDTLS(payload, direction: direction) } else { recordUDPFraming(payload) }
            case .rtpOrRTCP:
                inspectRTP(payload)
                recordUDPFraming(payload)
            case .turnChannelData:
                // ChannelData may wrap STUN (or media) relayed through TURN.
                if let channel = STUN.parseChannelData(payload), payload.count >= 4 + Int(channel.length), channel.length >= 20 {
                    if let message = STUN.parse(UnsafeRawBufferPointer(rebasing: payload[4..<(4 + Int(channel.length))])) { record(message) }
                }
            case .zrtp, .unknown:
                recordUDPFraming(payload)
            }
        }
        if udpPackets >= Budget.udpPackets && evidence.appProto != .dns { conclude() }
    }

    private func inspectOpenVPN(_ payload: UnsafeRawBufferPointer, direction: Int) {
        evidence.appProto = .openvpn
        var streams = openVPN ?? [OpenVPNTLSStream(), OpenVPNTLSStream()]
        if streams[direction].append(packetBytes: payload) {
            _ = examineTLSStream(streams[direction], direction: direction, transport: .tcp)
        }
        openVPN = streams
        if let tls = evidence.tls, tls.sawClientHello && tls.sawServerHello { conclude() }
    }

    /// The TLS handshake inside OpenVPN's control channel (JA3/JA4 as for TLS over
    /// TCP, as tshark computes them). Returns whether this direction has given its hello.
    private func examineTLSStream(_ stream: OpenVPNTLSStream, direction: Int, transport: JA4.Transport) -> Bool {
        let scan = stream.scanTLS()
        var tls = evidence.tls ?? TLSEvidence()
        for message in scan.messages {
            if message.type == TLSHandshakeType.clientHello && direction == 0 && !tls.sawClientHello,
               let hello = message.body.withUnsafeBytes({ TLSClientHello.parse(body: $0) }) {
                FlowInspector.record(hello, transport: transport, into: &tls)
            } else if message.type == TLSHandshakeType.serverHello && direction == 1 && !tls.sawServerHello,
                      let hello = message.body.withUnsafeBytes({ TLSServerHello.parse(body: $0) }) {
                FlowInspector.record(hello, transport: transport, into: &tls)
            }
        }
        if tls.sawClientHello || tls.sawServerHello { evidence.tls = tls }
        return direction == 0 ? tls.sawClientHello : tls.sawServerHello
    }

    /// LAN and infrastructure services whose first datagram can look like another
    /// protocol's by chance (a NetBIOS query like an OpenVPN reset).
    static func isLocalServicePort(_ port: UInt16) -> Bool {
        [53, 67, 68, 123, 137, 138, 161, 162, 500, 514, 1900, 3702, 5353, 5355].contains(port)
    }

    private func looksLikeQUIC(_ payload: UnsafeRawBufferPointer) -> Bool {
        // A long header with a version we know, or Google QUIC's public flags with a 'Q' version.
        guard payload.count >= 7 else { return false }
        if payload[0] & 0x80 != 0 {
            let version = UInt32(payload[1]) << 24 | UInt32(payload[2]) << 16 | UInt32(payload[3]) << 8 | UInt32(payload[4])
            return QUICVersion(version).isKnown
        }
        return GoogleQUIC.clearTextVersion(of: payload) != nil
    }

    private func inspectQUIC(_ payload: UnsafeRawBufferPointer, direction: Int) {
        var assembler = quic ?? QUICHandshakeAssembler()
        let isQUIC = direction == 0 ? assembler.addClientDatagram(payload) : assembler.addServerDatagram(payload)
        guard isQUIC else { quic = assembler; return }
        evidence.appProto = .quic
        evidence.quicVersion = assembler.versionName
        var tls = evidence.tls ?? TLSEvidence()
        if !quicHelloParsed, let body = assembler.clientHelloBody {
            quicHelloParsed = true
            if let hello = body.withUnsafeBytes({ TLSClientHello.parse(body: $0) }) {
                FlowInspector.record(hello, transport: .quic, into: &tls)
            }
        }
        if !quicServerHelloParsed, let body = assembler.serverHelloBody {
            quicServerHelloParsed = true
            if let hello = body.withUnsafeBytes({ TLSServerHello.parse(body: $0) }) {
                FlowInspector.record(hello, transport: .quic, into: &tls)
            }
        }
        if tls.sni == nil, let sni = assembler.googleSNI { tls.sni = sni }
        if tls.sawClientHello || tls.sawServerHello || tls.sni != nil { evidence.tls = tls }
        quic = assembler
        if assembler.isComplete { conclude() }
    }

    private func inspectDTLS(_ payload: UnsafeRawBufferPointer, direction: Int) {
        var assembler = dtls ?? DTLSHandshakeAssembler()
        let messages = assembler.add(datagram: payload)
        dtls = assembler
        guard !messages.isEmpty else { return }
        var tls = evidence.tls ?? TLSEvidence()
        for message in messages {
            switch message.type {
            case TLSHandshakeType.clientHello where !tls.sawClientHello:
                if let hello = message.body.withUnsafeBytes({ TLSClientHello.parse(body: $0, isDTLS: true) }) {
                    FlowInspector.record(hello, transport: .dtls, into: &tls)
                }
            case TLSHandshakeType.serverHello where !tls.sawServerHello:
                if let hello = message.body.withUnsafeBytes({ TLSServerHello.parse(body: $0, isDTLS: true) }) {
                    FlowInspector.record(hello, transport: .dtls, into: &tls)
                }
            case TLSHandshakeType.certificate where tls.certificates.isEmpty:
                if let chain = message.body.withUnsafeBytes({ TLSCertificateMessage.certificates(body: $0, format: .tls12) }) {
                    tls.certificates = chain.map { certificates.evidence(for: $0) }
                }
            default:
                break
            }
        }
        evidence.tls = tls
    }

    private func inspectRTP(_ payload: UnsafeRawBufferPointer) {
        guard let packet = RTP.parse(payload) else { return }
        var rtp = evidence.rtp ?? RTPEvidence()
        switch packet {
        case .rtp(let header):
            // Any UDP payload can start like RTP: trust it once an SSRC repeats.
            rtpCandidates += 1
            if !ssrcs.insert(header.ssrc).inserted || evidence.stun != nil || evidence.tls != nil {
                rtp.rtpPackets += 1
                if !rtp.payloadTypes.contains(header.payloadType) && rtp.payloadTypes.count < 16 { rtp.payloadTypes.append(header.payloadType) }
            }
            rtp.ssrcCount = ssrcs.count
        case .rtcp:
            rtp.rtcpPackets += 1
        }
        if rtp.rtpPackets > 0 || rtp.rtcpPackets > 0 { evidence.rtp = rtp }
    }

    private func recordUDPFraming(_ payload: UnsafeRawBufferPointer) {
        var name: String?
        if DiscordFraming.parse(payload) != nil { name = "discord-voice" }
        else if serverPort == 8801, ZoomFraming.parseSFU(payload) != nil { name = "zoom-sfu" }
        else if ViberFraming.parseUDP(payload) != nil { name = "viber" }
        else if IMOFraming.match(payload) != nil { name = "imo" }
        else if LINEFraming.match(payload) != nil { name = "line-call" }
        if let name, !evidence.framings.contains(name) { evidence.framings.append(name) }
    }

    // MARK: DNS and STUN records

    private func record(_ message: DNSMessage) {
        var dns = evidence.dns ?? DNSEvidence()
        dns.messages += 1
        for question in message.questions where dns.queries.count < Budget.recordedQueries {
            let entry = DNSQueryEvidence(name: question.name, type: question.type.name)
            if !dns.queries.contains(where: { $0.name == entry.name && $0.type == entry.type }) { dns.queries.append(entry) }
        }
        if message.isResponse {
            dns.rcode = message.rcodeName
            for answer in message.answers where dns.answers.count < Budget.recordedAnswers {
                dns.answers.append(DNSAnswerEvidence(name: answer.name, type: answer.type.name, data: answer.data, ttl: answer.ttl))
            }
        }
        evidence.dns = dns
        lastDNSResponse = message.isResponse ? message : lastDNSResponse
    }

    /// The latest response, for the address → name cache (read and cleared by the caller).
    var lastDNSResponse: DNSMessage?

    private func record(_ message: STUNMessage) {
        evidence.appProto = evidence.appProto ?? .stun
        var stun = evidence.stun ?? STUNEvidence()
        stun.messages += 1
        if stun.realm == nil { stun.realm = message.realm }
        if stun.software == nil { stun.software = message.software }
        for type in message.attributeTypes where !stun.attributes.contains(type) && stun.attributes.count < 64 {
            stun.attributes.append(type)
        }
        let method = message.methodName
        if !stun.methods.contains(method) && stun.methods.count < 16 { stun.methods.append(method) }
        for address in message.addresses {
            let text = address.address.isIPv4 ? "\(address.address):\(address.port)" : "[\(address.address)]:\(address.port)"
            switch address.kind {
            case .mapped, .xorMapped, .msXorMapped:
                if !stun.mapped.contains(text) && stun.mapped.count < 8 { stun.mapped.append(text) }
            case .xorRelayed:
                if !stun.relayed.contains(text) && stun.relayed.count < 8 { stun.relayed.append(text) }
            case .xorPeer, .destination:
                if !stun.peer.contains(text) && stun.peer.count < 8 { stun.peer.append(text) }
            default:
                break
            }
        }
        evidence.stun = stun
    }

    private func finishAppProto() {
        // A call's multiplexed flow: the handshake names it, else STUN, else RTP.
        if let tls = evidence.tls, tls.sawClientHello || tls.sawServerHello, evidence.appProto != .quic,
           evidence.appProto != .openvpn, proto == IPProtocol.udp {
            evidence.appProto = .dtls
        }
        if evidence.appProto == nil {
            if evidence.stun != nil { evidence.appProto = .stun }
            else if let rtp = evidence.rtp, rtp.rtpPackets + rtp.rtcpPackets >= 2 { evidence.appProto = .rtp }
        }
    }
}

/// The two directions' stream prefixes, inline (no array to allocate per flow).
struct StreamPair {
    private var client: TCPStreamPrefix
    private var server: TCPStreamPrefix

    init(_ client: TCPStreamPrefix, _ server: TCPStreamPrefix) {
        self.client = client
        self.server = server
    }

    subscript(direction: Int) -> TCPStreamPrefix {
        get { direction == 0 ? client : server }
        // In place: a prefix holds a buffer, which a get/set round trip would copy.
        _modify {
            if direction == 0 { yield &client } else { yield &server }
        }
    }
}

/// One flag per direction, inline.
struct FlagPair {
    private var bits: UInt8 = 0

    subscript(direction: Int) -> Bool {
        get { bits & (1 << UInt8(direction & 1)) != 0 }
        set { if newValue { bits |= 1 << UInt8(direction & 1) } else { bits &= ~(1 << UInt8(direction & 1)) } }
    }
}
