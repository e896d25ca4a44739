import Dissectors

/// XMPP (client-to-server and server-to-server, any port): both directions open
/// with a `<stream:stream` header. With STARTTLS (`<starttls/>`, then the server's
/// `<proceed/>`), each direction turns into TLS: its handshake is dissected as for
/// TLS over TCP (SNI, JA3, JA4 …), the flow stays `xmpp`.
final class XMPPUnit {
    /// Per direction: the stream offset where TLS begins, once STARTTLS is agreed (-1 before).
    private var tlsStart: (client: Int32, server: Int32) = (-1, -1)

    static func probe(_ bytes: UnsafeRawBufferPointer, flow: FlowInspector) -> ProtocolUnit? {
        guard XMPPStream.opensStream(bytes) else { return nil }
        flow.evidence.appProto = .xmpp
        return .xmpp(XMPPUnit())
    }

    func examine(_ bytes: UnsafeRawBufferPointer, direction: Int, flow: FlowInspector) {
        var start = Int(direction == 0 ? tlsStart.client : tlsStart.server)
        if start < 0 {
            let negotiation = direction == 0 ? XMPPStream.clientNegotiation(bytes) : XMPPStream.serverNegotiation(bytes)
            switch negotiation {
            case .pending:
                if flow.streamIsFull(direction) { flow.done(direction) }
                return
            case .plain:
                // No TLS follows: nothing more to learn from either side.
                flow.done(0)
                flow.done(1)
                return
            case .tlsStarts(let offset):
                start = offset
                if direction == 0 { tlsStart.client = Int32(offset) } else { tlsStart.server = Int32(offset) }
                flow.allowTLSHandshakeBytes()
            }
        }
        guard bytes.count > start else { return }
        TLSUnit.examine(UnsafeRawBufferPointer(rebasing: bytes[start...]), direction: direction, flow: flow)
    }
}
