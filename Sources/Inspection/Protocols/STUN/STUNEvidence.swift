import Decoding
import Schema

/// An address and port a STUN/TURN message revealed (mapped, relayed, peer).
/// Typed so that later stages use it as it is; text only at output.
public struct TransportEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var address: IPAddress
    public var port: UInt16

    public init(address: IPAddress, port: UInt16) {
        self.address = address
        self.port = port
    }

    /// `a.b.c.d:port` or `[v6]:port`.
    public var description: String { address.isIPv4 ? "\(address):\(port)" : "[\(address)]:\(port)" }
}

public struct STUNEvidence: Sendable {
    public var realm: String?
    public var software: String?
    /// Attribute type numbers, in order of first appearance.
    public var attributes: [UInt16] = []
    public var methods: [String] = []
    public var mapped: [TransportEndpoint] = []
    public var relayed: [TransportEndpoint] = []
    public var peer: [TransportEndpoint] = []
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
        if !mapped.isEmpty && sink.wants(.stunMapped) { sink.texts(.stunMapped, mapped.map(\.description)) }
        if !relayed.isEmpty && sink.wants(.stunRelayed) { sink.texts(.stunRelayed, relayed.map(\.description)) }
        if !peer.isEmpty && sink.wants(.stunPeer) { sink.texts(.stunPeer, peer.map(\.description)) }
        sink.number(.stunMessages, messages)
    }
}
