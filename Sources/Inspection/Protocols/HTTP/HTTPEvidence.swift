import Schema

public struct HTTPEvidence: Sendable {
    public var host: String?
    public var method: String?
    public var target: String?
    public var userAgent: String?
    public var ja4h: [String] = []
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
    }
}
