import Dissectors

/// DTLS (WebRTC's handshake, and others): handshake fragments reassembled across datagrams.
struct DTLSUnit {
    private var assembler = DTLSHandshakeAssembler()

    /// Takes a media datagram whose first byte and record header are DTLS's.
    static func offer(_ datagram: UnsafeRawBufferPointer, flow: FlowInspector) -> UDPVerdict {
        guard MediaDemux.classify(firstByte: datagram[0]) == .dtls, DTLSRecord.looksLikeDTLS(datagram) else { return .pass }
        let media = flow.mediaUnits()
        if media.dtls == nil { media.dtls = DTLSUnit() }
        media.dtls!.take(datagram, flow: flow)  // in place
        return .taken
    }

    private mutating func take(_ payload: UnsafeRawBufferPointer, flow: FlowInspector) {
        let messages = assembler.add(datagram: payload)
        guard !messages.isEmpty else { return }
        var tls = flow.evidence.tls ?? TLSEvidence()
        // Either side may send either hello here (a WebRTC peer's role is not the flow's direction).
        TLSHandshake.record(messages, from: nil, via: .dtls, certificates: flow.certificates, into: &tls)
        flow.evidence.tls = tls
    }
}
