import Dissectors

/// RTP and RTCP (first byte 128-191). Any UDP payload can start like RTP: a packet
/// counts once its SSRC repeats (or the flow has STUN or a DTLS handshake).
struct RTPUnit {
    private var ssrcs: Set<UInt32> = []

    /// Looks at the datagram and passes it on: the framings look at it too.
    static func offer(_ datagram: UnsafeRawBufferPointer, flow: FlowInspector) -> UDPVerdict {
        guard MediaDemux.classify(firstByte: datagram[0]) == .rtpOrRTCP else { return .pass }
        let media = flow.mediaUnits()
        if media.rtp == nil { media.rtp = RTPUnit() }
        media.rtp!.take(datagram, flow: flow)  // in place
        return .pass
    }

    private mutating func take(_ payload: UnsafeRawBufferPointer, flow: FlowInspector) {
        guard let packet = RTP.parse(payload) else { return }
        var rtp = flow.evidence.rtp ?? RTPEvidence()
        switch packet {
        case .rtp(let header):
            if !ssrcs.insert(header.ssrc).inserted || flow.evidence.stun != nil || flow.evidence.tls != nil {
                rtp.rtpPackets += 1
                if !rtp.payloadTypes.contains(header.payloadType) && rtp.payloadTypes.count < 16 { rtp.payloadTypes.append(header.payloadType) }
            }
            rtp.ssrcCount = ssrcs.count
        case .rtcp:
            rtp.rtcpPackets += 1
        }
        if rtp.rtpPackets > 0 || rtp.rtcpPackets > 0 { flow.evidence.rtp = rtp }
    }
}
