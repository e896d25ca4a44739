import Schema

public struct STUNEvidence: Sendable {
    public var realm: String?
    public var software: String?
    /// Attribute type numbers, in order of first appearance.
    public var attributes: [UInt16] = []
    public var methods: [String] = []
    public var mapped: [String] = []
    public var relayed: [String] = []
    public var peer: [String] = []
    public var messages = 0
}

extension STUNEvidence {
    /// The `stun` object's members.
    @inlinable
    public func describe<Sink: FieldSink>(into sink: inout Sink) {
        sink.text(.stunRealm, realm)
        sink.text(.stunSoftware, software)
        sink.numbers(.stunAttributes, attributes)
        sink.texts(.stunMethods, methods)
        if !mapped.isEmpty { sink.texts(.stunMapped, mapped) }
        if !relayed.isEmpty { sink.texts(.stunRelayed, relayed) }
        if !peer.isEmpty { sink.texts(.stunPeer, peer) }
        sink.number(.stunMessages, messages)
    }
}
