/// One header field as sent: the name in its original case, the value with optional
/// whitespace trimmed and control characters escaped.
public struct HTTPHeaderField: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// The head of an HTTP/1.x request, from the first bytes of a client stream.
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    /// The request target as sent (origin form "/path?q", absolute form, or CONNECT's
    /// authority form "host:port").
    public var target: String
    /// "HTTP/1.1", "HTTP/1.0", ...
    public var version: String
    /// Header fields in wire order (at most `HTTPHead.maxHeaders`).
    public var headers: [HTTPHeaderField]
    /// True when the blank line ending the head was seen within the bytes given (and
    /// within `HTTPHead.maxHeadLength`); false for a head cut short.
    public var isHeadComplete: Bool
    /// True when more header lines were present than were kept.
    public var hasMoreHeaders: Bool
    /// Bytes from the request line through the blank line ending the head (when complete).
    public var headLength = 0

    public init(method: String, target: String, version: String, headers: [HTTPHeaderField],
                isHeadComplete: Bool, hasMoreHeaders: Bool, headLength: Int = 0) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.isHeadComplete = isHeadComplete
        self.hasMoreHeaders = hasMoreHeaders
        self.headLength = headLength
    }

    /// The first value of a header (name compared case-insensitively), or nil.
    public func header(_ name: String) -> String? { HTTPHead.firstValue(name, in: headers) }

    /// The Host header, or HTTP/2's `:authority`.
    public var host: String? { header("Host") ?? header(":authority") }
    public var userAgent: String? { header("User-Agent") }
    public var acceptLanguage: String? { header("Accept-Language") }
    public var hasCookie: Bool { header("Cookie") != nil }
    public var hasReferer: Bool { header("Referer") != nil }
    /// The "host:port" a CONNECT request asks to tunnel to; nil for other methods.
    public var connectTarget: String? { method == "CONNECT" ? target : nil }

    /// Parses a request head. Returns nil unless the bytes start with a complete
    /// request line `METHOD SP target SP HTTP/d.d CRLF` (bare LF accepted).
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> HTTPRequest? {
        var lines = HTTPHead.Lines(bytes)
        guard let line = lines.next() else { return nil }
        var reader = ByteReader(line)
        guard let method = HTTPHead.token(&reader, maxLength: HTTPHead.maxMethodLength),
              method.allSatisfy({ HTTPHead.isUpperMethodCharacter($0) }),
              reader.u8() == UInt8(ascii: " ")
        else { return nil }
        let targetStart = reader.offset
        while let byte = reader.peek(), byte != UInt8(ascii: " ") {
            guard byte > 0x20, byte != 0x7F else { return nil }
            reader.skip(1)
        }
        let targetLength = reader.offset - targetStart
        guard targetLength > 0, reader.u8() == UInt8(ascii: " "),
              let version = HTTPHead.version(&reader), reader.isAtEnd
        else { return nil }
        let target = ByteReader.printable(UnsafeRawBufferPointer(rebasing: line[targetStart..<targetStart + targetLength]))
        let fields = HTTPHead.headerFields(&lines)
        return HTTPRequest(
            method: String(decoding: method, as: UTF8.self),
            target: target,
            version: version,
            headers: fields.headers,
            isHeadComplete: fields.complete,
            hasMoreHeaders: fields.more,
            headLength: fields.complete ? lines.reader.offset : 0
        )
    }

    /// The body length the head announces: Content-Length as a decimal number, 0 when
    /// absent; nil when the body's end cannot be told from the head (chunked, or a
    /// malformed length).
    public var bodyLength: Int? {
        if let coding = header("Transfer-Encoding"), !coding.isEmpty { return nil }
        guard let text = header("Content-Length") else { return 0 }
        guard !text.isEmpty, text.count <= 12, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return Int(text)
    }

    /// A quick test for the start of a client stream: a known method name followed by a space.
    public static func looksLikeRequest(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var reader = ByteReader(bytes)
        guard let method = HTTPHead.token(&reader, maxLength: HTTPHead.maxMethodLength),
              reader.u8() == UInt8(ascii: " ")
        else { return false }
        return HTTPHead.knownMethods.contains(String(decoding: method, as: UTF8.self))
    }
}

/// The head of an HTTP/1.x response, from the first bytes of a server stream.
public struct HTTPResponse: Sendable, Equatable {
    public var version: String
    public var statusCode: Int
    public var reason: String
    public var headers: [HTTPHeaderField]
    public var isHeadComplete: Bool
    public var hasMoreHeaders: Bool

    public func header(_ name: String) -> String? { HTTPHead.firstValue(name, in: headers) }

    public var server: String? { header("Server") }
    public var contentType: String? { header("Content-Type") }

    /// Parses a response head. Returns nil unless the bytes start with a complete
    /// status line `HTTP/d.d SP ddd [SP reason] CRLF`.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> HTTPResponse? {
        var lines = HTTPHead.Lines(bytes)
        guard let line = lines.next() else { return nil }
        var reader = ByteReader(line)
        guard let version = HTTPHead.version(&reader), reader.u8() == UInt8(ascii: " "),
              let d1 = reader.u8(), let d2 = reader.u8(), let d3 = reader.u8(),
              [d1, d2, d3].allSatisfy({ (0x30...0x39).contains($0) }), (0x31...0x35).contains(d1)
        else { return nil }
        let status = Int(d1 - 0x30) * 100 + Int(d2 - 0x30) * 10 + Int(d3 - 0x30)
        var reason = ""
        if let separator = reader.u8() {
            guard separator == UInt8(ascii: " ") else { return nil }
            reason = ByteReader.printable(reader.rest())
        }
        let fields = HTTPHead.headerFields(&lines)
        return HTTPResponse(
            version: version, statusCode: status, reason: reason,
            headers: fields.headers, isHeadComplete: fields.complete, hasMoreHeaders: fields.more
        )
    }
}

/// Shared pieces of HTTP/1.x head parsing.
public enum HTTPHead {
    /// Only this much of a stream is looked at.
    public static let maxHeadLength = 16 * 1024
    public static let maxHeaders = 100
    static let maxMethodLength = 20

    static let knownMethods: Set<String> = [
        "GET", "POST", "PUT", "HEAD", "OPTIONS", "DELETE", "PATCH", "TRACE", "CONNECT",
        "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "SEARCH", "REPORT",
    ]

    static func isUpperMethodCharacter(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }

    /// RFC 9110 tchar.
    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
             UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"): true
        default: false
        }
    }

    /// A non-empty token of at most `maxLength` bytes, as a view.
    static func token(_ reader: inout ByteReader, maxLength: Int) -> UnsafeRawBufferPointer? {
        let start = reader.offset
        while let byte = reader.peek(), isTokenCharacter(byte) {
            guard reader.offset - start < maxLength else { return nil }
            reader.skip(1)
        }
        guard reader.offset > start else { return nil }
        let end = reader.offset
        return UnsafeRawBufferPointer(rebasing: reader.bytes[start..<end])
    }

    /// "HTTP/" digit "." digit, returned as text.
    static func version(_ reader: inout ByteReader) -> String? {
        guard let prefix = reader.bytes(5), prefix.elementsEqual("HTTP/".utf8),
              let major = reader.u8(), (0x30...0x39).contains(major),
              reader.u8() == UInt8(ascii: "."),
              let minor = reader.u8(), (0x30...0x39).contains(minor)
        else { return nil }
        return "HTTP/" + String(UnicodeScalar(major)) + "." + String(UnicodeScalar(minor))
    }

    static func firstValue(_ name: String, in headers: [HTTPHeaderField]) -> String? {
        let wanted = name.lowercased()
        return headers.first(where: { $0.name.lowercased() == wanted })?.value
    }

    /// Header lines up to the blank line: `name: value`, obsolete folded lines joined to
    /// the previous value, lines without a valid name skipped.
    static func headerFields(_ lines: inout Lines) -> (headers: [HTTPHeaderField], complete: Bool, more: Bool) {
        var headers: [HTTPHeaderField] = []
        var more = false
        while let line = lines.next() {
            if line.isEmpty { return (headers, true, more) }
            var reader = ByteReader(line)
            if let first = reader.peek(), first == 0x20 || first == 0x09 {
                // obs-fold: continues the previous field's value.
                if !more, !headers.isEmpty {
                    let continuation = trimmed(reader.rest())
                    headers[headers.count - 1].value += " " + ByteReader.printable(continuation)
                }
                continue
            }
            guard let name = token(&reader, maxLength: 256), reader.u8() == UInt8(ascii: ":") else { continue }
            guard headers.count < maxHeaders else { more = true; continue }
            headers.append(HTTPHeaderField(
                name: String(decoding: name, as: UTF8.self),
                value: ByteReader.printable(trimmed(reader.rest()))
            ))
        }
        return (headers, false, more)
    }

    static func trimmed(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var start = 0
        var end = bytes.count
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    }

    /// Complete lines (CRLF or bare LF terminated, terminator removed) within the first
    /// `maxHeadLength` bytes; a final line without terminator is not returned.
    struct Lines {
        var reader: ByteReader

        init(_ bytes: UnsafeRawBufferPointer) {
            reader = ByteReader(UnsafeRawBufferPointer(rebasing: bytes.prefix(HTTPHead.maxHeadLength)))
        }

        mutating func next() -> UnsafeRawBufferPointer? {
            var probe = reader
            let start = probe.offset
            while let byte = probe.u8() {
                if byte == 0x0A {
                    var end = probe.offset - 1
                    if end > start, reader.bytes[end - 1] == 0x0D { end -= 1 }
                    reader = probe
                    return UnsafeRawBufferPointer(rebasing: reader.bytes[start..<end])
                }
            }
            return nil
        }
    }
}
