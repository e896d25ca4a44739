import Schema

/// Where a proxy (HTTP CONNECT, SOCKS4/4a/5) was asked to connect.
public struct ProxyEvidence: Sendable {
    /// `http-connect`, `socks4`, `socks4a`, `socks5`.
    public var type: String
    public var targetHost: String
    public var targetPort: UInt16
}

extension ProxyEvidence {
    /// The `proxy` object's members.
    @inlinable
    public func describe<Sink: FieldSink>(into sink: inout Sink) {
        sink.text(.proxyType, type)
        sink.text(.proxyTargetHost, targetHost)
        sink.number(.proxyTargetPort, targetPort)
    }
}
