import Dissectors

/// WireGuard: its handshake messages' fixed types and sizes.
enum WireGuardUnit {
    /// Taken when the flow has no protocol yet and the datagram looks like WireGuard.
    static func offer(_ datagram: UnsafeRawBufferPointer, flow: FlowInspector) -> UDPVerdict {
        guard flow.evidence.appProto == nil && WireGuard.looksLikeWireGuard(datagram) else { return .pass }
        flow.evidence.appProto = .wireguard
        return .taken
    }
}
