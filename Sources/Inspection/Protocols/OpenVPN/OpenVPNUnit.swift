import Dissectors

/// OpenVPN over UDP and TCP: its control channel carries a TLS handshake, per
/// direction, which goes to the shared handshake loop.
final class OpenVPNUnit {
    private var streams = [OpenVPNTLSStream(), OpenVPNTLSStream()]

    /// Takes every datagram of an OpenVPN flow; a flow becomes one on its first
    /// datagram (not on the LAN service ports).
    static func offer(_ datagram: UnsafeRawBufferPointer, direction: Int, flow: FlowInspector) -> UDPVerdict {
        let openVPN: OpenVPNUnit
        if case .openVPN(let known) = flow.unit {
            openVPN = known
        } else if flow.udpPackets == 1 && !isLocalServicePort(flow.serverPort) && OpenVPN.looksLikeOpenVPN(firstPacket: datagram) {
            openVPN = OpenVPNUnit()
            flow.unit = .openVPN(openVPN)
        } else {
            return .pass
        }
        openVPN.take(datagram, direction: direction, flow: flow)
        return .taken
    }

    private func take(_ payload: UnsafeRawBufferPointer, direction: Int, flow: FlowInspector) {
        flow.evidence.appProto = .openvpn
        if streams[direction].append(packetBytes: payload) {
            _ = OpenVPNUnit.record(streams[direction], direction: direction, flow: flow)
        }
        if let tls = flow.evidence.tls, tls.sawClientHello && tls.sawServerHello { flow.conclude() }
    }

    static func probeTCP(_ bytes: UnsafeRawBufferPointer, flow: FlowInspector) -> ProtocolUnit? {
        guard OpenVPN.looksLikeOpenVPN(firstPacket: bytes, overTCP: true) else { return nil }
        flow.evidence.appProto = .openvpn
        return .openVPNOverTCP
    }

    /// The control-channel packets of a TCP direction, from its first byte.
    static func examine(_ bytes: UnsafeRawBufferPointer, direction: Int, flow: FlowInspector) {
        var stream = OpenVPNTLSStream()
        for packet in OpenVPN.packets(inTCPStream: bytes) { stream.append(packet) }
        let finished = record(stream, direction: direction, flow: flow)
        if finished || flow.streamIsFull(direction) { flow.done(direction) }
    }

    /// The TLS handshake inside the control channel. Returns whether this direction has given its hello.
    private static func record(_ stream: OpenVPNTLSStream, direction: Int, flow: FlowInspector) -> Bool {
        let scan = stream.scanTLS()
        var tls = flow.evidence.tls ?? TLSEvidence()
        TLSHandshake.record(scan.messages, from: direction, via: .openVPN, certificates: flow.certificates, into: &tls)
        if tls.sawClientHello || tls.sawServerHello { flow.evidence.tls = tls }
        return direction == 0 ? tls.sawClientHello : tls.sawServerHello
    }

    /// LAN and infrastructure services whose first datagram can look like another
    /// protocol's by chance (a NetBIOS query like an OpenVPN reset).
    static func isLocalServicePort(_ port: UInt16) -> Bool {
        [53, 67, 68, 123, 137, 138, 161, 162, 500, 514, 1900, 3702, 5353, 5355].contains(port)
    }
}
