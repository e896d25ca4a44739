import Crypto
import CryptoExtras

// Telegram MTProto transports on TCP (core.telegram.org/mtproto/mtproto-transports;
// platforms.md §1.3, §5 #3–#4): which framing a client chose, and for obfuscated2 a
// verification that needs no secret. Telegram's TCP connections carry no TLS and no
// names, so these first bytes (plus the destination prefix) are the evidence.

/// The framing inside the connection (the tag of an obfuscated2 header names one of
/// the first three).
public enum MTProtoFraming: Sendable, Equatable {
    /// Client sends `ef` once; then length/4 in one byte, or `7f` + 3-byte LE.
    case abridged
    /// Client sends `ee ee ee ee` once; then 4-byte LE lengths.
    case intermediate
    /// Client sends `dd dd dd dd` once; lengths include 0–15 random padding bytes.
    case paddedIntermediate
    /// No prefix: LE length | LE seqno | payload | CRC32 of the preceding bytes.
    case full
}

/// The first frame after the transport prefix, when it is complete in the bytes given.
public struct MTProtoFrame: Sendable, Equatable {
    /// Bytes of MTProto payload (padding included for padded intermediate).
    public var payloadLength: Int
    /// First 8 payload bytes (LE): 0 for an unencrypted message (a fresh connection
    /// negotiating a key), otherwise the id of the authorization key in use, which is
    /// stable across the user's connections to that DC.
    public var authKeyID: UInt64?
    /// Full transport only: sequence number and whether the CRC32 matched.
    public var sequenceNumber: UInt32?
    public var crcMatches: Bool?
}

public struct MTProtoTransport: Sendable, Equatable {
    public var framing: MTProtoFraming
    /// The 64-byte obfuscated2 header was present and its tag decrypted correctly.
    public var isObfuscated: Bool
    /// Obfuscated2 only: DC id from header bytes 60..<62 (signed; negative = media DC).
    public var dcID: Int16?
    public var firstFrame: MTProtoFrame?
}

public enum MTProto {
    public static let abridgedTag: [UInt8] = [0xEF, 0xEF, 0xEF, 0xEF]
    public static let intermediateTag: [UInt8] = [0xEE, 0xEE, 0xEE, 0xEE]
    public static let paddedIntermediateTag: [UInt8] = [0xDD, 0xDD, 0xDD, 0xDD]
    static let obfuscatedHeaderSize = 64
    /// Largest frame believed on the first packet (MTProto messages are capped near 1 MiB).
    static let maximumFrameLength = 1 << 24

    /// Identifies the transport from the first client→server bytes of a TCP connection
    /// (one segment or a reassembled prefix). Checks, in order: abridged `ef`, intermediate
    /// and padded tags, full (length, seqno 0 and CRC32 must all hold), then obfuscated2
    /// (decrypt the header with the key/IV it carries and require a known tag).
    public static func identify(clientPayload bytes: UnsafeRawBufferPointer) -> MTProtoTransport? {
        var reader = ByteReader(bytes)
        guard let first = reader.peek() else { return nil }
        if first == 0xEF {
            reader.skip(1)
            // Whatever follows must start with a non-zero abridged length.
            if let head = reader.peek(), head & 0x7F == 0 { return nil }
            return MTProtoTransport(framing: .abridged, isObfuscated: false, firstFrame: firstFrame(.abridged, &reader))
        }
        if startsWith(bytes, intermediateTag) || startsWith(bytes, paddedIntermediateTag) {
            let framing: MTProtoFraming = startsWith(bytes, intermediateTag) ? .intermediate : .paddedIntermediate
            reader.skip(4)
            return MTProtoTransport(framing: framing, isObfuscated: false, firstFrame: firstFrame(framing, &reader))
        }
        var fullReader = ByteReader(bytes)
        if let frame = firstFrame(.full, &fullReader), frame.crcMatches == true, frame.sequenceNumber == 0 {
            return MTProtoTransport(framing: .full, isObfuscated: false, firstFrame: frame)
        }
        return identifyObfuscated2(bytes)
    }

    public static func identify(clientPayload bytes: [UInt8]) -> MTProtoTransport? {
        bytes.withUnsafeBytes { identify(clientPayload: $0) }
    }

    // MARK: - Obfuscated2

    /// Verifies an obfuscated2 header and decodes the first inner frame.
    /// Layout (platforms.md §1.3; gotd keys_util.go, Telethon tcpobfuscated.py): bytes 8..<40
    /// are the client→server AES-256-CTR key and 40..<56 the IV; the client encrypts the
    /// whole 64-byte header with that stream and sends bytes 56..<64 encrypted, so running
    /// the same stream over what was received turns 56..<60 back into the tag and
    /// 60..<62 into the DC id. With an MTProxy secret the key is hashed with the secret
    /// and this test fails, as it should.
    public static func identifyObfuscated2(_ bytes: UnsafeRawBufferPointer) -> MTProtoTransport? {
        guard let plain = decryptObfuscated2(clientStream: bytes, limit: 64 + 1024) else { return nil }
        return plain.withUnsafeBytes { buffer -> MTProtoTransport? in
            var reader = ByteReader(buffer, offset: 56)
            guard let tag = reader.array(4), let low = reader.u8(), let high = reader.u8(), reader.skip(2) else { return nil }
            let framing: MTProtoFraming
            switch tag {
            case abridgedTag: framing = .abridged
            case intermediateTag: framing = .intermediate
            case paddedIntermediateTag: framing = .paddedIntermediate
            default: return nil
            }
            let dcID = Int16(bitPattern: UInt16(low) | UInt16(high) << 8)
            return MTProtoTransport(framing: framing, isObfuscated: true, dcID: dcID, firstFrame: firstFrame(framing, &reader))
        }
    }

    public static func identifyObfuscated2(_ bytes: [UInt8]) -> MTProtoTransport? {
        bytes.withUnsafeBytes { identifyObfuscated2($0) }
    }

    /// Runs the client→server AES-256-CTR stream (key = bytes 8..<40, IV = 40..<56) over the
    /// first `limit` bytes of the client stream. Bytes 56... of the result are plaintext
    /// (tag, DC id, then the inner frames); bytes 0..<56 are meaningless.
    public static func decryptObfuscated2(clientStream bytes: UnsafeRawBufferPointer, limit: Int = .max) -> [UInt8]? {
        var reader = ByteReader(bytes)
        guard reader.skip(8), let key = reader.array(32), let iv = reader.array(16) else { return nil }
        guard bytes.count >= obfuscatedHeaderSize else { return nil }
        var inputReader = ByteReader(bytes)
        guard let input = inputReader.array(min(bytes.count, max(limit, obfuscatedHeaderSize))) else { return nil }
        guard let nonce = try? AES._CTR.Nonce(nonceBytes: iv),
              let output = try? AES._CTR.encrypt(input, using: SymmetricKey(data: key), nonce: nonce) else { return nil }
        return Array(output)
    }

    public static func decryptObfuscated2(clientStream bytes: [UInt8], limit: Int = .max) -> [UInt8]? {
        bytes.withUnsafeBytes { decryptObfuscated2(clientStream: $0, limit: limit) }
    }

    // MARK: - Frames

    /// Reads one frame of `framing` (after any prefix); nil if the bytes end first or the
    /// length is implausible.
    static func firstFrame(_ framing: MTProtoFraming, _ reader: inout ByteReader) -> MTProtoFrame? {
        switch framing {
        case .abridged:
            guard let head = reader.u8() else { return nil }
            var words = Int(head & 0x7F)   // top bit: quick-ack request
            if words == 0x7F {
                guard let a = reader.u8(), let b = reader.u8(), let c = reader.u8() else { return nil }
                words = Int(a) | Int(b) << 8 | Int(c) << 16
            }
            return payloadFrame(length: words * 4, &reader)
        case .intermediate, .paddedIntermediate:
            guard let length = littleEndian32(&reader) else { return nil }
            let value = Int(length & 0x7FFF_FFFF)  // top bit: quick-ack request
            if framing == .intermediate && value % 4 != 0 { return nil }
            return payloadFrame(length: value, &reader)
        case .full:
            let start = reader.offset
            guard let length = littleEndian32(&reader), let sequence = littleEndian32(&reader) else { return nil }
            let total = Int(length)
            guard total >= 12, total % 4 == 0, total <= maximumFrameLength else { return nil }
            let bodyStart = reader.offset
            guard reader.skip(total - 12), let crc = littleEndian32(&reader) else { return nil }
            var crcReader = ByteReader(reader.bytes, offset: start)
            guard let covered = crcReader.bytes(total - 4) else { return nil }
            var payload = ByteReader(reader.bytes, offset: bodyStart)
            return MTProtoFrame(payloadLength: total - 12, authKeyID: total - 12 >= 8 ? littleEndian64(&payload) : nil,
                                sequenceNumber: sequence, crcMatches: crc32(covered) == crc)
        }
    }

    private static func payloadFrame(length: Int, _ reader: inout ByteReader) -> MTProtoFrame? {
        guard length > 0, length <= maximumFrameLength, let payload = reader.bytes(length) else { return nil }
        var payloadReader = ByteReader(payload)
        return MTProtoFrame(payloadLength: length, authKeyID: length >= 8 ? littleEndian64(&payloadReader) : nil)
    }

    private static func startsWith(_ bytes: UnsafeRawBufferPointer, _ prefix: [UInt8]) -> Bool {
        bytes.count >= prefix.count && zip(bytes, prefix).allSatisfy { $0 == $1 }
    }

    private static func littleEndian32(_ reader: inout ByteReader) -> UInt32? {
        reader.u32().map { $0.byteSwapped }
    }

    private static func littleEndian64(_ reader: inout ByteReader) -> UInt64? {
        reader.u64().map { $0.byteSwapped }
    }
}

// MARK: - CRC-32 (IEEE 802.3, as zlib), for the full transport

fileprivate let crcTable: [UInt32] = (0..<256).map { index -> UInt32 in
    var value = UInt32(index)
    for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
    return value
}

fileprivate func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes { crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
    return crc ^ 0xFFFF_FFFF
}
