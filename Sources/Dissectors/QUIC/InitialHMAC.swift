import Crypto

/// HMAC-SHA256 (RFC 2104) on swift-crypto's concrete `SHA256`, for the Initial key
/// derivation. `HMAC<SHA256>` is generic and not specialised across the module
/// boundary: each of its calls looked up type metadata, which was most of the cost
/// of deriving a flow's Initial keys. Same bytes out (the RFC 9001 vectors check it).
struct InitialHMAC {
    private static let blockSize = 64
    /// The hash states after the key XOR ipad / opad block, copied for each message.
    private let inner: SHA256
    private let outer: SHA256

    init(key: UnsafeRawBufferPointer) {
        if key.count > Self.blockSize {
            // Longer keys are hashed first (RFC 2104 §2); Initial salts and secrets never are.
            let digest = SHA256.hash(data: key)
            (inner, outer) = digest.withUnsafeBytes { Self.keyedStates($0) }
        } else {
            (inner, outer) = Self.keyedStates(key)
        }
    }

    private static func keyedStates(_ key: UnsafeRawBufferPointer) -> (SHA256, SHA256) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: blockSize) { block in
            (state(key: key, pad: 0x36, block: block), state(key: key, pad: 0x5c, block: block))
        }
    }

    /// A hash that has taken in the key, zero-padded to one block and XORed with `pad`.
    private static func state(key: UnsafeRawBufferPointer, pad: UInt8, block: UnsafeMutableBufferPointer<UInt8>) -> SHA256 {
        for index in 0..<blockSize {
            block[index] = (index < key.count ? key[index] : 0) ^ pad
        }
        var hash = SHA256()
        hash.update(bufferPointer: UnsafeRawBufferPointer(block))
        return hash
    }

    /// The MAC of `message`.
    func authenticate(_ message: UnsafeRawBufferPointer) -> SHA256Digest {
        var hash = inner
        hash.update(bufferPointer: message)
        var finish = outer
        hash.finalize().withUnsafeBytes { finish.update(bufferPointer: $0) }
        return finish.finalize()
    }
}
