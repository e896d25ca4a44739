import Dissectors

/// QUIC (and Google QUIC): the Initial packets are decrypted and their CRYPTO
/// frames reassembled into the TLS hellos.
final class QUICUnit {
    private var assembler = QUICHandshakeAssembler()
    private var clientHelloParsed = false
    private var serverHelloParsed = false

    /// Takes the datagram when the flow is QUIC already or the datagram looks like QUIC;
    /// every later datagram of the flow then comes here.
    static func offer(_ datagram: UnsafeRawBufferPointer, direction: Int, flow: FlowInspector) -> UDPVerdict {
        if case .quic(let quic) = flow.unit {
            quic.take(datagram, direction: direction, flow: flow)
            return .taken
        }
        guard looksLikeQUIC(datagram) else { return .pass }
        let quic = QUICUnit()
        flow.unit = .quic(quic)
        quic.take(datagram, direction: direction, flow: flow)
        return .taken
    }

    /// A long header with a version we know, or Google QUIC's public flags with a 'Q' version.
    static func looksLikeQUIC(_ payload: UnsafeRawBufferPointer) -> Bool {
        guard payload.count >= 7 else { return false }
        if payload[0] & 0x80 != 0 {
            let version = UInt32(payload[1]) << 24 | UInt32(payload[2]) << 16 | UInt32(payload[3]) << 8 | UInt32(payload[4])
            return QUICVersion(version).isKnown
        }
        return GoogleQUIC.clearTextVersion(of: payload) != nil
    }

    private func take(_ payload: UnsafeRawBufferPointer, direction: Int, flow: FlowInspector) {
        let isQUIC = direction == 0 ? assembler.addClientDatagram(payload) : assembler.addServerDatagram(payload)
        guard isQUIC else { return }
        flow.evidence.appProto = .quic
        var quic = flow.evidence.quic ?? QUICEvidence()
        quic.version = assembler.versionName
        if quic.userAgent == nil { quic.userAgent = assembler.googleUAID }
        var tls = flow.evidence.tls ?? TLSEvidence()
        if !clientHelloParsed, let body = assembler.clientHelloBody {
            clientHelloParsed = true
            if let hello = body.withUnsafeBytes({ TLSClientHello.parse(body: $0) }) {
                if !tls.sawClientHello { TLSHandshake.record(hello, transport: .quic, into: &tls) }
                if let agent = hello.quicUserAgent { quic.userAgent = agent }
            }
        }
        flow.evidence.quic = quic
        if !serverHelloParsed, let body = assembler.serverHelloBody {
            serverHelloParsed = true
            TLSHandshake.record(TLSRawHandshake(type: TLSHandshakeType.serverHello, body: body), from: 1, via: .quic,
                                certificates: flow.certificates, into: &tls)
        }
        if tls.sni == nil, let sni = assembler.googleSNI { tls.sni = sni }
        if tls.sawClientHello || tls.sawServerHello || tls.sni != nil { flow.evidence.tls = tls }
        if assembler.isComplete { flow.conclude() }
    }
}
