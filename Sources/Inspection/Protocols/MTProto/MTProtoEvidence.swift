import Schema

public struct MTProtoEvidence: Sendable {
    /// `abridged`, `intermediate`, `padded-intermediate`, `full`, with `obfuscated2/` in front when obfuscated.
    public var transport: String
    public var dcID: Int16?
}

extension MTProtoEvidence {
    /// The `mtproto` object's members.
    @inlinable
    public func describe<Sink: FieldSink>(into sink: inout Sink) {
        sink.text(.mtprotoTransport, transport)
        if let dcID { sink.number(.mtprotoDCID, dcID) }
    }
}
