// OpenVPN packet format (openvpn src/openvpn/ssl_pkt.h, reliable.c, ssl.c; Wireshark
// packet-openvpn.c). The first byte holds the opcode (high 5 bits) and the key id (low
// 3 bits). Control packets carry a session id, then — when tls-auth is configured — an
// HMAC, a replay packet id and a timestamp, then the reliability layer's ack array,
// the remote session id (only when acks are present) and the message packet id; the
// payload of P_CONTROL_V1 is a fragment of the TLS byte stream of the control channel.
// Over TCP every packet is preceded by a 2-byte big-endian length.
//
// A passive observer does not know whether tls-auth is used nor the HMAC size, so the
// parser tries the plain layout and HMACs of 20 (SHA1), 32 (SHA256) and 64 (SHA512)
// bytes, and keeps the layout whose ack array, remote session id, message packet id,
// replay packet id and timestamp are consistent (the idea behind Wireshark's
// tls-auth detection). tls-crypt (and tls-crypt-v2) encrypts everything after the
// timestamp; such packets are recognised but their payload stays opaque.

/// The opcode in the high five bits of an OpenVPN packet's first byte.
public enum OpenVPNOpcode: UInt8, Sendable, Equatable, CaseIterable {
    case controlHardResetClientV1 = 1
    case controlHardResetServerV1 = 2
    case controlSoftResetV1 = 3
    case controlV1 = 4
    case ackV1 = 5
    case dataV1 = 6
    case controlHardResetClientV2 = 7
    case controlHardResetServerV2 = 8
    case dataV2 = 9
    /// tls-crypt-v2: the client's hard reset with the wrapped client key appended.
    case controlHardResetClientV3 = 10
    /// tls-crypt-v2: control packet carrying the wrapped client key (OpenVPN 2.6).
    case controlWKCV1 = 11

    /// Data channel packets (encrypted tunnel traffic).
    public var isData: Bool { self == .dataV1 || self == .dataV2 }
    /// Control channel packets (everything but data), P_ACK_V1 included.
    public var isControl: Bool { !isData }
    /// The hard reset opcodes that open a session.
    public var isHardReset: Bool {
        switch self {
        case .controlHardResetClientV1, .controlHardResetClientV2, .controlHardResetClientV3,
             .controlHardResetServerV1, .controlHardResetServerV2: return true
        default: return false
        }
    }
    public var isClientHardReset: Bool {
        self == .controlHardResetClientV1 || self == .controlHardResetClientV2 || self == .controlHardResetClientV3
    }
    /// Only used with tls-crypt-v2, so always encrypted after the session id.
    var requiresTLSCrypt: Bool { self == .controlHardResetClientV3 || self == .controlWKCV1 }

    /// OpenVPN's name for the opcode (as in Wireshark).
    public var name: String {
        switch self {
        case .controlHardResetClientV1: return "P_CONTROL_HARD_RESET_CLIENT_V1"
        case .controlHardResetServerV1: return "P_CONTROL_HARD_RESET_SERVER_V1"
        case .controlSoftResetV1: return "P_CONTROL_SOFT_RESET_V1"
        case .controlV1: return "P_CONTROL_V1"
        case .ackV1: return "P_ACK_V1"
        case .dataV1: return "P_DATA_V1"
        case .controlHardResetClientV2: return "P_CONTROL_HARD_RESET_CLIENT_V2"
        case .controlHardResetServerV2: return "P_CONTROL_HARD_RESET_SERVER_V2"
        case .dataV2: return "P_DATA_V2"
        case .controlHardResetClientV3: return "P_CONTROL_HARD_RESET_CLIENT_V3"
        case .controlWKCV1: return "P_CONTROL_WKC_V1"
        }
    }
}

/// How the control channel is protected, as inferred from the packet layout.
public enum OpenVPNControlAuth: Sendable, Equatable, Hashable {
    /// No tls-auth: the ack array follows the session id.
    case none
    /// tls-auth: an HMAC of `hmacSize` bytes (20 SHA1, 32 SHA256, 64 SHA512), replay packet id, timestamp.
    case tlsAuth(hmacSize: Int)
    /// tls-crypt / tls-crypt-v2: replay packet id, timestamp, 32-byte tag, then ciphertext.
    case tlsCrypt

    /// The layouts tried, in order of preference when several fit equally well.
    public static let candidates: [OpenVPNControlAuth] = [.none, .tlsAuth(hmacSize: 20), .tlsAuth(hmacSize: 32),
                                                          .tlsAuth(hmacSize: 64), .tlsCrypt]
}

/// One OpenVPN packet (without the TCP length prefix).
public struct OpenVPNPacket: Sendable, Equatable {
    public var opcode: OpenVPNOpcode
    /// Key id (0–7): 0 for the first TLS session, incremented by each soft reset.
    public var keyID: UInt8
    /// Size of the packet in bytes.
    public var size: Int

    // Control channel (nil for data packets).
    /// The sender's 8-byte session id.
    public var sessionID: UInt64?
    /// The layout under which the control fields were read.
    public var auth: OpenVPNControlAuth?
    /// tls-auth / tls-crypt replay packet id and timestamp (Unix seconds).
    public var replayPacketID: UInt32?
    public var timestamp: UInt32?
    /// Message packet ids acknowledged by this packet (at most 8).
    public var acks: [UInt32] = []
    /// The peer's session id, present iff `acks` is not empty.
    public var remoteSessionID: UInt64?
    /// Reliability-layer message packet id (absent in P_ACK_V1).
    public var messagePacketID: UInt32?
    /// tls-crypt-v2: length of the wrapped client key at the end of the packet, when consistent.
    public var wrappedClientKeyLength: Int?

    // Data channel.
    /// P_DATA_V2 peer id (24 bits).
    public var peerID: UInt32?

    /// Offset of the payload inside the packet and its length: the TLS fragment of
    /// P_CONTROL_V1, the options of a hard reset, the ciphertext of data and tls-crypt packets.
    public var payloadOffset: Int
    public var payloadLength: Int
    /// A copy of the payload when it is clear text (control packets without tls-crypt); empty otherwise.
    public var payload: [UInt8] = []

    /// Whether the control fields after the session id are encrypted (tls-crypt).
    public var isEncryptedControl: Bool { auth == .tlsCrypt }

    /// Consistency score of the chosen layout (higher is more plausible; 0 means no doubt was found).
    public var plausibility: Int = 0

    init(opcode: OpenVPNOpcode, keyID: UInt8, size: Int, payloadOffset: Int, payloadLength: Int) {
        self.opcode = opcode
        self.keyID = keyID
        self.size = size
        self.payloadOffset = payloadOffset
        self.payloadLength = payloadLength
    }

    /// Parses one OpenVPN packet filling `bytes` (a UDP payload, or one TCP frame without its
    /// length prefix). With `auth` nil every layout is tried and the most consistent kept;
    /// pass the layout learned from earlier packets of the flow to read only that one.
    /// Nil when the opcode is unknown or no layout fits.
    public static func parse(_ bytes: UnsafeRawBufferPointer, auth: OpenVPNControlAuth? = nil) -> OpenVPNPacket? {
        var reader = ByteReader(bytes)
        guard let first = reader.u8(), let opcode = OpenVPNOpcode(rawValue: first >> 3) else { return nil }
        let keyID = first & 0x07
        switch opcode {
        case .dataV1:
            guard reader.remaining > 0 else { return nil }
            return OpenVPNPacket(opcode: opcode, keyID: keyID, size: bytes.count,
                                 payloadOffset: 1, payloadLength: reader.remaining)
        case .dataV2:
            guard let peer = reader.u24(), reader.remaining > 0 else { return nil }
            var packet = OpenVPNPacket(opcode: opcode, keyID: keyID, size: bytes.count,
                                       payloadOffset: 4, payloadLength: reader.remaining)
            packet.peerID = peer
            return packet
        default:
            guard let sessionID = reader.u64() else { return nil }
            let layouts = auth.map { [$0] } ?? OpenVPNControlAuth.candidates
            var best: OpenVPNPacket?
            for layout in layouts {
                guard var packet = parseControl(bytes, opcode: opcode, keyID: keyID, layout: layout) else { continue }
                packet.sessionID = sessionID
                if best.map({ packet.plausibility > $0.plausibility }) ?? true { best = packet }
            }
            return best
        }
    }

    public static func parse(_ bytes: [UInt8], auth: OpenVPNControlAuth? = nil) -> OpenVPNPacket? {
        bytes.withUnsafeBytes { parse($0, auth: auth) }
    }

    /// Largest ack array (reliable.h RELIABLE_ACK_SIZE).
    static let maximumAcks = 8
    /// Ids above this are implausible for a control channel (they count messages from 0).
    static let plausibleIDLimit: UInt32 = 0x0100_0000
    /// 2005-01-01: tls-auth timestamps before this are implausible.
    static let plausibleTimestampFloor: UInt32 = 1_104_537_600
    static let tlsCryptTagSize = 32

    /// Reads the control fields after the session id under one layout; nil when a hard
    /// rule fails, otherwise a packet whose `plausibility` counts soft evidence.
    static func parseControl(_ bytes: UnsafeRawBufferPointer, opcode: OpenVPNOpcode, keyID: UInt8,
                             layout: OpenVPNControlAuth) -> OpenVPNPacket? {
        var reader = ByteReader(bytes, offset: 9)
        var score = 0
        var replayID: UInt32?
        var time: UInt32?
        switch layout {
        case .none:
            guard !opcode.requiresTLSCrypt else { return nil }
        case .tlsAuth(let hmacSize):
            guard !opcode.requiresTLSCrypt, hmacSize > 0, reader.skip(hmacSize) else { return nil }
            fallthrough
        case .tlsCrypt:
            guard let id = reader.u32(), let stamp = reader.u32(), id != 0 else { return nil }
            replayID = id
            time = stamp
            if id >= plausibleIDLimit { score -= 2 }
            if stamp < plausibleTimestampFloor { score -= 2 }
        }

        if layout == .tlsCrypt {
            // Only the replay id and timestamp can be checked: demand both, and a tag plus
            // the smallest encrypted reliability header (ack count + message id, or for
            // P_ACK_V1 ack count + one ack + remote session id).
            guard score == 0, reader.skip(tlsCryptTagSize) else { return nil }
            let minimum = opcode == .ackV1 ? 13 : 5
            guard reader.remaining >= minimum else { return nil }
            var packet = OpenVPNPacket(opcode: opcode, keyID: keyID, size: bytes.count,
                                       payloadOffset: reader.offset, payloadLength: reader.remaining)
            packet.auth = .tlsCrypt
            packet.replayPacketID = replayID
            packet.timestamp = time
            packet.plausibility = -1  // weaker than a layout whose clear fields check out
            if opcode.requiresTLSCrypt, bytes.count >= 2 {
                let length = Int(bytes[bytes.count - 2]) << 8 | Int(bytes[bytes.count - 1])
                if length >= 2 + tlsCryptTagSize, length <= reader.remaining { packet.wrappedClientKeyLength = length }
            }
            return packet
        }

        guard let ackCount = reader.u8(), Int(ackCount) <= maximumAcks else { return nil }
        var acks: [UInt32] = []
        for _ in 0..<ackCount {
            guard let ack = reader.u32() else { return nil }
            if ack >= plausibleIDLimit { score -= 2 }
            acks.append(ack)
        }
        var remote: UInt64?
        if ackCount > 0 {
            guard let id = reader.u64() else { return nil }
            if id == 0 { score -= 1 }
            remote = id
        }
        var messageID: UInt32?
        if opcode != .ackV1 {
            guard let id = reader.u32() else { return nil }
            messageID = id
        }
        let payloadOffset = reader.offset
        let payload = reader.rest()

        switch opcode {
        case .ackV1:
            // Nothing follows the remote session id.
            guard ackCount > 0, payload.isEmpty else { return nil }
        case .controlHardResetClientV1, .controlHardResetClientV2:
            // The client has received nothing yet; its reset is message 0.
            guard ackCount == 0, messageID == 0 else { return nil }
            if payload.isEmpty { score += 1 }
        case .controlHardResetServerV1, .controlHardResetServerV2, .controlSoftResetV1:
            guard messageID == 0 else { return nil }
            if payload.isEmpty { score += 1 }
        case .controlV1:
            // Message 0 is the reset; a control message carries TLS bytes.
            guard let id = messageID, id != 0, !payload.isEmpty else { return nil }
            if id >= plausibleIDLimit { score -= 2 }
            if TLSRecordStream.looksLikeTLS(payload) { score += 1 }
        case .dataV1, .dataV2, .controlHardResetClientV3, .controlWKCV1:
            return nil
        }

        var packet = OpenVPNPacket(opcode: opcode, keyID: keyID, size: bytes.count,
                                   payloadOffset: payloadOffset, payloadLength: payload.count)
        packet.auth = layout
        packet.replayPacketID = replayID
        packet.timestamp = time
        packet.acks = acks
        packet.remoteSessionID = remote
        packet.messagePacketID = messageID
        packet.payload = Array(payload)
        packet.plausibility = score
        return packet
    }
}

/// The packets found at the start of a reassembled OpenVPN-over-TCP stream.
public struct OpenVPNTCPScan: Sendable, Equatable {
    /// Packets of the complete frames, in stream order (frames that did not parse are skipped).
    public var packets: [OpenVPNPacket]
    /// Complete frames that did not parse as OpenVPN.
    public var unparsedFrames: Int
    /// Bytes covered by complete frames; the rest is a partial frame.
    public var consumedBytes: Int
}

public enum OpenVPN {
    public static let defaultPort: UInt16 = 1194

    /// Walks the 2-byte length prefixes of one direction of an OpenVPN-over-TCP stream
    /// (from its first byte) and parses every complete frame. The control layout learned
    /// from the first parsed control packet is used for the following ones. A zero length
    /// stops the walk (OpenVPN never sends empty frames).
    public static func scanTCPStream(_ stream: UnsafeRawBufferPointer, auth: OpenVPNControlAuth? = nil) -> OpenVPNTCPScan {
        var reader = ByteReader(stream)
        var packets: [OpenVPNPacket] = []
        var unparsed = 0
        var consumed = 0
        var learned = auth
        while let length = reader.u16(), length > 0, let frame = reader.bytes(Int(length)) {
            consumed = reader.offset
            if let packet = OpenVPNPacket.parse(frame, auth: learned) ?? OpenVPNPacket.parse(frame) {
                if learned == nil, packet.opcode.isControl { learned = packet.auth }
                packets.append(packet)
            } else {
                unparsed += 1
            }
        }
        return OpenVPNTCPScan(packets: packets, unparsedFrames: unparsed, consumedBytes: consumed)
    }

    public static func scanTCPStream(_ stream: [UInt8], auth: OpenVPNControlAuth? = nil) -> OpenVPNTCPScan {
        stream.withUnsafeBytes { scanTCPStream($0, auth: auth) }
    }

    /// The packets of the complete frames of a reassembled TCP stream prefix.
    public static func packets(inTCPStream stream: UnsafeRawBufferPointer) -> [OpenVPNPacket] {
        scanTCPStream(stream).packets
    }

    public static func packets(inTCPStream stream: [UInt8]) -> [OpenVPNPacket] {
        stream.withUnsafeBytes { packets(inTCPStream: $0) }
    }

    /// Whether the first payload of a flow direction is an OpenVPN hard reset with a
    /// consistent layout: a client reset acknowledging nothing or a server reset, message
    /// packet id 0, or a tls-crypt reset with plausible replay id and timestamp. With
    /// `overTCP` the bytes start with the 2-byte length, which must cover exactly one
    /// packet present in full (the first segment of a session holds only the reset).
    public static func looksLikeOpenVPN(firstPacket bytes: UnsafeRawBufferPointer, overTCP: Bool = false) -> Bool {
        var packetBytes = bytes
        if overTCP {
            var reader = ByteReader(bytes)
            guard let length = reader.u16(), length > 0, Int(length) == reader.remaining,
                  let frame = reader.bytes(Int(length)) else { return false }
            packetBytes = frame
        }
        guard let packet = OpenVPNPacket.parse(packetBytes), packet.opcode.isHardReset else { return false }
        if packet.auth == .tlsCrypt { return packet.replayPacketID.map { $0 < 0x1_0000 } ?? false }
        return packet.messagePacketID == 0 && packet.plausibility >= 0
    }

    public static func looksLikeOpenVPN(firstPacket bytes: [UInt8], overTCP: Bool = false) -> Bool {
        bytes.withUnsafeBytes { looksLikeOpenVPN(firstPacket: $0, overTCP: overTCP) }
    }
}

/// Collects the P_CONTROL_V1 payloads of one direction of one OpenVPN session, ordered by
/// message packet id, and exposes the contiguous TLS byte stream they carry, for
/// `TLSRecordStream.scan`. The session id, key id and layout are taken from the first
/// accepted packet; packets of another session or key id (a soft reset starts a new TLS
/// session whose ids restart at 0), retransmissions and duplicates are ignored. Storage is
/// bounded by ``maximumBytes`` and ``maximumMessages``.
public struct OpenVPNTLSStream: Sendable, Equatable {
    public static let maximumBytes = 64 * 1024
    public static let maximumMessages = 64

    public private(set) var sessionID: UInt64?
    public private(set) var keyID: UInt8?
    public private(set) var auth: OpenVPNControlAuth?
    /// Message id following the reset seen for this key (the first TLS message), if seen.
    public private(set) var firstMessageID: UInt32?
    /// Retransmitted or duplicate messages ignored.
    public private(set) var duplicates = 0
    /// Whether a message was dropped because of the limits.
    public private(set) var isTruncated = false
    /// Payload bytes stored.
    public private(set) var storedBytes = 0
    private var fragments: [UInt32: [UInt8]] = [:]

    public init() {}

    /// Number of distinct messages stored.
    public var messageCount: Int { fragments.count }

    /// Adds one packet of this direction. Returns whether its payload was stored.
    @discardableResult
    public mutating func append(_ packet: OpenVPNPacket) -> Bool {
        guard packet.opcode.isControl, packet.opcode != .ackV1, !packet.isEncryptedControl,
              let session = packet.sessionID, let messageID = packet.messagePacketID else { return false }
        if let sessionID, sessionID != session { return false }
        if let keyID, keyID != packet.keyID { return false }
        sessionID = session
        keyID = packet.keyID
        if auth == nil { auth = packet.auth }
        if packet.opcode != .controlV1 {
            // A reset (message 0 of this key): TLS starts with the next message.
            if firstMessageID == nil, messageID < UInt32.max { firstMessageID = messageID + 1 }
            return false
        }
        if let first = firstMessageID, messageID < first { return false }
        guard fragments[messageID] == nil else { duplicates += 1; return false }
        guard fragments.count < Self.maximumMessages, storedBytes + packet.payload.count <= Self.maximumBytes else {
            isTruncated = true
            return false
        }
        fragments[messageID] = packet.payload
        storedBytes += packet.payload.count
        return true
    }

    /// Parses one UDP payload (or TCP frame) with the layout learned so far and adds it.
    @discardableResult
    public mutating func append(packetBytes: UnsafeRawBufferPointer) -> Bool {
        guard let packet = OpenVPNPacket.parse(packetBytes, auth: auth) ?? OpenVPNPacket.parse(packetBytes)
        else { return false }
        return append(packet)
    }

    @discardableResult
    public mutating func append(packetBytes: [UInt8]) -> Bool {
        packetBytes.withUnsafeBytes { append(packetBytes: $0) }
    }

    /// The message id the contiguous stream starts at: the one after the reset, or the lowest stored.
    public var startMessageID: UInt32? { firstMessageID ?? fragments.keys.min() }

    /// The payloads concatenated from ``startMessageID`` up to the first missing message.
    public var tlsBytes: [UInt8] {
        var bytes: [UInt8] = []
        guard var id = startMessageID else { return bytes }
        while let fragment = fragments[id] {
            bytes.append(contentsOf: fragment)
            guard id < UInt32.max else { break }
            id += 1
        }
        return bytes
    }

    /// Whether stored messages exist beyond the first missing one (a gap stops ``tlsBytes``).
    public var hasGap: Bool {
        guard var id = startMessageID else { return false }
        var contiguous = 0
        while fragments[id] != nil {
            contiguous += 1
            guard id < UInt32.max else { break }
            id += 1
        }
        return contiguous < fragments.count
    }

    /// `TLSRecordStream.scan` over ``tlsBytes``.
    public func scanTLS() -> TLSRecordStream.Scan {
        tlsBytes.withUnsafeBytes { TLSRecordStream.scan($0) }
    }
}
