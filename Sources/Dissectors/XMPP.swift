/// XMPP (RFC 6120) in the clear: the stream header that opens each direction, and
/// the STARTTLS negotiation (the client's `<starttls/>`, the server's `<proceed/>`)
/// after which the same TCP stream carries a TLS handshake. Pure, on the first bytes
/// of one direction.
public enum XMPPStream {
    /// What the clear-text bytes of one direction tell about STARTTLS.
    public enum Negotiation: Sendable, Equatable {
        /// Nothing decisive yet: more bytes may tell.
        case pending
        /// TLS begins at this byte offset (after the client's `<starttls/>` or the server's `<proceed/>`).
        case tlsStarts(at: Int)
        /// The stream goes on in the clear (the client sent another element, the server a `<failure/>`).
        case plain
    }

    /// Whether the bytes open an XMPP stream: after optional whitespace and an XML
    /// declaration (`<?xml …?>`), a `<stream:stream` element.
    public static func opensStream(_ bytes: UnsafeRawBufferPointer) -> Bool {
        streamHeaderStart(bytes) != nil
    }

    /// The offset just past the stream header (`<stream:stream …>`), once complete.
    public static func streamHeaderEnd(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard let start = streamHeaderStart(bytes), let close = find(">", in: bytes, from: start) else { return nil }
        return close + 1
    }

    /// The client's side: `<starttls …/>` as the first element after the stream header.
    public static func clientNegotiation(_ bytes: UnsafeRawBufferPointer) -> Negotiation {
        guard let header = streamHeaderEnd(bytes) else { return .pending }
        let index = skipWhitespace(bytes, from: header)
        let remaining = bytes.count - index
        let tag = Array("<starttls".utf8)
        if remaining < tag.count {
            // Too short to tell unless it already differs.
            return zip(tag, bytes[index...]).allSatisfy({ $0 == $1 }) ? .pending : .plain
        }
        guard hasPrefix(tag, in: bytes, at: index) else { return .plain }
        return elementEnd(bytes, from: index, name: "starttls").map { .tlsStarts(at: $0) } ?? .pending
    }

    /// The server's side: `<proceed …/>` after its stream header and features (or `<failure`).
    public static func serverNegotiation(_ bytes: UnsafeRawBufferPointer) -> Negotiation {
        guard let header = streamHeaderEnd(bytes) else { return .pending }
        if let proceed = find("<proceed", in: bytes, from: header) {
            return elementEnd(bytes, from: proceed, name: "proceed").map { .tlsStarts(at: $0) } ?? .pending
        }
        return find("<failure", in: bytes, from: header) != nil ? .plain : .pending
    }

    // MARK: Bytes

    private static func streamHeaderStart(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var index = skipWhitespace(bytes, from: 0)
        if hasPrefix(Array("<?xml".utf8), in: bytes, at: index) {
            guard let end = find("?>", in: bytes, from: index) else { return nil }
            index = skipWhitespace(bytes, from: end + 2)
        }
        return hasPrefix(Array("<stream:stream".utf8), in: bytes, at: index) ? index : nil
    }

    /// The offset past `<name …/>` or `<name …>…</name>` starting at `start`.
    private static func elementEnd(_ bytes: UnsafeRawBufferPointer, from start: Int, name: String) -> Int? {
        guard let close = find(">", in: bytes, from: start) else { return nil }
        if bytes[close - 1] == UInt8(ascii: "/") { return close + 1 }
        guard let endTag = find("</" + name + ">", in: bytes, from: close) else { return nil }
        return endTag + name.utf8.count + 3
    }

    private static func skipWhitespace(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        var index = start
        while index < bytes.count, [0x20, 0x09, 0x0D, 0x0A].contains(bytes[index]) { index += 1 }
        return index
    }

    private static func hasPrefix(_ prefix: [UInt8], in bytes: UnsafeRawBufferPointer, at index: Int) -> Bool {
        guard bytes.count - index >= prefix.count else { return false }
        for (offset, byte) in prefix.enumerated() where bytes[index + offset] != byte { return false }
        return true
    }

    private static func find(_ needle: String, in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        let pattern = Array(needle.utf8)
        guard !pattern.isEmpty, bytes.count >= pattern.count else { return nil }
        var index = start
        while index <= bytes.count - pattern.count {
            if hasPrefix(pattern, in: bytes, at: index) { return index }
            index += 1
        }
        return nil
    }
}
