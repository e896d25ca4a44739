import Dissectors
import FuzzSupport

// Input: a mode byte, then one STUN/TURN datagram (0), a TCP stream of STUN
// messages and ChannelData (1), ChannelData over UDP/TCP (2), or an MS-TURN
// multiplexed datagram (3).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let mode = input.u8() % 4
    let message = Array(input.rest())
    withExactBuffer(message) { bytes in
        consume(STUN.looksLikeSTUN(bytes))
        switch mode {
        case 0:
            if let parsed = STUN.parse(bytes) {
                consume(parsed.methodName)
                // The DATA attribute's place must lie inside the message.
                if let offset = parsed.dataOffset, let length = parsed.dataLength {
                    precondition(offset >= 0 && length >= 0 && offset + length <= bytes.count, "DATA outside the message")
                    consume(touch(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length])))
                }
            }
        case 1:
            consume(STUN.parseStream(bytes))
        case 2:
            consume(STUN.parseChannelData(bytes, overTCP: false))
            consume(STUN.parseChannelData(bytes, overTCP: true))
        default:
            if let offset = STUN.microsoftMultiplexedPayloadOffset(bytes) {
                precondition(offset >= 0 && offset <= bytes.count, "payload offset outside the datagram")
                consume(STUN.parse(UnsafeRawBufferPointer(rebasing: bytes[offset...])))
            }
        }
    }
    return 0
}
