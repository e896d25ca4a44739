import Crypto
import CryptoExtras
import Decoding

/// Crypto-PAn (Xu, Fan, Ammar, Moon, ICNP 2002): a keyed, one-to-one,
/// prefix-preserving mapping of IP addresses. Addresses sharing exactly k leading
/// bits map to pseudonyms sharing exactly k leading bits.
///
/// Key: 32 bytes = AES-128 key K (bytes 0–15) ‖ pad seed (16–31); `pad = AES_K(seed)`.
/// For bit i = 0…n−1 (n = 32 for IPv4, 128 for IPv6) the 128-bit block is the first
/// i bits of the address followed by bits i…127 of `pad`; the one-time-pad bit i is
/// the most significant bit of `AES_K(block)`; the pseudonym is address XOR pad bits.
/// IPv4 is the top 32 bits of the block (as the original C++, Go's Yawning/cryptopan
/// and Python's yacryptopan do), so the canonical vectors of those implementations hold.
/// AES is swift-crypto's one-block `AES.permute` (no AES of our own).
public struct CryptoPAn: Sendable {
    private let key: SymmetricKey
    /// `AES_K(seed)`, as a 128-bit number (high, low).
    private let padHigh: UInt64
    private let padLow: UInt64

    /// `key` must be 32 bytes (AES-128 key ‖ pad seed).
    public init(key: [UInt8]) throws(KeyFileError) {
        guard key.count == 32 else { throw KeyFileError(path: "", problem: "a key is 32 bytes, not \(key.count)") }
        self.key = SymmetricKey(data: key[0..<16])
        var pad = Array(key[16..<32])
        do {
            try AES.permute(&pad, key: self.key)
        } catch {
            throw KeyFileError(path: "", problem: "AES refused the key: \(error)")
        }
        (padHigh, padLow) = CryptoPAn.split(pad)
    }

    /// The pseudonym of `address`: by the 32-bit algorithm for IPv4 (which includes
    /// IPv4-mapped `::ffff:a.b.c.d`, held as IPv4 by `IPAddress`), else by the 128-bit one.
    public func pseudonymise(_ address: IPAddress) -> IPAddress {
        if address.isIPv4 {
            let (high, _) = run(high: UInt64(address.ipv4Value) << 32, low: 0, bits: 32, reverse: false)
            return IPAddress(ipv4: UInt32(truncatingIfNeeded: high >> 32))
        }
        let (high, low) = run(high: address.high, low: address.low, bits: 128, reverse: false)
        return IPAddress(high: high, low: low)
    }

    /// The address whose pseudonym is `pseudonym` (the inverse of `pseudonymise`):
    /// bit i of the original is recovered from the original's first i bits, already known.
    public func reverse(_ pseudonym: IPAddress) -> IPAddress {
        if pseudonym.isIPv4 {
            let (high, _) = run(high: UInt64(pseudonym.ipv4Value) << 32, low: 0, bits: 32, reverse: true)
            return IPAddress(ipv4: UInt32(truncatingIfNeeded: high >> 32))
        }
        let (high, low) = run(high: pseudonym.high, low: pseudonym.low, bits: 128, reverse: true)
        return IPAddress(high: high, low: low)
    }

    /// The first `bits` bits of the 128-bit value (high, low), mapped forward or back;
    /// the rest is returned as zeros.
    private func run(high: UInt64, low: UInt64, bits: Int, reverse: Bool) -> (UInt64, UInt64) {
        // `known`: the original address's bits found so far (forward: all of them).
        var knownHigh = reverse ? 0 : high
        var knownLow = reverse ? 0 : low
        var outHigh: UInt64 = 0, outLow: UInt64 = 0
        var block = [UInt8](repeating: 0, count: 16)
        for i in 0..<bits {
            // The first i bits of the original, then the pad's bits i…127.
            let (maskHigh, maskLow) = CryptoPAn.prefixMask(i)
            let inHigh = (knownHigh & maskHigh) | (padHigh & ~maskHigh)
            let inLow = (knownLow & maskLow) | (padLow & ~maskLow)
            CryptoPAn.store(inHigh, inLow, into: &block)
            // AES.permute throws only for a wrong block or key size, which cannot happen here.
            try? AES.permute(&block, key: key)
            let otp = UInt64(block[0] >> 7)
            // Bit i of the input (the address going forward, the pseudonym going back).
            if i < 64 {
                let shift = UInt64(63 - i)
                let bit = ((high >> shift) & 1) ^ otp
                outHigh |= bit << shift
                if reverse { knownHigh |= bit << shift }
            } else {
                let shift = UInt64(127 - i)
                let bit = ((low >> shift) & 1) ^ otp
                outLow |= bit << shift
                if reverse { knownLow |= bit << shift }
            }
        }
        return (outHigh, outLow)
    }

    /// A mask of the first `bits` (0…127) bits of a 128-bit value.
    @inline(__always)
    static func prefixMask(_ bits: Int) -> (UInt64, UInt64) {
        if bits == 0 { return (0, 0) }
        if bits < 64 { return (~UInt64(0) << UInt64(64 - bits), 0) }
        if bits == 64 { return (~UInt64(0), 0) }
        return (~UInt64(0), ~UInt64(0) << UInt64(128 - bits))
    }

    static func split(_ bytes: [UInt8]) -> (UInt64, UInt64) {
        var high: UInt64 = 0, low: UInt64 = 0
        for i in 0..<8 { high = high << 8 | UInt64(bytes[i]) }
        for i in 8..<16 { low = low << 8 | UInt64(bytes[i]) }
        return (high, low)
    }

    @inline(__always)
    static func store(_ high: UInt64, _ low: UInt64, into block: inout [UInt8]) {
        for i in 0..<8 {
            block[i] = UInt8(truncatingIfNeeded: high >> UInt64(56 - 8 * i))
            block[8 + i] = UInt8(truncatingIfNeeded: low >> UInt64(56 - 8 * i))
        }
    }
}
