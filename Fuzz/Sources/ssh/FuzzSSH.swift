import Dissectors
import Fingerprints
import FuzzSupport

// Input: a mode byte, then one direction of an SSH connection (banner, then binary
// packets up to KEXINIT; HASSH computed) for even modes, or a bare KEXINIT payload
// for odd ones.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let mode = input.u8()
    let stream = Array(input.rest())
    withExactBuffer(stream) { bytes in
        if mode & 1 == 0 {
            if let parsed = SSHStream.parse(bytes) {
                consume(parsed.banner.softwareVersion)
                if let kex = parsed.kexInit {
                    consume(HASSH.client(kex))
                    consume(HASSH.server(kex))
                }
            }
        } else {
            consume(SSHBanner.parse(line: bytes))
            if let kex = SSHKexInit.parse(payload: bytes) { consume(HASSH.client(kex)) }
        }
    }
    return 0
}
