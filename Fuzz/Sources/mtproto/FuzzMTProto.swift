import Dissectors
import FuzzSupport

// Input: the first client→server bytes of a TCP connection, identified as an
// MTProto transport (abridged, intermediate, padded, full, obfuscated2).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let payload = Array(UnsafeBufferPointer(start: data, count: size))
    withExactBuffer(payload) { bytes in
        consume(MTProto.identify(clientPayload: bytes))
        consume(MTProto.identifyObfuscated2(bytes))
        consume(MTProto.decryptObfuscated2(clientStream: bytes, limit: 4096))
    }
    return 0
}
