import Decoding
import Dissectors
import FingerprintsFoxIO
import Flows
import Schema

/// The dissection state of one flow during its first packets: reassembles the
/// first bytes of each TCP direction, offers them (or each UDP datagram) to the
/// protocol units in the order of the probe tables (`Protocols/ProbeTable.swift`),
/// and lets the unit the flow turns out to be write its `FlowEvidence`. Concludes
/// as soon as the flow has told what it can; later packets then only update counters.
final class FlowInspector {
    /// Limits on how long a flow is looked at.
    enum Budget {
        static let streamBytes = 16 * 1024
        static let tlsStreamBytes = 256 * 1024
        static let undecidedPayloadPackets = 6
        static let tcpPackets: UInt64 = 600
        static let udpPackets = 24
        /// DNS messages of a flow parsed in full; later ones only have their header's
        /// question count read (no allocation), so `dns.query_count` stays exact.
        static let dnsMessages = 256
        /// Distinct (name, type) questions kept per flow; the rest are counted.
        static let recordedQueries = 64
        static let recordedAnswers = 32
        static let ja4sshWindows = 10
    }

    static let firstPayloadBytes = 64
    /// TCP packets kept while the protocol is unknown, for JA4SSH to replay.
    static let earlyPacketLimit = 16

    var evidence = FlowEvidence()
    private(set) var isDone = false
    let proto: UInt8
    let serverPort: UInt16
    let clientPort: UInt16

    /// The protocol unit the flow was recognised as, with its state.
    var unit = ProtocolUnit.undecided

    // TCP
    /// The two stream prefixes, out of line and for TCP only: a UDP flow's
    /// inspector does not carry them (about 100 bytes of every open UDP flow).
    /// Read and changed through the methods below, not a computed property: its
    /// `_read`/`_modify` coroutines allocated a frame on every use.
    let tcpStreams: StreamBox?

    /// Whether direction `direction`'s prefix reached its limit (never for UDP).
    func streamIsFull(_ direction: Int) -> Bool { tcpStreams?.pair[direction].isFull ?? false }

    /// Bytes of direction `direction`'s contiguous prefix so far (0 for UDP).
    func streamLength(_ direction: Int) -> Int { tcpStreams?.pair[direction].bytes.count ?? 0 }

    /// Whether direction `direction`'s prefix waits for a missing segment.
    func streamHasGap(_ direction: Int) -> Bool { tcpStreams?.pair[direction].hasGap ?? false }
    private var directionDone = FlagPair()
    private(set) var payloadPackets = 0
    /// Packets seen before the protocol is known, replayed into JA4SSH if it turns out SSH.
    var earlyPackets: [JA4SSHPacket] = []

    // UDP
    private(set) var udpPackets = 0

    /// Shared by all flows of the run (owned by `FlowInspection`).
    let certificates: CertificateCacheBox

    /// `streamStarts`: where the SYNs seen before it (by a `TCPPrelude`) start each direction.
    init(proto: UInt8, clientPort: UInt16, serverPort: UInt16, certificates: CertificateCacheBox,
         streamStarts: (TCPStreamPrefix.Start, TCPStreamPrefix.Start) = (TCPStreamPrefix.Start(), TCPStreamPrefix.Start())) {
        self.certificates = certificates
        self.proto = proto
        self.clientPort = clientPort
        self.serverPort = serverPort
        tcpStreams = proto == IPProtocol.tcp ? StreamBox(starts: streamStarts) : nil
        if proto != IPProtocol.tcp && proto != IPProtocol.udp { isDone = true }
    }

    /// Bytes held for reassembly (for the global budget).
    var heldBytes: Int {
        guard let box = tcpStreams else { return 0 }
        return box.pair[0].heldBytes + box.pair[1].heldBytes
    }

    /// Stops inspecting and frees the reassembly buffers and the units' working state.
    func conclude() {
        guard !isDone || heldBytes > 0 else { return }
        isDone = true
        tcpStreams?.pair[0].release()
        tcpStreams?.pair[1].release()
        unit.release()
        finishAppProto()
    }

    /// A direction has told what it can: its stream prefix is no longer needed.
    func done(_ direction: Int) {
        directionDone[direction] = true
        tcpStreams?.pair[direction].release()
    }

    /// A TLS handshake follows: both directions may hold more bytes.
    func allowTLSHandshakeBytes() {
        tcpStreams?.pair[0].limit = Budget.tlsStreamBytes
        tcpStreams?.pair[1].limit = Budget.tlsStreamBytes
    }

    // MARK: Packets

    /// Returns the DNS response the packet carried, if any (for the address → name cache).
    func inspect(_ packet: DecodedPacket, direction: UInt8, packetNumber: UInt64) -> DNSMessage? {
        let side = Int(direction)
        if evidence.firstPayloads[side].isEmpty && packet.payload.count > 0 {
            evidence.firstPayloads[side] = Array(packet.payload.prefix(FlowInspector.firstPayloadBytes))
        }
        if proto == IPProtocol.tcp {
            return inspectTCP(packet, direction: Int(direction), packetNumber: packetNumber)
        } else {
            return inspectUDP(packet, direction: Int(direction))
        }
    }

    /// Whether packets should still come after dissection (SSH, for JA4SSH).
    var wantsPacketsAfterDissection: Bool {
        if case .ssh(let ssh) = unit { ssh.wantsPackets } else { false }
    }

    /// SSH flows go on feeding JA4SSH after dissection (cheap counters per packet).
    func countForJA4SSH(_ packet: DecodedPacket, direction: UInt8) -> Bool {
        guard case .ssh(let ssh) = unit else { return false }
        ssh.feed(JA4SSHPacket(direction: direction == 0 ? .client : .server, tcpPayloadLength: Int(packet.payloadLength), tcpFlags: packet.tcpFlags), into: &evidence)
        return ssh.wantsPackets
    }

    /// At the end of the flow: the partial last JA4SSH window.
    func finish() {
        if case .ssh(let ssh) = unit { ssh.finish(into: &evidence) }
        finishAppProto()
    }

    /// The handshake's part of a TCP packet, for the inspector and `TCPPrelude` alike:
    /// the client's SYN gives JA4T and the server's SYN-ACK JA4TS (asked for only
    /// while the flow has none); a SYN or SYN-ACK's sequence number tells where its
    /// direction's stream starts.
    static func handshake(_ packet: DecodedPacket, direction: Int, needsJA4T: Bool, needsJA4TS: Bool)
        -> (startsStream: Bool, ja4t: String?, ja4ts: String?) {
        let synAck = TCPFlags.syn | TCPFlags.ack
        switch packet.tcpFlags & synAck {
        case TCPFlags.syn:
            let ja4t = direction == 0 && needsJA4T ? JA4T(window: packet.tcpWindow, options: packet.tcpOptions).fingerprint : nil
            return (true, ja4t, nil)
        case synAck:
            let ja4ts = direction == 1 && needsJA4TS ? JA4TS(window: packet.tcpWindow, options: packet.tcpOptions).fingerprint : nil
            return (true, nil, ja4ts)
        default:
            return (false, nil, nil)
        }
    }

    private func inspectTCP(_ packet: DecodedPacket, direction: Int, packetNumber: UInt64) -> DNSMessage? {
        let flags = packet.tcpFlags
        let entry = JA4SSHPacket(direction: direction == 0 ? .client : .server, tcpPayloadLength: Int(packet.payloadLength), tcpFlags: flags)
        if case .ssh(let ssh) = unit { ssh.feed(entry, into: &evidence) }
        if unit.isUndecided && earlyPackets.count < FlowInspector.earlyPacketLimit { earlyPackets.append(entry) }
        let handshake = FlowInspector.handshake(packet, direction: direction, needsJA4T: evidence.ja4t == nil, needsJA4TS: evidence.ja4ts == nil)
        if let ja4t = handshake.ja4t { evidence.ja4t = ja4t }
        if let ja4ts = handshake.ja4ts { evidence.ja4ts = ja4ts }
        if handshake.startsStream { tcpStreams?.pair[direction].start(synSequence: packet.tcpSequence) }
        if packetNumber > Budget.tcpPackets { conclude(); return nil }
        guard packet.payload.count > 0, !directionDone[direction] else { return nil }
        payloadPackets += 1
        var response: DNSMessage?
        // TCP Fast Open: data in a SYN follows the SYN's own sequence number.
        let sequence = flags & TCPFlags.syn != 0 ? packet.tcpSequence &+ 1 : packet.tcpSequence
        if tcpStreams?.pair[direction].add(sequence: sequence, payload: packet.payload) == true {
            response = examine(direction)
        }
        if !unit.isUndecided { earlyPackets = [] }
        if unit.isUndecided && payloadPackets >= Budget.undecidedPayloadPackets { unit = .finished }
        if unit.isFinished || (directionDone[0] && directionDone[1]) { conclude() }
        return response
    }

    /// Offers a grown stream prefix to the probe table while the flow is undecided,
    /// then to the flow's unit.
    private func examine(_ direction: Int) -> DNSMessage? {
        let prefix = tcpStreams?.pair[direction].bytes ?? []
        return prefix.withUnsafeBytes { bytes in
            if unit.isUndecided { unit = TCPProbe.classify(bytes, direction: direction, flow: self) }
            let current = unit
            return current.examine(bytes, direction: direction, flow: self)
        }
    }

    private func inspectUDP(_ packet: DecodedPacket, direction: Int) -> DNSMessage? {
        udpPackets += 1
        let payload = packet.payload
        guard payload.count > 0 else { return nil }
        rows: for row in UDPProbe.order {
            switch row.offer(payload, direction: direction, flow: self) {
            case .pass: continue
            case .taken: break rows
            case .dns(let response): return response
            }
        }
        if udpPackets >= Budget.udpPackets && evidence.appProto != .dns { conclude() }
        return nil
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

/// A TCP flow's stream prefixes, in one object.
final class StreamBox {
    var pair: StreamPair

    /// Prefixes starting where the SYNs seen so far (client's, server's) say.
    init(starts: (TCPStreamPrefix.Start, TCPStreamPrefix.Start)) {
        let limit = FlowInspector.Budget.streamBytes
        pair = StreamPair(TCPStreamPrefix(limit: limit, start: starts.0), TCPStreamPrefix(limit: limit, start: starts.1))
    }
}

/// The two directions' stream prefixes, inline (no array to allocate per flow).
struct StreamPair: Sendable {
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
