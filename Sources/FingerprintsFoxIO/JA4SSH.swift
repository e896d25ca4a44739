// JA4SSH is part of JA4+ by FoxIO: FoxIO License 1.1; see LICENSE-FoxIO.md in this folder.

/// One TCP packet of an SSH connection, as JA4SSH needs it.
///
/// What the caller collects, per TCP connection (after the handshake, every packet in
/// capture order, retransmissions included as the reference tools do):
/// - `direction`: `.client` for the side that sent the SYN (the initiator), else `.server`;
/// - `tcpPayloadLength`: the TCP payload length (`tcp.len`, from the IP length, not the
///   captured length);
/// - `isBareACK`: TCP flags exactly ACK (0x10) and no payload — not SYN-ACK, PSH-ACK or FIN-ACK.
/// Packets with payload count as SSH packets; bare ACKs are counted separately; other
/// packets (SYN, FIN, RST without payload) are ignored.
public struct JA4SSHPacket: Sendable, Equatable {
    public enum Direction: Sendable, Equatable { case client, server }

    public var direction: Direction
    public var tcpPayloadLength: Int
    public var isBareACK: Bool

    public init(direction: Direction, tcpPayloadLength: Int, isBareACK: Bool) {
        self.direction = direction
        self.tcpPayloadLength = tcpPayloadLength
        self.isBareACK = isBareACK
    }

    public init(direction: Direction, tcpPayloadLength: Int, tcpFlags: UInt8) {
        self.init(direction: direction, tcpPayloadLength: tcpPayloadLength,
                  isBareACK: tcpPayloadLength == 0 && tcpFlags == 0x10)
    }
}

/// JA4SSH: `c<mode>s<mode>_c<count>s<count>_c<acks>s<acks>` per window of SSH packets.
///
/// Feed packets with `add`; a fingerprint is returned each time a window fills
/// (`windowSize` SSH packets, 200 by default), and `finish()` gives the partial last
/// window. Mode = most frequent payload length per direction, ties to the smaller, 0 if none.
public struct JA4SSH: Sendable {
    public let windowSize: Int
    private var clientLengths: [Int: Int] = [:]
    private var serverLengths: [Int: Int] = [:]
    private var clientPackets = 0
    private var serverPackets = 0
    private var clientACKs = 0
    private var serverACKs = 0

    public init(windowSize: Int = 200) {
        self.windowSize = max(1, windowSize)
    }

    /// Counts one packet; returns the window's fingerprint when this packet filled it.
    public mutating func add(_ packet: JA4SSHPacket) -> String? {
        if packet.tcpPayloadLength > 0 {
            switch packet.direction {
            case .client:
                clientLengths[packet.tcpPayloadLength, default: 0] += 1
                clientPackets += 1
            case .server:
                serverLengths[packet.tcpPayloadLength, default: 0] += 1
                serverPackets += 1
            }
            if clientPackets + serverPackets >= windowSize {
                defer { self = JA4SSH(windowSize: windowSize) }
                return currentFingerprint
            }
        } else if packet.isBareACK {
            switch packet.direction {
            case .client: clientACKs += 1
            case .server: serverACKs += 1
            }
        }
        return nil
    }

    /// The fingerprint of the partial window, or nil when it holds no SSH packet.
    public func finish() -> String? {
        clientPackets + serverPackets > 0 ? currentFingerprint : nil
    }

    /// All fingerprints for a whole connection: one per full window, then the partial one.
    public static func fingerprints(_ packets: some Sequence<JA4SSHPacket>, windowSize: Int = 200) -> [String] {
        var state = JA4SSH(windowSize: windowSize)
        var result = packets.compactMap { state.add($0) }
        if let last = state.finish() { result.append(last) }
        return result
    }

    private var currentFingerprint: String {
        "c\(Self.mode(clientLengths))s\(Self.mode(serverLengths))_c\(clientPackets)s\(serverPackets)_c\(clientACKs)s\(serverACKs)"
    }

    static func mode(_ counts: [Int: Int]) -> Int {
        var best: (length: Int, count: Int)?
        for (length, count) in counts {
            if let current = best, count < current.count || (count == current.count && length > current.length) { continue }
            best = (length, count)
        }
        return best?.length ?? 0
    }
}
