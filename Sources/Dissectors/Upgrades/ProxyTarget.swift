import Decoding

/// Where a proxy was asked to connect: SOCKS4, SOCKS4a, SOCKS5 or HTTP CONNECT.
public struct ProxyTarget: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case httpConnect = "http-connect"
        case socks4, socks4a, socks5
    }

    public var kind: Kind
    /// A name, or an address in text (dotted quad, RFC 5952 for IPv6).
    public var host: String
    public var port: UInt16

    public init(kind: Kind, host: String, port: UInt16) {
        self.kind = kind
        self.host = host
        self.port = port
    }
}

/// HTTP CONNECT (RFC 9110 §9.3.6): the request head, then (after a 2xx response head)
/// the tunnelled stream. Pure, on the first bytes of one direction.
public enum HTTPConnect {
    /// The target of a CONNECT request whose head is complete, and where the tunnel starts.
    public static func request(_ bytes: UnsafeRawBufferPointer) -> (target: ProxyTarget, innerStart: Int)? {
        guard let request = HTTPRequest.parse(bytes), request.isHeadComplete, let target = request.connectTarget,
              let end = headEnd(bytes), let parsed = hostAndPort(target) else { return nil }
        return (ProxyTarget(kind: .httpConnect, host: parsed.host, port: parsed.port), end)
    }

    /// The server's side: the tunnel starts after a complete 2xx response head.
    public static func response(_ bytes: UnsafeRawBufferPointer) -> UpgradeNegotiation {
        guard let response = HTTPResponse.parse(bytes) else {
            // Pending while the status line may still be coming.
            let shown = min(bytes.count, 5)
            let partial = bytes.count < 256 && !bytes.contains(0x0A) && bytes.prefix(shown).elementsEqual("HTTP/".utf8.prefix(shown))
            return partial ? .pending : .plain
        }
        guard response.isHeadComplete, let end = headEnd(bytes) else { return .pending }
        return (200..<300).contains(response.statusCode) ? .innerStarts(at: end) : .plain
    }

    /// The offset after the empty line that ends the head (CRLF CRLF, or LF LF).
    static func headEnd(_ bytes: UnsafeRawBufferPointer) -> Int? {
        let limit = min(bytes.count, HTTPHead.maxHeadLength)
        var index = 0
        while index + 1 < limit {
            if bytes[index] == 0x0A {
                if bytes[index + 1] == 0x0A { return index + 2 }
                if bytes[index + 1] == 0x0D, index + 2 < limit, bytes[index + 2] == 0x0A { return index + 3 }
            }
            index += 1
        }
        return nil
    }

    /// `host:port` or `[v6]:port`.
    static func hostAndPort(_ target: String) -> (host: String, port: UInt16)? {
        guard let colon = target.lastIndex(of: ":"), let port = UInt16(target[target.index(after: colon)...]) else { return nil }
        var host = target[..<colon]
        if host.hasPrefix("[") && host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        return host.isEmpty ? nil : (String(host), port)
    }
}
