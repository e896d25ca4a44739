import Basics
import Decoding

// STUN / TURN (RFC 5389, RFC 8489, RFC 8656, classic RFC 3489) and the dialects
// calling apps put on the wire: Microsoft MS-TURN/MS-ICE2 (Teams/Skype), WhatsApp,
// Zoom and Google vendor attributes. STUN is the one clear-text layer every calling
// app exposes, so this dissector keeps what matters as evidence: method and class,
// transaction id, REALM/SOFTWARE, the mapped/relayed/peer addresses and vendor marks.

/// The two class bits of a STUN message type (C1 = bit 8, C0 = bit 4).
public enum STUNClass: UInt8, Sendable, Equatable {
    case request = 0
    case indication = 1
    case successResponse = 2
    case errorResponse = 3
}

/// The 12-bit method of a STUN message type. A struct, not an enum: vendors use
/// methods outside the registry (WhatsApp's 0x0800–0x0802 types decode to 0x200–0x202).
public struct STUNMethod: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue & 0x0FFF }

    public static let binding = STUNMethod(rawValue: 0x001)
    /// RFC 3489 Shared Secret (classic only).
    public static let sharedSecret = STUNMethod(rawValue: 0x002)
    public static let allocate = STUNMethod(rawValue: 0x003)
    /// RFC 5766/8656 Refresh; in MS-TURN the same number is Send (see `STUNMessage.methodName`).
    public static let refresh = STUNMethod(rawValue: 0x004)
    public static let send = STUNMethod(rawValue: 0x006)
    public static let data = STUNMethod(rawValue: 0x007)
    public static let createPermission = STUNMethod(rawValue: 0x008)
    public static let channelBind = STUNMethod(rawValue: 0x009)
    public static let connect = STUNMethod(rawValue: 0x00A)
    public static let connectionBind = STUNMethod(rawValue: 0x00B)
    public static let connectionAttempt = STUNMethod(rawValue: 0x00C)
}

/// Well-known attribute type numbers. Names follow the IANA registry, Wireshark's
/// packet-stun.c and [MS-TURN]/[MS-ICE2]; vendor numbers cite nDPI's stun.c.
public enum STUNAttributeType {
    public static let mappedAddress: UInt16 = 0x0001
    public static let responseAddress: UInt16 = 0x0002      // RFC 3489
    public static let changeRequest: UInt16 = 0x0003
    public static let sourceAddress: UInt16 = 0x0004        // RFC 3489
    public static let changedAddress: UInt16 = 0x0005       // RFC 3489
    public static let username: UInt16 = 0x0006
    public static let password: UInt16 = 0x0007             // RFC 3489
    public static let messageIntegrity: UInt16 = 0x0008
    public static let errorCode: UInt16 = 0x0009
    public static let unknownAttributes: UInt16 = 0x000A
    public static let reflectedFrom: UInt16 = 0x000B        // RFC 3489
    public static let channelNumber: UInt16 = 0x000C
    public static let lifetime: UInt16 = 0x000D
    public static let msMagicCookie: UInt16 = 0x000F        // MS-TURN
    public static let bandwidth: UInt16 = 0x0010            // MS-TURN / turn-07
    public static let destinationAddress: UInt16 = 0x0011   // MS-TURN
    public static let xorPeerAddress: UInt16 = 0x0012
    public static let data: UInt16 = 0x0013
    public static let realm: UInt16 = 0x0014
    public static let nonce: UInt16 = 0x0015
    public static let xorRelayedAddress: UInt16 = 0x0016
    public static let requestedAddressFamily: UInt16 = 0x0017
    public static let evenPort: UInt16 = 0x0018
    public static let requestedTransport: UInt16 = 0x0019
    public static let dontFragment: UInt16 = 0x001A
    public static let messageIntegritySHA256: UInt16 = 0x001C
    public static let passwordAlgorithm: UInt16 = 0x001D
    public static let userhash: UInt16 = 0x001E
    public static let xorMappedAddress: UInt16 = 0x0020
    public static let reservationToken: UInt16 = 0x0022
    public static let priority: UInt16 = 0x0024
    public static let useCandidate: UInt16 = 0x0025
    public static let msVersion: UInt16 = 0x8008            // MS-TURN
    public static let msXorMappedAddress: UInt16 = 0x8020   // MS-TURN
    public static let software: UInt16 = 0x8022
    public static let alternateServer: UInt16 = 0x8023
    public static let fingerprint: UInt16 = 0x8028
    public static let iceControlled: UInt16 = 0x8029
    public static let iceControlling: UInt16 = 0x802A
    public static let responseOrigin: UInt16 = 0x802B
    public static let otherAddress: UInt16 = 0x802C
    public static let msAppID: UInt16 = 0x8037              // MS-TURN (Wireshark "MS-APP-ID")
    public static let msSequenceNumber: UInt16 = 0x8050     // MS-TURN
    public static let msCandidateIdentifier: UInt16 = 0x8054 // MS-ICE2
    public static let msServiceQuality: UInt16 = 0x8055     // MS-TURN
    public static let msImplementationVersion: UInt16 = 0x8070 // MS-ICE2
    public static let msAlternateMappedAddress: UInt16 = 0x8090 // MS-TURN
    public static let msMultiplexedTURNSessionID: UInt16 = 0x8095 // MS-TURN
    public static let googNetworkInfo: UInt16 = 0xC057      // WebRTC (Google)
}

/// Which address-bearing attribute an address came from.
public enum STUNAddressKind: Sendable, Equatable {
    case mapped, xorMapped, xorRelayed, xorPeer, responseOrigin, otherAddress
    case alternateServer, destination, msXorMapped, msAlternateMapped
    case responseAddress, sourceAddress, changedAddress, reflectedFrom
}

public struct STUNAddress: Sendable, Equatable {
    public var kind: STUNAddressKind
    public var address: IPAddress
    public var port: UInt16
}

/// One attribute as it appears on the wire: its type number and declared length.
public struct STUNAttribute: Sendable, Equatable {
    public var type: UInt16
    public var length: UInt16
    /// Offset of the value inside the message (from the first byte of the STUN header).
    public var valueOffset: Int
}

public struct STUNErrorCode: Sendable, Equatable {
    public var code: Int
    public var reason: String
}

/// [MS-TURN]/[MS-ICE2] attribute values that help tell Teams/Skype media apart.
public struct STUNMicrosoftAttributes: Sendable, Equatable {
    /// MS-VERSION (0x8008): 1 ICE, 2 MS-ICE2, 3 with SHA-256, 4 with SHA-256 and IPv6; MS-TURN uses 6.
    public var version: UInt32?
    /// MS-SEQUENCE-NUMBER (0x8050): 20-byte connection id (hex) and sequence number.
    public var connectionID: String?
    public var sequenceNumber: UInt32?
    /// MS-SERVICE-QUALITY (0x8055): stream type (1 audio, 2 video, 3 supplemental video, 4 data) and quality.
    public var streamType: UInt16?
    public var serviceQuality: UInt16?
    /// CANDIDATE-IDENTIFIER (0x8054): the ICE foundation, as text (Wireshark "Foundation").
    public var candidateIdentifier: String?
    /// MS-IMPLEMENTATION-VERSION (0x8070).
    public var implementationVersion: UInt32?
    /// MS-MULTIPLEXED-TURN-SESSION-ID (0x8095).
    public var multiplexedTURNSessionID: UInt64?
    /// MAGIC-COOKIE attribute (0x000F) of MS-TURN present.
    public var hasMagicCookieAttribute = false

    public init() {}
}

/// A platform a STUN message points to, with the rule that matched.
/// Rules from ndpi-detection-facts.md §10 (nDPI stun.c) and §2 (WhatsApp types).
public enum STUNPlatformHint: Hashable, Sendable {
    case whatsApp, microsoftTeams, zoom, google, signal, facebook, telegram, viber
}

public struct STUNMessage: Sendable, Equatable {
    public var messageType: UInt16
    public var messageClass: STUNClass
    public var method: STUNMethod
    /// Declared length of the attribute section (header excluded).
    public var length: UInt16
    /// RFC 5389 magic cookie 0x2112A442 at offset 4; false for classic RFC 3489.
    public var hasMagicCookie: Bool
    /// Lower-case hex: 12 bytes (24 digits) with the cookie, 16 bytes (32 digits) classic.
    public var transactionID: String
    /// Length is a multiple of 4 (RFC rule). WhatsApp relays send unpadded last attributes.
    public var isLengthAligned: Bool
    /// Attribute values padded to 4 bytes (RFC 5389); false for unpadded MS-TURN messages.
    public var attributesArePadded = true
    public var attributes: [STUNAttribute] = []
    public var addresses: [STUNAddress] = []
    public var software: String?
    public var realm: String?
    public var hasNonce = false
    /// USERNAME length in bytes, nil when absent (the value itself is not kept).
    public var usernameLength: Int?
    public var errorCode: STUNErrorCode?
    public var lifetime: UInt32?
    public var channelNumber: UInt16?
    /// REQUESTED-TRANSPORT protocol number (17 UDP, 6 TCP).
    public var requestedTransport: UInt8?
    /// DATA attribute (Send/Data indications): where its value sits inside the message.
    public var dataOffset: Int?
    public var dataLength: Int?
    public var hasMessageIntegrity = false
    public var hasMessageIntegritySHA256 = false
    public var hasFingerprint = false
    public var microsoft: STUNMicrosoftAttributes?
    /// Total size on the wire (20 + length).
    public var size: Int { 20 + Int(length) }

    public var attributeTypes: [UInt16] { attributes.map(\.type) }

    public func address(_ kind: STUNAddressKind) -> STUNAddress? {
        addresses.first { $0.kind == kind }
    }

    /// Method name; MS-TURN (marked by its MAGIC-COOKIE attribute) renumbers 4–6.
    public var methodName: String {
        if microsoft?.hasMagicCookieAttribute == true {
            switch method.rawValue {
            case 0x004: return "ms-send"
            case 0x005: return "ms-data"
            case 0x006: return "ms-set-active-destination"
            default: break
            }
        }
        switch method {
        case .binding: return "binding"
        case .sharedSecret: return "shared-secret"
        case .allocate: return "allocate"
        case .refresh: return "refresh"
        case .send: return "send"
        case .data: return "data"
        case .createPermission: return "create-permission"
        case .channelBind: return "channel-bind"
        case .connect: return "connect"
        case .connectionBind: return "connection-bind"
        case .connectionAttempt: return "connection-attempt"
        default:
            if (0x0800...0x0802).contains(messageType) { return "whatsapp-0x" + Hex.lowercase(messageType) }
            return "0x" + Hex.lowercase(method.rawValue)
        }
    }

    /// Platforms the message's own bytes point to (nDPI stun.c rules, facts §10 and §2).
    public var platformHints: Set<STUNPlatformHint> {
        var hints = Set<STUNPlatformHint>()
        // WhatsApp: non-standard message types 0x0800–0x0802, attributes 0x4000–0x4004 and 0x4007.
        if (0x0800...0x0802).contains(messageType) { hints.insert(.whatsApp) }
        for type in attributeTypes {
            switch type {
            case 0x4000...0x4004, 0x4007: hints.insert(.whatsApp)
            case 0x0101, 0x0103: hints.insert(.zoom)
            case 0x8054, 0x24DF, 0x3802, 0x8036, 0x8095, 0x0800, 0x8006, 0x8070, 0x8055:
                hints.insert(.microsoftTeams)
            case 0xFF03: hints.insert(.google)
            default: break
            }
        }
        if let realm = realm?.lowercased() {
            if realm.contains("google.com") { hints.insert(.google) }
            if realm.contains("signal.org") || realm.contains("whispersystems.org") { hints.insert(.signal) }
            if realm.contains("facebook") { hints.insert(.facebook) }
            if realm.contains("telegram") { hints.insert(.telegram) }
            if realm.contains("viber") { hints.insert(.viber) }
        }
        return hints
    }
}

/// TURN ChannelData (RFC 8656 §12.4): channel number 0x4000–0x7FFF, then length.
public struct TURNChannelData: Sendable, Equatable {
    public var channel: UInt16
    public var length: UInt16
    /// Bytes actually present after the 4-byte header (may be short in a truncated capture).
    public var availableLength: Int
    /// Size on the wire: 4 + length, padded to 4 over TCP.
    public var wireSize: Int
}

/// What a TCP stream chunk held.
public enum STUNStreamItem: Sendable, Equatable {
    case message(STUNMessage)
    case channelData(TURNChannelData)
    /// An RFC 4571 frame that is not STUN (ICE-TCP also carries RTP/RTCP/DTLS this way).
    case otherFrame(length: Int)
}

public enum STUNTCPFraming: Sendable, Equatable {
    /// Messages back to back (RFC 8489 §6.2.2), possibly several in one segment.
    case plain
    /// RFC 4571 / RFC 6544: every frame preceded by a 2-byte big-endian length.
    case rfc4571
}

public struct STUNStream: Sendable, Equatable {
    public var framing: STUNTCPFraming
    public var items: [STUNStreamItem]
    /// Bytes consumed by complete items; the rest is a partial item or not STUN.
    public var consumedBytes: Int
}

public enum STUN {
    public static let magicCookie: UInt32 = 0x2112_A442
    static let headerSize = 20

    // MARK: - Recognition

    /// A strict check for one STUN message filling `bytes` (a UDP payload):
    /// top two bits zero, declared length + 20 == payload size, and either the RFC 5389
    /// magic cookie with an attribute walk that ends exactly at the end, or (classic
    /// RFC 3489, no cookie) a classic message type, length a multiple of 4 and an exact walk.
    public static func looksLikeSTUN(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var reader = ByteReader(bytes)
        guard let type = reader.u16(), let length = reader.u16(), let cookie = reader.u32() else { return false }
        guard type & 0xC000 == 0, type != 0, Int(length) + headerSize == bytes.count else { return false }
        guard bytes.count >= headerSize else { return false }
        if cookie == magicCookie {
            // Unaligned lengths are tolerated only when the walk is exact (WhatsApp relays:
            // whatsapp_voice_and_message.pcap sends a 102-byte 0x4000 attribute unpadded).
            return attributeWalkIsExact(bytes, from: headerSize)
        }
        guard length % 4 == 0, classicMessageTypes.contains(type) else { return false }
        return attributeWalkIsExact(bytes, from: headerSize)
    }

    public static func looksLikeSTUN(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { looksLikeSTUN($0) }
    }

    /// Classic RFC 3489 types plus the pre-RFC TURN/MS-TURN ones nDPI also accepts without
    /// a cookie (facts §10): Binding, Shared Secret, Allocate, Send, Data, Set Active Destination.
    static let classicMessageTypes: Set<UInt16> = [
        0x0001, 0x0101, 0x0111,          // Binding request / response / error
        0x0002, 0x0102, 0x0112,          // Shared Secret
        0x0003, 0x0103, 0x0113,          // Allocate
        0x0004, 0x0104, 0x0114,          // Send
        0x0115,                          // Data indication (MS-TURN numbering)
        0x0006, 0x0106, 0x0116,          // Set Active Destination
    ]

    static func attributeWalkIsExact(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Bool {
        walkAttributes(bytes, from: start, padded: true) != nil || walkAttributes(bytes, from: start, padded: false) != nil
    }

    /// The attribute list if the TLV walk ends exactly at the end of `bytes`, else nil.
    /// RFC 5389 pads values to 4 bytes (a missing pad after the final attribute is tolerated:
    /// WhatsApp relays, whatsapp_voice_and_message.pcap); MS-TURN does not pad at all
    /// (teams.pcap: a 9-byte SOFTWARE followed directly by BANDWIDTH, message length 133).
    static func walkAttributes(_ bytes: UnsafeRawBufferPointer, from start: Int, padded: Bool) -> [STUNAttribute]? {
        var reader = ByteReader(bytes, offset: start)
        var attributes: [STUNAttribute] = []
        // Room for the usual handful at once (each is at least 4 bytes).
        attributes.reserveCapacity(min(16, max(0, bytes.count - start) / 4))
        while !reader.isAtEnd {
            guard let type = reader.u16(), let length = reader.u16() else { return nil }
            let valueOffset = reader.offset
            guard reader.skip(Int(length)) else { return nil }
            attributes.append(STUNAttribute(type: type, length: length, valueOffset: valueOffset))
            let pad = padded ? (4 - Int(length) % 4) % 4 : 0
            if !reader.skip(pad) && !reader.isAtEnd { return nil }
        }
        return attributes
    }

    // MARK: - Parsing

    /// Parses the STUN message at the start of `bytes`. Extra bytes after the message are
    /// ignored (use `parseStream` for TCP); a message longer than `bytes` is rejected.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> STUNMessage? {
        var reader = ByteReader(bytes)
        guard let type = reader.u16(), let length = reader.u16(), let cookie = reader.u32() else { return nil }
        guard type & 0xC000 == 0, type != 0 else { return nil }
        let total = headerSize + Int(length)
        guard total <= bytes.count, let transactionTail = reader.bytes(12) else { return nil }
        let hasCookie = cookie == magicCookie
        if !hasCookie && !classicMessageTypes.contains(type) { return nil }

        let transactionID: String
        if hasCookie {
            transactionID = Hex.lowercase(transactionTail)
        } else {
            // Classic: the 128-bit transaction id includes the 4 bytes where the cookie would be.
            var classic = ByteReader(bytes, offset: 4)
            guard let classicID = classic.bytes(16) else { return nil }
            transactionID = Hex.lowercase(classicID)
        }
        let messageClass = STUNClass(rawValue: UInt8(((type >> 7) & 0x2) | ((type >> 4) & 0x1))) ?? .request
        let method = STUNMethod(rawValue: (type & 0x000F) | ((type >> 1) & 0x0070) | ((type >> 2) & 0x0F80))
        var message = STUNMessage(
            messageType: type, messageClass: messageClass, method: method, length: length,
            hasMagicCookie: hasCookie, transactionID: transactionID, isLengthAligned: length % 4 == 0)

        // XOR key for addresses: cookie (+ transaction id for IPv6), RFC 8489 §14.2.
        let xorKey = [UInt8(cookie >> 24), UInt8(truncatingIfNeeded: cookie >> 16),
                      UInt8(truncatingIfNeeded: cookie >> 8), UInt8(truncatingIfNeeded: cookie)] + Array(transactionTail)

        let messageBytes = UnsafeRawBufferPointer(rebasing: bytes[0..<total])
        if let padded = walkAttributes(messageBytes, from: headerSize, padded: true) {
            message.attributes = padded
        } else if let unpadded = walkAttributes(messageBytes, from: headerSize, padded: false) {
            message.attributes = unpadded
            message.attributesArePadded = false
        } else {
            return nil
        }
        for attribute in message.attributes {
            let start = attribute.valueOffset
            var valueReader = ByteReader(messageBytes, offset: start)
            guard let value = valueReader.bytes(Int(attribute.length)) else { return nil }
            decode(attribute.type, value: value, valueOffset: start, xorKey: xorKey, into: &message)
        }
        return message
    }

    public static func parse(_ bytes: [UInt8]) -> STUNMessage? {
        bytes.withUnsafeBytes { parse($0) }
    }

    private static func decode(_ type: UInt16, value: UnsafeRawBufferPointer, valueOffset: Int,
                               xorKey: [UInt8], into message: inout STUNMessage) {
        var reader = ByteReader(value)
        switch type {
        case STUNAttributeType.mappedAddress: appendAddress(.mapped, value, xor: nil, &message)
        case STUNAttributeType.responseAddress: appendAddress(.responseAddress, value, xor: nil, &message)
        case STUNAttributeType.sourceAddress: appendAddress(.sourceAddress, value, xor: nil, &message)
        case STUNAttributeType.changedAddress: appendAddress(.changedAddress, value, xor: nil, &message)
        case STUNAttributeType.reflectedFrom: appendAddress(.reflectedFrom, value, xor: nil, &message)
        case STUNAttributeType.destinationAddress: appendAddress(.destination, value, xor: nil, &message)
        case STUNAttributeType.responseOrigin: appendAddress(.responseOrigin, value, xor: nil, &message)
        case STUNAttributeType.otherAddress: appendAddress(.otherAddress, value, xor: nil, &message)
        case STUNAttributeType.alternateServer: appendAddress(.alternateServer, value, xor: nil, &message)
        case STUNAttributeType.msAlternateMappedAddress: appendAddress(.msAlternateMapped, value, xor: nil, &message)
        case STUNAttributeType.xorMappedAddress: appendAddress(.xorMapped, value, xor: xorKey, &message)
        case STUNAttributeType.xorRelayedAddress: appendAddress(.xorRelayed, value, xor: xorKey, &message)
        case STUNAttributeType.xorPeerAddress: appendAddress(.xorPeer, value, xor: xorKey, &message)
        case STUNAttributeType.msXorMappedAddress: appendAddress(.msXorMapped, value, xor: xorKey, &message)
        case STUNAttributeType.software: message.software = ByteReader.printable(value)
        case STUNAttributeType.realm: message.realm = ByteReader.printable(value)
        case STUNAttributeType.nonce: message.hasNonce = true
        case STUNAttributeType.username: message.usernameLength = value.count
        case STUNAttributeType.messageIntegrity: message.hasMessageIntegrity = true
        case STUNAttributeType.messageIntegritySHA256: message.hasMessageIntegritySHA256 = true
        case STUNAttributeType.fingerprint: message.hasFingerprint = true
        case STUNAttributeType.errorCode:
            // 2 reserved bytes, class (3 bits), number (0–99), UTF-8 reason.
            guard reader.skip(2), let errorClass = reader.u8(), let number = reader.u8() else { return }
            let reason = ByteReader.printable(reader.rest())
            message.errorCode = STUNErrorCode(code: Int(errorClass & 0x07) * 100 + Int(number), reason: reason)
        case STUNAttributeType.lifetime: message.lifetime = reader.u32()
        case STUNAttributeType.channelNumber: message.channelNumber = reader.u16()
        case STUNAttributeType.requestedTransport: message.requestedTransport = reader.u8()
        case STUNAttributeType.data:
            message.dataOffset = valueOffset
            message.dataLength = value.count
        case STUNAttributeType.msMagicCookie:
            message.microsoft = message.microsoft ?? STUNMicrosoftAttributes()
            message.microsoft?.hasMagicCookieAttribute = true
        case STUNAttributeType.msVersion:
            updateMicrosoft(&message) { $0.version = reader.u32() }
        case STUNAttributeType.msSequenceNumber:
            guard let connection = reader.bytes(20), let sequence = reader.u32() else { return }
            updateMicrosoft(&message) {
                $0.connectionID = Hex.lowercase(connection)
                $0.sequenceNumber = sequence
            }
        case STUNAttributeType.msServiceQuality:
            guard let stream = reader.u16(), let quality = reader.u16() else { return }
            updateMicrosoft(&message) {
                $0.streamType = stream
                $0.serviceQuality = quality
            }
        case STUNAttributeType.msCandidateIdentifier:
            updateMicrosoft(&message) { $0.candidateIdentifier = ByteReader.printable(value) }
        case STUNAttributeType.msImplementationVersion:
            updateMicrosoft(&message) { $0.implementationVersion = reader.u32() }
        case STUNAttributeType.msMultiplexedTURNSessionID:
            updateMicrosoft(&message) { $0.multiplexedTURNSessionID = reader.u64() }
        default:
            break
        }
    }

    private static func updateMicrosoft(_ message: inout STUNMessage, _ body: (inout STUNMicrosoftAttributes) -> Void) {
        var microsoft = message.microsoft ?? STUNMicrosoftAttributes()
        body(&microsoft)
        message.microsoft = microsoft
    }

    /// Address attribute: reserved byte, family (1 IPv4, 2 IPv6), port, address.
    private static func appendAddress(_ kind: STUNAddressKind, _ value: UnsafeRawBufferPointer,
                                      xor key: [UInt8]?, _ message: inout STUNMessage) {
        var reader = ByteReader(value)
        guard reader.skip(1), let family = reader.u8(), var port = reader.u16() else { return }
        if let key { port ^= UInt16(key[0]) << 8 | UInt16(key[1]) }
        switch family {
        case 0x01:
            guard var raw = reader.u32() else { return }
            if let key { raw ^= UInt32(key[0]) << 24 | UInt32(key[1]) << 16 | UInt32(key[2]) << 8 | UInt32(key[3]) }
            message.addresses.append(STUNAddress(kind: kind, address: IPAddress(ipv4: raw), port: port))
        case 0x02:
            guard let raw = reader.bytes(16) else { return }
            var high: UInt64 = 0, low: UInt64 = 0
            for index in 0..<16 {
                let byte = raw[index] ^ (key?[index] ?? 0)
                if index < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
            }
            message.addresses.append(STUNAddress(kind: kind, address: IPAddress(high: high, low: low), port: port))
        default:
            return
        }
    }

    // MARK: - TURN ChannelData

    /// ChannelData header at the start of `bytes`. Channel numbers 0x4000–0x7FFF (RFC 8656;
    /// RFC 7983 first byte 64–79 for the range actually in use). The payload may be truncated.
    public static func parseChannelData(_ bytes: UnsafeRawBufferPointer, overTCP: Bool = false) -> TURNChannelData? {
        var reader = ByteReader(bytes)
        guard let channel = reader.u16(), let length = reader.u16() else { return nil }
        guard (0x4000...0x7FFF).contains(channel) else { return nil }
        let wire = 4 + (overTCP ? (Int(length) + 3) & ~3 : Int(length))
        return TURNChannelData(channel: channel, length: length,
                               availableLength: min(Int(length), reader.remaining), wireSize: wire)
    }

    public static func parseChannelData(_ bytes: [UInt8], overTCP: Bool = false) -> TURNChannelData? {
        bytes.withUnsafeBytes { parseChannelData($0, overTCP: overTCP) }
    }

    // MARK: - TCP

    /// Splits a TCP payload (or reassembled stream prefix) into STUN messages and ChannelData.
    /// Detects RFC 4571 framing from the first bytes: a 2-byte length followed by a STUN
    /// header whose cookie sits at offset 6 (the test Wireshark also uses).
    public static func parseStream(_ bytes: UnsafeRawBufferPointer) -> STUNStream {
        let framing: STUNTCPFraming = isRFC4571Framed(bytes) ? .rfc4571 : .plain
        var items: [STUNStreamItem] = []
        var offset = 0
        while offset < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
            switch framing {
            case .rfc4571:
                var reader = ByteReader(rest)
                guard let frameLength = reader.u16(), let frame = reader.bytes(Int(frameLength)) else {
                    return STUNStream(framing: framing, items: items, consumedBytes: offset)
                }
                if let message = parse(frame), message.size == frame.count {
                    items.append(.message(message))
                } else {
                    items.append(.otherFrame(length: frame.count))
                }
                offset += 2 + frame.count
            case .plain:
                if let message = parse(rest), message.hasMagicCookie {
                    items.append(.message(message))
                    offset += message.size
                } else if let channelData = parseChannelData(rest, overTCP: true),
                          channelData.wireSize <= rest.count {
                    items.append(.channelData(channelData))
                    offset += channelData.wireSize
                } else {
                    return STUNStream(framing: framing, items: items, consumedBytes: offset)
                }
            }
        }
        return STUNStream(framing: framing, items: items, consumedBytes: offset)
    }

    public static func parseStream(_ bytes: [UInt8]) -> STUNStream {
        bytes.withUnsafeBytes { parseStream($0) }
    }

    static func isRFC4571Framed(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var reader = ByteReader(bytes)
        guard let frameLength = reader.u16(), let type = reader.u16(), let length = reader.u16(),
              let cookie = reader.u32() else { return false }
        return cookie == magicCookie && type & 0xC000 == 0 && Int(frameLength) == headerSize + Int(length)
    }

    // MARK: - Microsoft multiplexed TURN

    /// Teams media relays prefix STUN with a 12-byte header starting FF 10 (facts §10, nDPI
    /// skips it). Returns the offset of the inner message, or nil when the header is absent.
    public static func microsoftMultiplexedPayloadOffset(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard bytes.count > 12, bytes[0] == 0xFF, bytes[1] == 0x10 else { return nil }
        return 12
    }
}
