import Dissectors

/// Telegram's MTProto transports (abridged, intermediate, padded intermediate, full,
/// each possibly inside obfuscated2) from the client's first bytes.
enum MTProtoUnit {
    /// The transport the client's bytes start with; waits (`.undecided`) while an
    /// obfuscated2 header could still be arriving (it needs all 64 bytes).
    static func probe(_ bytes: UnsafeRawBufferPointer, flow: FlowInspector) -> ProtocolUnit? {
        if let transport = MTProto.identify(clientPayload: bytes) {
            flow.evidence.appProto = .mtproto
            flow.evidence.mtproto = MTProtoEvidence(transport: name(transport), dcID: transport.dcID)
            return .mtproto
        }
        if bytes.count < 64 && flow.streamLength(0) < 64 && flow.payloadPackets < FlowInspector.Budget.undecidedPayloadPackets {
            return .undecided
        }
        return nil
    }

    /// The first bytes told all there is.
    static func examine(flow: FlowInspector) {
        flow.done(0)
        flow.done(1)
    }

    static func name(_ transport: MTProtoTransport) -> String {
        let framing = switch transport.framing {
        case .abridged: "abridged"
        case .intermediate: "intermediate"
        case .paddedIntermediate: "padded-intermediate"
        case .full: "full"
        }
        return transport.isObfuscated ? "obfuscated2/" + framing : framing
    }
}
