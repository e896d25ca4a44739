import Dissectors
import FingerprintsFoxIO

/// HTTP/1.x: the client's first request head (host, method, CONNECT target, user agent, JA4H).
enum HTTPUnit {
    static func probe(_ bytes: UnsafeRawBufferPointer, flow: FlowInspector) -> ProtocolUnit? {
        guard HTTPRequest.looksLikeRequest(bytes) else { return nil }
        flow.evidence.appProto = .http
        return .http
    }

    static func examine(_ bytes: UnsafeRawBufferPointer, direction: Int, flow: FlowInspector) {
        guard direction == 0 else { flow.done(1); return }
        guard let request = HTTPRequest.parse(bytes) else { flow.done(0); return }
        guard request.isHeadComplete || flow.streams[0].isFull else { return }
        var http = flow.evidence.http ?? HTTPEvidence()
        http.method = request.method
        http.target = request.connectTarget ?? http.target
        http.host = request.host ?? request.connectTarget
        http.userAgent = request.userAgent
        http.ja4h.append(JA4H(request: request).fingerprint)
        flow.evidence.http = http
        // A proxy's CONNECT: the tunnel's TLS handshake follows (`UpgradeUnit`).
        if request.connectTarget != nil && UpgradeUnit.beginHTTPConnect(bytes, flow: flow) { return }
        flow.done(0)
    }
}
