import Schema

/// One request of a connection.
public struct HTTPRequestEvidence: Sendable {
    public var method: String
    public var host: String?
    public var uri: String
    /// "HTTP/1.1", "HTTP/2", …
    public var version: String
    public var userAgent: String?
    public var ja4h: String
}

public struct HTTPEvidence: Sendable {
    // The first request's fields (the keys every record had before `requests`).
    public var host: String?
    public var method: String?
    public var target: String?
    public var userAgent: String?
    /// The distinct JA4H of the connection's requests, in order of appearance.
    public var ja4h: [String] = []
    /// Requests seen in the client's stream prefix (HTTP/1.x keep-alive, or h2c).
    public var requestCount = 0
    /// The first `HTTPUnit.maxRequests` of them.
    public var requests: [HTTPRequestEvidence] = []
}

extension HTTPEvidence {
    /// The `http` object's members.
    @inlinable
    public func describe<Sink: FieldSink>(into sink: inout Sink) {
        sink.text(.httpHost, host)
        sink.text(.httpMethod, method)
        sink.text(.httpTarget, target)
        sink.text(.httpUserAgent, userAgent)
        sink.texts(.httpJA4H, ja4h)
        if requestCount > 0 { sink.number(.httpRequestCount, requestCount) }
        sink.objects(.httpRequests, requests) { request, item in
            item.text(.httpRequestMethod, request.method)
            item.text(.httpRequestHost, request.host)
            item.text(.httpRequestURI, request.uri)
            item.text(.httpRequestVersion, request.version)
            item.text(.httpRequestUserAgent, request.userAgent)
            item.text(.httpRequestJA4H, request.ja4h)
        }
    }
}
