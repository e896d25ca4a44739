import Dissectors
import FingerprintsFoxIO
import FuzzSupport

// Input: the first bytes of an HTTP/1.x request (with JA4H) or response.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let head = Array(UnsafeBufferPointer(start: data, count: size))
    withExactBuffer(head) { bytes in
        consume(HTTPRequest.looksLikeRequest(bytes))
        if let request = HTTPRequest.parse(bytes) {
            consume(JA4H(request: request).fingerprint)
            consume(request.header("host"))
        }
        if let response = HTTPResponse.parse(bytes) { consume(response.header("server")) }
    }
    return 0
}
