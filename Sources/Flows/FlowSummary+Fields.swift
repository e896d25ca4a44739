import Decoding
import Schema

extension FlowSummary {
    /// The flow's own fields, in order (the first keys of a flow's JSON object).
    /// `sourceFile`, `firstFrame` and `firstOffset` (its record's byte offset, when
    /// known) say where the flow's first frame came from.
    @inlinable
    public func describe<Sink: FieldSink>(into sink: inout Sink, sourceFile: String, firstFrame: UInt64, firstOffset: Int64? = nil) {
        sink.number(.flowID, flowID)
        sink.text(.communityID, communityID)
        sink.text(.proto, ProtocolNames.name(proto))
        sink.text(.srcIP, lazy: clientAddress.description)
        sink.number(.srcPort, clientPort)
        sink.text(.dstIP, lazy: serverAddress.description)
        sink.number(.dstPort, serverPort)
        if !vlans.isEmpty { sink.numbers(.vlan, vlans) }
        if let tunnel {
            sink.object(.tunnel) { object in
                object.text(.tunnelType, tunnel.kind.name)
                if tunnel.hasID { object.number(.tunnelID, tunnel.id) }
                object.text(.tunnelOuterSrcIP, lazy: tunnel.outerSource.description)
                object.text(.tunnelOuterDstIP, lazy: tunnel.outerDestination.description)
                if tunnel.depth > 1 { object.number(.tunnelDepth, tunnel.depth) }
            }
        }
        sink.time(.firstSeen, nanoseconds: firstSeen)
        sink.time(.lastSeen, nanoseconds: lastSeen)
        sink.seconds(.duration, nanoseconds: duration)
        sink.number(.packetsC2S, c2s.packets)
        sink.number(.packetsS2C, s2c.packets)
        sink.number(.bytesC2S, c2s.ipBytes)
        sink.number(.bytesS2C, s2c.ipBytes)
        sink.number(.payloadC2S, c2s.payloadBytes)
        sink.number(.payloadS2C, s2c.payloadBytes)
        sink.text(.endReason, endReason.name)
        sink.text(.sourceFile, sourceFile)
        sink.number(.firstFrame, firstFrame)
        if let firstOffset { sink.number(.firstOffset, firstOffset) }
        sink.number(.ipVersion, ipVersion)
        if isSplit {
            sink.number(.splitIndex, splitIndex)
            sink.number(.splitOf, splitIndex == 0 ? flowID : splitOf)
        }
        if proto == IPProtocol.tcp {
            sink.text(.tcpFlagsC2S, lazy: ProtocolNames.tcpFlags(c2s.tcpFlags))
            sink.text(.tcpFlagsS2C, lazy: ProtocolNames.tcpFlags(s2c.tcpFlags))
            sink.text(.tcpHandshake, lazy: ProtocolNames.tcpHandshake(tcp))
        }
        if proto == IPProtocol.icmp || proto == IPProtocol.icmpv6 {
            sink.number(.icmpType, icmpType)
            sink.number(.icmpCode, icmpCode)
        }
        if sink.wants(.payloadLengths) { sink.numbers(.payloadLengths, payloadLengths) }
        if sink.wants(.payloadGapsUS) { sink.numbers(.payloadGapsUS, payloadGaps) }
    }
}
