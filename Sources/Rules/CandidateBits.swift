/// The candidate rules of one classification: a bit per rule, plus a summary bit per
/// word of those bits (set once the word may hold a candidate), so that the scan visits
/// only words with candidates however many rules there are. The storage belongs to the
/// caller (`RuleSet.withCandidates` puts it on the stack) and lives only for the call.
struct CandidateBits {
    private let bits: UnsafeMutableBufferPointer<UInt64>
    private let summary: UnsafeMutableBufferPointer<UInt64>

    /// Summary words for `words` words of bits.
    static func summaryWords(_ words: Int) -> Int { (words + 63) / 64 }

    /// `storage` holds `words` words of bits, then their `summaryWords(words)` words of summary.
    init(_ storage: UnsafeMutableBufferPointer<UInt64>, words: Int) {
        bits = UnsafeMutableBufferPointer(rebasing: storage[..<words])
        summary = UnsafeMutableBufferPointer(rebasing: storage[words...])
    }

    /// Fills the storage (uninitialised until then) with the rules always checked.
    func start(_ mask: [UInt64], summary maskSummary: [UInt64]) {
        _ = bits.initialize(fromContentsOf: mask)
        _ = summary.initialize(fromContentsOf: maskSummary)
    }

    /// Adds rule number `rule` (less than the bits' capacity: rule numbers come from the set's own indexes).
    @inline(__always)
    func insert(_ rule: Int32) {
        let word = Int(rule) >> 6
        bits[word] |= 1 << UInt64(rule & 63)
        summary[word >> 6] |= 1 << UInt64(word & 63)
    }

    @inline(__always)
    func insert(_ rules: [Int32]) {
        for rule in rules { insert(rule) }
    }

    /// Each candidate once, in rule order.
    func forEach(_ body: (Int) -> Void) {
        for s in summary.indices {
            var words = summary[s]
            while words != 0 {
                let word = s << 6 | words.trailingZeroBitCount
                words &= words - 1
                var rules = bits[word]
                while rules != 0 {
                    body(word << 6 | rules.trailingZeroBitCount)
                    rules &= rules - 1
                }
            }
        }
    }
}
