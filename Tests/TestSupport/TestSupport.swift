// Helpers shared by the test targets (hex fixtures, deterministic mutation).

/// Bytes from hex text; whitespace and newlines are ignored. Test input only.
public func hexBytes(_ text: String) -> [UInt8] {
    let digits = Array(text.utf8).filter { !($0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09) }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(digits.count / 2)
    var index = 0
    while index + 1 < digits.count {
        bytes.append(UInt8(String(decoding: digits[index...index + 1], as: UTF8.self), radix: 16) ?? 0)
        index += 2
    }
    return bytes
}

/// A deterministic pseudo-random generator (SplitMix64), so fuzz failures reproduce.
public struct SplitMix64: RandomNumberGenerator {
    public var state: UInt64
    public init(state: UInt64) { self.state = state }
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Runs `body` on every prefix of `bytes` and on `mutations` single-byte mutations of it.
/// The check is that nothing traps; results are ignored.
public func robustness(_ bytes: [UInt8], mutations: Int = 3000, seed: UInt64 = 0x5EED, _ body: ([UInt8]) -> Void) {
    for length in 0...bytes.count { body(Array(bytes.prefix(length))) }
    guard !bytes.isEmpty else { return }
    var random = SplitMix64(state: seed)
    for _ in 0..<mutations {
        var mutated = bytes
        mutated[Int.random(in: 0..<mutated.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
        body(mutated)
    }
}
