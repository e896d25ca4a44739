import Schema

/// A QUIC handshake's own facts (its TLS handshake goes to `TLSEvidence`).
public struct QUICEvidence: Sendable {
    /// `v1`, `v2`, `draft-29`, `mvfst-27`, `Q050`, `T051`, …
    public var version: String?
    /// Google QUIC's user agent (the CHLO's `UAID` tag), as nDPI reports it.
    public var userAgent: String?

    public init(version: String? = nil, userAgent: String? = nil) {
        self.version = version
        self.userAgent = userAgent
    }
}

extension QUICEvidence {
    /// The `quic` object's members.
    @inlinable
    public func describe<Sink: FieldSink>(into sink: inout Sink) {
        sink.text(.quicVersion, version)
        sink.text(.quicUserAgent, userAgent)
    }
}
