import NIOCore
import NIOHPACK

/// HTTP/2 in clear (h2c, RFC 9113 §3.4): the client's connection preface, then frames.
public enum HTTP2 {
    /// `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`, sent first with prior knowledge and after a 101
    /// answering `Upgrade: h2c`.
    public static let preface: [UInt8] = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    public enum PrefaceMatch { case complete, partial, none }

    /// Whether `bytes` start with the preface (or with a beginning of it, when shorter).
    public static func matchPreface(_ bytes: UnsafeRawBufferPointer) -> PrefaceMatch {
        let count = min(bytes.count, preface.count)
        guard count > 0, bytes.prefix(count).elementsEqual(preface.prefix(count)) else { return .none }
        return count == preface.count ? .complete : .partial
    }

    /// The 9-byte frame header (RFC 9113 §4.1).
    struct FrameHeader {
        static let length = 9
        let payloadLength: Int
        let type: UInt8
        let flags: UInt8
        let streamID: UInt32

        init?(_ reader: inout ByteReader) {
            guard let high = reader.u8(), let low = reader.u16(), let type = reader.u8(),
                  let flags = reader.u8(), let stream = reader.u32() else { return nil }
            payloadLength = Int(high) << 16 | Int(low)
            self.type = type
            self.flags = flags
            streamID = stream & 0x7FFF_FFFF
        }
    }

    static let headersType: UInt8 = 0x1
    static let continuationType: UInt8 = 0x9
    static let endHeaders: UInt8 = 0x4
    static let padded: UInt8 = 0x8
    static let priority: UInt8 = 0x20
}

/// The requests of an HTTP/2 client stream (after its preface): HEADERS and
/// CONTINUATION frames joined into header blocks and decoded with HPACK, the dynamic
/// table kept from block to block as the server keeps it. Everything is bounded: the
/// frames walked, a header block's size, the decoded list's size and the table's.
public struct HTTP2RequestReader: Sendable {
    /// Frames walked per connection.
    public static let maxFrames = 512
    /// Bytes of one header block (HEADERS plus its CONTINUATIONs).
    public static let maxHeaderBlock = 16 * 1024
    /// The decoder's dynamic table: a client may use up to what the server allowed in
    /// its SETTINGS; a larger table than the client's is harmless (indexes count from the newest).
    static let maxTableSize = 64 * 1024

    private var decoder = HPACKDecoder(allocator: ByteBufferAllocator(), maxDynamicTableSize: maxTableSize,
                                       maxHeaderListSize: HPACKDecoder.defaultMaxHeaderListSize)
    private var block: [UInt8] = []
    private var blockStream: UInt32 = 0
    private var frames = 0
    /// Set when the stream is not HTTP/2 as expected (a malformed frame, a block
    /// HPACK cannot decode, a bound passed): nothing more is read.
    public private(set) var stopped = false

    public init() {}

    /// Reads the complete frames of `bytes` (a client stream after its preface) from
    /// `offset`, which moves past them; a frame cut short waits for more bytes.
    /// Returns the requests whose header blocks were completed.
    public mutating func read(_ bytes: UnsafeRawBufferPointer, from offset: inout Int) -> [HTTPRequest] {
        var requests: [HTTPRequest] = []
        while !stopped, offset + HTTP2.FrameHeader.length <= bytes.count {
            var reader = ByteReader(bytes, offset: offset)
            guard let header = HTTP2.FrameHeader(&reader) else { return requests }
            guard offset + HTTP2.FrameHeader.length + header.payloadLength <= bytes.count else { return requests }
            frames += 1
            guard frames <= Self.maxFrames else { stopped = true; return requests }
            let start = offset + HTTP2.FrameHeader.length
            let payload = UnsafeRawBufferPointer(rebasing: bytes[start..<start + header.payloadLength])
            offset = start + header.payloadLength
            if let request = take(header, payload) { requests.append(request) }
        }
        return requests
    }

    private mutating func take(_ header: HTTP2.FrameHeader, _ payload: UnsafeRawBufferPointer) -> HTTPRequest? {
        switch header.type {
        case HTTP2.headersType:
            guard block.isEmpty, header.streamID != 0, let fragment = Self.fragment(of: header, payload) else {
                stopped = true
                return nil
            }
            blockStream = header.streamID
            return append(fragment, ends: header.flags & HTTP2.endHeaders != 0)
        case HTTP2.continuationType:
            guard !block.isEmpty, header.streamID == blockStream else { stopped = true; return nil }
            return append(payload, ends: header.flags & HTTP2.endHeaders != 0)
        default:
            // A header block must not be interrupted by another frame (RFC 9113 §6.10).
            if !block.isEmpty { stopped = true }
            return nil
        }
    }

    /// The header block fragment of a HEADERS frame, without padding and priority fields.
    static func fragment(of header: HTTP2.FrameHeader, _ payload: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        var start = 0
        var end = payload.count
        if header.flags & HTTP2.padded != 0 {
            guard let padding = payload.first, Int(padding) + 1 <= end else { return nil }
            start = 1
            end -= Int(padding)
        }
        if header.flags & HTTP2.priority != 0 { start += 5 }
        guard start <= end else { return nil }
        return UnsafeRawBufferPointer(rebasing: payload[start..<end])
    }

    private mutating func append(_ fragment: UnsafeRawBufferPointer, ends: Bool) -> HTTPRequest? {
        guard block.count + fragment.count <= Self.maxHeaderBlock else { stopped = true; return nil }
        block.append(contentsOf: fragment)
        guard ends else { return nil }
        defer { block.removeAll(keepingCapacity: true) }
        var buffer = ByteBufferAllocator().buffer(bytes: block)
        guard let headers = try? decoder.decodeHeaders(from: &buffer) else { stopped = true; return nil }
        return Self.request(headers)
    }

    /// A request from a decoded header list: pseudo-headers give method and target;
    /// every field stays in wire order (JA4H leaves out the pseudo-headers).
    static func request(_ headers: HPACKHeaders) -> HTTPRequest? {
        var fields: [HTTPHeaderField] = []
        for (name, value, _) in headers where fields.count < HTTPHead.maxHeaders {
            fields.append(HTTPHeaderField(name: name, value: Array(value.utf8).withUnsafeBytes(ByteReader.printable)))
        }
        // A response or trailers on the client side would have no :method.
        guard let method = headers.first(name: ":method") else { return nil }
        return HTTPRequest(method: method, target: headers.first(name: ":path") ?? headers.first(name: ":authority") ?? "",
                           version: "HTTP/2", headers: fields, isHeadComplete: true,
                           hasMoreHeaders: headers.count > fields.count)
    }
}
