import Dissectors
import FingerprintsFoxIO

/// HTTP in clear, from the client's stream prefix: every request of a keep-alive
/// connection (HTTP/1.x heads, bodies stepped over by Content-Length), and HTTP/2
/// (h2c) after the connection preface, sent with prior knowledge or after a request
/// asking `Upgrade: h2c`. DNS over HTTPS requests seen in clear are recorded as DNS
/// queries. The first request fills the flow's first-request keys.
final class HTTPUnit {
    /// Requests kept per connection; the rest are counted.
    static let maxRequests = 16

    /// Client bytes read so far (complete requests, or HTTP/2 frames).
    private var consumed = 0
    private var http2: HTTP2RequestReader?

    static func probe(_ bytes: UnsafeRawBufferPointer, flow: FlowInspector) -> ProtocolUnit? {
        guard HTTPRequest.looksLikeRequest(bytes) || HTTP2.matchPreface(bytes) != .none else { return nil }
        flow.evidence.appProto = .http
        return .http(HTTPUnit())
    }

    func examine(_ bytes: UnsafeRawBufferPointer, direction: Int, flow: FlowInspector) {
        guard direction == 0 else { flow.done(1); return }
        while consumed < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[consumed...])
            if http2 != nil {
                readHTTP2(bytes, flow: flow)
                return
            }
            switch HTTP2.matchPreface(rest) {
            case .complete:
                consumed += HTTP2.preface.count
                http2 = HTTP2RequestReader()
                continue
            case .partial:
                return
            case .none:
                break
            }
            guard let request = HTTPRequest.parse(rest) else {
                // Not a request line (yet): a line cut short waits, anything else ends.
                if !rest.contains(0x0A) && !flow.streamIsFull(0) { return }
                flow.done(0)
                return
            }
            guard request.isHeadComplete else {
                if flow.streamIsFull(0) { record(request, flow: flow); flow.done(0) }
                return
            }
            if request.connectTarget != nil {
                // A proxy's CONNECT: the tunnel's TLS handshake follows (`UpgradeUnit`).
                record(request, flow: flow)
                if consumed == 0 && UpgradeUnit.beginHTTPConnect(bytes, flow: flow) { return }
                flow.done(0)
                return
            }
            guard let bodyLength = request.bodyLength else {
                // A chunked body: its end is not followed; this request is the last read.
                record(request, flow: flow)
                flow.done(0)
                return
            }
            let end = consumed + request.headLength + bodyLength
            guard end <= bytes.count else {
                if flow.streamIsFull(0) { record(request, flow: flow); flow.done(0) }
                return
            }
            record(request, flow: flow, body: UnsafeRawBufferPointer(rebasing: bytes[(end - bodyLength)..<end]))
            consumed = end
        }
        // A full prefix grows no more: nothing further will come to read.
        if flow.streamIsFull(0) { flow.done(0) }
    }

    private func readHTTP2(_ bytes: UnsafeRawBufferPointer, flow: FlowInspector) {
        guard var reader = http2 else { return }
        for request in reader.read(bytes, from: &consumed) { record(request, flow: flow) }
        http2 = reader
        if reader.stopped || flow.streamIsFull(0) { flow.done(0) }
    }

    private func record(_ request: HTTPRequest, flow: FlowInspector, body: UnsafeRawBufferPointer? = nil) {
        var http = flow.evidence.http ?? HTTPEvidence()
        let fingerprint = JA4H(request: request).fingerprint
        if http.requestCount == 0 {
            http.method = request.method
            http.target = request.connectTarget ?? http.target
            http.host = request.host ?? request.connectTarget
            http.userAgent = request.userAgent
        }
        http.requestCount += 1
        if http.requests.count < Self.maxRequests {
            http.requests.append(HTTPRequestEvidence(
                method: request.method, host: request.host, uri: request.target, version: request.version,
                userAgent: request.userAgent, ja4h: fingerprint))
            if !http.ja4h.contains(fingerprint) { http.ja4h.append(fingerprint) }
        }
        flow.evidence.http = http
        if let query = DNSOverHTTP.query(in: request, body: body) {
            _ = DNSUnit.record(query, into: &flow.evidence)
        }
    }
}
