import Dissectors

/// TLS over TCP: the records at the start of each direction carry the handshake.
/// Also what XMPP's STARTTLS turns into (`XMPPUnit`).
enum TLSUnit {
    /// A handshake record with a TLS version.
    static func probe(_ bytes: UnsafeRawBufferPointer, flow: FlowInspector) -> ProtocolUnit? {
        guard TLSRecordStream.looksLikeTLS(bytes) else { return nil }
        flow.evidence.appProto = .tls
        flow.allowTLSHandshakeBytes()
        return .tls
    }

    /// The handshake messages of one direction's TLS records (from the first record).
    static func examine(_ bytes: UnsafeRawBufferPointer, direction: Int, flow: FlowInspector) {
        let scan = TLSRecordStream.scan(bytes)
        var tls = flow.evidence.tls ?? TLSEvidence()
        TLSHandshake.record(scan.messages, from: direction, via: .tcp, certificates: flow.certificates, into: &tls)
        flow.evidence.tls = tls
        let finished: Bool
        if direction == 0 {
            finished = tls.sawClientHello
        } else {
            // TLS 1.3 encrypts the certificate: the ServerHello is all there is.
            finished = tls.sawServerHello && (!tls.certificates.isEmpty || tls.version == "1.3" || scan.status == .handshakeEnded)
        }
        if finished || scan.status == .notTLS || scan.status == .malformed || scan.status == .messageTooLarge
            || (scan.status == .handshakeEnded) || (flow.streamIsFull(direction) && !flow.streamHasGap(direction)) {
            flow.done(direction)
        }
    }
}
