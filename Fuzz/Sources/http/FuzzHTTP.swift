import Dissectors
import FingerprintsFoxIO
import FuzzSupport

// Input: the first bytes of an HTTP/1.x request (with JA4H and DNS over HTTP) or
// response, or of an HTTP/2 client stream (the preface, then frames read with HPACK).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let head = Array(UnsafeBufferPointer(start: data, count: size))
    withExactBuffer(head) { bytes in
        consume(HTTPRequest.looksLikeRequest(bytes))
        if let request = HTTPRequest.parse(bytes) {
            consume(JA4H(request: request).fingerprint)
            consume(request.header("host"))
            let body = UnsafeRawBufferPointer(rebasing: bytes[min(request.headLength, bytes.count)...])
            consume(DNSOverHTTP.query(in: request, body: body)?.questions.count)
        }
        if HTTP2.matchPreface(bytes) == .complete {
            var reader = HTTP2RequestReader()
            var offset = HTTP2.preface.count
            for request in reader.read(bytes, from: &offset) { consume(JA4H(request: request).fingerprint) }
        }
        if let response = HTTPResponse.parse(bytes) { consume(response.header("server")) }
    }
    return 0
}
