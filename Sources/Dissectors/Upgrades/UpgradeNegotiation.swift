/// What the clear-text start of one direction tells about an upgrade (STARTTLS, a
/// proxy's CONNECT …): the same TCP stream then carries another protocol, usually TLS.
public enum UpgradeNegotiation: Sendable, Equatable {
    /// Nothing decisive yet: more bytes may tell.
    case pending
    /// The inner stream (a TLS handshake, or what a proxy relays) begins at this offset.
    case innerStarts(at: Int)
    /// The stream goes on in the clear: the upgrade was refused or never asked for.
    case plain
}

/// Small byte helpers shared by the upgrade dissectors.
enum UpgradeBytes {
    /// Whether a TLS handshake record starts at `offset`: nil when too few bytes are there to tell.
    static func tlsRecordStarts(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Bool? {
        guard bytes.count - offset >= 3 else {
            // Too short to tell unless the bytes present already differ.
            if offset < bytes.count && bytes[offset] != 0x16 { return false }
            if offset + 1 < bytes.count && bytes[offset + 1] != 0x03 { return false }
            return nil
        }
        return TLSRecordStream.looksLikeTLS(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
    }

    /// The offset just past the next LF at or after `start`, within `maxLine` bytes;
    /// nil when no LF is there yet, -1 when the line is too long.
    static func lineEnd(_ bytes: UnsafeRawBufferPointer, from start: Int, maxLine: Int) -> Int? {
        var index = start
        while index < bytes.count {
            if bytes[index] == 0x0A { return index + 1 }
            if index - start >= maxLine { return -1 }
            index += 1
        }
        return bytes.count - start > maxLine ? -1 : nil
    }

    /// Whether the bytes at `offset` begin with `prefix`, ASCII letters compared case-insensitively.
    static func hasPrefix(_ prefix: StaticString, in bytes: UnsafeRawBufferPointer, at offset: Int, end: Int) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard end - offset >= count else { return false }
        let pattern = UnsafeRawBufferPointer(start: prefix.utf8Start, count: count)
        for index in 0..<count where lowercased(bytes[offset + index]) != lowercased(pattern[index]) { return false }
        return true
    }

    static func lowercased(_ byte: UInt8) -> UInt8 {
        (0x41...0x5A).contains(byte) ? byte | 0x20 : byte
    }
}
