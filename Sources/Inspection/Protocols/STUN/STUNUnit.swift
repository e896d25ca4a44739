import Dissectors

/// STUN and TURN: messages over UDP, over TCP (framed in the stream), and relayed
/// inside TURN ChannelData.
enum STUNUnit {
    /// A media datagram (first byte 0-3) that parses as STUN; others pass on (Discord's
    /// IP discovery and other framings also start with 0x00-0x03).
    static func offer(_ datagram: UnsafeRawBufferPointer, flow: FlowInspector) -> UDPVerdict {
        guard MediaDemux.classify(firstByte: datagram[0]) == .stun, let message = STUN.parse(datagram) else { return .pass }
        record(message, into: &flow.evidence)
        return .taken
    }

    /// TURN ChannelData (first byte 64-79): taken; a STUN message inside is recorded.
    static func offerChannelData(_ datagram: UnsafeRawBufferPointer, flow: FlowInspector) -> UDPVerdict {
        guard MediaDemux.classify(firstByte: datagram[0]) == .turnChannelData else { return .pass }
        // ChannelData may wrap STUN (or media) relayed through TURN.
        if let channel = STUN.parseChannelData(datagram), datagram.count >= 4 + Int(channel.length), channel.length >= 20 {
            if let message = STUN.parse(UnsafeRawBufferPointer(rebasing: datagram[4..<(4 + Int(channel.length))])) {
                record(message, into: &flow.evidence)
            }
        }
        return .taken
    }

    static func probeTCP(_ bytes: UnsafeRawBufferPointer, flow: FlowInspector) -> ProtocolUnit? {
        guard STUN.parseStream(bytes).items.contains(where: { if case .message = $0 { true } else { false } }) else { return nil }
        flow.evidence.appProto = .stun
        return .stunOverTCP
    }

    /// The messages of a TCP direction; those not recorded yet are recorded.
    static func examine(_ bytes: UnsafeRawBufferPointer, direction: Int, flow: FlowInspector) {
        let stream = STUN.parseStream(bytes)
        var count = 0
        for item in stream.items {
            if case .message(let message) = item {
                count += 1
                if count > (flow.evidence.stun?.messages ?? 0) { record(message, into: &flow.evidence) }
            }
        }
        if count >= 4 || flow.streamIsFull(direction) { flow.done(direction) }
    }

    static func record(_ message: STUNMessage, into evidence: inout FlowEvidence) {
        evidence.appProto = evidence.appProto ?? .stun
        var stun = evidence.stun ?? STUNEvidence()
        stun.messages += 1
        if stun.realm == nil { stun.realm = message.realm }
        if stun.software == nil { stun.software = message.software }
        for type in message.attributeTypes where !stun.attributes.contains(type) && stun.attributes.count < 64 {
            stun.attributes.append(type)
        }
        let method = message.methodName
        if !stun.methods.contains(method) && stun.methods.count < 16 { stun.methods.append(method) }
        for address in message.addresses {
            let text = TransportEndpoint(address: address.address, port: address.port)
            switch address.kind {
            case .mapped, .xorMapped, .msXorMapped:
                if !stun.mapped.contains(text) && stun.mapped.count < 8 { stun.mapped.append(text) }
            case .xorRelayed:
                if !stun.relayed.contains(text) && stun.relayed.count < 8 { stun.relayed.append(text) }
            case .xorPeer, .destination:
                if !stun.peer.contains(text) && stun.peer.count < 8 { stun.peer.append(text) }
            default:
                break
            }
        }
        evidence.stun = stun
    }
}
