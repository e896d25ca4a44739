import Decoding
import FingerprintsFoxIO
import Flows

/// What a TCP flow's packets before its first payload leave: the handshake's
/// fingerprints (JA4T, JA4TS), where each direction's stream starts, and the
/// packets JA4SSH replays if the flow turns out to be SSH. A flow that never carries
/// payload (a scan, a SYN flood, a refused connection) keeps only this; the first
/// payload hands it to a `FlowInspector`, which then holds exactly what it would
/// have held had it seen these packets itself.
final class TCPPrelude {
    private let clientPort: UInt16
    private let serverPort: UInt16
    private var ja4t: String?
    private var ja4ts: String?
    /// Per direction (client, server), where the SYNs seen say its stream starts.
    private var starts = (TCPStreamPrefix.Start(), TCPStreamPrefix.Start())
    /// The packets so far, packed.
    private var early = PackedEarlyPackets()

    /// Whether it can take one more packet (else an inspector takes over).
    var hasRoom: Bool { early.count < PackedEarlyPackets.capacity }

    init(clientPort: UInt16, serverPort: UInt16) {
        self.clientPort = clientPort
        self.serverPort = serverPort
    }

    /// A packet without payload bytes, as `FlowInspector.inspectTCP` would take it.
    func record(_ packet: DecodedPacket, direction: Int) {
        early.append(JA4SSHPacket(direction: direction == 0 ? .client : .server, tcpPayloadLength: Int(packet.payloadLength), tcpFlags: packet.tcpFlags))
        let handshake = FlowInspector.handshake(packet, direction: direction, needsJA4T: ja4t == nil, needsJA4TS: ja4ts == nil)
        if let found = handshake.ja4t { ja4t = found }
        if let found = handshake.ja4ts { ja4ts = found }
        guard handshake.startsStream else { return }
        if direction == 0 { starts.0.note(synSequence: packet.tcpSequence) } else { starts.1.note(synSequence: packet.tcpSequence) }
    }

    /// The evidence of a flow that ends (or stops being looked at) in its prelude.
    var evidence: FlowEvidence {
        var evidence = FlowEvidence()
        evidence.ja4t = ja4t
        evidence.ja4ts = ja4ts
        return evidence
    }

    /// The inspector that takes over (at the first payload), holding what the prelude saw.
    func inspector(certificates: CertificateCacheBox) -> FlowInspector {
        let inspector = FlowInspector(proto: IPProtocol.tcp, clientPort: clientPort, serverPort: serverPort,
                                      certificates: certificates, streamStarts: starts)
        inspector.evidence.ja4t = ja4t
        inspector.evidence.ja4ts = ja4ts
        inspector.earlyPackets = early.unpacked()
        return inspector
    }
}

/// Up to 8 JA4SSH packets in 4 bytes each, inline: the payload length (16 bits),
/// the direction and whether it was a bare ACK. A handshake without data is 2 or 3.
struct PackedEarlyPackets {
    static let capacity = 8
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    private(set) var count = 0

    mutating func append(_ packet: JA4SSHPacket) {
        guard count < PackedEarlyPackets.capacity else { return }
        let length = UInt64(min(max(packet.tcpPayloadLength, 0), 0xFFFF))
        let value = length | (packet.direction == .server ? 1 << 16 : 0) | (packet.isBareACK ? 1 << 17 : 0)
        let index = count
        withUnsafeMutableBytes(of: &words) { raw in
            raw.storeBytes(of: UInt32(value), toByteOffset: index * 4, as: UInt32.self)
        }
        count += 1
    }

    func unpacked() -> [JA4SSHPacket] {
        guard count > 0 else { return [] }
        return withUnsafeBytes(of: words) { raw in
            (0..<count).map { index in
                let value = raw.load(fromByteOffset: index * 4, as: UInt32.self)
                return JA4SSHPacket(direction: value & (1 << 16) != 0 ? .server : .client, tcpPayloadLength: Int(value & 0xFFFF),
                                    isBareACK: value & (1 << 17) != 0)
            }
        }
    }
}
