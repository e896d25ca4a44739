import Dissectors
import FuzzSupport

// Input: a mode byte, then a DNS message over UDP (even) or a TCP stream of
// length-prefixed messages (odd).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let mode = input.u8()
    let message = Array(input.rest())
    withExactBuffer(message) { bytes in
        consume(DNSMessage.looksLikeDNS(bytes))
        if mode & 1 == 0 {
            if let parsed = DNSMessage.parse(bytes) { consume(parsed.answers.map(\.data)) }
        } else {
            consume(DNSMessage.parseTCP(bytes, maxMessages: 16).count)
        }
    }
    return 0
}
