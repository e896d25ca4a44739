import Dissectors

/// RTP and RTCP (first byte 128-191). Any UDP payload can start like RTP: a packet
/// counts once its SSRC repeats (or the flow has STUN or a DTLS handshake).
final class RTPUnit {
    private var ssrcs: Set<UInt32> = []

    /// Looks at the datagram and passes it on: the framings look at it too.
    static func offer(_ datagram: UnsafeRawBufferPointer, flow: FlowInspector) -> UDPVerdict {
        guard MediaDemux.classify(firstByte: datagram[0]) == .rtpOrRTCP else { return .pass }
        let rtp: RTPUnit
        switch flow.unit {
        case .media(_, let known?):
            rtp = known
        case .media(let dtls, nil):
            rtp = RTPUnit()
            flow.unit = .media(dtls: dtls, rtp: rtp)
        default:
            rtp = RTPUnit()
            flow.unit = .media(dtls: nil, rtp: rtp)
        }
        rtp.take(datagram, flow: flow)
        return .pass
    }

    private func take(_ payload: UnsafeRawBufferPointer, flow: FlowInspector) {
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
