import Schema

public struct RTPEvidence: Sendable {
    public var payloadTypes: [UInt8] = []
    public var ssrcCount = 0
    public var rtcpPackets = 0
    public var rtpPackets = 0
}

extension RTPEvidence {
    /// The `rtp` object's members.
    @inlinable
    public func describe<Sink: FieldSink>(into sink: inout Sink) {
        sink.numbers(.rtpPayloadTypes, payloadTypes)
        sink.number(.rtpSSRCCount, ssrcCount)
        sink.number(.rtpPackets, rtpPackets)
        sink.number(.rtcpPackets, rtcpPackets)
    }
}
