import Decoding
import Reports
import Synchronization

/// A run's address mapping: Crypto-PAn forward (or back, for `--reverse`), each
/// address computed once (32 or 128 AES blocks) and cached for the run.
public final class Pseudonymiser: AddressMap {
    public let key: PseudonymKey
    public let reversing: Bool
    private let cache = Mutex<[IPAddress: IPAddress]>([:])
    /// Enough for any capture's distinct addresses; past it the cache is emptied.
    private static let cacheLimit = 1 << 20

    public init(key: PseudonymKey, reverse: Bool = false) {
        self.key = key
        self.reversing = reverse
    }

    public func map(_ address: IPAddress) -> IPAddress {
        if let known = cache.withLock({ $0[address] }) { return known }
        let mapped = reversing ? key.cipher.reverse(address) : key.cipher.pseudonymise(address)
        cache.withLock { cache in
            if cache.count >= Pseudonymiser.cacheLimit { cache.removeAll(keepingCapacity: true) }
            cache[address] = mapped
        }
        return mapped
    }
}
