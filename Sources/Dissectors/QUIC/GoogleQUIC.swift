/// A Google QUIC crypto handshake message (CHLO, REJ, SHLO…): a 4-byte tag, a
/// little-endian tag count, then a table of (tag, end offset) pairs and the
/// concatenated values. Used in clear by Q024–Q046 and, inside protected Initial
/// packets, by Q050.
public struct GoogleQUICHandshakeMessage: Hashable, Sendable {
    public struct Entry: Hashable, Sendable {
        /// The 4 tag bytes as text, e.g. "SNI\0" is returned as "SNI".
        public let tag: String
        public let value: [UInt8]
    }

    /// Real CHLOs carry 20–40 tags; anything far beyond is not a CHLO.
    public static let maxTagCount = 256

    public let messageTag: String
    public let entries: [Entry]

    public func value(for tag: String) -> [UInt8]? {
        entries.first { $0.tag == tag }?.value
    }

    /// Server name (tag "SNI").
    public var serverName: String? { value(for: "SNI").map { $0.withUnsafeBytes(ByteReader.printable) } }
    /// User agent ID (tag "UAID"), e.g. "Chrome/83.0.4103.101 Android 8.0.0; LDN-L21".
    public var userAgent: String? { value(for: "UAID").map { $0.withUnsafeBytes(ByteReader.printable) } }
    /// Version (tag "VER"), e.g. "Q046".
    public var versionTag: String? { value(for: "VER").map { $0.withUnsafeBytes(ByteReader.printable) } }

    /// The total length of the message at the start of `bytes` once its tag table
    /// is visible, or nil if even the table is incomplete or invalid.
    public static func totalLength(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var reader = ByteReader(bytes)
        guard reader.skip(4), let count = reader.littleEndianU16(), reader.skip(2),
              Int(count) <= maxTagCount else { return nil }
        let tableLength = 8 + 8 * Int(count)
        guard count > 0 else { return tableLength }
        guard reader.skip(8 * (Int(count) - 1) + 4), let lastEnd = reader.littleEndianU32() else { return nil }
        return tableLength + Int(lastEnd)
    }

    /// Parses a complete message. Offsets must not decrease and values must fit.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> GoogleQUICHandshakeMessage? {
        var reader = ByteReader(bytes)
        guard let tagBytes = reader.bytes(4), let count = reader.littleEndianU16(), reader.skip(2),
              Int(count) <= maxTagCount, tagBytes.allSatisfy(isTagByte) else { return nil }
        var table = ByteReader(bytes, offset: 8)
        guard reader.skip(8 * Int(count)) else { return nil }
        var values = reader  // starts right after the table
        var previousEnd: UInt32 = 0
        var entries: [Entry] = []
        entries.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard let tag = table.bytes(4), let end = table.littleEndianU32(),
                  end >= previousEnd, tag.allSatisfy(isTagByte),
                  let value = values.array(Int(end - previousEnd)) else { return nil }
            entries.append(Entry(tag: tagText(tag), value: value))
            previousEnd = end
        }
        return GoogleQUICHandshakeMessage(messageTag: tagText(tagBytes), entries: entries)
    }

    private static func isTagByte(_ byte: UInt8) -> Bool {
        byte == 0 || (byte >= 0x20 && byte < 0x7f)
    }

    private static func tagText(_ bytes: UnsafeRawBufferPointer) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }
}

extension ByteReader {
    mutating func littleEndianU16() -> UInt16? {
        u16().map { $0.byteSwapped }
    }

    mutating func littleEndianU32() -> UInt32? {
        u32().map { $0.byteSwapped }
    }
}

/// Google QUIC specifics: the clear-text CHLO of Q024–Q046 and the gQUIC frame
/// layout inside decrypted Q050/T050/T051 Initials.
public enum GoogleQUIC {
    private static let chloTag: [UInt8] = Array("CHLO".utf8)
    /// The CHLO starts within the first frames of the first packet; searching a
    /// short window avoids decoding every stream-frame layout of Q024–Q046.
    private static let chloSearchWindow = 96

    /// The version of a gQUIC packet whose header is not the IETF long header:
    /// Q046 (long-header-like, CID lengths in one byte) or the public header of
    /// Q043 and older (version present flag 0x01, 8-byte CID flag 0x08).
    public static func clearTextVersion(of datagram: UnsafeRawBufferPointer) -> QUICVersion? {
        var reader = ByteReader(datagram)
        guard let flags = reader.u8() else { return nil }
        let raw: UInt32
        if flags & 0x80 != 0 {
            guard let value = reader.u32() else { return nil }
            raw = value
        } else {
            // Public header: version flag, 8-byte connection ID, no reserved 0x40 bit.
            guard flags & 0x01 != 0, flags & 0x08 != 0, flags & 0x40 == 0,
                  reader.skip(8), let value = reader.u32() else { return nil }
            raw = value
        }
        let version = QUICVersion(raw)
        guard case .google(let letter, let number) = version.family, letter == "Q", number < 50 else { return nil }
        return version
    }

    /// The CHLO in a clear-text gQUIC client datagram (Q024–Q046), if complete.
    public static func clearTextClientHello(in datagram: UnsafeRawBufferPointer) -> GoogleQUICHandshakeMessage? {
        guard clearTextVersion(of: datagram) != nil else { return nil }
        // Smallest header: flags + 8-byte CID + version + 1-byte packet number + 12-byte hash.
        let searchStart = 1 + 8 + 4 + 1
        guard datagram.count > searchStart + 4 else { return nil }
        let searchEnd = min(datagram.count - 4, searchStart + chloSearchWindow)
        var start = searchStart
        while start < searchEnd {
            if datagram[start] == chloTag[0], datagram[start + 1] == chloTag[1],
               datagram[start + 2] == chloTag[2], datagram[start + 3] == chloTag[3] {
                let candidate = UnsafeRawBufferPointer(rebasing: datagram[start...])
                if let length = GoogleQUICHandshakeMessage.totalLength(candidate), length <= candidate.count,
                   let message = GoogleQUICHandshakeMessage.parse(UnsafeRawBufferPointer(rebasing: candidate[0..<length])) {
                    return message
                }
            }
            start += 1
        }
        return nil
    }

    /// Calls `body` with each crypto-stream chunk of a decrypted Q050/T050/T051
    /// Initial payload: PADDING (0x00) is skipped, CRYPTO is type 0x08 with varint
    /// offset and length. Like nDPI, a leading gQUIC ACK (0x40: 6 bytes, 0x60: 9
    /// bytes) is stepped over; any other frame type ends the walk.
    public static func forEachCryptoFrame(inDecryptedPayload payload: UnsafeRawBufferPointer,
                                          _ body: (UInt64, UnsafeRawBufferPointer) -> Void) {
        var reader = ByteReader(payload)
        while let type = reader.u8() {
            switch type {
            case 0x00:
                continue
            case 0x08:
                guard let offset = reader.quicVarint(), let length = reader.quicLength(),
                      let data = reader.bytes(length) else { return }
                body(offset, data)
            case 0x40:
                guard reader.skip(5) else { return }
            case 0x60:
                guard reader.skip(8) else { return }
            default:
                return
            }
        }
    }
}
