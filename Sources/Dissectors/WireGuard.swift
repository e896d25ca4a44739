// WireGuard (whitepaper §5.4, Linux drivers/net/wireguard/messages.h; Wireshark
// packet-wg.c). Every message starts with a one-byte type and three reserved zero bytes;
// the handshake messages have fixed sizes and transport data is padded to 16 bytes, so
// a passive observer can recognise the protocol from one datagram and read the session
// indices (little-endian) that tie the two directions of a tunnel together.

/// The four WireGuard message types.
public enum WireGuardMessageType: UInt8, Sendable, Equatable {
    /// Handshake initiation, 148 bytes.
    case handshakeInitiation = 1
    /// Handshake response, 92 bytes.
    case handshakeResponse = 2
    /// Cookie reply (sent under load), 64 bytes.
    case cookieReply = 3
    /// Transport data: at least 32 bytes, a multiple of 16 (the keepalive is exactly 32).
    case transportData = 4
}

/// One WireGuard message header, with the fields visible in clear.
public struct WireGuardMessage: Sendable, Equatable {
    public var type: WireGuardMessageType
    /// Sender index chosen by the sender (initiation and response).
    public var senderIndex: UInt32?
    /// Receiver index: the peer's sender index (response, cookie reply, transport data).
    public var receiverIndex: UInt32?
    /// Transport data nonce counter (64-bit little-endian on the wire).
    public var counter: UInt64?
    /// Size of the message on the wire.
    public var size: Int
    /// Encrypted payload length of transport data, tag excluded (0 for a keepalive).
    public var encryptedPayloadLength: Int?
    /// Initiation/response: MAC2 is not all zero, i.e. the sender holds a cookie (responder under load).
    public var hasMAC2: Bool?

    /// A transport data message with an empty payload (32 bytes).
    public var isKeepalive: Bool { type == .transportData && encryptedPayloadLength == 0 }
}

public enum WireGuard {
    public static let initiationSize = 148
    public static let responseSize = 92
    public static let cookieReplySize = 64
    public static let transportHeaderSize = 16
    public static let authenticationTagSize = 16
    public static let minimumTransportSize = 32
    public static let defaultPort: UInt16 = 51820

    /// Parses one UDP payload as a WireGuard message. The size must match the type exactly
    /// (fixed handshake sizes; transport data ≥ 32 and a multiple of 16) and the three
    /// reserved bytes must be zero; anything else is nil.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> WireGuardMessage? {
        var reader = ByteReader(bytes)
        guard let typeByte = reader.u8(), let type = WireGuardMessageType(rawValue: typeByte),
              reader.u8() == 0, reader.u8() == 0, reader.u8() == 0
        else { return nil }
        let size = bytes.count
        switch type {
        case .handshakeInitiation:
            guard size == initiationSize, let sender = reader.u32() else { return nil }
            // ephemeral (32) + encrypted static (32 + 16) + encrypted timestamp (12 + 16) + mac1 (16)
            guard reader.skip(32 + 48 + 28 + 16), let mac2 = reader.bytes(16) else { return nil }
            return WireGuardMessage(type: type, senderIndex: sender.byteSwapped, size: size,
                                    hasMAC2: mac2.contains { $0 != 0 })
        case .handshakeResponse:
            guard size == responseSize, let sender = reader.u32(), let receiver = reader.u32() else { return nil }
            // ephemeral (32) + encrypted nothing (16) + mac1 (16)
            guard reader.skip(32 + 16 + 16), let mac2 = reader.bytes(16) else { return nil }
            return WireGuardMessage(type: type, senderIndex: sender.byteSwapped, receiverIndex: receiver.byteSwapped,
                                    size: size, hasMAC2: mac2.contains { $0 != 0 })
        case .cookieReply:
            guard size == cookieReplySize, let receiver = reader.u32() else { return nil }
            return WireGuardMessage(type: type, receiverIndex: receiver.byteSwapped, size: size)
        case .transportData:
            guard size >= minimumTransportSize, size % 16 == 0,
                  let receiver = reader.u32(), let counter = reader.u64()
            else { return nil }
            return WireGuardMessage(type: type, receiverIndex: receiver.byteSwapped, counter: counter.byteSwapped,
                                    size: size,
                                    encryptedPayloadLength: size - transportHeaderSize - authenticationTagSize)
        }
    }

    public static func parse(_ bytes: [UInt8]) -> WireGuardMessage? {
        bytes.withUnsafeBytes { parse($0) }
    }

    /// Whether one UDP payload is a well-formed WireGuard message. Handshake messages
    /// additionally need a non-zero sender index (the kernel picks a random one); transport
    /// data alone is weak evidence (any 16-byte-aligned payload starting 04 00 00 00 passes),
    /// so a caller should prefer a handshake or several data packets with one receiver index.
    public static func looksLikeWireGuard(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let message = parse(bytes) else { return false }
        switch message.type {
        case .handshakeInitiation: return message.senderIndex != 0
        case .handshakeResponse: return message.senderIndex != 0 && message.receiverIndex != 0
        case .cookieReply, .transportData: return true
        }
    }

    public static func looksLikeWireGuard(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { looksLikeWireGuard($0) }
    }
}
